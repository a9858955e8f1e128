import BankKit
import Logging
import Storage

/// One text message to a mobile number.
public struct SMSMessage: Sendable, Hashable {
    public let id: RongID
    public let mobile: String
    /// Why it was sent (`otp.register`, `alert.funding`, …), for the outbox and the dev page.
    public let purpose: String
    public let body: String
    public let createdAt: Timestamp
}

/// Where the outbox hands messages for delivery: the live seam to an SMS provider.
///
/// A live adapter implements `deliver` with the provider's HTTP API (e.g. a carrier gateway
/// taking `mobile`, `sign` 【融银行】 and the text) and throws on failure; the outbox retries.
public protocol SMSSink: Sendable {
    func deliver(_ message: SMSMessage) async throws
}

/// The development sink: writes each message to the log (the code is also shown on `/dev/sms`).
public struct LogSMSSink: SMSSink {
    let logger: Logger
    public init(logger: Logger) { self.logger = logger }
    public func deliver(_ message: SMSMessage) async throws {
        logger.notice("sms to \(message.mobile): \(message.body)", metadata: ["purpose": .string(message.purpose)])
    }
}

/// Sends text messages through an outbox table: a message is recorded first, then handed
/// to the sink; a failed delivery stays in the outbox with its error for a retry.
public struct SMSGateway: Sendable {
    public static let bodyMaxBytes = 500
    public static let deliveryAttemptsMax: Int64 = 5
    let database: Database
    let sink: any SMSSink
    let clock: BankClock
    let ids: IDGenerator

    public init(database: Database, sink: any SMSSink, clock: BankClock, ids: IDGenerator) {
        self.database = database
        self.sink = sink
        self.clock = clock
        self.ids = ids
    }

    /// Records the message and tries to deliver it once now.
    @discardableResult
    public func send(to mobile: String, purpose: String, body: String) async throws -> SMSMessage {
        let message = try await database.transaction { tx in try await record(tx, to: mobile, purpose: purpose, body: body) }
        await deliver(message)
        return message
    }

    /// Records a message in the outbox inside the caller's transaction (so it commits with the
    /// action it belongs to); hand it to `deliver` after the commit.
    public func record(_ tx: any SQLSession, to mobile: String, purpose: String, body: String) async throws -> SMSMessage {
        precondition(body.utf8.count <= SMSGateway.bodyMaxBytes, "SMS bodies are bounded")
        let message = SMSMessage(id: ids.next(), mobile: mobile, purpose: purpose, body: "【融银行】" + body, createdAt: clock.now())
        try await tx.execute(
            "INSERT INTO identity_sms_outbox (id, mobile, purpose, body, created_at) VALUES (?, ?, ?, ?, ?)",
            [.id(message.id), .text(mobile), .text(purpose), .text(message.body), .time(message.createdAt)])
        return message
    }

    /// Retries undelivered messages (bounded attempts); returns how many were delivered.
    public func retryPending(limit: Int = 100) async throws -> Int {
        let rows = try await database.query(
            "SELECT id, mobile, purpose, body, created_at FROM identity_sms_outbox WHERE delivered_at IS NULL AND attempts < ? ORDER BY created_at LIMIT ?",
            [.int(SMSGateway.deliveryAttemptsMax), .int(limit)])
        var delivered = 0
        for row in rows {
            let message = SMSMessage(id: row.id("id"), mobile: row.text("mobile"), purpose: row.text("purpose"),
                                     body: row.text("body"), createdAt: row.time("created_at"))
            if await deliver(message) { delivered += 1 }
        }
        return delivered
    }

    /// Hands a recorded message to the sink once; a failure stays in the outbox for `retryPending`.
    @discardableResult
    public func deliver(_ message: SMSMessage) async -> Bool {
        do {
            try await sink.deliver(message)
            try await database.execute("UPDATE identity_sms_outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?",
                                       [.time(clock.now()), .id(message.id)])
            return true
        } catch {
            _ = try? await database.execute("UPDATE identity_sms_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                                            [.text(String(describing: error).prefix(200).description), .id(message.id)])
            return false
        }
    }

    /// The most recent messages, newest first (the development page and tests read them).
    public func recent(mobile: String? = nil, limit: Int = 50) async throws -> [SMSMessage] {
        let rows: [SQLRow]
        if let mobile {
            rows = try await database.query(
                "SELECT id, mobile, purpose, body, created_at FROM identity_sms_outbox WHERE mobile = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                [.text(mobile), .int(min(limit, 200))])
        } else {
            rows = try await database.query(
                "SELECT id, mobile, purpose, body, created_at FROM identity_sms_outbox ORDER BY created_at DESC, id DESC LIMIT ?",
                [.int(min(limit, 200))])
        }
        return rows.map { SMSMessage(id: $0.id("id"), mobile: $0.text("mobile"), purpose: $0.text("purpose"),
                                     body: $0.text("body"), createdAt: $0.time("created_at")) }
    }
}
