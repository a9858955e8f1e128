import Accounts
import BankKit
import Foundation
import Identity
import Ledger
import Testing
import Wealth

/// Closing an e-account online: demand interest to the day before closing, the sweep holding
/// back, deposits withdrawn first, the whole balance to the bound card, then closed.
@Suite struct AccountClosingTests {
    static let card = Cards.ccb(71)

    func customer(_ t: TestPlatform) async throws -> (Principal, EAccount) {
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "韩梅梅", idNumber: ResidentIDs.make(birth: "19910101", sequence: 71),
                                                                    mobile: "13955556666", cardNumber: Self.card)
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 20_000_00, idempotencyKey: "fund", address: "test")
        return (principal, account)
    }

    /// Runs end-of-day for each date from `first` to `last`, each at 00:05 the next morning.
    func endOfDay(_ t: TestPlatform, from first: String, through last: String) async throws {
        var date = try BusinessDate(iso: first)
        let end = try BusinessDate(iso: last)
        while date <= end {
            t.clock.set(date.adding(days: 1).instant(hour: 0, minute: 5))
            _ = try await t.platform.endOfDay.run(date: date)
            date = date.adding(days: 1)
        }
    }

    @Test func closingPaysInterestToTheDayBeforeAndEverythingToTheCard() async throws {
        let t = try await TestPlatform.make()
        let (principal, account) = try await customer(t)
        // Accrued on 23, 24 and 25 November: each day 2,000,000 fen × 3,500 ÷ 360 = 19,444,444 micro-fen
        // (truncated); three days 58,333,332 micro-fen = ¥0.583… → ¥0.58 at closing on the 26th.
        try await endOfDay(t, from: "2026-11-23", through: "2026-11-25")
        #expect(try await t.platform.wealth.demandAccrual(accountID: account.id).micros == 58_333_332)
        t.clock.set(try BusinessDate(iso: "2026-11-26").instant(hour: 10, minute: 0))
        let before = try #require(try await t.platform.interbankSimulator.balance(bankCode: "105", accountNumber: Self.card))

        let closed = try await t.accounts.closeEAccount(principal, accountID: account.id, idempotencyKey: "close-1", address: "test")
        #expect(closed.account.status == "closed" && closed.balanceFen == 0)
        #expect(try await t.platform.interbankSimulator.balance(bankCode: "105", accountNumber: Self.card) == before + 20_000_58)
        let ledgerAccount = try #require(try await t.ledger.account(account.id))
        #expect(ledgerAccount.flags.contains(.closed))
        let lines = try await t.accounts.statement(of: account, cursor: nil, limit: 10).lines
        #expect(lines.contains { $0.memo.contains("销户结息") && $0.amountFen == 58 })
        // Again with the same key: the closed account, nothing more moves.
        let again = try await t.accounts.closeEAccount(principal, accountID: account.id, idempotencyKey: "close-1", address: "test")
        #expect(again.account.status == "closed")
        #expect(try await t.platform.interbankSimulator.balance(bankCode: "105", accountNumber: Self.card) == before + 20_000_58)
        // The next end-of-day accrues nothing more and the quarter pays nothing twice.
        try await endOfDay(t, from: "2026-11-26", through: "2026-11-27")
        #expect(try await t.platform.wealth.demandAccrual(accountID: account.id).micros == 0)
        try await t.finish()
    }

    @Test func depositsFirstThenTheSweepComesBack() async throws {
        let t = try await TestPlatform.make()
        let (principal, account) = try await customer(t)
        let wealth = t.platform.wealth
        let deposit = try await wealth.openTimeDeposit(principal, sourceAccountID: account.id, amountFen: 5_000_00, termMonths: 3, onMaturity: .returnToAccount,
                                                       idempotencyKey: "d1", address: "test")
        await #expect(throws: DomainError.self) {
            _ = try await t.accounts.closeEAccount(principal, accountID: account.id, idempotencyKey: "close-1", address: "test")
        }
        do { _ = try await t.accounts.closeEAccount(principal, accountID: account.id, idempotencyKey: "close-1", address: "test") } catch let error as DomainError {
            #expect(error.code == .depositsOutstanding && error.status == 409)
        }
        #expect(try await t.accounts.eAccount(id: account.id)?.status == "active", "nothing changed")
        #expect(try await t.ledger.account(account.id)?.balance.postedCreditBalance == 15_000_00)

        _ = try await wealth.withdraw(principal, depositID: deposit.deposit.id, amountFen: nil, idempotencyKey: "w1", address: "test")
        _ = try await wealth.setSweep(principal, accountID: account.id, thresholdFen: 1_000_00, dailyRedeemMaxFen: nil, address: "test")
        try await endOfDay(t, from: "2026-11-23", through: "2026-11-23")
        #expect(try await wealth.sweepView(account.id)?.fundBalanceFen == 19_000_00)
        t.clock.set(try BusinessDate(iso: "2026-11-24").instant(hour: 9, minute: 0))
        let before = try #require(try await t.platform.interbankSimulator.balance(bankCode: "105", accountNumber: Self.card))
        let closed = try await t.accounts.closeEAccount(principal, accountID: account.id, idempotencyKey: "close-2", address: "test")
        #expect(closed.account.status == "closed")
        #expect(try await wealth.sweepView(account.id)?.fundBalanceFen == 0)
        #expect(try await wealth.sweepView(account.id)?.setting.active == false)
        // Everything came back: ¥19,000 from the fund (it had earned nothing yet: the evening sweep
        // of the 23rd moved it in after that day's cut-off, and income is paid on holdings at the end
        // of a day) and ¥1,000 on the account, with the demand interest of the 23rd on the ¥20,000
        // the account held at that day's cut-off: 2,000,000 × 3,500 ÷ 360 = 19,444,444 micro-fen → ¥0.19.
        let paid = try #require(try await t.platform.interbankSimulator.balance(bankCode: "105", accountNumber: Self.card)) - before
        #expect(paid == 20_000_00 + 19)
        try await t.finish()
    }
}
