import Accounts
import BankKit
import Identity
import Ledger
import Storage

/// What one run of NAV confirmations did.
public struct ProductConfirmationReport: Sendable, Hashable {
    public let confirmed: Int
    public let failed: Int
    /// Orders due whose confirmation day has no NAV yet: they wait for the next run.
    public let waiting: Int
}

/// What one run of periodic value dates or maturities did.
public struct PeriodicRunReport: Sendable, Hashable {
    public let products: Int
    public let orders: Int
    public let amountFen: Int64
    public let failed: Int
}

/// Subscriptions and redemptions.
///
/// NAV products: an order placed on a business day before 15:00 Asia/Shanghai trades that day,
/// otherwise on the next business day; it is confirmed on the business day after the trade date
/// (T+1) at that day's NAV. Money (or units) is held at once by a pending ledger transfer; the
/// confirmation posts the hold and issues (or pays for) the units. Periodic products: subscribed
/// inside the window, held until the value date, then units at ¥1; at maturity principal plus
/// principal × yield × term ÷ 365 is paid back.
///
/// Every ledger id derives from the order id, so a crashed step run again moves nothing twice.
/// An order row is written (`placing`) in the transaction that reserves the quota, before the
/// hold; a refused hold removes the row and gives the quota back, so a refusal leaves nothing.
extension WealthService {
    /// Orders at or after 15:00 Asia/Shanghai count for the next business day.
    public static let productCutoffHour = 15
    /// A NAV order's hold outlives the longest holiday run plus a late NAV.
    public static let productHoldSeconds: Int64 = 15 * 86_400
    /// A `placing` order this old is resolved by end-of-day (its request is long gone).
    static let placingResolveSeconds: Int64 = 60
    static let orderColumns = """
        o.id, o.customer_id, o.product_id, p.code, p.name, p.name_en, o.kind, o.account_id, o.amount_fen, o.units, o.trade_date, o.confirm_date,
        o.nav_e4, o.cost_fen, o.payout_fen, o.interest_fen, o.status, o.failure_code, o.created_at, o.completed_at
        """
    static let orderFrom = "wealth_orders o JOIN wealth_products p ON p.id = o.product_id"

    // MARK: Dates

    /// The trade date and the confirmation date (T+1) of a NAV order placed at `instant`.
    public func navOrderDates(at instant: Timestamp) -> (trade: BusinessDate, confirm: BusinessDate) {
        WealthService.navOrderDates(at: instant, calendar: calendar)
    }

    public static func navOrderDates(at instant: Timestamp, calendar: BusinessCalendar) -> (trade: BusinessDate, confirm: BusinessDate) {
        let date = BusinessDate(at: instant)
        let beforeCutoff = instant < date.instant(hour: productCutoffHour, minute: 0)
        let trade = calendar.isBusinessDay(date) && beforeCutoff ? date : calendar.nextBusinessDay(after: date)
        return (trade, calendar.nextBusinessDay(after: trade))
    }

    // MARK: Placing orders

    /// Buys `amountFen` of a product from the customer's Class I or II account. Checked in order:
    /// the product, the account, suitability, sale status and window, minimum, funds; then the
    /// quota is reserved with the order row and the money held. Idempotent on the key.
    public func subscribe(_ principal: Principal, productID: RongID, accountID: RongID, amountFen: Int64, idempotencyKey: String?,
                          address: String) async throws -> ProductOrder {
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        let customer = try await accounts.customer(of: principal)
        let id = RongID.derived("wealth.order", customer.id, key)
        let hash = Array("subscription|\(productID)|\(accountID)|\(amountFen)".utf8)
        if let existing = try await existingOrder(id, hash: hash, address: address) { return existing }
        let product = try await requireProduct(productID)
        let (_, account) = try await investingAccount(principal, id: accountID)
        try await requireSuitable(customerID: customer.id, product)
        guard product.status == .open else { throw WealthService.notOnSale(product) }
        let now = clock.now()
        let today = BusinessDate(at: now)
        let dates: (trade: BusinessDate, confirm: BusinessDate)
        switch product.kind {
        case .nav:
            dates = navOrderDates(at: now)
        case .periodic:
            guard let start = product.windowStart, let end = product.windowEnd, let value = product.valueDate, start <= today, today <= end else {
                throw DomainError(.outsideSubscriptionWindow,
                                  "This product is subscribed from \(product.windowStart?.iso ?? "-") to \(product.windowEnd?.iso ?? "-"); today is \(today).",
                                  status: 422, extensions: ["window_start": .string(product.windowStart?.iso ?? ""),
                                                            "window_end": .string(product.windowEnd?.iso ?? "")])
            }
            dates = (today, value)
        }
        guard amountFen >= product.minimumFen else {
            throw DomainError(.belowMinimum, "The minimum subscription is \(Money.fen(product.minimumFen).formatted).", status: 422,
                              extensions: ["field": .string("amount_fen"), "minimum_fen": .int(product.minimumFen)])
        }
        guard amountFen <= WealthService.productOrderMaximumFen else {
            throw DomainError(.invalidAmount, "One subscription is at most \(Money.fen(WealthService.productOrderMaximumFen).formatted).", status: 422,
                              extensions: ["field": .string("amount_fen")])
        }
        let available = try await ledger.account(account.id)?.balance.availableCreditBalance ?? 0
        guard available >= amountFen else {
            throw DomainError(.insufficientFunds, "The account does not have enough available balance.", status: 422,
                              extensions: ["available_fen": .int(available)])
        }
        do {
            try await database.transaction { tx in
                let reserved = try await tx.execute(
                    "UPDATE wealth_products SET sold_fen = sold_fen + ? WHERE id = ? AND status = 'open' AND sold_fen + ? <= quota_fen",
                    [.int(amountFen), .id(product.id), .int(amountFen)])
                guard reserved == 1 else {
                    let current = try await tx.first("SELECT \(WealthService.productColumns) FROM wealth_products WHERE id = ?", [.id(product.id)])
                        .map { try WealthService.product($0) } ?? product
                    guard current.status == .open else { throw WealthService.notOnSale(current) }
                    throw DomainError(.quotaExceeded, "Only \(Money.fen(current.remainingQuotaFen).formatted) of this product's quota is left.", status: 422,
                                      extensions: ["field": .string("amount_fen"), "quota_fen": .int(current.quotaFen), "sold_fen": .int(current.soldFen),
                                                   "remaining_fen": .int(current.remainingQuotaFen)])
                }
                try await insertOrder(tx, id: id, customerID: customer.id, product: product, kind: .subscription, accountID: account.id,
                                      amountFen: amountFen, units: nil, dates: dates, key: key, hash: hash, at: now)
            }
        } catch let error as StorageError where error.kind == .uniqueViolation {
            if let existing = try await existingOrder(id, hash: hash, address: address) { return existing }
            throw error
        }
        return try await place(id, address: address)
    }

    /// Redeems `units` (hundredths) of a NAV product into the customer's Class I or II account,
    /// at the NAV of the confirmation day. The units are held at once. Idempotent on the key.
    public func redeem(_ principal: Principal, productID: RongID, accountID: RongID, units: Int64, idempotencyKey: String?,
                       address: String) async throws -> ProductOrder {
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        let customer = try await accounts.customer(of: principal)
        let id = RongID.derived("wealth.order", customer.id, key)
        let hash = Array("redemption|\(productID)|\(accountID)|\(units)".utf8)
        if let existing = try await existingOrder(id, hash: hash, address: address) { return existing }
        let product = try await requireProduct(productID)
        guard product.kind == .nav else {
            throw DomainError(.productNotRedeemable, "A periodic product is held to maturity: principal and income are paid back on \(product.maturityDate?.iso ?? "-").",
                              status: 422, extensions: ["maturity_date": .string(product.maturityDate?.iso ?? "")])
        }
        let account = try await payoutAccount(principal, id: accountID)
        guard units > 0 else {
            throw DomainError(.invalidAmount, "Redeem more than 0 units.", status: 422, extensions: ["field": .string("units")])
        }
        let held = try await ledger.account(product.holdingAccountID(customerID: customer.id))?.balance.availableCreditBalance ?? 0
        guard units <= held else {
            throw DomainError(.insufficientUnits, "You can redeem at most \(ProductMath.unitsText(held)) units of this product.", status: 422,
                              extensions: ["field": .string("units"), "available_units": .int(held)])
        }
        let now = clock.now()
        let dates = navOrderDates(at: now)
        do {
            try await database.transaction { tx in
                try await insertOrder(tx, id: id, customerID: customer.id, product: product, kind: .redemption, accountID: account.id,
                                      amountFen: nil, units: units, dates: dates, key: key, hash: hash, at: now)
            }
        } catch let error as StorageError where error.kind == .uniqueViolation {
            if let existing = try await existingOrder(id, hash: hash, address: address) { return existing }
            throw error
        }
        return try await place(id, address: address)
    }

    /// An own Class I or II account that is not closed: redemptions pay in (a frozen account receives).
    func payoutAccount(_ principal: Principal, id: RongID) async throws -> EAccount {
        let account = try await accounts.accountView(principal, id: id).account
        guard account.accountClass != .classIII else {
            throw DomainError(.accountClassNotAllowed, "A Class III account cannot hold wealth products; use a Class I or II account.", status: 422,
                              extensions: ["account_class": .string(account.accountClass.rawValue)])
        }
        guard account.status != "closed" else { throw DomainError(.accountClosed, "The account is closed.", status: 422) }
        return account
    }

    private func insertOrder(_ tx: any SQLSession, id: RongID, customerID: RongID, product: WealthProduct, kind: ProductOrder.Kind, accountID: RongID,
                             amountFen: Int64?, units: Int64?, dates: (trade: BusinessDate, confirm: BusinessDate), key: String, hash: [UInt8],
                             at now: Timestamp) async throws {
        try await tx.execute(
            """
            INSERT INTO wealth_orders (id, customer_id, product_id, kind, account_id, amount_fen, units, trade_date, confirm_date, status,
                idempotency_key, request_hash, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'placing', ?, ?, ?)
            """,
            [.id(id), .id(customerID), .id(product.id), .text(kind.rawValue), .id(accountID), .int(amountFen), .int(units), .date(dates.trade),
             .date(dates.confirm), .text(key), .blob(hash), .time(now)])
    }

    /// The order under this key: the same request answers it (finishing one left `placing`);
    /// another request under the key is a conflict.
    private func existingOrder(_ id: RongID, hash: [UInt8], address: String) async throws -> ProductOrder? {
        guard let row = try await database.first("SELECT request_hash, status FROM wealth_orders WHERE id = ?", [.id(id)]) else { return nil }
        guard case .blob(let stored) = row["request_hash"], stored == hash else {
            throw DomainError(.idempotencyConflict, "This Idempotency-Key was used with a different request.", status: 409)
        }
        if row.text("status") == ProductOrder.Status.placing.rawValue { return try await place(id, address: address) }
        return try await order(id: id)
    }

    /// Places the hold of a `placing` order: accepted when the ledger holds it, removed (with its
    /// quota given back) when the ledger refuses. The hold's fields derive from the order row, so
    /// a retry submits the identical transfer.
    func place(_ id: RongID, address: String) async throws -> ProductOrder {
        guard let order = try await order(id: id) else { throw DomainError.notFound("Order") }
        guard order.status == .placing else { return order }
        let product = try await requireProduct(order.productID)
        let holdID = WealthService.holdID(order.id)
        var refusal: TransferStatus?
        if try await ledger.transfer(holdID) == nil {
            let result = try await ledger.submit([holdRequest(order, product)])[0]
            if !result.isSuccess, try await ledger.transfer(holdID) == nil { refusal = result.status }
        }
        if let refusal {
            try await database.transaction { tx in
                let removed = try await tx.execute("DELETE FROM wealth_orders WHERE id = ? AND status = 'placing'", [.id(order.id)])
                if removed == 1, order.kind == .subscription { try await releaseQuota(tx, order) }
            }
            throw WealthService.holdRefusal(refusal, order.kind)
        }
        try await database.transaction { tx in
            let accepted = try await tx.execute("UPDATE wealth_orders SET status = 'accepted' WHERE id = ? AND status = 'placing'", [.id(order.id)])
            if accepted == 1 {
                let what = order.kind == .subscription ? Money.fen(order.amountFen ?? 0).formatted : "\(ProductMath.unitsText(order.units ?? 0)) units"
                try await identity.audit.record(tx, actor: "customer:\(order.customerID)", action: "wealth.order.\(order.kind.rawValue)",
                                                target: "order:\(order.id)", address: address, detail: "\(product.code) \(what)")
            }
        }
        return try await self.order(id: order.id)!
    }

    private func holdRequest(_ order: ProductOrder, _ product: WealthProduct) -> TransferRequest {
        switch order.kind {
        case .subscription:
            // A periodic hold lives until 15 days after the value date (at most the ledger's 30 days).
            var timeout = WealthService.productHoldSeconds
            if product.kind == .periodic, let value = product.valueDate {
                let until = value.adding(days: 15).startInstant.secondsSinceEpoch - order.createdAt.secondsSinceEpoch
                timeout = min(max(until, 86_400), LedgerLimits.pendingTimeoutSecondsMax)
            }
            return TransferRequest(id: WealthService.holdID(order.id), debitAccountID: order.accountID, creditAccountID: product.custodyAccountID,
                                   amount: order.amountFen, asset: Asset.cny.code, code: WealthTransferCode.productSubscription, flags: [.pending],
                                   timeoutSeconds: timeout, metadata: AccountsService.memo("购买理财 \(product.name)"))
        case .redemption:
            return TransferRequest(id: WealthService.holdID(order.id), debitAccountID: product.holdingAccountID(customerID: order.customerID),
                                   creditAccountID: product.issueAccountID, amount: order.units, asset: product.unitsAsset.code,
                                   code: WealthTransferCode.productRedemption, flags: [.pending], timeoutSeconds: WealthService.productHoldSeconds,
                                   metadata: AccountsService.memo("赎回理财 \(product.name)"))
        }
    }

    static func holdRefusal(_ status: TransferStatus, _ kind: ProductOrder.Kind) -> DomainError {
        switch status {
        case .exceedsCredits:
            kind == .subscription ? DomainError(.insufficientFunds, "The account does not have enough available balance.", status: 422)
                : DomainError(.insufficientUnits, "You do not hold that many units of this product.", status: 422, extensions: ["field": .string("units")])
        case .debitAccountClosed, .creditAccountClosed: DomainError(.accountClosed, "The account is closed.", status: 422)
        default: DomainError(.internalError, "The ledger refused the order (\(status.rawValue)).", status: 500)
        }
    }

    static func notOnSale(_ product: WealthProduct) -> DomainError {
        DomainError(.productNotOnSale, "This product is not on sale (it is \(product.status.rawValue)).", status: 422,
                    extensions: ["status": .string(product.status.rawValue)])
    }

    static func holdID(_ orderID: RongID) -> RongID { RongID.derived("wealth.order.hold", orderID) }

    private func releaseQuota(_ tx: any SQLSession, _ order: ProductOrder) async throws {
        guard let amount = order.amountFen else { return }
        try await tx.execute("UPDATE wealth_products SET sold_fen = sold_fen - ? WHERE id = ? AND sold_fen >= ?",
                             [.int(amount), .id(order.productID), .int(amount)])
    }

    // MARK: Reading

    /// The customer's orders, newest first.
    public func orders(_ principal: Principal, limit: Int = 50) async throws -> [ProductOrder] {
        let customer = try await accounts.customer(of: principal)
        return try await database.query(
            "SELECT \(WealthService.orderColumns) FROM \(WealthService.orderFrom) WHERE o.customer_id = ? ORDER BY o.created_at DESC, o.id DESC LIMIT ?",
            [.id(customer.id), .int(Int64(min(max(limit, 1), 200)))]).map { try WealthService.order($0) }
    }

    /// One of the customer's orders (another customer's answers 404).
    public func order(_ principal: Principal, id: RongID) async throws -> ProductOrder {
        let customer = try await accounts.customer(of: principal)
        guard let order = try await order(id: id), order.customerID == customer.id else { throw DomainError.notFound("Order") }
        return order
    }

    func order(id: RongID) async throws -> ProductOrder? {
        try await database.first("SELECT \(WealthService.orderColumns) FROM \(WealthService.orderFrom) WHERE o.id = ?", [.id(id)])
            .map { try WealthService.order($0) }
    }

    /// Orders of one product in a status, for the console (bounded).
    public func orderCounts(productID: RongID) async throws -> [(kind: ProductOrder.Kind, status: ProductOrder.Status, count: Int64, amountFen: Int64)] {
        try await database.query(
            "SELECT kind, status, COUNT(*) AS n, CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) AS amount FROM wealth_orders WHERE product_id = ? GROUP BY kind, status ORDER BY kind, status",
            [.id(productID)]).compactMap { row in
                guard let kind = ProductOrder.Kind(rawValue: row.text("kind")), let status = ProductOrder.Status(rawValue: row.text("status")) else { return nil }
                return (kind, status, row.int("n"), row.int("amount"))
            }
    }

    // MARK: End of day: NAV confirmations

    /// Confirms every accepted NAV order whose confirmation day is `date` or earlier and whose
    /// NAV is published: subscriptions first, then redemptions, oldest first. Orders without a
    /// NAV wait; an order whose hold expired (no NAV for 15 days) fails and its money is back.
    public func confirmNAVOrders(for date: BusinessDate, batchSize: Int = 500) async throws -> ProductConfirmationReport {
        precondition((1...5_000).contains(batchSize))
        var confirmed = 0, failed = 0
        // Bounded: every pass moves each order it reads out of `accepted` (or throws).
        for _ in 0..<10_000 {
            let rows = try await database.query(
                """
                SELECT \(WealthService.orderColumns), n.nav_e4 AS confirm_nav FROM \(WealthService.orderFrom)
                JOIN wealth_product_navs n ON n.product_id = o.product_id AND n.nav_date = o.confirm_date
                WHERE o.status = 'accepted' AND p.kind = 'nav' AND o.confirm_date <= ?
                ORDER BY o.confirm_date, o.kind DESC, o.created_at, o.id LIMIT ?
                """, [.date(date), .int(Int64(batchSize))])
            if rows.isEmpty { break }
            for row in rows {
                let order = try WealthService.order(row)
                let product = try await requireProduct(order.productID)
                let nav = NetAssetValue(perUnitE4: row.int("confirm_nav"))
                let done = order.kind == .subscription ? try await confirmSubscription(order, product, nav: nav)
                    : try await confirmRedemption(order, product, nav: nav)
                if done { confirmed += 1 } else { failed += 1 }
            }
        }
        let waiting = try await database.first(
            """
            SELECT COUNT(*) AS n FROM \(WealthService.orderFrom)
            LEFT JOIN wealth_product_navs n ON n.product_id = o.product_id AND n.nav_date = o.confirm_date
            WHERE o.status = 'accepted' AND p.kind = 'nav' AND o.confirm_date <= ? AND n.nav_e4 IS NULL
            """, [.date(date)])?.int("n") ?? 0
        return ProductConfirmationReport(confirmed: confirmed, failed: failed, waiting: Int(waiting))
    }

    /// Posts the held money into custody and issues floor(amount × 10,000 ÷ NAV) hundredths of a unit.
    private func confirmSubscription(_ order: ProductOrder, _ product: WealthProduct, nav: NetAssetValue) async throws -> Bool {
        let units = ProductMath.units(forFen: order.amountFen ?? 0, at: nav)
        guard units > 0 else {
            _ = try await ledger.submit([TransferRequest(id: RongID.derived("wealth.order.void", order.id), code: WealthTransferCode.productSubscription,
                                                         flags: [.voidPending], pendingID: WealthService.holdID(order.id))])
            try await markFailed(order, code: "amount_below_one_hundredth_unit")
            return false
        }
        return try await issueUnits(order, product, units: units, nav: nav)
    }

    /// Posts a subscription's hold and issues its units, linked; `false` when the hold is gone (the order fails).
    private func issueUnits(_ order: ProductOrder, _ product: WealthProduct, units: Int64, nav: NetAssetValue) async throws -> Bool {
        let holdingID = product.holdingAccountID(customerID: order.customerID)
        try await ledger.createAccount(NewAccount(id: holdingID, asset: product.unitsAsset, chartCode: WealthChart.productUnitHoldings,
                                                  ownerRef: "customer:\(order.customerID)", flags: [.debitsMustNotExceedCredits]))
        let results = try await ledger.submit([
            TransferRequest(id: RongID.derived("wealth.order.post", order.id), code: WealthTransferCode.productSubscription, flags: [.postPending, .linked],
                            pendingID: WealthService.holdID(order.id), metadata: AccountsService.memo("购买理财 \(product.name)")),
            .posted(id: RongID.derived("wealth.order.units", order.id), from: product.issueAccountID, to: holdingID, amount: units,
                    asset: product.unitsAsset, code: WealthTransferCode.productUnits, metadata: AccountsService.memo("份额确认 \(product.code)")),
        ])
        if results.allSatisfy(\.isSuccess) {
            try await database.execute(
                "UPDATE wealth_orders SET status = 'confirmed', units = ?, nav_e4 = ?, completed_at = ? WHERE id = ? AND status = 'accepted'",
                [.int(units), .int(nav.perUnitE4), .time(clock.now()), .id(order.id)])
            return true
        }
        if WealthService.holdIsGone(results[0].status) {
            try await markFailed(order, code: "hold_expired")
            return false
        }
        throw DomainError(.internalError, "The ledger refused confirming order \(order.id): \(results.map(\.status.rawValue)).", status: 500)
    }

    /// Posts the held units back to the issue account and pays floor(units × NAV ÷ 10,000) fen
    /// from custody, linked. Records the average cost of the units redeemed.
    private func confirmRedemption(_ order: ProductOrder, _ product: WealthProduct, nav: NetAssetValue) async throws -> Bool {
        let units = order.units ?? 0
        let cash = ProductMath.cashFen(forUnits: units, at: nav)
        let position = try await position(customerID: order.customerID, productID: product.id)
        let cost = position.units <= units ? position.costFen
            : Int64(Int128(max(position.costFen, 0)) * Int128(units) / Int128(max(position.units, 1)))
        var transfers = [TransferRequest(id: RongID.derived("wealth.order.post", order.id), code: WealthTransferCode.productRedemption,
                                         flags: cash > 0 ? [.postPending, .linked] : [.postPending], pendingID: WealthService.holdID(order.id),
                                         metadata: AccountsService.memo("赎回理财 \(product.name)"))]
        if cash > 0 {
            transfers.append(.posted(id: RongID.derived("wealth.order.cash", order.id), from: product.custodyAccountID, to: order.accountID, amount: cash,
                                     code: WealthTransferCode.productRedemption, metadata: AccountsService.memo("赎回理财 \(product.name)")))
        }
        let results = try await ledger.submit(transfers)
        if results.allSatisfy(\.isSuccess) {
            try await database.execute(
                "UPDATE wealth_orders SET status = 'confirmed', amount_fen = ?, nav_e4 = ?, cost_fen = ?, completed_at = ? WHERE id = ? AND status = 'accepted'",
                [.int(cash), .int(nav.perUnitE4), .int(cost), .time(clock.now()), .id(order.id)])
            return true
        }
        if WealthService.holdIsGone(results[0].status) {
            try await markFailed(order, code: "hold_expired")
            return false
        }
        if results.last?.status == .creditAccountClosed {
            // The account closed since: the units go back to the customer.
            _ = try await ledger.submit([TransferRequest(id: RongID.derived("wealth.order.void", order.id), code: WealthTransferCode.productRedemption,
                                                         flags: [.voidPending], pendingID: WealthService.holdID(order.id))])
            try await markFailed(order, code: ErrorCode.accountClosed.rawValue)
            return false
        }
        throw DomainError(.internalError, "The ledger refused confirming order \(order.id): \(results.map(\.status.rawValue)).", status: 500)
    }

    static func holdIsGone(_ status: TransferStatus) -> Bool {
        [.pendingTransferExpired, .pendingTransferAlreadyVoided, .pendingTransferNotFound].contains(status)
    }

    private func markFailed(_ order: ProductOrder, code: String) async throws {
        try await database.transaction { tx in
            let changed = try await tx.execute("UPDATE wealth_orders SET status = 'failed', failure_code = ?, completed_at = ? WHERE id = ? AND status = 'accepted'",
                                               [.text(code), .time(clock.now()), .id(order.id)])
            if changed == 1, order.kind == .subscription { try await releaseQuota(tx, order) }
        }
    }

    /// Units and cost of a customer's confirmed orders in a product: subscriptions add their units
    /// and amount, redemptions take away their units and the cost recorded when confirmed.
    func position(customerID: RongID, productID: RongID) async throws -> (units: Int64, costFen: Int64) {
        let row = try await database.first(
            """
            SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'subscription' THEN units ELSE -units END), 0) AS BIGINT) AS units,
                   CAST(COALESCE(SUM(CASE WHEN kind = 'subscription' THEN amount_fen ELSE -cost_fen END), 0) AS BIGINT) AS cost
            FROM wealth_orders WHERE customer_id = ? AND product_id = ? AND status = 'confirmed'
            """, [.id(customerID), .id(productID)])
        return (row?.int("units") ?? 0, row?.int("cost") ?? 0)
    }

    // MARK: End of day: periodic products

    /// Value dates on the day after `date` (the run is after midnight, on that day) or earlier:
    /// every accepted subscription's hold is posted and its units issued at ¥1 (hundredths of a
    /// unit = fen); the product is then `established`.
    public func establishPeriodicProducts(for date: BusinessDate) async throws -> PeriodicRunReport {
        let processingDay = date.adding(days: 1)
        let rows = try await database.query(
            "SELECT \(WealthService.productColumns) FROM wealth_products WHERE kind = 'periodic' AND status IN ('open', 'closed') AND value_date <= ? ORDER BY value_date, code LIMIT 100",
            [.date(processingDay)])
        var orders = 0, failed = 0
        var amount: Int64 = 0
        for row in rows {
            let product = try WealthService.product(row)
            for _ in 0..<10_000 {
                let due = try await database.query("SELECT \(WealthService.orderColumns) FROM \(WealthService.orderFrom) WHERE o.product_id = ? AND o.status = 'accepted' ORDER BY o.id LIMIT 500",
                                                   [.id(product.id)]).map { try WealthService.order($0) }
                if due.isEmpty { break }
                for order in due {
                    let fen = order.amountFen ?? 0
                    if try await issueUnits(order, product, units: fen, nav: .par) {
                        orders += 1
                        amount += fen
                    } else {
                        failed += 1
                    }
                }
            }
            try await database.execute("UPDATE wealth_products SET status = 'established' WHERE id = ? AND status IN ('open', 'closed')", [.id(product.id)])
        }
        return PeriodicRunReport(products: rows.count, orders: orders, amountFen: amount, failed: failed)
    }

    /// Maturities on the day after `date` or earlier: each confirmed subscription's units are
    /// retired and principal + principal × yield × term days ÷ 365 (half up) paid to its account,
    /// linked. A closed account is refused and retried by the next run; a product is `matured`
    /// once every order is paid.
    public func payPeriodicMaturities(for date: BusinessDate) async throws -> PeriodicRunReport {
        let processingDay = date.adding(days: 1)
        let rows = try await database.query(
            "SELECT \(WealthService.productColumns) FROM wealth_products WHERE kind = 'periodic' AND status = 'established' AND maturity_date <= ? ORDER BY maturity_date, code LIMIT 100",
            [.date(processingDay)])
        var paid = 0, refused = 0
        var paidFen: Int64 = 0
        for row in rows {
            let product = try WealthService.product(row)
            guard let yield = product.expectedYield, let term = product.termDays else { continue }
            var after = RongID.zero
            var productRefused = 0
            for _ in 0..<10_000 {
                let due = try await database.query(
                    "SELECT \(WealthService.orderColumns) FROM \(WealthService.orderFrom) WHERE o.product_id = ? AND o.status = 'confirmed' AND o.id > ? ORDER BY o.id LIMIT 500",
                    [.id(product.id), .id(after)]).map { try WealthService.order($0) }
                guard let last = due.last else { break }
                after = last.id
                for order in due {
                    let principalFen = order.amountFen ?? 0
                    let interest = ProductMath.periodicInterestFen(principalFen: principalFen, yield: yield, termDays: term)
                    var transfers: [TransferRequest] = [
                        .posted(id: RongID.derived("wealth.order.retire", order.id), from: product.holdingAccountID(customerID: order.customerID),
                                to: product.issueAccountID, amount: order.units ?? principalFen, asset: product.unitsAsset, code: WealthTransferCode.productPayout,
                                linked: true, metadata: AccountsService.memo("理财到期 \(product.code)")),
                        .posted(id: RongID.derived("wealth.order.principal", order.id), from: product.custodyAccountID, to: order.accountID, amount: principalFen,
                                code: WealthTransferCode.productPayout, linked: interest > 0, metadata: AccountsService.memo("理财到期本金 \(product.name)")),
                    ]
                    if interest > 0 {
                        transfers.append(.posted(id: RongID.derived("wealth.order.income", order.id), from: product.incomeAccountID, to: order.accountID,
                                                 amount: interest, code: WealthTransferCode.productPayout, metadata: AccountsService.memo("理财到期收益 \(product.name)")))
                    }
                    let results = try await ledger.submit(transfers)
                    guard results.allSatisfy(\.isSuccess) else {
                        if results.contains(where: { $0.status == .creditAccountClosed }) {
                            logger.warning("matured product cannot pay a closed account", metadata: ["order": "\(order.id)"])
                            productRefused += 1
                            continue
                        }
                        throw DomainError(.internalError, "The ledger refused paying order \(order.id): \(results.map(\.status.rawValue)).", status: 500)
                    }
                    try await database.execute(
                        "UPDATE wealth_orders SET status = 'matured', payout_fen = ?, interest_fen = ?, completed_at = ? WHERE id = ? AND status = 'confirmed'",
                        [.int(principalFen + interest), .int(interest), .time(clock.now()), .id(order.id)])
                    paid += 1
                    paidFen += principalFen + interest
                }
            }
            refused += productRefused
            if productRefused == 0 {
                try await database.execute("UPDATE wealth_products SET status = 'matured' WHERE id = ? AND status = 'established'", [.id(product.id)])
            }
        }
        return PeriodicRunReport(products: rows.count, orders: paid, amountFen: paidFen, failed: refused)
    }

    /// Orders a crash left `placing` for over a minute: accepted when the ledger holds them,
    /// removed (quota given back) when it does not. Returns how many were resolved.
    public func resolvePlacingOrders(limit: Int = 1000) async throws -> Int {
        let rows = try await database.query(
            "SELECT \(WealthService.orderColumns) FROM \(WealthService.orderFrom) WHERE o.status = 'placing' AND o.created_at <= ? ORDER BY o.created_at LIMIT ?",
            [.time(clock.now().adding(seconds: -WealthService.placingResolveSeconds)), .int(Int64(limit))])
        for row in rows {
            let order = try WealthService.order(row)
            let held = try await ledger.transfer(WealthService.holdID(order.id)) != nil
            try await database.transaction { tx in
                if held {
                    try await tx.execute("UPDATE wealth_orders SET status = 'accepted' WHERE id = ? AND status = 'placing'", [.id(order.id)])
                } else {
                    let removed = try await tx.execute("DELETE FROM wealth_orders WHERE id = ? AND status = 'placing'", [.id(order.id)])
                    if removed == 1, order.kind == .subscription { try await releaseQuota(tx, order) }
                }
            }
        }
        return rows.count
    }

    // MARK: Rows

    static func order(_ row: SQLRow) throws -> ProductOrder {
        ProductOrder(
            id: row.id("id"), customerID: row.id("customer_id"), productID: row.id("product_id"), productCode: row.text("code"),
            productName: row.text("name"), productNameEnglish: row.text("name_en"),
            kind: ProductOrder.Kind(rawValue: row.text("kind")) ?? .subscription, accountID: row.id("account_id"),
            amountFen: row.optionalInt("amount_fen"), units: row.optionalInt("units"), tradeDate: try BusinessDate(iso: row.text("trade_date")),
            confirmDate: try BusinessDate(iso: row.text("confirm_date")), nav: row.optionalInt("nav_e4").map(NetAssetValue.init(perUnitE4:)),
            costFen: row.optionalInt("cost_fen"), payoutFen: row.optionalInt("payout_fen"), interestFen: row.optionalInt("interest_fen"),
            status: ProductOrder.Status(rawValue: row.text("status")) ?? .failed, failureCode: row.optionalText("failure_code"),
            createdAt: row.time("created_at"), completedAt: row.optionalInt("completed_at").map(Timestamp.init(nanosecondsSinceEpoch:)))
    }
}
