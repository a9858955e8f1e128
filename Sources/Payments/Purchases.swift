import Accounts
import BankKit
import Storage

/// A purchase a customer has just paid for: an e-Pay capture today; the mall and the online
/// cashier report theirs the same way.
public struct CompletedPurchase: Sendable, Hashable {
    /// Stable per purchase (`epay:<order id>`): an observer told twice acts once.
    public let reference: String
    public let customerID: RongID
    /// The account that paid.
    public let accountID: RongID
    public let amountFen: Int64
    public let merchantID: RongID
    public let merchantName: String
    public let at: Timestamp

    public init(reference: String, customerID: RongID, accountID: RongID, amountFen: Int64, merchantID: RongID, merchantName: String, at: Timestamp) {
        self.reference = reference
        self.customerID = customerID
        self.accountID = accountID
        self.amountFen = amountFen
        self.merchantID = merchantID
        self.merchantName = merchantName
        self.at = at
    }
}

/// Told of each completed purchase after it committed (Lending sends 逸贷 offers). It must not
/// fail the purchase: errors are the observer's to log.
public protocol PurchaseObserving: Sendable {
    func purchaseCompleted(_ purchase: CompletedPurchase) async
}

/// A merchant's acquiring turnover: captured minus refunded, by the day or month it was paid.
public struct TurnoverPeriod: Sendable, Hashable {
    /// `YYYY-MM` or `YYYY-MM-DD`.
    public let period: String
    public let capturedFen: Int64
    public let refundedFen: Int64
    public var netFen: Int64 { capturedFen - refundedFen }
}

extension PaymentsService {
    func notifyPurchase(_ order: PaymentOrder, customer: Customer, account: EAccount, merchant: Merchant) async {
        guard let observer = purchaseObserver.current else { return }
        await observer.purchaseCompleted(CompletedPurchase(
            reference: "epay:\(order.id)", customerID: customer.id, accountID: account.id, amountFen: order.amountFen,
            merchantID: merchant.id, merchantName: merchant.name, at: order.paidAt ?? clock.now()))
    }

    /// Net e-Pay turnover of a merchant for each of the `months` calendar months before the one
    /// containing `date` (oldest first), by the date orders were paid; refunds count against the
    /// month of the order. Months with no sales are present with zero.
    public func monthlyTurnover(merchantID: RongID, months: Int, before date: BusinessDate) async throws -> [TurnoverPeriod] {
        precondition((1...24).contains(months))
        let firstOfThisMonth = date.adding(days: 1 - date.day)
        var result: [TurnoverPeriod] = []
        for back in stride(from: months, through: 1, by: -1) {
            let start = firstOfThisMonth.adding(months: -back)
            let end = firstOfThisMonth.adding(months: -back + 1)
            let totals = try await turnover(merchantID: merchantID, from: start, until: end)
            result.append(TurnoverPeriod(period: String(start.description.prefix(7)), capturedFen: totals.captured, refundedFen: totals.refunded))
        }
        return result
    }

    /// Net e-Pay turnover of a merchant paid on `date` (Asia/Shanghai).
    public func dailyTurnover(merchantID: RongID, on date: BusinessDate) async throws -> TurnoverPeriod {
        let totals = try await turnover(merchantID: merchantID, from: date, until: date.adding(days: 1))
        return TurnoverPeriod(period: date.description, capturedFen: totals.captured, refundedFen: totals.refunded)
    }

    private func turnover(merchantID: RongID, from start: BusinessDate, until end: BusinessDate) async throws -> (captured: Int64, refunded: Int64) {
        let row = try await database.first(
            """
            SELECT COALESCE(SUM(captured_fen), 0) AS captured, COALESCE(SUM(refunded_fen), 0) AS refunded FROM payments_orders
            WHERE merchant_id = ? AND paid_at >= ? AND paid_at < ?
            """, [.id(merchantID), .time(start.startInstant), .time(end.startInstant)])
        return (row?.int("captured") ?? 0, row?.int("refunded") ?? 0)
    }
}
