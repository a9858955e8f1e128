import BankKit
import Foundation
import Identity
import Logging
import Messaging
import RongServer
import Storage
import Testing

/// Two nodes on one PostgreSQL database (issue 7 §6): each `RongPlatform` has its own hub and
/// its own LISTEN connection; a message sent through one node reaches a user connected to the other.
@Suite struct MessagingTwoNodeTests {
    @Test("Messages cross nodes through LISTEN/NOTIFY, large ones by reference", .enabled(if: TestDatabase.isPostgres))
    func twoNodes() async throws {
        let w = try await ElinkWorld.make()
        let hub1 = try #require(w.messaging.hub as? PostgresMessageHub)

        // Node 2: another handle on the same database, another hub, other ids.
        var components = try #require(URLComponents(string: ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""))
        components.path = "/" + (w.t.platform.database.location.split(separator: "/").last.map(String.init) ?? "")
        var logger = Logger(label: "node2")
        logger.logLevel = .warning
        let database2 = try await Database.open(try #require(components.string), logger: logger)
        let node2 = try await RongPlatform.start(
            database: database2, clock: w.t.clock.clock, ids: .deterministic(clock: w.t.clock.clock, seed: 4_242), random: .deterministic(seed: 12),
            security: RongPlatform.Security(signingSecret: TestPlatform.signingSecret, bcryptCost: 4, smsSink: LogSMSSink(logger: logger)), logger: logger)
        let hub2 = try #require(node2.messaging.hub as? PostgresMessageHub)
        #expect(hub1.nodeID != hub2.nodeID)
        let listener1 = Task { await hub1.run() }
        let listener2 = Task { await hub2.run() }
        await hub1.waitUntilListening()
        await hub2.waitUntilListening()

        let a = try await w.customer(1), b = try await w.customer(2)
        let chat = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))
        let (onNode1, _) = try await ElinkConnection.open(service: w.messaging, principal: a)
        let (onNode2, _) = try await ElinkConnection.open(service: node2.messaging, principal: b)
        _ = await onNode1.receive(#"{"type":"sync","conversation_id":"\#(chat)","after_seq":0}"#)
        _ = await onNode2.receive(#"{"type":"sync","conversation_id":"\#(chat)","after_seq":0}"#)
        let reader1 = FrameReader(subscription: onNode1.subscription)
        let reader2 = FrameReader(subscription: onNode2.subscription)

        // b sends through node 2; a, connected to node 1, receives it.
        let ack = try ServerFrame.decode(try #require(await onNode2.receive(#"{"type":"send","conversation_id":"\#(chat)","text":"来自二号节点"}"#).first))
        #expect(ack.type == "ack" && ack.message?.seq == 1)
        var frames: [ServerFrame] = []
        for event in try await reader1.next(1) { frames += try await onNode1.deliver(event).map(ServerFrame.decode) }
        #expect(frames.map(\.message?.text) == ["来自二号节点"])

        // a answers through node 1 with a message too large for a NOTIFY payload: it crosses as a
        // reference and node 2 reads it from the database. (b's connection never saw its own
        // message pushed: the hub skips the connection a message came from, whose ack carried it.)
        let large = String(repeating: "\"", count: 3_900)
        _ = try await w.messaging.send(a, conversationID: chat, clientID: "big", content: .text(large))
        var received: [ServerFrame] = []
        for event in try await reader2.next(1) { received += try await onNode2.deliver(event).map(ServerFrame.decode) }
        #expect(received.map(\.message?.seq) == [2] && received.first?.message?.text == large)
        // A read receipt crosses too (after a's own message, pushed to a locally).
        try await node2.messaging.markRead(b, conversationID: chat, seq: 2)
        let events = try await reader1.next(2)
        #expect(events.map(\.kind) == [.message, .receipt])
        // (a sent it outside this connection, as from another device: this connection shows it.)
        #expect(try await onNode1.deliver(events[0]).map { try ServerFrame.decode($0).message?.seq } == [2])

        await onNode1.close()
        await onNode2.close()
        listener1.cancel()
        listener2.cancel()
        await node2.shutdown()
        try await w.finish()
    }
}
