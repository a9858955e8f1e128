import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import Identity
import Messaging
import NIOCore
import RongServer
import Testing

/// e-Link over HTTP (problem+json codes, uploads, the archive) and over a live WebSocket.
@Suite struct MessagingHTTPTests {
    struct Sent: Decodable { let message: ServerFrame.MessageBody; let duplicate: Bool }
    struct Page: Decodable { let messages: [ServerFrame.MessageBody]; let lastSeq: Int64; let hasMore: Bool }
    struct Problem: Decodable { let code: String; let status: Int }
    struct Blob: Decodable { let id: String; let kind: String; let sizeBytes: Int64 }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(buffer: response.body))
    }

    static func json(_ token: String) -> HTTPFields { [.contentType: "application/json", .authorization: "Bearer \(token)"] }

    @Test("Send, resend, sync and refusals over HTTP with stable problem codes; uploads and the archive")
    func http() async throws {
        let t = try await TestPlatform.make()
        let w = ElinkWorld(t: t)
        let (_, sessionA) = try await t.register(name: "王芳", idNumber: ResidentIDs.make(birth: "19900307", sequence: 101), mobile: ElinkWorld.mobile(1))
        let (_, sessionB) = try await t.register(name: "李娜", idNumber: ResidentIDs.make(birth: "19900307", sequence: 102), mobile: ElinkWorld.mobile(2))
        let (_, sessionC) = try await t.register(name: "张伟", idNumber: ResidentIDs.make(birth: "19900307", sequence: 103), mobile: ElinkWorld.mobile(3))
        _ = try await w.staff(.admin, 9)
        let admin = try await t.identity.signIn(role: .admin, mobile: "13700000009", password: "Staff2026pass", address: "127.0.0.1")
        let (a, b, c) = (sessionA.accessToken, sessionB.accessToken, sessionC.accessToken)
        let chat = try await w.contacts(sessionA.principal, sessionB.principal, mobileOfB: ElinkWorld.mobile(2))

        try await t.withApp { client in
            let uri = "/v1/elink/conversations/\(chat)/messages"
            let first = try await client.execute(uri: uri, method: .post, headers: Self.json(a), body: ByteBuffer(string: #"{"client_id":"h1","text":"你好"}"#))
            #expect(first.status == .ok)
            #expect(try Self.decode(Sent.self, first).message.seq == 1)
            let again = try await client.execute(uri: uri, method: .post, headers: Self.json(a), body: ByteBuffer(string: #"{"client_id":"h1","text":"你好"}"#))
            #expect(try Self.decode(Sent.self, again).duplicate)
            let page = try await client.execute(uri: uri + "?after_seq=0", method: .get, headers: Self.json(b))
            #expect(try Self.decode(Page.self, page).messages.map(\.text) == ["你好"])

            // Not a member: 404 with the same code the WebSocket would give.
            let outsider = try await client.execute(uri: uri, method: .get, headers: Self.json(c))
            #expect(outsider.status == .notFound && outsider.headers[.contentType] == "application/problem+json")
            #expect(try Self.decode(Problem.self, outsider).code == "conversation_not_found")
            let long = try await client.execute(uri: uri, method: .post, headers: Self.json(a),
                                                body: ByteBuffer(string: #"{"text":"\#(String(repeating: "长", count: 1_400))"}"#))
            #expect(long.status == .unprocessableContent)
            #expect(try Self.decode(Problem.self, long).code == "message_too_long")
            let malformed = try await client.execute(uri: uri, method: .post, headers: Self.json(a), body: ByteBuffer(string: "{oops"))
            #expect(malformed.status == .badRequest)
            #expect(try Self.decode(Problem.self, malformed).code == "invalid_json")
            let badSeq = try await client.execute(uri: uri + "?after_seq=-4", method: .get, headers: Self.json(a))
            #expect(badSeq.status == .unprocessableContent)

            // Uploads: type, size, and who may read.
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
            let upload = try await client.execute(uri: "/v1/elink/blobs", method: .post,
                                                  headers: [.contentType: "image/png", .authorization: "Bearer \(a)"], body: ByteBuffer(bytes: png))
            #expect(upload.status == .ok)
            let blob = try Self.decode(Blob.self, upload)
            #expect(blob.kind == "image" && blob.sizeBytes == 11)
            let wrongType = try await client.execute(uri: "/v1/elink/blobs", method: .post,
                                                     headers: [.contentType: "text/html", .authorization: "Bearer \(a)"], body: ByteBuffer(string: "<script>"))
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(try Self.decode(Problem.self, wrongType).code == "blob_type_not_allowed")
            let huge = try await client.execute(uri: "/v1/elink/blobs", method: .post, headers: [.contentType: "image/png", .authorization: "Bearer \(a)"],
                                                body: ByteBuffer(bytes: png + [UInt8](repeating: 0, count: MessagingLimits.imageBytesMax)))
            #expect(huge.status == .contentTooLarge)
            #expect(try Self.decode(Problem.self, huge).code == "blob_too_large")
            let image = try await client.execute(uri: uri, method: .post, headers: Self.json(a),
                                                 body: ByteBuffer(string: #"{"kind":"image","blob_id":"\#(blob.id)"}"#))
            #expect(image.status == .ok)
            let download = try await client.execute(uri: "/v1/elink/blobs/\(blob.id)", method: .get, headers: [.authorization: "Bearer \(b)"])
            #expect(download.status == .ok && Array(download.body.readableBytesView) == png && download.headers[.contentType] == "image/png")
            let denied = try await client.execute(uri: "/v1/elink/blobs/\(blob.id)", method: .get, headers: [.authorization: "Bearer \(c)"])
            #expect(denied.status == .notFound)

            // Archive: admins only.
            let archive = try await client.execute(uri: "/v1/staff/elink/conversations/\(chat)/archive", method: .get, headers: Self.json(admin.accessToken))
            #expect(archive.status == .ok)
            let forbidden = try await client.execute(uri: "/v1/staff/elink/conversations/\(chat)/archive", method: .get, headers: Self.json(a))
            #expect(forbidden.status == .forbidden)
        }
    }

    @Test("A live WebSocket: hello, sync, a message pushed from an HTTP send, error frames that leave the connection open")
    func liveWebSocket() async throws {
        let t = try await TestPlatform.make()
        let w = ElinkWorld(t: t)
        let (_, sessionA) = try await t.register(name: "王芳", idNumber: ResidentIDs.make(birth: "19900307", sequence: 101), mobile: ElinkWorld.mobile(1))
        let (_, sessionB) = try await t.register(name: "李娜", idNumber: ResidentIDs.make(birth: "19900307", sequence: 102), mobile: ElinkWorld.mobile(2))
        let chat = try await w.contacts(sessionA.principal, sessionB.principal, mobileOfB: ElinkWorld.mobile(2))
        _ = try await w.messaging.send(sessionA.principal, conversationID: chat, clientID: nil, content: .text("早上好"))
        var config = RongConfig()
        config.logLevel = .warning
        let app = try await buildApplication(platform: t.platform, config: config, ledgerAPIKey: TestPlatform.ledgerAPIKey, backgroundServices: false)
        let tokenA = sessionA.accessToken, tokenB = sessionB.accessToken
        let received = try await app.test(.live) { client -> [ServerFrame] in
            // No token: the upgrade is refused.
            let anonymous = try await client.execute(uri: "/v1/elink/ws", method: .get)
            #expect(anonymous.status == .unauthorized)
            let frames = FrameBox()
            try await client.ws("/v1/elink/ws?token=\(tokenB)", configuration: .init(maxFrameSize: 1 << 17)) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                func next() async throws -> ServerFrame {
                    guard case .text(let text) = try await messages.next() else { throw TestFailure("socket closed") }
                    let frame = try ServerFrame.decode(text)
                    await frames.append(frame)
                    return frame
                }
                #expect(try await next().type == "hello")
                try await outbound.write(.text(#"{"type":"sync","ref":"s","conversation_id":"\#(chat)","after_seq":0}"#))
                #expect(try await next().messages?.map(\.seq) == [1])
                // a sends over HTTP; b's socket gets the push.
                let sent = try await client.execute(uri: "/v1/elink/conversations/\(chat)/messages", method: .post, headers: Self.json(tokenA),
                                                    body: ByteBuffer(string: #"{"text":"收到请回复"}"#))
                #expect(sent.status == .ok)
                let push = try await next()
                #expect(push.type == "message" && push.message?.seq == 2 && push.message?.text == "收到请回复")
                // Bad frames: error frames, and the socket still answers.
                try await outbound.write(.text("{not json"))
                #expect(try await next().code == "invalid_frame")
                try await outbound.write(.text(String(repeating: "x", count: ElinkConnection.frameBytesMax + 10)))
                #expect(try await next().code == "frame_too_large")
                try await outbound.write(.text(#"{"type":"send","ref":"m","conversation_id":"\#(chat)","client_id":"w1","text":"好的"}"#))
                let ack = try await next()
                #expect(ack.type == "ack" && ack.ref == "m" && ack.message?.seq == 3)
                try await outbound.write(.text(#"{"type":"ping","ref":"p"}"#))
                #expect(try await next().type == "pong")
                try await outbound.close(.normalClosure, reason: nil)
            }
            return await frames.frames
        }
        #expect(received.count == 7)
        // The socket's send is stored like any other.
        #expect(try await w.messaging.sync(sessionA.principal, conversationID: chat, afterSeq: 2).messages.map(\.text) == ["好的"])
        try await t.finish()
    }
}

actor FrameBox {
    var frames: [ServerFrame] = []
    func append(_ frame: ServerFrame) { frames.append(frame) }
}
