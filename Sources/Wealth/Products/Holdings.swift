import Accounts
import BankKit
import Identity
import Ledger
import Storage

/// A customer's positions: units from the ledger (the holding account of each product), valued
/// at the latest NAV (periodic products at ¥1 a unit), with the cost from their confirmed orders.
extension WealthService {
    /// Products with units held or a subscription waiting, riskiest last.
    public func holdings(_ principal: Principal) async throws -> [ProductHolding] {
        let customer = try await accounts.customer(of: principal)
        let rows = try await database.query(
            """
            SELECT DISTINCT o.product_id, p.risk, p.code FROM \(WealthService.orderFrom)
            WHERE o.customer_id = ? AND o.status IN ('accepted', 'confirmed') ORDER BY p.risk, p.code LIMIT ?
            """, [.id(customer.id), .int(WealthService.productsListMax)])
        var holdings: [ProductHolding] = []
        for row in rows {
            let product = try await requireProduct(row.id("product_id"))
            holdings.append(try await holding(customerID: customer.id, product: product))
        }
        return holdings
    }

    /// The customer's position in one product (zero when none).
    public func holding(_ principal: Principal, productID: RongID) async throws -> ProductHolding {
        let customer = try await accounts.customer(of: principal)
        return try await holding(customerID: customer.id, product: try await requireProduct(productID))
    }

    func holding(customerID: RongID, product: WealthProduct) async throws -> ProductHolding {
        let balance = try await ledger.account(product.holdingAccountID(customerID: customerID))?.balance ?? AccountBalance()
        let units = balance.postedCreditBalance
        let nav = product.kind == .nav ? try await latestNAV(product.id) : nil
        let value = ProductMath.cashFen(forUnits: max(units, 0), at: nav?.nav ?? .par)
        let position = try await position(customerID: customerID, productID: product.id)
        let sums = try await database.first(
            """
            SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'subscription' AND status = 'accepted' THEN amount_fen ELSE 0 END), 0) AS BIGINT) AS pending,
                   CAST(COALESCE(SUM(CASE WHEN kind = 'redemption' AND status = 'confirmed' THEN amount_fen - cost_fen ELSE 0 END), 0) AS BIGINT) AS realised,
                   CAST(COALESCE(SUM(CASE WHEN kind = 'subscription' AND status = 'matured' THEN interest_fen ELSE 0 END), 0) AS BIGINT) AS matured_income
            FROM wealth_orders WHERE customer_id = ? AND product_id = ?
            """, [.id(customerID), .id(product.id)])
        var expected: Int64?
        if product.kind == .periodic, let yield = product.expectedYield, let term = product.termDays {
            let open = try await database.query(
                "SELECT amount_fen FROM wealth_orders WHERE customer_id = ? AND product_id = ? AND kind = 'subscription' AND status IN ('accepted', 'confirmed') LIMIT 1000",
                [.id(customerID), .id(product.id)])
            expected = open.reduce(0) { total, row in
                let principalFen = row.int("amount_fen")
                return total + principalFen + ProductMath.periodicInterestFen(principalFen: principalFen, yield: yield, termDays: term)
            }
        }
        return ProductHolding(product: product, latestNAV: nav, units: units, availableUnits: balance.availableCreditBalance, marketValueFen: value,
                              costFen: position.costFen, incomeFen: value - position.costFen,
                              realisedIncomeFen: (sums?.int("realised") ?? 0) + (sums?.int("matured_income") ?? 0),
                              pendingSubscriptionFen: sums?.int("pending") ?? 0, expectedPayoutFen: expected)
    }
}
