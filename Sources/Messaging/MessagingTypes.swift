import BankKit
import Foundation
import Identity

/// What a conversation is for; each kind has its own rule for who may post.
public enum ConversationKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Two customers who accepted each other as contacts.
    case direct
    /// A customer and their account manager.
    case manager
    /// Up to `MessagingLimits.groupMembersMax` members, an owner and admins.
    case group
    /// A customer and whichever service agent claimed the chat from the queue.
    case service
    /// The bank's service account to one customer: bank notifications (read-only for the customer).
    case notice
    /// An official account's broadcasts to its followers (read-only for followers).
    case channel
}

/// A member's part in a conversation.
public enum MemberRole: String, Sendable, Hashable, Codable {
    case member, owner, admin, customer, manager, agent, follower
}

/// A conversation as its members see it.
public struct Conversation: Sendable, Hashable, Codable {
    public let id: RongID
    public let kind: ConversationKind
    public let title: String
    /// `open`, or `closed` (a finished service chat).
    public let status: String
    /// The sequence number of the newest message: a client holding it is up to date.
    public let lastSeq: Int64
    public let officialAccountID: RongID?
    public let createdAt: Timestamp
    public let updatedAt: Timestamp
}

/// A conversation in a member's list, with that member's read position.
public struct ConversationEntry: Sendable, Hashable, Codable {
    public let conversation: Conversation
    public let role: MemberRole
    public let readSeq: Int64
    public let visibleFromSeq: Int64
    /// Messages after `readSeq` (recall notices included).
    public var unread: Int64 { max(0, conversation.lastSeq - max(readSeq, visibleFromSeq)) }
}

/// One member of a conversation.
public struct ConversationMember: Sendable, Hashable, Codable {
    public let userID: RongID
    public let role: MemberRole
    public let readSeq: Int64
    public let joinedAt: Timestamp
}

/// What a message carries.
public enum MessageKind: String, Sendable, Hashable, Codable {
    case text, image, voice, card
    /// Said by the platform (a chat was claimed, transferred, closed).
    case system
    /// Takes back the message in `refersTo`; sequenced, so a client resyncing learns of it.
    case recall
}

/// A card that opens a page: a product, a transfer request, a loan offer, an article. The same
/// value as a bank notification's card (Identity), so a notification's card is sent as it is.
public typealias MessageCard = NotificationCard

extension NotificationCard {
    /// The kinds a message card may have; a notification card of another kind is sent as `notification`.
    public static let kinds: Set<String> = ["product", "transfer_request", "loan_offer", "loan", "article", "notification"]
}

/// What a sender asks to send.
public enum MessageContent: Sendable, Hashable {
    case text(String)
    case image(blobID: RongID)
    case voice(blobID: RongID, seconds: Int)
    case card(MessageCard)
}

/// A stored message with its place in the conversation.
public struct Message: Sendable, Hashable, Codable {
    public let id: RongID
    public let conversationID: RongID
    /// 1, 2, 3, … within the conversation, with no gaps.
    public let seq: Int64
    public let senderID: RongID
    public let clientID: String?
    public let kind: MessageKind
    /// Text of `text` and `system` messages; nil once recalled.
    public let text: String?
    public let card: MessageCard?
    public let blobID: RongID?
    public let voiceSeconds: Int?
    /// The message a `recall` takes back.
    public let refersTo: RongID?
    public let createdAt: Timestamp
    public let recalled: Bool

    public init(id: RongID, conversationID: RongID, seq: Int64, senderID: RongID, clientID: String?, kind: MessageKind, text: String?,
                card: MessageCard?, blobID: RongID?, voiceSeconds: Int?, refersTo: RongID?, createdAt: Timestamp, recalled: Bool) {
        self.id = id
        self.conversationID = conversationID
        self.seq = seq
        self.senderID = senderID
        self.clientID = clientID
        self.kind = kind
        self.text = text
        self.card = card
        self.blobID = blobID
        self.voiceSeconds = voiceSeconds
        self.refersTo = refersTo
        self.createdAt = createdAt
        self.recalled = recalled
    }
}

/// The bank's own sender ids: messages from the platform itself and from official accounts.
public enum MessagingSenders {
    /// `system` messages (claimed, transferred, closed).
    public static let system = RongID.derived("messaging", "sender", "system")
}
