import BankKit
import Identity
import Storage

/// An official account (公众号) of the head office or a branch.
public struct OfficialAccount: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Service accounts (服务号) carry notices; `auto_follow` ones every customer follows.
        case service
        /// Subscription accounts (订阅号) publish articles to whoever follows them.
        case subscription
    }
    public let id: RongID
    public let name: String
    public let kind: Kind
    /// nil: the head office.
    public let branchCode: String?
    public let description: String
    public let autoFollow: Bool
    /// The channel conversation its broadcasts and articles go to.
    public let channelID: RongID
}

/// An article published by an official account.
public struct Article: Sendable, Hashable, Codable {
    public let id: RongID
    public let accountID: RongID
    public let title: String
    public let summary: String
    public let body: String
    public let publishedAt: Timestamp
}

/// Official accounts: the head office's and branches' accounts publish articles and
/// broadcasts into a channel conversation their followers belong to.
extension MessagingService {
    /// The bank's service account: every customer follows it; bank notifications come from it.
    public static let bankServiceAccountID = RongID.derived("messaging", "official", "bank-service")
    static let bankServiceChannelID = RongID.derived("messaging", "official", "bank-service", "channel")
    public static let bankServiceAccountName = "融银行服务号"

    static let officialColumns = "id, name, kind, branch_code, description, auto_follow, channel_id"

    static func officialAccount(_ row: SQLRow) -> OfficialAccount {
        OfficialAccount(id: row.id("id"), name: row.text("name"), kind: OfficialAccount.Kind(rawValue: row.text("kind")) ?? .subscription,
                        branchCode: row.optionalText("branch_code"), description: row.text("description"), autoFollow: row.bool("auto_follow"),
                        channelID: row.id("channel_id"))
    }

    func ensureBankServiceAccount() async throws {
        try await database.transaction { tx in
            guard try await tx.first("SELECT id FROM messaging_official_accounts WHERE id = ?", [.id(MessagingService.bankServiceAccountID)]) == nil else {
                return
            }
            try await insertOfficialAccount(tx, id: MessagingService.bankServiceAccountID, channelID: MessagingService.bankServiceChannelID,
                                            name: MessagingService.bankServiceAccountName, kind: .service, branchCode: nil,
                                            description: "账户变动、安全提醒与专属优惠", autoFollow: true, createdBy: "system")
        }
    }

    func insertOfficialAccount(_ tx: any SQLSession, id: RongID, channelID: RongID, name: String, kind: OfficialAccount.Kind, branchCode: String?,
                               description: String, autoFollow: Bool, createdBy: String) async throws {
        try await createConversation(tx, id: channelID, kind: .channel, title: name, pairKey: "channel:\(id)", createdBy: nil,
                                     officialAccountID: id, members: [])
        try await tx.execute(
            """
            INSERT INTO messaging_official_accounts (id, name, kind, branch_code, description, auto_follow, channel_id, created_by, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.id(id), .text(name), .text(kind.rawValue), .text(branchCode), .text(description), .bool(autoFollow), .id(channelID),
             .text(createdBy), .time(clock.now())])
    }

    /// Opens an official account (operators and admins). A branch account names its branch.
    public func createOfficialAccount(_ principal: Principal, name: String, kind: OfficialAccount.Kind, branchCode: String?,
                                      description: String, autoFollow: Bool, address: String) async throws -> OfficialAccount {
        try MessagingService.requireOperator(principal)
        let name = try MessagingService.line(name, field: "name", max: MessagingLimits.officialNameCharactersMax)
        let description = try MessagingService.line(description, field: "description", max: MessagingLimits.officialDescriptionCharactersMax,
                                                    allowEmpty: true)
        if let branchCode {
            guard branchCode.count == 4, branchCode.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw DomainError(.invalidRequest, "A branch code is 4 digits.", status: 422, extensions: ["field": .string("branch_code")])
            }
        }
        let id = ids.next()
        do {
            try await database.transaction { tx in
                try await insertOfficialAccount(tx, id: id, channelID: ids.next(), name: name, kind: kind, branchCode: branchCode,
                                                description: description, autoFollow: autoFollow, createdBy: principal.actorRef)
                try await identity.audit.record(tx, actor: principal.actorRef, action: "messaging.official.create", target: "official:\(id)",
                                                address: address, detail: "name=\(name) kind=\(kind.rawValue) branch=\(branchCode ?? "head-office")")
            }
        } catch let error as StorageError where error.kind == .uniqueViolation {
            throw DomainError(.conflict, "An official account with this name exists.", status: 409, extensions: ["field": .string("name")])
        }
        return try await officialAccount(id: id)
    }

    public func officialAccount(id: RongID) async throws -> OfficialAccount {
        guard let row = try await database.first("SELECT \(MessagingService.officialColumns) FROM messaging_official_accounts WHERE id = ?", [.id(id)]) else {
            throw DomainError(.officialAccountNotFound, "No such official account.", status: 404)
        }
        return MessagingService.officialAccount(row)
    }

    /// Every official account (at most 200), with whether the caller follows it.
    public func officialAccounts(_ principal: Principal) async throws -> [(account: OfficialAccount, following: Bool)] {
        let principal = try await caller(principal)
        let rows = try await database.query(
            """
            SELECT o.id, o.name, o.kind, o.branch_code, o.description, o.auto_follow, o.channel_id,
                   (SELECT COUNT(*) FROM messaging_members m WHERE m.conversation_id = o.channel_id AND m.user_id = ? AND m.left_at IS NULL) AS following
            FROM messaging_official_accounts o ORDER BY o.auto_follow DESC, o.branch_code, o.name LIMIT 200
            """, [.id(principal.userID)])
        return rows.map { (MessagingService.officialAccount($0), $0.int("following") > 0) }
    }

    /// Follows an account: its channel appears among the caller's conversations, history included.
    public func follow(_ principal: Principal, accountID: RongID) async throws {
        let principal = try await caller(principal)
        try MessagingService.requireRole(principal, [.customer], "Customers follow official accounts.")
        let account = try await officialAccount(id: accountID)
        try await database.transaction { tx in
            try await addMember(tx, conversationID: account.channelID, userID: principal.userID, role: .follower, visibleFromSeq: 0)
        }
    }

    /// Unfollows an account; the bank's auto-follow service accounts cannot be unfollowed.
    public func unfollow(_ principal: Principal, accountID: RongID) async throws {
        let principal = try await caller(principal)
        let account = try await officialAccount(id: accountID)
        guard !account.autoFollow else {
            throw DomainError(.cannotUnfollow, "The bank's service account carries your account notices and cannot be unfollowed.", status: 409)
        }
        try await database.transaction { tx in
            try await removeMember(tx, conversationID: account.channelID, userID: principal.userID)
        }
    }

    /// Publishes an article: stored, and sent to followers as an article card in the channel.
    public func publishArticle(_ principal: Principal, accountID: RongID, title: String, summary: String, body: String,
                               address: String) async throws -> (Article, Message) {
        try MessagingService.requireOperator(principal)
        let account = try await officialAccount(id: accountID)
        let title = try MessagingService.line(title, field: "title", max: MessagingLimits.articleTitleCharactersMax)
        let summary = try MessagingService.line(summary, field: "summary", max: MessagingLimits.articleSummaryCharactersMax, allowEmpty: true)
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, body.utf8.count <= MessagingLimits.articleBodyBytesMax else {
            throw DomainError(.invalidRequest, "An article body is 1–\(MessagingLimits.articleBodyBytesMax) bytes.", status: 422,
                              extensions: ["field": .string("body")])
        }
        let article = Article(id: ids.next(), accountID: accountID, title: title, summary: summary, body: body, publishedAt: clock.now())
        let card = MessageCard(kind: "article", title: title, url: "/bank/elink/articles/\(article.id)", fields: summary.isEmpty ? [:] : ["摘要": summary])
        let (message, recipients) = try await database.transaction { tx in
            try await tx.execute(
                "INSERT INTO messaging_articles (id, account_id, title, summary, body, published_by, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.id(article.id), .id(accountID), .text(title), .text(summary), .text(body), .text(principal.actorRef), .time(article.publishedAt)])
            let message = try await insertMessage(tx, conversationID: account.channelID, senderID: account.id, clientID: "article:\(article.id)",
                                                  kind: .card, body: MessagingService.encodeJSON(card), blobID: nil, refersTo: nil)
            try await identity.audit.record(tx, actor: principal.actorRef, action: "messaging.article.publish", target: "official:\(accountID)",
                                            address: address, detail: "article=\(article.id)")
            return (message, try await self.memberIDs(tx, conversationID: account.channelID))
        }
        await publish(message, to: recipients)
        return (article, message)
    }

    /// A text broadcast to an account's followers.
    public func broadcast(_ principal: Principal, accountID: RongID, text: String, clientID: String?, address: String) async throws -> SendResult {
        try MessagingService.requireOperator(principal)
        let account = try await officialAccount(id: accountID)
        let (kind, body, _) = try MessagingService.validate(.text(text), by: principal)
        let clientID = try clientID.map(MessagingService.validateClientID) ?? "broadcast:\(ids.next())"
        let result = try await post(asBank: account.id, conversationID: account.channelID, clientID: clientID, kind: kind, body: body)
        if !result.duplicate {
            try await identity.audit.record(actor: principal.actorRef, action: "messaging.broadcast", target: "official:\(accountID)", address: address,
                                            detail: "seq=\(result.message.seq)")
        }
        return result
    }

    /// An account's articles, newest first.
    public func articles(accountID: RongID, limit: Int = MessagingLimits.articlesPageMax) async throws -> [Article] {
        _ = try await officialAccount(id: accountID)
        return try await database.query(
            "SELECT id, account_id, title, summary, body, published_at FROM messaging_articles WHERE account_id = ? ORDER BY published_at DESC, id DESC LIMIT ?",
            [.id(accountID), .int(min(max(limit, 1), MessagingLimits.articlesPageMax))]).map(MessagingService.article)
    }

    public func article(id: RongID) async throws -> Article {
        guard let row = try await database.first(
            "SELECT id, account_id, title, summary, body, published_at FROM messaging_articles WHERE id = ?", [.id(id)]) else {
            throw DomainError.notFound("Article")
        }
        return MessagingService.article(row)
    }

    static func article(_ row: SQLRow) -> Article {
        Article(id: row.id("id"), accountID: row.id("account_id"), title: row.text("title"), summary: row.text("summary"), body: row.text("body"),
                publishedAt: row.time("published_at"))
    }
}
