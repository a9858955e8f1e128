import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Identity
import Messaging
import NIOCore

extension Access {
    /// Everyone who uses e-Link: customers and bank staff (not merchants or billers).
    static let elinkUsers = Access.roles([.customer, .accountManager, .serviceAgent, .operator, .admin])
    static let serviceAgents = Access.roles([.serviceAgent])
    static let accountManagers = Access.roles([.accountManager])
}

/// Any Messaging value as a JSON response (snake_case keys, like every other body).
struct ElinkBody<Value: Encodable & Sendable>: ResponseEncodable {
    let value: Value
    init(_ value: Value) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// e-Link (融e联) over HTTP and WebSocket: the WebSocket endpoint (docs/elink-protocol.md),
/// conversations and messages, uploads, contacts, groups, the service queue, official
/// accounts, account managers and the compliance archive.
struct MessagingRoutes {
    let platform: RongPlatform
    let auth: Authenticator

    struct SendInput: Decodable {
        let clientId: String?
        let kind: String?
        let text: String?
        let blobId: String?
        let seconds: Int?
        let card: CardInput?
    }
    struct CardInput: Decodable {
        let kind: String
        let title: String
        let url: String
        let fields: [String: String]?
        var card: MessageCard { MessageCard(kind: kind, title: title, url: url, fields: fields ?? [:]) }
    }
    struct ReadInput: Decodable { let seq: Int64 }
    struct ContactInput: Decodable { let mobile: String; let note: String? }
    struct GroupInput: Decodable { let title: String; let memberIds: [String] }
    struct MembersInput: Decodable { let memberIds: [String] }
    struct AdminInput: Decodable { let userId: String; let admin: Bool }
    struct ServiceChatInput: Decodable { let topic: String? }
    struct RatingInput: Decodable { let rating: Int; let comment: String? }
    struct TransferInput: Decodable { let agentId: String }
    struct OfficialInput: Decodable {
        let name: String
        let kind: String
        let branchCode: String?
        let description: String?
        let autoFollow: Bool?
    }
    struct ArticleInput: Decodable { let title: String; let summary: String?; let body: String }
    struct BroadcastInput: Decodable { let text: String; let clientId: String? }
    struct BranchManagerInput: Decodable { let branchCode: String; let managerId: String }
    struct ManagerInput: Decodable { let managerId: String }
    struct PushCardInput: Decodable { let card: CardInput; let clientId: String? }

    struct ServiceChatBody: Encodable, Sendable {
        let chat: ServiceChat
        let position: Int64?
        func encode(to encoder: any Encoder) throws {
            try chat.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(position, forKey: .queuePosition)
        }
        enum Keys: String, CodingKey { case queuePosition }
    }
    struct OfficialAccountBody: Encodable, Sendable {
        let account: OfficialAccount
        let following: Bool
        func encode(to encoder: any Encoder) throws {
            try account.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(following, forKey: .following)
        }
        enum Keys: String, CodingKey { case following }
    }
    struct SendBody: Encodable, Sendable { let message: Message; let duplicate: Bool }
    struct ReadBody: Encodable, Sendable { let conversationId: RongID; let readSeq: Int64 }
    struct ManagerBody: Encodable, Sendable { let manager: AssignedManager? }

    static func content(_ input: SendInput) throws -> MessageContent {
        switch input.kind ?? "text" {
        case "text":
            guard let text = input.text else { throw DomainError(.messageEmpty, "A text message needs text.", status: 422, extensions: ["field": .string("text")]) }
            return .text(text)
        case "image": return .image(blobID: try RongID(input.blobId ?? ""))
        case "voice": return .voice(blobID: try RongID(input.blobId ?? ""), seconds: input.seconds ?? 0)
        case "card":
            guard let card = input.card else { throw DomainError(.invalidCard, "A card message needs card.", status: 422, extensions: ["field": .string("card")]) }
            return .card(card.card)
        default:
            throw DomainError(.invalidRequest, "kind is text, image, voice or card.", status: 422, extensions: ["field": .string("kind")])
        }
    }

    static func limit(_ request: Request, max: Int) -> Int {
        request.uri.queryParameters.get("limit").flatMap { Int($0) }.map { Swift.min(Swift.max($0, 1), max) } ?? max
    }

    static func afterSeq(_ request: Request) throws -> Int64 {
        guard let text = request.uri.queryParameters.get("after_seq") else { return 0 }
        guard let value = Int64(text), value >= 0 else {
            throw DomainError(.invalidRequest, "after_seq is a sequence number (0 or more).", status: 422, extensions: ["field": .string("after_seq")])
        }
        return value
    }

    func register(on router: Router<RongRequestContext>) {
        registerWebSocket(on: router)
        registerConversations(on: router)
        registerContactsAndGroups(on: router)
        registerService(on: router)
        registerOfficial(on: router)
        registerManagers(on: router)
    }

    // MARK: WebSocket

    /// The caller of a WebSocket upgrade: `?token=` (browsers cannot set headers on a
    /// WebSocket), else the Authorization header or the page cookie.
    func webSocketPrincipal(_ request: Request) async throws -> Principal {
        if let token = request.uri.queryParameters.get("token") {
            let principal = try await platform.identity.authenticate(String(token))
            guard Access.elinkUsers.allowedRoles!.contains(principal.role) else {
                throw DomainError(.forbidden, "Your role (\(principal.role.rawValue)) does not use e-Link.", status: 403)
            }
            return principal
        }
        return try await auth.require(request, .elinkUsers)
    }

    func registerWebSocket(on router: Router<RongRequestContext>) {
        let messaging = platform.messaging
        router.ws("v1/elink/ws", shouldUpgrade: { request, _ in
            _ = try await webSocketPrincipal(request)
            return .upgrade([:])
        }, onUpgrade: { inbound, _, context in
            let principal = try await webSocketPrincipal(context.request)
            try await ElinkWebSocket.serve(messaging: messaging, principal: principal, inbound: inbound, channel: context.requestContext.channel)
        })
    }

    // MARK: Conversations, messages, uploads

    func registerConversations(on router: Router<RongRequestContext>) {
        let messaging = platform.messaging
        router.get("v1/elink/conversations") { request, _ -> ListBody<ConversationEntry> in
            let principal = try await auth.require(request, .elinkUsers)
            return ListBody(data: try await messaging.conversations(principal, limit: MessagingRoutes.limit(request, max: MessagingLimits.conversationListMax)),
                            hasMore: false, nextCursor: nil)
        }
        router.get("v1/elink/conversations/:id") { request, context -> ElinkBody<ConversationEntry> in
            let principal = try await auth.require(request, .elinkUsers)
            return ElinkBody(try await messaging.conversation(principal, id: try context.id("id")))
        }
        router.get("v1/elink/conversations/:id/members") { request, context -> ListBody<ConversationMember> in
            let principal = try await auth.require(request, .elinkUsers)
            return ListBody(data: try await messaging.members(principal, conversationID: try context.id("id")), hasMore: false, nextCursor: nil)
        }
        router.get("v1/elink/conversations/:id/messages") { request, context -> ElinkBody<SyncPage> in
            let principal = try await auth.require(request, .elinkUsers)
            return ElinkBody(try await messaging.sync(principal, conversationID: try context.id("id"), afterSeq: try MessagingRoutes.afterSeq(request),
                                                      limit: MessagingRoutes.limit(request, max: MessagingLimits.syncPageMax)))
        }
        router.post("v1/elink/conversations/:id/messages") { request, context -> ElinkBody<SendBody> in
            let principal = try await auth.require(request, .elinkUsers)
            let input = try await request.decodeJSON(as: SendInput.self, context: context)
            let result = try await messaging.send(principal, conversationID: try context.id("id"), clientID: input.clientId,
                                                  content: try MessagingRoutes.content(input))
            return ElinkBody(SendBody(message: result.message, duplicate: result.duplicate))
        }
        router.post("v1/elink/conversations/:id/read") { request, context -> ElinkBody<ReadBody> in
            let principal = try await auth.require(request, .elinkUsers)
            let input = try await request.decodeJSON(as: ReadInput.self, context: context)
            let id = try context.id("id")
            return ElinkBody(ReadBody(conversationId: id, readSeq: try await messaging.markRead(principal, conversationID: id, seq: input.seq)))
        }
        router.post("v1/elink/messages/:id/recall") { request, context -> ElinkBody<Message> in
            let principal = try await auth.require(request, .elinkUsers)
            return ElinkBody(try await messaging.recall(principal, messageID: try context.id("id")))
        }
        router.post("v1/elink/blobs") { request, context -> ElinkBody<BlobRecord> in
            let principal = try await auth.require(request, .elinkUsers)
            let limit = max(MessagingLimits.imageBytesMax, MessagingLimits.voiceBytesMax)
            let tooLarge = DomainError(.blobTooLarge, "Uploads are at most \(limit / 1_048_576) MiB.", status: 413, extensions: ["limit_bytes": .int(Int64(limit))])
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw tooLarge }
            var copy = request
            let buffer: ByteBuffer
            do { buffer = try await copy.collectBody(upTo: limit) } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                throw tooLarge
            }
            return ElinkBody(try await messaging.upload(principal, contentType: request.headers[.contentType] ?? "",
                                                        bytes: Array(buffer.readableBytesView)))
        }
        router.get("v1/elink/blobs/:id") { request, context -> Response in
            let principal = try await auth.require(request, .elinkUsers)
            let (record, bytes) = try await messaging.download(principal, blobID: try context.id("id"))
            return Response(status: .ok, headers: [.contentType: record.contentType, .cacheControl: "private, max-age=86400",
                                                   HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("v1/staff/elink/conversations/:id/archive") { request, context -> ElinkBody<ConversationArchive> in
            let principal = try await auth.require(request, .admin)
            return ElinkBody(try await messaging.archive(principal, conversationID: try context.id("id"), afterSeq: try MessagingRoutes.afterSeq(request),
                                                         limit: MessagingRoutes.limit(request, max: MessagingLimits.archivePageMax), address: context.clientAddress))
        }
    }

    // MARK: Contacts and groups

    func registerContactsAndGroups(on router: Router<RongRequestContext>) {
        let messaging = platform.messaging
        router.get("v1/elink/contacts") { request, _ -> ListBody<Contact> in
            let principal = try await auth.require(request, .customer)
            return ListBody(data: try await messaging.contacts(principal), hasMore: false, nextCursor: nil)
        }
        router.delete("v1/elink/contacts/:id") { request, context -> Response in
            let principal = try await auth.require(request, .customer)
            try await messaging.removeContact(principal, userID: try context.id("id"))
            return Response(status: .noContent)
        }
        router.get("v1/elink/contact-requests") { request, _ -> ListBody<ContactRequest> in
            let principal = try await auth.require(request, .customer)
            return ListBody(data: try await messaging.contactRequests(principal), hasMore: false, nextCursor: nil)
        }
        router.post("v1/elink/contact-requests") { request, context -> ElinkBody<ContactRequest> in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: ContactInput.self, context: context)
            return ElinkBody(try await messaging.requestContact(principal, mobile: input.mobile, note: input.note ?? ""))
        }
        router.post("v1/elink/contact-requests/:id/accept") { request, context -> ListBody<Contact> in
            let principal = try await auth.require(request, .customer)
            let contact = try await messaging.answerContactRequest(principal, requesterID: try context.id("id"), accept: true)
            return ListBody(data: contact.map { [$0] } ?? [], hasMore: false, nextCursor: nil)
        }
        router.post("v1/elink/contact-requests/:id/decline") { request, context -> Response in
            let principal = try await auth.require(request, .customer)
            try await messaging.answerContactRequest(principal, requesterID: try context.id("id"), accept: false)
            return Response(status: .noContent)
        }
        router.post("v1/elink/groups") { request, context -> ElinkBody<ConversationEntry> in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: GroupInput.self, context: context)
            return ElinkBody(try await messaging.createGroup(principal, title: input.title, memberIDs: try input.memberIds.map { try RongID($0) }))
        }
        router.post("v1/elink/groups/:id/members") { request, context -> ListBody<ConversationMember> in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: MembersInput.self, context: context)
            return ListBody(data: try await messaging.addGroupMembers(principal, conversationID: try context.id("id"),
                                                                       memberIDs: try input.memberIds.map { try RongID($0) }),
                            hasMore: false, nextCursor: nil)
        }
        router.delete("v1/elink/groups/:id/members/:userId") { request, context -> Response in
            let principal = try await auth.require(request, .customer)
            try await messaging.removeGroupMember(principal, conversationID: try context.id("id"), userID: try context.id("userId"))
            return Response(status: .noContent)
        }
        router.post("v1/elink/groups/:id/admins") { request, context -> Response in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: AdminInput.self, context: context)
            try await messaging.setGroupAdmin(principal, conversationID: try context.id("id"), userID: try RongID(input.userId), isAdmin: input.admin)
            return Response(status: .noContent)
        }
        router.post("v1/elink/groups/:id/leave") { request, context -> Response in
            let principal = try await auth.require(request, .customer)
            try await messaging.leaveGroup(principal, conversationID: try context.id("id"))
            return Response(status: .noContent)
        }
    }

    // MARK: Customer service

    func registerService(on router: Router<RongRequestContext>) {
        let messaging = platform.messaging
        router.post("v1/elink/service-chats") { request, context -> ElinkBody<ServiceChatBody> in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: ServiceChatInput.self, context: context)
            let chat = try await messaging.openServiceChat(principal, topic: input.topic ?? "")
            let status = try await messaging.serviceChatStatus(principal, conversationID: chat.conversationID)
            return ElinkBody(ServiceChatBody(chat: status.chat, position: status.position))
        }
        router.get("v1/elink/service-chats/:id") { request, context -> ElinkBody<ServiceChatBody> in
            let principal = try await auth.require(request, .roles([.customer, .serviceAgent, .admin]))
            let status = try await messaging.serviceChatStatus(principal, conversationID: try context.id("id"))
            return ElinkBody(ServiceChatBody(chat: status.chat, position: status.position))
        }
        router.post("v1/elink/service-chats/:id/close") { request, context -> ElinkBody<ServiceChat> in
            let principal = try await auth.require(request, .roles([.customer, .serviceAgent]))
            return ElinkBody(try await messaging.closeServiceChat(principal, conversationID: try context.id("id")))
        }
        router.post("v1/elink/service-chats/:id/rating") { request, context -> ElinkBody<ServiceChat> in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: RatingInput.self, context: context)
            return ElinkBody(try await messaging.rateServiceChat(principal, conversationID: try context.id("id"), rating: input.rating,
                                                                 comment: input.comment ?? ""))
        }
        router.get("v1/staff/elink/queue") { request, _ -> ListBody<ServiceChat> in
            let principal = try await auth.require(request, .roles([.serviceAgent, .admin]))
            return ListBody(data: try await messaging.serviceQueue(principal, limit: MessagingRoutes.limit(request, max: MessagingLimits.queuePageMax)),
                            hasMore: false, nextCursor: nil)
        }
        router.post("v1/staff/elink/queue/claim") { request, _ -> ElinkBody<ServiceChat> in
            let principal = try await auth.require(request, .serviceAgents)
            return ElinkBody(try await messaging.claimNextServiceChat(principal))
        }
        router.get("v1/staff/elink/service-chats") { request, _ -> ListBody<ServiceChat> in
            let principal = try await auth.require(request, .serviceAgents)
            return ListBody(data: try await messaging.agentChats(principal), hasMore: false, nextCursor: nil)
        }
        router.post("v1/staff/elink/service-chats/:id/claim") { request, context -> ElinkBody<ServiceChat> in
            let principal = try await auth.require(request, .serviceAgents)
            return ElinkBody(try await messaging.claimServiceChat(principal, conversationID: try context.id("id")))
        }
        router.post("v1/staff/elink/service-chats/:id/transfer") { request, context -> ElinkBody<ServiceChat> in
            let principal = try await auth.require(request, .serviceAgents)
            let input = try await request.decodeJSON(as: TransferInput.self, context: context)
            return ElinkBody(try await messaging.transferServiceChat(principal, conversationID: try context.id("id"), toAgentID: try RongID(input.agentId)))
        }
    }

    // MARK: Official accounts

    func registerOfficial(on router: Router<RongRequestContext>) {
        let messaging = platform.messaging
        router.get("v1/elink/official-accounts") { request, _ -> ListBody<OfficialAccountBody> in
            let principal = try await auth.require(request, .elinkUsers)
            return ListBody(data: try await messaging.officialAccounts(principal).map { OfficialAccountBody(account: $0.account, following: $0.following) },
                            hasMore: false, nextCursor: nil)
        }
        router.post("v1/elink/official-accounts/:id/follow") { request, context -> Response in
            let principal = try await auth.require(request, .customer)
            try await messaging.follow(principal, accountID: try context.id("id"))
            return Response(status: .noContent)
        }
        router.post("v1/elink/official-accounts/:id/unfollow") { request, context -> Response in
            let principal = try await auth.require(request, .customer)
            try await messaging.unfollow(principal, accountID: try context.id("id"))
            return Response(status: .noContent)
        }
        router.get("v1/elink/official-accounts/:id/articles") { request, context -> ListBody<Article> in
            ListBody(data: try await messaging.articles(accountID: try context.id("id"), limit: MessagingRoutes.limit(request, max: MessagingLimits.articlesPageMax)),
                     hasMore: false, nextCursor: nil)
        }
        router.get("v1/elink/articles/:id") { _, context -> ElinkBody<Article> in
            ElinkBody(try await messaging.article(id: try context.id("id")))
        }
        router.post("v1/staff/elink/official-accounts") { request, context -> ElinkBody<OfficialAccount> in
            let principal = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: OfficialInput.self, context: context)
            guard let kind = OfficialAccount.Kind(rawValue: input.kind) else {
                throw DomainError(.invalidRequest, "kind is service or subscription.", status: 422, extensions: ["field": .string("kind")])
            }
            return ElinkBody(try await messaging.createOfficialAccount(principal, name: input.name, kind: kind, branchCode: input.branchCode,
                                                                       description: input.description ?? "", autoFollow: input.autoFollow ?? false,
                                                                       address: context.clientAddress))
        }
        router.post("v1/staff/elink/official-accounts/:id/articles") { request, context -> ElinkBody<Article> in
            let principal = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: ArticleInput.self, context: context)
            return ElinkBody(try await messaging.publishArticle(principal, accountID: try context.id("id"), title: input.title, summary: input.summary ?? "",
                                                                body: input.body, address: context.clientAddress).0)
        }
        router.post("v1/staff/elink/official-accounts/:id/broadcasts") { request, context -> ElinkBody<SendBody> in
            let principal = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: BroadcastInput.self, context: context)
            let result = try await messaging.broadcast(principal, accountID: try context.id("id"), text: input.text, clientID: input.clientId,
                                                       address: context.clientAddress)
            return ElinkBody(SendBody(message: result.message, duplicate: result.duplicate))
        }
    }

    // MARK: Account managers

    func registerManagers(on router: Router<RongRequestContext>) {
        let messaging = platform.messaging
        router.get("v1/elink/manager") { request, _ -> ElinkBody<ManagerBody> in
            let principal = try await auth.require(request, .customer)
            return ElinkBody(ManagerBody(manager: try await messaging.myManager(principal)))
        }
        router.get("v1/staff/elink/customers") { request, _ -> ListBody<ManagedCustomer> in
            let principal = try await auth.require(request, .accountManagers)
            return ListBody(data: try await messaging.managerCustomers(principal), hasMore: false, nextCursor: nil)
        }
        router.get("v1/staff/elink/customers/:id/summary") { request, context -> ElinkBody<CustomerProductSummary> in
            let principal = try await auth.require(request, .accountManagers)
            return ElinkBody(try await messaging.customerSummary(principal, customerUserID: try context.id("id"), address: context.clientAddress))
        }
        router.post("v1/staff/elink/customers/:id/cards") { request, context -> ElinkBody<SendBody> in
            let principal = try await auth.require(request, .accountManagers)
            let input = try await request.decodeJSON(as: PushCardInput.self, context: context)
            let result = try await messaging.pushCard(principal, customerUserID: try context.id("id"), card: input.card.card, clientID: input.clientId)
            return ElinkBody(SendBody(message: result.message, duplicate: result.duplicate))
        }
        router.post("v1/staff/elink/customers/:id/manager") { request, context -> ElinkBody<AssignedManager> in
            let principal = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: ManagerInput.self, context: context)
            return ElinkBody(try await messaging.reassignManager(principal, customerUserID: try context.id("id"), managerID: try RongID(input.managerId),
                                                                 address: context.clientAddress))
        }
        router.post("v1/staff/elink/branch-managers") { request, context -> Response in
            let principal = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: BranchManagerInput.self, context: context)
            try await messaging.addManagerToBranch(principal, managerID: try RongID(input.managerId), branchCode: input.branchCode,
                                                   address: context.clientAddress)
            return Response(status: .noContent)
        }
    }
}
