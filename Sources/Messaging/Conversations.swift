import BankKit
import Identity
import Storage

/// Conversations and their members: what a user may read, their list, and groups.
extension MessagingService {
    static let conversationColumns = "c.id, c.kind, c.title, c.status, c.last_seq, c.official_account_id, c.created_at, c.updated_at"

    static func conversation(_ row: SQLRow) -> Conversation {
        Conversation(id: row.id("id"), kind: ConversationKind(rawValue: row.text("kind")) ?? .direct, title: row.text("title"),
                     status: row.text("status"), lastSeq: row.int("last_seq"), officialAccountID: row.optionalID("official_account_id"),
                     createdAt: row.time("created_at"), updatedAt: row.time("updated_at"))
    }

    static func entry(_ row: SQLRow) -> ConversationEntry {
        ConversationEntry(conversation: conversation(row), role: MemberRole(rawValue: row.text("role")) ?? .member,
                          readSeq: row.int("read_seq"), visibleFromSeq: row.int("visible_from_seq"))
    }

    /// The caller's conversations, most recently active first.
    public func conversations(_ principal: Principal, limit: Int = MessagingLimits.conversationListMax) async throws -> [ConversationEntry] {
        let principal = try await caller(principal)
        return try await database.query(
            """
            SELECT \(MessagingService.conversationColumns), m.role, m.read_seq, m.visible_from_seq
            FROM messaging_members m JOIN messaging_conversations c ON c.id = m.conversation_id
            WHERE m.user_id = ? AND m.left_at IS NULL ORDER BY c.updated_at DESC, c.id LIMIT ?
            """,
            [.id(principal.userID), .int(min(max(limit, 1), MessagingLimits.conversationListMax))]).map(MessagingService.entry)
    }

    /// One of the caller's conversations; 404 `conversation_not_found` when it does not exist or
    /// the caller is not a member (the two are indistinguishable on purpose).
    public func conversation(_ principal: Principal, id: RongID) async throws -> ConversationEntry {
        let principal = try await caller(principal)
        return try await membership(database, conversationID: id, userID: principal.userID)
    }

    /// The current members of one of the caller's conversations (bounded by the group size; a
    /// channel lists only the caller and the account).
    public func members(_ principal: Principal, conversationID: RongID) async throws -> [ConversationMember] {
        let entry = try await conversation(principal, id: conversationID)
        if entry.conversation.kind == .channel { return [] }
        return try await database.query(
            "SELECT user_id, role, read_seq, joined_at FROM messaging_members WHERE conversation_id = ? AND left_at IS NULL ORDER BY joined_at, user_id LIMIT ?",
            [.id(conversationID), .int(MessagingLimits.groupMembersMax)]).map {
                ConversationMember(userID: $0.id("user_id"), role: MemberRole(rawValue: $0.text("role")) ?? .member,
                                   readSeq: $0.int("read_seq"), joinedAt: $0.time("joined_at"))
            }
    }

    func membership(_ session: any SQLSession, conversationID: RongID, userID: RongID) async throws -> ConversationEntry {
        guard let row = try await session.first(
            """
            SELECT \(MessagingService.conversationColumns), m.role, m.read_seq, m.visible_from_seq
            FROM messaging_members m JOIN messaging_conversations c ON c.id = m.conversation_id
            WHERE m.conversation_id = ? AND m.user_id = ? AND m.left_at IS NULL
            """, [.id(conversationID), .id(userID)]) else {
            throw DomainError(.conversationNotFound, "No such conversation among yours.", status: 404)
        }
        return MessagingService.entry(row)
    }

    /// Everyone a push for this conversation goes to.
    func memberIDs(_ session: any SQLSession, conversationID: RongID) async throws -> [RongID] {
        try await session.query("SELECT user_id FROM messaging_members WHERE conversation_id = ? AND left_at IS NULL",
                                [.id(conversationID)]).map { $0.id("user_id") }
    }

    /// Creates a conversation with its first members, in the caller's transaction.
    func createConversation(_ tx: any SQLSession, id: RongID, kind: ConversationKind, title: String, pairKey: String?, createdBy: RongID?,
                            officialAccountID: RongID? = nil, members: [(RongID, MemberRole)]) async throws {
        let now = clock.now()
        try await tx.execute(
            """
            INSERT INTO messaging_conversations (id, kind, title, status, pair_key, official_account_id, last_seq, created_by, created_at, updated_at)
            VALUES (?, ?, ?, 'open', ?, ?, 0, ?, ?, ?)
            """,
            [.id(id), .text(kind.rawValue), .text(title), .text(pairKey), .id(officialAccountID), .id(createdBy), .time(now), .time(now)])
        for (user, role) in members { try await addMember(tx, conversationID: id, userID: user, role: role, visibleFromSeq: 0) }
    }

    /// Adds (or re-adds) a member; a returning member reads from `visibleFromSeq` on.
    func addMember(_ tx: any SQLSession, conversationID: RongID, userID: RongID, role: MemberRole, visibleFromSeq: Int64) async throws {
        let now = clock.now()
        let changed = try await tx.execute(
            "UPDATE messaging_members SET left_at = NULL, role = ?, joined_at = ?, visible_from_seq = ?, read_seq = ? WHERE conversation_id = ? AND user_id = ? AND left_at IS NOT NULL",
            [.text(role.rawValue), .time(now), .int(visibleFromSeq), .int(visibleFromSeq), .id(conversationID), .id(userID)])
        if changed == 0 {
            try await tx.execute(
                """
                INSERT INTO messaging_members (conversation_id, user_id, role, joined_at, visible_from_seq, read_seq) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (conversation_id, user_id) DO NOTHING
                """,
                [.id(conversationID), .id(userID), .text(role.rawValue), .time(now), .int(visibleFromSeq), .int(visibleFromSeq)])
        }
    }

    func removeMember(_ tx: any SQLSession, conversationID: RongID, userID: RongID) async throws {
        try await tx.execute("UPDATE messaging_members SET left_at = ? WHERE conversation_id = ? AND user_id = ? AND left_at IS NULL",
                             [.time(clock.now()), .id(conversationID), .id(userID)])
    }

    /// The two sides of a 1:1 conversation as one key, whichever side asks.
    static func pairKey(_ kind: ConversationKind, _ a: RongID, _ b: RongID) -> String {
        let (low, high) = a < b ? (a, b) : (b, a)
        return "\(kind.rawValue):\(low):\(high)"
    }

    /// The open 1:1 conversation of this pair, created when missing (in the caller's transaction).
    func pairConversation(_ tx: any SQLSession, kind: ConversationKind, _ a: (RongID, MemberRole), _ b: (RongID, MemberRole),
                          title: String) async throws -> RongID {
        let key = MessagingService.pairKey(kind, a.0, b.0)
        if let row = try await tx.first("SELECT id FROM messaging_conversations WHERE pair_key = ?", [.text(key)]) {
            let id = row.id("id")
            try await addMember(tx, conversationID: id, userID: a.0, role: a.1, visibleFromSeq: 0)
            try await addMember(tx, conversationID: id, userID: b.0, role: b.1, visibleFromSeq: 0)
            return id
        }
        let id = ids.next()
        try await createConversation(tx, id: id, kind: kind, title: title, pairKey: key, createdBy: a.0, members: [a, b])
        return id
    }

    // MARK: Groups

    /// Creates a group owned by the caller with some of their contacts.
    public func createGroup(_ principal: Principal, title: String, memberIDs: [RongID]) async throws -> ConversationEntry {
        let principal = try await caller(principal)
        try MessagingService.requireRole(principal, [.customer], "Groups are for customers and their contacts.")
        let title = try MessagingService.line(title, field: "title", max: MessagingLimits.titleCharactersMax)
        let others = Array(Set(memberIDs.filter { $0 != principal.userID })).sorted()
        guard others.count < MessagingLimits.groupMembersMax, others.count <= MessagingLimits.groupAddMax else {
            throw DomainError(.groupFull, "A group starts with at most \(MessagingLimits.groupAddMax) members besides its owner.", status: 422,
                              extensions: ["limit": .int(Int64(MessagingLimits.groupAddMax))])
        }
        let id = ids.next()
        try await database.transaction { tx in
            for other in others { try await requireContact(tx, principal.userID, other) }
            try await createConversation(tx, id: id, kind: .group, title: title, pairKey: nil, createdBy: principal.userID,
                                         members: [(principal.userID, .owner)] + others.map { ($0, .member) })
        }
        return try await membership(database, conversationID: id, userID: principal.userID)
    }

    /// Adds contacts of the caller to a group; owner and admins only; at most 500 members.
    public func addGroupMembers(_ principal: Principal, conversationID: RongID, memberIDs: [RongID]) async throws -> [ConversationMember] {
        let principal = try await caller(principal)
        let adding = Array(Set(memberIDs)).sorted()
        guard !adding.isEmpty, adding.count <= MessagingLimits.groupAddMax else {
            throw DomainError(.invalidRequest, "Add 1–\(MessagingLimits.groupAddMax) members at a time.", status: 422,
                              extensions: ["field": .string("member_ids")])
        }
        try await database.transaction { tx in
            let entry = try await requireGroupAdmin(tx, conversationID: conversationID, userID: principal.userID)
            let count = try await tx.first("SELECT COUNT(*) AS n FROM messaging_members WHERE conversation_id = ? AND left_at IS NULL",
                                           [.id(conversationID)])?.int("n") ?? 0
            var newcomers: [RongID] = []
            for user in adding {
                if try await tx.first("SELECT 1 AS one FROM messaging_members WHERE conversation_id = ? AND user_id = ? AND left_at IS NULL",
                                      [.id(conversationID), .id(user)]) != nil { continue }
                try await requireContact(tx, principal.userID, user)
                newcomers.append(user)
            }
            guard count + Int64(newcomers.count) <= Int64(MessagingLimits.groupMembersMax) else {
                throw DomainError(.groupFull, "A group has at most \(MessagingLimits.groupMembersMax) members.", status: 409,
                                  extensions: ["limit": .int(Int64(MessagingLimits.groupMembersMax)), "members": .int(count)])
            }
            for user in newcomers {
                try await addMember(tx, conversationID: conversationID, userID: user, role: .member, visibleFromSeq: entry.conversation.lastSeq)
            }
        }
        return try await members(principal, conversationID: conversationID)
    }

    /// Removes a member: the owner removes anyone but themself, an admin removes plain members.
    public func removeGroupMember(_ principal: Principal, conversationID: RongID, userID: RongID) async throws {
        let principal = try await caller(principal)
        try await database.transaction { tx in
            let actor = try await requireGroupAdmin(tx, conversationID: conversationID, userID: principal.userID)
            let target = try await membership(tx, conversationID: conversationID, userID: userID)
            guard target.role != .owner, actor.role == .owner || target.role == .member else {
                throw DomainError(.notGroupAdmin, "Only the owner removes admins, and nobody removes the owner.", status: 403)
            }
            try await removeMember(tx, conversationID: conversationID, userID: userID)
        }
    }

    /// The owner makes a member an admin, or an admin a member again.
    public func setGroupAdmin(_ principal: Principal, conversationID: RongID, userID: RongID, isAdmin: Bool) async throws {
        let principal = try await caller(principal)
        try await database.transaction { tx in
            let actor = try await requireGroupAdmin(tx, conversationID: conversationID, userID: principal.userID)
            guard actor.role == .owner else { throw DomainError(.notGroupAdmin, "Only the group owner appoints admins.", status: 403) }
            let target = try await membership(tx, conversationID: conversationID, userID: userID)
            guard target.role != .owner else { throw DomainError(.invalidRequest, "The owner is always an admin.", status: 422) }
            try await tx.execute("UPDATE messaging_members SET role = ? WHERE conversation_id = ? AND user_id = ?",
                                 [.text((isAdmin ? MemberRole.admin : .member).rawValue), .id(conversationID), .id(userID)])
        }
    }

    /// Leaves a group (the owner cannot leave their own group).
    public func leaveGroup(_ principal: Principal, conversationID: RongID) async throws {
        let principal = try await caller(principal)
        try await database.transaction { tx in
            let entry = try await membership(tx, conversationID: conversationID, userID: principal.userID)
            guard entry.conversation.kind == .group else { throw DomainError(.invalidRequest, "Only groups can be left.", status: 422) }
            guard entry.role != .owner else { throw DomainError(.ownerCannotLeave, "The owner cannot leave their group.", status: 409) }
            try await removeMember(tx, conversationID: conversationID, userID: principal.userID)
        }
    }

    func requireGroupAdmin(_ tx: any SQLSession, conversationID: RongID, userID: RongID) async throws -> ConversationEntry {
        let entry = try await membership(tx, conversationID: conversationID, userID: userID)
        guard entry.conversation.kind == .group else { throw DomainError(.invalidRequest, "This conversation is not a group.", status: 422) }
        guard entry.role == .owner || entry.role == .admin else {
            throw DomainError(.notGroupAdmin, "Only the group's owner and admins manage its members.", status: 403)
        }
        return entry
    }
}

extension MessagingService {
    /// Sets up a conversation directly, for tools (`rong bench im`): a `.direct` one makes its
    /// two members contacts, a `.group` one is owned by the first member. Not reachable over HTTP.
    public func seedConversation(kind: ConversationKind, title: String, members: [RongID]) async throws -> RongID {
        precondition(kind == .direct ? members.count == 2 : (kind == .group && (2...MessagingLimits.groupMembersMax).contains(members.count)),
                     "a direct conversation has two members, a group 2–500")
        return try await database.transaction { tx in
            if kind == .direct {
                try await tx.execute(
                    "INSERT INTO messaging_contacts (requester_id, addressee_id, status, note, created_at, decided_at) VALUES (?, ?, 'accepted', '', ?, ?)",
                    [.id(members[0]), .id(members[1]), .time(clock.now()), .time(clock.now())])
                return try await pairConversation(tx, kind: .direct, (members[0], .member), (members[1], .member), title: title)
            }
            let id = ids.next()
            try await createConversation(tx, id: id, kind: .group, title: title, pairKey: nil, createdBy: members[0],
                                         members: [(members[0], .owner)] + members.dropFirst().map { ($0, .member) })
            return id
        }
    }
}
