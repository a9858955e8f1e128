import Accounts
import BankKit
import Foundation
import Identity
import Interbank
import Ledger
import Storage
import Testing

/// A movement cut off half-way (the process died after writing its row, or after a leg) is
/// finished by the recovery pass, moving money exactly once.
@Suite struct MovementRecoveryTests {
    func setUp(_ t: TestPlatform) async throws -> (Principal, EAccount, String) {
        let card = Cards.ccb(4321)
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "林芳", idNumber: ResidentIDs.make(birth: "19880315", sequence: 84),
                                                                    mobile: "13866667777", cardNumber: card, bankBalanceFen: 50_000_00)
        return (principal, account, card)
    }

    /// Writes a pending movement row the way `fund`/`withdraw` do before any money moves.
    func pendingRow(_ t: TestPlatform, _ account: EAccount, kind: String, key: String, amountFen: Int64, card: String) async throws -> RongID {
        let id = RongID.derived("accounts.movement", account.id.description, key)
        try await t.platform.database.execute(
            """
            INSERT INTO accounts_movements (id, e_account_id, kind, request_hash, amount_fen, counterparty_account, counterparty_name, counterparty_bank,
                                            status, created_at) VALUES (?, ?, ?, ?, ?, ?, '', '105', 'pending', ?)
            """,
            [.id(id), .id(account.id), .text(kind), .blob(Array("\(kind == "funding" ? "funding" : "withdrawal")|\(amountFen)".utf8)), .int(amountFen),
             .text(card), .time(t.clock.now)])
        return id
    }

    @Test("A funding interrupted after its row was written is finished: the bank debited once, the account credited")
    func fundingResumed() async throws {
        let t = try await TestPlatform.make()
        let (principal, account, card) = try await setUp(t)
        let id = try await pendingRow(t, account, kind: "funding", key: "crash-1", amountFen: 1_000_00, card: card)
        #expect(try await t.accounts.resumePendingMovements() == 0, "too fresh: the request may still be running")
        t.clock.advance(seconds: AccountsService.resumeAfterSeconds + 1)
        #expect(try await t.accounts.resumePendingMovements() == 1)
        #expect(try await t.accounts.movements(principal, accountID: account.id).first { $0.id == id }?.status == .completed)
        #expect(try await t.ledger.account(account.id)!.balance.postedCreditBalance == 1_000_00)
        #expect(try await t.platform.interbankSimulator.balance(bankCode: "105", accountNumber: card) == 49_000_00)
        // The customer's retry with the same key answers the completed movement, moving nothing again.
        let retried = try await t.accounts.fund(principal, accountID: account.id, amountFen: 1_000_00, idempotencyKey: "crash-1", address: "test")
        #expect(retried.status == .completed)
        #expect(try await t.platform.interbankSimulator.balance(bankCode: "105", accountNumber: card) == 49_000_00)
        try await t.finish()
    }

    @Test("A withdrawal interrupted after its hold is finished: paid out once and the hold posted, not left to expire")
    func withdrawalResumed() async throws {
        let t = try await TestPlatform.make()
        let (principal, account, card) = try await setUp(t)
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 2_000_00, idempotencyKey: "fund", address: "test")
        let id = try await pendingRow(t, account, kind: "withdrawal", key: "crash-2", amountFen: 500_00, card: card)
        // The hold exactly as `withdraw` places it.
        let hold = try await t.ledger.submit([TransferRequest(
            id: RongID.derived("accounts.movement.hold", id.description), debitAccountID: account.id, creditAccountID: AccountsService.clearingAccountID,
            amount: 500_00, asset: "CNY", code: AccountsTransferCode.withdrawalInterbank, flags: [.pending], timeoutSeconds: 3600,
            metadata: #"{"memo":"转出至绑定账户 to 中国建设银行 6217 **** **** \#(card.suffix(4))"}"#)])[0]
        #expect(hold.status == .ok)
        t.clock.advance(seconds: AccountsService.resumeAfterSeconds + 1)
        #expect(try await t.accounts.resumePendingMovements() == 1)
        #expect(try await t.accounts.movements(principal, accountID: account.id).first { $0.id == id }?.status == .completed)
        let balance = try await t.ledger.account(account.id)!.balance
        #expect(balance.postedCreditBalance == 1_500_00)
        #expect(balance.debitsPending == 0)
        #expect(try await t.platform.interbankSimulator.balance(bankCode: "105", accountNumber: card) == 50_000_00 - 2_000_00 + 500_00)
        try await t.finish()
    }
}
