import Accounts
import BankKit
import Foundation
import Identity
import Ledger
import Storage
import Testing
import Wealth

/// Wealth products and suitability: T+1 dates across weekends and holidays with the 15:00
/// cut-off, the suitability matrix, risk profiles (missing, expired, renewed), quota, window and
/// minimum, NAV confirmations of subscriptions and redemptions, periodic payout at maturity, and
/// end-of-day re-runs. Refusals write nothing; every scenario ends with the ledger invariant.
@Suite("Wealth products", .serialized) struct WealthProductTests {
    static let address = "127.0.0.1"

    /// Answers scoring each level: all A = 10 (C1), all B = 20 (C2), 5 B + 5 C = 25 (C3), all C = 30 (C4), all D = 40 (C5).
    static let answers: [RiskTolerance: [String]] = [
        .c1: Array(repeating: "A", count: 10), .c2: Array(repeating: "B", count: 10),
        .c3: Array(repeating: "B", count: 5) + Array(repeating: "C", count: 5), .c4: Array(repeating: "C", count: 10),
        .c5: Array(repeating: "D", count: 10),
    ]

    // MARK: Helpers

    func at(_ t: TestPlatform, _ shanghai: String) throws { t.clock.set(try Timestamp(rfc3339: shanghai + "+08:00")) }
    func day(_ text: String) throws -> BusinessDate { try BusinessDate(iso: text) }

    /// A registered customer with a Class I account holding `cashFen` and, when `level` is given, a risk profile at that level.
    /// Demand interest credited to `account` (statement lines of that code).
    func demandInterestPaid(_ t: TestPlatform, _ account: EAccount) async throws -> Int64 {
        try await t.accounts.statement(of: account, cursor: nil, limit: 200).lines
            .filter { $0.code == WealthTransferCode.demandInterest }.reduce(0) { $0 + $1.amountFen }
    }

    func investor(_ t: TestPlatform, _ n: Int, level: RiskTolerance?, cashFen: Int64 = 100_000_00) async throws -> (principal: Principal, account: EAccount) {
        let (customer, session) = try await t.register(name: "投资者", idNumber: ResidentIDs.make(birth: "19850101", sequence: 100 + n),
                                                       mobile: "1370000" + String(format: "%04d", n))
        let account = try await t.accounts.openClassIAccount(by: t.operatorPrincipal, customerID: customer.id, cashDepositFen: cashFen,
                                                             idempotencyKey: "counter-\(n)", address: WealthProductTests.address)
        if let level {
            let profile = try await t.platform.wealth.assessRiskProfile(session.principal, answers: WealthProductTests.answers[level]!, address: WealthProductTests.address)
            #expect(profile.level == level)
        }
        return (session.principal, account)
    }

    func navProduct(_ t: TestPlatform, _ code: String, risk: ProductRisk = .r2, minimumFen: Int64 = 1_00, quotaFen: Int64 = 10_000_000_00) async throws -> WealthProduct {
        try await t.platform.wealth.createProduct(by: t.operatorPrincipal, ProductDraft(code: code, name: "测试净值\(code)", nameEnglish: "NAV \(code)", kind: .nav,
                                                                                        risk: risk, minimumFen: minimumFen, quotaFen: quotaFen),
                                                  address: WealthProductTests.address)
    }

    func publish(_ t: TestPlatform, _ product: WealthProduct, _ date: String, _ nav: String) async throws {
        _ = try await t.platform.wealth.publishNAV(by: t.operatorPrincipal, productID: product.id, date: try day(date), nav: try NetAssetValue.parse(nav),
                                                   address: WealthProductTests.address)
    }

    func balance(_ t: TestPlatform, _ id: RongID) async throws -> AccountBalance {
        try await t.ledger.account(id)?.balance ?? AccountBalance()
    }

    /// What a refusal must leave unchanged: orders, ledger transfers and holds, quota sold, NAVs, risk profiles.
    func footprint(_ t: TestPlatform) async throws -> [Int64] {
        let db = t.platform.database
        var counts: [Int64] = []
        for sql in ["SELECT COUNT(*) AS n FROM wealth_orders", "SELECT COUNT(*) AS n FROM ledger_transfers",
                    "SELECT COUNT(*) AS n FROM ledger_pending WHERE state = 0", "SELECT CAST(COALESCE(SUM(sold_fen), 0) AS BIGINT) AS n FROM wealth_products",
                    "SELECT COUNT(*) AS n FROM wealth_product_navs", "SELECT COUNT(*) AS n FROM wealth_risk_profiles"] {
            counts.append(try await db.first(sql)?.int("n") ?? -1)
        }
        return counts
    }

    /// Every account's balances and every order's state, to prove a re-run changes nothing.
    func ledgerState(_ t: TestPlatform) async throws -> String {
        let db = t.platform.database
        let accounts = try await db.query("SELECT num, debits_pending, debits_posted, credits_pending, credits_posted FROM ledger_accounts ORDER BY num")
            .map { "\($0.int("num")):\($0.int("debits_pending")),\($0.int("debits_posted")),\($0.int("credits_pending")),\($0.int("credits_posted"))" }
        let orders = try await db.query("SELECT id, status, units, amount_fen FROM wealth_orders ORDER BY id")
            .map { "\($0.id("id")):\($0.text("status")):\($0.optionalInt("units") ?? -1):\($0.optionalInt("amount_fen") ?? -1)" }
        let transfers = try await db.first("SELECT COUNT(*) AS n FROM ledger_transfers")?.int("n") ?? -1
        return "\(transfers)|" + (accounts + orders).joined(separator: ";")
    }

    /// Runs every product step of `date` again, bypassing the journal: nothing may move.
    func rerunProductSteps(_ t: TestPlatform, _ date: BusinessDate) async throws {
        let before = try await ledgerState(t)
        let wealth = t.platform.wealth
        _ = try await wealth.resolvePlacingOrders()
        let established = try await wealth.establishPeriodicProducts(for: date)
        let confirmed = try await wealth.confirmNAVOrders(for: date)
        let matured = try await wealth.payPeriodicMaturities(for: date)
        #expect(established.orders == 0 && confirmed.confirmed == 0 && confirmed.failed == 0 && matured.orders == 0)
        #expect(try await ledgerState(t) == before, "re-running \(date) changed something")
    }

    /// Expects `body` to throw `code` and to leave the footprint unchanged.
    @discardableResult
    func expectRefusal(_ code: ErrorCode, _ t: TestPlatform, _ body: () async throws -> Void) async throws -> DomainError? {
        let before = try await footprint(t)
        do {
            try await body()
            Issue.record("expected \(code.rawValue), but it was accepted")
            return nil
        } catch let error as DomainError {
            #expect(error.code == code, "expected \(code.rawValue), got \(error)")
            #expect(try await footprint(t) == before, "refused with \(error.code.rawValue) but something was written")
            return error
        }
    }

    // MARK: Arithmetic

    @Test("Units and cash in integers: floor(amount × 10,000 ÷ NAV) hundredths, floor(units × NAV ÷ 10,000) fen")
    func unitArithmetic() throws {
        // ¥1,000.00 at 1.0234: 100,000 × 10,000 ÷ 10,234 = 97,713.5… → 97,713 hundredths (977.13 units).
        #expect(ProductMath.units(forFen: 100_000, at: NetAssetValue(perUnitE4: 10_234)) == 97_713)
        // Back at the same NAV: 97,713 × 10,234 ÷ 10,000 = 99,999.48… → 99,999 fen; the fen of rounding stays in the product.
        #expect(ProductMath.cashFen(forUnits: 97_713, at: NetAssetValue(perUnitE4: 10_234)) == 99_999)
        // At par a fen buys a hundredth of a unit, and the largest order fits in 64 bits.
        #expect(ProductMath.units(forFen: 1, at: .par) == 1)
        #expect(ProductMath.units(forFen: WealthService.productOrderMaximumFen, at: NetAssetValue(perUnitE4: 1)) == 10_000_000_000_000)
        #expect(ProductMath.cashFen(forUnits: 1, at: NetAssetValue(perUnitE4: 9_999)) == 0)
        #expect(try NetAssetValue.parse("1.0234").perUnitE4 == 10_234)
        #expect(try NetAssetValue.parse("1").text == "1.0000")
        for bad in ["0", "1.23456", "-1", "1000.0001", "abc", ""] {
            #expect(throws: DomainError.self, "\(bad)") { try NetAssetValue.parse(bad) }
        }
        #expect(ProductMath.unitsText(97_713) == "977.13")
        #expect(try ProductMath.parseUnits("500") == 50_000)
        #expect(throws: DomainError.self) { try ProductMath.parseUnits("1.234") }
        // Periodic income over 365 days, half up:
        // 1,234,567 × 3.10% × 91 ÷ 365 = 9,541.68… → 9,542; 3,000,000 × 3.10% × 91 ÷ 365 = 23,186.30… → 23,186.
        #expect(ProductMath.periodicInterestFen(principalFen: 1_234_567, yield: AnnualRate(micros: 31_000), termDays: 91) == 9_542)
        #expect(ProductMath.periodicInterestFen(principalFen: 3_000_000, yield: AnnualRate(micros: 31_000), termDays: 91) == 23_186)
        // The units asset of a product is a ledger asset of its own.
        #expect(Asset.named("WP_RW001") == Asset.productUnits("RW001"))
        #expect(Asset.named("WP_rw001") == nil && Asset.named("WP_") == nil && Asset.named("WP_A") == nil)
        #expect(Money(minorUnits: 97_713, asset: .productUnits("RW001")).formatted == "977.13 份")
    }

    // MARK: Dates

    @Test("T+1 across weekends and holidays, with the 15:00 Asia/Shanghai cut-off (BusinessCalendar.china)")
    func tradeAndConfirmationDates() throws {
        let cases: [(at: String, trade: String, confirm: String, why: String)] = [
            ("2026-11-23T10:00:00", "2026-11-23", "2026-11-24", "Monday morning: T is today, T+1 Tuesday"),
            ("2026-11-23T14:59:59", "2026-11-23", "2026-11-24", "one second before the cut-off"),
            ("2026-11-23T15:00:00", "2026-11-24", "2026-11-25", "at 15:00 the order counts for the next business day"),
            ("2026-11-27T14:00:00", "2026-11-27", "2026-11-30", "Friday before 15:00: confirmed Monday"),
            ("2026-11-27T16:00:00", "2026-11-30", "2026-12-01", "Friday after 15:00: trades Monday, confirmed Tuesday"),
            ("2026-11-28T10:00:00", "2026-11-30", "2026-12-01", "Saturday: trades Monday"),
            ("2026-09-24T16:00:00", "2026-09-28", "2026-09-29", "Thursday after 15:00 before the Mid-Autumn holiday (25–27 Sep)"),
            ("2026-09-20T10:00:00", "2026-09-20", "2026-09-21", "Sunday 20 Sep 2026 is a make-up working day"),
            ("2026-09-30T16:00:00", "2026-10-08", "2026-10-09", "National Day: 1–7 Oct off"),
            ("2026-02-13T15:30:00", "2026-02-14", "2026-02-24", "Friday after 15:00: Saturday 14 Feb is a make-up day, then Spring Festival 15–23 Feb"),
            ("2026-02-14T16:00:00", "2026-02-24", "2026-02-25", "the make-up Saturday after 15:00"),
        ]
        for item in cases {
            let dates = WealthService.navOrderDates(at: try Timestamp(rfc3339: item.at + "+08:00"), calendar: .china)
            #expect(dates.trade.iso == item.trade, "\(item.why)")
            #expect(dates.confirm.iso == item.confirm, "\(item.why)")
        }
    }

    // MARK: Suitability

    @Test("Suitability matrix C1–C5 × R1–R5: Cn buys R1 … Rn; a refusal names both levels and writes nothing")
    func suitabilityMatrix() async throws {
        // The rule itself, every cell.
        for level in RiskTolerance.allCases {
            let profile = RiskProfile(id: .zero, customerID: .zero, level: level, score: 0, answers: [], assessedOn: try day("2026-11-23"),
                                      expiresOn: try day("2027-11-23"), createdAt: Timestamp(secondsSinceEpoch: 0))
            for risk in ProductRisk.allCases {
                let result = Suitability.check(profile, risk: risk, on: try day("2026-11-23"))
                #expect(result.isSuitable == (risk.rawValue <= level.rawValue), "\(level.code) × \(risk.code)")
            }
        }
        // And through the service: five customers, five products, 25 orders of ¥100.
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        var products: [WealthProduct] = []
        for risk in ProductRisk.allCases { products.append(try await navProduct(t, "M\(risk.code)", risk: risk)) }
        var accepted = 0
        for level in RiskTolerance.allCases {
            let (principal, account) = try await investor(t, level.rawValue, level: level)
            for product in products {
                let order = { () async throws -> Void in
                    _ = try await wealth.subscribe(principal, productID: product.id, accountID: account.id, amountFen: 100_00,
                                                   idempotencyKey: "m-\(product.code)", address: WealthProductTests.address)
                }
                if product.risk.rawValue <= level.rawValue {
                    try await order()
                    accepted += 1
                } else {
                    let error = try await expectRefusal(.suitabilityMismatch, t, order)
                    #expect(error?.extensions["customer_level"] == .string(level.code))
                    #expect(error?.extensions["product_risk"] == .string(product.risk.code))
                    #expect(error?.status == 422)
                }
            }
            // The money held is exactly the accepted orders'.
            #expect(try await balance(t, account.id).debitsPending == Int64(level.rawValue) * 100_00)
        }
        #expect(accepted == 15)
        #expect(try await t.platform.database.first("SELECT COUNT(*) AS n FROM wealth_orders WHERE status = 'accepted'")?.int("n") == 15)
        try await t.finish()
    }

    @Test("A missing profile must be taken, an expired one renewed; the profile is valid one year")
    func missingAndExpiredProfiles() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let product = try await navProduct(t, "RW002", risk: .r3)
        let (principal, account) = try await investor(t, 1, level: nil)
        func buy(_ key: String) async throws { _ = try await wealth.subscribe(principal, productID: product.id, accountID: account.id, amountFen: 1_000_00,
                                                                            idempotencyKey: key, address: WealthProductTests.address) }
        #expect(try await wealth.riskProfile(principal) == nil)
        try await expectRefusal(.riskProfileRequired, t) { try await buy("p1") }
        #expect(try await wealth.suitability(principal, product: product).refusal == .riskProfileRequired)

        // Incomplete or wrong answers are refused and record nothing.
        try await expectRefusal(.invalidRequest, t) { _ = try await wealth.assessRiskProfile(principal, answers: ["A"], address: "test") }
        let bad = try await expectRefusal(.invalidRequest, t) {
            _ = try await wealth.assessRiskProfile(principal, answers: ["A", "B", "C", "Z", "A", "A", "A", "A", "A", "A"], address: "test")
        }
        #expect(bad?.extensions["field"] == .string("q4"))

        let profile = try await wealth.assessRiskProfile(principal, answers: WealthProductTests.answers[.c3]!, address: "test")
        #expect(profile.level == .c3 && profile.score == 25)
        #expect(profile.assessedOn.iso == "2026-11-23" && profile.expiresOn.iso == "2027-11-23")
        try await buy("p2")

        // The last day of the year the profile still holds; on its expiry date it does not.
        try at(t, "2027-11-22T10:00:00")
        try await buy("p3")
        try at(t, "2027-11-23T10:00:00")
        let expired = try await expectRefusal(.riskProfileExpired, t) { try await buy("p4") }
        #expect(expired?.extensions["expires_on"] == .string("2027-11-23"))

        // Renewed: buying works again. At most three assessments a day.
        _ = try await wealth.assessRiskProfile(principal, answers: WealthProductTests.answers[.c4]!, address: "test")
        try await buy("p5")
        _ = try await wealth.assessRiskProfile(principal, answers: WealthProductTests.answers[.c4]!, address: "test")
        _ = try await wealth.assessRiskProfile(principal, answers: WealthProductTests.answers[.c4]!, address: "test")
        try await expectRefusal(.limitExceeded, t) {
            _ = try await wealth.assessRiskProfile(principal, answers: WealthProductTests.answers[.c5]!, address: "test")
        }
        #expect(try await wealth.riskProfile(principal)?.level == .c4)
        try await t.finish()
    }

    // MARK: Bad input

    @Test("Quota, window, minimum, unknown product, funds, idempotency: a clear code and nothing written")
    func refusalsWriteNothing() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let product = try await navProduct(t, "RQ001", risk: .r2, minimumFen: 1_000_00, quotaFen: 10_000_00)
        let (principal, account) = try await investor(t, 1, level: .c3, cashFen: 20_000_00)
        func buy(_ amountFen: Int64, _ key: String, product id: RongID? = nil) async throws -> ProductOrder {
            try await wealth.subscribe(principal, productID: id ?? product.id, accountID: account.id, amountFen: amountFen, idempotencyKey: key,
                                       address: WealthProductTests.address)
        }
        let below = try await expectRefusal(.belowMinimum, t) { _ = try await buy(999_99, "q0") }
        #expect(below?.extensions["minimum_fen"] == .int(1_000_00))
        try await expectRefusal(.notFound, t) { _ = try await buy(1_000_00, "q0", product: RongID.derived("no such product")) }
        try await expectRefusal(.invalidRequest, t) { _ = try await buy(1_000_00, "") }

        let first = try await buy(8_000_00, "q1")
        #expect(first.status == .accepted && first.tradeDate.iso == "2026-11-23" && first.confirmDate.iso == "2026-11-24")
        let over = try await expectRefusal(.quotaExceeded, t) { _ = try await buy(3_000_00, "q2") }
        #expect(over?.extensions["remaining_fen"] == .int(2_000_00))
        // The same key and body answer the same order; another body under the key is a conflict.
        #expect(try await buy(8_000_00, "q1").id == first.id)
        let reused = try await expectRefusal(.idempotencyConflict, t) { _ = try await buy(2_000_00, "q1") }
        #expect(reused?.status == 409)
        // Exactly the quota passes.
        _ = try await buy(2_000_00, "q3")
        #expect(try await wealth.requireProduct(product.id).soldFen == 10_000_00)
        try await expectRefusal(.quotaExceeded, t) { _ = try await buy(1_000_00, "q4") }

        // More than the account holds: refused before the quota is touched.
        let big = try await navProduct(t, "RQ002", risk: .r1)
        try await expectRefusal(.insufficientFunds, t) { _ = try await buy(10_000_01, "q5", product: big.id) }

        // Periodic: only inside the window [2026-11-24, 2026-11-30]; never redeemable.
        let periodic = try await wealth.createProduct(by: t.operatorPrincipal, ProductDraft(
            code: "RP001", name: "测试期次", nameEnglish: "Periodic", kind: .periodic, risk: .r3, minimumFen: 100_00, quotaFen: 1_000_000_00,
            windowStart: try day("2026-11-24"), windowEnd: try day("2026-11-30"), termDays: 91, expectedYield: AnnualRate(micros: 31_000)), address: "test")
        #expect(periodic.valueDate?.iso == "2026-12-01" && periodic.maturityDate?.iso == "2027-03-02")
        let early = try await expectRefusal(.outsideSubscriptionWindow, t) { _ = try await buy(100_00, "w1", product: periodic.id) }
        #expect(early?.extensions["window_start"] == .string("2026-11-24"))
        try at(t, "2026-11-30T23:59:59")
        let inside = try await buy(100_00, "w2", product: periodic.id)
        #expect(inside.confirmDate.iso == "2026-12-01")
        try at(t, "2026-12-01T00:00:00")
        try await expectRefusal(.outsideSubscriptionWindow, t) { _ = try await buy(100_00, "w3", product: periodic.id) }
        try await expectRefusal(.productNotRedeemable, t) {
            _ = try await wealth.redeem(principal, productID: periodic.id, accountID: account.id, units: 100, idempotencyKey: "r1", address: "test")
        }
        // Closed products sell nothing.
        _ = try await wealth.closeProduct(by: t.operatorPrincipal, id: big.id, address: "test")
        try await expectRefusal(.productNotOnSale, t) { _ = try await buy(100_00, "c1", product: big.id) }
        // Operators only; product codes are unique and well-formed.
        try await expectRefusal(.forbidden, t) {
            _ = try await wealth.createProduct(by: principal, ProductDraft(code: "RX001", name: "客户建的", nameEnglish: "X", kind: .nav, risk: .r1,
                                                                            minimumFen: 1, quotaFen: 1), address: "test")
        }
        try await expectRefusal(.productCodeTaken, t) { _ = try await navProduct(t, "RQ001") }
        try await expectRefusal(.invalidRequest, t) { _ = try await navProduct(t, "rq-1") }
        try await t.finish()
    }

    @Test("NAV publishing: business days up to today, final once published; missing NAVs keep orders waiting")
    func navPublishing() async throws {
        let t = try await TestPlatform.make(at: "2026-11-30T20:00:00")
        let wealth = t.platform.wealth
        let product = try await navProduct(t, "RN001")
        let saturday = try await expectRefusal(.notABusinessDay, t) { try await publish(t, product, "2026-11-28", "1.0010") }
        #expect(saturday?.extensions["date"] == .string("2026-11-28"))
        try await expectRefusal(.notABusinessDay, t) { try await publish(t, product, "2026-10-01", "1.0010") }
        try await expectRefusal(.invalidDate, t) { try await publish(t, product, "2026-12-01", "1.0010") }
        try await expectRefusal(.invalidNAV, t) { try await publish(t, product, "2026-11-27", "0.00001") }
        try await expectRefusal(.forbidden, t) {
            _ = try await wealth.publishNAV(by: Principal(userID: .zero, role: .accountManager, sessionID: .zero, displayName: "x"), productID: product.id,
                                            date: try day("2026-11-27"), nav: .par, address: "test")
        }
        try await expectRefusal(.notFound, t) {
            _ = try await wealth.publishNAV(by: t.operatorPrincipal, productID: RongID.derived("none"), date: try day("2026-11-27"), nav: .par, address: "test")
        }
        try await publish(t, product, "2026-11-27", "1.0010")
        try await publish(t, product, "2026-11-27", "1.0010")
        let changed = try await expectRefusal(.navAlreadyPublished, t) { try await publish(t, product, "2026-11-27", "1.0020") }
        #expect(changed?.status == 409)
        #expect(try await wealth.latestNAV(product.id)?.nav.text == "1.0010")

        // An order of Monday evening confirms on Wednesday; without Wednesday's NAV it waits.
        let (principal, account) = try await investor(t, 1, level: .c2)
        let order = try await wealth.subscribe(principal, productID: product.id, accountID: account.id, amountFen: 500_00, idempotencyKey: "n1", address: "test")
        #expect(order.tradeDate.iso == "2026-12-01" && order.confirmDate.iso == "2026-12-02")
        try at(t, "2026-12-03T00:05:00")
        let waiting = try await wealth.confirmNAVOrders(for: try day("2026-12-02"))
        #expect(waiting.confirmed == 0 && waiting.waiting == 1)
        #expect(try await wealth.order(principal, id: order.id).status == .accepted)
        try await publish(t, product, "2026-12-02", "1.0000")
        let done = try await wealth.confirmNAVOrders(for: try day("2026-12-03"))
        #expect(done.confirmed == 1 && done.waiting == 0)
        #expect(try await wealth.order(principal, id: order.id).units == 50_000)
        try await rerunProductSteps(t, try day("2026-12-03"))
        try await t.finish()
    }

    // MARK: NAV confirmations

    @Test("Subscribe, confirm at the NAV of T+1, redeem part, confirm at its NAV; holdings value, cost and income")
    func navSubscriptionAndRedemption() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let product = try await navProduct(t, "RW001")
        let (principal, account) = try await investor(t, 1, level: .c2, cashFen: 5_000_00)

        // Monday 10:00: ¥1,000.00, trade Monday, confirmed Tuesday at Tuesday's NAV. The money is held, not moved.
        let order = try await wealth.subscribe(principal, productID: product.id, accountID: account.id, amountFen: 1_000_00, idempotencyKey: "s1", address: "test")
        #expect(order.status == .accepted && order.confirmDate.iso == "2026-11-24")
        var cash = try await balance(t, account.id)
        #expect(cash.postedCreditBalance == 5_000_00 && cash.availableCreditBalance == 4_000_00)
        #expect(try await wealth.holdings(principal).first?.pendingSubscriptionFen == 1_000_00)

        // Monday's NAV does not price it; the end of Monday confirms nothing.
        try at(t, "2026-11-23T20:00:00")
        try await publish(t, product, "2026-11-23", "1.0100")
        try at(t, "2026-11-24T00:05:00")
        let monday = try await wealth.confirmNAVOrders(for: try day("2026-11-23"))
        #expect(monday.confirmed == 0 && monday.waiting == 0)

        // Tuesday's NAV 1.0234: 100,000 × 10,000 ÷ 10,234 = 97,713 hundredths (977.13 units).
        try at(t, "2026-11-24T20:00:00")
        try await publish(t, product, "2026-11-24", "1.0234")
        try at(t, "2026-11-25T00:05:00")
        let tuesday = try await wealth.confirmNAVOrders(for: try day("2026-11-24"))
        #expect(tuesday.confirmed == 1)
        let confirmed = try await wealth.order(principal, id: order.id)
        #expect(confirmed.status == .confirmed && confirmed.units == 97_713 && confirmed.nav?.text == "1.0234")
        #expect(try await balance(t, product.holdingAccountID(customerID: confirmed.customerID)).postedCreditBalance == 97_713)
        #expect(try await balance(t, product.custodyAccountID).postedCreditBalance == 1_000_00)
        cash = try await balance(t, account.id)
        #expect(cash.postedCreditBalance == 4_000_00 && cash.debitsPending == 0)
        try await rerunProductSteps(t, try day("2026-11-24"))

        // Wednesday: redeem 500.00 units; more than held is refused and writes nothing.
        try at(t, "2026-11-25T10:00:00")
        let over = try await expectRefusal(.insufficientUnits, t) {
            _ = try await wealth.redeem(principal, productID: product.id, accountID: account.id, units: 97_714, idempotencyKey: "r0", address: "test")
        }
        #expect(over?.extensions["available_units"] == .int(97_713))
        let redemption = try await wealth.redeem(principal, productID: product.id, accountID: account.id, units: 50_000, idempotencyKey: "r1", address: "test")
        #expect(redemption.tradeDate.iso == "2026-11-25" && redemption.confirmDate.iso == "2026-11-26")
        // The units are held: redeeming more than the rest is refused.
        try await expectRefusal(.insufficientUnits, t) {
            _ = try await wealth.redeem(principal, productID: product.id, accountID: account.id, units: 47_714, idempotencyKey: "r2", address: "test")
        }
        // Thursday's NAV 1.0300: 50,000 × 10,300 ÷ 10,000 = 51,500 fen. Cost released: 100,000 × 50,000 ÷ 97,713 = 51,170.
        try at(t, "2026-11-26T20:00:00")
        try await publish(t, product, "2026-11-26", "1.0300")
        try at(t, "2026-11-27T00:05:00")
        #expect(try await wealth.confirmNAVOrders(for: try day("2026-11-26")).confirmed == 1)
        let paid = try await wealth.order(principal, id: redemption.id)
        #expect(paid.status == .confirmed && paid.amountFen == 51_500 && paid.costFen == 51_170)
        #expect(try await balance(t, account.id).postedCreditBalance == 4_000_00 + 51_500)
        // Holding: 47,713 hundredths worth 47,713 × 10,300 ÷ 10,000 = 49,144 fen; cost 100,000 − 51,170 = 48,830; income 314; realised 51,500 − 51,170 = 330.
        let holding = try #require(try await wealth.holdings(principal).first)
        #expect(holding.units == 47_713 && holding.marketValueFen == 49_144 && holding.costFen == 48_830)
        #expect(holding.incomeFen == 314 && holding.realisedIncomeFen == 330 && holding.pendingSubscriptionFen == 0)
        try await rerunProductSteps(t, try day("2026-11-26"))
        #expect(try await wealth.orders(principal).count == 2)
        try await t.finish()
    }

    @Test("An order placed Friday after 15:00 trades Monday and is confirmed Tuesday at Tuesday's NAV; across National Day, at 9 Oct's")
    func confirmationAcrossWeekendAndHoliday() async throws {
        let t = try await TestPlatform.make(at: "2026-09-30T16:00:00")
        let wealth = t.platform.wealth
        let product = try await navProduct(t, "RH001")
        let (principal, account) = try await investor(t, 1, level: .c2)
        let holiday = try await wealth.subscribe(principal, productID: product.id, accountID: account.id, amountFen: 1_000_00, idempotencyKey: "h1", address: "test")
        #expect(holiday.tradeDate.iso == "2026-10-08" && holiday.confirmDate.iso == "2026-10-09")
        try at(t, "2026-10-08T20:00:00")
        try await publish(t, product, "2026-10-08", "1.0500")
        try at(t, "2026-10-09T20:00:00")
        try await publish(t, product, "2026-10-09", "1.0000")
        try at(t, "2026-10-10T00:05:00")
        #expect(try await wealth.confirmNAVOrders(for: try day("2026-10-08")).confirmed == 0)
        #expect(try await wealth.confirmNAVOrders(for: try day("2026-10-09")).confirmed == 1)
        #expect(try await wealth.order(principal, id: holiday.id).units == 100_000, "priced at 9 Oct's NAV 1.0000, not 8 Oct's")

        try at(t, "2026-11-27T16:00:00")
        let friday = try await wealth.subscribe(principal, productID: product.id, accountID: account.id, amountFen: 2_000_00, idempotencyKey: "f1", address: "test")
        #expect(friday.tradeDate.iso == "2026-11-30" && friday.confirmDate.iso == "2026-12-01")
        try at(t, "2026-11-30T20:00:00")
        try await publish(t, product, "2026-11-30", "1.2500")
        try at(t, "2026-12-01T00:05:00")
        #expect(try await wealth.confirmNAVOrders(for: try day("2026-11-30")).confirmed == 0)
        try at(t, "2026-12-01T20:00:00")
        try await publish(t, product, "2026-12-01", "0.8000")
        try at(t, "2026-12-02T00:05:00")
        _ = try await t.platform.endOfDay.run(date: try day("2026-12-01"))
        // 200,000 × 10,000 ÷ 8,000 = 250,000 hundredths.
        #expect(try await wealth.order(principal, id: friday.id).units == 250_000)
        try await rerunProductSteps(t, try day("2026-12-01"))
        try await t.finish()
    }

    @Test("A hold that outlives its 15 days without a NAV is released: the order fails and its quota comes back")
    func expiredHoldFailsTheOrder() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let product = try await navProduct(t, "RE001", quotaFen: 1_000_00)
        let (principal, account) = try await investor(t, 1, level: .c2)
        let order = try await wealth.subscribe(principal, productID: product.id, accountID: account.id, amountFen: 1_000_00, idempotencyKey: "e1", address: "test")
        try at(t, "2026-12-09T00:05:00")
        _ = try await t.platform.endOfDay.run(date: try day("2026-12-08"))
        try at(t, "2026-12-09T20:00:00")
        try await publish(t, product, "2026-11-24", "1.0000")
        try at(t, "2026-12-10T00:05:00")
        let report = try await wealth.confirmNAVOrders(for: try day("2026-12-09"))
        #expect(report.failed == 1 && report.confirmed == 0)
        let failed = try await wealth.order(principal, id: order.id)
        #expect(failed.status == .failed && failed.failureCode == "hold_expired")
        #expect(try await balance(t, account.id).availableCreditBalance == 100_000_00)
        #expect(try await wealth.requireProduct(product.id).soldFen == 0)
        try await rerunProductSteps(t, try day("2026-12-09"))
        try await t.finish()
    }

    // MARK: Periodic products

    @Test("Periodic: units at ¥1 on the value date, principal + principal × yield × days ÷ 365 (half up) at maturity; re-runs move nothing")
    func periodicPayout() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let product = try await wealth.createProduct(by: t.operatorPrincipal, ProductDraft(
            code: "RQ2601", name: "融e享期次", nameEnglish: "Periodic", kind: .periodic, risk: .r3, minimumFen: 1_000_00, quotaFen: 10_000_000_00,
            windowStart: try day("2026-11-23"), windowEnd: try day("2026-11-27"), termDays: 91, expectedYield: AnnualRate(micros: 31_000)), address: "test")
        #expect(product.valueDate?.iso == "2026-11-28" && product.maturityDate?.iso == "2027-02-27")
        let (first, firstAccount) = try await investor(t, 1, level: .c3)
        let (second, secondAccount) = try await investor(t, 2, level: .c4)
        let a = try await wealth.subscribe(first, productID: product.id, accountID: firstAccount.id, amountFen: 12_345_67, idempotencyKey: "a", address: "test")
        try at(t, "2026-11-27T22:00:00")
        let b = try await wealth.subscribe(second, productID: product.id, accountID: secondAccount.id, amountFen: 30_000_00, idempotencyKey: "b", address: "test")
        #expect(a.confirmDate.iso == "2026-11-28" && b.tradeDate.iso == "2026-11-27")

        // The run after the window's last day (00:05 on the value date) establishes the product.
        try at(t, "2026-11-28T00:05:00")
        let report = try await t.platform.endOfDay.run(date: try day("2026-11-27"))
        #expect(report.steps.first { $0.name == "wealth.product-value-dates" }?.summary.contains("2 subscriptions") == true)
        #expect(try await wealth.requireProduct(product.id).status == .established)
        #expect(try await wealth.order(first, id: a.id).units == 1_234_567)
        #expect(try await balance(t, product.custodyAccountID).postedCreditBalance == 1_234_567 + 3_000_000)
        let holding = try #require(try await wealth.holdings(first).first)
        // Expected at maturity: 1,234,567 + 9,542 (9,541.68… rounded half up).
        #expect(holding.units == 1_234_567 && holding.marketValueFen == 1_234_567 && holding.expectedPayoutFen == 1_234_567 + 9_542)
        try await rerunProductSteps(t, try day("2026-11-27"))

        // Nothing before maturity.
        try at(t, "2027-02-26T00:05:00")
        #expect(try await wealth.payPeriodicMaturities(for: try day("2027-02-25")).orders == 0)

        // Maturity 2027-02-27: the run of the 26th pays.
        // 1,234,567 × 3.10% × 91 ÷ 365 = 9,541.68… → 9,542 fen; 3,000,000 × 3.10% × 91 ÷ 365 = 23,186.30… → 23,186 fen.
        try at(t, "2027-02-27T00:05:00")
        _ = try await t.platform.endOfDay.run(date: try day("2027-02-26"))
        let paidA = try await wealth.order(first, id: a.id)
        let paidB = try await wealth.order(second, id: b.id)
        #expect(paidA.status == .matured && paidA.interestFen == 9_542 && paidA.payoutFen == 1_234_567 + 9_542)
        #expect(paidB.status == .matured && paidB.interestFen == 23_186 && paidB.payoutFen == 3_000_000 + 23_186)
        // The accounts also earned demand interest meanwhile (the quarter settled on 20 December).
        #expect(try await balance(t, firstAccount.id).postedCreditBalance == 100_000_00 + 9_542 + (try await demandInterestPaid(t, firstAccount)))
        #expect(try await balance(t, secondAccount.id).postedCreditBalance == 100_000_00 + 23_186 + (try await demandInterestPaid(t, secondAccount)))
        #expect(try await balance(t, product.holdingAccountID(customerID: paidA.customerID)).postedCreditBalance == 0)
        #expect(try await balance(t, product.issueAccountID).postedCreditBalance == 0, "every unit retired")
        #expect(try await balance(t, product.custodyAccountID).postedCreditBalance == 0)
        #expect(try await balance(t, product.incomeAccountID).postedCreditBalance == -(9_542 + 23_186))
        #expect(try await wealth.requireProduct(product.id).status == .matured)
        #expect(try await wealth.holdings(first).isEmpty)
        try await rerunProductSteps(t, try day("2027-02-26"))
        let again = try await t.platform.endOfDay.run(date: try day("2027-02-26"))
        #expect(again.steps.allSatisfy { $0.outcome == .skippedAlreadyDone })
        try await t.finish()
    }

    @Test("An order left half-placed by a crash is finished by a retry or removed by end-of-day")
    func placingOrdersResolve() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let product = try await navProduct(t, "RC001", quotaFen: 5_000_00)
        let (principal, account) = try await investor(t, 1, level: .c2)
        let order = try await wealth.subscribe(principal, productID: product.id, accountID: account.id, amountFen: 1_000_00, idempotencyKey: "k1", address: "test")
        // Simulate a crash after the row (and its quota) but before the hold: a second order's row, no hold.
        let db = t.platform.database
        let customerID = order.customerID
        let ghost = RongID.derived("wealth.order", customerID, "k2")
        try await db.transaction { tx in
            try await tx.execute("UPDATE wealth_products SET sold_fen = sold_fen + 2000 WHERE id = ?", [.id(product.id)])
            try await tx.execute(
                """
                INSERT INTO wealth_orders (id, customer_id, product_id, kind, account_id, amount_fen, trade_date, confirm_date, status, idempotency_key, request_hash, created_at)
                VALUES (?, ?, ?, 'subscription', ?, 2000, '2026-11-23', '2026-11-24', 'placing', 'k2', ?, ?)
                """, [.id(ghost), .id(customerID), .id(product.id), .id(account.id), .blob(Array("subscription|\(product.id)|\(account.id)|2000".utf8)),
                      .time(t.clock.now)])
        }
        // A retry with the same key and body finishes it.
        let retried = try await wealth.subscribe(principal, productID: product.id, accountID: account.id, amountFen: 2000, idempotencyKey: "k2", address: "test")
        #expect(retried.id == ghost && retried.status == .accepted)
        #expect(try await balance(t, account.id).debitsPending == 1_000_00 + 2000)
        // Another crash, never retried: end-of-day removes it and gives the quota back.
        let orphan = RongID.derived("wealth.order", customerID, "k3")
        try await db.transaction { tx in
            try await tx.execute("UPDATE wealth_products SET sold_fen = sold_fen + 3000 WHERE id = ?", [.id(product.id)])
            try await tx.execute(
                """
                INSERT INTO wealth_orders (id, customer_id, product_id, kind, account_id, amount_fen, trade_date, confirm_date, status, idempotency_key, request_hash, created_at)
                VALUES (?, ?, ?, 'subscription', ?, 3000, '2026-11-23', '2026-11-24', 'placing', 'k3', ?, ?)
                """, [.id(orphan), .id(customerID), .id(product.id), .id(account.id), .blob(Array("x".utf8)), .time(t.clock.now)])
        }
        t.clock.advance(seconds: 120)
        #expect(try await wealth.resolvePlacingOrders() == 1)
        #expect(try await wealth.requireProduct(product.id).soldFen == 1_000_00 + 2000)
        #expect(try await db.first("SELECT COUNT(*) AS n FROM wealth_orders WHERE id = ?", [.id(orphan)])?.int("n") == 0)
        try await t.finish()
    }
}
