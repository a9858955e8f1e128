import BankKit
import Foundation
import Logging
import Storage

/// Where a webhook stands.
public enum WebhookStatus: String, Sendable, Hashable, Codable {
    /// Waiting for its first attempt or a retry (`next_attempt_at`).
    case pending
    /// The merchant answered 2xx.
    case delivered
    /// Every attempt failed and the retry bound was reached; a replay sends it again.
    case failed
}

/// One webhook as the merchant's dashboard lists it.
public struct WebhookDelivery: Sendable, Hashable, Codable {
    /// The webhook id, which is also the event id (`Rong-Event-Id`) when it was enqueued
    /// with `WebhookOutbox.enqueue(_:merchantID:eventType:data:)`.
    public let id: RongID
    public let merchantID: RongID
    public let eventType: String
    /// The exact JSON body sent (and signed).
    public let payload: String
    public let status: WebhookStatus
    /// Attempts made so far, all time (replays included).
    public let attempts: Int
    public let createdAt: Timestamp
    /// When the next attempt is due; nil unless `pending`.
    public let nextAttemptAt: Timestamp?
    /// When a 2xx answer was last received.
    public let deliveredAt: Timestamp?
    /// The HTTP status of the last attempt; nil when it got none (timeout, refused connection).
    public let lastStatusCode: Int?
    /// Why the last attempt got no HTTP status; nil when it got one.
    public let lastError: String?
}

/// One POST of a webhook to the merchant.
public struct WebhookAttempt: Sendable, Hashable, Codable {
    public let id: RongID
    public let webhookID: RongID
    /// When the request was sent (the injected clock).
    public let attemptedAt: Timestamp
    /// The HTTP status answered; nil when none was (see `error`).
    public let statusCode: Int?
    /// Why no status was received: timeout, connection refused, bad `notify_url`, …
    public let error: String?
    /// Wall time the request took, in milliseconds.
    public let durationMilliseconds: Int64
}

/// Merchant webhooks through an outbox table, signed with the merchant's secret.
///
/// Domain code `enqueue`s a webhook inside the same transaction that changes the order or
/// refund, so an event exists exactly when its change committed. `deliverDue` — run every
/// second by `WebhookDeliveryService` on every node — POSTs due webhooks, records every
/// attempt in `payments_webhook_attempts`, and retries failures on `retrySchedule` until one
/// is answered 2xx or the bound is reached (`attemptsMax` attempts, `deliveryWindowSeconds`
/// after creation), when the webhook becomes `failed`.
///
/// Delivery is at least once: a node that crashes between the POST and recording it sends
/// the webhook again after the claim lapses; merchants deduplicate on `Rong-Event-Id`.
/// Two nodes never POST the same webhook at the same time: each claims a row with a
/// conditional `UPDATE` that moves `next_attempt_at` forward by `claimSeconds`, and only the
/// node whose update changed the row sends it.
public struct WebhookOutbox: Sendable {
    /// Seconds to wait after failed attempt *n* (1-based) before attempt *n + 1*:
    /// 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h — nine retries, ≈ 22 h 43 min in all.
    public static let retrySchedule: [Int64] = [10, 30, 120, 600, 1_800, 3_600, 10_800, 21_600, 43_200]
    /// Attempts at most before a webhook is `failed` (the first one and nine retries).
    public static let attemptsMax = 10
    /// No retry is scheduled later than this many seconds after the webhook was created.
    public static let deliveryWindowSeconds: Int64 = 86_400
    /// How long a node's claim on a webhook lasts (longer than a request can take).
    public static let claimSeconds: Int64 = 60
    /// The request timeout of one attempt.
    public static let requestTimeoutSeconds: Int64 = 10
    /// The `User-Agent` of every webhook request.
    public static let userAgent = "Rong-Webhooks/1"
    /// Requests in flight at once within one `deliverDue` call.
    public static let concurrentDeliveriesMax = 8
    /// Largest page `deliveries` returns.
    public static let pageMax = 100
    /// Largest payload accepted by `enqueue`.
    public static let payloadMaxBytes = 256 * 1024
    /// Longest error text stored with an attempt.
    static let errorMaxCharacters = 300

    let database: Database
    let clock: BankClock
    let ids: IDGenerator
    let transport: any WebhookTransport
    let logger: Logger

    public init(database: Database, clock: BankClock, ids: IDGenerator, transport: any WebhookTransport, logger: Logger) {
        self.database = database
        self.clock = clock
        self.ids = ids
        self.transport = transport
        self.logger = logger
    }

    /// The time of the attempt after failed attempt number `attempt` (1-based) that finished at
    /// `finishedAt`, for a webhook created at `createdAt`; nil when the webhook has failed for good
    /// (`attemptsMax` reached, or the retry would fall outside `deliveryWindowSeconds`).
    public static func nextAttempt(afterFailedAttempt attempt: Int, finishedAt: Timestamp, createdAt: Timestamp) -> Timestamp? {
        guard attempt >= 1, attempt < attemptsMax, attempt <= retrySchedule.count else { return nil }
        let next = finishedAt.adding(seconds: retrySchedule[attempt - 1])
        guard next <= createdAt.adding(seconds: deliveryWindowSeconds) else { return nil }
        return next
    }

    // MARK: - Enqueue

    /// The webhook body for `data`: the `WebhookEvent` envelope, snake_case keys, sorted
    /// (see `WebhookEvent.makePayload`).
    public static func makePayload(eventID: RongID, type: String, createdAt: Timestamp, data: some Encodable) -> String {
        WebhookEvent.makePayload(eventID: eventID, type: type, createdAt: createdAt, data: data)
    }

    /// Records a webhook for `merchantID` inside the caller's transaction, due now.
    ///
    /// - Parameters:
    ///   - tx: the transaction that makes the change the event reports.
    ///   - eventType: one of `WebhookEventType` (`order.paid`, …).
    ///   - payload: the exact JSON body to send, normally from `WebhookEvent.makePayload`.
    ///   - eventID: the id to store the webhook under, sent as `Rong-Event-Id`. When nil, the
    ///     payload's top-level `"id"` if it is a UUID (so the header and the body agree), else a new id.
    /// - Returns: the webhook id.
    @discardableResult
    public func enqueue(_ tx: any SQLSession, merchantID: RongID, eventType: String, payload: String,
                        eventID: RongID? = nil) async throws -> RongID {
        precondition(WebhookEventType.isWellFormed(eventType), "webhook event types are lower.dotted names")
        precondition(payload.utf8.count <= WebhookOutbox.payloadMaxBytes, "webhook payloads are bounded")
        let id = eventID ?? WebhookOutbox.envelopeID(payload) ?? ids.next()
        let now = clock.now()
        try await tx.execute("""
            INSERT INTO payments_webhooks (id, merchant_id, event_type, payload, status, attempts, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)
            """, [.id(id), .id(merchantID), .text(eventType), .text(payload), .time(now), .time(now)])
        return id
    }

    /// Builds the envelope for `data` (a new event id, created now) and enqueues it in `tx`.
    /// - Returns: the event id, which is also the webhook id.
    @discardableResult
    public func enqueue(_ tx: any SQLSession, merchantID: RongID, eventType: String, data: some Encodable) async throws -> RongID {
        let id = ids.next()
        let payload = WebhookEvent.makePayload(eventID: id, type: eventType, createdAt: clock.now(), data: data)
        return try await enqueue(tx, merchantID: merchantID, eventType: eventType, payload: payload, eventID: id)
    }

    /// The top-level `"id"` of an envelope payload, when it is a UUID.
    static func envelopeID(_ payload: String) -> RongID? {
        struct Envelope: Decodable { let id: RongID }
        return try? JSONDecoder().decode(Envelope.self, from: Data(payload.utf8)).id
    }

    // MARK: - Delivery

    /// Sends every due webhook (pending, `next_attempt_at` ≤ now), oldest due first, at most
    /// `limit`, a few at a time; records each attempt and schedules retries.
    ///
    /// - Returns: how many attempts this call made (webhooks claimed by another node are skipped).
    /// - Throws: the first database error, after the other webhooks of the batch were handled.
    @discardableResult
    public func deliverDue(limit: Int = 100) async throws -> Int {
        precondition(limit > 0, "limit must be positive")
        let rows = try await database.query("""
            SELECT w.id, w.merchant_id, w.event_type, w.payload, w.attempts, w.next_attempt_at, w.created_at,
                   m.notify_url, m.signing_secret, m.previous_signing_secret, m.previous_secret_until
            FROM payments_webhooks w JOIN payments_merchants m ON m.id = w.merchant_id
            WHERE w.status = 'pending' AND w.next_attempt_at <= ?
            ORDER BY w.next_attempt_at, w.id LIMIT ?
            """, [.time(clock.now()), .int(min(limit, 1_000))])
        let due = rows.map(DueWebhook.init(row:))
        guard !due.isEmpty else { return 0 }

        let (attempted, firstError) = await withTaskGroup(of: Result<Bool, any Error>.self) { group -> (Int, (any Error)?) in
            var pending = due.makeIterator()
            func startNext() -> Bool {
                guard let webhook = pending.next() else { return false }
                group.addTask {
                    do { return .success(try await self.attempt(webhook)) } catch { return .failure(error) }
                }
                return true
            }
            for _ in 0..<WebhookOutbox.concurrentDeliveriesMax {
                if !startNext() { break }
            }
            var attempted = 0
            var firstError: (any Error)?
            while let result = await group.next() {
                switch result {
                case .success(let didAttempt): if didAttempt { attempted += 1 }
                case .failure(let error): firstError = firstError ?? error
                }
                _ = startNext()
            }
            return (attempted, firstError)
        }
        if let firstError { throw firstError }
        return attempted
    }

    /// Claims `webhook`, POSTs it once and records the outcome. False when another node had it.
    private func attempt(_ webhook: DueWebhook) async throws -> Bool {
        let claimUntil = clock.now().adding(seconds: WebhookOutbox.claimSeconds)
        let claimed = try await database.execute(
            "UPDATE payments_webhooks SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at = ?",
            [.time(claimUntil), .id(webhook.id), .time(webhook.nextAttemptAt)])
        guard claimed == 1 else {
            logger.debug("webhook claimed elsewhere", metadata: ["webhook_id": "\(webhook.id)"])
            return false
        }

        let sentAt = clock.now()
        let body = Array(webhook.payload.utf8)
        let headers: [(String, String)] = [
            ("Content-Type", "application/json"),
            (WebhookSigner.headerName, WebhookSigner.sign(secrets: webhook.secrets(at: sentAt), timestamp: sentAt, body: body)),
            ("Rong-Event-Id", webhook.id.description),
            ("Rong-Event-Type", webhook.eventType),
            ("User-Agent", WebhookOutbox.userAgent),
        ]
        var statusCode: Int?
        var errorText: String?
        let started = ContinuousClock.now
        do {
            try HTTPWebhookTransport.checkURL(webhook.notifyURL)
            statusCode = try await transport.post(url: webhook.notifyURL, headers: headers, body: body,
                                                  timeoutSeconds: WebhookOutbox.requestTimeoutSeconds)
        } catch {
            errorText = String(String(describing: error).prefix(WebhookOutbox.errorMaxCharacters))
        }
        let elapsed = started.duration(to: .now).components
        let durationMilliseconds = max(0, elapsed.seconds * 1_000 + elapsed.attoseconds / 1_000_000_000_000_000)
        let finishedAt = clock.now()
        let attemptNumber = webhook.attempts + 1
        let delivered = statusCode.map { (200..<300).contains($0) } ?? false
        let nextAttemptAt = delivered ? nil
            : WebhookOutbox.nextAttempt(afterFailedAttempt: attemptNumber, finishedAt: finishedAt, createdAt: webhook.createdAt)

        let recorded: Int = try await database.transaction { tx in
            try await tx.execute("""
                INSERT INTO payments_webhook_attempts (id, webhook_id, attempted_at, status_code, error, duration_ms)
                VALUES (?, ?, ?, ?, ?, ?)
                """, [.id(ids.next()), .id(webhook.id), .time(sentAt), .int(statusCode.map(Int64.init)), .text(errorText),
                      .int(durationMilliseconds)])
            if delivered {
                return try await tx.execute("""
                    UPDATE payments_webhooks SET status = 'delivered', attempts = ?, delivered_at = ?, last_status_code = ?, last_error = NULL
                    WHERE id = ? AND status = 'pending' AND next_attempt_at = ?
                    """, [.int(attemptNumber), .time(finishedAt), .int(statusCode.map(Int64.init)), .id(webhook.id), .time(claimUntil)])
            }
            if let nextAttemptAt {
                return try await tx.execute("""
                    UPDATE payments_webhooks SET attempts = ?, next_attempt_at = ?, last_status_code = ?, last_error = ?
                    WHERE id = ? AND status = 'pending' AND next_attempt_at = ?
                    """, [.int(attemptNumber), .time(nextAttemptAt), .int(statusCode.map(Int64.init)), .text(errorText),
                          .id(webhook.id), .time(claimUntil)])
            }
            return try await tx.execute("""
                UPDATE payments_webhooks SET status = 'failed', attempts = ?, last_status_code = ?, last_error = ?
                WHERE id = ? AND status = 'pending' AND next_attempt_at = ?
                """, [.int(attemptNumber), .int(statusCode.map(Int64.init)), .text(errorText), .id(webhook.id), .time(claimUntil)])
        }

        var metadata: Logger.Metadata = [
            "webhook_id": "\(webhook.id)", "merchant_id": "\(webhook.merchantID)", "event_type": "\(webhook.eventType)",
            "attempt": "\(attemptNumber)", "duration_ms": "\(durationMilliseconds)",
        ]
        if let statusCode { metadata["status_code"] = "\(statusCode)" }
        if let errorText { metadata["error"] = "\(errorText)" }
        if recorded == 0 {
            logger.warning("webhook claim lapsed before its attempt was recorded; it may be sent again", metadata: metadata)
        } else if delivered {
            logger.debug("webhook delivered", metadata: metadata)
        } else if let nextAttemptAt {
            metadata["next_attempt_at"] = "\(nextAttemptAt)"
            logger.info("webhook attempt failed; retry scheduled", metadata: metadata)
        } else {
            logger.warning("webhook failed for good after its last attempt", metadata: metadata)
        }
        return true
    }

    // MARK: - Merchant views

    /// The merchant's webhooks, newest first; `before` (a webhook id from the previous page)
    /// continues the list. `limit` is clamped to 1…`pageMax`.
    /// - Throws: `not_found` when `before` is not one of this merchant's webhooks.
    public func deliveries(merchantID: RongID, limit: Int = 20, before: RongID? = nil) async throws -> [WebhookDelivery] {
        let limit = min(max(limit, 1), WebhookOutbox.pageMax)
        let rows: [SQLRow]
        if let before {
            guard let cursor = try await database.first(
                "SELECT created_at FROM payments_webhooks WHERE id = ? AND merchant_id = ?", [.id(before), .id(merchantID)]) else {
                throw DomainError.notFound("Webhook \(before)")
            }
            let createdAt = cursor["created_at"]
            rows = try await database.query("""
                SELECT \(WebhookOutbox.deliveryColumns) FROM payments_webhooks
                WHERE merchant_id = ? AND (created_at < ? OR (created_at = ? AND id < ?))
                ORDER BY created_at DESC, id DESC LIMIT ?
                """, [.id(merchantID), createdAt, createdAt, .id(before), .int(limit)])
        } else {
            rows = try await database.query("""
                SELECT \(WebhookOutbox.deliveryColumns) FROM payments_webhooks
                WHERE merchant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?
                """, [.id(merchantID), .int(limit)])
        }
        return rows.map(WebhookOutbox.delivery(from:))
    }

    /// One of the merchant's webhooks. - Throws: `not_found` for another merchant's webhook.
    public func delivery(webhookID: RongID, merchantID: RongID) async throws -> WebhookDelivery {
        guard let row = try await database.first(
            "SELECT \(WebhookOutbox.deliveryColumns) FROM payments_webhooks WHERE id = ? AND merchant_id = ?",
            [.id(webhookID), .id(merchantID)]) else {
            throw DomainError.notFound("Webhook \(webhookID)")
        }
        return WebhookOutbox.delivery(from: row)
    }

    /// Every attempt of one of the merchant's webhooks, oldest first (at most 200).
    /// - Throws: `not_found` for another merchant's webhook.
    public func attempts(webhookID: RongID, merchantID: RongID) async throws -> [WebhookAttempt] {
        _ = try await delivery(webhookID: webhookID, merchantID: merchantID)
        let rows = try await database.query("""
            SELECT id, webhook_id, attempted_at, status_code, error, duration_ms FROM payments_webhook_attempts
            WHERE webhook_id = ? ORDER BY attempted_at, id LIMIT 200
            """, [.id(webhookID)])
        return rows.map {
            WebhookAttempt(id: $0.id("id"), webhookID: $0.id("webhook_id"), attemptedAt: $0.time("attempted_at"),
                           statusCode: $0.optionalInt("status_code").map { Int($0) }, error: $0.optionalText("error"),
                           durationMilliseconds: $0.int("duration_ms"))
        }
    }

    /// Sends a `delivered` or `failed` webhook again: it becomes `pending`, due now, with the
    /// same event id and body (signed afresh when sent). If that attempt fails, it is retried
    /// only while the webhook is within its bound (`attemptsMax` attempts in all, and
    /// `deliveryWindowSeconds` after creation); otherwise it is `failed` again.
    ///
    /// - Throws: `not_found` for a webhook that is not this merchant's; `conflict` (409) when it
    ///   is already pending.
    @discardableResult
    public func replay(webhookID: RongID, merchantID: RongID) async throws -> WebhookDelivery {
        let changed = try await database.execute("""
            UPDATE payments_webhooks SET status = 'pending', next_attempt_at = ?
            WHERE id = ? AND merchant_id = ? AND status IN ('delivered', 'failed')
            """, [.time(clock.now()), .id(webhookID), .id(merchantID)])
        let current = try await delivery(webhookID: webhookID, merchantID: merchantID)
        guard changed == 1 else {
            throw DomainError(.conflict, "Webhook \(webhookID) is already pending delivery.", status: 409)
        }
        logger.info("webhook replay requested", metadata: ["webhook_id": "\(webhookID)", "merchant_id": "\(merchantID)"])
        return current
    }

    // MARK: - Rows

    static let deliveryColumns =
        "id, merchant_id, event_type, payload, status, attempts, next_attempt_at, created_at, delivered_at, last_status_code, last_error"

    static func delivery(from row: SQLRow) -> WebhookDelivery {
        let status = WebhookStatus(rawValue: row.text("status")) ?? .pending
        return WebhookDelivery(
            id: row.id("id"), merchantID: row.id("merchant_id"), eventType: row.text("event_type"), payload: row.text("payload"),
            status: status, attempts: Int(row.int("attempts")), createdAt: row.time("created_at"),
            nextAttemptAt: status == .pending ? row.time("next_attempt_at") : nil,
            deliveredAt: row.optionalInt("delivered_at").map { Timestamp(nanosecondsSinceEpoch: $0) },
            lastStatusCode: row.optionalInt("last_status_code").map { Int($0) }, lastError: row.optionalText("last_error"))
    }
}

/// A due webhook with its merchant's endpoint and secret, as `deliverDue` read it.
struct DueWebhook: Sendable {
    let id: RongID
    let merchantID: RongID
    let eventType: String
    let payload: String
    let attempts: Int
    let nextAttemptAt: Timestamp
    let createdAt: Timestamp
    let notifyURL: String
    let signingSecret: String
    /// The secret a rotation replaced, and until when deliveries are also signed with it.
    let previousSigningSecret: String?
    let previousSecretUntil: Timestamp?

    /// The secrets a delivery at `now` is signed with: the current one, then the previous one while it is honoured.
    func secrets(at now: Timestamp) -> [String] {
        guard let previousSigningSecret, let previousSecretUntil, now < previousSecretUntil else { return [signingSecret] }
        return [signingSecret, previousSigningSecret]
    }

    init(row: SQLRow) {
        id = row.id("id")
        merchantID = row.id("merchant_id")
        eventType = row.text("event_type")
        payload = row.text("payload")
        attempts = Int(row.int("attempts"))
        nextAttemptAt = row.time("next_attempt_at")
        createdAt = row.time("created_at")
        notifyURL = row.text("notify_url")
        signingSecret = row.text("signing_secret")
        previousSigningSecret = row.optionalText("previous_signing_secret")
        previousSecretUntil = row.optionalInt("previous_secret_until").map { Timestamp(nanosecondsSinceEpoch: $0) }
    }
}
