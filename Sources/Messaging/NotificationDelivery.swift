import BankKit
import Identity
import Storage
import Synchronization

/// What one pass of the notification deliverer did.
public struct NotificationDeliveryReport: Sendable, Hashable {
    public var delivered = 0
    public var smsSent = 0
    public var failed = 0
}

/// Where the deliverer stands in the outbox, per process: it resumes after the last
/// notification it handled, and gives a failing one a few more passes before moving on.
final class NotificationCursor: Sendable {
    static let attemptsMax = 5
    private struct State {
        var afterSeq: Int64 = 0
        var attempts: [Int64: Int] = [:]
    }
    private let state = Mutex(State())

    var afterSeq: Int64 { state.withLock { $0.afterSeq } }

    func handled(_ seq: Int64) { state.withLock { $0.afterSeq = max($0.afterSeq, seq); $0.attempts[seq] = nil } }

    /// Counts a failure; true when the notification should be skipped from now on.
    func failed(_ seq: Int64) -> Bool {
        state.withLock {
            let attempts = ($0.attempts[seq] ?? 0) + 1
            $0.attempts[seq] = attempts
            return attempts >= NotificationCursor.attemptsMax
        }
    }
}

/// Delivers the bank notification outbox (`identity_notifications`, written by other modules in
/// their own transactions) as messages from the bank's service account into each customer's
/// notice conversation. Exactly once: each message carries the client id
/// `notification:<id>`, so a pass that crashed after sending and before marking the
/// notification delivered re-sends nothing; two nodes racing store it once.
///
/// SMS fallback: when the customer has not been connected for 24 hours (or never), the
/// notification's `smsText` goes out by SMS too, once (`markSMSSent` in the transaction that
/// records the text message).
extension MessagingService {
    public func deliverNotifications(limit: Int = MessagingLimits.notificationBatchMax) async throws -> NotificationDeliveryReport {
        var report = NotificationDeliveryReport()
        let pending = try await identity.notifications.pending(afterSeq: notificationCursor.afterSeq,
                                                               limit: min(max(limit, 1), MessagingLimits.notificationBatchMax))
        for notification in pending {
            do {
                if try await deliver(notification) { report.smsSent += 1 }
                report.delivered += 1
                notificationCursor.handled(notification.seq)
            } catch {
                report.failed += 1
                logger.warning("notification delivery failed", metadata: ["notification": "\(notification.id)", "error": "\(error)"])
                if notificationCursor.failed(notification.seq) { notificationCursor.handled(notification.seq) } else { break }
            }
        }
        return report
    }

    /// Delivers one notification; true when its SMS fallback was sent by this call.
    func deliver(_ notification: BankNotification) async throws -> Bool {
        try await enrol(customerUserID: notification.userID)
        let conversation = try await database.transaction { tx in try await noticeConversation(tx, userID: notification.userID) }
        let sender = MessagingService.bankServiceAccountID
        _ = try await post(asBank: sender, conversationID: conversation, clientID: "notification:\(notification.id)", kind: .text,
                           body: "【\(notification.title)】\(notification.body)")
        if let card = notification.card {
            let messageCard = MessageCard(kind: MessageCard.kinds.contains(card.kind) ? card.kind : "notification", title: card.title,
                                          url: card.url, fields: card.fields)
            _ = try await post(asBank: sender, conversationID: conversation, clientID: "notification:\(notification.id):card", kind: .card,
                               body: MessagingService.encodeJSON(messageCard))
        }
        var smsSent = false
        if let text = notification.smsText, notification.smsSentAt == nil, try await isOffline(notification.userID),
           let mobile = try await identity.user(notification.userID)?.mobile {
            let message: SMSMessage? = try await database.transaction { tx in
                guard try await identity.notifications.markSMSSent(tx, notification.id) else { return nil }
                return try await identity.sms.record(tx, to: mobile, purpose: "notification", body: text)
            }
            if let message {
                await identity.sms.deliver(message)
                smsSent = true
            }
        }
        try await identity.notifications.markDelivered(notification.id)
        return smsSent
    }

    /// True when the user has not been connected in the last 24 hours (or ever).
    func isOffline(_ userID: RongID) async throws -> Bool {
        guard let seen = try await lastSeen(userID) else { return true }
        return clock.now().nanosecondsSinceEpoch - seen.nanosecondsSinceEpoch > MessagingLimits.smsFallbackOfflineSeconds * 1_000_000_000
    }

    /// When the user was last connected to any node.
    public func lastSeen(_ userID: RongID) async throws -> Timestamp? {
        try await database.first("SELECT last_seen_at FROM messaging_presence WHERE user_id = ?", [.id(userID)])?.time("last_seen_at")
    }

    /// Records that the user is connected now (on connect, while connected, on disconnect).
    public func touchPresence(_ userID: RongID) async throws {
        try await database.execute(
            "INSERT INTO messaging_presence (user_id, last_seen_at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
            [.id(userID), .time(clock.now())])
    }
}
