import Accounts
import BankKit
import Synchronization
import Storage

/// Enrolment of a customer in e-Link, on their first use (a connection, a call, a notification):
/// the notice conversation with the bank's service account, every auto-follow account of the
/// head office and their branch, and an account manager of their branch. Idempotent.
final class EnrolledUsers: Sendable {
    /// Remembered per process; past this many the memory is cleared (enrolment is idempotent).
    static let rememberedMax = 1_000_000
    private let users = Mutex(Set<RongID>())

    func contains(_ id: RongID) -> Bool { users.withLock { $0.contains(id) } }

    func insert(_ id: RongID) {
        users.withLock {
            if $0.count >= EnrolledUsers.rememberedMax { $0.removeAll() }
            $0.insert(id)
        }
    }
}

extension MessagingService {
    /// Enrols a customer user (nothing for other roles, or a user without a customer record).
    public func enrol(customerUserID: RongID) async throws {
        if enrolled.contains(customerUserID) { return }
        guard let customer = try await customerRecord(userID: customerUserID) else {
            // Not a customer (staff, or a user without a customer record): nothing to enrol, ever.
            enrolled.insert(customerUserID)
            return
        }
        do { try await enrol(customer) } catch let error as StorageError where error.kind == .uniqueViolation {
            // Another node (or request) enrolled the same customer at the same moment; this pass now finds its rows.
            try await enrol(customer)
        }
        enrolled.insert(customerUserID)
    }

    private func enrol(_ customer: Customer) async throws {
        let customerUserID = customer.userID
        try await database.transaction { tx in
            _ = try await noticeConversation(tx, userID: customerUserID)
            let accounts = try await tx.query(
                "SELECT channel_id FROM messaging_official_accounts WHERE auto_follow = 1 AND (branch_code IS NULL OR branch_code = ?) LIMIT 100",
                [.text(customer.branchCode)])
            for account in accounts {
                if try await tx.first("SELECT 1 AS one FROM messaging_members WHERE conversation_id = ? AND user_id = ?",
                                      [.id(account.id("channel_id")), .id(customerUserID)]) == nil {
                    try await addMember(tx, conversationID: account.id("channel_id"), userID: customerUserID, role: .follower, visibleFromSeq: 0)
                }
            }
            try await tx.execute(
                """
                INSERT INTO messaging_manager_assignments (customer_user_id, customer_id, customer_name, branch_code, assigned_by, assigned_at)
                VALUES (?, ?, ?, ?, 'enrolment', ?) ON CONFLICT (customer_user_id) DO NOTHING
                """,
                [.id(customerUserID), .id(customer.id), .text(customer.name), .text(customer.branchCode), .time(clock.now())])
            try await assignByBranch(tx, customerUserID: customerUserID, assignedBy: "branch")
        }
    }

    /// The customer's conversation with the bank's service account (created when missing).
    func noticeConversation(_ tx: any SQLSession, userID: RongID) async throws -> RongID {
        let key = "notice:\(userID)"
        if let row = try await tx.first("SELECT id FROM messaging_conversations WHERE pair_key = ?", [.text(key)]) { return row.id("id") }
        let id = ids.next()
        try await createConversation(tx, id: id, kind: .notice, title: MessagingService.bankServiceAccountName, pairKey: key, createdBy: nil,
                                     officialAccountID: MessagingService.bankServiceAccountID, members: [(userID, .customer)])
        return id
    }
}
