import Accounts
import BankKit
import Identity
import Ledger
import Payments
import Storage
import Testing
import Wealth

/// 聚财宝 (DOMAIN.md §4, modelled as a sweep): each evening the demand balance above the threshold
/// moves into a money-market fund (NAV ¥1, yield 2.50% over 365 days, income daily, sub-fen
/// carried); a payment that needs more than the demand balance redeems from the fund at once,
/// within a daily amount.
@Suite struct WealthDepositSweepTests {
    static let mobile = "13912345601"

    /// The run for `date` happens after midnight, at 00:05 on the next day.
    func runEndOfDay(_ t: TestPlatform, _ date: String) async throws -> EODSummary {
        t.clock.set(WD.day(date).adding(days: 1).instant(hour: 0, minute: 5))
        let report = try await t.platform.endOfDay.run(date: WD.day(date))
        #expect(report.steps.allSatisfy { $0.outcome == .ran })
        return EODSummary(sweeps: report.steps.first { $0.name == "wealth.sweeps" }?.summary ?? "")
    }

    struct EODSummary { let sweeps: String }

    /// Pays an e-Pay order of `amountFen` from the account ending `last6` (code by SMS).
    func pay(_ t: TestPlatform, _ merchant: Merchant, _ number: String, _ amountFen: Int64, last6: String) async throws -> PaymentOrder {
        let order = try await t.payments.createOrder(merchant: merchant, orderNumber: number, amountFen: amountFen, description: "茶叶", expiresInSeconds: nil)
        t.clock.advance(seconds: 61)   // one payment code a minute
        let challenge = try await t.payments.requestPaymentCode(orderID: order.id, mobile: Self.mobile, accountLast6: last6, address: WD.address)
        return try await t.payments.confirm(orderID: order.id, challengeID: challenge.id, code: try await t.lastCode(Self.mobile), address: WD.address)
    }

    @Test("Sweep settings: a negative threshold, a Class III account, a cap above the default are refused; nothing written")
    func settingsRefused() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 1_000_00)
        await refused(.invalidAmount, field: "threshold") {
            try await wealth.setSweep(principal, accountID: account.id, thresholdFen: -1, dailyRedeemMaxFen: nil, address: WD.address)
        }
        await refused(.invalidAmount, field: "daily_redeem_max") {
            try await wealth.setSweep(principal, accountID: account.id, thresholdFen: 0, dailyRedeemMaxFen: 50_000_01, address: WD.address)
        }
        await refused(.invalidAmount, field: "daily_redeem_max") {
            try await wealth.setSweep(principal, accountID: account.id, thresholdFen: 0, dailyRedeemMaxFen: -1, address: WD.address)
        }
        let classIII = try await t.accounts.openEAccount(principal, accountClass: .classIII, boundAccountID: account.boundAccountID!, address: WD.address)
        await refused(.accountClassNotAllowed) {
            try await wealth.setSweep(principal, accountID: classIII.id, thresholdFen: 0, dailyRedeemMaxFen: nil, address: WD.address)
        }
        #expect(try await wealth.sweepView(account.id) == nil)
        #expect(try await wealth.sweeps(principal).isEmpty)
        await refused(.notFound) { try await wealth.stopSweep(principal, accountID: account.id, address: WD.address) }
        // A threshold of ¥0 is allowed (everything sweeps), with the default ¥50,000 a day of instant redemption.
        let view = try await wealth.setSweep(principal, accountID: account.id, thresholdFen: 0, dailyRedeemMaxFen: nil, address: WD.address)
        #expect(view.setting.active && view.setting.thresholdFen == 0 && view.setting.dailyRedeemMaxFen == 50_000_00)
        #expect(view.fundBalanceFen == 0 && view.redeemedTodayFen == 0 && view.yield.micros == 25_000)
        try await t.finish()
    }

    @Test("The evening sweep moves whole yuan above the threshold; the fund earns holding × 2.50% ÷ 365 a day; stop brings it back")
    func eveningSweepAndIncome() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 20_000_55)
        let fund = try await wealth.setSweep(principal, accountID: account.id, thresholdFen: 5_000_00, dailyRedeemMaxFen: nil, address: WD.address)
            .setting.fundAccountID
        #expect(try await t.ledger.account(fund)?.chartCode == "2015")
        // 23rd: ¥20,000.55 − ¥5,000 = ¥15,000.55 above: ¥15,000 moves (whole yuan); no income yet (nothing held).
        let first = try await runEndOfDay(t, "2026-11-23")
        #expect(first.sweeps == "swept ¥15,000.00 from 1 accounts into the fund; fund income ¥0.00")
        #expect(try await WD.balance(t, account.id) == 5_000_55)
        #expect(try await WD.balance(t, fund) == 15_000_00)
        // Called again for the date: nothing twice.
        let replay = try await wealth.runSweeps(for: WD.day("2026-11-23"))
        #expect(replay.swept == 0 && replay.sweptFen == 0 && replay.incomeFen == 0)
        #expect(try await WD.balance(t, fund) == 15_000_00)
        // 24th: 1,500,000 × 25,000 ÷ 365 = 102,739,726 micro-fen → ¥1.02 credited, 739,726 carried; 55 fen left
        // above the threshold is under ¥1 and stays.
        let second = try await runEndOfDay(t, "2026-11-24")
        #expect(second.sweeps == "swept ¥0.00 from 0 accounts into the fund; fund income ¥1.02")
        #expect(try await WD.balance(t, fund) == 15_001_02)
        // 25th: 1,500,102 × 25,000 ÷ 365 = 102,746,712 + 739,726 = 103,486,438 → ¥1.03, 486,438 carried.
        _ = try await runEndOfDay(t, "2026-11-25")
        #expect(try await WD.balance(t, fund) == 15_002_05)
        #expect(try await WD.balance(t, WealthLedgerAccounts.sweepFundIncome) == -2_05)
        let lines = try await t.accounts.statement(of: account, cursor: nil, limit: 10).lines
        #expect(lines.contains { $0.amountFen == -15_000_00 && $0.memo == "聚财宝自动转入" && $0.code == WealthTransferCode.sweepIn })
        // Stop: the whole holding comes back, and the evening sweep leaves the account alone.
        t.clock.set(WD.day("2026-11-26").instant(hour: 10, minute: 0))
        let stopped = try await wealth.stopSweep(principal, accountID: account.id, address: WD.address)
        #expect(!stopped.setting.active && stopped.fundBalanceFen == 0)
        #expect(try await WD.balance(t, account.id) == 20_002_60)
        let afterStop = try await runEndOfDay(t, "2026-11-26")
        #expect(afterStop.sweeps == "swept ¥0.00 from 0 accounts into the fund; fund income ¥0.00")
        #expect(try await WD.balance(t, account.id) == 20_002_60)
        // Turned on again, the sweep resumes.
        t.clock.set(WD.day("2026-11-27").instant(hour: 10, minute: 0))
        _ = try await wealth.setSweep(principal, accountID: account.id, thresholdFen: 10_000_00, dailyRedeemMaxFen: nil, address: WD.address)
        _ = try await runEndOfDay(t, "2026-11-27")
        #expect(try await WD.balance(t, fund) == 10_002_00)
        #expect(try await WD.balance(t, account.id) == 10_000_60)
        try await t.finish()
    }

    @Test("A missed evening: the next run pays the fund income of each day held")
    func missedEvening() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let (principal, account) = try await WD.saver(t, fundFen: 15_000_00)
        let fund = try await wealth.setSweep(principal, accountID: account.id, thresholdFen: 0, dailyRedeemMaxFen: nil, address: WD.address)
            .setting.fundAccountID
        _ = try await runEndOfDay(t, "2026-11-23")
        #expect(try await WD.balance(t, fund) == 15_000_00)
        // No run for the 24th; the run for the 25th pays two days on ¥15,000:
        // 2 × 102,739,726 = 205,479,452 micro-fen → ¥2.05, 479,452 carried.
        let report = try await runEndOfDay(t, "2026-11-25")
        #expect(report.sweeps == "swept ¥0.00 from 0 accounts into the fund; fund income ¥2.05")
        #expect(try await WD.balance(t, fund) == 15_002_05)
        // The day after, on ¥15,002.05: 1,500,205 × 25,000 ÷ 365 = 102,753,767 + 479,452 = 103,233,219 → ¥1.03.
        _ = try await runEndOfDay(t, "2026-11-26")
        #expect(try await WD.balance(t, fund) == 15_003_08)
        try await t.finish()
    }

    @Test("A payment that needs more than the demand balance redeems from the fund at once (e-Pay and a transfer)")
    func instantRedemption() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let merchant = try await t.merchant().merchant
        let (principal, account) = try await WD.saver(t, fundFen: 20_000_55)
        let last6 = String(account.accountNumber.suffix(6))
        let (_, payee) = try await WD.saver(t, name: "赵敏", sequence: 502, mobile: "13912345602", fundFen: 0)
        let fund = try await wealth.setSweep(principal, accountID: account.id, thresholdFen: 5_000_00, dailyRedeemMaxFen: nil, address: WD.address)
            .setting.fundAccountID
        _ = try await runEndOfDay(t, "2026-11-23")
        #expect(try await WD.balance(t, account.id) == 5_000_55)
        #expect(try await WD.balance(t, fund) == 15_000_00)
        t.clock.set(WD.day("2026-11-24").instant(hour: 10, minute: 0))
        // ¥4,000 is within the demand balance: nothing is redeemed.
        #expect(try await pay(t, merchant, "S1", 4_000_00, last6: last6).status == .paid)
        #expect(try await WD.balance(t, account.id) == 1_000_55)
        #expect(try await WD.balance(t, fund) == 15_000_00)
        // A ¥3,000 transfer to another customer: ¥1,999.45 short, redeemed first, then paid.
        let challenge = try await t.accounts.requestNewPayeeCode(principal, payeeAccountNumber: payee.accountNumber)
        let moved = try await t.accounts.transfer(principal, accountID: account.id, payeeAccountNumber: payee.accountNumber, payeeName: "赵敏",
                                                  amountFen: 3_000_00, memo: nil, otpChallengeID: challenge.id, otpCode: try await t.lastCode(Self.mobile),
                                                  idempotencyKey: "t1", address: WD.address)
        #expect(moved.status == .completed)
        #expect(try await WD.balance(t, account.id) == 0)
        #expect(try await WD.balance(t, payee.id) == 3_000_00)
        #expect(try await WD.balance(t, fund) == 13_000_55)
        #expect(try await wealth.sweepView(account.id)?.redeemedTodayFen == 1_999_45)
        let lines = try await t.accounts.statement(of: account, cursor: nil, limit: 5).lines
        #expect(lines.map(\.amountFen).prefix(2) == [-3_000_00, 1_999_45])
        #expect(lines.dropFirst().first?.memo == "聚财宝快速赎回（支付）")
        // An e-Pay payment of ¥1,000 with nothing on demand: all of it from the fund.
        let paid = try await pay(t, merchant, "S2", 1_000_00, last6: last6)
        #expect(paid.status == .paid && paid.capturedFen == 1_000_00)
        #expect(try await WD.balance(t, account.id) == 0)
        #expect(try await WD.balance(t, fund) == 12_000_55)
        #expect(try await WD.balance(t, merchant.settlementAccountID) == 5_000_00)
        #expect(try await wealth.sweepView(account.id)?.redeemedTodayFen == 2_999_45)
        try await t.finish()
    }

    @Test("The daily instant-redemption cap: what the cap cannot cover redeems nothing; the cap resets the next day")
    func redemptionCap() async throws {
        let t = try await TestPlatform.make()
        let wealth = t.platform.wealth
        let merchant = try await t.merchant().merchant
        let (principal, account) = try await WD.saver(t, fundFen: 10_000_00)
        let last6 = String(account.accountNumber.suffix(6))
        let fund = try await wealth.setSweep(principal, accountID: account.id, thresholdFen: 0, dailyRedeemMaxFen: 1_000_00, address: WD.address)
            .setting.fundAccountID
        _ = try await runEndOfDay(t, "2026-11-23")
        #expect(try await WD.balance(t, account.id) == 0)
        #expect(try await WD.balance(t, fund) == 10_000_00)
        t.clock.set(WD.day("2026-11-24").instant(hour: 10, minute: 0))
        // ¥2,000 needs more than the ¥1,000 a day: refused for lack of funds, and nothing was redeemed for it.
        await refused(.insufficientFunds) { try await pay(t, merchant, "C1", 2_000_00, last6: last6) }
        #expect(try await WD.balance(t, fund) == 10_000_00)
        #expect(try await WD.balance(t, account.id) == 0)
        #expect(try await wealth.sweepView(account.id)?.redeemedTodayFen == 0)
        // ¥800 fits.
        #expect(try await pay(t, merchant, "C2", 800_00, last6: last6).status == .paid)
        #expect(try await wealth.sweepView(account.id)?.redeemedTodayFen == 800_00)
        #expect(try await WD.balance(t, fund) == 9_200_00)
        // A redemption by hand counts too: ¥300 more would pass ¥1,000; ¥200 reaches it exactly.
        await refused(.sweepRedemptionLimit) { try await wealth.redeemSweep(principal, accountID: account.id, amountFen: 300_00, idempotencyKey: "r1") }
        #expect(try await WD.balance(t, fund) == 9_200_00)
        let redeemed = try await wealth.redeemSweep(principal, accountID: account.id, amountFen: 200_00, idempotencyKey: "r2")
        #expect(redeemed.redeemedTodayFen == 1_000_00 && redeemed.fundBalanceFen == 9_000_00)
        #expect(try await WD.balance(t, account.id) == 200_00)
        // The same key again: the same redemption, not a second one; another amount under it is a conflict.
        #expect(try await wealth.redeemSweep(principal, accountID: account.id, amountFen: 200_00, idempotencyKey: "r2").redeemedTodayFen == 1_000_00)
        await refused(.idempotencyConflict) { try await wealth.redeemSweep(principal, accountID: account.id, amountFen: 100_00, idempotencyKey: "r2") }
        await refused(.invalidAmount) { try await wealth.redeemSweep(principal, accountID: account.id, amountFen: 9_000_01, idempotencyKey: "r3") }
        #expect(try await WD.balance(t, account.id) == 200_00)
        // Next day the cap is fresh.
        t.clock.set(WD.day("2026-11-25").instant(hour: 10, minute: 0))
        #expect(try await wealth.sweepView(account.id)?.redeemedTodayFen == 0)
        #expect(try await wealth.redeemSweep(principal, accountID: account.id, amountFen: 1_000_00, idempotencyKey: "r4").redeemedTodayFen == 1_000_00)
        #expect(try await WD.balance(t, account.id) == 1_200_00)
        try await t.finish()
    }
}
