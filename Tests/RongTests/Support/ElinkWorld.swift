import Accounts
import BankKit
import Foundation
import Identity
import Messaging
import RongServer
import Testing

/// A platform with e-Link users: customers registered through the real flow, staff created by
/// the CLI path, and helpers to make contacts and read pushed frames.
struct ElinkWorld {
    let t: TestPlatform
    var messaging: MessagingService { t.platform.messaging }

    static func make() async throws -> ElinkWorld { ElinkWorld(t: try await TestPlatform.make()) }

    /// A registered customer; `n` picks a distinct mobile and ID number.
    func customer(_ n: Int, name: String? = nil) async throws -> Principal {
        let (_, session) = try await t.register(name: name ?? ElinkWorld.names[n % ElinkWorld.names.count], idNumber: ResidentIDs.make(birth: "19900307", sequence: 100 + n),
                                                mobile: ElinkWorld.mobile(n))
        return session.principal
    }

    static let names = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞"]

    static func mobile(_ n: Int) -> String { "1390000" + String(format: "%04d", n) }

    /// A staff member of `role`.
    func staff(_ role: Role, _ n: Int, name: String? = nil) async throws -> Principal {
        let user = try await t.identity.createStaff(by: nil, role: role, mobile: "1370000" + String(format: "%04d", n),
                                                    displayName: name ?? "\(role.labelZH)\(n)", password: "Staff2026pass", address: "127.0.0.1")
        return Principal(userID: user.id, role: role, sessionID: RongID.derived("test-session", user.id), displayName: user.displayName)
    }

    /// Makes `a` and `b` contacts and returns their 1:1 conversation.
    func contacts(_ a: Principal, _ b: Principal, mobileOfB: String) async throws -> RongID {
        _ = try await messaging.requestContact(a, mobile: mobileOfB, note: "你好")
        let contact = try await messaging.answerContactRequest(b, requesterID: a.userID, accept: true)
        return try #require(contact?.conversationID)
    }

    func finish() async throws { try await t.finish() }
}

/// Reads what the hub pushed to one connection, without waiting forever.
struct FrameReader {
    let subscription: HubSubscription

    /// The next `count` events (fails the test after `timeoutSeconds`).
    func next(_ count: Int, timeoutSeconds: Double = 10) async throws -> [HubEvent] {
        let stream = subscription.events
        return try await withThrowingTaskGroup(of: [HubEvent]?.self) { group in
            group.addTask {
                var out: [HubEvent] = []
                for await event in stream {
                    out.append(event)
                    if out.count == count { break }
                }
                return out
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeoutSeconds))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let events = first else { throw TestFailure("timed out waiting for \(count) hub events") }
            return events
        }
    }
}

/// A decoded server frame (the members tests look at).
struct ServerFrame: Decodable {
    struct MessageBody: Decodable {
        let id: String
        let conversationId: String
        let seq: Int64
        let kind: String
        let text: String?
        let refersTo: String?
        let recalled: Bool
    }
    let type: String
    let ref: String?
    let code: String?
    let message: MessageBody?
    let messages: [MessageBody]?
    let readSeq: Int64?
    let duplicate: Bool?
    let hasMore: Bool?

    static func decode(_ text: String) throws -> ServerFrame {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ServerFrame.self, from: Data(text.utf8))
    }
}
