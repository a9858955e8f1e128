import BankKit
import Identity
import Storage

/// A customer-service chat and its place in the queue.
public struct ServiceChat: Sendable, Hashable, Codable {
    public let conversationID: RongID
    public let customerID: RongID
    public let topic: String
    /// `waiting` (in the queue), `active` (an agent claimed it) or `closed`.
    public let status: String
    public let agentID: RongID?
    public let queuedAt: Timestamp
    public let claimedAt: Timestamp?
    public let closedAt: Timestamp?
    public let transfers: Int64
    /// 1–5 stars, given by the customer once the chat is closed.
    public let rating: Int64?
    public let ratingComment: String?
}

/// The customer-service queue. The queue is the `messaging_service_chats` table, so a waiting
/// chat survives restarts and is visible to every node; agents claim with a conditional
/// update, so of two agents racing for one chat exactly one wins.
extension MessagingService {
    static let serviceColumns = """
        conversation_id, customer_id, topic, status, agent_id, queued_at, claimed_at, closed_at, transfers, rating, rating_comment
        """

    static func serviceChat(_ row: SQLRow) -> ServiceChat {
        ServiceChat(conversationID: row.id("conversation_id"), customerID: row.id("customer_id"), topic: row.text("topic"),
                    status: row.text("status"), agentID: row.optionalID("agent_id"), queuedAt: row.time("queued_at"),
                    claimedAt: row.optionalInt("claimed_at").map(Timestamp.init(nanosecondsSinceEpoch:)),
                    closedAt: row.optionalInt("closed_at").map(Timestamp.init(nanosecondsSinceEpoch:)),
                    transfers: row.int("transfers"), rating: row.optionalInt("rating"), ratingComment: row.optionalText("rating_comment"))
    }

    func serviceChat(_ session: any SQLSession, _ conversationID: RongID) async throws -> ServiceChat? {
        try await session.first("SELECT \(MessagingService.serviceColumns) FROM messaging_service_chats WHERE conversation_id = ?",
                                [.id(conversationID)]).map(MessagingService.serviceChat)
    }

    /// Opens a service chat, or returns the customer's chat that is still waiting or active.
    public func openServiceChat(_ principal: Principal, topic: String = "") async throws -> ServiceChat {
        let principal = try await caller(principal)
        try MessagingService.requireRole(principal, [.customer], "Customers open service chats.")
        let topic = try MessagingService.line(topic, field: "topic", max: MessagingLimits.serviceTopicCharactersMax, allowEmpty: true)
        let id: RongID = try await database.transaction { tx in
            if let open = try await tx.first(
                "SELECT conversation_id FROM messaging_service_chats WHERE customer_id = ? AND status IN ('waiting', 'active') ORDER BY queued_at DESC",
                [.id(principal.userID)]) {
                return open.id("conversation_id")
            }
            let id = ids.next()
            try await createConversation(tx, id: id, kind: .service, title: topic.isEmpty ? "在线客服" : topic, pairKey: nil,
                                         createdBy: principal.userID, members: [(principal.userID, .customer)])
            try await tx.execute(
                "INSERT INTO messaging_service_chats (conversation_id, customer_id, topic, status, queued_at) VALUES (?, ?, ?, 'waiting', ?)",
                [.id(id), .id(principal.userID), .text(topic), .time(clock.now())])
            return id
        }
        return try await serviceChat(database, id)!
    }

    /// The customer's view of their chat: where it stands and, while waiting, how many are ahead.
    public func serviceChatStatus(_ principal: Principal, conversationID: RongID) async throws -> (chat: ServiceChat, position: Int64?) {
        let principal = try await caller(principal)
        guard let chat = try await serviceChat(database, conversationID),
              chat.customerID == principal.userID || chat.agentID == principal.userID || principal.role == .admin else {
            throw DomainError(.conversationNotFound, "No such service chat among yours.", status: 404)
        }
        guard chat.status == "waiting" else { return (chat, nil) }
        let ahead = try await database.first(
            "SELECT COUNT(*) AS n FROM messaging_service_chats WHERE status = 'waiting' AND (queued_at < ? OR (queued_at = ? AND conversation_id < ?))",
            [.time(chat.queuedAt), .time(chat.queuedAt), .id(chat.conversationID)])?.int("n") ?? 0
        return (chat, ahead + 1)
    }

    /// Waiting chats, oldest first (the agents' console).
    public func serviceQueue(_ principal: Principal, limit: Int = MessagingLimits.queuePageMax) async throws -> [ServiceChat] {
        try MessagingService.requireRole(principal, [.serviceAgent, .admin], "Service agents only.")
        return try await database.query(
            "SELECT \(MessagingService.serviceColumns) FROM messaging_service_chats WHERE status = 'waiting' ORDER BY queued_at, conversation_id LIMIT ?",
            [.int(min(max(limit, 1), MessagingLimits.queuePageMax))]).map(MessagingService.serviceChat)
    }

    /// The chats an agent is serving now.
    public func agentChats(_ principal: Principal) async throws -> [ServiceChat] {
        try MessagingService.requireRole(principal, [.serviceAgent], "Service agents only.")
        return try await database.query(
            "SELECT \(MessagingService.serviceColumns) FROM messaging_service_chats WHERE status = 'active' AND agent_id = ? ORDER BY claimed_at LIMIT ?",
            [.id(principal.userID), .int(MessagingLimits.queuePageMax)]).map(MessagingService.serviceChat)
    }

    /// Claims a waiting chat. Of agents racing for the same chat exactly one wins; the others
    /// get 409 `service_chat_taken`.
    public func claimServiceChat(_ principal: Principal, conversationID: RongID) async throws -> ServiceChat {
        try MessagingService.requireRole(principal, [.serviceAgent], "Service agents claim chats.")
        let (won, recipients, system) = try await database.transaction { tx -> (Bool, [RongID], Message?) in
            let now = clock.now()
            let claimed = try await tx.execute(
                "UPDATE messaging_service_chats SET status = 'active', agent_id = ?, claimed_at = ? WHERE conversation_id = ? AND status = 'waiting'",
                [.id(principal.userID), .time(now), .id(conversationID)])
            guard claimed == 1 else { return (false, [], nil) }
            try await addMember(tx, conversationID: conversationID, userID: principal.userID, role: .agent, visibleFromSeq: 0)
            let system = try await insertMessage(tx, conversationID: conversationID, senderID: MessagingSenders.system, clientID: nil,
                                                 kind: .system, body: "客服 \(principal.displayName) 为您服务", blobID: nil, refersTo: nil)
            return (true, try await self.memberIDs(tx, conversationID: conversationID), system)
        }
        guard won, let system else {
            guard let chat = try await serviceChat(database, conversationID) else {
                throw DomainError(.conversationNotFound, "No such service chat.", status: 404)
            }
            throw DomainError(.serviceChatTaken, chat.status == "closed" ? "This chat is closed." : "Another agent already claimed this chat.",
                              status: 409, extensions: ["status": .string(chat.status)])
        }
        await publish(system, to: recipients)
        return try await serviceChat(database, conversationID)!
    }

    /// Claims the oldest waiting chat (trying the next when another agent got there first).
    public func claimNextServiceChat(_ principal: Principal) async throws -> ServiceChat {
        try MessagingService.requireRole(principal, [.serviceAgent], "Service agents claim chats.")
        for _ in 0..<MessagingLimits.claimAttemptsMax {
            guard let next = try await serviceQueue(principal, limit: 1).first else { break }
            do { return try await claimServiceChat(principal, conversationID: next.conversationID) } catch let error as DomainError
                where error.code == .serviceChatTaken { continue }
        }
        throw DomainError(.queueEmpty, "No chat is waiting.", status: 404)
    }

    /// The other active service agents a chat can be handed to (the console's transfer form), by name.
    public func transferTargets(_ principal: Principal) async throws -> [UserRecord] {
        try MessagingService.requireRole(principal, [.serviceAgent], "Service agents transfer chats.")
        return try await identity.staff(role: .serviceAgent, limit: MessagingLimits.transferTargetsMax)
            .filter { $0.status == "active" && $0.id != principal.userID }
            .sorted { ($0.displayName, $0.id.description) < ($1.displayName, $1.id.description) }
    }

    /// Hands an active chat to another agent; only its current agent may.
    public func transferServiceChat(_ principal: Principal, conversationID: RongID, toAgentID: RongID) async throws -> ServiceChat {
        try MessagingService.requireRole(principal, [.serviceAgent], "Service agents transfer chats.")
        guard toAgentID != principal.userID, let target = try await identity.user(toAgentID), target.role == .serviceAgent, target.status == "active" else {
            throw DomainError(.agentNotFound, "Transfer to another active service agent.", status: 422, extensions: ["field": .string("agent_id")])
        }
        let (recipients, system) = try await database.transaction { tx -> ([RongID], Message) in
            let moved = try await tx.execute(
                "UPDATE messaging_service_chats SET agent_id = ?, transfers = transfers + 1 WHERE conversation_id = ? AND status = 'active' AND agent_id = ?",
                [.id(toAgentID), .id(conversationID), .id(principal.userID)])
            guard moved == 1 else {
                throw DomainError(.serviceChatNotActive, "Only the agent serving an active chat can transfer it.", status: 409)
            }
            try await removeMember(tx, conversationID: conversationID, userID: principal.userID)
            try await addMember(tx, conversationID: conversationID, userID: toAgentID, role: .agent, visibleFromSeq: 0)
            let system = try await insertMessage(tx, conversationID: conversationID, senderID: MessagingSenders.system, clientID: nil,
                                                 kind: .system, body: "已转接给客服 \(target.displayName)", blobID: nil, refersTo: nil)
            return (try await self.memberIDs(tx, conversationID: conversationID) + [principal.userID], system)
        }
        await publish(system, to: recipients)
        return try await serviceChat(database, conversationID)!
    }

    /// Closes a chat: its agent or its customer (a waiting chat too: the customer gave up).
    public func closeServiceChat(_ principal: Principal, conversationID: RongID) async throws -> ServiceChat {
        let principal = try await caller(principal)
        let (recipients, system) = try await database.transaction { tx -> ([RongID], Message) in
            guard let chat = try await serviceChat(tx, conversationID),
                  chat.customerID == principal.userID || (chat.agentID == principal.userID && principal.role == .serviceAgent) else {
                throw DomainError(.conversationNotFound, "No such service chat among yours.", status: 404)
            }
            let closed = try await tx.execute(
                "UPDATE messaging_service_chats SET status = 'closed', closed_at = ?, closed_by = ? WHERE conversation_id = ? AND status IN ('waiting', 'active')",
                [.time(clock.now()), .id(principal.userID), .id(conversationID)])
            guard closed == 1 else { throw DomainError(.conversationClosed, "This chat is already closed.", status: 409) }
            let system = try await insertMessage(tx, conversationID: conversationID, senderID: MessagingSenders.system, clientID: nil,
                                                 kind: .system, body: "会话已结束，请为本次服务评价", blobID: nil, refersTo: nil)
            try await tx.execute("UPDATE messaging_conversations SET status = 'closed' WHERE id = ?", [.id(conversationID)])
            return (try await self.memberIDs(tx, conversationID: conversationID), system)
        }
        await publish(system, to: recipients)
        return try await serviceChat(database, conversationID)!
    }

    /// The customer rates a closed chat once, 1–5 stars with an optional comment.
    public func rateServiceChat(_ principal: Principal, conversationID: RongID, rating: Int, comment: String = "") async throws -> ServiceChat {
        let principal = try await caller(principal)
        guard (1...5).contains(rating) else {
            throw DomainError(.invalidRating, "Rate 1 to 5 stars.", status: 422, extensions: ["field": .string("rating")])
        }
        let comment = try MessagingService.line(comment, field: "comment", max: MessagingLimits.ratingCommentCharactersMax, allowEmpty: true)
        guard let chat = try await serviceChat(database, conversationID), chat.customerID == principal.userID else {
            throw DomainError(.conversationNotFound, "No such service chat among yours.", status: 404)
        }
        guard chat.status == "closed" else {
            throw DomainError(.serviceChatNotActive, "A chat is rated once it is closed.", status: 409)
        }
        let rated = try await database.execute(
            "UPDATE messaging_service_chats SET rating = ?, rating_comment = ?, rated_at = ? WHERE conversation_id = ? AND status = 'closed' AND rating IS NULL",
            [.int(rating), .text(comment), .time(clock.now()), .id(conversationID)])
        guard rated == 1 else { throw DomainError(.alreadyRated, "This chat was already rated.", status: 409) }
        return try await serviceChat(database, conversationID)!
    }
}
