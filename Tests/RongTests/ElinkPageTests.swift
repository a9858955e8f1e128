import BankKit
import Foundation
import HummingbirdTesting
import Identity
import Messaging
import RongServer
import Testing

/// The e-Link pages render for their audiences: the customer's chat and official accounts, the
/// manager's customers and chat, the agents' queue with claiming.
@Suite struct ElinkPageTests: PageSuite {
    func signIn(_ client: some TestClientProtocol, mobile: String, password: String, path: String) async throws -> String {
        sessionCookie(try await post(client, path, [("mobile", mobile), ("password", password)]))
    }

    @Test("Customer chat and official accounts; manager's customers and chat; agents claim from the queue")
    func pages() async throws {
        try await withApp { client, t in
            let w = ElinkWorld(t: t)
            let manager = try await w.staff(.accountManager, 1, name: "孙立")
            let agent = try await w.staff(.serviceAgent, 2, name: "陈晨")
            try await w.messaging.addManagerToBranch(t.operatorPrincipal, managerID: manager.userID, branchCode: "0001", address: "test")
            let customer = try await w.customer(1)
            let assigned = try #require(try await w.messaging.myManager(customer))

            let cookie = try await signIn(client, mobile: ElinkWorld.mobile(1), password: "Rong2026pass", path: "/bank/sign-in")
            let list = try await get(client, "/bank/elink", cookie: cookie)
            #expect(list.status == .ok)
            let html = String(buffer: list.body)
            #expect(html.contains("data-kind=\"manager\"") && html.contains("data-kind=\"notice\"") && html.contains("id=\"choose-conversation\""))
            let chat = String(buffer: try await get(client, "/bank/elink?c=\(assigned.conversationID)", cookie: cookie).body)
            #expect(chat.contains("data-conversation=\"\(assigned.conversationID)\"") && chat.contains("id=\"send-form\"") && chat.contains("new WebSocket"))
            // Another conversation id is not the customer's: an error page, not the chat.
            let other = try await get(client, "/bank/elink?c=\(RongID.derived("x"))", cookie: cookie)
            #expect(other.status == .notFound)
            let official = String(buffer: try await get(client, "/bank/elink/official", cookie: cookie).body)
            #expect(official.contains(MessagingService.bankServiceAccountName))
            // Open a service chat from the page.
            let opened = try await post(client, "/bank/elink/service", [("topic", "挂失")], cookie: cookie)
            #expect(opened.status == .seeOther)

            let managerCookie = try await signIn(client, mobile: "13700000001", password: "Staff2026pass", path: "/console/sign-in")
            let customers = String(buffer: try await get(client, "/console/elink/customers", cookie: managerCookie).body)
            #expect(customers.contains("王芳") || customers.contains(ElinkWorld.names[1]))
            #expect(customers.contains("/console/elink/chat/\(assigned.conversationID)"))
            let managerChat = try await get(client, "/console/elink/chat/\(assigned.conversationID)", cookie: managerCookie)
            #expect(managerChat.status == .ok)
            let summary = try await get(client, "/console/elink/customers/\(customer.userID)", cookie: managerCookie)
            #expect(summary.status == .ok && String(buffer: summary.body).contains("id=\"card-form\""))

            let agentCookie = try await signIn(client, mobile: "13700000002", password: "Staff2026pass", path: "/console/sign-in")
            let queue = String(buffer: try await get(client, "/console/elink/queue", cookie: agentCookie).body)
            #expect(queue.contains("id=\"claim-next\""))
            let claimed = try await post(client, "/console/elink/queue/claim", [], cookie: agentCookie)
            #expect(claimed.status == .seeOther && (claimed.headers[.location] ?? "").hasPrefix("/console/elink/chat/"))
            #expect(try await w.messaging.agentChats(agent).count == 1)
            // The manager is not an agent: the queue page refuses.
            #expect(try await get(client, "/console/elink/queue", cookie: managerCookie).status == .forbidden)
        }
    }
}
