import Accounts
import BankKit
import Foundation
import Identity
import Ledger
import Storage

/// The catalogue: operators create and close products and publish NAVs; customers read the
/// products with their latest NAV and the NAV history.
///
/// A product's units are a ledger asset of their own (`WP_<CODE>`, 0.01 unit): an issue account
/// (3901) they come from, one holding account per customer (3902, never below zero). Its money
/// sits in a custody account (2901); a periodic product's yield comes from an income account (6422).
extension WealthService {
    /// A subscription or redemption is at most ¥10,000,000.00.
    public static let productOrderMaximumFen: Int64 = 10_000_000_00
    public static let productQuotaMaximumFen: Int64 = 100_000_000_000_00
    /// A periodic product's window is at most 14 days, so its holds (which must outlive the
    /// value date by the 15 days a NAV hold gets) stay within the ledger's 30-day limit.
    public static let periodicWindowDaysMax = 14
    public static let periodicTermDays = 1...1830
    public static let productsListMax = 200
    public static let navHistoryMax = 366
    static let productColumns = """
        id, code, name, name_en, kind, risk, minimum_fen, quota_fen, sold_fen, window_start, window_end, value_date, maturity_date, term_days,
        yield_micros, status, created_at
        """

    // MARK: Operators

    /// Creates a product and its ledger accounts. The id derives from the code (unique), so the
    /// accounts exist before the row: a crash in between leaves nothing half-made.
    public func createProduct(by staff: Principal, _ draft: ProductDraft, address: String) async throws -> WealthProduct {
        try WealthService.requireOperator(staff)
        let draft = try validate(draft)
        let id = RongID.derived("wealth.product", draft.code)
        if try await database.first("SELECT id FROM wealth_products WHERE code = ?", [.text(draft.code)]) != nil {
            throw WealthService.codeTaken(draft.code)
        }
        var ledgerAccounts = [
            NewAccount(id: WealthProduct.issueAccountID(id), asset: .productUnits(draft.code), chartCode: WealthChart.productUnitsIssued,
                       ownerRef: "product:\(draft.code)"),
            NewAccount(id: RongID.derived("wealth.product.custody", id), asset: .cny, chartCode: WealthChart.productCustody, ownerRef: "product:\(draft.code)"),
        ]
        if draft.kind == .periodic {
            ledgerAccounts.append(NewAccount(id: RongID.derived("wealth.product.income", id), asset: .cny, chartCode: WealthChart.productIncome,
                                             ownerRef: "product:\(draft.code)"))
        }
        for status in try await ledger.createAccounts(ledgerAccounts) where status != .ok && status != .exists {
            throw DomainError(.internalError, "The ledger refused the product's accounts (\(status.rawValue)).", status: 500)
        }
        let valueDate = draft.windowEnd?.adding(days: 1)
        let maturity = valueDate.flatMap { date in draft.termDays.map { date.adding(days: $0) } }
        do {
            try await database.transaction { tx in
                try await tx.execute(
                    """
                    INSERT INTO wealth_products (id, code, name, name_en, kind, risk, minimum_fen, quota_fen, sold_fen, window_start, window_end,
                        value_date, maturity_date, term_days, yield_micros, status, created_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, 'open', ?, ?)
                    """,
                    [.id(id), .text(draft.code), .text(draft.name), .text(draft.nameEnglish), .text(draft.kind.rawValue), .int(Int64(draft.risk.rawValue)),
                     .int(draft.minimumFen), .int(draft.quotaFen), draft.windowStart.map { .date($0) } ?? .null, draft.windowEnd.map { .date($0) } ?? .null,
                     valueDate.map { .date($0) } ?? .null, maturity.map { .date($0) } ?? .null, .int(draft.termDays.map { Int64($0) }),
                     .int(draft.expectedYield?.micros), .text(staff.actorRef), .time(clock.now())])
                try await identity.audit.record(tx, actor: staff.actorRef, action: "wealth.product.create", target: "product:\(draft.code)", address: address,
                                                detail: "\(draft.kind.rawValue) \(draft.risk.code) quota \(Money.fen(draft.quotaFen).formatted)")
            }
        } catch let error as StorageError where error.kind == .uniqueViolation {
            throw WealthService.codeTaken(draft.code)
        }
        return try await requireProduct(id)
    }

    /// Stops sales of a product (orders already accepted go on to confirmation).
    public func closeProduct(by staff: Principal, id: RongID, address: String) async throws -> WealthProduct {
        try WealthService.requireOperator(staff)
        let product = try await requireProduct(id)
        guard product.status == .open else {
            throw DomainError(.productNotOnSale, "The product is not on sale (it is \(product.status.rawValue)).", status: 422)
        }
        try await database.transaction { tx in
            try await tx.execute("UPDATE wealth_products SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'", [.time(clock.now()), .id(id)])
            try await identity.audit.record(tx, actor: staff.actorRef, action: "wealth.product.close", target: "product:\(product.code)", address: address)
        }
        return try await requireProduct(id)
    }

    /// Publishes the NAV of a NAV product for a business day up to today. A NAV is final:
    /// publishing the same value again answers it; another value is refused (orders may
    /// already be confirmed at it).
    public func publishNAV(by staff: Principal, productID: RongID, date: BusinessDate, nav: NetAssetValue, address: String) async throws -> ProductNAV {
        try WealthService.requireOperator(staff)
        let product = try await requireProduct(productID)
        guard product.kind == .nav else {
            throw DomainError(.invalidRequest, "A periodic product has no NAV: its units are ¥1.00 until maturity.", status: 422,
                              extensions: ["field": .string("product")])
        }
        guard NetAssetValue.publishable.contains(nav.perUnitE4) else {
            throw DomainError(.invalidNAV, "A NAV is from 0.0001 to 1000.0000 yuan per unit.", status: 422, extensions: ["field": .string("nav")])
        }
        guard calendar.isBusinessDay(date) else {
            throw DomainError(.notABusinessDay, "\(date) is not a business day: NAVs are published for business days only.", status: 422,
                              extensions: ["field": .string("date"), "date": .string(date.iso)])
        }
        guard date <= today else {
            throw DomainError(.invalidDate, "A NAV is published on or after its day; \(date) is after today (\(today)).", status: 422,
                              extensions: ["field": .string("date")])
        }
        if let existing = try await navRecord(productID, on: date) {
            guard existing.nav == nav else {
                throw DomainError(.navAlreadyPublished, "The NAV of \(date) is already published (\(existing.nav)); a published NAV is final.", status: 409,
                                  extensions: ["nav": .string(existing.nav.text)])
            }
            return existing
        }
        let now = clock.now()
        try await database.transaction { tx in
            try await tx.execute(
                "INSERT INTO wealth_product_navs (product_id, nav_date, nav_e4, published_by, published_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [.id(productID), .date(date), .int(nav.perUnitE4), .text(staff.actorRef), .time(now)])
            try await identity.audit.record(tx, actor: staff.actorRef, action: "wealth.nav.publish", target: "product:\(product.code)", address: address,
                                            detail: "\(date) \(nav)")
        }
        guard let stored = try await navRecord(productID, on: date), stored.nav == nav else {
            throw DomainError(.navAlreadyPublished, "The NAV of \(date) was published at the same moment with another value.", status: 409)
        }
        return stored
    }

    // MARK: Reading

    /// The catalogue with each product's latest NAV: on sale first, then the rest (matured last).
    public func products(includeEnded: Bool = true) async throws -> [ProductListing] {
        let filter = includeEnded ? "" : "WHERE status IN ('open', 'established')"
        let rows = try await database.query(
            """
            SELECT \(WealthService.productColumns) FROM wealth_products \(filter)
            ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'established' THEN 1 WHEN 'closed' THEN 2 ELSE 3 END, risk, code LIMIT ?
            """, [.int(WealthService.productsListMax)])
        var listings: [ProductListing] = []
        for row in rows {
            let product = try WealthService.product(row)
            listings.append(ProductListing(product: product, latestNAV: try await latestNAV(product.id)))
        }
        return listings
    }

    public func product(id: RongID) async throws -> WealthProduct? {
        try await database.first("SELECT \(WealthService.productColumns) FROM wealth_products WHERE id = ?", [.id(id)]).map { try WealthService.product($0) }
    }

    /// The product, or `not_found`.
    public func requireProduct(_ id: RongID) async throws -> WealthProduct {
        guard let product = try await product(id: id) else { throw DomainError.notFound("Product") }
        return product
    }

    public func product(code: String) async throws -> WealthProduct? {
        try await database.first("SELECT \(WealthService.productColumns) FROM wealth_products WHERE code = ?", [.text(code)]).map { try WealthService.product($0) }
    }

    /// The newest NAV published for the product.
    public func latestNAV(_ productID: RongID) async throws -> ProductNAV? {
        try await database.first(
            "SELECT product_id, nav_date, nav_e4, published_by, published_at FROM wealth_product_navs WHERE product_id = ? ORDER BY nav_date DESC LIMIT 1",
            [.id(productID)]).map(WealthService.navRecord)
    }

    /// NAVs newest first.
    public func navHistory(_ productID: RongID, limit: Int = 30) async throws -> [ProductNAV] {
        try await database.query(
            "SELECT product_id, nav_date, nav_e4, published_by, published_at FROM wealth_product_navs WHERE product_id = ? ORDER BY nav_date DESC LIMIT ?",
            [.id(productID), .int(Int64(min(max(limit, 1), WealthService.navHistoryMax)))]).map(WealthService.navRecord)
    }

    /// The NAV of one day, if published.
    public func navRecord(_ productID: RongID, on date: BusinessDate) async throws -> ProductNAV? {
        try await database.first(
            "SELECT product_id, nav_date, nav_e4, published_by, published_at FROM wealth_product_navs WHERE product_id = ? AND nav_date = ?",
            [.id(productID), .date(date)]).map(WealthService.navRecord)
    }

    // MARK: Validation

    func validate(_ draft: ProductDraft) throws(DomainError) -> ProductDraft {
        func refuse(_ field: String, _ detail: String, code: ErrorCode = .invalidRequest) -> DomainError {
            DomainError(code, detail, status: 422, extensions: ["field": .string(field)])
        }
        var draft = draft
        draft.code = draft.code.trimmingCharacters(in: .whitespaces).uppercased()
        draft.name = draft.name.trimmingCharacters(in: .whitespacesAndNewlines)
        draft.nameEnglish = draft.nameEnglish.trimmingCharacters(in: .whitespacesAndNewlines)
        guard Asset.named(Asset.productUnitsPrefix + draft.code) != nil else {
            throw refuse("code", "A product code is 2–16 capital letters or digits, such as RW001.")
        }
        func validName(_ text: String) -> Bool {
            (2...40).contains(text.count) && !text.unicodeScalars.contains { $0.value < 0x20 || "<>\"&".unicodeScalars.contains($0) }
        }
        guard validName(draft.name) else { throw refuse("name", "A product name is 2–40 characters without < > \" & or control characters.") }
        if draft.nameEnglish.isEmpty { draft.nameEnglish = draft.code }
        guard validName(draft.nameEnglish) else { throw refuse("name_en", "An English name is 2–40 characters without < > \" & or control characters.") }
        guard draft.minimumFen >= 1, draft.minimumFen <= WealthService.productOrderMaximumFen else {
            throw refuse("minimum_fen", "The minimum is from ¥0.01 to \(Money.fen(WealthService.productOrderMaximumFen).formatted).", code: .invalidAmount)
        }
        guard draft.quotaFen >= draft.minimumFen, draft.quotaFen <= WealthService.productQuotaMaximumFen else {
            throw refuse("quota_fen", "The quota is at least the minimum and at most \(Money.fen(WealthService.productQuotaMaximumFen).formatted).", code: .invalidAmount)
        }
        switch draft.kind {
        case .nav:
            guard draft.windowStart == nil, draft.windowEnd == nil, draft.termDays == nil, draft.expectedYield == nil else {
                throw refuse("kind", "A NAV product has no window, term or expected yield.")
            }
        case .periodic:
            guard let start = draft.windowStart, let end = draft.windowEnd else {
                throw refuse("window_start", "A periodic product needs a subscription window (window_start, window_end).")
            }
            guard start >= today else { throw refuse("window_start", "The window starts today or later.", code: .invalidDate) }
            guard end >= start, start.days(until: end) < WealthService.periodicWindowDaysMax else {
                throw refuse("window_end", "The window ends on or after its start and lasts at most \(WealthService.periodicWindowDaysMax) days.", code: .invalidDate)
            }
            guard let term = draft.termDays, WealthService.periodicTermDays.contains(term) else {
                throw refuse("term_days", "The term is 1–1,830 days from the value date.")
            }
            guard let yield = draft.expectedYield, AnnualRate.publishable.contains(yield.micros) else {
                throw refuse("expected_yield", "The expected yield is above 0% and at most 20%.", code: .invalidRate)
            }
        }
        return draft
    }

    static func requireOperator(_ principal: Principal) throws(DomainError) {
        try principal.requireOperator()
    }

    static func codeTaken(_ code: String) -> DomainError {
        DomainError(.productCodeTaken, "A product with code \(code) already exists.", status: 409, extensions: ["field": .string("code")])
    }

    // MARK: Rows

    static func product(_ row: SQLRow) throws -> WealthProduct {
        func date(_ name: String) throws -> BusinessDate? { try row.optionalText(name).map { try BusinessDate(iso: $0) } }
        return WealthProduct(
            id: row.id("id"), code: row.text("code"), name: row.text("name"), nameEnglish: row.text("name_en"),
            kind: WealthProduct.Kind(rawValue: row.text("kind")) ?? .nav, risk: ProductRisk(rawValue: Int(row.int("risk"))) ?? .r5,
            minimumFen: row.int("minimum_fen"), quotaFen: row.int("quota_fen"), soldFen: row.int("sold_fen"),
            windowStart: try date("window_start"), windowEnd: try date("window_end"), valueDate: try date("value_date"),
            maturityDate: try date("maturity_date"), termDays: row.optionalInt("term_days").map { Int($0) },
            expectedYield: row.optionalInt("yield_micros").map(AnnualRate.init(micros:)),
            status: WealthProduct.Status(rawValue: row.text("status")) ?? .closed, createdAt: row.time("created_at"))
    }

    static func navRecord(_ row: SQLRow) -> ProductNAV {
        ProductNAV(productID: row.id("product_id"), date: row.date("nav_date"), nav: NetAssetValue(perUnitE4: row.int("nav_e4")),
                   publishedBy: row.text("published_by"), publishedAt: row.time("published_at"))
    }
}
