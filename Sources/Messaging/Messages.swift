import BankKit
import Foundation
import Identity
import Storage

/// The result of a send: the stored message, and whether it was already stored by an earlier
/// send with the same client id (a resend after a lost acknowledgement).
public struct SendResult: Sendable, Hashable {
    public let message: Message
    public let duplicate: Bool
    /// The message as e-Link JSON, when this send encoded it for the push (its ack reuses it).
    let messageJSON: String?

    init(message: Message, duplicate: Bool, messageJSON: String? = nil) {
        self.message = message
        self.duplicate = duplicate
        self.messageJSON = messageJSON
    }
}

/// A page of a conversation after a sequence number.
public struct SyncPage: Sendable, Hashable, Codable {
    public let conversationID: RongID
    public let messages: [Message]
    /// The conversation's newest sequence number when the page was read.
    public let lastSeq: Int64
    public let hasMore: Bool
}

/// A message as stored, for compliance: recalled messages keep their content here.
public struct ArchivedMessage: Sendable, Hashable, Codable {
    public let seq: Int64
    public let id: RongID
    public let senderID: RongID
    public let clientID: String?
    public let kind: MessageKind
    public let body: String
    public let blobID: RongID?
    public let refersTo: RongID?
    public let createdAt: Timestamp
    public let recalledAt: Timestamp?
}

/// One page of a conversation's compliance archive.
public struct ConversationArchive: Sendable, Hashable, Codable {
    public let conversation: Conversation
    public let members: [ArchivedMember]
    public let messages: [ArchivedMessage]
    /// Pass as `after_seq` for the next page; nil when this page reached the end.
    public let nextAfterSeq: Int64?
    public let exportedAt: Timestamp
    public let exportedBy: String
}

/// Every member a conversation ever had, with when they joined and left.
public struct ArchivedMember: Sendable, Hashable, Codable {
    public let userID: RongID
    public let role: MemberRole
    public let joinedAt: Timestamp
    public let leftAt: Timestamp?
}

/// Sequenced sends, sync, read receipts, typing, recall and the archive.
extension MessagingService {
    static let messageColumns = "conversation_id, seq, id, sender_id, client_id, kind, body, blob_id, refers_to, created_at, recalled_at"

    static func message(_ row: SQLRow) -> Message {
        let kind = MessageKind(rawValue: row.text("kind")) ?? .system
        let recalled = row.optionalInt("recalled_at") != nil
        let body = row.text("body")
        return Message(id: row.id("id"), conversationID: row.id("conversation_id"), seq: row.int("seq"), senderID: row.id("sender_id"),
                       clientID: row.optionalText("client_id"), kind: kind,
                       text: recalled ? nil : (kind == .text || kind == .system ? body : nil),
                       card: recalled || kind != .card ? nil : MessagingService.decodeJSON(MessageCard.self, body),
                       blobID: recalled ? nil : row.optionalID("blob_id"),
                       voiceSeconds: recalled || kind != .voice ? nil : Int(body),
                       refersTo: row.optionalID("refers_to"), createdAt: row.time("created_at"), recalled: recalled)
    }

    // MARK: Sending

    /// Sends a message as the caller. With a `clientID`, a resend returns the original
    /// (`duplicate` true) instead of storing it twice.
    /// `origin` is the e-Link connection that sent it, if any: the hub does not push the message
    /// back to it (its `ack` carries the message).
    public func send(_ principal: Principal, conversationID: RongID, clientID: String?, content: MessageContent,
                     origin: HubSubscription? = nil) async throws -> SendResult {
        let principal = try await caller(principal)
        let clientID = try clientID.map(MessagingService.validateClientID)
        let (kind, body, blobID) = try MessagingService.validate(content, by: principal)
        if let clientID, let existing = try await existingMessage(senderID: principal.userID, clientID: clientID, conversationID: conversationID) {
            return SendResult(message: existing, duplicate: true)
        }
        do {
            // Concurrent sends share one transaction on SQLite (a refused one rolls back alone: `Database.batchedTransaction`).
            let (message, recipients) = try await database.batchedTransaction { [self] tx in
                let check = try await checkCanPost(tx, conversationID: conversationID, principal: principal)
                if let blobID { try await requireOwnBlob(tx, blobID: blobID, ownerID: principal.userID, kind: kind) }
                let message = try await insertMessage(tx, conversationID: conversationID, senderID: principal.userID, clientID: clientID,
                                                      kind: kind, body: body, blobID: blobID, refersTo: nil, lastSeqRead: check.lastSeq)
                // A 1:1 chat's members are the two just checked; others are read.
                let recipients: [RongID]
                if let other = check.other { recipients = [principal.userID, other] } else { recipients = try await memberIDs(tx, conversationID: conversationID) }
                return (message, recipients)
            }
            let json = ElinkFrames.messageJSON(message)
            await publish(message, json: json, to: recipients, origin: origin)
            return SendResult(message: message, duplicate: false, messageJSON: json)
        } catch let error as StorageError where error.kind == .uniqueViolation && clientID != nil {
            // A concurrent send with the same client id won; return what it stored.
            if let existing = try await existingMessage(senderID: principal.userID, clientID: clientID!, conversationID: conversationID) {
                return SendResult(message: existing, duplicate: true)
            }
            throw error
        }
    }

    /// Sends from the bank (an official account, the service account, the platform) into a
    /// conversation, bypassing member rules; idempotent on `clientID`.
    public func post(asBank senderID: RongID, conversationID: RongID, clientID: String, kind: MessageKind, body: String) async throws -> SendResult {
        if let existing = try await existingMessage(senderID: senderID, clientID: clientID, conversationID: conversationID) {
            return SendResult(message: existing, duplicate: true)
        }
        do {
            let (message, recipients) = try await database.transaction { tx in
                let message = try await insertMessage(tx, conversationID: conversationID, senderID: senderID, clientID: clientID,
                                                      kind: kind, body: body, blobID: nil, refersTo: nil)
                return (message, try await self.memberIDs(tx, conversationID: conversationID))
            }
            await publish(message, to: recipients)
            return SendResult(message: message, duplicate: false)
        } catch let error as StorageError where error.kind == .uniqueViolation {
            if let existing = try await existingMessage(senderID: senderID, clientID: clientID, conversationID: conversationID) {
                return SendResult(message: existing, duplicate: true)
            }
            throw error
        }
    }

    /// Stores a message with the conversation's next sequence number, in the caller's transaction.
    ///
    /// The `UPDATE … RETURNING` takes the conversation row's lock on PostgreSQL (concurrent sends
    /// to one conversation queue behind it) and runs on the one writer on SQLite, so each send
    /// gets the next number and a send that rolls back gives its number back: no gaps.
    ///
    /// `lastSeqRead` is the conversation's `last_seq` as this transaction read it (the send's
    /// checks). On SQLite nothing else writes between that read and this update (one writer, one
    /// transaction), so the next number is known and a plain compare-and-set update does — SQLite
    /// builds an ephemeral table for every `RETURNING`, a tenth of a send's SQLite time. Should the
    /// row have moved anyway, the `RETURNING` path runs.
    func insertMessage(_ tx: any SQLSession, conversationID: RongID, senderID: RongID, clientID: String?, kind: MessageKind, body: String,
                       blobID: RongID?, refersTo: RongID?, lastSeqRead: Int64? = nil) async throws -> Message {
        let now = clock.now()
        let seq: Int64
        if let lastSeqRead, tx.dialect == .sqlite, try await tx.execute(
            "UPDATE messaging_conversations SET last_seq = ?, updated_at = ? WHERE id = ? AND last_seq = ?",
            [.int(lastSeqRead + 1), .time(now), .id(conversationID), .int(lastSeqRead)]) == 1 {
            seq = lastSeqRead + 1
        } else {
            guard let row = try await tx.first(
                "UPDATE messaging_conversations SET last_seq = last_seq + 1, updated_at = ? WHERE id = ? RETURNING last_seq",
                [.time(now), .id(conversationID)]) else {
                throw DomainError(.conversationNotFound, "No such conversation.", status: 404)
            }
            seq = row.int("last_seq")
        }
        let id = ids.next()
        try await tx.execute(
            """
            INSERT INTO messaging_messages (conversation_id, seq, id, sender_id, client_id, kind, body, blob_id, refers_to, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.id(conversationID), .int(seq), .id(id), .id(senderID), .text(clientID), .text(kind.rawValue), .text(body), .id(blobID),
             .id(refersTo), .time(now)])
        return MessagingService.message(SQLRow(
            columns: ["conversation_id", "seq", "id", "sender_id", "client_id", "kind", "body", "blob_id", "refers_to", "created_at", "recalled_at"],
            values: [.id(conversationID), .int(seq), .id(id), .id(senderID), .text(clientID), .text(kind.rawValue), .text(body), .id(blobID),
                     .id(refersTo), .time(now), .null]))
    }

    func existingMessage(senderID: RongID, clientID: String, conversationID: RongID) async throws -> Message? {
        guard let row = try await database.first(
            "SELECT \(MessagingService.messageColumns) FROM messaging_messages WHERE sender_id = ? AND client_id = ?",
            [.id(senderID), .text(clientID)]) else { return nil }
        let message = MessagingService.message(row)
        guard message.conversationID == conversationID else {
            throw DomainError(.clientIDReused, "This client id was already used for a message in another conversation.", status: 409,
                              extensions: ["field": .string("client_id")])
        }
        return message
    }

    /// Who may post where: members only; contacts only in 1:1 chats, nobody but the bank in
    /// notice and channel conversations, nobody in a closed service chat. Returns the other
    /// member of a 1:1 chat and the conversation's last sequence number.
    ///
    /// One statement reads the sender's membership and, for a 1:1 chat, the other member and
    /// whether the two are contacts (every send runs this; it was three statements).
    @discardableResult
    func checkCanPost(_ tx: any SQLSession, conversationID: RongID, principal: Principal) async throws -> PostCheck {
        guard let row = try await tx.first(
            """
            SELECT \(MessagingService.conversationColumns), m.role, m.read_seq, m.visible_from_seq, o.user_id AS other_id,
                   CASE WHEN EXISTS (SELECT 1 FROM messaging_contacts k
                                     WHERE ((k.requester_id = m.user_id AND k.addressee_id = o.user_id) OR (k.requester_id = o.user_id AND k.addressee_id = m.user_id))
                                       AND k.status = 'accepted') THEN 1 ELSE 0 END AS is_contact
            FROM messaging_members m JOIN messaging_conversations c ON c.id = m.conversation_id
            LEFT JOIN messaging_members o ON c.kind = 'direct' AND o.conversation_id = m.conversation_id AND o.user_id <> m.user_id AND o.left_at IS NULL
            WHERE m.conversation_id = ? AND m.user_id = ? AND m.left_at IS NULL
            LIMIT 1
            """, [.id(conversationID), .id(principal.userID)]) else {
            throw DomainError(.conversationNotFound, "No such conversation among yours.", status: 404)
        }
        let entry = MessagingService.entry(row)
        guard entry.conversation.status == "open" else {
            throw DomainError(.conversationClosed, "This conversation is closed.", status: 409)
        }
        switch entry.conversation.kind {
        case .direct:
            guard let other = row.optionalID("other_id") else {
                throw DomainError(.notAContact, "You can only message your contacts.", status: 403)
            }
            guard row.int("is_contact") == 1 else { throw MessagingService.notAContact }
            return PostCheck(other: other, lastSeq: entry.conversation.lastSeq)
        case .manager, .group: break
        case .service:
            let status = try await tx.first("SELECT status FROM messaging_service_chats WHERE conversation_id = ?",
                                            [.id(entry.conversation.id)])?.text("status")
            guard status == "waiting" || status == "active" else {
                throw DomainError(.conversationClosed, "This service chat is closed.", status: 409)
            }
        case .notice, .channel:
            throw DomainError(.notAllowedToPost, "Only the bank posts in this conversation.", status: 403)
        }
        return PostCheck(other: nil, lastSeq: entry.conversation.lastSeq)
    }

    /// What `checkCanPost` read: a 1:1 chat's other member, and the conversation's `last_seq`.
    struct PostCheck {
        let other: RongID?
        let lastSeq: Int64
    }

    static func validateClientID(_ text: String) throws(DomainError) -> String {
        guard !text.isEmpty, text.count <= MessagingLimits.clientIDCharactersMax,
              text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw DomainError(.invalidRequest, "client_id is 1–\(MessagingLimits.clientIDCharactersMax) printable ASCII characters.", status: 422,
                              extensions: ["field": .string("client_id")])
        }
        return text
    }

    /// Checks content against the limits and returns what to store.
    static func validate(_ content: MessageContent, by principal: Principal) throws(DomainError) -> (MessageKind, String, RongID?) {
        switch content {
        case .text(let text):
            guard text.utf8.count <= MessagingLimits.textBytesMax else {
                throw DomainError(.messageTooLong, "A text message is at most \(MessagingLimits.textBytesMax) bytes of UTF-8.", status: 422,
                                  extensions: ["field": .string("text"), "limit": .int(Int64(MessagingLimits.textBytesMax))])
            }
            // One pass over the scalars (Foundation's trimming bridged through NSString had been
            // a twentieth of a send's CPU): some non-space character, no control characters.
            var blank = true
            for scalar in text.unicodeScalars {
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" {
                    throw DomainError(.invalidRequest, "Text must not contain control characters.", status: 422, extensions: ["field": .string("text")])
                }
                if blank && !scalar.properties.isWhitespace { blank = false }
            }
            guard !blank else {
                throw DomainError(.messageEmpty, "A text message needs some text.", status: 422, extensions: ["field": .string("text")])
            }
            return (.text, text, nil)
        case .image(let blobID):
            return (.image, "", blobID)
        case .voice(let blobID, let seconds):
            guard (1...MessagingLimits.voiceSecondsMax).contains(seconds) else {
                throw DomainError(.invalidRequest, "A voice note lasts 1–\(MessagingLimits.voiceSecondsMax) seconds.", status: 422,
                                  extensions: ["field": .string("seconds")])
            }
            return (.voice, String(seconds), blobID)
        case .card(let card):
            let card = try validate(card)
            // Customers ask contacts for money; only staff (and the bank itself) offer products and loans.
            guard principal.role.isStaff || card.kind == "transfer_request" else {
                throw DomainError(.invalidCard, "Customers can send transfer-request cards only.", status: 403,
                                  extensions: ["field": .string("card.kind")])
            }
            guard card.kind != "article" && card.kind != "notification" else {
                throw DomainError(.invalidCard, "Article and notification cards come from official accounts only.", status: 403,
                                  extensions: ["field": .string("card.kind")])
            }
            return (.card, encodeJSON(card), nil)
        }
    }

    /// A card's kind, title, link and fields within the limits; the link must stay on this site.
    static func validate(_ card: MessageCard) throws(DomainError) -> MessageCard {
        guard MessageCard.kinds.contains(card.kind) else {
            throw DomainError(.invalidCard, "Card kinds are \(MessageCard.kinds.sorted().joined(separator: ", ")).", status: 422,
                              extensions: ["field": .string("card.kind")])
        }
        let title = try line(card.title, field: "card.title", max: MessagingLimits.cardTitleCharactersMax)
        let url = card.url
        guard url.hasPrefix("/"), !url.hasPrefix("//"), url.count <= MessagingLimits.cardURLCharactersMax,
              url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" && $0 != "\"" && $0 != "<" && $0 != ">" }) else {
            throw DomainError(.invalidCard, "A card links to a page of this site: a path starting with one '/'.", status: 422,
                              extensions: ["field": .string("card.url")])
        }
        guard card.fields.count <= MessagingLimits.cardFieldsMax else {
            throw DomainError(.invalidCard, "A card shows at most \(MessagingLimits.cardFieldsMax) fields.", status: 422,
                              extensions: ["field": .string("card.fields")])
        }
        var fields: [String: String] = [:]
        for (label, value) in card.fields {
            fields[try line(label, field: "card.fields", max: MessagingLimits.cardFieldCharactersMax)] =
                try line(value, field: "card.fields", max: MessagingLimits.cardFieldCharactersMax, allowEmpty: true)
        }
        return MessageCard(kind: card.kind, title: title, url: url, fields: fields)
    }

    func publish(_ message: Message, json: String? = nil, to recipients: [RongID], origin: HubSubscription? = nil) async {
        await hub.publish(HubEvent(kind: .message, conversationID: message.conversationID, recipients: recipients, seq: message.seq,
                                   frame: ElinkFrames.message(message, json: json), origin: origin?.id))
    }

    // MARK: Reading

    /// Messages after `afterSeq` in order (at most `limit`, ≤ 200): a client that stored the last
    /// sequence it saw asks with it and gets everything after, with no gaps and no duplicates.
    public func sync(_ principal: Principal, conversationID: RongID, afterSeq: Int64, limit: Int = MessagingLimits.syncPageMax) async throws -> SyncPage {
        let principal = try await caller(principal)
        let entry = try await membership(database, conversationID: conversationID, userID: principal.userID)
        return try await page(conversationID: conversationID, after: max(afterSeq, entry.visibleFromSeq), limit: limit,
                              lastSeq: entry.conversation.lastSeq)
    }

    func page(conversationID: RongID, after: Int64, limit: Int, lastSeq: Int64? = nil) async throws -> SyncPage {
        let limit = min(max(limit, 1), MessagingLimits.syncPageMax)
        let rows = try await database.query(
            "SELECT \(MessagingService.messageColumns) FROM messaging_messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            [.id(conversationID), .int(after), .int(limit + 1)])
        let messages = rows.prefix(limit).map(MessagingService.message)
        var last = lastSeq ?? 0
        if lastSeq == nil {
            last = try await database.first("SELECT last_seq FROM messaging_conversations WHERE id = ?", [.id(conversationID)])?.int("last_seq") ?? 0
        }
        return SyncPage(conversationID: conversationID, messages: Array(messages), lastSeq: max(last, messages.last?.seq ?? 0),
                        hasMore: rows.count > limit)
    }

    /// Marks everything up to `seq` read and tells the other members (a read receipt).
    @discardableResult
    public func markRead(_ principal: Principal, conversationID: RongID, seq: Int64) async throws -> Int64 {
        let principal = try await caller(principal)
        let entry = try await membership(database, conversationID: conversationID, userID: principal.userID)
        let upTo = min(max(seq, 0), entry.conversation.lastSeq)
        let changed = try await database.execute(
            "UPDATE messaging_members SET read_seq = ? WHERE conversation_id = ? AND user_id = ? AND read_seq < ?",
            [.int(upTo), .id(conversationID), .id(principal.userID), .int(upTo)])
        if changed == 1 && entry.conversation.kind != .channel {
            let others = try await self.memberIDs(database, conversationID: conversationID).filter { $0 != principal.userID }
            await hub.publish(HubEvent(kind: .receipt, conversationID: conversationID, recipients: others, seq: nil,
                                       frame: ElinkFrames.receipt(conversationID: conversationID, userID: principal.userID, readSeq: upTo)))
        }
        return max(upTo, entry.readSeq)
    }

    /// Tells the other members the caller is typing (not stored).
    public func typing(_ principal: Principal, conversationID: RongID) async throws {
        let principal = try await caller(principal)
        try await checkCanPost(database, conversationID: conversationID, principal: principal)
        let others = try await self.memberIDs(database, conversationID: conversationID).filter { $0 != principal.userID }
        await hub.publish(HubEvent(kind: .typing, conversationID: conversationID, recipients: others, seq: nil,
                                   frame: ElinkFrames.typing(conversationID: conversationID, userID: principal.userID)))
    }

    /// Takes back one of the caller's own messages within two minutes of sending it. The
    /// content disappears for members (the archive keeps it) and a sequenced `recall` message
    /// tells every member's client, even one that reconnects later. `origin` as for `send`.
    public func recall(_ principal: Principal, messageID: RongID, origin: HubSubscription? = nil) async throws -> Message {
        let principal = try await caller(principal)
        let (recall, recipients) = try await database.transaction { tx in
            guard let row = try await tx.first("SELECT \(MessagingService.messageColumns) FROM messaging_messages WHERE id = ?", [.id(messageID)]) else {
                throw DomainError(.messageNotFound, "No such message.", status: 404)
            }
            let original = MessagingService.message(row)
            do { _ = try await membership(tx, conversationID: original.conversationID, userID: principal.userID) } catch {
                throw DomainError(.messageNotFound, "No such message.", status: 404)
            }
            guard original.senderID == principal.userID, [.text, .image, .voice, .card].contains(original.kind) else {
                throw DomainError(.recallNotAllowed, "You can recall only your own messages.", status: 403)
            }
            guard !original.recalled else { throw DomainError(.alreadyRecalled, "This message was already recalled.", status: 409) }
            guard clock.now().nanosecondsSinceEpoch - original.createdAt.nanosecondsSinceEpoch
                    <= MessagingLimits.recallWindowSeconds * 1_000_000_000 else {
                throw DomainError(.recallWindowPassed, "Messages can be recalled within \(MessagingLimits.recallWindowSeconds / 60) minutes of sending.",
                                  status: 422, extensions: ["limit_seconds": .int(MessagingLimits.recallWindowSeconds)])
            }
            guard try await tx.execute("UPDATE messaging_messages SET recalled_at = ? WHERE id = ? AND recalled_at IS NULL",
                                       [.time(clock.now()), .id(messageID)]) == 1 else {
                throw DomainError(.alreadyRecalled, "This message was already recalled.", status: 409)
            }
            let recall = try await insertMessage(tx, conversationID: original.conversationID, senderID: principal.userID, clientID: nil,
                                                 kind: .recall, body: "", blobID: nil, refersTo: messageID)
            return (recall, try await self.memberIDs(tx, conversationID: original.conversationID))
        }
        await publish(recall, to: recipients, origin: origin)
        return recall
    }

    // MARK: Compliance

    /// A page of a conversation as stored (recalled content included), for admins; audited.
    public func archive(_ principal: Principal, conversationID: RongID, afterSeq: Int64 = 0, limit: Int = MessagingLimits.archivePageMax,
                        address: String) async throws -> ConversationArchive {
        guard principal.role == .admin else { throw DomainError(.forbidden, "Only admins export conversation archives.", status: 403) }
        guard let row = try await database.first("SELECT \(MessagingService.conversationColumns) FROM messaging_conversations c WHERE c.id = ?",
                                                  [.id(conversationID)]) else {
            throw DomainError(.conversationNotFound, "No such conversation.", status: 404)
        }
        let limit = min(max(limit, 1), MessagingLimits.archivePageMax)
        let members = try await database.query(
            "SELECT user_id, role, joined_at, left_at FROM messaging_members WHERE conversation_id = ? ORDER BY joined_at, user_id LIMIT 100000",
            [.id(conversationID)]).map {
                ArchivedMember(userID: $0.id("user_id"), role: MemberRole(rawValue: $0.text("role")) ?? .member, joinedAt: $0.time("joined_at"),
                               leftAt: $0.optionalInt("left_at").map(Timestamp.init(nanosecondsSinceEpoch:)))
            }
        let rows = try await database.query(
            "SELECT \(MessagingService.messageColumns) FROM messaging_messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            [.id(conversationID), .int(max(afterSeq, 0)), .int(limit + 1)])
        let messages = rows.prefix(limit).map {
            ArchivedMessage(seq: $0.int("seq"), id: $0.id("id"), senderID: $0.id("sender_id"), clientID: $0.optionalText("client_id"),
                            kind: MessageKind(rawValue: $0.text("kind")) ?? .system, body: $0.text("body"), blobID: $0.optionalID("blob_id"),
                            refersTo: $0.optionalID("refers_to"), createdAt: $0.time("created_at"),
                            recalledAt: $0.optionalInt("recalled_at").map(Timestamp.init(nanosecondsSinceEpoch:)))
        }
        try await identity.audit.record(actor: principal.actorRef, action: "messaging.archive.export", target: "conversation:\(conversationID)",
                                        address: address, detail: "after_seq=\(afterSeq) messages=\(messages.count)")
        return ConversationArchive(conversation: MessagingService.conversation(row), members: members, messages: Array(messages),
                                   nextAfterSeq: rows.count > limit ? messages.last?.seq : nil, exportedAt: clock.now(),
                                   exportedBy: principal.actorRef)
    }
}
