import Accounts
import BankKit
import Identity
import Ledger
import Storage
import Testing
import Wealth

/// Deposits (DOMAIN.md §4): the interest formulas, the rate table, time deposits (整存整取) and
/// 节节高 (靠档计息) deposits. Demand interest and end-of-day are in `WealthDepositInterestTests`,
/// the 聚财宝 sweep in `WealthDepositSweepTests`. Expected amounts are worked by hand in the
/// comments: fen = principal × rate × days ÷ 360 (or × months ÷ 12), rounded half up once.
@Suite struct WealthDepositTests {
    // MARK: InterestMath (pure)

    /// One day of demand interest in micro-fen (1e-6 fen), truncated: balance × rate ÷ 360.
    @Test("Daily accrual: balance × rate ÷ 360 in micro-fen, truncated", arguments: [
        // ¥10,000 at 0.35%: 1,000,000 × 3,500 ÷ 360 = 9,722,222.2 → 9,722,222 (≈ ¥0.0097 a day).
        (Int64(1_000_000), Int64(3_500), Int64(9_722_222)),
        // 1 fen: 3,500 ÷ 360 = 9.72 → 9.
        (1, 3_500, 9),
        // ¥360 at 0.35%: 36,000 × 3,500 ÷ 360 = 350,000 exactly (0.35 fen).
        (36_000, 3_500, 350_000),
        // ¥15,000: 1,500,000 × 3,500 ÷ 360 = 14,583,333.3 → 14,583,333.
        (1_500_000, 3_500, 14_583_333),
        // Nothing on an empty or overdrawn balance.
        (0, 3_500, 0),
        (-1_000_000, 3_500, 0),
    ])
    func dailyAccrual(balanceFen: Int64, rateMicros: Int64, micros: Int64) {
        #expect(InterestMath.dailyAccrualMicros(balanceFen: balanceFen, rate: AnnualRate(micros: rateMicros)) == micros)
    }

    @Test("Micro-fen round half up to fen", arguments: [
        (Int64(0), Int64(0)), (499_999, 0), (500_000, 1), (999_999, 1), (1_000_000, 1), (1_499_999, 1), (1_500_000, 2),
        (272_222_216, 272), (80_500_000, 81), (-499_999, 0),
    ])
    func roundToFen(micros: Int64, fen: Int64) {
        #expect(InterestMath.roundToFen(micros: micros) == fen)
    }

    @Test("Interest for actual days on a 360-day (or 365-day) year, rounded half up", arguments: [
        // ¥10,000 × 0.35% × 30 ÷ 360 = ¥2.9166… → ¥2.92.
        (Int64(1_000_000), Int64(3_500), 30, 360, Int64(292)),
        // ¥1,000 × 0.35% × 6 ÷ 360 = ¥0.0583… → ¥0.06.
        (100_000, 3_500, 6, 360, 6),
        // ¥1,000 × 0.35% × 18 ÷ 360 = ¥0.175 exactly → half up → ¥0.18.
        (100_000, 3_500, 18, 360, 18),
        // ¥1,000 × 1.35% × 7 ÷ 360 = ¥0.2625 → ¥0.26.
        (100_000, 13_500, 7, 360, 26),
        // ¥10,000 × 1.35% × 7 ÷ 360 = ¥2.625 → half up → ¥2.63.
        (1_000_000, 13_500, 7, 360, 263),
        // ¥10,000 × 2.50% × 1 ÷ 365 = ¥0.6849… → ¥0.68 (fund yields are quoted over 365 days).
        (1_000_000, 25_000, 1, 365, 68),
        // No days, no principal: nothing.
        (1_000_000, 3_500, 0, 360, 0),
        (0, 3_500, 30, 360, 0),
    ])
    func interestForDays(principalFen: Int64, rateMicros: Int64, days: Int, basis: Int, fen: Int64) {
        #expect(InterestMath.interestFen(principalFen: principalFen, rate: AnnualRate(micros: rateMicros), days: days, basis: basis) == fen)
    }

    @Test("Term interest: principal × rate × months ÷ 12, rounded half up", arguments: [
        // ¥10,000 for 12 months at 1.50% = ¥150.00.
        (Int64(1_000_000), Int64(15_000), 12, Int64(15_000)),
        // ¥10,000 for 3 months at 1.10% = 10,000 × 1.1% × 3 ÷ 12 = ¥27.50.
        (1_000_000, 11_000, 3, 2_750),
        // ¥5,000 for 6 months at 1.30% = ¥32.50.
        (500_000, 13_000, 6, 3_250),
        // ¥10,000 for 36 months at 2.75% = ¥825.00.
        (1_000_000, 27_500, 36, 82_500),
        // ¥1.00 for a year at 1.50% = 1.5 fen → half up → 2 fen; at 1.10% = 1.1 fen → 1 fen.
        (100, 15_000, 12, 2),
        (100, 11_000, 12, 1),
        (1_000_000, 15_000, 0, 0),
    ])
    func termInterest(principalFen: Int64, rateMicros: Int64, months: Int, fen: Int64) {
        #expect(InterestMath.termInterestFen(principalFen: principalFen, rate: AnnualRate(micros: rateMicros), months: months) == fen)
    }

    /// The standard ladder: <7 days demand, 7 days the 7-day notice rate, 90/180/360 days the
    /// 3-month, 6-month and 1-year rates (30-day months).
    @Test("The tier reached: day 6 vs 7, 89 vs 90, 179 vs 180, 359 vs 360", arguments: [
        (0, RateProduct.demand), (6, .demand), (7, .notice7d), (89, .notice7d), (90, .time3m),
        (179, .time3m), (180, .time6m), (359, .time6m), (360, .time1y), (3_000, .time1y),
    ])
    func tierReached(days: Int, product: RateProduct) {
        #expect(DepositTier.reached(days, in: DepositTier.standard).product == product)
    }

    @Test("A ladder has 1–10 tiers, starts at 0 days and increases strictly")
    func ladderValidation() throws {
        try DepositTier.validate(DepositTier.standard)
        try DepositTier.validate([DepositTier(fromDays: 0, product: .demand)])
        let bad: [[DepositTier]] = [
            [],
            [DepositTier(fromDays: 1, product: .demand)],
            [DepositTier(fromDays: 0, product: .demand), DepositTier(fromDays: 7, product: .notice7d), DepositTier(fromDays: 7, product: .time3m)],
            [DepositTier(fromDays: 0, product: .demand), DepositTier(fromDays: 90, product: .time3m), DepositTier(fromDays: 7, product: .notice7d)],
            [DepositTier(fromDays: 0, product: .demand), DepositTier(fromDays: 3_651, product: .time5y)],
            (0..<11).map { DepositTier(fromDays: $0 * 10, product: .demand) },
        ]
        for ladder in bad {
            let error = #expect(throws: DomainError.self) { try DepositTier.validate(ladder) }
            #expect(error?.code == .invalidRequest)
        }
    }

    @Test("Demand interest settles on the 20th of March, June, September and December", arguments: [
        ("2026-12-20", true), ("2027-03-20", true), ("2027-06-20", true), ("2027-09-20", true),
        ("2026-12-21", false), ("2026-12-19", false), ("2027-01-20", false), ("2027-11-20", false), ("2028-02-20", false),
    ])
    func settlementDates(date: String, settles: Bool) {
        #expect(InterestMath.isDemandSettlementDate(WD.day(date)) == settles)
    }

    // MARK: AnnualRate

    @Test("Rates parse from a percentage with up to 4 decimals and print with at least 2", arguments: [
        ("0.35", Int64(3_500), "0.35"), ("1.5", 15_000, "1.50"), ("1.10", 11_000, "1.10"), ("2.75", 27_500, "2.75"),
        ("20", 200_000, "20.00"), ("0.0001", 1, "0.0001"), ("1.2345", 12_345, "1.2345"), ("0.1", 1_000, "0.10"),
    ])
    func parsePercent(text: String, micros: Int64, printed: String) throws {
        let rate = try AnnualRate.parsePercent(text)
        #expect(rate.micros == micros)
        #expect(rate.percentText == printed)
        #expect(rate.description == printed + "%")
    }

    @Test("Malformed rates are refused with invalid_rate", arguments: ["", "abc", "1.23456", "1,5", "1.5%", ".5", "1..5", "1."])
    func parsePercentRefused(text: String) {
        let error = #expect(throws: DomainError.self) { try AnnualRate.parsePercent(text) }
        #expect(error?.code == .invalidRate)
    }

    // MARK: The rate table

    @Test("The 2015-10-24 PBoC table is seeded and looked up by date")
    func seededRates() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let board = try await wealth.rateBoard(on: WD.day("2026-11-23"))
        let byProduct = Dictionary(uniqueKeysWithValues: board.map { ($0.product, $0.rate.micros) })
        // DOMAIN.md §4: demand 0.35%, 3m 1.10%, 6m 1.30%, 1y 1.50%, 2y 2.10%, 3y 2.75%; notice 1-day 0.80%,
        // 7-day 1.35%; 5y seeded at the 3-year rate; the sweep fund's own 2.50%.
        #expect(byProduct == [.demand: 3_500, .time3m: 11_000, .time6m: 13_000, .time1y: 15_000, .time2y: 21_000, .time3y: 27_500,
                              .time5y: 27_500, .notice1d: 8_000, .notice7d: 13_500, .sweepFund: 25_000])
        #expect(board.allSatisfy { $0.effectiveFrom == WD.day("2015-10-24") && $0.publishedBy == "seed:pboc-2015-10-24" })
        #expect(try await wealth.rate(.demand, on: WD.day("2015-10-24")).micros == 3_500)
        #expect(try await wealth.rate(.time1y, on: WD.day("2026-11-23")).percentText == "1.50")
        // Nothing is in force before the table starts.
        await refused(.notFound) { try await wealth.rate(.demand, on: WD.day("2015-10-23")) }
        #expect(try await wealth.rateBoard(on: WD.day("2015-10-23")).isEmpty)
        // Preparing again (every start) seeds nothing twice.
        try await wealth.prepare()
        #expect(try await wealth.rateHistory(nil).count == 10)
        try await t.finish()
    }

    @Test("Operators publish a future rate: it takes effect on its date and history is kept")
    func publishFutureRate() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let staff = t.operatorPrincipal
        let published = try await wealth.publishRate(by: staff, product: .demand, rate: try AnnualRate.parsePercent("0.30"),
                                                     effectiveFrom: WD.day("2026-12-01"), address: WD.address)
        #expect(published.rate.micros == 3_000 && published.publishedBy == staff.actorRef && published.publishedAt == t.clock.now)
        // Not yet: the old rate holds until the day before; the new one from its date on.
        #expect(try await wealth.rate(.demand, on: WD.day("2026-11-23")).micros == 3_500)
        #expect(try await wealth.rate(.demand, on: WD.day("2026-11-30")).micros == 3_500)
        #expect(try await wealth.rate(.demand, on: WD.day("2026-12-01")).micros == 3_000)
        #expect(try await wealth.rate(.demand, on: WD.day("2027-06-30")).micros == 3_000)
        // Other products are untouched.
        #expect(try await wealth.rate(.time1y, on: WD.day("2026-12-01")).micros == 15_000)
        // Publishing again for the same future date replaces it; the history keeps every date, newest first.
        _ = try await wealth.publishRate(by: staff, product: .demand, rate: AnnualRate(micros: 2_500), effectiveFrom: WD.day("2026-12-01"), address: WD.address)
        _ = try await wealth.publishRate(by: staff, product: .demand, rate: AnnualRate(micros: 2_000), effectiveFrom: WD.day("2027-03-01"), address: WD.address)
        let history = try await wealth.rateHistory(.demand)
        #expect(history.map(\.effectiveFrom) == [WD.day("2027-03-01"), WD.day("2026-12-01"), WD.day("2015-10-24")])
        #expect(history.map(\.rate.micros) == [2_000, 2_500, 3_500])
        #expect(try await wealth.rate(.demand, on: WD.day("2027-02-28")).micros == 2_500)
        #expect(try await wealth.rate(.demand, on: WD.day("2027-03-01")).micros == 2_000)
        // Once the date has come, the rate in force cannot be rewritten.
        t.clock.set(WD.day("2026-12-01").instant(hour: 9, minute: 0))
        await refused(.rateNotInFuture, field: "effective_from") {
            try await wealth.publishRate(by: staff, product: .demand, rate: AnnualRate(micros: 1_000), effectiveFrom: WD.day("2026-12-01"), address: WD.address)
        }
        #expect(try await wealth.rate(.demand, on: WD.day("2026-12-01")).micros == 2_500)
        try await t.finish()
    }

    @Test("Bad rates and dates are refused and nothing is written")
    func publishRefused() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let staff = t.operatorPrincipal
        let tomorrow = WD.day("2026-11-24")
        // Above 0% and at most 20% (200,000 micros).
        for micros: Int64 in [0, -3_500, 200_001, 1_000_000] {
            await refused(.invalidRate, field: "rate") {
                try await wealth.publishRate(by: staff, product: .time1y, rate: AnnualRate(micros: micros), effectiveFrom: tomorrow, address: WD.address)
            }
        }
        // Today and the past are not in the future.
        for date in ["2026-11-23", "2026-11-22", "2015-10-24"] {
            await refused(.rateNotInFuture, field: "effective_from") {
                try await wealth.publishRate(by: staff, product: .time1y, rate: AnnualRate(micros: 14_000), effectiveFrom: WD.day(date), address: WD.address)
            }
        }
        // At most a year ahead.
        await refused(.invalidDate) {
            try await wealth.publishRate(by: staff, product: .time1y, rate: AnnualRate(micros: 14_000), effectiveFrom: WD.day("2027-11-25"), address: WD.address)
        }
        #expect(try await wealth.rateHistory(nil).count == 10, "only the seed")
        #expect(try await WD.count(t, "SELECT COUNT(*) AS n FROM identity_audit WHERE action = 'wealth.rate.publish'") == 0)
        // The edges pass: 20% exactly, tomorrow.
        _ = try await wealth.publishRate(by: staff, product: .time5y, rate: AnnualRate(micros: 200_000), effectiveFrom: tomorrow, address: WD.address)
        #expect(try await wealth.rate(.time5y, on: tomorrow).micros == 200_000)
        #expect(try await WD.count(t, "SELECT COUNT(*) AS n FROM identity_audit WHERE action = 'wealth.rate.publish'") == 1)
        try await t.finish()
    }

    // MARK: Time deposits: opening

    @Test("Opening: Class II only, from ¥50, offered terms, enough money, an idempotency key")
    func openingRules() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 1_000_00)
        let classIII = try await t.accounts.openEAccount(principal, accountClass: .classIII, boundAccountID: account.boundAccountID!, address: WD.address)
        func open(_ from: EAccount, _ amountFen: Int64, months: Int = 12, key: String?) async throws -> DepositView {
            try await wealth.openTimeDeposit(principal, sourceAccountID: from.id, amountFen: amountFen, termMonths: months, onMaturity: .returnToAccount,
                                             idempotencyKey: key, address: WD.address)
        }
        await refused(.accountClassNotAllowed, status: 422) { try await open(classIII, 100_00, key: "c3") }
        await refused(.accountClassNotAllowed) {
            try await wealth.openTieredDeposit(principal, sourceAccountID: classIII.id, amountFen: 100_00, idempotencyKey: "c3t", address: WD.address)
        }
        await refused(.belowMinimum, field: "amount") { try await open(account, 49_99, key: "small") }
        await refused(.belowMinimum) { try await open(account, 0, key: "zero") }
        for months in [0, 1, 9, 18, 120] {
            await refused(.termNotOffered, field: "term_months") { try await open(account, 100_00, months: months, key: "term\(months)") }
        }
        await refused(.invalidRequest, status: 400) { try await open(account, 100_00, key: nil) }
        // ¥1,000.01 from ¥1,000.00: refused, and nothing is written — no row, no ledger account, no money moved.
        await refused(.insufficientFunds) { try await open(account, 1_000_01, key: "too-much") }
        #expect(try await WD.count(t, "SELECT COUNT(*) AS n FROM wealth_deposits") == 0)
        #expect(try await WD.count(t, "SELECT COUNT(*) AS n FROM wealth_deposit_events") == 0)
        let customerID = try await t.accounts.customer(of: principal).id
        #expect(try await t.ledger.account(RongID.derived("wealth.deposit", customerID, "too-much")) == nil)
        #expect(try await WD.balance(t, account.id) == 1_000_00)
        // Another customer's account is not found (IDOR).
        let (other, _) = try await WD.saver(t, name: "赵敏", sequence: 502, mobile: "13912345602", fundFen: 0)
        await refused(.notFound) {
            try await wealth.openTimeDeposit(other, sourceAccountID: account.id, amountFen: 100_00, termMonths: 12, onMaturity: .renew,
                                             idempotencyKey: "idor", address: WD.address)
        }
        // ¥50.00 exactly opens.
        let smallest = try await open(account, 50_00, key: "fifty")
        #expect(smallest.principalFen == 50_00 && smallest.deposit.status == "open")
        #expect(try await WD.balance(t, account.id) == 950_00)
        try await t.finish()
    }

    @Test("Idempotency: the same key and body return the same deposit; another body is 409")
    func openingIdempotency() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 20_000_00)
        func open(_ amountFen: Int64, months: Int = 12, onMaturity: Deposit.OnMaturity = .returnToAccount, key: String) async throws -> DepositView {
            try await wealth.openTimeDeposit(principal, sourceAccountID: account.id, amountFen: amountFen, termMonths: months, onMaturity: onMaturity,
                                             idempotencyKey: key, address: WD.address)
        }
        let first = try await open(10_000_00, key: "dep-1")
        let again = try await open(10_000_00, key: "dep-1")
        #expect(again.deposit.id == first.deposit.id)
        #expect(again.principalFen == 10_000_00)
        #expect(try await WD.balance(t, account.id) == 10_000_00, "debited once")
        for (amount, months, onMaturity) in [(Int64(9_000_00), 12, Deposit.OnMaturity.returnToAccount), (10_000_00, 24, .returnToAccount), (10_000_00, 12, .renew)] {
            await refused(.idempotencyConflict, status: 409) { try await open(amount, months: months, onMaturity: onMaturity, key: "dep-1") }
        }
        #expect(try await wealth.deposits(principal).count == 1)
        #expect(try await WD.balance(t, account.id) == 10_000_00)
        // The deposit as opened: 1 year at 1.50%, maturing on the same day next year.
        let deposit = first.deposit
        #expect(deposit.kind == .time && deposit.termMonths == 12 && deposit.rate?.micros == 15_000)
        #expect(deposit.openedOn == WD.day("2026-11-23") && deposit.termStart == WD.day("2026-11-23") && deposit.maturesOn == WD.day("2027-11-23"))
        #expect(first.interestAtMaturityFen == 150_00)
        // Withdrawn today: 0 days, no interest.
        #expect(first.ifWithdrawnToday?.interestFen == 0 && first.ifWithdrawnToday?.basis == "demand")
        let ledgerAccount = try #require(try await t.ledger.account(deposit.id))
        #expect(ledgerAccount.chartCode == "2013" && ledgerAccount.balance.postedCreditBalance == 10_000_00)
        let (_, events) = try await wealth.deposit(principal, id: deposit.id)
        #expect(events.map(\.kind) == ["open"])
        try await t.finish()
    }

    // MARK: Time deposits: withdrawal and maturity

    @Test("One partial early withdrawal at the demand rate of that day; the rest keeps its rate to maturity")
    func partialEarlyWithdrawal() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 10_000_00)
        let opened = try await wealth.openTimeDeposit(principal, sourceAccountID: account.id, amountFen: 10_000_00, termMonths: 12, onMaturity: .returnToAccount,
                                                      idempotencyKey: "year", address: WD.address)
        let id = opened.deposit.id
        // The demand rate goes from 0.35% to 0.30% on 2027-01-01.
        _ = try await wealth.publishRate(by: t.operatorPrincipal, product: .demand, rate: AnnualRate(micros: 3_000), effectiveFrom: WD.day("2027-01-01"),
                                         address: WD.address)
        // 2027-01-22 is 60 days after 2026-11-23 (7 + 31 + 22).
        t.clock.set(WD.day("2027-01-22").instant(hour: 10, minute: 0))
        // ¥4,000 × 0.30% (that day's demand rate, not the 0.35% of opening) × 60 ÷ 360 = ¥2.00.
        let quote = try await wealth.quoteWithdrawal(principal, depositID: id, amountFen: 4_000_00)
        #expect(quote.principalFen == 4_000_00 && quote.interestFen == 2_00 && quote.daysHeld == 60 && quote.rate.micros == 3_000 && quote.basis == "demand")
        // What stays must be at least ¥50.
        await refused(.belowMinimum) {
            try await wealth.withdraw(principal, depositID: id, amountFen: 9_950_01, idempotencyKey: "w0", address: WD.address)
        }
        await refused(.invalidAmount) { try await wealth.withdraw(principal, depositID: id, amountFen: 10_000_01, idempotencyKey: "w0", address: WD.address) }
        let paid = try await wealth.withdraw(principal, depositID: id, amountFen: 4_000_00, idempotencyKey: "w1", address: WD.address)
        #expect(paid.interestFen == 2_00 && paid.principalFen == 4_000_00)
        #expect(try await WD.balance(t, account.id) == 4_002_00)
        // The same request again pays nothing twice; the key with another amount (or "all") is a conflict; another
        // customer replaying the key learns nothing.
        let replay = try await wealth.withdraw(principal, depositID: id, amountFen: 4_000_00, idempotencyKey: "w1", address: WD.address)
        #expect(replay.interestFen == 2_00 && replay.principalFen == 4_000_00)
        await refused(.idempotencyConflict, status: 409) {
            try await wealth.withdraw(principal, depositID: id, amountFen: 3_000_00, idempotencyKey: "w1", address: WD.address)
        }
        await refused(.idempotencyConflict, status: 409) {
            try await wealth.withdraw(principal, depositID: id, amountFen: nil, idempotencyKey: "w1", address: WD.address)
        }
        let (stranger, _) = try await WD.saver(t, name: "赵敏", sequence: 502, mobile: "13912345602", fundFen: 0)
        await refused(.notFound) { try await wealth.withdraw(stranger, depositID: id, amountFen: 4_000_00, idempotencyKey: "w1", address: WD.address) }
        await refused(.notFound) { try await wealth.quoteWithdrawal(stranger, depositID: id, amountFen: nil) }
        await refused(.notFound) { try await wealth.deposit(stranger, id: id) }
        #expect(try await WD.balance(t, account.id) == 4_002_00)
        // The rest, ¥6,000, keeps 1.50% and its maturity: 6,000 × 1.5% = ¥90.00 at maturity.
        let (view, events) = try await wealth.deposit(principal, id: id)
        #expect(view.principalFen == 6_000_00 && view.deposit.partialWithdrawn && view.deposit.rate?.micros == 15_000)
        #expect(view.deposit.maturesOn == WD.day("2027-11-23") && view.interestAtMaturityFen == 90_00)
        #expect(events.map(\.kind) == ["open", "partial"])
        #expect(events.last?.interestFen == 2_00 && events.last?.rate.micros == 3_000 && events.last?.days == 60)
        // Only one partial early withdrawal.
        await refused(.partialWithdrawalUsed) {
            try await wealth.withdraw(principal, depositID: id, amountFen: 1_000_00, idempotencyKey: "w2", address: WD.address)
        }
        // At maturity (the run for 2027-11-22 ends after midnight, on the 23rd): ¥6,000 + ¥90.00 back.
        t.clock.set(WD.day("2027-11-23").instant(hour: 0, minute: 5))
        let handled = try await wealth.processMaturities(for: WD.day("2027-11-22"))
        #expect(handled.returned == 1 && handled.renewed == 0)
        #expect(try await WD.balance(t, account.id) == 4_002_00 + 6_000_00 + 90_00)
        let (closed, closedEvents) = try await wealth.deposit(principal, id: id)
        #expect(closed.deposit.status == "closed" && closed.deposit.closedOn == WD.day("2027-11-23") && closed.principalFen == 0)
        #expect(closedEvents.last?.kind == "mature" && closedEvents.last?.interestFen == 90_00 && closedEvents.last?.days == 365)
        #expect(try await t.ledger.account(id)?.flags.contains(.closed) == true)
        // Running the maturities again pays nothing.
        let again = try await wealth.processMaturities(for: WD.day("2027-11-22"))
        #expect(again.returned == 0 && again.renewed == 0)
        #expect(try await WD.balance(t, account.id) == 10_092_00)
        // The bank's interest expense paid ¥2.00 + ¥90.00.
        #expect(try await t.ledger.account(WealthLedgerAccounts.interestExpense)?.balance.postedCreditBalance == -92_00)
        try await t.finish()
    }

    @Test("A full early withdrawal earns the demand rate for the days held and closes the deposit")
    func fullEarlyWithdrawal() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 10_000_00)
        let id = try await wealth.openTimeDeposit(principal, sourceAccountID: account.id, amountFen: 10_000_00, termMonths: 24, onMaturity: .renew,
                                                  idempotencyKey: "two-years", address: WD.address).deposit.id
        #expect(try await WD.balance(t, account.id) == 0)
        // 2026-12-23 is 30 days on: 10,000 × 0.35% × 30 ÷ 360 = ¥2.9166… → ¥2.92.
        t.clock.set(WD.day("2026-12-23").instant(hour: 15, minute: 30))
        let view = try await wealth.deposit(principal, id: id).0
        #expect(view.ifWithdrawnToday?.interestFen == 2_92 && view.ifWithdrawnToday?.daysHeld == 30)
        let paid = try await wealth.withdraw(principal, depositID: id, amountFen: nil, idempotencyKey: "all", address: WD.address)
        #expect(paid.principalFen == 10_000_00 && paid.interestFen == 2_92 && paid.basis == "demand")
        #expect(try await WD.balance(t, account.id) == 10_002_92)
        let (closed, events) = try await wealth.deposit(principal, id: id)
        #expect(closed.deposit.status == "closed" && closed.deposit.closedOn == WD.day("2026-12-23") && closed.ifWithdrawnToday == nil)
        #expect(events.map(\.kind) == ["open", "withdraw"])
        await refused(.depositNotOpen) { try await wealth.withdraw(principal, depositID: id, amountFen: nil, idempotencyKey: "again", address: WD.address) }
        // The statement shows the principal and the interest coming back.
        let lines = try await t.accounts.statement(of: account, cursor: nil, limit: 10).lines
        #expect(lines.contains { $0.amountFen == 10_000_00 && $0.memo == "支取存款" })
        #expect(lines.contains { $0.amountFen == 2_92 && $0.memo == "存款利息" })
        #expect(lines.contains { $0.amountFen == -10_000_00 && $0.memo == "存入整存整取24个月" })
        try await t.finish()
    }

    @Test("Maturity with renewal (本息转存): interest added, a new term at the rate of the day")
    func renewalAtMaturity() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 10_000_00)
        let id = try await wealth.openTimeDeposit(principal, sourceAccountID: account.id, amountFen: 10_000_00, termMonths: 3, onMaturity: .renew,
                                                  idempotencyKey: "three-months", address: WD.address).deposit.id
        // The 3-month rate falls to 1.00% from 2027-01-01; the deposit keeps its 1.10% to maturity.
        _ = try await wealth.publishRate(by: t.operatorPrincipal, product: .time3m, rate: AnnualRate(micros: 10_000), effectiveFrom: WD.day("2027-01-01"),
                                         address: WD.address)
        #expect(try await wealth.deposit(principal, id: id).0.interestAtMaturityFen == 27_50)
        // Not yet due on the run for 2027-02-21 (it matures 2027-02-23).
        t.clock.set(WD.day("2027-02-22").instant(hour: 0, minute: 5))
        #expect(try await WD.maturities(t, WD.day("2027-02-21")) == [0, 0])
        t.clock.set(WD.day("2027-02-23").instant(hour: 0, minute: 5))
        #expect(try await WD.maturities(t, WD.day("2027-02-22")) == [1, 0])
        // 10,000 × 1.10% × 3 ÷ 12 = ¥27.50 added: ¥10,027.50 for 3 more months at 1.00%.
        let (view, events) = try await wealth.deposit(principal, id: id)
        #expect(view.principalFen == 10_027_50 && view.deposit.status == "open")
        #expect(view.deposit.termStart == WD.day("2027-02-23") && view.deposit.maturesOn == WD.day("2027-05-23") && view.deposit.rate?.micros == 10_000)
        #expect(view.deposit.openedOn == WD.day("2026-11-23") && !view.deposit.partialWithdrawn)
        // 10,027.50 × 1.00% × 3 ÷ 12 = ¥25.06875 → ¥25.07.
        #expect(view.interestAtMaturityFen == 25_07)
        #expect(events.map(\.kind) == ["open", "renew"])
        #expect(events.last?.interestFen == 27_50 && events.last?.principalFen == 10_027_50 && events.last?.rate.micros == 10_000 && events.last?.days == 92)
        #expect(try await WD.balance(t, account.id) == 0, "nothing came back to the account")
        // Again: nothing twice.
        #expect(try await WD.maturities(t, WD.day("2027-02-22")) == [0, 0])
        #expect(try await t.ledger.account(id)?.balance.postedCreditBalance == 10_027_50)
        // The new term runs from the renewal: an early withdrawal 30 days in earns demand on ¥10,027.50:
        // 10,027.50 × 0.35% × 30 ÷ 360 = ¥2.924… → ¥2.92.
        t.clock.set(WD.day("2027-03-25").instant(hour: 10, minute: 0))
        let quote = try await wealth.quoteWithdrawal(principal, depositID: id, amountFen: nil)
        #expect(quote.daysHeld == 30 && quote.interestFen == 2_92)
        try await t.finish()
    }

    @Test("Maturity handled late: the term at its rate, the days after maturity at the demand rate")
    func lateMaturity() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 20_000_00)
        let sixMonths = try await wealth.openTimeDeposit(principal, sourceAccountID: account.id, amountFen: 10_000_00, termMonths: 6, onMaturity: .returnToAccount,
                                                         idempotencyKey: "six", address: WD.address).deposit.id
        let threeMonths = try await wealth.openTimeDeposit(principal, sourceAccountID: account.id, amountFen: 10_000_00, termMonths: 3, onMaturity: .renew,
                                                           idempotencyKey: "three", address: WD.address).deposit.id
        // The demand rate is 0.30% from 2027-05-01; the 3-month rate 0.90% from 2027-02-24 (the day after the
        // 3-month deposit matures).
        _ = try await wealth.publishRate(by: t.operatorPrincipal, product: .demand, rate: AnnualRate(micros: 3_000), effectiveFrom: WD.day("2027-05-01"),
                                         address: WD.address)
        _ = try await wealth.publishRate(by: t.operatorPrincipal, product: .time3m, rate: AnnualRate(micros: 9_000), effectiveFrom: WD.day("2027-02-24"),
                                         address: WD.address)
        // End-of-day did not run on 2027-02-22 nor 02-23; the run for 02-24 (after midnight, on the 25th) finds the
        // 3-month deposit two days past maturity. A renewal rolls on the maturity date itself, at the rate in force
        // on that date (1.10%), with no overdue days.
        t.clock.set(WD.day("2027-02-25").instant(hour: 0, minute: 5))
        #expect(try await WD.maturities(t, WD.day("2027-02-24")) == [1, 0])
        let renewed = try await wealth.deposit(principal, id: threeMonths).0
        #expect(renewed.principalFen == 10_027_50)
        #expect(renewed.deposit.termStart == WD.day("2027-02-23") && renewed.deposit.maturesOn == WD.day("2027-05-23"))
        #expect(renewed.deposit.rate?.micros == 11_000, "the rate of the renewal date, not of the day it was processed")
        // The 6-month deposit matured 2027-05-23 and is handled on the 26th: 3 days overdue.
        // Term: 10,000 × 1.30% × 6 ÷ 12 = ¥65.00. Overdue: 10,000 × 0.30% × 3 ÷ 360 = ¥0.25. Total ¥65.25.
        t.clock.set(WD.day("2027-05-26").instant(hour: 0, minute: 5))
        let handled = try await wealth.processMaturities(for: WD.day("2027-05-25"))
        #expect(handled.returned == 1)
        #expect(try await WD.balance(t, account.id) == 10_000_00 + 65_25)
        let (closed, events) = try await wealth.deposit(principal, id: sixMonths)
        #expect(closed.deposit.status == "closed" && closed.deposit.closedOn == WD.day("2027-05-26"))
        // 2026-11-23 → 2027-05-26 is 184 days held.
        #expect(events.last?.kind == "mature" && events.last?.interestFen == 65_25 && events.last?.days == 184)
        #expect(events.last?.detail.contains("逾期3天") == true)
        // The renewed 3-month deposit matured again on 2027-05-23, also handled late — it rolls again from 05-23
        // at the 3-month rate of that date (0.90%): 10,027.50 × 1.10% × 3 ÷ 12 = ¥27.57563 → ¥27.58 added.
        let rolled = try await wealth.deposit(principal, id: threeMonths).0
        #expect(rolled.principalFen == 10_027_50 + 27_58)
        #expect(rolled.deposit.termStart == WD.day("2027-05-23") && rolled.deposit.maturesOn == WD.day("2027-08-23") && rolled.deposit.rate?.micros == 9_000)
        try await t.finish()
    }

    // MARK: 节节高 (tiered)

    @Test("节节高: the quote on day 6, 7, 89 and 90 pays the tier reached; withdrawal pays it")
    func tieredQuotes() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 20_000_00)
        let opened = try await wealth.openTieredDeposit(principal, sourceAccountID: account.id, amountFen: 10_000_00, idempotencyKey: "tiered", address: WD.address)
        let id = opened.deposit.id
        #expect(opened.deposit.kind == .tiered && opened.deposit.maturesOn == nil && opened.interestAtMaturityFen == nil)
        #expect(opened.deposit.tiers.map(\.product) == [.demand, .notice7d, .time3m, .time6m, .time1y])
        #expect(opened.deposit.tiers.map(\.rateMicros) == [3_500, 13_500, 11_000, 13_000, 15_000])
        #expect(try await t.ledger.account(id)?.chartCode == "2014")
        func quote(on date: String) async throws -> DepositQuote {
            t.clock.set(WD.day(date).instant(hour: 12, minute: 0))
            return try #require(try await wealth.deposit(principal, id: id).0.ifWithdrawnToday)
        }
        // Day 6 (2026-11-29): demand 0.35%: 10,000 × 0.35% × 6 ÷ 360 = ¥0.583… → ¥0.58.
        let day6 = try await quote(on: "2026-11-29")
        #expect(day6.daysHeld == 6 && day6.basis == "tier:demand" && day6.interestFen == 58)
        // Day 7: the 7-day notice rate 1.35%: 10,000 × 1.35% × 7 ÷ 360 = ¥2.625 → ¥2.63.
        let day7 = try await quote(on: "2026-11-30")
        #expect(day7.daysHeld == 7 && day7.basis == "tier:notice_7d" && day7.rate.micros == 13_500 && day7.interestFen == 2_63)
        // Day 89 (2027-02-20): still 1.35%: 10,000 × 1.35% × 89 ÷ 360 = ¥33.375 → ¥33.38.
        let day89 = try await quote(on: "2027-02-20")
        #expect(day89.daysHeld == 89 && day89.basis == "tier:notice_7d" && day89.interestFen == 33_38)
        // Day 90 (2027-02-21): the 3-month rate 1.10%: 10,000 × 1.10% × 90 ÷ 360 = ¥27.50 (the 2015 table has the
        // 7-day notice rate above the 3-month rate, so this tier pays less than day 89 did).
        let day90 = try await quote(on: "2027-02-21")
        #expect(day90.daysHeld == 90 && day90.basis == "tier:time_3m" && day90.interestFen == 27_50)
        // Withdrawn on day 7 pays the 7-day tier.
        t.clock.set(WD.day("2026-11-30").instant(hour: 12, minute: 0))
        let paid = try await wealth.withdraw(principal, depositID: id, amountFen: nil, idempotencyKey: "out", address: WD.address)
        #expect(paid.interestFen == 2_63 && paid.basis == "tier:notice_7d")
        #expect(try await WD.balance(t, account.id) == 20_002_63)
        #expect(try await wealth.deposit(principal, id: id).0.deposit.status == "closed")
        try await t.finish()
    }

    @Test("节节高: a partial withdrawal pays the tier reached; the rest keeps counting its days")
    func tieredPartial() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 10_000_00)
        let id = try await wealth.openTieredDeposit(principal, sourceAccountID: account.id, amountFen: 10_000_00, idempotencyKey: "tiered", address: WD.address).deposit.id
        // Day 10 (2026-12-03): ¥3,000 at 1.35%: 3,000 × 1.35% × 10 ÷ 360 = ¥1.125 → ¥1.13.
        t.clock.set(WD.day("2026-12-03").instant(hour: 9, minute: 0))
        let part = try await wealth.withdraw(principal, depositID: id, amountFen: 3_000_00, idempotencyKey: "part", address: WD.address)
        #expect(part.interestFen == 1_13 && part.daysHeld == 10 && part.basis == "tier:notice_7d")
        #expect(try await WD.balance(t, account.id) == 3_001_13)
        let view = try await wealth.deposit(principal, id: id).0
        #expect(view.principalFen == 7_000_00 && view.deposit.status == "open")
        // Day 90 (2027-02-21): the rest, ¥7,000 at 1.10%: 7,000 × 1.10% × 90 ÷ 360 = ¥19.25.
        t.clock.set(WD.day("2027-02-21").instant(hour: 9, minute: 0))
        let rest = try await wealth.withdraw(principal, depositID: id, amountFen: nil, idempotencyKey: "rest", address: WD.address)
        #expect(rest.principalFen == 7_000_00 && rest.interestFen == 19_25 && rest.daysHeld == 90)
        #expect(try await WD.balance(t, account.id) == 10_000_00 + 1_13 + 19_25)
        try await t.finish()
    }

    @Test("A withdrawal cut off after writing its event is finished by the same request again, paying once")
    func withdrawalResumes() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 10_000_00)
        let id = try await wealth.openTieredDeposit(principal, sourceAccountID: account.id, amountFen: 10_000_00, idempotencyKey: "tiered", address: WD.address).deposit.id
        // Day 10: ¥10,000 at the 7-day notice rate 1.35%: 10,000 × 1.35% × 10 ÷ 360 = ¥3.75.
        t.clock.set(WD.day("2026-12-03").instant(hour: 9, minute: 0))
        // The crash: the event row was written (as `withdraw` writes it first), then the process died.
        let eventID = RongID.derived("wealth.deposit.withdraw", id, "all")
        try await t.platform.database.execute(
            """
            INSERT INTO wealth_deposit_events (id, deposit_id, kind, on_date, principal_fen, interest_fen, rate_micros, days, detail, created_at)
            VALUES (?, ?, 'withdraw', '2026-12-03', 1000000, 375, 13500, 10, 'test', 0)
            """, [.id(eventID), .id(id)])
        #expect(try await WD.balance(t, account.id) == 0, "nothing paid yet")
        let resumed = try await wealth.withdraw(principal, depositID: id, amountFen: nil, idempotencyKey: "all", address: WD.address)
        #expect(resumed.principalFen == 10_000_00 && resumed.interestFen == 3_75)
        #expect(try await WD.balance(t, account.id) == 10_003_75)
        #expect(try await wealth.deposit(principal, id: id).0.deposit.status == "closed")
        _ = try await wealth.withdraw(principal, depositID: id, amountFen: nil, idempotencyKey: "all", address: WD.address)
        #expect(try await WD.balance(t, account.id) == 10_003_75, "paid once")
        try await t.finish()
    }

    @Test("节节高: operators change the ladder and the rates; open deposits keep theirs")
    func tieredLadderChange() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 20_000_00)
        let before = try await wealth.openTieredDeposit(principal, sourceAccountID: account.id, amountFen: 10_000_00, idempotencyKey: "before", address: WD.address).deposit.id
        // New ladder: demand until 30 days, then the 3-month rate; and the 7-day notice rate rises to 2.00% tomorrow.
        let ladder = [DepositTier(fromDays: 0, product: .demand), DepositTier(fromDays: 30, product: .time3m)]
        await refused(.invalidRequest) {
            try await wealth.setTierLadder(by: t.operatorPrincipal, [DepositTier(fromDays: 7, product: .notice7d)], address: WD.address)
        }
        #expect(try await wealth.tierLadder() == DepositTier.standard)
        try await wealth.setTierLadder(by: t.operatorPrincipal, ladder, address: WD.address)
        #expect(try await wealth.tierLadder() == ladder)
        _ = try await wealth.publishRate(by: t.operatorPrincipal, product: .notice7d, rate: AnnualRate(micros: 20_000), effectiveFrom: WD.day("2026-11-24"),
                                         address: WD.address)
        let after = try await wealth.openTieredDeposit(principal, sourceAccountID: account.id, amountFen: 10_000_00, idempotencyKey: "after", address: WD.address).deposit.id
        // Day 7 (2026-11-30): the deposit opened before still pays the 7-day notice tier at its locked 1.35% (¥2.63);
        // the one opened after is on the new ladder: demand, 10,000 × 0.35% × 7 ÷ 360 = ¥0.68.
        t.clock.set(WD.day("2026-11-30").instant(hour: 9, minute: 0))
        let old = try #require(try await wealth.deposit(principal, id: before).0.ifWithdrawnToday)
        #expect(old.basis == "tier:notice_7d" && old.rate.micros == 13_500 && old.interestFen == 2_63)
        let new = try #require(try await wealth.deposit(principal, id: after).0.ifWithdrawnToday)
        #expect(new.basis == "tier:demand" && new.interestFen == 68)
        #expect(try await wealth.deposit(principal, id: after).0.deposit.tiers.map(\.fromDays) == [0, 30])
        try await t.finish()
    }
}

// MARK: - Helpers shared by the WealthDeposit*Tests suites

enum WD {
    static let address = "127.0.0.1"

    static func day(_ iso: String) -> BusinessDate { try! BusinessDate(iso: iso) }

    /// A customer with a Class II e-account funded from the bound China Construction Bank card
    /// (a bound-account movement: no Class II limit applies).
    static func saver(_ t: TestPlatform, name: String = "王芳", sequence: Int = 501, mobile: String = "13912345601",
                      fundFen: Int64) async throws -> (Principal, EAccount) {
        let (principal, account) = try await t.customerWithEAccount(.classII, name: name, idNumber: ResidentIDs.make(birth: "19880615", sequence: sequence),
                                                                    mobile: mobile, cardNumber: Cards.ccb(sequence), bankBalanceFen: 10_000_000_00)
        if fundFen > 0 {
            _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: fundFen, idempotencyKey: "fund-\(sequence)", address: address)
        }
        return (principal, account)
    }

    /// Posted balance of a ledger account, in fen.
    static func balance(_ t: TestPlatform, _ id: RongID) async throws -> Int64 {
        try await t.ledger.account(id)?.balance.postedCreditBalance ?? 0
    }

    /// What one maturity run did: [renewed, returned].
    static func maturities(_ t: TestPlatform, _ date: BusinessDate) async throws -> [Int] {
        let result = try await t.platform.wealth.processMaturities(for: date)
        return [result.renewed, result.returned]
    }

    static func count(_ t: TestPlatform, _ sql: String) async throws -> Int64 {
        try await t.platform.database.first(sql)?.int("n") ?? -1
    }

}
