import BankKit
import Foundation
import Logging
import PostgresNIO
import Storage
import Synchronization

/// The hub for several nodes on one PostgreSQL database: each event goes to this node's
/// connections at once and to the other nodes with `NOTIFY rong_elink`; each node holds one
/// connection that `LISTEN`s and hands what others published to its local connections.
///
/// A NOTIFY payload is at most 8,000 bytes; an event that does not fit travels as a reference
/// (conversation and sequence) and the receiving node reads the message and its members from
/// the database. Notifications are lost while a node's LISTEN connection is down; when it comes
/// back the node tells its clients to `resync` (every message is in the database).
public final class PostgresMessageHub: MessageHub {
    public static let channel = "rong_elink"
    /// Payloads stay under PostgreSQL's 8,000-byte NOTIFY limit.
    static let payloadBytesMax = 7_500
    /// Recipients listed in a payload; larger audiences are read from the members table.
    static let recipientsInPayloadMax = 100
    /// Reconnect delays of the LISTEN connection: 0.5 s doubling to 30 s.
    static let reconnectDelayMinMilliseconds: Int64 = 500
    static let reconnectDelayMaxMilliseconds: Int64 = 30_000

    public let local = LocalMessageHub()
    /// This node, so it ignores its own notifications (it delivered those already).
    public let nodeID: String
    let database: Database
    let logger: Logger
    private let listening = Mutex(false)
    private let readyWaiters = Mutex<[CheckedContinuation<Void, Never>]>([])

    struct Wire: Codable {
        /// Node, kind, conversation, recipients (nil: read them), sequence, frame (nil: read the message).
        let n: String
        let k: HubEvent.Kind
        let c: RongID
        let r: [RongID]?
        let s: Int64?
        let f: String?
    }

    public init(database: Database, nodeID: String, logger: Logger) {
        precondition(database.postgres != nil, "PostgresMessageHub needs a PostgreSQL database")
        self.database = database
        self.nodeID = nodeID
        self.logger = logger
    }

    public func publish(_ event: HubEvent) async {
        local.deliverLocally(event)
        guard let payload = PostgresMessageHub.payload(event, nodeID: nodeID) else {
            logger.debug("elink event too large to cross nodes", metadata: ["kind": "\(event.kind)"])
            return
        }
        do {
            _ = try await database.query("SELECT pg_notify('\(PostgresMessageHub.channel)', ?) AS sent", [.text(payload)])
        } catch {
            logger.warning("elink NOTIFY failed", metadata: ["error": "\(error)"])
        }
    }

    /// The smallest payload that still lets other nodes deliver the event; nil for an ephemeral
    /// event (typing, receipt) too large to send.
    static func payload(_ event: HubEvent, nodeID: String) -> String? {
        func encode(_ wire: Wire) -> String { String(decoding: try! JSONEncoder().encode(wire), as: UTF8.self) }
        let recipients = event.recipients.count <= recipientsInPayloadMax ? event.recipients : nil
        let full = encode(Wire(n: nodeID, k: event.kind, c: event.conversationID, r: recipients, s: event.seq, f: event.frame))
        if full.utf8.count <= payloadBytesMax && recipients != nil { return full }
        guard event.kind == .message, event.seq != nil else { return nil }
        let reference = encode(Wire(n: nodeID, k: event.kind, c: event.conversationID, r: recipients, s: event.seq, f: nil))
        if reference.utf8.count <= payloadBytesMax { return reference }
        return encode(Wire(n: nodeID, k: event.kind, c: event.conversationID, r: nil, s: event.seq, f: nil))
    }

    public func attach(userID: RongID) -> HubSubscription { local.attach(userID: userID) }
    public func detach(_ subscription: HubSubscription) { local.detach(subscription) }
    public var connectionCount: Int { local.connectionCount }

    /// Returns once the LISTEN connection is listening (tests wait for it before publishing).
    public func waitUntilListening() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = listening.withLock { $0 }
            if now { continuation.resume(); return }
            readyWaiters.withLock { $0.append(continuation) }
            // Re-check: the listener may have started between the two locks.
            if listening.withLock({ $0 }) { resumeWaiters() }
        }
    }

    private func resumeWaiters() {
        let waiters = readyWaiters.withLock { waiters in
            let out = waiters
            waiters.removeAll()
            return out
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Listens until the task is cancelled, reconnecting with a capped backoff.
    public func run() async {
        guard let client = database.postgres else { return }
        var delay = PostgresMessageHub.reconnectDelayMinMilliseconds
        var interrupted = false
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: PostgresMessageHub.channel) { notifications in
                        listening.withLock { $0 = true }
                        resumeWaiters()
                        delay = PostgresMessageHub.reconnectDelayMinMilliseconds
                        if interrupted {
                            local.broadcastLocally { user in
                                HubEvent(kind: .resync, conversationID: .zero, recipients: [user], seq: nil,
                                         frame: ElinkFrames.resync(conversationID: nil, afterSeq: nil))
                            }
                        }
                        for try await notification in notifications {
                            await receive(notification.payload)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("elink LISTEN connection lost; reconnecting", metadata: ["error": "\(error)"])
            }
            listening.withLock { $0 = false }
            interrupted = true
            if Task.isCancelled { break }
            try? await Task.sleep(for: .milliseconds(delay))
            delay = min(delay * 2, PostgresMessageHub.reconnectDelayMaxMilliseconds)
        }
        listening.withLock { $0 = false }
    }

    func receive(_ payload: String) async {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(payload.utf8)), wire.n != nodeID else { return }
        do {
            var recipients = wire.r
            if recipients == nil {
                recipients = try await database.query(
                    "SELECT user_id FROM messaging_members WHERE conversation_id = ? AND left_at IS NULL", [.id(wire.c)]).map { $0.id("user_id") }
            }
            let local = self.local
            let reachable = (recipients ?? []).filter { local.isConnected($0) }
            guard !reachable.isEmpty else { return }
            var frame = wire.f
            if frame == nil, let seq = wire.s {
                guard let row = try await database.first(
                    "SELECT \(MessagingService.messageColumns) FROM messaging_messages WHERE conversation_id = ? AND seq = ?",
                    [.id(wire.c), .int(seq)]) else { return }
                frame = ElinkFrames.message(MessagingService.message(row))
            }
            guard let frame else { return }
            local.deliverLocally(HubEvent(kind: wire.k, conversationID: wire.c, recipients: reachable, seq: wire.s, frame: frame))
        } catch {
            logger.warning("elink notification could not be delivered", metadata: ["error": "\(error)"])
        }
    }
}
