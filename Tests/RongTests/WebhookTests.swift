import BankKit
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Payments
import Storage
import Testing

/// A webhook transport for tests: records every request and answers from a script
/// (then with `fallback`), optionally after a delay so concurrent callers interleave.
private actor RecordingTransport: WebhookTransport {
    struct Request: Sendable {
        let url: String
        let headers: [(String, String)]
        let body: [UInt8]
        let timeoutSeconds: Int64

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    enum Answer: Sendable {
        case status(Int)
        case fail(String)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var requests: [Request] = []
    private var script: [Answer]
    private let fallback: Answer
    private let delay: Duration?

    init(script: [Answer] = [], fallback: Answer = .status(200), delay: Duration? = nil) {
        self.script = script
        self.fallback = fallback
        self.delay = delay
    }

    func post(url: String, headers: [(String, String)], body: [UInt8], timeoutSeconds: Int64) async throws -> Int {
        requests.append(Request(url: url, headers: headers, body: body, timeoutSeconds: timeoutSeconds))
        let answer = script.isEmpty ? fallback : script.removeFirst()
        if let delay { try await Task.sleep(for: delay) }
        switch answer {
        case .status(let code): return code
        case .fail(let message): throw Failure(description: message)
        }
    }
}

/// A migrated Payments database, a manual clock at 2026-11-23 10:00 Shanghai (02:00 UTC),
/// one merchant and an outbox over a recording transport.
private struct Fixture {
    static let secret = "whsec_5f2b8c1d4e6a7b9c0d1e2f3a4b5c6d7e"
    static let notifyURL = "https://shop.example.com/rong/webhooks"

    let db: TestDatabase
    let clock: ManualClock
    let ids: IDGenerator
    let transport: RecordingTransport
    let outbox: WebhookOutbox
    let merchantID: RongID

    var database: Database { db.database }

    static func make(transport: RecordingTransport = RecordingTransport(), notifyURL: String = notifyURL) async throws -> Fixture {
        let db = try await TestDatabase.make(migrations: PaymentsSchema.migrations)
        let clock = ManualClock(shanghai: "2026-11-23T10:00:00")
        let ids = IDGenerator.deterministic(clock: clock.clock)
        var logger = Logger(label: "test.webhooks")
        logger.logLevel = .critical
        let outbox = WebhookOutbox(database: db.database, clock: clock.clock, ids: ids, transport: transport, logger: logger)
        let merchantID = try await addMerchant(db.database, ids: ids, clock: clock.clock, licence: "91110000MA01ABCD1X",
                                               notifyURL: notifyURL, secret: secret)
        return Fixture(db: db, clock: clock, ids: ids, transport: transport, outbox: outbox, merchantID: merchantID)
    }

    /// Inserts a merchant row directly (the merchants service is not under test here).
    static func addMerchant(_ database: Database, ids: IDGenerator, clock: BankClock, licence: String,
                            notifyURL: String, secret: String) async throws -> RongID {
        let id = ids.next()
        try await database.execute("""
            INSERT INTO payments_merchants (id, name, licence_number, settlement_account_id, notify_url, signing_secret, status, created_at, created_by)
            VALUES (?, ?, ?, ?, ?, ?, 'active', ?, 'test')
            """, [.id(id), .text("Test shop \(licence.suffix(4))"), .text(licence), .id(ids.next()), .text(notifyURL), .text(secret),
                  .time(clock.now())])
        return id
    }

    func addMerchant(licence: String, secret: String = "whsec_other") async throws -> RongID {
        try await Fixture.addMerchant(database, ids: ids, clock: clock.clock, licence: licence, notifyURL: Fixture.notifyURL, secret: secret)
    }

    /// Enqueues an `order.paid` event for `merchant` in its own transaction.
    @discardableResult
    func enqueue(merchant: RongID? = nil, type: String = WebhookEventType.orderPaid, orderNumber: String = "SO-1") async throws -> RongID {
        let merchantID = merchant ?? self.merchantID
        return try await database.transaction { tx in
            try await outbox.enqueue(tx, merchantID: merchantID, eventType: type,
                                     data: OrderData(id: "ord_1", orderNumber: orderNumber, amountFen: 12_345, status: "paid"))
        }
    }

    func row(_ id: RongID) async throws -> SQLRow {
        try #require(try await database.first("SELECT * FROM payments_webhooks WHERE id = ?", [.id(id)]))
    }

    func attemptRows(_ id: RongID) async throws -> [SQLRow] {
        try await database.query("SELECT * FROM payments_webhook_attempts WHERE webhook_id = ? ORDER BY attempted_at, id", [.id(id)])
    }

    func cleanup() async { await db.cleanup() }
}

/// Stand-in event data, shaped like an order.
private struct OrderData: Encodable, Sendable {
    let id: String
    let orderNumber: String
    let amountFen: Int64
    let status: String
}

/// Signed merchant webhooks: the signature scheme, the outbox, retries, replays, claims, and
/// one delivery over real HTTP to a Hummingbird server.
@Suite("Webhooks")
struct WebhookTests {
    // MARK: - Signatures

    @Test("The signature is Stripe's scheme: HMAC-SHA256 of \"<t>.<body>\", lowercase hex")
    func signatureVector() throws {
        // Expected value from Python: hmac.new(secret, b"1795399200." + body, hashlib.sha256).hexdigest()
        let body = Array(#"{"id":"0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f","type":"order.paid"}"#.utf8)
        let header = WebhookSigner.sign(secret: Fixture.secret, timestamp: Timestamp(secondsSinceEpoch: 1_795_399_200), body: body)
        #expect(header == "t=1795399200,v1=bf190bd37e551a1af0f9db57cfd7bec9394f9dea1ae176df1faf2f655fb9256b")
        try WebhookSigner.verify(header: header, secret: Fixture.secret, body: body, now: Timestamp(secondsSinceEpoch: 1_795_399_200))
    }

    @Test("Verification refuses a tampered body, a wrong secret and malformed headers")
    func signatureRefusals() throws {
        let now = Timestamp(secondsSinceEpoch: 1_795_399_200)
        let body = Array(#"{"amount_fen":100}"#.utf8)
        let header = WebhookSigner.sign(secret: Fixture.secret, timestamp: now, body: body)
        func code(_ header: String, secret: String = Fixture.secret, body: [UInt8] = body) -> ErrorCode? {
            do throws(DomainError) {
                try WebhookSigner.verify(header: header, secret: secret, body: body, now: now)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code(header) == nil)
        #expect(code(header, body: Array(#"{"amount_fen":900}"#.utf8)) == .webhookSignatureInvalid)
        #expect(code(header, secret: "whsec_wrong") == .webhookSignatureInvalid)
        let signature = String(header.split(separator: ",")[1].dropFirst(3))
        let flipped = String(signature.dropLast()) + (signature.hasSuffix("0") ? "1" : "0")
        for bad in ["", "garbage", "t=1795399200", "v1=\(signature)", "t=abc,v1=\(signature)", "t=1795399200,v1=zz",
                    "t=1795399200,v1=\(signature.prefix(63))", "t=1795399200,t=1795399200,v1=\(signature)",
                    "t=1795399200,v1=\(flipped)", "t=1795399201,v1=\(signature)", "t=-5,v1=\(signature)"] {
            #expect(code(bad) == .webhookSignatureInvalid, "header: \(bad)")
        }
        // Spaces, uppercase hex, an unknown scheme and an extra (stale) v1 are tolerated.
        #expect(code("t=1795399200, v0=abc, v1=\(String(repeating: "0", count: 64)), v1=\(signature.uppercased())") == nil)
    }

    @Test("Verification refuses a genuine signature outside the 300 s tolerance (replay)")
    func signatureTolerance() throws {
        let sentAt = Timestamp(secondsSinceEpoch: 1_795_399_200)
        let body = Array("{}".utf8)
        let header = WebhookSigner.sign(secret: Fixture.secret, timestamp: sentAt, body: body)
        try WebhookSigner.verify(header: header, secret: Fixture.secret, body: body, now: sentAt.adding(seconds: 300))
        try WebhookSigner.verify(header: header, secret: Fixture.secret, body: body, now: sentAt.adding(seconds: -300))
        for offset: Int64 in [301, -301, 86_400] {
            let error = #expect(throws: DomainError.self) {
                try WebhookSigner.verify(header: header, secret: Fixture.secret, body: body, now: sentAt.adding(seconds: offset))
            }
            #expect(error?.code == .webhookTimestampOutOfTolerance)
        }
        // A custom tolerance.
        try WebhookSigner.verify(header: header, secret: Fixture.secret, body: body, now: sentAt.adding(seconds: 500), toleranceSeconds: 600)
        // A tampered body is a bad signature even when the timestamp is stale.
        let error = #expect(throws: DomainError.self) {
            try WebhookSigner.verify(header: header, secret: Fixture.secret, body: Array("{ }".utf8), now: sentAt.adding(seconds: 900))
        }
        #expect(error?.code == .webhookSignatureInvalid)
    }

    @Test("The envelope has id, type, created and data with snake_case keys, sorted")
    func envelope() throws {
        let id = try RongID("0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f")
        let payload = WebhookOutbox.makePayload(eventID: id, type: WebhookEventType.orderPaid,
                                                createdAt: Timestamp(secondsSinceEpoch: 1_795_399_200),
                                                data: OrderData(id: "ord_1", orderNumber: "SO/1", amountFen: 12_345, status: "paid"))
        #expect(payload == #"{"created":"2026-11-23T02:00:00.000Z","data":{"amount_fen":12345,"id":"ord_1","order_number":"SO/1","status":"paid"},"id":"0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f","type":"order.paid"}"#)
        #expect(WebhookEventType.all == ["order.paid", "order.expired", "order.closed", "refund.succeeded", "refund.failed"])
        #expect(WebhookEventType.all.allSatisfy(WebhookEventType.isWellFormed))
        #expect(!WebhookEventType.isWellFormed("Order Paid"))
    }

    @Test("The Swift verification example of docs/webhooks.md accepts Rong's signatures and refuses forgeries")
    func documentedSwiftExample() throws {
        let sentAt = Timestamp(secondsSinceEpoch: 1_795_399_200)
        let body = Array(#"{"id":"0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f","type":"order.paid"}"#.utf8)
        let header = WebhookSigner.sign(secret: Fixture.secret, timestamp: sentAt, body: body)
        let now = Date(timeIntervalSince1970: 1_795_399_200)
        try verifyRongWebhook(rawBody: body, header: header, secret: Fixture.secret, now: now.addingTimeInterval(299))
        #expect(throws: InvalidWebhook.self) { try verifyRongWebhook(rawBody: body + [32], header: header, secret: Fixture.secret, now: now) }
        #expect(throws: InvalidWebhook.self) { try verifyRongWebhook(rawBody: body, header: header, secret: "whsec_x", now: now) }
        #expect(throws: InvalidWebhook.self) { try verifyRongWebhook(rawBody: body, header: "t=1", secret: Fixture.secret, now: now) }
        #expect(throws: InvalidWebhook.self) {
            try verifyRongWebhook(rawBody: body, header: header, secret: Fixture.secret, now: now.addingTimeInterval(301))
        }
    }

    // MARK: - The outbox

    @Test("Enqueue writes in the caller's transaction: a rollback leaves no webhook")
    func enqueueIsTransactional() async throws {
        let f = try await Fixture.make()
        struct Rollback: Error {}
        await #expect(throws: Rollback.self) {
            try await f.database.transaction { tx in
                try await f.outbox.enqueue(tx, merchantID: f.merchantID, eventType: WebhookEventType.orderPaid, payload: "{}")
                throw Rollback()
            }
        }
        #expect(try await f.database.query("SELECT id FROM payments_webhooks").isEmpty)
        let id = try await f.enqueue()
        let row = try await f.row(id)
        #expect(row.text("status") == "pending")
        #expect(row.time("next_attempt_at") == f.clock.now)
        #expect(row.time("created_at") == f.clock.now)
        #expect(row.int("attempts") == 0)
        // The webhook id is the envelope's event id.
        #expect(row.text("payload").contains(#""id":"\#(id)""#))
        // A raw payload with an envelope id is stored under that id.
        let eventID = f.ids.next()
        let payload = WebhookOutbox.makePayload(eventID: eventID, type: "order.closed", createdAt: f.clock.now, data: ["k": "v"])
        let stored = try await f.database.transaction { tx in
            try await f.outbox.enqueue(tx, merchantID: f.merchantID, eventType: "order.closed", payload: payload)
        }
        #expect(stored == eventID)
        await f.cleanup()
    }

    @Test("A rotated signing secret: for 24 hours deliveries verify with the new or the old secret; then only the new")
    func signingSecretRotation() async throws {
        let t = try await TestPlatform.make()
        let credentials = try await t.merchant()
        let merchantID = credentials.merchant.id
        let old = credentials.signingSecret
        let rotated = try await t.payments.rotateSigningSecret(merchantID: merchantID, actor: "merchant:\(merchantID)", address: "test")
        #expect(rotated.secret.hasPrefix("whsec_") && rotated.secret != old)
        #expect(rotated.previousValidUntil == t.clock.now.adding(seconds: 24 * 3600))
        let transport = RecordingTransport(script: [.status(200), .status(200)])
        var logger = Logger(label: "test.webhooks")
        logger.logLevel = .critical
        let outbox = WebhookOutbox(database: t.platform.database, clock: t.clock.clock, ids: t.platform.ids, transport: transport, logger: logger)
        func deliver() async throws -> (header: String, body: [UInt8]) {
            _ = try await t.platform.database.transaction { tx in
                try await outbox.enqueue(tx, merchantID: merchantID, eventType: WebhookEventType.orderPaid,
                                         data: OrderData(id: "ord_1", orderNumber: "SO-1", amountFen: 100, status: "paid"))
            }
            t.clock.advance(seconds: 1)
            #expect(try await outbox.deliverDue() == 1)
            let request = try #require(await transport.requests.last)
            return (try #require(request.header("Rong-Signature")), request.body)
        }
        let during = try await deliver()
        #expect(during.header.components(separatedBy: ",v1=").count == 3, "two signatures: \(during.header)")
        try WebhookSigner.verify(header: during.header, secret: rotated.secret, body: during.body, now: t.clock.now)
        try WebhookSigner.verify(header: during.header, secret: old, body: during.body, now: t.clock.now)
        t.clock.advance(seconds: 24 * 3600)
        let after = try await deliver()
        #expect(after.header.components(separatedBy: ",v1=").count == 2, "one signature: \(after.header)")
        try WebhookSigner.verify(header: after.header, secret: rotated.secret, body: after.body, now: t.clock.now)
        #expect(throws: DomainError.self) { try WebhookSigner.verify(header: after.header, secret: old, body: after.body, now: t.clock.now) }
        await #expect(throws: DomainError.self) {
            _ = try await t.payments.rotateSigningSecret(merchantID: RongID.derived("no", "merchant"), actor: "test", address: "test")
        }
        try await t.finish()
    }

    @Test("A 2xx marks the webhook delivered; the request is signed and carries the event headers")
    func deliverySucceeds() async throws {
        let f = try await Fixture.make(transport: RecordingTransport(script: [.status(204)]))
        let id = try await f.enqueue()
        f.clock.advance(seconds: 1)
        #expect(try await f.outbox.deliverDue() == 1)

        let requests = await f.transport.requests
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(request.url == Fixture.notifyURL)
        #expect(request.timeoutSeconds == 10)
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("Rong-Event-Id") == id.description)
        #expect(request.header("Rong-Event-Type") == "order.paid")
        #expect(request.header("User-Agent") == "Rong-Webhooks/1")
        let signature = try #require(request.header("Rong-Signature"))
        #expect(signature.hasPrefix("t=\(f.clock.now.secondsSinceEpoch),v1="))
        try WebhookSigner.verify(header: signature, secret: Fixture.secret, body: request.body, now: f.clock.now)
        #expect(request.bodyText == (try await f.row(id)).text("payload"))
        // A tampered copy, or the same request replayed an hour later, does not verify.
        var tampered = request.body
        tampered[tampered.count - 2] = UInt8(ascii: " ")
        #expect(throws: DomainError.self) { try WebhookSigner.verify(header: signature, secret: Fixture.secret, body: tampered, now: f.clock.now) }
        let replayed = #expect(throws: DomainError.self) {
            try WebhookSigner.verify(header: signature, secret: Fixture.secret, body: request.body, now: f.clock.now.adding(seconds: 3_600))
        }
        #expect(replayed?.code == .webhookTimestampOutOfTolerance)

        let row = try await f.row(id)
        #expect(row.text("status") == "delivered")
        #expect(row.int("attempts") == 1)
        #expect(row.optionalInt("last_status_code") == 204)
        #expect(row.time("delivered_at") == f.clock.now)
        let attempts = try await f.attemptRows(id)
        #expect(attempts.count == 1)
        #expect(attempts.first?.optionalInt("status_code") == 204)
        #expect(attempts.first?.optionalText("error") == nil)
        #expect(attempts.first?.time("attempted_at") == f.clock.now)
        // Nothing more is due.
        f.clock.advance(seconds: 86_400)
        #expect(try await f.outbox.deliverDue() == 0)
        #expect(await f.transport.requests.count == 1)
        await f.cleanup()
    }

    @Test("Failures retry at +10 s, +30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h, then the webhook fails")
    func retryScheduleWalk() async throws {
        #expect(WebhookOutbox.retrySchedule == [10, 30, 120, 600, 1_800, 3_600, 10_800, 21_600, 43_200])
        #expect(WebhookOutbox.attemptsMax == 10)
        let f = try await Fixture.make(transport: RecordingTransport(fallback: .status(500)))
        let id = try await f.enqueue()
        for (index, delay) in WebhookOutbox.retrySchedule.enumerated() {
            #expect(try await f.outbox.deliverDue() == 1, "attempt \(index + 1)")
            let row = try await f.row(id)
            #expect(row.text("status") == "pending")
            #expect(row.int("attempts") == Int64(index + 1))
            #expect(row.optionalInt("last_status_code") == 500)
            #expect(row.time("next_attempt_at") == f.clock.now.adding(seconds: delay), "after attempt \(index + 1)")
            // One second early, nothing is due.
            f.clock.advance(seconds: delay - 1)
            #expect(try await f.outbox.deliverDue() == 0)
            f.clock.advance(seconds: 1)
        }
        // Attempt 10 is the last.
        #expect(try await f.outbox.deliverDue() == 1)
        let row = try await f.row(id)
        #expect(row.text("status") == "failed")
        #expect(row.int("attempts") == 10)
        f.clock.advance(seconds: 86_400)
        #expect(try await f.outbox.deliverDue() == 0)
        #expect(await f.transport.requests.count == 10)
        let attempts = try await f.attemptRows(id)
        #expect(attempts.count == 10)
        #expect(attempts.allSatisfy { $0.optionalInt("status_code") == 500 && $0.int("duration_ms") >= 0 })
        // Every attempt is freshly signed with its own time.
        let stamps = await f.transport.requests.compactMap { $0.header("Rong-Signature")?.split(separator: ",").first }
        #expect(Set(stamps).count == 10)
        let delivery = try await f.outbox.delivery(webhookID: id, merchantID: f.merchantID)
        #expect(delivery.status == .failed)
        #expect(delivery.nextAttemptAt == nil)
        await f.cleanup()
    }

    @Test("No retry is scheduled past 24 h after creation")
    func deliveryWindow() async throws {
        #expect(WebhookOutbox.nextAttempt(afterFailedAttempt: 1, finishedAt: Timestamp(secondsSinceEpoch: 0), createdAt: Timestamp(secondsSinceEpoch: 0))
                == Timestamp(secondsSinceEpoch: 10))
        #expect(WebhookOutbox.nextAttempt(afterFailedAttempt: 10, finishedAt: Timestamp(secondsSinceEpoch: 0), createdAt: Timestamp(secondsSinceEpoch: 0)) == nil)
        let f = try await Fixture.make(transport: RecordingTransport(fallback: .status(503)))
        let late = try await f.enqueue()
        // The server was away: the first attempt happens 23 h 59 min 55 s after the event.
        f.clock.advance(seconds: 86_400 - 5)
        #expect(try await f.outbox.deliverDue() == 1)
        let row = try await f.row(late)
        #expect(row.text("status") == "failed")
        #expect(row.int("attempts") == 1)
        // Exactly on the boundary is still allowed.
        let edge = try await f.enqueue(orderNumber: "SO-2")
        f.clock.advance(seconds: 86_400 - 10)
        #expect(try await f.outbox.deliverDue() == 1)
        let edgeRow = try await f.row(edge)
        #expect(edgeRow.text("status") == "pending")
        #expect(edgeRow.time("next_attempt_at") == (try await f.row(edge)).time("created_at").adding(seconds: 86_400))
        await f.cleanup()
    }

    @Test("Transport errors, redirects and 4xx are failed attempts; a bad notify_url is never called")
    func failedAttempts() async throws {
        let f = try await Fixture.make(transport: RecordingTransport(script: [.fail("connection refused"), .status(302), .status(404), .status(200)]))
        let id = try await f.enqueue()
        for expected in ["connection refused", "302", "404"] {
            #expect(try await f.outbox.deliverDue() == 1)
            let row = try await f.row(id)
            #expect(row.text("status") == "pending", "after \(expected)")
            f.clock.set(row.time("next_attempt_at"))
        }
        #expect(try await f.outbox.deliverDue() == 1)
        let attempts = try await f.outbox.attempts(webhookID: id, merchantID: f.merchantID)
        #expect(attempts.map(\.statusCode) == [nil, 302, 404, 200])
        #expect(attempts.first?.error?.contains("connection refused") == true)
        #expect(attempts.dropFirst().allSatisfy { $0.error == nil })
        let delivery = try await f.outbox.delivery(webhookID: id, merchantID: f.merchantID)
        #expect(delivery.status == .delivered)
        #expect(delivery.attempts == 4)
        #expect(delivery.lastStatusCode == 200)
        #expect(delivery.lastError == nil)

        let ftp = try await Fixture.addMerchant(f.database, ids: f.ids, clock: f.clock.clock, licence: "91110000MA01FTPS2Y",
                                                notifyURL: "ftp://shop.example.com/hook", secret: "s")
        let bad = try await f.enqueue(merchant: ftp)
        #expect(try await f.outbox.deliverDue() == 1)
        #expect(await f.transport.requests.count == 4)
        let badAttempts = try await f.outbox.attempts(webhookID: bad, merchantID: ftp)
        #expect(badAttempts.count == 1)
        #expect(badAttempts.first?.statusCode == nil)
        #expect(badAttempts.first?.error?.contains("http") == true)
        #expect(try await f.row(bad).text("status") == "pending")
        await f.cleanup()
    }

    @Test("Deliveries list newest first with cursor pagination; attempts are per merchant")
    func listing() async throws {
        let f = try await Fixture.make(transport: RecordingTransport(script: [.status(500)], fallback: .status(200)))
        // The oldest is tried first, alone, and fails; the others then succeed.
        var ids = [try await f.enqueue(orderNumber: "SO-1")]
        #expect(try await f.outbox.deliverDue() == 1)
        let retryAt = try await f.row(ids[0]).time("next_attempt_at")
        for number in 2...5 {
            f.clock.advance(seconds: 1)
            ids.append(try await f.enqueue(orderNumber: "SO-\(number)"))
        }
        let other = try await f.addMerchant(licence: "91110000MA01OTHR3Z")
        let foreign = try await f.enqueue(merchant: other)
        #expect(try await f.outbox.deliverDue() == 5)

        let page1 = try await f.outbox.deliveries(merchantID: f.merchantID, limit: 3)
        #expect(page1.map(\.id) == [ids[4], ids[3], ids[2]])
        let page2 = try await f.outbox.deliveries(merchantID: f.merchantID, limit: 3, before: page1.last?.id)
        #expect(page2.map(\.id) == [ids[1], ids[0]])
        #expect(page2.last?.status == .pending)
        #expect(page2.last?.lastStatusCode == 500)
        #expect(page2.last?.attempts == 1)
        #expect(page2.last?.nextAttemptAt == retryAt)
        #expect(page1.allSatisfy { $0.status == .delivered && $0.attempts == 1 && $0.lastStatusCode == 200 && $0.eventType == "order.paid" })
        // Another merchant's webhook is invisible: not in the list, not as a cursor, not its attempts.
        #expect(try await f.outbox.deliveries(merchantID: other).map(\.id) == [foreign])
        let asCursor = await #expect(throws: DomainError.self) { try await f.outbox.deliveries(merchantID: f.merchantID, before: foreign) }
        #expect(asCursor?.code == .notFound)
        let itsAttempts = await #expect(throws: DomainError.self) { try await f.outbox.attempts(webhookID: foreign, merchantID: f.merchantID) }
        #expect(itsAttempts?.code == .notFound)
        let itself = await #expect(throws: DomainError.self) { try await f.outbox.delivery(webhookID: foreign, merchantID: f.merchantID) }
        #expect(itself?.code == .notFound)
        await f.cleanup()
    }

    @Test("Replay sends a delivered or failed webhook again; only its merchant may; pending is a conflict")
    func replay() async throws {
        let f = try await Fixture.make(transport: RecordingTransport(fallback: .status(200)))
        let id = try await f.enqueue()
        #expect(try await f.outbox.deliverDue() == 1)
        let other = try await f.addMerchant(licence: "91110000MA01OTHR3Z")

        // Another merchant: not found, and nothing changes.
        let notFound = await #expect(throws: DomainError.self) { try await f.outbox.replay(webhookID: id, merchantID: other) }
        #expect(notFound?.code == .notFound)
        #expect(notFound?.status == 404)
        #expect(try await f.row(id).text("status") == "delivered")
        let unknown = await #expect(throws: DomainError.self) { try await f.outbox.replay(webhookID: f.ids.next(), merchantID: f.merchantID) }
        #expect(unknown?.code == .notFound)

        f.clock.advance(seconds: 3_600)
        let replayed = try await f.outbox.replay(webhookID: id, merchantID: f.merchantID)
        #expect(replayed.status == .pending)
        #expect(replayed.nextAttemptAt == f.clock.now)
        let conflict = await #expect(throws: DomainError.self) { try await f.outbox.replay(webhookID: id, merchantID: f.merchantID) }
        #expect(conflict?.status == 409)
        #expect(try await f.outbox.deliverDue() == 1)
        let requests = await f.transport.requests
        #expect(requests.count == 2)
        #expect(requests.map { $0.header("Rong-Event-Id") } == [id.description, id.description])
        #expect(requests[0].body == requests[1].body)
        try WebhookSigner.verify(header: try #require(requests[1].header("Rong-Signature")), secret: Fixture.secret,
                                 body: requests[1].body, now: f.clock.now)
        let delivery = try await f.outbox.delivery(webhookID: id, merchantID: f.merchantID)
        #expect(delivery.status == .delivered)
        #expect(delivery.attempts == 2)
        #expect(delivery.deliveredAt == f.clock.now)
        await f.cleanup()
    }

    @Test("Replaying a webhook that used up its retries makes one more attempt")
    func replayFailed() async throws {
        let f = try await Fixture.make(transport: RecordingTransport(fallback: .status(500)))
        let id = try await f.enqueue()
        for _ in 0..<WebhookOutbox.attemptsMax {
            #expect(try await f.outbox.deliverDue() == 1)
            f.clock.set(try await f.row(id).time("next_attempt_at"))
        }
        #expect(try await f.row(id).text("status") == "failed")
        f.clock.advance(seconds: 86_400)
        try await f.outbox.replay(webhookID: id, merchantID: f.merchantID)
        #expect(try await f.outbox.deliverDue() == 1)
        let row = try await f.row(id)
        #expect(row.text("status") == "failed")
        #expect(row.int("attempts") == 11)
        #expect(try await f.attemptRows(id).count == 11)
        await f.cleanup()
    }

    @Test("Concurrent deliverDue calls deliver each webhook exactly once")
    func concurrentDelivery() async throws {
        let f = try await Fixture.make(transport: RecordingTransport(fallback: .status(200), delay: .milliseconds(2)))
        var ids: [RongID] = []
        for number in 1...40 { ids.append(try await f.enqueue(orderNumber: "SO-\(number)")) }
        let outbox = f.outbox
        let attempted = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { try await outbox.deliverDue(limit: 100) } }
            return try await group.reduce(0, +)
        }
        #expect(attempted == 40)
        let sent = await f.transport.requests.compactMap { $0.header("Rong-Event-Id") }
        #expect(sent.count == 40)
        #expect(Set(sent) == Set(ids.map(\.description)))
        let counts = try await f.database.query("SELECT webhook_id, COUNT(*) AS n FROM payments_webhook_attempts GROUP BY webhook_id")
        #expect(counts.count == 40)
        #expect(counts.allSatisfy { $0.int("n") == 1 })
        let statuses = try await f.database.query("SELECT status FROM payments_webhooks")
        #expect(statuses.allSatisfy { $0.text("status") == "delivered" })
        await f.cleanup()
    }

    @Test("A claimed webhook is not sent by another caller until the claim lapses")
    func claims() async throws {
        let f = try await Fixture.make()
        let id = try await f.enqueue()
        // Another node claimed it (and then crashed before recording anything).
        let claimed = try await f.database.execute(
            "UPDATE payments_webhooks SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ?",
            [.time(f.clock.now.adding(seconds: WebhookOutbox.claimSeconds)), .id(id), .time(f.clock.now)])
        #expect(claimed == 1)
        #expect(try await f.outbox.deliverDue() == 0)
        f.clock.advance(seconds: WebhookOutbox.claimSeconds)
        #expect(try await f.outbox.deliverDue() == 1)
        #expect(try await f.row(id).text("status") == "delivered")
        await f.cleanup()
    }

    @Test("The delivery service drains due webhooks until cancelled")
    func deliveryService() async throws {
        let f = try await Fixture.make()
        let id = try await f.enqueue()
        var logger = Logger(label: "test.webhooks")
        logger.logLevel = .critical
        let service = WebhookDeliveryService(outbox: f.outbox, logger: logger)
        let task = Task { await service.run(every: .milliseconds(10)) }
        var status = ""
        var polls = 0
        while status != "delivered", polls < 500 {
            try await Task.sleep(for: .milliseconds(10))
            status = try await f.row(id).text("status")
            polls += 1
        }
        task.cancel()
        await task.value
        #expect(status == "delivered")
        #expect(await f.transport.requests.count == 1)
        await f.cleanup()
    }

    // MARK: - Over real HTTP

    @Test("End to end: the live transport POSTs to a Hummingbird server that verifies the signature; redirects are not followed")
    func liveHTTP() async throws {
        let received = Inbox()
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = Array(buffer.readableBytesView)
            let header = request.headers[HTTPField.Name("Rong-Signature")!] ?? ""
            let eventID = request.headers[HTTPField.Name("Rong-Event-Id")!] ?? ""
            do throws(DomainError) {
                try WebhookSigner.verify(header: header, secret: Fixture.secret, body: body, now: BankClock.live.now())
            } catch {
                await received.refuse(error.code.rawValue)
                return Response(status: .badRequest)
            }
            await received.accept(eventID: eventID, body: body, userAgent: request.headers[.userAgent] ?? "")
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok")))
        }
        router.post("/moved") { _, _ -> Response in
            Response(status: .found, headers: [.location: "/hook"])
        }
        var serverLogger = Logger(label: "test.webhooks.server")
        serverLogger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: serverLogger)

        try await app.test(.live) { client in
            let port = try #require(client.port)
            let db = try await TestDatabase.make(migrations: PaymentsSchema.migrations)
            let transport = HTTPWebhookTransport()
            var logger = Logger(label: "test.webhooks")
            logger.logLevel = .critical
            let outbox = WebhookOutbox(database: db.database, clock: .live, ids: .live, transport: transport, logger: logger)
            let merchant = try await Fixture.addMerchant(db.database, ids: .live, clock: .live, licence: "91110000MA01LIVE4A",
                                                         notifyURL: "http://127.0.0.1:\(port)/hook", secret: Fixture.secret)
            let moved = try await Fixture.addMerchant(db.database, ids: .live, clock: .live, licence: "91110000MA01MOVE5B",
                                                      notifyURL: "http://127.0.0.1:\(port)/moved", secret: Fixture.secret)
            let id = try await db.database.transaction { tx in
                try await outbox.enqueue(tx, merchantID: merchant, eventType: WebhookEventType.refundSucceeded,
                                         data: OrderData(id: "ref_1", orderNumber: "SO-9", amountFen: 500, status: "succeeded"))
            }
            let redirected = try await db.database.transaction { tx in
                try await outbox.enqueue(tx, merchantID: moved, eventType: WebhookEventType.orderClosed,
                                         data: OrderData(id: "ord_2", orderNumber: "SO-10", amountFen: 1, status: "closed"))
            }
            #expect(try await outbox.deliverDue() == 2)

            let accepted = await received.accepted
            #expect(accepted.count == 1)
            #expect(accepted.first?.eventID == id.description)
            #expect(accepted.first?.userAgent == "Rong-Webhooks/1")
            #expect(await received.refused.isEmpty)
            let delivery = try await outbox.delivery(webhookID: id, merchantID: merchant)
            #expect(delivery.status == .delivered)
            #expect(delivery.lastStatusCode == 200)
            #expect(accepted.first.map { String(decoding: $0.body, as: UTF8.self) } == delivery.payload)

            // The redirect is recorded as a 302 and retried later, never followed.
            let redirect = try await outbox.delivery(webhookID: redirected, merchantID: moved)
            #expect(redirect.status == .pending)
            #expect(redirect.lastStatusCode == 302)

            // A URL the transport refuses, and a closed port.
            await #expect(throws: WebhookTransportError.self) {
                _ = try await transport.post(url: "file:///etc/passwd", headers: [], body: [], timeoutSeconds: 1)
            }
            await #expect(throws: (any Error).self) {
                _ = try await transport.post(url: "http://127.0.0.1:1/hook", headers: [], body: [], timeoutSeconds: 2)
            }
            try await transport.shutdown()
            await db.cleanup()
        }
    }
}

/// What the test server received.
private actor Inbox {
    struct Event: Sendable {
        let eventID: String
        let body: [UInt8]
        let userAgent: String
    }

    private(set) var accepted: [Event] = []
    private(set) var refused: [String] = []

    func accept(eventID: String, body: [UInt8], userAgent: String) { accepted.append(Event(eventID: eventID, body: body, userAgent: userAgent)) }
    func refuse(_ code: String) { refused.append(code) }
}

// MARK: - The Swift example of docs/webhooks.md (identical but for `private`; keep them so)

private struct InvalidWebhook: Error { let reason: String }

/// Throws unless `header` (the Rong-Signature value) signs `rawBody` within the tolerance.
private func verifyRongWebhook(rawBody: [UInt8], header: String, secret: String,
                       now: Date = Date(), toleranceSeconds: Int64 = 300) throws {
    var timestamp: Int64?
    var signatures: [[UInt8]] = []
    for item in header.split(separator: ",") {
        let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard pair.count == 2 else { throw InvalidWebhook(reason: "malformed Rong-Signature header") }
        if pair[0] == "t" {
            guard timestamp == nil, let seconds = Int64(pair[1]), seconds >= 0 else { throw InvalidWebhook(reason: "bad timestamp") }
            timestamp = seconds
        } else if pair[0] == "v1", let mac = hexBytes(pair[1]) {
            signatures.append(mac)
        }
    }
    guard let timestamp, !signatures.isEmpty else { throw InvalidWebhook(reason: "missing t or v1") }

    let key = SymmetricKey(data: Array(secret.utf8))
    let signed = Array("\(timestamp).".utf8) + rawBody
    // isValidAuthenticationCode compares in constant time.
    guard signatures.contains(where: { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: signed, using: key) }) else {
        throw InvalidWebhook(reason: "signature mismatch")
    }
    guard abs(Int64(now.timeIntervalSince1970) - timestamp) <= toleranceSeconds else {
        throw InvalidWebhook(reason: "timestamp outside tolerance (replay?)")
    }
}

/// 64 hexadecimal digits as 32 bytes; nil for anything else.
private func hexBytes(_ hex: String) -> [UInt8]? {
    let digits = Array(hex.utf8)
    guard digits.count == 64 else { return nil }
    let bytes = stride(from: 0, to: 64, by: 2).compactMap { UInt8(String(decoding: digits[$0 ..< $0 + 2], as: UTF8.self), radix: 16) }
    return bytes.count == 32 ? bytes : nil
}
