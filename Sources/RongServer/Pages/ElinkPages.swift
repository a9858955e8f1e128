import Accounts
import BankKit
import Hummingbird
import Identity
import Messaging

/// e-Link pages: the chat (`/bank/elink` for customers, `/console/elink/chat/{id}` for staff) —
/// a conversation list rendered here and a small plain-JavaScript WebSocket client that also
/// uploads images and voice notes — official accounts and their articles, the account manager's
/// customers, and the service agents' queue with claiming and transfers. The operators'
/// publishing pages are `ElinkOfficialPages`.
struct ElinkPages {
    let site: PageSite

    func register(on router: Router<RongRequestContext>) {
        router.get("bank/elink") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                let selected = try call.request.uri.queryParameters.get("c").map { try RongID(String($0)) }
                return try await chatPage(call, selected: selected)
            }
        }
        router.post("bank/elink/service") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                let chat = try await call.platform.messaging.openServiceChat(call.signedIn, topic: call.form?.text("topic") ?? "")
                return PageResponse.redirect("/bank/elink?c=\(chat.conversationID)")
            }
        }
        router.get("bank/elink/official") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await officialPage(call) }
        }
        router.post("bank/elink/official/:id/follow") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                try await call.platform.messaging.follow(call.signedIn, accountID: try call.context.id("id"))
                return PageResponse.redirect("/bank/elink/official")
            }
        }
        router.post("bank/elink/official/:id/unfollow") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                try await call.platform.messaging.unfollow(call.signedIn, accountID: try call.context.id("id"))
                return PageResponse.redirect("/bank/elink/official")
            }
        }
        router.get("bank/elink/articles/:id") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                let article = try await call.platform.messaging.article(id: try call.context.id("id"))
                let account = try await call.platform.messaging.officialAccount(id: article.accountID)
                return call.render("elink-article", title: "articleTitle", [
                    "articleTitle": article.title, "account": account.name, "published": PageFormat.shanghai(article.publishedAt),
                    "paragraphs": article.body.split(separator: "\n", omittingEmptySubsequences: true).map { ["text": String($0)] },
                ])
            }
        }
        router.get("console/elink/chat/:id") { request, context in
            try await site.page(request, context, area: .console, access: [.accountManager, .serviceAgent, .operator, .admin]) { call in
                try await chatPage(call, selected: try call.context.id("id"))
            }
        }
        router.post("console/elink/chat/:id/close") { request, context in
            try await site.page(request, context, area: .console, access: [.serviceAgent]) { call in
                _ = try await call.platform.messaging.closeServiceChat(call.signedIn, conversationID: try call.context.id("id"))
                return PageResponse.redirect("/console/elink/queue")
            }
        }
        router.get("console/elink/customers") { request, context in
            try await site.page(request, context, area: .console, access: [.accountManager]) { call in
                let customers = try await call.platform.messaging.managerCustomers(call.signedIn)
                return call.render("console-elink-customers", title: "customersTitle", [
                    "customers": customers.map { customer -> [String: Any] in
                        ["userID": customer.customerUserID.description, "name": customer.name, "branch": customer.branchCode,
                         "assignedAt": PageFormat.shanghai(customer.assignedAt), "conversationID": customer.conversationID?.description ?? "",
                         "hasChat": customer.conversationID != nil]
                    },
                    "empty": customers.isEmpty,
                ])
            }
        }
        router.get("console/elink/customers/:id") { request, context in
            try await site.page(request, context, area: .console, access: [.accountManager]) { call in try await customerPage(call) }
        }
        router.post("console/elink/customers/:id/cards") { request, context in
            try await site.page(request, context, area: .console, access: [.accountManager]) { call in
                let form = call.form ?? FormData()
                let customerID = try call.context.id("id")
                let card = MessageCard(kind: "product", title: form.text("title"), url: form.text("url"))
                let sent = try await call.platform.messaging.pushCard(call.signedIn, customerUserID: customerID, card: card, clientID: nil)
                return PageResponse.redirect("/console/elink/chat/\(sent.message.conversationID)")
            }
        }
        router.get("console/elink/queue") { request, context in
            try await site.page(request, context, area: .console, access: [.serviceAgent, .admin]) { call in try await queuePage(call) }
        }
        router.post("console/elink/queue/claim") { request, context in
            try await site.page(request, context, area: .console, access: [.serviceAgent]) { call in
                let chat = try await call.platform.messaging.claimNextServiceChat(call.signedIn)
                return PageResponse.redirect("/console/elink/chat/\(chat.conversationID)")
            }
        }
        router.post("console/elink/queue/:id/claim") { request, context in
            try await site.page(request, context, area: .console, access: [.serviceAgent]) { call in
                let chat = try await call.platform.messaging.claimServiceChat(call.signedIn, conversationID: try call.context.id("id"))
                return PageResponse.redirect("/console/elink/chat/\(chat.conversationID)")
            }
        }
        router.post("console/elink/queue/:id/transfer") { request, context in
            try await site.page(request, context, area: .console, access: [.serviceAgent]) { call in try await transfer(call) }
        }
    }

    /// Hands one of the agent's chats to the agent chosen in the form; a refusal shows the queue
    /// again with the message beside that chat's form.
    func transfer(_ call: PageCall) async throws -> Response {
        let chatID = try call.context.id("id")
        do {
            let chosen = call.form?.text("agent_id") ?? ""
            guard !chosen.isEmpty, let agentID = try? RongID(chosen) else {
                throw DomainError(.agentNotFound, "Choose the agent to transfer the chat to.", status: 422, extensions: ["field": .string("agent_id")])
            }
            _ = try await call.platform.messaging.transferServiceChat(call.signedIn, conversationID: chatID, toAgentID: agentID)
            return PageResponse.redirect("/console/elink/queue?notice=chatTransferred")
        } catch let error as DomainError {
            return try await queuePage(call, failed: ElinkText.formError(error, call), failedChat: chatID)
        }
    }

    /// The conversation list and, when one is selected, the live chat panel.
    func chatPage(_ call: PageCall, selected: RongID?) async throws -> Response {
        let messaging = call.platform.messaging
        let entries = try await messaging.conversations(call.signedIn)
        let t = call.text
        let base = call.area == .bank ? "/bank/elink?c=" : "/console/elink/chat/"
        var current: ConversationEntry?
        if let selected { current = try await messaging.conversation(call.signedIn, id: selected) }
        var values: [String: Any] = [
            "conversations": entries.map { entry -> [String: Any] in
                ["id": entry.conversation.id.description, "href": base + entry.conversation.id.description,
                 "title": entry.conversation.title.isEmpty ? (t["kind_\(entry.conversation.kind.rawValue)"] ?? "") : entry.conversation.title,
                 "kind": t["kind_\(entry.conversation.kind.rawValue)"] ?? entry.conversation.kind.rawValue, "kindCode": entry.conversation.kind.rawValue,
                 "unread": entry.unread,
                 "hasUnread": entry.unread > 0, "selected": entry.conversation.id == selected]
            },
            "empty": entries.isEmpty, "me": call.signedIn.userID.description, "isBank": call.area == .bank,
        ]
        if let current {
            let canPost = current.conversation.status == "open" && ![.notice, .channel].contains(current.conversation.kind)
            values["current"] = ["id": current.conversation.id.description, "title": current.conversation.title.isEmpty
                                    ? (t["kind_\(current.conversation.kind.rawValue)"] ?? "") : current.conversation.title,
                                 "kind": current.conversation.kind.rawValue, "canPost": canPost,
                                 "canClose": call.signedIn.role == .serviceAgent && current.conversation.kind == .service && canPost,
                                 // The client checks uploads against the service's limits before sending them.
                                 "imageBytesMax": MessagingLimits.imageBytesMax, "voiceBytesMax": MessagingLimits.voiceBytesMax,
                                 "voiceSecondsMax": MessagingLimits.voiceSecondsMax,
                                 "imageTypes": MessagingService.contentTypes(of: .image).joined(separator: ","),
                                 "voiceTypes": MessagingService.contentTypes(of: .voice).joined(separator: ",")] as [String: Any]
        }
        return call.render("elink-chat", title: "elinkTitle", values)
    }

    func officialPage(_ call: PageCall) async throws -> Response {
        let messaging = call.platform.messaging
        var rows: [[String: Any]] = []
        for (account, following) in try await messaging.officialAccounts(call.signedIn) {
            let articles = try await messaging.articles(accountID: account.id, limit: 5)
            rows.append(["id": account.id.description, "name": account.name, "description": account.description, "following": following,
                         "autoFollow": account.autoFollow, "canUnfollow": following && !account.autoFollow, "canFollow": !following,
                         "channel": account.channelID.description,
                         "articles": articles.map { ["id": $0.id.description, "title": $0.title, "published": PageFormat.shanghai($0.publishedAt)] },
                         "noArticles": articles.isEmpty])
        }
        return call.render("elink-official", title: "officialTitle", ["accounts": rows])
    }

    func customerPage(_ call: PageCall) async throws -> Response {
        let messaging = call.platform.messaging
        let customerID = try call.context.id("id")
        let summary = try await messaging.customerSummary(call.signedIn, customerUserID: customerID, address: call.address)
        let chat = try await messaging.managerCustomers(call.signedIn).first { $0.customerUserID == customerID }?.conversationID
        return call.render("console-elink-customer", title: "summary", [
            "name": summary.name, "mobile": summary.mobileMasked, "branch": summary.branchCode, "userID": customerID.description,
            "chatHref": chat.map { "/console/elink/chat/\($0)" } ?? "",
            "accounts": summary.accounts.map {
                ["number": $0.accountNumberMasked, "class": $0.accountClass, "status": $0.status, "balance": PageFormat.money($0.balanceFen),
                 "available": PageFormat.money($0.availableFen)]
            },
            "total": PageFormat.money(summary.totalBalanceFen),
        ])
    }

    /// The waiting chats and, for an agent, the chats they serve, each with a form to transfer it
    /// to another active agent. `failed` is a refused transfer of `failedChat`, shown beside its form.
    func queuePage(_ call: PageCall, failed: FormState? = nil, failedChat: RongID? = nil) async throws -> Response {
        let messaging = call.platform.messaging
        let isAgent = call.signedIn.role == .serviceAgent
        let waiting = try await messaging.serviceQueue(call.signedIn)
        let mine = isAgent ? try await messaging.agentChats(call.signedIn) : []
        let agents = isAgent ? try await messaging.transferTargets(call.signedIn) : []
        func row(_ chat: ServiceChat) -> [String: Any] {
            ["id": chat.conversationID.description, "topic": chat.topic.isEmpty ? "—" : chat.topic, "queuedAt": PageFormat.shanghai(chat.queuedAt)]
        }
        let chosen = failed?.values["agent_id"]
        var values: [String: Any] = [
            "waiting": waiting.map(row), "noWaiting": waiting.isEmpty, "noMine": mine.isEmpty, "isAgent": isAgent,
            "mine": mine.map { chat -> [String: Any] in
                var values = row(chat)
                if chat.conversationID == failedChat, let failed { values["form"] = failed.context }
                values["agents"] = agents.map { ["agentID": $0.id.description, "name": $0.displayName,
                                                 "selected": chat.conversationID == failedChat && $0.id.description == chosen] as [String: Any] }
                return values
            },
            "hasAgents": !agents.isEmpty,
        ]
        // A refused transfer of a chat no longer the agent's (closed, or transferred meanwhile) has no form to stand by.
        if let message = failed?.message, !mine.contains(where: { $0.conversationID == failedChat }) { values["transferError"] = message }
        return call.render("console-elink-queue", title: "queueTitle", values, status: failed == nil ? .ok : .unprocessableContent, getPath: "/console/elink/queue")
    }
}
