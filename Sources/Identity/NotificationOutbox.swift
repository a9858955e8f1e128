import BankKit
import Foundation
import Storage

/// Something a notification opens: a loan offer, a product, a transfer request. Pages render it
/// as a card with a link; the e-Link client opens `url`.
public struct NotificationCard: Sendable, Hashable, Codable {
    /// `loan_offer`, `product`, `transfer_request`, …
    public let kind: String
    public let title: String
    /// A site-relative link, e.g. `/me/loans/offers/{id}`.
    public let url: String
    /// Short label/value lines shown on the card (amount, term, expiry…).
    public let fields: [String: String]

    public init(kind: String, title: String, url: String, fields: [String: String] = [:]) {
        self.kind = kind
        self.title = title
        self.url = url
        self.fields = fields
    }
}

/// One bank-to-customer notification waiting in, or delivered from, the outbox.
public struct BankNotification: Sendable, Hashable {
    /// Outbox order: deliverers resume after the last `seq` they handled.
    public let seq: Int64
    public let id: RongID
    public let userID: RongID
    /// `loan.offer`, `alert.transaction`, `alert.security`, …
    public let kind: String
    public let title: String
    public let body: String
    public let card: NotificationCard?
    /// The text message sent instead when the customer has not been online (nil: no SMS fallback).
    public let smsText: String?
    public let createdAt: Timestamp
    public let deliveredAt: Timestamp?
    public let smsSentAt: Timestamp?
}

/// The bank's notification outbox. Modules record notifications inside the transaction of the
/// action they belong to (so an offer and its notification commit together); the e-Link
/// messaging module delivers them from the bank's service account and falls back to SMS.
public struct NotificationOutbox: Sendable {
    public static let titleMaxBytes = 100
    public static let bodyMaxBytes = 1_000
    let database: Database
    let clock: BankClock
    let ids: IDGenerator

    public init(database: Database, clock: BankClock, ids: IDGenerator) {
        self.database = database
        self.clock = clock
        self.ids = ids
    }

    /// Records a notification in the caller's transaction.
    @discardableResult
    public func record(_ tx: any SQLSession, userID: RongID, kind: String, title: String, body: String, card: NotificationCard? = nil,
                       smsText: String? = nil) async throws -> RongID {
        precondition(title.utf8.count <= NotificationOutbox.titleMaxBytes && body.utf8.count <= NotificationOutbox.bodyMaxBytes,
                     "notification texts are bounded")
        precondition(smsText.map { $0.utf8.count <= SMSGateway.bodyMaxBytes } ?? true, "SMS bodies are bounded")
        let id = ids.next()
        try await tx.execute(
            "INSERT INTO identity_notifications (id, user_id, kind, title, body, card, sms_text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.id(id), .id(userID), .text(kind), .text(title), .text(body), card.map { .json($0) } ?? .null,
             smsText.map { .text($0) } ?? .null, .time(clock.now())])
        return id
    }

    /// Undelivered notifications in outbox order, after `seq`.
    public func pending(afterSeq seq: Int64 = 0, limit: Int = 100) async throws -> [BankNotification] {
        try await database.query(
            "\(NotificationOutbox.select) WHERE delivered_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
            [.int(seq), .int(Int64(min(max(limit, 1), 1_000)))]).map(NotificationOutbox.notification)
    }

    /// A user's notifications, newest first.
    public func recent(userID: RongID, limit: Int = 50) async throws -> [BankNotification] {
        try await database.query(
            "\(NotificationOutbox.select) WHERE user_id = ? ORDER BY seq DESC LIMIT ?",
            [.id(userID), .int(Int64(min(max(limit, 1), 200)))]).map(NotificationOutbox.notification)
    }

    /// Marks one delivered (as a message); true when this call did it.
    @discardableResult
    public func markDelivered(_ id: RongID) async throws -> Bool {
        try await database.execute("UPDATE identity_notifications SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL",
                                   [.time(clock.now()), .id(id)]) == 1
    }

    /// Marks the SMS fallback sent, in the transaction that records the text message; true when this call did it.
    @discardableResult
    public func markSMSSent(_ tx: any SQLSession, _ id: RongID) async throws -> Bool {
        try await tx.execute("UPDATE identity_notifications SET sms_sent_at = ? WHERE id = ? AND sms_sent_at IS NULL",
                             [.time(clock.now()), .id(id)]) == 1
    }

    static let select = "SELECT seq, id, user_id, kind, title, body, card, sms_text, created_at, delivered_at, sms_sent_at FROM identity_notifications"

    static func notification(_ row: SQLRow) -> BankNotification {
        BankNotification(seq: row.int("seq"), id: row.id("id"), userID: row.id("user_id"), kind: row.text("kind"), title: row.text("title"),
                                body: row.text("body"), card: row.json(NotificationCard.self, "card"), smsText: row.optionalText("sms_text"), createdAt: row.time("created_at"),
                                deliveredAt: row.optionalInt("delivered_at").map(Timestamp.init(nanosecondsSinceEpoch:)),
                                smsSentAt: row.optionalInt("sms_sent_at").map(Timestamp.init(nanosecondsSinceEpoch:)))
    }
}
