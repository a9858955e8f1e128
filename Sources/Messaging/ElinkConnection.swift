import BankKit
import Identity
import Logging
import Synchronization

/// One client's e-Link session, independent of the transport: the WebSocket route feeds it
/// text frames and binds it to the socket (`bind(emit:)`); tests and `rong bench im` drive it
/// the same way, or read hub events themselves and hand them to `deliver(_:)`.
///
/// Per connection and conversation it remembers the last sequence number it sent, so once a
/// client has synced a conversation it receives every later message exactly once and in order:
/// a push that arrives early (it crossed nodes faster than an earlier one) is preceded by the
/// missing messages read from the database; one already sent is dropped.
///
/// The state sits behind one lock rather than in an actor, so a hub event for a bound
/// connection becomes a frame on the publisher's thread — no stream, task or actor hop per
/// delivered frame (those had been about a tenth of the server's CPU per 1:1 message). Frames
/// are handed to `emit` with the lock held, so they reach the socket in the order this
/// connection decided them; only a gap (read from the database) is finished on a task of its
/// own, with later events held until it is.
public final class ElinkConnection: Sendable {
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
    /// Hub events held while client frames are in flight (past this a message event becomes a `resync`).
    static let heldMax = 1_024

    /// Where a connection's frames go: called with the connection's lock held, so it must only
    /// queue them (the WebSocket writer hands them to the channel's event loop).
    public typealias Emit = @Sendable ([String]) -> Void

    let service: MessagingService
    public let principal: Principal
    public let subscription: HubSubscription
    private let state: Mutex<State>

    private struct State {
        var bucket: TokenBucket
        var delivered: [RongID: Int64] = [:]
        var lastPresence: Timestamp
        var closed = false
        /// Hub events that arrive while a client frame is being handled are held and delivered
        /// in order once it is answered (and any that arrive meanwhile after them): a push made
        /// while a frame awaits the database would be decided on a position the frame is about
        /// to move (a gap it is filling, a message it is sending), and could overtake its answer
        /// or repeat a message the answer carries. A gap being filled holds later events too.
        var framesInFlight = 0
        var held: [HubEvent] = []
        var draining = false

        mutating func remember(_ conversationID: RongID, _ seq: Int64) {
            if delivered[conversationID] == nil && delivered.count >= ElinkConnection.trackedConversationsMax { delivered.removeAll() }
            delivered[conversationID] = seq
        }
    }

    /// A gap to fill from the database: messages (after, upTo] of one conversation.
    private struct Gap: Sendable {
        let conversationID: RongID
        let after: Int64
        let upTo: Int64
    }

    init(service: MessagingService, principal: Principal, subscription: HubSubscription) {
        self.service = service
        self.principal = principal
        self.subscription = subscription
        let now = service.clock.now()
        state = Mutex(State(bucket: TokenBucket(capacity: ElinkConnection.burstFrames, perSecond: ElinkConnection.framesPerSecond, now: now),
                            lastPresence: now))
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

    /// Binds the connection to its transport: from now on each hub event is turned into frames
    /// on the publisher's thread and handed to `emit` (write `hello` before binding). Events the
    /// hub had before this are left on `subscription.events`; a client syncs after `hello`, so
    /// none is missed.
    public func bind(emit: @escaping Emit) {
        subscription.bind { [weak self] event in self?.push(event, emit: emit) }
    }

    /// Leaves the hub and records the time the user was last here.
    public func close() async {
        let first = state.withLock { state in
            defer { state.closed = true }
            return !state.closed
        }
        guard first else { return }
        service.hub.detach(subscription)
        try? await service.touchPresence(principal.userID)
    }

    /// Called by the transport's heartbeat timer: keeps presence fresh while connected.
    public func heartbeat() async {
        let now = service.clock.now()
        let due = state.withLock { state in
            guard now.nanosecondsSinceEpoch - state.lastPresence.nanosecondsSinceEpoch >= MessagingLimits.presenceRefreshSeconds * 1_000_000_000 else {
                return false
            }
            state.lastPresence = now
            return true
        }
        if due { try? await service.touchPresence(principal.userID) }
    }

    // MARK: Client frames

    /// Handles one text frame from the client; returns the frames to send back, in order (and
    /// any hub events held while it was handled).
    public func receive(_ text: String) async -> [String] {
        await ElinkConnection.collect { await receive(text, emit: $0) }
    }

    /// What `body` emits, in order (for callers that take frames as a return value).
    private static func collect(_ body: (Emit) async -> Void) async -> [String] {
        let out = Mutex<[String]>([])
        await body { frames in out.withLock { $0 += frames } }
        return out.withLock { $0 }
    }

    /// `receive(_:)` for a transport: the answers go to `emit` before any push that follows
    /// them, so a push made meanwhile cannot overtake them on the way to the socket.
    public func receive(_ text: String, emit: Emit) async {
        guard text.utf8.count <= ElinkConnection.frameBytesMax else {
            return emit([ElinkFrames.error(DomainError(.frameTooLarge, "Frames are at most \(ElinkConnection.frameBytesMax) bytes.", status: 413,
                                                       extensions: ["limit_bytes": .int(Int64(ElinkConnection.frameBytesMax))]), ref: nil)])
        }
        let now = service.clock.now()
        guard state.withLock({ $0.bucket.take(now: now) }) else {
            return emit([ElinkFrames.error(DomainError(.rateLimited, "Too many frames; at most \(ElinkConnection.framesPerSecond) a second.", status: 429,
                                                       extensions: ["limit_per_second": .int(Int64(ElinkConnection.framesPerSecond))]), ref: nil)])
        }
        guard let frame = ClientFrameScanner.scan(text) ?? MessagingService.decodeJSON(ClientFrame.self, text) else {
            return emit([ElinkFrames.error(DomainError(.invalidFrame, "A frame is a JSON object with a known \"type\" and well-formed members.", status: 400),
                                           ref: nil)])
        }
        await heartbeat()
        state.withLock { $0.framesInFlight += 1 }
        var frames: [String]
        do {
            frames = try await handle(frame)
        } catch let error as DomainError {
            frames = [ElinkFrames.error(error, ref: frame.ref)]
        } catch {
            service.logger.error("elink frame failed", metadata: ["type": "\(frame.type)", "error": "\(error)"])
            frames = [ElinkFrames.error(DomainError(.internalError, "The frame could not be handled; nothing was stored.", status: 500), ref: frame.ref)]
        }
        let drains = state.withLock { state in
            state.framesInFlight -= 1
            if state.framesInFlight == 0 && !state.draining && !state.held.isEmpty {
                state.draining = true
                return true
            }
            emit(frames)
            return false
        }
        if drains { await drain(nil, after: frames, emit: emit) }
    }

    private func handle(_ frame: ClientFrame) async throws -> [String] {
        switch frame.type {
        case "ping":
            return [ElinkFrames.pong(ref: frame.ref, at: service.clock.now())]
        case "send":
            let conversationID = try required(frame.conversationID, "conversation_id")
            let result = try await service.send(principal, conversationID: conversationID, clientID: frame.clientID, content: try content(of: frame),
                                                origin: subscription)
            return await sent(result.message, reply: ElinkFrames.ack(ref: frame.ref, message: result.message, messageJSON: result.messageJSON,
                                                                     duplicate: result.duplicate))
        case "sync":
            guard let conversationID = frame.conversationID else {
                return [ElinkFrames.conversations(try await service.conversations(principal), ref: frame.ref)]
            }
            let after = max(frame.afterSeq ?? 0, 0)
            let page = try await service.sync(principal, conversationID: conversationID, afterSeq: after, limit: frame.limit ?? MessagingLimits.syncPageMax)
            state.withLock { state in
                if page.hasMore {
                    state.delivered[conversationID] = nil
                } else {
                    state.remember(conversationID, page.messages.last?.seq ?? min(after, page.lastSeq))
                }
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
            return await sent(recall, reply: ElinkFrames.ack(ref: frame.ref, message: recall))
        case "ack":
            let conversationID = try required(frame.conversationID, "conversation_id")
            let seq = try required(frame.seq, "seq")
            _ = try await service.conversation(principal, id: conversationID)
            state.withLock { state in
                if (state.delivered[conversationID] ?? -1) < seq { state.remember(conversationID, seq) }
            }
            return []
        default:
            throw DomainError(.invalidFrame, "Unknown frame type '\(frame.type.prefix(20))'.", status: 400, extensions: ["field": .string("type")])
        }
    }

    /// After the caller stored `message` (the hub does not push it back here): fills any gap
    /// before it, then the reply.
    private func sent(_ message: Message, reply: String) async -> [String] {
        let gap: Gap? = state.withLock { state in
            guard let last = state.delivered[message.conversationID] else { return nil }
            if message.seq == last + 1 { state.delivered[message.conversationID] = message.seq }
            return message.seq > last + 1 ? Gap(conversationID: message.conversationID, after: last, upTo: message.seq - 1) : nil
        }
        guard let gap else { return [reply] }
        let frames = await fill(gap)
        state.withLock { state in
            if let last = state.delivered[message.conversationID], message.seq > last { state.delivered[message.conversationID] = message.seq }
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

    // MARK: Hub events

    /// Turns a hub event into the frames this client should get (none for a duplicate, none yet
    /// while a client frame is in flight: those come with its answer).
    public func deliver(_ event: HubEvent) async -> [String] {
        await ElinkConnection.collect { await deliver(event, emit: $0) }
    }

    /// `deliver(_:)` for a transport that reads `subscription.events` itself.
    public func deliver(_ event: HubEvent, emit: Emit) async {
        guard let gap = accept(event, emit: emit) else { return }
        await drain(gap, after: [], emit: emit)
    }

    /// A bound connection's hub events, on the publisher's thread.
    private func push(_ event: HubEvent, emit: @escaping Emit) {
        guard let gap = accept(event, emit: emit) else { return }
        Task { await self.drain(gap, after: [], emit: emit) }
    }

    /// Emits `event`'s frames now, holds it while a client frame or a gap is in flight, or
    /// returns the gap before it to fill (holding what comes next until that is done).
    private func accept(_ event: HubEvent, emit: Emit) -> Gap? {
        state.withLock { state in
            if state.framesInFlight > 0 || state.draining {
                if state.held.count < ElinkConnection.heldMax {
                    state.held.append(event)
                } else if event.kind == .message {
                    // Too many waiting: the client re-syncs this conversation instead.
                    let last = state.delivered.removeValue(forKey: event.conversationID)
                    emit([ElinkFrames.resync(conversationID: event.conversationID, afterSeq: last)])
                }
                return nil
            }
            switch ElinkConnection.step(event, &state) {
            case .frames(let frames):
                if !frames.isEmpty { emit(frames) }
                return nil
            case .gap(let gap):
                state.draining = true
                return gap
            }
        }
    }

    private enum Step {
        case frames([String])
        case gap(Gap)
    }

    /// What an event becomes at this connection's position (the lock held, nothing in flight).
    private static func step(_ event: HubEvent, _ state: inout State) -> Step {
        guard event.kind == .message, let seq = event.seq, let last = state.delivered[event.conversationID] else { return .frames([event.frame]) }
        if seq <= last { return .frames([]) }
        if seq == last + 1 {
            state.delivered[event.conversationID] = seq
            return .frames([event.frame])
        }
        return .gap(Gap(conversationID: event.conversationID, after: last, upTo: seq))
    }

    /// Fills `gap` (if any), then delivers every event held meanwhile, and emits `frames` and
    /// all of those at once as draining ends (the lock held, so nothing overtakes them).
    private func drain(_ gap: Gap?, after frames: [String], emit: Emit) async {
        var out = frames
        var next = gap
        while true {
            if let gap = next { out += await fill(gap) }
            next = state.withLock { state -> Gap? in
                while !state.held.isEmpty {
                    switch ElinkConnection.step(state.held.removeFirst(), &state) {
                    case .frames(let frames): out += frames
                    case .gap(let gap): return gap
                    }
                }
                state.draining = false
                if !out.isEmpty { emit(out) }
                return nil
            }
            if next == nil { return }
        }
    }

    /// Messages (after, upTo] from the database as frames; a gap over `gapFillMax` or a failed
    /// read becomes a `resync`.
    private func fill(_ gap: Gap) async -> [String] {
        guard gap.upTo - gap.after <= Int64(ElinkConnection.gapFillMax) else {
            state.withLock { $0.delivered[gap.conversationID] = nil }
            return [ElinkFrames.resync(conversationID: gap.conversationID, afterSeq: gap.after)]
        }
        do {
            let page = try await service.page(conversationID: gap.conversationID, after: gap.after, limit: Int(gap.upTo - gap.after))
            return state.withLock { state in
                // Another fill may have sent some of these while this one waited for the database.
                let sent = max(gap.after, state.delivered[gap.conversationID] ?? gap.after)
                let messages = page.messages.filter { $0.seq > sent && $0.seq <= gap.upTo }
                if let last = messages.last { state.delivered[gap.conversationID] = last.seq }
                return messages.map { ElinkFrames.message($0) }
            }
        } catch {
            state.withLock { $0.delivered[gap.conversationID] = nil }
            return [ElinkFrames.resync(conversationID: gap.conversationID, afterSeq: gap.after)]
        }
    }
}
