import BankKit
import EndOfDay

extension WealthService {
    /// The wealth products' end-of-day steps (orders 185–188), each idempotent for its date and
    /// all through the ledger with ids derived from the order: a re-run moves nothing twice.
    public func productEndOfDaySteps() -> [EODStep] {
        [
            EODStep(name: "wealth.product-orders-resolve", order: 185) { _ in
                "resolved \(try await self.resolvePlacingOrders()) orders left half-placed"
            },
            EODStep(name: "wealth.product-value-dates", order: 186) { context in
                let report = try await self.establishPeriodicProducts(for: context.date)
                return "established \(report.products) periodic products: \(report.orders) subscriptions (\(Money.fen(report.amountFen).formatted)) issued at ¥1.00, \(report.failed) failed"
            },
            EODStep(name: "wealth.product-confirmations", order: 187) { context in
                let report = try await self.confirmNAVOrders(for: context.date)
                return "confirmed \(report.confirmed) NAV orders, \(report.failed) failed (hold expired), \(report.waiting) waiting for a NAV"
            },
            EODStep(name: "wealth.product-maturities", order: 188) { context in
                let report = try await self.payPeriodicMaturities(for: context.date)
                return "paid \(report.orders) matured subscriptions of \(report.products) products (\(Money.fen(report.amountFen).formatted)); \(report.failed) refused (closed accounts)"
            },
        ]
    }
}
