import BankKit
import Foundation

/// A frame from a client (JSON text). `type` says which; the other members depend on it
/// (docs/elink-protocol.md). `ref` is echoed in the answer so a client can match them.
public struct ClientFrame: Sendable, Decodable {
    public let type: String
    public let ref: String?
    public let conversationID: RongID?
    public let clientID: String?
    public let kind: String?
    public let text: String?
    public let blobID: RongID?
    public let seconds: Int?
    public let card: MessageCard?
    public let afterSeq: Int64?
    public let limit: Int?
    public let seq: Int64?
    public let messageID: RongID?

    enum CodingKeys: String, CodingKey {
        case type, ref, kind, text, seconds, card, limit, seq
        case conversationID = "conversationId", clientID = "clientId", blobID = "blobId", afterSeq = "afterSeq", messageID = "messageId"
    }
}

/// Builds the server's frames; each is encoded once and shared by every connection it goes to.
public enum ElinkFrames {
    struct MessagesFrame: Encodable {
        let type = "messages"
        let ref: String?
        let conversationId: RongID
        let messages: [Message]
        let lastSeq: Int64
        let hasMore: Bool
    }
    struct ConversationItem: Encodable {
        let id: RongID
        let kind: ConversationKind
        let title: String
        let status: String
        let lastSeq: Int64
        let readSeq: Int64
        let unread: Int64
        let role: MemberRole
    }
    struct ConversationsFrame: Encodable { let type = "conversations"; let ref: String?; let conversations: [ConversationItem] }
    struct ReceiptFrame: Encodable { let type = "receipt"; let conversationId: RongID; let userId: RongID; let readSeq: Int64 }
    struct TypingFrame: Encodable { let type = "typing"; let conversationId: RongID; let userId: RongID }
    struct ErrorFrame: Encodable {
        let type = "error"
        let ref: String?
        let code: String
        let detail: String
        let status: Int
        let extensions: [String: ProblemValue]?
    }
    struct PongFrame: Encodable { let type = "pong"; let ref: String?; let at: Timestamp }
    struct HelloFrame: Encodable {
        let type = "hello"
        let userId: RongID
        let heartbeatSeconds: Int
        let frameBytesMax: Int
        let framesPerSecond: Int
        let conversations: [ConversationItem]
    }
    struct ResyncFrame: Encodable { let type = "resync"; let conversationId: RongID?; let afterSeq: Int64? }

    /// A new message; a `recall` message goes out as a `recalled` frame.
    public static func message(_ message: Message, json: String? = nil) -> String {
        var frame = JSONObjectText()
        frame.raw("message", json ?? messageJSON(message))
        frame.string("type", message.kind == .recall ? "recalled" : "message")
        return frame.finish()
    }

    static func ack(ref: String?, message: Message? = nil, messageJSON json: String? = nil, duplicate: Bool? = nil, readSeq: Int64? = nil) -> String {
        var frame = JSONObjectText()
        if let duplicate { frame.bool("duplicate", duplicate) }
        if let message { frame.raw("message", json ?? messageJSON(message)) }
        if let readSeq { frame.int("read_seq", readSeq) }
        if let ref { frame.string("ref", ref) }
        frame.string("type", "ack")
        return frame.finish()
    }

    /// A message as `MessagingService.encodeJSON` writes it (sorted snake_case keys, nil members
    /// left out), written by hand (`JSONEncoder` was the largest cost of a send) and once per send
    /// (the push and the ack share it). A test holds the two byte for byte equal.
    static func messageJSON(_ message: Message) -> String {
        var object = JSONObjectText()
        if let blobID = message.blobID { object.string("blob_id", blobID.description) }
        if let card = message.card { object.raw("card", MessagingService.encodeJSON(card)) }
        if let clientID = message.clientID { object.string("client_id", clientID) }
        object.string("conversation_id", message.conversationID.description)
        object.string("created_at", message.createdAt.rfc3339)
        object.string("id", message.id.description)
        object.string("kind", message.kind.rawValue)
        object.bool("recalled", message.recalled)
        if let refersTo = message.refersTo { object.string("refers_to", refersTo.description) }
        object.string("sender_id", message.senderID.description)
        object.int("seq", message.seq)
        if let text = message.text { object.string("text", text) }
        if let voiceSeconds = message.voiceSeconds { object.int("voice_seconds", Int64(voiceSeconds)) }
        return object.finish()
    }

    static func messages(_ page: SyncPage, ref: String?) -> String {
        MessagingService.encodeJSON(MessagesFrame(ref: ref, conversationId: page.conversationID, messages: page.messages, lastSeq: page.lastSeq,
                                                  hasMore: page.hasMore))
    }

    static func items(_ entries: [ConversationEntry]) -> [ConversationItem] {
        entries.map {
            ConversationItem(id: $0.conversation.id, kind: $0.conversation.kind, title: $0.conversation.title, status: $0.conversation.status,
                             lastSeq: $0.conversation.lastSeq, readSeq: $0.readSeq, unread: $0.unread, role: $0.role)
        }
    }

    static func conversations(_ entries: [ConversationEntry], ref: String?) -> String {
        MessagingService.encodeJSON(ConversationsFrame(ref: ref, conversations: items(entries)))
    }

    static func receipt(conversationID: RongID, userID: RongID, readSeq: Int64) -> String {
        MessagingService.encodeJSON(ReceiptFrame(conversationId: conversationID, userId: userID, readSeq: readSeq))
    }

    static func typing(conversationID: RongID, userID: RongID) -> String {
        MessagingService.encodeJSON(TypingFrame(conversationId: conversationID, userId: userID))
    }

    /// An error frame: the same `code` an HTTP call would put in its problem document.
    public static func error(_ error: DomainError, ref: String?) -> String {
        MessagingService.encodeJSON(ErrorFrame(ref: ref, code: error.code.rawValue, detail: error.detail, status: error.status,
                                               extensions: error.extensions.isEmpty ? nil : error.extensions))
    }

    static func pong(ref: String?, at: Timestamp) -> String { MessagingService.encodeJSON(PongFrame(ref: ref, at: at)) }

    static func hello(userID: RongID, conversations: [ConversationEntry]) -> String {
        MessagingService.encodeJSON(HelloFrame(userId: userID, heartbeatSeconds: ElinkConnection.heartbeatSeconds,
                                               frameBytesMax: ElinkConnection.frameBytesMax, framesPerSecond: ElinkConnection.framesPerSecond,
                                               conversations: items(conversations)))
    }

    static func resync(conversationID: RongID?, afterSeq: Int64?) -> String {
        MessagingService.encodeJSON(ResyncFrame(conversationId: conversationID, afterSeq: afterSeq))
    }
}

/// A per-connection token bucket: `capacity` frames at once, refilled at `perSecond`.
/// Time comes from the injected clock, so tests drive it.
public struct TokenBucket: Sendable {
    public let capacity: Double
    public let perSecond: Double
    private var tokens: Double
    private var lastNanos: Int64

    public init(capacity: Int, perSecond: Int, now: Timestamp) {
        self.capacity = Double(capacity)
        self.perSecond = Double(perSecond)
        tokens = Double(capacity)
        lastNanos = now.nanosecondsSinceEpoch
    }

    /// Takes one token; false when the bucket is empty (the frame is refused).
    public mutating func take(now: Timestamp) -> Bool {
        let elapsed = max(0, now.nanosecondsSinceEpoch - lastNanos)
        lastNanos = max(lastNanos, now.nanosecondsSinceEpoch)
        tokens = min(capacity, tokens + Double(elapsed) / 1e9 * perSecond)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
