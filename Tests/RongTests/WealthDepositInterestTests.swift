import Accounts
import BankKit
import EndOfDay
import Identity
import Ledger
import Storage
import Testing
import Wealth

/// Demand interest (活期, 积数计息法, DOMAIN.md §4): each day's end-of-day balance × the demand rate
/// ÷ 360, kept in micro-fen; credited on the 20th of Mar/Jun/Sep/Dec (the run ends after
/// midnight, on the 21st), the sub-fen remainder carried. And the Wealth end-of-day steps in the
/// full runner.
///
/// Daily accruals used below, in micro-fen (1e-6 fen), truncated:
/// - ¥10,000 at 0.35%: 1,000,000 × 3,500 ÷ 360 = 9,722,222
/// - ¥15,000 at 0.35%: 1,500,000 × 3,500 ÷ 360 = 14,583,333
/// - ¥20,000 at 0.35%: 19,444,444; at 0.30%: 2,000,000 × 3,000 ÷ 360 = 16,666,666
/// - ¥3,600 at 0.35%: 360,000 × 3,500 ÷ 360 = 3,500,000 exactly
@Suite struct WealthDepositInterestTests {
    /// The run for `date` happens after midnight, at 00:05 on the next day (as the scheduler does).
    func endOfDayClock(_ t: TestPlatform, for date: BusinessDate) {
        t.clock.set(date.adding(days: 1).instant(hour: 0, minute: 5))
    }

    func accrued(_ t: TestPlatform, _ account: EAccount) async throws -> (micros: Int64, through: BusinessDate?) {
        try await t.platform.wealth.demandAccrual(accountID: account.id)
    }

    /// The account's unpaid accrual is `micros`, accrued through `through`.
    func expectAccrued(_ t: TestPlatform, _ account: EAccount, _ micros: Int64, through: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (actual, actualThrough) = try await accrued(t, account)
        #expect(actual == micros, sourceLocation: sourceLocation)
        #expect(actualThrough == WD.day(through), sourceLocation: sourceLocation)
    }

    /// The bank's books of demand interest: payable holds ⌊Σ accrued ÷ 1e6⌋ fen, and interest
    /// expense is what was paid plus what is payable (no deposit interest in these scenarios).
    func expectInterestBooks(_ t: TestPlatform, paidFen: Int64, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let sum = try await t.platform.database.query("SELECT accrued_micros FROM wealth_demand").reduce(Int64(0)) { $0 + $1.int("accrued_micros") }
        let payable = try await WD.balance(t, WealthLedgerAccounts.interestPayable)
        let expense = try await WD.balance(t, WealthLedgerAccounts.interestExpense)
        #expect(payable == max(sum, 0) / InterestMath.microsPerFen, "payable \(payable), Σ accrued \(sum)", sourceLocation: sourceLocation)
        #expect(expense == -(paidFen + payable), "expense \(expense)", sourceLocation: sourceLocation)
    }

    @Test("Daily accrual in micro-fen; movements after midnight do not change the day; re-running changes nothing")
    func dailyAccrual() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 10_000_00)
        let none = try await accrued(t, account)
        #expect(none.micros == 0 && none.through == nil)
        // The day has not ended: nothing is accrued for it yet.
        await refused(.invalidDate) { try await wealth.accrueDemandInterest(for: WD.day("2026-11-23")) }
        #expect(try await accrued(t, account).through == nil)

        // ¥5,000 comes in at 00:01, after the cut-off: the run at 00:05 still sees ¥10,000 for the 23rd.
        t.clock.set(WD.day("2026-11-24").instant(hour: 0, minute: 1))
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 5_000_00, idempotencyKey: "late-fund", address: WD.address)
        endOfDayClock(t, for: WD.day("2026-11-23"))
        let first = try await wealth.accrueDemandInterest(for: WD.day("2026-11-23"))
        #expect(first.rate.micros == 3_500 && first.newAccounts == 1 && first.accountsAccrued == 1 && first.totalAccruedMicros == 9_722_222)
        try await expectAccrued(t, account, 9_722_222, through: "2026-11-23")
        // Again: nothing changes.
        let again = try await wealth.accrueDemandInterest(for: WD.day("2026-11-23"))
        #expect(again.accountsAccrued == 0 && again.newAccounts == 0 && again.totalAccruedMicros == 9_722_222)
        #expect(try await accrued(t, account).micros == 9_722_222)
        // Payable: ⌊9.72⌋ = 9 fen.
        try await expectInterestBooks(t, paidFen: 0)
        #expect(try await WD.balance(t, WealthLedgerAccounts.interestPayable) == 9)

        // ¥2,000 goes out to the bound card at 00:02 on the 25th (a hold, then its post, after the cut-off):
        // the 24th still counts ¥15,000: + 14,583,333 = 24,305,555.
        t.clock.set(WD.day("2026-11-25").instant(hour: 0, minute: 2))
        _ = try await t.accounts.withdraw(principal, accountID: account.id, amountFen: 2_000_00, idempotencyKey: "late-out", address: WD.address)
        endOfDayClock(t, for: WD.day("2026-11-24"))
        let second = try await wealth.accrueDemandInterest(for: WD.day("2026-11-24"))
        #expect(second.totalAccruedMicros == 24_305_555)
        try await expectAccrued(t, account, 24_305_555, through: "2026-11-24")
        try await expectInterestBooks(t, paidFen: 0)
        #expect(try await WD.balance(t, WealthLedgerAccounts.interestPayable) == 24)
        // An earlier date again changes nothing either.
        _ = try await wealth.accrueDemandInterest(for: WD.day("2026-11-23"))
        #expect(try await accrued(t, account).micros == 24_305_555)
        // The 25th counts ¥13,000: 1,300,000 × 3,500 ÷ 360 = 12,638,888 → 36,944,443.
        endOfDayClock(t, for: WD.day("2026-11-25"))
        _ = try await wealth.accrueDemandInterest(for: WD.day("2026-11-25"))
        #expect(try await accrued(t, account).micros == 36_944_443)
        try await t.finish()
    }

    @Test("Quarterly settlement on 20 December: credited, in the statement as 活期结息, the remainder carried")
    func quarterlySettlement() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 10_000_00)
        // Day by day from 2026-11-23 to 2026-12-20: 28 days × 9,722,222 = 272,222,216 micro-fen.
        var date = WD.day("2026-11-23")
        while date <= WD.day("2026-12-20") {
            endOfDayClock(t, for: date)
            _ = try await wealth.accrueDemandInterest(for: date)
            date = date.adding(days: 1)
        }
        try await expectAccrued(t, account, 272_222_216, through: "2026-12-20")
        try await expectInterestBooks(t, paidFen: 0)
        // Settled: ¥2.7222… → ¥2.72 credited; 222,216 micro-fen carried into the next quarter.
        endOfDayClock(t, for: WD.day("2026-12-20"))
        let report = try await wealth.settleDemandInterest(for: WD.day("2026-12-20"))
        #expect(report.accountsPaid == 1 && report.interestPaidFen == 2_72 && report.accountsRefused == 0)
        #expect(try await WD.balance(t, account.id) == 10_002_72)
        try await expectAccrued(t, account, 222_216, through: "2026-12-20")
        try await expectInterestBooks(t, paidFen: 2_72)
        let line = try #require(try await t.accounts.statement(principal, id: account.id, cursor: nil, limit: 5).lines.first)
        #expect(line.amountFen == 2_72 && line.memo == "活期结息 2026-12-21" && line.code == WealthTransferCode.demandInterest)
        #expect(line.balanceAfterFen == 10_002_72)
        // Settling again pays nothing.
        let again = try await wealth.settleDemandInterest(for: WD.day("2026-12-20"))
        #expect(again.accountsPaid == 0 && again.interestPaidFen == 0)
        #expect(try await WD.balance(t, account.id) == 10_002_72)
        // The next quarter starts on the 21st, on the balance with the interest:
        // 1,000,272 × 3,500 ÷ 360 = 9,724,866 → 222,216 + 9,724,866 = 9,947,082.
        endOfDayClock(t, for: WD.day("2026-12-21"))
        _ = try await wealth.accrueDemandInterest(for: WD.day("2026-12-21"))
        try await expectAccrued(t, account, 9_947_082, through: "2026-12-21")
        try await expectInterestBooks(t, paidFen: 2_72)
        try await t.finish()
    }

    @Test("A leap year counts 29 February; a half fen settles up and the negative remainder carries")
    func leapYear() async throws {
        let t = try await TestPlatform.make(at: "2028-02-27T10:00:00")
        let wealth = t.platform.wealth
        let (_, account) = try await WD.saver(t, fundFen: 3_600_00)
        // 3,500,000 micro-fen (0.35 fen) a day on ¥3,600.
        for (date, total) in [("2028-02-27", Int64(3_500_000)), ("2028-02-28", 7_000_000), ("2028-02-29", 10_500_000), ("2028-03-01", 14_000_000)] {
            endOfDayClock(t, for: WD.day(date))
            _ = try await wealth.accrueDemandInterest(for: WD.day(date))
            try await expectAccrued(t, account, total, through: date)
        }
        // End-of-day does not run again until 20 March: the run for that date catches up 19 days, then settles
        // 23 days × 3,500,000 = 80,500,000 micro-fen = 80.5 fen → half up → ¥0.81; −500,000 carried.
        endOfDayClock(t, for: WD.day("2028-03-20"))
        let run = try await t.platform.endOfDay.run(date: WD.day("2028-03-20"))
        #expect(run.steps.allSatisfy { $0.outcome == .ran })
        #expect(run.steps.first { $0.name == "wealth.demand-settlement" }?.summary.hasPrefix("credited ¥0.81 demand interest to 1 accounts") == true)
        #expect(try await WD.balance(t, account.id) == 3_600_81)
        try await expectAccrued(t, account, -500_000, through: "2028-03-20")
        #expect(try await WD.balance(t, WealthLedgerAccounts.interestPayable) == 0)
        #expect(try await WD.balance(t, WealthLedgerAccounts.interestExpense) == -81)
        try await t.finish()
    }

    @Test("Missed days are caught up, each with its own balance and rate")
    func missedDays() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 10_000_00)
        // The demand rate falls to 0.30% on the 24th; another ¥10,000 comes in on the 24th.
        _ = try await wealth.publishRate(by: t.operatorPrincipal, product: .demand, rate: AnnualRate(micros: 3_000), effectiveFrom: WD.day("2026-11-24"),
                                         address: WD.address)
        t.clock.set(WD.day("2026-11-24").instant(hour: 12, minute: 0))
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 10_000_00, idempotencyKey: "second", address: WD.address)
        // End-of-day did not run for the 23rd; the run for the 24th catches it up:
        // 23rd: ¥10,000 at 0.35% = 9,722,222; 24th: ¥20,000 at 0.30% = 16,666,666; together 26,388,888.
        endOfDayClock(t, for: WD.day("2026-11-24"))
        let report = try await wealth.accrueDemandInterest(for: WD.day("2026-11-24"))
        #expect(report.rate.micros == 3_000)
        try await expectAccrued(t, account, 26_388_888, through: "2026-11-24")
        try await expectInterestBooks(t, paidFen: 0)
        try await t.finish()
    }

    @Test("A settlement date end-of-day missed is settled when the next run catches up")
    func missedSettlementDate() async throws {
        let t = try await TestPlatform.make(at: "2026-12-19T10:00:00")
        let (_, account) = try await WD.saver(t, fundFen: 10_000_00)
        endOfDayClock(t, for: WD.day("2026-12-19"))
        _ = try await t.platform.endOfDay.run(date: WD.day("2026-12-19"))
        // No run for the 20th (the server was down at 00:05 on the 21st); the run for the 21st catches up the 20th,
        // settles the quarter (19th + 20th: 19,444,444 → ¥0.19), then accrues the 21st on ¥10,000.19:
        // 1,000,019 × 3,500 ÷ 360 = 9,722,406 → 444,444 + 9,722,406 = 10,166,850.
        endOfDayClock(t, for: WD.day("2026-12-21"))
        _ = try await t.platform.endOfDay.run(date: WD.day("2026-12-21"))
        #expect(try await WD.balance(t, account.id) == 10_000_19)
        try await expectAccrued(t, account, 10_166_850, through: "2026-12-21")
        try await expectInterestBooks(t, paidFen: 19)
        let lines = try await t.accounts.statement(of: account, cursor: nil, limit: 5).lines
        #expect(lines.first?.memo == "活期结息 2026-12-21" && lines.first?.amountFen == 19)
        try await t.finish()
    }

    @Test("After a long gap one run catches up: demand day by day with the December settlement on the way, then the maturity")
    func longGap() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 20_000_00)
        let deposit = try await wealth.openTimeDeposit(principal, sourceAccountID: account.id, amountFen: 10_000_00, termMonths: 3, onMaturity: .returnToAccount,
                                                       idempotencyKey: "dep", address: WD.address).deposit.id
        // Nothing ran from 2026-11-23 until the run for 2027-02-22 (the day before the deposit matures).
        endOfDayClock(t, for: WD.day("2027-02-22"))
        let report = try await t.platform.endOfDay.run(date: WD.day("2027-02-22"))
        #expect(report.steps.allSatisfy { $0.outcome == .ran })
        #expect(report.steps.first { $0.name == "wealth.time-maturities" }?.summary == "renewed 0 and paid back 1 matured time deposits")
        // Demand: 23 Nov–20 Dec, 28 days × 9,722,222 = 272,222,216 → ¥2.72 settled on the way, 222,216 carried;
        // 21 Dec–22 Feb, 64 days on ¥10,002.72: 1,000,272 × 3,500 ÷ 360 = 9,724,866 a day → 622,391,424 + 222,216.
        try await expectAccrued(t, account, 622_613_640, through: "2027-02-22")
        let lines = try await t.accounts.statement(of: account, cursor: nil, limit: 10).lines
        #expect(lines.contains { $0.memo == "活期结息 2026-12-21" && $0.amountFen == 2_72 })
        // The deposit: ¥10,000 + 10,000 × 1.10% × 3 ÷ 12 = ¥27.50, back on its maturity day.
        #expect(try await WD.balance(t, deposit) == 0)
        #expect(try await WD.balance(t, account.id) == 10_002_72 + 10_027_50)
        #expect(lines.contains { $0.memo == "定期到期支取" && $0.amountFen == 10_000_00 })
        // Expense: demand paid ¥2.72 + payable ⌊622.6⌋ = ¥6.22, and the deposit's ¥27.50.
        #expect(try await WD.balance(t, WealthLedgerAccounts.interestPayable) == 6_22)
        #expect(try await WD.balance(t, WealthLedgerAccounts.interestExpense) == -(2_72 + 6_22 + 27_50))
        try await t.finish()
    }

    @Test("The full end-of-day runner over consecutive dates with a settlement date; a date run twice changes nothing")
    func endOfDayRuns() async throws {
        let t = try await TestPlatform.make(at: "2026-12-18T10:00:00")
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 11_000_00)
        // ¥1,000 into a 3-month deposit (chart 2013, not a demand account): ¥10,000 stays on demand.
        let deposit = try await wealth.openTimeDeposit(principal, sourceAccountID: account.id, amountFen: 1_000_00, termMonths: 3, onMaturity: .returnToAccount,
                                                       idempotencyKey: "dep", address: WD.address).deposit.id
        let expected: [(String, String)] = [
            ("2026-12-18", "not a settlement date (20 Mar/Jun/Sep/Dec)"),
            ("2026-12-19", "not a settlement date (20 Mar/Jun/Sep/Dec)"),
            // 18th–20th: 3 × 9,722,222 = 29,166,666 → ¥0.29, 166,666 carried.
            ("2026-12-20", "credited ¥0.29 demand interest to 1 accounts; 0 refused (closed)"),
            ("2026-12-21", "not a settlement date (20 Mar/Jun/Sep/Dec)"),
        ]
        for (date, settlement) in expected {
            endOfDayClock(t, for: WD.day(date))
            let report = try await t.platform.endOfDay.run(date: WD.day(date))
            #expect(report.steps.allSatisfy { $0.outcome == .ran }, "\(date)")
            #expect(report.steps.first { $0.name == "wealth.demand-settlement" }?.summary == settlement, "\(date)")
            #expect(report.steps.map(\.name).contains("ledger.verify-invariants"))
        }
        // 21st: 1,000,029 × 3,500 ÷ 360 = 9,722,504 → 166,666 + 9,722,504 = 9,889,170.
        #expect(try await WD.balance(t, account.id) == 10_000_29)
        try await expectAccrued(t, account, 9_889_170, through: "2026-12-21")
        #expect(try await WD.balance(t, deposit) == 1_000_00)
        #expect(try await t.platform.database.first("SELECT COUNT(*) AS n FROM wealth_demand w JOIN ledger_accounts a ON a.num = w.account_num WHERE a.id = ?",
                                                    [.id(deposit)])?.int("n") == 0)
        try await expectInterestBooks(t, paidFen: 29)
        #expect(try await WD.balance(t, WealthLedgerAccounts.interestPayable) == 9)

        // The settlement date again: every step already done, nothing moves.
        let again = try await t.platform.endOfDay.run(date: WD.day("2026-12-20"))
        #expect(again.steps.allSatisfy { $0.outcome == .skippedAlreadyDone })
        // And each Wealth step called directly for it moves nothing either.
        #expect(try await wealth.accrueDemandInterest(for: WD.day("2026-12-20")).accountsAccrued == 0)
        #expect(try await wealth.settleDemandInterest(for: WD.day("2026-12-20")).accountsPaid == 0)
        #expect(try await wealth.processMaturities(for: WD.day("2026-12-20")).returned == 0)
        #expect(try await wealth.runSweeps(for: WD.day("2026-12-20")).swept == 0)
        #expect(try await WD.balance(t, account.id) == 10_000_29)
        #expect(try await accrued(t, account).micros == 9_889_170)
        try await expectInterestBooks(t, paidFen: 29)
        let journal = try await t.platform.endOfDay.journal(date: WD.day("2026-12-20"))
        #expect(journal.filter { $0.step.hasPrefix("wealth.") }.count == 9, "five deposit steps and four product steps")
        #expect(journal.allSatisfy { $0.status == "done" && $0.attempts == 1 })
        try await t.finish()
    }

    @Test("End-of-day for a day that has not ended is refused by the Wealth steps, and moves nothing")
    func notBeforeTheDayEnds() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 10_000_00)
        // A 3-month deposit maturing 2027-02-23: a run asked today for 2027-02-22 would pay it three months early,
        // with the full term's interest; one for today would accrue on a balance still moving and never look again.
        _ = try await wealth.openTimeDeposit(principal, sourceAccountID: account.id, amountFen: 1_000_00, termMonths: 3, onMaturity: .returnToAccount,
                                             idempotencyKey: "dep", address: WD.address)
        _ = try await wealth.setSweep(principal, accountID: account.id, thresholdFen: 1_000_00, dailyRedeemMaxFen: nil, address: WD.address)
        for date in ["2026-11-23", "2026-11-24", "2027-02-22"] {
            await refused(.invalidDate) { try await wealth.accrueDemandInterest(for: WD.day(date)) }
            await refused(.invalidDate) { try await wealth.settleDemandInterest(for: WD.day(date)) }
            await refused(.invalidDate) { try await wealth.processMaturities(for: WD.day(date)) }
            await refused(.invalidDate) { try await wealth.runSweeps(for: WD.day(date)) }
        }
        #expect(try await WD.balance(t, account.id) == 9_000_00)
        #expect(try await wealth.deposits(principal).first?.deposit.status == "open")
        #expect(try await accrued(t, account).through == nil)
        try await t.finish()
    }
}
