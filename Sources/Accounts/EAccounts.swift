import BankKit
import Foundation
import Identity
import Interbank
import Ledger
import Storage

/// One line of an account statement.
public struct StatementLine: Sendable, Hashable {
    public let transferID: RongID
    public let at: Timestamp
    /// Positive for money in, negative for money out.
    public let amountFen: Int64
    public let balanceAfterFen: Int64
    public let memo: String
    public let code: Int
    public let cursor: String
}

extension AccountsService {
    /// Opens a Class II or III e-account bound to one of the customer's bound accounts.
    public func openEAccount(_ principal: Principal, accountClass: AccountClass, boundAccountID: RongID, address: String) async throws -> EAccount {
        let customer = try await customer(of: principal)
        guard accountClass != .classI else { throw DomainError(.invalidRequest, "Class I accounts are opened at the counter.", status: 422,
                                                               extensions: ["field": .string("account_class")]) }
        guard let bound = try await boundAccount(id: boundAccountID), bound.customerID == customer.id, bound.status == "active" else {
            throw DomainError(.boundAccountNotFound, "Bind an own-name Class I account first and choose it here.", status: 422,
                              extensions: ["field": .string("bound_account_id")])
        }
        return try await open(customer: customer, accountClass: accountClass, boundAccountID: bound.id, channel: "online",
                              actor: principal.actorRef, address: address)
    }

    /// Opens a Class I account at the counter for an existing customer (operators), with an
    /// optional cash deposit. Idempotent on the Idempotency-Key: a retry answers the same account
    /// and deposits once; the same key with another deposit amount is refused with 409.
    public func openClassIAccount(by staff: Principal, customerID: RongID, cashDepositFen: Int64, idempotencyKey: String?,
                                  address: String) async throws -> EAccount {
        guard staff.role == .operator || staff.role == .admin else { throw DomainError(.forbidden, "Only operators open counter accounts.", status: 403) }
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        guard let customer = try await customer(id: customerID) else { throw DomainError.notFound("Customer") }
        guard cashDepositFen >= 0, cashDepositFen <= AccountsService.movementMaxFen else {
            throw DomainError(.invalidAmount, "The cash deposit must be between ¥0 and ¥1,000,000.00.", status: 422,
                              extensions: ["field": .string("cash_deposit_fen")])
        }
        let id = RongID.derived("accounts.class-i", customer.id.description, key)
        let depositID = RongID.derived("accounts.counter-deposit", id.description)
        let account: EAccount
        if let existing = try await eAccount(id: id) {
            let deposited = try await ledger.transfer(depositID)?.amount
            guard deposited == nil || deposited == cashDepositFen else {
                throw DomainError(.idempotencyConflict, "This Idempotency-Key opened an account with a different cash deposit.", status: 409)
            }
            account = existing
        } else {
            account = try await open(customer: customer, accountClass: .classI, boundAccountID: nil, channel: "counter",
                                     actor: staff.actorRef, address: address, id: id)
        }
        if cashDepositFen > 0 {
            let result = try await ledger.submit([.posted(id: depositID, from: AccountsService.cashAccountID, to: account.id, amount: cashDepositFen,
                                                          code: AccountsTransferCode.counterCashDeposit,
                                                          metadata: AccountsService.memo("柜面现金存入 counter cash deposit"))])[0]
            guard result.isSuccess else { throw AccountsService.refusal(result.status) }
        }
        return account
    }

    package func open(customer: Customer, accountClass: AccountClass, boundAccountID: RongID?, channel: String, actor: String, address: String,
                      id chosenID: RongID? = nil) async throws -> EAccount {
        let id = chosenID ?? ids.next()
        let prefix = accountClass == .classI ? ThisBank.classIPrefix : ThisBank.eAccountPrefix
        var opened = false
        // A random 12-digit body collides rarely; retry a bounded number of times.
        for _ in 0..<5 where !opened {
            let payload = prefix + random.digits(12)
            let number = payload + String(Luhn.checkDigit(for: payload))
            opened = try await database.transaction { tx in
                if accountClass != .classI {
                    let count = try await tx.first("SELECT COUNT(*) AS n FROM accounts_e_accounts WHERE customer_id = ? AND account_class = ? AND status <> 'closed'",
                                                   [.id(customer.id), .text(accountClass.rawValue)])?.int("n") ?? 0
                    if count >= Int64(AccountClass.perPersonMax) {
                        throw DomainError(.eAccountCountExceeded, "At most \(AccountClass.perPersonMax) \(accountClass.labelZH) per person.", status: 422,
                                          extensions: ["field": .string("account_class")])
                    }
                }
                if try await tx.first("SELECT id FROM accounts_e_accounts WHERE account_number = ?", [.text(number)]) != nil { return false }
                try await tx.execute(
                    """
                    INSERT INTO accounts_e_accounts (id, customer_id, account_class, account_number, bound_account_id, status, opened_at, opened_channel)
                    VALUES (?, ?, ?, ?, ?, 'active', ?, ?)
                    """,
                    [.id(id), .id(customer.id), .text(accountClass.rawValue), .text(number), .id(boundAccountID), .time(clock.now()), .text(channel)])
                try await identity.audit.record(tx, actor: actor, action: "account.open", target: "e_account:\(id)", address: address,
                                                detail: "class=\(accountClass.rawValue) number=\(AccountNumberFormat.masked(number))")
                return true
            }
        }
        guard opened else { throw DomainError(.unavailable, "Could not allocate an account number; try again.", status: 503) }
        // The ledger account carries the same id; created after the row so a failed open leaves no balance holder.
        let status = try await ledger.createAccounts([NewAccount(id: id, asset: .cny, chartCode: ChartOfAccounts.customerDemandDeposits,
                                                                 ownerRef: "customer:\(customer.id)", flags: [.debitsMustNotExceedCredits])])[0]
        guard status == .ok || status == .exists else {
            try await database.execute("UPDATE accounts_e_accounts SET status = 'closed' WHERE id = ?", [.id(id)])
            throw DomainError(.internalError, "The ledger refused the new account (\(status.rawValue)).", status: 500)
        }
        return try await eAccount(id: id)!
    }

    /// The customer's accounts with balances.
    public func accounts(of customer: Customer) async throws -> [EAccountView] {
        let rows = try await database.query("SELECT \(AccountsService.eAccountColumns) FROM accounts_e_accounts WHERE customer_id = ? ORDER BY opened_at LIMIT 50",
                                            [.id(customer.id)])
        var views: [EAccountView] = []
        for row in rows { views.append(try await view(AccountsService.eAccount(row))) }
        return views
    }

    public func accountView(_ principal: Principal, id: RongID) async throws -> EAccountView {
        try await view(ownedAccount(id, of: customer(of: principal)))
    }

    /// Statement lines, newest first with cursor pagination, for the owner. A page may hold fewer
    /// lines than `limit` (holds are skipped); `next` says whether more follow.
    public func statement(_ principal: Principal, id: RongID, cursor: String?, limit: Int) async throws -> (lines: [StatementLine], next: String?) {
        let account = try await ownedAccount(id, of: customer(of: principal))
        return try await statement(of: account, cursor: cursor, limit: limit)
    }

    public func statement(of account: EAccount, cursor: String?, limit: Int) async throws -> (lines: [StatementLine], next: String?) {
        let page = try await ledger.statement(account: account.id, after: cursor, limit: max(1, min(limit, 200)), newestFirst: true)
        // A customer sees what changed the balance: holds and their voids are not statement lines
        // (a withdrawal's hold shows once, when it is posted).
        let lines = page.entries.filter { !$0.transfer.flags.contains(.pending) && !$0.transfer.flags.contains(.voidPending) }.map { entry in
            StatementLine(transferID: entry.transfer.id, at: entry.transfer.timestamp,
                          amountFen: entry.isDebit ? -entry.transfer.amount : entry.transfer.amount, balanceAfterFen: entry.balanceAfter,
                          memo: AccountsService.memoText(entry.transfer.metadata), code: entry.transfer.code, cursor: entry.cursor)
        }
        return (lines, page.nextCursor)
    }

    struct Metadata: Codable { var memo: String }

    /// Transfer metadata (JSON) carrying the statement memo.
    /// Ledger metadata carrying a statement memo (`{"memo": …}`).
    public static func memo(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(Metadata(memo: text))) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func memoText(_ metadata: String?) -> String {
        guard let metadata, let decoded = try? JSONDecoder().decode(Metadata.self, from: Data(metadata.utf8)) else { return "" }
        return decoded.memo
    }
}
