import BankKit
import Identity
import Storage

/// A contact request between two customers.
public struct ContactRequest: Sendable, Hashable, Codable {
    public let requesterID: RongID
    public let addresseeID: RongID
    /// `pending`, `accepted` or `declined`.
    public let status: String
    public let note: String
    public let requesterName: String
    public let createdAt: Timestamp
}

/// A contact of the caller and the 1:1 conversation with them.
public struct Contact: Sendable, Hashable, Codable {
    public let userID: RongID
    public let displayName: String
    public let conversationID: RongID?
    public let since: Timestamp
}

/// Contacts: customers add each other by mobile number; the other side must accept before
/// either can message the other.
extension MessagingService {
    public static let contactsListMax = 500

    /// Asks the customer with this mobile number to become a contact. When they had already
    /// asked the caller, both wanted it: the contact is made at once.
    public func requestContact(_ principal: Principal, mobile: String, note: String = "") async throws -> ContactRequest {
        let principal = try await caller(principal)
        try MessagingService.requireRole(principal, [.customer], "Contacts are between customers.")
        let mobile = try MobileNumber.validate(mobile)
        let note = try MessagingService.line(note, field: "note", max: MessagingLimits.contactNoteCharactersMax, allowEmpty: true)
        guard let other = try await accounts.customer(mobile: mobile) else {
            throw DomainError(.contactNotFound, "No e-Link user has this mobile number.", status: 404, extensions: ["field": .string("mobile")])
        }
        guard other.userID != principal.userID else {
            throw DomainError(.invalidRequest, "You cannot add yourself.", status: 422, extensions: ["field": .string("mobile")])
        }
        let now = clock.now()
        try await database.transaction { tx in
            if try await isContact(tx, principal.userID, other.userID) {
                throw DomainError(.alreadyContacts, "You are already contacts.", status: 409)
            }
            if try await tx.first("SELECT 1 AS one FROM messaging_contacts WHERE requester_id = ? AND addressee_id = ? AND status = 'pending'",
                                  [.id(other.userID), .id(principal.userID)]) != nil {
                try await accept(tx, requester: other.userID, addressee: principal.userID, requesterName: other.name, addresseeName: principal.displayName)
                return
            }
            let pending = try await tx.first("SELECT COUNT(*) AS n FROM messaging_contacts WHERE requester_id = ? AND status = 'pending'",
                                             [.id(principal.userID)])?.int("n") ?? 0
            guard pending < MessagingLimits.pendingContactRequestsMax else {
                throw DomainError(.contactRequestsExceeded, "You have \(MessagingLimits.pendingContactRequestsMax) requests waiting for an answer.",
                                  status: 429, extensions: ["limit": .int(Int64(MessagingLimits.pendingContactRequestsMax))])
            }
            let changed = try await tx.execute(
                "UPDATE messaging_contacts SET status = 'pending', note = ?, created_at = ?, decided_at = NULL WHERE requester_id = ? AND addressee_id = ?",
                [.text(note), .time(now), .id(principal.userID), .id(other.userID)])
            if changed == 0 {
                try await tx.execute(
                    "INSERT INTO messaging_contacts (requester_id, addressee_id, status, note, created_at) VALUES (?, ?, 'pending', ?, ?)",
                    [.id(principal.userID), .id(other.userID), .text(note), .time(now)])
            }
        }
        let row = try await database.first(
            "SELECT requester_id, addressee_id, status, note, created_at FROM messaging_contacts WHERE (requester_id = ? AND addressee_id = ?) OR (requester_id = ? AND addressee_id = ?) ORDER BY created_at DESC",
            [.id(principal.userID), .id(other.userID), .id(other.userID), .id(principal.userID)])!
        return MessagingService.contactRequest(row, requesterName: row.id("requester_id") == principal.userID ? principal.displayName : other.name)
    }

    /// Requests waiting for the caller's answer, newest first.
    public func contactRequests(_ principal: Principal) async throws -> [ContactRequest] {
        let principal = try await caller(principal)
        let rows = try await database.query(
            "SELECT requester_id, addressee_id, status, note, created_at FROM messaging_contacts WHERE addressee_id = ? AND status = 'pending' ORDER BY created_at DESC LIMIT ?",
            [.id(principal.userID), .int(MessagingLimits.pendingContactRequestsMax * 4)])
        var out: [ContactRequest] = []
        for row in rows {
            let name = try await identity.user(row.id("requester_id"))?.displayName ?? ""
            out.append(MessagingService.contactRequest(row, requesterName: name))
        }
        return out
    }

    /// Accepts or declines a request addressed to the caller; accepting opens the 1:1 conversation.
    @discardableResult
    public func answerContactRequest(_ principal: Principal, requesterID: RongID, accept: Bool) async throws -> Contact? {
        let principal = try await caller(principal)
        let requester = try await identity.user(requesterID)
        try await database.transaction { tx in
            guard try await tx.first("SELECT 1 AS one FROM messaging_contacts WHERE requester_id = ? AND addressee_id = ? AND status = 'pending'",
                                     [.id(requesterID), .id(principal.userID)]) != nil else {
                throw DomainError(.contactRequestNotFound, "No request from this user is waiting for your answer.", status: 404)
            }
            if accept {
                try await self.accept(tx, requester: requesterID, addressee: principal.userID, requesterName: requester?.displayName ?? "",
                                      addresseeName: principal.displayName)
            } else {
                try await tx.execute("UPDATE messaging_contacts SET status = 'declined', decided_at = ? WHERE requester_id = ? AND addressee_id = ?",
                                     [.time(clock.now()), .id(requesterID), .id(principal.userID)])
            }
        }
        guard accept else { return nil }
        return try await contacts(principal).first { $0.userID == requesterID }
    }

    func accept(_ tx: any SQLSession, requester: RongID, addressee: RongID, requesterName: String, addresseeName: String) async throws {
        let now = clock.now()
        try await tx.execute("UPDATE messaging_contacts SET status = 'accepted', decided_at = ? WHERE requester_id = ? AND addressee_id = ?",
                             [.time(now), .id(requester), .id(addressee)])
        // A stale request the other way (declined earlier) is settled by this acceptance.
        try await tx.execute("DELETE FROM messaging_contacts WHERE requester_id = ? AND addressee_id = ? AND status <> 'accepted'",
                             [.id(addressee), .id(requester)])
        _ = try await pairConversation(tx, kind: .direct, (requester, .member), (addressee, .member), title: "")
    }

    /// The caller's contacts (at most 500), with the 1:1 conversation of each.
    public func contacts(_ principal: Principal) async throws -> [Contact] {
        let principal = try await caller(principal)
        let rows = try await database.query(
            """
            SELECT CASE WHEN requester_id = ? THEN addressee_id ELSE requester_id END AS other, decided_at
            FROM messaging_contacts WHERE (requester_id = ? OR addressee_id = ?) AND status = 'accepted' ORDER BY decided_at LIMIT ?
            """,
            [.id(principal.userID), .id(principal.userID), .id(principal.userID), .int(MessagingService.contactsListMax)])
        var out: [Contact] = []
        for row in rows {
            let other = row.id("other")
            let conversation = try await database.first("SELECT id FROM messaging_conversations WHERE pair_key = ?",
                                                        [.text(MessagingService.pairKey(.direct, principal.userID, other))])
            out.append(Contact(userID: other, displayName: try await identity.user(other)?.displayName ?? "",
                               conversationID: conversation?.id("id"), since: row.time("decided_at")))
        }
        return out
    }

    /// Ends a contact: the 1:1 conversation stays readable, but neither side can send into it.
    public func removeContact(_ principal: Principal, userID: RongID) async throws {
        let principal = try await caller(principal)
        let removed = try await database.execute(
            "DELETE FROM messaging_contacts WHERE ((requester_id = ? AND addressee_id = ?) OR (requester_id = ? AND addressee_id = ?)) AND status = 'accepted'",
            [.id(principal.userID), .id(userID), .id(userID), .id(principal.userID)])
        guard removed > 0 else { throw DomainError(.contactNotFound, "This user is not one of your contacts.", status: 404) }
    }

    func isContact(_ session: any SQLSession, _ a: RongID, _ b: RongID) async throws -> Bool {
        try await session.first(
            "SELECT 1 AS one FROM messaging_contacts WHERE ((requester_id = ? AND addressee_id = ?) OR (requester_id = ? AND addressee_id = ?)) AND status = 'accepted'",
            [.id(a), .id(b), .id(b), .id(a)]) != nil
    }

    func requireContact(_ session: any SQLSession, _ a: RongID, _ b: RongID) async throws {
        guard try await isContact(session, a, b) else { throw MessagingService.notAContact }
    }

    static let notAContact = DomainError(.notAContact, "You can only message and add your contacts; ask them to accept a contact request first.",
                                         status: 403)

    static func contactRequest(_ row: SQLRow, requesterName: String) -> ContactRequest {
        ContactRequest(requesterID: row.id("requester_id"), addresseeID: row.id("addressee_id"), status: row.text("status"),
                       note: row.text("note"), requesterName: requesterName, createdAt: row.time("created_at"))
    }
}
