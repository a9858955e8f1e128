import BankKit
import Foundation
import Identity
import Storage

/// What the staff console shows about a customer.
public struct CustomerDetail: Sendable {
    public let customer: Customer
    public let accounts: [EAccountView]
    public let boundAccounts: [BoundAccount]
    public let freezes: [Freeze]
}

extension AccountsService {
    public static let searchResultsMax = 50
    public static let freezeReasonMaxLength = 200

    /// Staff search by name, mobile, ID number or account number (exact for numbers, prefix for names).
    public func searchCustomers(by staff: Principal, query: String, address: String) async throws -> [Customer] {
        try AccountsService.requireStaff(staff)
        let text = query.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.count <= 40 else {
            throw DomainError(.invalidRequest, "Search with 1–40 characters.", status: 422, extensions: ["field": .string("q")])
        }
        let columns = SQLColumns.qualified(AccountsService.customerColumns, table: "c")
        let rows = try await database.query(
            """
            SELECT DISTINCT \(columns) FROM accounts_customers c LEFT JOIN accounts_e_accounts a ON a.customer_id = c.id
            WHERE c.mobile = ? OR c.id_number = ? OR a.account_number = ? OR c.name LIKE ?
            ORDER BY c.created_at DESC LIMIT ?
            """,
            [.text(text), .text(text.uppercased()), .text(text), .text(text.replacingOccurrences(of: "%", with: "") + "%"), .int(AccountsService.searchResultsMax)])
        try await identity.audit.record(actor: staff.actorRef, action: "customer.search", target: "query", address: address,
                                        detail: "results=\(rows.count)")
        return rows.map(AccountsService.customer)
    }

    public func customerDetail(by staff: Principal, customerID: RongID, address: String) async throws -> CustomerDetail {
        try AccountsService.requireStaff(staff)
        guard let customer = try await customer(id: customerID) else { throw DomainError.notFound("Customer") }
        try await identity.audit.record(actor: staff.actorRef, action: "customer.view", target: "customer:\(customer.id)", address: address)
        let freezes = try await database.query(
            """
            SELECT f.id, f.e_account_id, f.kind, f.reason, f.frozen_by, f.frozen_at, f.released_by, f.released_at
            FROM accounts_freezes f JOIN accounts_e_accounts a ON a.id = f.e_account_id WHERE a.customer_id = ? ORDER BY f.frozen_at DESC LIMIT 100
            """, [.id(customer.id)]).map(AccountsService.freeze)
        return CustomerDetail(customer: customer, accounts: try await accounts(of: customer), boundAccounts: try await boundAccounts(of: customer),
                              freezes: freezes)
    }

    /// Staff view of one account with its balance.
    public func accountDetail(by staff: Principal, accountID: RongID) async throws -> EAccountView {
        try AccountsService.requireStaff(staff)
        guard let account = try await eAccount(id: accountID) else { throw DomainError.notFound("Account") }
        return try await view(account)
    }

    /// Freezes an account (it can still receive money but cannot send), with a reason. Operators and admins.
    public func freeze(by staff: Principal, accountID: RongID, kind: Freeze.Kind, reason: String, address: String) async throws -> Freeze {
        try AccountsService.requireOperator(staff)
        let reason = try AccountsService.validateReason(reason)
        guard let account = try await eAccount(id: accountID) else { throw DomainError.notFound("Account") }
        guard account.status == "active" else {
            throw DomainError(account.status == "frozen" ? .accountFrozen : .accountClosed, "The account is already \(account.status).", status: 409)
        }
        let id = ids.next()
        try await locks.withLock([account.id]) {
            try await database.transaction { tx in
                try await tx.execute("UPDATE accounts_e_accounts SET status = 'frozen' WHERE id = ? AND status = 'active'", [.id(account.id)])
                try await tx.execute("INSERT INTO accounts_freezes (id, e_account_id, kind, reason, frozen_by, frozen_at) VALUES (?, ?, ?, ?, ?, ?)",
                                     [.id(id), .id(account.id), .text(kind.rawValue), .text(reason), .text(staff.actorRef), .time(clock.now())])
                try await identity.audit.record(tx, actor: staff.actorRef, action: "account.freeze", target: "e_account:\(account.id)", address: address,
                                                detail: "kind=\(kind.rawValue) reason=\(reason)")
            }
        }
        return try await database.first("SELECT id, e_account_id, kind, reason, frozen_by, frozen_at, released_by, released_at FROM accounts_freezes WHERE id = ?",
                                        [.id(id)]).map(AccountsService.freeze)!
    }

    /// Releases the account's open freeze, with a reason.
    public func unfreeze(by staff: Principal, accountID: RongID, reason: String, address: String) async throws -> EAccount {
        try AccountsService.requireOperator(staff)
        let reason = try AccountsService.validateReason(reason)
        guard let account = try await eAccount(id: accountID) else { throw DomainError.notFound("Account") }
        guard account.status == "frozen" else { throw DomainError(.notFrozen, "The account is not frozen.", status: 409) }
        try await locks.withLock([account.id]) {
            try await database.transaction { tx in
                try await tx.execute("UPDATE accounts_e_accounts SET status = 'active' WHERE id = ? AND status = 'frozen'", [.id(account.id)])
                try await tx.execute("UPDATE accounts_freezes SET released_by = ?, released_at = ?, release_reason = ? WHERE e_account_id = ? AND released_at IS NULL",
                                     [.text(staff.actorRef), .time(clock.now()), .text(reason), .id(account.id)])
                try await identity.audit.record(tx, actor: staff.actorRef, action: "account.unfreeze", target: "e_account:\(account.id)", address: address,
                                                detail: "reason=\(reason)")
            }
        }
        return try await eAccount(id: account.id)!
    }

    static func freeze(_ row: SQLRow) -> Freeze {
        Freeze(id: row.id("id"), eAccountID: row.id("e_account_id"), kind: Freeze.Kind(rawValue: row.text("kind")) ?? .fraud, reason: row.text("reason"),
               frozenBy: row.text("frozen_by"), frozenAt: row.time("frozen_at"), releasedBy: row.optionalText("released_by"),
               releasedAt: row.optionalInt("released_at").map { Timestamp(nanosecondsSinceEpoch: $0) })
    }

    static func validateReason(_ text: String) throws(DomainError) -> String {
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= freezeReasonMaxLength else {
            throw DomainError(.invalidRequest, "Give a reason of 1–200 characters.", status: 422, extensions: ["field": .string("reason")])
        }
        return reason
    }

    static func requireStaff(_ principal: Principal) throws(DomainError) {
        guard principal.role.isStaff else { throw DomainError(.forbidden, "Staff only.", status: 403) }
    }

    static func requireOperator(_ principal: Principal) throws(DomainError) { try principal.requireOperator() }
}
