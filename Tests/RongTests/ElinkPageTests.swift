import BankKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import Identity
import Messaging
import NIOCore
import RongServer
import Testing

/// The e-Link pages render for their audiences: the customer's chat and official accounts, the
/// manager's customers and chat, the agents' queue with claiming and transfers, the operators'
/// official-account publishing; and the HTTP calls the chat page's script makes with the page's
/// cookie (uploads, then reading them back) work for the members and no one else.
@Suite struct ElinkPageTests: PageSuite {
    struct Problem: Decodable { let code: String; let status: Int; let limitBytes: Int64? }
    struct Blob: Decodable { let id: String; let kind: String; let contentType: String; let sizeBytes: Int64 }
    struct Sent: Decodable {
        struct Body: Decodable { let kind: String; let blobId: String?; let voiceSeconds: Int?; let seq: Int64 }
        let message: Body
        let duplicate: Bool
    }
    struct Chat: Decodable { let agentId: String?; let transfers: Int64; let status: String }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(buffer: response.body))
    }

    /// A request as the page's script makes it: the session cookie, no bearer token.
    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, cookie: String?, contentType: String? = nil,
              body: ByteBuffer? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = cookie }
        if let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body)
    }


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

    @Test("The chat page offers images and voice notes; its uploads and sends with the page cookie reach the manager, limits come back as problem codes")
    func chatMedia() async throws {
        try await withApp { client, t in
            let w = ElinkWorld(t: t)
            let manager = try await w.staff(.accountManager, 1, name: "孙立")
            try await w.messaging.addManagerToBranch(t.operatorPrincipal, managerID: manager.userID, branchCode: "0001", address: "test")
            let customer = try await w.customer(1)
            _ = try await w.customer(2)
            let assigned = try #require(try await w.messaging.myManager(customer))
            let notice = try #require(try await w.messaging.conversations(customer).first { $0.conversation.kind == .notice }).conversation.id

            let cookie = try await signIn(client, mobile: ElinkWorld.mobile(1), password: "Rong2026pass", path: "/bank/sign-in")
            let page = String(buffer: try await get(client, "/bank/elink?c=\(assigned.conversationID)", cookie: cookie).body)
            #expect(page.contains("id=\"image-file\"") && page.contains("id=\"voice-file\"") && page.contains("id=\"voice-record\""))
            #expect(page.contains("data-image-bytes-max=\"\(MessagingLimits.imageBytesMax)\"") && page.contains("data-voice-seconds-max=\"60\""))
            #expect(page.contains("data-too-large=\"文件过大") && page.contains("/v1/elink/blobs"))
            let english = String(buffer: try await get(client, "/bank/elink?c=\(assigned.conversationID)&lang=en", cookie: cookie).body)
            #expect(english.contains("Send an image") && english.contains("Record a voice note"))
            // The bank's notices take no posts, so no upload controls.
            let noticePage = String(buffer: try await get(client, "/bank/elink?c=\(notice)", cookie: cookie).body)
            #expect(!noticePage.contains("id=\"image-file\""))

            // The script uploads with the page's cookie, then sends (over the WebSocket; the same service call as this HTTP send).
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
            let upload = try await call(client, .post, "/v1/elink/blobs", cookie: cookie, contentType: "image/png", body: ByteBuffer(bytes: png))
            #expect(upload.status == .ok)
            let image = try Self.decode(Blob.self, upload)
            #expect(image.kind == "image" && image.contentType == "image/png" && image.sizeBytes == Int64(png.count))
            let messages = "/v1/elink/conversations/\(assigned.conversationID)/messages"
            let sent = try await call(client, .post, messages, cookie: cookie, contentType: "application/json",
                                      body: ByteBuffer(string: #"{"client_id":"web-img-1","kind":"image","blob_id":"\#(image.id)"}"#))
            #expect(sent.status == .ok)
            #expect(try Self.decode(Sent.self, sent).message.blobId == image.id)

            // The manager's page reads it with his own cookie; another customer and a caller without a session cannot.
            let managerCookie = try await signIn(client, mobile: "13700000001", password: "Staff2026pass", path: "/console/sign-in")
            let download = try await call(client, .get, "/v1/elink/blobs/\(image.id)", cookie: managerCookie)
            #expect(download.status == .ok && Array(download.body.readableBytesView) == png)
            #expect(download.headers[.contentType] == "image/png" && download.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            let otherCookie = try await signIn(client, mobile: ElinkWorld.mobile(2), password: "Rong2026pass", path: "/bank/sign-in")
            #expect(try await call(client, .get, "/v1/elink/blobs/\(image.id)", cookie: otherCookie).status == .notFound)
            #expect(try await call(client, .get, "/v1/elink/blobs/\(image.id)", cookie: nil).status == .unauthorized)

            // A voice note: the recorder's type carries a codec parameter; the seconds travel with the send.
            let ogg = Array("OggS".utf8) + [0, 2, 0, 0]
            let voiceUpload = try await call(client, .post, "/v1/elink/blobs", cookie: cookie, contentType: "audio/webm;codecs=opus",
                                             body: ByteBuffer(bytes: [0x1A, 0x45, 0xDF, 0xA3, 1, 2]))
            #expect(voiceUpload.status == .ok)
            let voice = try Self.decode(Blob.self, voiceUpload)
            #expect(voice.kind == "voice" && voice.contentType == "audio/webm")
            let voiceSent = try await call(client, .post, messages, cookie: cookie, contentType: "application/json",
                                           body: ByteBuffer(string: #"{"client_id":"web-voice-1","kind":"voice","blob_id":"\#(voice.id)","seconds":7}"#))
            let voiceMessage = try Self.decode(Sent.self, voiceSent).message
            #expect(voiceMessage.kind == "voice" && voiceMessage.voiceSeconds == 7)
            #expect(try await call(client, .get, "/v1/elink/blobs/\(voice.id)", cookie: managerCookie).status == .ok)
            let tooLong = try await call(client, .post, messages, cookie: cookie, contentType: "application/json",
                                         body: ByteBuffer(string: #"{"kind":"voice","blob_id":"\#(voice.id)","seconds":61}"#))
            #expect(tooLong.status == .unprocessableContent)

            // The refusals the page turns into messages: problem+json with a stable code.
            func refused(_ contentType: String, _ bytes: [UInt8]) async throws -> (TestResponse, Problem) {
                let response = try await call(client, .post, "/v1/elink/blobs", cookie: cookie, contentType: contentType, body: ByteBuffer(bytes: bytes))
                #expect(response.headers[.contentType] == "application/problem+json")
                return (response, try Self.decode(Problem.self, response))
            }
            let (wrongType, wrongTypeProblem) = try await refused("text/plain", Array("hello".utf8))
            #expect(wrongType.status == .unsupportedMediaType && wrongTypeProblem.code == "blob_type_not_allowed")
            let (mismatch, mismatchProblem) = try await refused("image/jpeg", png)
            #expect(mismatch.status == .unprocessableContent && mismatchProblem.code == "blob_content_mismatch")
            let (large, largeProblem) = try await refused("audio/ogg", ogg + [UInt8](repeating: 0, count: MessagingLimits.voiceBytesMax))
            #expect(large.status == .contentTooLarge && largeProblem.code == "blob_too_large" && largeProblem.limitBytes == Int64(MessagingLimits.voiceBytesMax))
            let (huge, hugeProblem) = try await refused("image/png", png + [UInt8](repeating: 0, count: MessagingLimits.imageBytesMax))
            #expect(huge.status == .contentTooLarge && hugeProblem.code == "blob_too_large")
        }
    }

    @Test("An agent transfers a chat to another agent from the queue page; refusals show beside the form; the transfer API answers the same cookie")
    func queueTransfer() async throws {
        try await withApp { client, t in
            let w = ElinkWorld(t: t)
            let first = try await w.staff(.serviceAgent, 2, name: "陈晨")
            let second = try await w.staff(.serviceAgent, 3, name: "李静")
            let manager = try await w.staff(.accountManager, 1, name: "孙立")
            let customer = try await w.customer(1)
            let chat = try await w.messaging.openServiceChat(customer, topic: "挂失").conversationID

            let firstCookie = try await signIn(client, mobile: "13700000002", password: "Staff2026pass", path: "/console/sign-in")
            #expect(try await post(client, "/console/elink/queue/claim", [], cookie: firstCookie).status == .seeOther)
            let queue = String(buffer: try await get(client, "/console/elink/queue", cookie: firstCookie).body)
            #expect(queue.contains("id=\"transfer-form-\(chat)\"") && queue.contains("<option value=\"\(second.userID)\">李静</option>"))
            // Not oneself, not other staff.
            #expect(!queue.contains("<option value=\"\(first.userID)\"") && !queue.contains("<option value=\"\(manager.userID)\""))

            let unchosen = try await post(client, "/console/elink/queue/\(chat)/transfer", [("agent_id", "")], cookie: firstCookie)
            #expect(unchosen.status == .unprocessableContent)
            let unchosenHTML = String(buffer: unchosen.body)
            #expect(unchosenHTML.contains("id=\"transfer-error-\(chat)\"") && unchosenHTML.contains("请选择另一位在岗的客服"))
            let toManager = try await post(client, "/console/elink/queue/\(chat)/transfer", [("agent_id", manager.userID.description), ("lang", "en")], cookie: firstCookie)
            #expect(toManager.status == .unprocessableContent && String(buffer: toManager.body).contains("Transfer to another active service agent."))

            let moved = try await post(client, "/console/elink/queue/\(chat)/transfer", [("agent_id", second.userID.description)], cookie: firstCookie)
            #expect(moved.status == .seeOther && moved.headers[.location] == "/console/elink/queue?notice=chatTransferred")
            #expect(try await w.messaging.agentChats(second).map(\.conversationID) == [chat])
            #expect(try await w.messaging.agentChats(first).isEmpty)
            let after = String(buffer: try await get(client, "/console/elink/queue?notice=chatTransferred", cookie: firstCookie).body)
            #expect(after.contains("会话已转接") && after.contains("id=\"no-my-chats\""))

            // The second agent hands it back through the API route, signed in by the page cookie.
            let secondCookie = try await signIn(client, mobile: "13700000003", password: "Staff2026pass", path: "/console/sign-in")
            let back = try await call(client, .post, "/v1/staff/elink/service-chats/\(chat)/transfer", cookie: secondCookie, contentType: "application/json",
                                      body: ByteBuffer(string: #"{"agent_id":"\#(first.userID)"}"#))
            #expect(back.status == .ok)
            let backChat = try Self.decode(Chat.self, back)
            #expect(backChat.agentId == first.userID.description && backChat.transfers == 2 && backChat.status == "active")
            // A stale form: the chat is no longer the second agent's.
            let stale = try await post(client, "/console/elink/queue/\(chat)/transfer", [("agent_id", first.userID.description)], cookie: secondCookie)
            #expect(stale.status == .unprocessableContent && String(buffer: stale.body).contains("该会话已不由您服务"))
            // The manager may not transfer.
            let managerCookie = try await signIn(client, mobile: "13700000001", password: "Staff2026pass", path: "/console/sign-in")
            #expect(try await post(client, "/console/elink/queue/\(chat)/transfer", [("agent_id", second.userID.description)], cookie: managerCookie).status == .forbidden)
        }
    }

    @Test("Operators open an official account, publish an article and broadcast from the console; followers get both; input is escaped")
    func officialPublishing() async throws {
        try await withApp { client, t in
            let w = ElinkWorld(t: t)
            _ = try await w.staff(.operator, 4, name: "周晓")
            _ = try await w.staff(.serviceAgent, 2)
            let customer = try await w.customer(1)
            let cookie = try await signIn(client, mobile: "13700000004", password: "Staff2026pass", path: "/console/sign-in")
            let agentCookie = try await signIn(client, mobile: "13700000002", password: "Staff2026pass", path: "/console/sign-in")

            let console = String(buffer: try await get(client, "/console", cookie: cookie).body)
            #expect(console.contains("id=\"nav-elink-official\" href=\"/console/elink/official\""))
            #expect(!String(buffer: try await get(client, "/console", cookie: agentCookie).body).contains("nav-elink-official"))
            #expect(try await get(client, "/console/elink/official", cookie: agentCookie).status == .forbidden)
            let list = String(buffer: try await get(client, "/console/elink/official", cookie: cookie).body)
            #expect(list.contains(MessagingService.bankServiceAccountName) && list.contains("id=\"official-form\""))
            #expect(String(buffer: try await get(client, "/console/elink/official?lang=en", cookie: cookie).body).contains("Open an official account"))

            let name = "杭州分行<活动>"
            let created = try await post(client, "/console/elink/official", [("name", name), ("kind", "subscription"), ("branch_code", "0001"),
                                                                             ("description", "A&B \"理财\"")], cookie: cookie)
            #expect(created.status == .seeOther)
            let account = try #require(try await w.messaging.officialAccounts(customer).first { $0.account.name == name }).account
            #expect(account.branchCode == "0001" && account.kind == .subscription && !account.autoFollow)
            #expect(created.headers[.location] == "/console/elink/official/\(account.id)?notice=officialCreated")
            let listed = String(buffer: try await get(client, "/console/elink/official", cookie: cookie).body)
            #expect(listed.contains("杭州分行&lt;活动&gt;") && !listed.contains(name) && listed.contains("/console/elink/official/\(account.id)"))
            let again = try await post(client, "/console/elink/official", [("name", name), ("kind", "subscription")], cookie: cookie)
            #expect(again.status == .unprocessableContent && String(buffer: again.body).contains("已有同名公众号"))
            let badBranch = try await post(client, "/console/elink/official", [("name", "宁波分行"), ("kind", "service"), ("branch_code", "12a")], cookie: cookie)
            let badBranchHTML = String(buffer: badBranch.body)
            #expect(badBranch.status == .unprocessableContent && badBranchHTML.contains("网点代码为 4 位数字") && badBranchHTML.contains("value=\"12a\" class=\"invalid\""))

            try await w.messaging.follow(customer, accountID: account.id)
            let accountPath = "/console/elink/official/\(account.id)"
            let accountHTML = String(buffer: try await get(client, accountPath + "?notice=officialCreated", cookie: cookie).body)
            #expect(accountHTML.contains("公众号已开设") && accountHTML.contains("id=\"article-form\"") && accountHTML.contains("A&amp;B &quot;理财&quot;"))

            // An article: the textarea's CR LF become plain line breaks; followers get the card.
            let title = "<script>alert(1)</script>秋季理财"
            let published = try await post(client, accountPath + "/articles", [("title", title), ("summary", "三分钟看懂"), ("body", "第一段\r\n第二段")], cookie: cookie)
            #expect(published.status == .seeOther && published.headers[.location] == accountPath + "?notice=articlePublished")
            let article = try #require(try await w.messaging.articles(accountID: account.id).first)
            #expect(article.title == title && article.body == "第一段\n第二段")
            let shown = String(buffer: try await get(client, accountPath, cookie: cookie).body)
            #expect(shown.contains("&lt;script&gt;alert(1)&lt;/script&gt;秋季理财") && !shown.contains("<script>alert(1)"))
            let empty = try await post(client, accountPath + "/articles", [("title", "空文章"), ("body", "  ")], cookie: cookie)
            #expect(empty.status == .unprocessableContent && String(buffer: empty.body).contains("正文不能为空"))
            // A long article passes the form parser and reaches the service's own limit.
            let long = try await post(client, accountPath + "/articles", [("title", "长文"), ("body", String(repeating: "长", count: 6_000))], cookie: cookie)
            #expect(long.status == .seeOther)
            let tooLong = try await post(client, accountPath + "/articles", [("title", "太长"), ("body", String(repeating: "长", count: 7_000))], cookie: cookie)
            #expect(tooLong.status == .unprocessableContent && String(buffer: tooLong.body).contains("id=\"article-error\""))

            // A broadcast: the hidden client id makes a resent form one message.
            let clientID = try hidden(shown, "client_id")
            let fields = [("text", "今晚 8 点理财直播"), ("client_id", clientID)]
            #expect(try await post(client, accountPath + "/broadcasts", fields, cookie: cookie).status == .seeOther)
            #expect(try await post(client, accountPath + "/broadcasts", fields, cookie: cookie).status == .seeOther)
            let channel = try await w.messaging.sync(customer, conversationID: account.channelID, afterSeq: 0).messages
            #expect(channel.filter { $0.text == "今晚 8 点理财直播" }.count == 1)
            #expect(channel.filter { $0.kind == .card }.count == 2)
            let blank = try await post(client, accountPath + "/broadcasts", [("text", " "), ("client_id", "web-keep-me")], cookie: cookie)
            let blankHTML = String(buffer: blank.body)
            #expect(blank.status == .unprocessableContent && blankHTML.contains("id=\"broadcast-error\"") && blankHTML.contains("value=\"web-keep-me\""))
            // Someone else's role: the pages refuse.
            #expect(try await post(client, accountPath + "/broadcasts", fields, cookie: agentCookie).status == .forbidden)
            #expect(try await get(client, "/console/elink/official/\(RongID.derived("none"))", cookie: cookie).status == .notFound)
        }
    }
}
