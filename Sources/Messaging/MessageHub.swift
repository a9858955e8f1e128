import BankKit
import Synchronization

/// One thing to push to connected clients: a server frame (JSON text) for some users.
///
/// `message` and `recall` events carry the conversation sequence number, so a connection that
/// notices a gap (an event crossing nodes overtook another) reads the missing ones from the
/// database instead of skipping them.
public struct HubEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable { case message, receipt, typing, resync }
    public let kind: Kind
    public let conversationID: RongID
    /// Users to reach (connections of other users ignore the event).
    public let recipients: [RongID]
    /// The sequence number of a `message` event (recalls are messages too).
    public let seq: Int64?
    /// The server frame, already encoded once for every recipient.
    public let frame: String
    /// The subscription of the connection that sent the message (in this process only): the hub
    /// skips it, as that connection's `ack` already carried the message. The sender's other
    /// connections get the push.
    public let origin: Int?

    public init(kind: Kind, conversationID: RongID, recipients: [RongID], seq: Int64?, frame: String, origin: Int? = nil) {
        self.kind = kind
        self.conversationID = conversationID
        self.recipients = recipients
        self.seq = seq
        self.frame = frame
        self.origin = origin
    }
}

/// Fans events out to the connections of their recipients: in this process (`LocalMessageHub`),
/// or across every node on one PostgreSQL database (`PostgresMessageHub`, LISTEN/NOTIFY).
///
/// The hub is best effort by design: the database is the truth, every message has a sequence
/// number, and a client that missed a push (a node restarted, a buffer overflowed) gets it on
/// its next `sync`.
public protocol MessageHub: Sendable {
    /// Delivers to local connections and, for a shared hub, to the other nodes.
    func publish(_ event: HubEvent) async
    /// Registers a connection of `userID`; events for that user arrive on `subscription.events`.
    func attach(userID: RongID) -> HubSubscription
    /// Unregisters a connection (idempotent).
    func detach(_ subscription: HubSubscription)
    /// How many connections this node holds (metrics, tests).
    var connectionCount: Int { get }
}

/// One connection's hub events: on `events`, a bounded stream (when a reader cannot keep up
/// the stream ends), or — once a sink is bound (`ElinkConnection.bind(emit:)`) —
/// handed to the sink on the publisher's thread, with no stream or task in between.
public final class HubSubscription: Sendable, Hashable {
    /// Events buffered on `events` for one reader before it is treated as too slow.
    public static let bufferMax = 4_096

    public let id: Int
    public let userID: RongID
    public let events: AsyncStream<HubEvent>
    let continuation: AsyncStream<HubEvent>.Continuation
    /// The bound sink, boxed: a closure kept directly in a generic `Mutex` is re-wrapped in a
    /// reabstraction thunk each time `withLock` hands it out and writes it back, so every event
    /// would have made the next call one thunk deeper.
    private let sink = Mutex<Sink?>(nil)
    private final class Sink: Sendable {
        let call: @Sendable (HubEvent) -> Void
        init(_ call: @escaping @Sendable (HubEvent) -> Void) { self.call = call }
    }

    init(id: Int, userID: RongID) {
        self.id = id
        self.userID = userID
        (events, continuation) = AsyncStream.makeStream(of: HubEvent.self, bufferingPolicy: .bufferingOldest(HubSubscription.bufferMax))
    }

    /// From now on events go to `sink` (called on the publisher's thread; it must not block).
    public func bind(_ sink: @escaping @Sendable (HubEvent) -> Void) {
        let boxed = Sink(sink)
        self.sink.withLock { $0 = boxed }
    }

    /// Ends the subscription: the stream finishes and the sink is let go.
    func end() {
        sink.withLock { $0 = nil }
        continuation.finish()
    }

    func yield(_ event: HubEvent) {
        if let sink = sink.withLock({ $0 }) { return sink.call(event) }
        switch continuation.yield(event) {
        case .dropped:
            // The reader fell behind: its stream ends; a client reconnects and syncs.
            continuation.finish()
        case .enqueued, .terminated: break
        @unknown default: break
        }
    }

    public static func == (lhs: HubSubscription, rhs: HubSubscription) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

/// The in-process hub: a table of user → connections behind one lock.
public final class LocalMessageHub: MessageHub {
    private struct State {
        var nextID = 1
        var byUser: [RongID: [Int: HubSubscription]] = [:]
        var count = 0
    }
    private let state = Mutex(State())

    public init() {}

    public func publish(_ event: HubEvent) async { deliverLocally(event) }

    /// Hands `event` to this node's connections of its recipients.
    public func deliverLocally(_ event: HubEvent) {
        let targets: [HubSubscription] = state.withLock { state in
            var out: [HubSubscription] = []
            for user in event.recipients {
                guard let subscriptions = state.byUser[user] else { continue }
                for (id, subscription) in subscriptions where id != event.origin { out.append(subscription) }
            }
            return out
        }
        for subscription in targets { subscription.yield(event) }
    }

    /// Sends `event` to every local connection (a `resync` hint after the shared channel was interrupted).
    public func broadcastLocally(_ make: (RongID) -> HubEvent) {
        let all: [HubSubscription] = state.withLock { $0.byUser.values.flatMap { $0.values } }
        for subscription in all { subscription.yield(make(subscription.userID)) }
    }

    /// Users with at least one connection on this node.
    public func isConnected(_ userID: RongID) -> Bool { state.withLock { $0.byUser[userID] != nil } }

    public func attach(userID: RongID) -> HubSubscription {
        state.withLock { state in
            let subscription = HubSubscription(id: state.nextID, userID: userID)
            state.nextID += 1
            state.byUser[userID, default: [:]][subscription.id] = subscription
            state.count += 1
            return subscription
        }
    }

    public func detach(_ subscription: HubSubscription) {
        let removed: Bool = state.withLock { state in
            guard state.byUser[subscription.userID]?.removeValue(forKey: subscription.id) != nil else { return false }
            if state.byUser[subscription.userID]?.isEmpty == true { state.byUser[subscription.userID] = nil }
            state.count -= 1
            return true
        }
        if removed { subscription.end() }
    }

    public var connectionCount: Int { state.withLock { $0.count } }
}
