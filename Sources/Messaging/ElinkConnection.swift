import BankKit
import Identity
import Logging

/// One client's e-Link session, independent of the transport: the WebSocket route feeds it
/// text frames and hub events and writes out what it returns; tests and `rong bench im` drive
/// it the same way.
///
/// Per connection and conversation it remembers the last sequence number it sent, so once a
/// client has synced a conversation it receives every later message exactly once and in order:
/// a push that arrives early (it crossed nodes faster than an earlier one) is preceded by the
/// missing messages read from the database; one already sent is dropped.
public actor ElinkConnection {
    /// The client should send a frame (e.g. `ping`) at least this often; the server pings too.
    public static let heartbeatSeconds = 30
    /// Larger text frames get an `frame_too_large` error frame (the connection stays open).
    public static let frameBytesMax = 16 * 1_024
    /// The token bucket of each connection: this many frames a second, bursts of `burstFrames`.
    public static let framesPerSecond = 20
    public static let burstFrames = 40
    /// A gap larger than this is not filled by the server: the client gets `resync` and pages.
    public static let gapFillMax = 200
    /// Conversations whose position a connection remembers.
    public static let trackedConversationsMax = 5_000

    let service: MessagingService
    public nonisolated let principal: Principal
    public nonisolated let subscription: HubSubscription
    private var bucket: TokenBucket
    private var delivered: [RongID: Int64] = [:]
    private var lastPresence: Timestamp
    private var closed = false
    /// Hub events that arrived while a client frame was being handled, delivered in order once
    /// it is answered (and any that arrive meanwhile after them). The actor is re-entered while
    /// a frame awaits the database; a push made then would be decided on a position the frame is
    /// about to move (a gap it is filling, a message it is sending), and could overtake its
    /// answer or repeat a message the answer carries.
    private var framesInFlight = 0
    private var held: [HubEvent] = []
    private var draining = false
    static let heldMax = 1_024

    init(service: MessagingService, principal: Principal, subscription: HubSubscription) {
        self.service = service
        self.principal = principal
        self.subscription = subscription
        let now = service.clock.now()
        bucket = TokenBucket(capacity: ElinkConnection.burstFrames, perSecond: ElinkConnection.framesPerSecond, now: now)
        lastPresence = now
    }

    /// Opens a session for an authenticated caller: enrols a customer on first use, records
    /// presence, joins the hub, and returns the `hello` frame listing their conversations.
    public static func open(service: MessagingService, principal: Principal) async throws -> (ElinkConnection, hello: String) {
        let principal = try await service.caller(principal)
        try await service.touchPresence(principal.userID)
        let conversations = try await service.conversations(principal)
        let subscription = service.hub.attach(userID: principal.userID)
        let connection = ElinkConnection(service: service, principal: principal, subscription: subscription)
        return (connection, ElinkFrames.hello(userID: principal.userID, conversations: conversations))
    }

    /// Leaves the hub and records the time the user was last here.
    public func close() async {
        guard !closed else { return }
        closed = true
        service.hub.detach(subscription)
        try? await service.touchPresence(principal.userID)
    }

    /// Called by the transport's heartbeat timer: keeps presence fresh while connected.
    public func heartbeat() async {
        let now = service.clock.now()
        guard now.nanosecondsSinceEpoch - lastPresence.nanosecondsSinceEpoch >= MessagingLimits.presenceRefreshSeconds * 1_000_000_000 else { return }
        lastPresence = now
        try? await service.touchPresence(principal.userID)
    }

    // MARK: Client frames

    /// Handles one text frame from the client; returns the frames to send back, in order.
    public func receive(_ text: String) async -> [String] {
        guard text.utf8.count <= ElinkConnection.frameBytesMax else {
            return [ElinkFrames.error(DomainError(.frameTooLarge, "Frames are at most \(ElinkConnection.frameBytesMax) bytes.", status: 413,
                                                  extensions: ["limit_bytes": .int(Int64(ElinkConnection.frameBytesMax))]), ref: nil)]
        }
        guard bucket.take(now: service.clock.now()) else {
            return [ElinkFrames.error(DomainError(.rateLimited, "Too many frames; at most \(ElinkConnection.framesPerSecond) a second.", status: 429,
                                                  extensions: ["limit_per_second": .int(Int64(ElinkConnection.framesPerSecond))]), ref: nil)]
        }
        guard let frame = ClientFrameScanner.scan(text) ?? MessagingService.decodeJSON(ClientFrame.self, text) else {
            return [ElinkFrames.error(DomainError(.invalidFrame, "A frame is a JSON object with a known \"type\" and well-formed members.", status: 400),
                                      ref: nil)]
        }
        await heartbeat()
        framesInFlight += 1
        var frames: [String]
        do {
            frames = try await handle(frame)
        } catch let error as DomainError {
            frames = [ElinkFrames.error(error, ref: frame.ref)]
        } catch {
            service.logger.error("elink frame failed", metadata: ["type": "\(frame.type)", "error": "\(error)"])
            frames = [ElinkFrames.error(DomainError(.internalError, "The frame could not be handled; nothing was stored.", status: 500), ref: frame.ref)]
        }
        framesInFlight -= 1
        if framesInFlight == 0 && !draining && !held.isEmpty {
            draining = true
            while !held.isEmpty { frames += await deliverNow(held.removeFirst()) }
            draining = false
        }
        return frames
    }

    /// `receive(_:)` for a transport: the answers go to `emit` before this connection's actor
    /// runs anything else, so a push made meanwhile cannot overtake them on the way to the socket
    /// (returning them and emitting after the call would leave the actor in between).
    public func receive(_ text: String, emit: @Sendable ([String]) -> Void) async {
        emit(await receive(text))
    }

    private func handle(_ frame: ClientFrame) async throws -> [String] {
        switch frame.type {
        case "ping":
            return [ElinkFrames.pong(ref: frame.ref, at: service.clock.now())]
        case "send":
            let conversationID = try required(frame.conversationID, "conversation_id")
            let result = try await service.send(principal, conversationID: conversationID, clientID: frame.clientID, content: try content(of: frame),
                                                origin: subscription)
            return try await sent(result.message, reply: ElinkFrames.ack(ref: frame.ref, message: result.message, messageJSON: result.messageJSON,
                                                                                  duplicate: result.duplicate))
        case "sync":
            guard let conversationID = frame.conversationID else {
                return [ElinkFrames.conversations(try await service.conversations(principal), ref: frame.ref)]
            }
            let after = max(frame.afterSeq ?? 0, 0)
            let page = try await service.sync(principal, conversationID: conversationID, afterSeq: after, limit: frame.limit ?? MessagingLimits.syncPageMax)
            if page.hasMore {
                delivered[conversationID] = nil
            } else {
                remember(conversationID, page.messages.last?.seq ?? min(after, page.lastSeq))
            }
            return [ElinkFrames.messages(page, ref: frame.ref)]
        case "read":
            let conversationID = try required(frame.conversationID, "conversation_id")
            let readSeq = try await service.markRead(principal, conversationID: conversationID, seq: try required(frame.seq, "seq"))
            return [ElinkFrames.ack(ref: frame.ref, readSeq: readSeq)]
        case "typing":
            try await service.typing(principal, conversationID: try required(frame.conversationID, "conversation_id"))
            return []
        case "recall":
            let recall = try await service.recall(principal, messageID: try required(frame.messageID, "message_id"), origin: subscription)
            return try await sent(recall, reply: ElinkFrames.ack(ref: frame.ref, message: recall))
        case "ack":
            let conversationID = try required(frame.conversationID, "conversation_id")
            let seq = try required(frame.seq, "seq")
            _ = try await service.conversation(principal, id: conversationID)
            if (delivered[conversationID] ?? -1) < seq { remember(conversationID, seq) }
            return []
        default:
            throw DomainError(.invalidFrame, "Unknown frame type '\(frame.type.prefix(20))'.", status: 400, extensions: ["field": .string("type")])
        }
    }

    /// After the caller stored `message` (the hub does not push it back here): fills any gap
    /// before it, then the reply.
    private func sent(_ message: Message, reply: String) async throws -> [String] {
        var frames: [String] = []
        if let last = delivered[message.conversationID] {
            if message.seq > last + 1 { frames += try await fill(message.conversationID, after: last, upTo: message.seq - 1) }
            if message.seq > (delivered[message.conversationID] ?? last) { remember(message.conversationID, message.seq) }
        }
        return frames + [reply]
    }

    private func content(of frame: ClientFrame) throws -> MessageContent {
        switch frame.kind ?? "text" {
        case "text": return .text(try required(frame.text, "text"))
        case "image": return .image(blobID: try required(frame.blobID, "blob_id"))
        case "voice": return .voice(blobID: try required(frame.blobID, "blob_id"), seconds: try required(frame.seconds, "seconds"))
        case "card": return .card(try required(frame.card, "card"))
        default:
            throw DomainError(.invalidFrame, "Message kinds are text, image, voice and card.", status: 422, extensions: ["field": .string("kind")])
        }
    }

    private func required<T>(_ value: T?, _ field: String) throws -> T {
        guard let value else {
            throw DomainError(.invalidFrame, "This frame needs \(field).", status: 422, extensions: ["field": .string(field)])
        }
        return value
    }

    private func remember(_ conversationID: RongID, _ seq: Int64) {
        if delivered[conversationID] == nil && delivered.count >= ElinkConnection.trackedConversationsMax { delivered.removeAll() }
        delivered[conversationID] = seq
    }

    // MARK: Hub events

    /// `deliver(_:)` for a transport: the frames go to `emit` while still on this actor (see
    /// `receive(_:emit:)`), so they reach the socket in the order this connection made them.
    public func deliver(_ event: HubEvent, emit: @Sendable ([String]) -> Void) async {
        emit(await deliver(event))
    }

    /// Turns a hub event into the frames this client should get (none for a duplicate).
    public func deliver(_ event: HubEvent) async -> [String] {
        if framesInFlight > 0 || draining {
            if held.count < ElinkConnection.heldMax {
                held.append(event)
                return []
            }
            // Too many waiting: the client re-syncs this conversation instead.
            guard event.kind == .message else { return [] }
            let last = delivered.removeValue(forKey: event.conversationID)
            return [ElinkFrames.resync(conversationID: event.conversationID, afterSeq: last)]
        }
        return await deliverNow(event)
    }

    private func deliverNow(_ event: HubEvent) async -> [String] {
        guard event.kind == .message, let seq = event.seq, let last = delivered[event.conversationID] else { return [event.frame] }
        if seq <= last { return [] }
        if seq == last + 1 {
            delivered[event.conversationID] = seq
            return [event.frame]
        }
        do { return try await fill(event.conversationID, after: last, upTo: seq) } catch {
            delivered[event.conversationID] = nil
            return [ElinkFrames.resync(conversationID: event.conversationID, afterSeq: last)]
        }
    }

    /// Messages (after, upTo] from the database as frames; a gap too large becomes a `resync`.
    private func fill(_ conversationID: RongID, after: Int64, upTo: Int64) async throws -> [String] {
        guard upTo - after <= Int64(ElinkConnection.gapFillMax) else {
            delivered[conversationID] = nil
            return [ElinkFrames.resync(conversationID: conversationID, afterSeq: after)]
        }
        let page = try await service.page(conversationID: conversationID, after: after, limit: Int(upTo - after))
        // Another fill may have sent some of these while this one waited for the database.
        let sent = max(after, delivered[conversationID] ?? after)
        let messages = page.messages.filter { $0.seq > sent && $0.seq <= upTo }
        if let last = messages.last { delivered[conversationID] = last.seq }
        return messages.map { ElinkFrames.message($0) }
    }
}
