import BankKit
import Identity
import Ledger
import Storage

/// What another module must do before an account closes: Wealth pays the demand interest
/// accrued to the day before closing and refuses while deposits funded from it are open.
public protocol AccountClosingHook: Sendable {
    func accountWillClose(_ account: EAccount, on date: BusinessDate) async throws
}

extension ErrorCode {
    public static let accountHasPendingMovements: ErrorCode = "account_has_pending_movements"
}

extension AccountsService {
    /// Closes a Class II or III e-account online (销户): the installed hook settles interest to the
    /// day before, the whole balance goes to the bound account (a withdrawal under a key derived
    /// from `idempotencyKey`), then the account and its ledger account are closed. Closing a
    /// closed account answers it again.
    public func closeEAccount(_ principal: Principal, accountID: RongID, idempotencyKey: String?, address: String) async throws -> EAccountView {
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        let (account, _) = try await onlineAccountAndBound(principal, accountID)
        if account.status == "closed" { return try await view(account) }
        try AccountsService.checkCanSend(account)
        guard let balance = try await ledger.account(account.id)?.balance else { throw DomainError.notFound("Account") }
        guard balance.debitsPending == 0, balance.creditsPending == 0 else {
            throw DomainError(.accountHasPendingMovements, "Payments or transfers are still in progress on this account; close it when they finish.", status: 409)
        }
        try await closingHook.current?.accountWillClose(account, on: clock.businessDate())
        let remaining = try await ledger.account(account.id)?.balance.postedCreditBalance ?? 0
        if remaining > 0 {
            _ = try await withdraw(principal, accountID: account.id, amountFen: remaining, idempotencyKey: "close:" + key.prefix(58), address: address)
        }
        _ = try await ledger.setClosed(account.id, closed: true)
        // Money that arrived after the withdrawal: reopen and ask again rather than strand it.
        if let late = try await ledger.account(account.id)?.balance, late.postedCreditBalance != 0 || late.creditsPending != 0 {
            _ = try await ledger.setClosed(account.id, closed: false)
            throw DomainError(.conflict, "Money arrived while the account was closing; try again.", status: 409)
        }
        try await database.transaction { tx in
            try await tx.execute("UPDATE accounts_e_accounts SET status = 'closed' WHERE id = ? AND status <> 'closed'", [.id(account.id)])
            try await identity.audit.record(tx, actor: principal.actorRef, action: "account.close", target: "account:\(account.id)", address: address,
                                            detail: "paid out \(Money.fen(remaining).formatted) to the bound account")
        }
        return try await view(try await eAccount(id: account.id)!)
    }
}
