import Accounts
import BankKit
import Foundation
import Identity
import Messaging
import RongServer
import Storage
import Synchronization
import Testing

/// e-Link (issue 7): sequenced messages and gap-free resync, contacts, groups, the service
/// queue, official accounts, account managers, blobs, bank notifications with the SMS fallback,
/// recall, receipts, the archive, and the frame protocol's refusals.
@Suite struct MessagingTests {
    // MARK: Sequencing

    @Test("Every message gets the next sequence number, resends return the original, concurrent sends leave no gaps")
    func sequencing() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2)
        let chat = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))

        let first = try await w.messaging.send(a, conversationID: chat, clientID: "c-1", content: .text("你好"))
        #expect(first.message.seq == 1 && !first.duplicate)
        let again = try await w.messaging.send(a, conversationID: chat, clientID: "c-1", content: .text("你好"))
        #expect(again.duplicate && again.message.id == first.message.id && again.message.seq == 1)

        // 2 × 25 concurrent sends, some with repeated client ids: 1 + 2 × 20 distinct messages.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in [a, b] {
                for i in 0..<25 {
                    group.addTask {
                        _ = try await w.messaging.send(sender, conversationID: chat, clientID: "\(sender.userID)-\(i % 20)", content: .text("m\(i)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let page = try await w.messaging.sync(b, conversationID: chat, afterSeq: 0)
        #expect(page.messages.map(\.seq) == Array(1...41))
        #expect(page.lastSeq == 41 && !page.hasMore)
        #expect(Set(page.messages.map(\.id)).count == 41)

        // A client that saw up to 30 gets exactly the rest.
        let rest = try await w.messaging.sync(a, conversationID: chat, afterSeq: 30)
        #expect(rest.messages.map(\.seq) == Array(31...41))
        // Paging is bounded and says there is more.
        let small = try await w.messaging.sync(a, conversationID: chat, afterSeq: 0, limit: 10)
        #expect(small.messages.count == 10 && small.hasMore)
        // A client id is bound to its conversation.
        let other = try await w.customer(3)
        let chat2 = try await w.contacts(a, other, mobileOfB: ElinkWorld.mobile(3))
        await refused(.clientIDReused, status: 409) { try await w.messaging.send(a, conversationID: chat2, clientID: "c-1", content: .text("x")) }
        try await w.finish()
    }

    @Test("Sends stored in one shared transaction fail alone: refused ones leave their neighbours stored, gap-free, pushed to both sides")
    func batchedSendsFailAlone() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2), c = try await w.customer(3)
        let ab = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))
        let bc = try await w.contacts(b, c, mobileOfB: ElinkWorld.mobile(3))
        let reader = FrameReader(subscription: w.messaging.hub.attach(userID: b.userID))
        // 60 good sends into a–b interleaved with 30 of a's into b–c (not a member) and 30 repeats
        // of one client id: they queue together and share transactions.
        let codes = try await withThrowingTaskGroup(of: String.self, returning: [String].self) { group in
            for i in 0..<60 {
                group.addTask {
                    _ = try await w.messaging.send(i % 2 == 0 ? a : b, conversationID: ab, clientID: nil, content: .text("ok\(i)"))
                    return "stored"
                }
                if i % 2 == 0 {
                    group.addTask {
                        do { _ = try await w.messaging.send(a, conversationID: bc, clientID: nil, content: .text("no\(i)")) } catch let error as DomainError {
                            return error.code.rawValue
                        }
                        return "stored"
                    }
                    group.addTask {
                        let result = try await w.messaging.send(b, conversationID: ab, clientID: "same", content: .text("once"))
                        return result.duplicate ? "duplicate" : "stored"
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(codes.filter { $0 == "stored" }.count == 61)
        #expect(codes.filter { $0 == "duplicate" }.count == 29)
        #expect(codes.filter { $0 == ErrorCode.conversationNotFound.rawValue }.count == 30)
        let page = try await w.messaging.sync(a, conversationID: ab, afterSeq: 0)
        #expect(page.messages.map(\.seq) == Array(1...61))
        #expect(page.messages.filter { $0.text == "once" }.count == 1)
        #expect(try await w.messaging.sync(b, conversationID: bc, afterSeq: 0).messages.isEmpty)
        // b hears every stored message of a–b once (their own too: other devices), in order.
        let pushed = try await reader.next(61).filter { $0.conversationID == ab }.compactMap(\.seq)
        #expect(pushed.sorted() == Array(1...61))
        try await w.finish()
    }

    @Test("The hand-written message frame is byte for byte what JSONEncoder writes, for every kind and awkward text")
    func messageFrameMatchesJSONEncoder() throws {
        struct Reference: Encodable { let message: Message; let type: String }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let ids = (1...5).map { RongID.derived("frame-test", "\($0)") }
        let at = Timestamp(nanosecondsSinceEpoch: 1_764_000_000_123_456_789)
        let card = MessageCard(kind: "product", title: "薪金宝 \"稳健\"", url: "/bank/products/x?a=1&b=2", fields: ["年化": "2.15%", "期限": "90 天"])
        let texts = ["你好", "quote \" back\\slash / tab\t nl\n cr\r", "\u{1}\u{8}\u{c}\u{1f}\u{7f}", "emoji 🏦 \u{2028} é", ""]
        var messages: [Message] = texts.enumerated().map { n, text in
            Message(id: ids[n], conversationID: ids[0], seq: Int64(n + 1), senderID: ids[1], clientID: n == 1 ? "c-\"1\"" : nil, kind: .text, text: text,
                    card: nil, blobID: nil, voiceSeconds: nil, refersTo: nil, createdAt: at, recalled: false)
        }
        messages.append(Message(id: ids[2], conversationID: ids[0], seq: 9, senderID: ids[1], clientID: nil, kind: .card, text: nil, card: card,
                                blobID: nil, voiceSeconds: nil, refersTo: nil, createdAt: at, recalled: false))
        messages.append(Message(id: ids[3], conversationID: ids[0], seq: 10, senderID: ids[1], clientID: "v", kind: .voice, text: nil, card: nil,
                                blobID: ids[4], voiceSeconds: 17, refersTo: nil, createdAt: at, recalled: false))
        messages.append(Message(id: ids[4], conversationID: ids[0], seq: 11, senderID: ids[1], clientID: nil, kind: .recall, text: nil, card: nil,
                                blobID: nil, voiceSeconds: nil, refersTo: ids[3], createdAt: at, recalled: true))
        for message in messages {
            let expected = String(decoding: try encoder.encode(Reference(message: message, type: message.kind == .recall ? "recalled" : "message")),
                                  as: UTF8.self)
            #expect(ElinkFrames.message(message) == expected)
        }
    }

    @Test("A message comes back to the connection that sent it once, in its ack; the sender's other connection gets the push")
    func ownMessageOnceInAck() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2)
        let chat = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))
        let (phone, _) = try await ElinkConnection.open(service: w.messaging, principal: a)
        let (tablet, _) = try await ElinkConnection.open(service: w.messaging, principal: a)
        let phoneEvents = FrameReader(subscription: phone.subscription), tabletEvents = FrameReader(subscription: tablet.subscription)
        let replies = await phone.receive(#"{"type":"send","conversation_id":"\#(chat)","text":"在吗","ref":"r1"}"#)
        #expect(replies.count == 1)
        #expect(try ServerFrame.decode(replies[0]).type == "ack")
        let onTablet = try await tabletEvents.next(1)
        let pushed = await tablet.deliver(onTablet[0])
        #expect(pushed.count == 1)
        #expect(try ServerFrame.decode(pushed[0]).message?.seq == 1)
        // The hub skipped the sending connection: the first event it has is b's reply.
        _ = try await w.messaging.send(b, conversationID: chat, clientID: nil, content: .text("在"))
        let onPhone = try await phoneEvents.next(1)
        #expect(onPhone.map(\.seq) == [2])
        #expect(try await phone.deliver(onPhone[0]).map { try ServerFrame.decode($0).message?.seq } == [2])
        await phone.close()
        await tablet.close()
        try await w.finish()
    }

    @Test("A connection's acks and pushes leave in sequence order while both sides send at once")
    func acksAndPushesInOrder() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2)
        let chat = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))
        let (phone, _) = try await ElinkConnection.open(service: w.messaging, principal: a)
        await phone.receive(#"{"type":"sync","conversation_id":"\#(chat)","after_seq":0}"#) { _ in }
        // What the transport's writer would queue, in order.
        let written = Mutex<[String]>([])
        let emit: @Sendable ([String]) -> Void = { frames in written.withLock { $0 += frames } }
        let perSide = 30
        let pushes = Task {
            for await event in phone.subscription.events { await phone.deliver(event, emit: emit) }
        }
        async let mine: Void = {
            for n in 0..<perSide { await phone.receive(#"{"type":"send","conversation_id":"\#(chat)","text":"a\#(n)"}"#, emit: emit) }
        }()
        async let theirs: Void = {
            for n in 0..<perSide { _ = try? await w.messaging.send(b, conversationID: chat, clientID: nil, content: .text("b\(n)")) }
        }()
        _ = await (mine, theirs)
        for _ in 0..<500 where written.withLock({ $0.count }) < 2 * perSide { try await Task.sleep(for: .milliseconds(10)) }
        pushes.cancel()
        let seqs = try written.withLock { $0 }.map { try #require(ServerFrame.decode($0).message?.seq) }
        #expect(seqs == Array(1...Int64(2 * perSide)))
        await phone.close()
        try await w.finish()
    }

    @Test("A bound subscription's sink costs the same on the 40,000th event as on the first", .timeLimit(.minutes(1)))
    func boundSinkStaysFlat() async throws {
        let hub = LocalMessageHub()
        let user = RongID(high: 7, low: 7)
        let subscription = hub.attach(userID: user)
        let count = Mutex(0)
        subscription.bind { _ in count.withLock { $0 += 1 } }
        let event = HubEvent(kind: .typing, conversationID: user, recipients: [user], seq: nil, frame: "{}")
        let clock = ContinuousClock()
        var first = Duration.zero, last = Duration.zero
        for round in 0..<20 {
            let took = clock.measure { for _ in 0..<2_000 { hub.deliverLocally(event) } }
            if round == 0 { first = took }
            last = took
        }
        #expect(count.withLock { $0 } == 40_000)
        // A sink re-wrapped on every event (as a closure kept in a generic Mutex was) grows linearly.
        #expect(last < first * 10 + .milliseconds(20))
        hub.detach(subscription)
        hub.deliverLocally(event)
        #expect(count.withLock { $0 } == 40_000)
    }

    @Test("A bound connection (pushes on the publisher's thread) emits acks and pushes in sequence order while both sides send; a gap is filled from the database")
    func boundConnectionInOrder() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2)
        let chat = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))
        let (phone, _) = try await ElinkConnection.open(service: w.messaging, principal: a)
        let written = Mutex<[String]>([])
        let emit: ElinkConnection.Emit = { frames in written.withLock { $0 += frames } }
        await phone.receive(#"{"type":"sync","conversation_id":"\#(chat)","after_seq":0}"#, emit: emit)
        phone.bind(emit: emit)
        let perSide = 30
        async let mine: Void = {
            for n in 0..<perSide { await phone.receive(#"{"type":"send","conversation_id":"\#(chat)","text":"a\#(n)"}"#, emit: emit) }
        }()
        async let theirs: Void = {
            for n in 0..<perSide { _ = try? await w.messaging.send(b, conversationID: chat, clientID: nil, content: .text("b\(n)")) }
        }()
        _ = await (mine, theirs)
        func seqs() throws -> [Int64] {
            try written.withLock { $0 }.compactMap { try ServerFrame.decode($0) }.filter { $0.type != "messages" }.map { try #require($0.message?.seq) }
        }
        for _ in 0..<500 where try seqs().count < 2 * perSide { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try seqs() == Array(1...Int64(2 * perSide)))

        // A push that arrives ahead of one it never saw (as across nodes) brings the missing one first.
        let missed = try await w.messaging.send(b, conversationID: chat, clientID: nil, content: .text("missed"), origin: phone.subscription)
        #expect(missed.message.seq == Int64(2 * perSide + 1))
        _ = try await w.messaging.send(b, conversationID: chat, clientID: nil, content: .text("next"))
        for _ in 0..<500 where try seqs().count < 2 * perSide + 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try seqs() == Array(1...Int64(2 * perSide + 2)))
        let texts = try written.withLock { $0 }.suffix(2).map { try ServerFrame.decode($0).message?.text }
        #expect(texts == ["missed", "next"])
        await phone.close()
        // Closed: the hub no longer reaches it.
        _ = try await w.messaging.send(b, conversationID: chat, clientID: nil, content: .text("after close"))
        try await Task.sleep(for: .milliseconds(50))
        #expect(try seqs().count == 2 * perSide + 2)
        try await w.finish()
    }

    @Test("A push after a gap wider than gapFillMax becomes a resync, not a read of the whole gap")
    func wideGapBecomesResync() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2)
        let chat = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))
        let (connection, _) = try await ElinkConnection.open(service: w.messaging, principal: b)
        _ = await connection.receive(#"{"type":"sync","conversation_id":"\#(chat)","after_seq":0}"#)
        // Pushes this connection never saw (as if lost), one more than the server fills.
        for n in 0..<ElinkConnection.gapFillMax {
            _ = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("lost \(n)"), origin: connection.subscription)
        }
        let reader = FrameReader(subscription: connection.subscription)
        _ = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("next"))
        let frames = try await connection.deliver(try #require(reader.next(1).first)).map(ServerFrame.decode)
        #expect(frames.map(\.type) == ["resync"])
        // Having re-synced, the next push is delivered again.
        _ = await connection.receive(#"{"type":"sync","conversation_id":"\#(chat)","after_seq":\#(ElinkConnection.gapFillMax + 1),"ref":"s"}"#)
        _ = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("after"))
        let after = try await connection.deliver(try #require(reader.next(1).first)).map(ServerFrame.decode)
        #expect(after.map(\.message?.text) == ["after"])
        await connection.close()
        try await w.finish()
    }

    @Test("A client reconnecting with its last sequence gets everything after it; pushes fill gaps and drop duplicates")
    func reconnectResync() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2)
        let chat = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))

        // First connection of b: sync, then two live messages arrive as pushes.
        var (connection, hello) = try await ElinkConnection.open(service: w.messaging, principal: b)
        #expect(try ServerFrame.decode(hello).type == "hello")
        let synced = try ServerFrame.decode(try #require(await connection.receive(#"{"type":"sync","conversation_id":"\#(chat)","after_seq":0}"#).first))
        #expect(synced.type == "messages" && synced.messages?.isEmpty == true)
        let reader = FrameReader(subscription: connection.subscription)
        _ = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("一"))
        _ = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("二"))
        var seen: [Int64] = []
        for event in try await reader.next(2) {
            for frame in await connection.deliver(event) { seen.append(try #require(ServerFrame.decode(frame).message?.seq)) }
        }
        #expect(seen == [1, 2])
        // The same push again is a duplicate: nothing goes out.
        let duplicate = HubEvent(kind: .message, conversationID: chat, recipients: [b.userID], seq: 2, frame: "{}")
        #expect(await connection.deliver(duplicate).isEmpty)
        await connection.close()

        // Offline: three more. Reconnect with last seq 2.
        for text in ["三", "四", "五"] { _ = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text(text)) }
        (connection, _) = try await ElinkConnection.open(service: w.messaging, principal: b)
        let resync = try ServerFrame.decode(try #require(await connection.receive(#"{"type":"sync","conversation_id":"\#(chat)","after_seq":2,"ref":"r1"}"#).first))
        #expect(resync.ref == "r1" && resync.messages?.map(\.seq) == [3, 4, 5] && resync.messages?.map(\.text) == ["三", "四", "五"])

        // Two sends happen, but only the push of the second arrives (it overtook the first across nodes):
        // the connection sends 6 from the database, then 7, in order.
        _ = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("六"))
        let seventh = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("七"))
        let early = HubEvent(kind: .message, conversationID: chat, recipients: [b.userID], seq: 7, frame: ElinkFrames.message(seventh.message))
        let filled = try await connection.deliver(early).map { try ServerFrame.decode($0).message?.seq }
        #expect(filled == [6, 7])
        await connection.close()
        try await w.finish()
    }

    // MARK: Authorisation

    @Test("Nobody reads or writes a conversation they are not in; recall only one's own, within two minutes")
    func authorisation() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2), outsider = try await w.customer(3)
        let chat = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))
        let sent = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("私密"))

        await refused(.conversationNotFound, status: 404) { try await w.messaging.sync(outsider, conversationID: chat, afterSeq: 0) }
        await refused(.conversationNotFound, status: 404) { try await w.messaging.send(outsider, conversationID: chat, clientID: nil, content: .text("hi")) }
        await refused(.conversationNotFound, status: 404) { try await w.messaging.sync(a, conversationID: RongID.derived("nope"), afterSeq: 0) }
        await refused(.messageNotFound, status: 404) { try await w.messaging.recall(outsider, messageID: sent.message.id) }
        await refused(.recallNotAllowed, status: 403) { try await w.messaging.recall(b, messageID: sent.message.id) }

        // Recall within two minutes: content gone for members, a sequenced recall message follows.
        w.t.clock.advance(seconds: 119)
        let recall = try await w.messaging.recall(a, messageID: sent.message.id)
        #expect(recall.kind == .recall && recall.refersTo == sent.message.id && recall.seq == 2)
        let page = try await w.messaging.sync(b, conversationID: chat, afterSeq: 0)
        #expect(page.messages[0].recalled && page.messages[0].text == nil)
        await refused(.alreadyRecalled, status: 409) { try await w.messaging.recall(a, messageID: sent.message.id) }
        let late = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("晚了"))
        w.t.clock.advance(seconds: 121)
        await refused(.recallWindowPassed, status: 422) { try await w.messaging.recall(a, messageID: late.message.id) }

        // Messages to a non-contact are refused, and nothing is stored.
        try await w.messaging.removeContact(b, userID: a.userID)
        let before = try await w.messaging.sync(a, conversationID: chat, afterSeq: 0).lastSeq
        await refused(.notAContact, status: 403) { try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("还在吗")) }
        #expect(try await w.messaging.sync(a, conversationID: chat, afterSeq: 0).lastSeq == before)

        // Only the bank posts in the notice conversation.
        let notice = try #require(try await w.messaging.conversations(a).first { $0.conversation.kind == .notice })
        await refused(.notAllowedToPost, status: 403) {
            try await w.messaging.send(a, conversationID: notice.conversation.id, clientID: nil, content: .text("hi"))
        }
        // Content limits.
        await refused(.messageTooLong, status: 422) {
            try await w.messaging.send(b, conversationID: chat, clientID: nil, content: .text(String(repeating: "字", count: 1_400)))
        }
        await refused(.messageEmpty) { try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("  ")) }
        await refused(.invalidCard, status: 403) {
            try await w.messaging.send(a, conversationID: chat, clientID: nil,
                                       content: .card(MessageCard(kind: "product", title: "理财", url: "/bank/products")))
        }
        try await w.finish()
    }

    // MARK: Contacts and groups

    @Test("Contacts need the other side's consent; groups are owned, bounded and administered")
    func contactsAndGroups() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2), c = try await w.customer(3), d = try await w.customer(4)
        let request = try await w.messaging.requestContact(a, mobile: ElinkWorld.mobile(2), note: "我是客户1")
        #expect(request.status == "pending")
        #expect(try await w.messaging.contacts(a).isEmpty)
        #expect(try await w.messaging.contactRequests(b).map(\.requesterID) == [a.userID])
        await refused(.contactNotFound, status: 404) { try await w.messaging.requestContact(a, mobile: "13911112222") }
        await refused(.invalidRequest) { try await w.messaging.requestContact(a, mobile: ElinkWorld.mobile(1)) }
        // b asks a back: both wanted it, so they are contacts at once.
        let mutual = try await w.messaging.requestContact(b, mobile: ElinkWorld.mobile(1))
        #expect(mutual.status == "accepted")
        #expect(try await w.messaging.contacts(a).map(\.userID) == [b.userID])
        await refused(.alreadyContacts, status: 409) { try await w.messaging.requestContact(a, mobile: ElinkWorld.mobile(2)) }
        // A declined request does not make contacts.
        _ = try await w.messaging.requestContact(d, mobile: ElinkWorld.mobile(1))
        try await w.messaging.answerContactRequest(a, requesterID: d.userID, accept: false)
        await refused(.contactRequestNotFound, status: 404) { try await w.messaging.answerContactRequest(a, requesterID: d.userID, accept: true) }

        _ = try await w.contacts(a, c, mobileOfB: ElinkWorld.mobile(3))
        await refused(.notAContact, status: 403) { try await w.messaging.createGroup(a, title: "理财群", memberIDs: [b.userID, d.userID]) }
        let group = try await w.messaging.createGroup(a, title: "理财群", memberIDs: [b.userID])
        #expect(group.role == .owner && group.conversation.kind == .group)
        _ = try await w.messaging.send(b, conversationID: group.conversation.id, clientID: nil, content: .text("大家好"))
        // c joins later and does not read what was said before.
        _ = try await w.messaging.addGroupMembers(a, conversationID: group.conversation.id, memberIDs: [c.userID])
        #expect(try await w.messaging.sync(c, conversationID: group.conversation.id, afterSeq: 0).messages.isEmpty)
        _ = try await w.messaging.send(c, conversationID: group.conversation.id, clientID: nil, content: .text("我来了"))
        #expect(try await w.messaging.sync(c, conversationID: group.conversation.id, afterSeq: 0).messages.map(\.seq) == [2])
        // Plain members do not administer; admins remove members but not the owner.
        await refused(.notGroupAdmin, status: 403) { try await w.messaging.removeGroupMember(b, conversationID: group.conversation.id, userID: c.userID) }
        try await w.messaging.setGroupAdmin(a, conversationID: group.conversation.id, userID: b.userID, isAdmin: true)
        await refused(.notGroupAdmin, status: 403) { try await w.messaging.removeGroupMember(b, conversationID: group.conversation.id, userID: a.userID) }
        try await w.messaging.removeGroupMember(b, conversationID: group.conversation.id, userID: c.userID)
        await refused(.conversationNotFound, status: 404) { try await w.messaging.sync(c, conversationID: group.conversation.id, afterSeq: 0) }
        await refused(.ownerCannotLeave, status: 409) { try await w.messaging.leaveGroup(a, conversationID: group.conversation.id) }
        await refused(.groupFull, status: 422) {
            try await w.messaging.createGroup(a, title: "大群", memberIDs: (0..<101).map { RongID.derived("member", $0) })
        }
        #expect(MessagingLimits.groupMembersMax == 500)
        try await w.finish()
    }

    // MARK: The service queue

    @Test("Service queue: a waiting chat survives a restart, two agents racing for it get one winner, transfer, close, rate once")
    func serviceQueue() async throws {
        let w = try await ElinkWorld.make()
        let customer = try await w.customer(1)
        let agent1 = try await w.staff(.serviceAgent, 1), agent2 = try await w.staff(.serviceAgent, 2)
        let chat = try await w.messaging.openServiceChat(customer, topic: "转账到账时间")
        #expect(chat.status == "waiting")
        #expect(try await w.messaging.openServiceChat(customer).conversationID == chat.conversationID)
        _ = try await w.messaging.send(customer, conversationID: chat.conversationID, clientID: nil, content: .text("请问跨行转账多久到账？"))
        #expect(try await w.messaging.serviceChatStatus(customer, conversationID: chat.conversationID).position == 1)
        await refused(.forbidden, status: 403) { try await w.messaging.serviceQueue(customer) }

        // A restart: a new service on the same database still has the chat in its queue.
        let restarted = MessagingService(database: w.t.platform.database, identity: w.t.identity, accounts: w.t.accounts, hub: LocalMessageHub(),
                                         blobs: w.messaging.blobs, clock: w.t.clock.clock, ids: .deterministic(clock: w.t.clock.clock, seed: 99),
                                         logger: w.t.platform.logger)
        #expect(try await restarted.serviceQueue(agent1).map(\.conversationID) == [chat.conversationID])

        // Two agents claim at once: exactly one wins.
        async let first: Result<ServiceChat, any Error> = { do { return .success(try await w.messaging.claimServiceChat(agent1, conversationID: chat.conversationID)) } catch { return .failure(error) } }()
        async let second: Result<ServiceChat, any Error> = { do { return .success(try await restarted.claimServiceChat(agent2, conversationID: chat.conversationID)) } catch { return .failure(error) } }()
        let results = await [first, second]
        let winners = results.compactMap { try? $0.get() }
        #expect(winners.count == 1)
        let loserCodes = results.compactMap { result -> ErrorCode? in
            if case .failure(let error as DomainError) = result { return error.code }
            return nil
        }
        #expect(loserCodes == [.serviceChatTaken])
        let winner = winners[0].agentID == agent1.userID ? agent1 : agent2
        let other = winner == agent1 ? agent2 : agent1
        #expect(try await w.messaging.serviceQueue(agent1).isEmpty)
        await refused(.queueEmpty, status: 404) { try await w.messaging.claimNextServiceChat(other) }
        // The loser is not in the chat; the winner reads what the customer wrote while waiting.
        await refused(.conversationNotFound, status: 404) { try await w.messaging.sync(other, conversationID: chat.conversationID, afterSeq: 0) }
        let history = try await w.messaging.sync(winner, conversationID: chat.conversationID, afterSeq: 0)
        #expect(history.messages.map(\.kind) == [.text, .system])

        // Transfer: only the current agent; the new one takes over, the old one leaves.
        await refused(.serviceChatNotActive, status: 409) {
            try await w.messaging.transferServiceChat(other, conversationID: chat.conversationID, toAgentID: winner.userID)
        }
        let moved = try await w.messaging.transferServiceChat(winner, conversationID: chat.conversationID, toAgentID: other.userID)
        #expect(moved.agentID == other.userID && moved.transfers == 1)
        await refused(.conversationNotFound, status: 404) {
            try await w.messaging.send(winner, conversationID: chat.conversationID, clientID: nil, content: .text("x"))
        }
        _ = try await w.messaging.send(other, conversationID: chat.conversationID, clientID: nil, content: .text("一般两小时内到账。"))

        // Close, then the customer rates once; nobody posts after closing.
        await refused(.serviceChatNotActive, status: 409) { try await w.messaging.rateServiceChat(customer, conversationID: chat.conversationID, rating: 5) }
        _ = try await w.messaging.closeServiceChat(other, conversationID: chat.conversationID)
        await refused(.conversationClosed, status: 409) {
            try await w.messaging.send(customer, conversationID: chat.conversationID, clientID: nil, content: .text("谢谢"))
        }
        await refused(.invalidRating) { try await w.messaging.rateServiceChat(customer, conversationID: chat.conversationID, rating: 6) }
        let rated = try await w.messaging.rateServiceChat(customer, conversationID: chat.conversationID, rating: 5, comment: "很快")
        #expect(rated.rating == 5 && rated.status == "closed")
        await refused(.alreadyRated, status: 409) { try await w.messaging.rateServiceChat(customer, conversationID: chat.conversationID, rating: 1) }
        // A new chat starts a new queue entry.
        #expect(try await w.messaging.openServiceChat(customer).conversationID != chat.conversationID)
        try await w.finish()
    }

    // MARK: Official accounts

    @Test("Customers follow the bank's service account automatically; subscription accounts publish articles to followers")
    func officialAccounts() async throws {
        let w = try await ElinkWorld.make()
        let customer = try await w.customer(1)
        let op = w.t.operatorPrincipal
        let accounts = try await w.messaging.officialAccounts(customer)
        let service = try #require(accounts.first { $0.account.id == MessagingService.bankServiceAccountID })
        #expect(service.following && service.account.autoFollow)
        await refused(.cannotUnfollow, status: 409) { try await w.messaging.unfollow(customer, accountID: MessagingService.bankServiceAccountID) }

        let news = try await w.messaging.createOfficialAccount(op, name: "融银行理财早知道", kind: .subscription, branchCode: nil,
                                                               description: "每周理财资讯", autoFollow: false, address: "127.0.0.1")
        await refused(.forbidden, status: 403) {
            try await w.messaging.createOfficialAccount(customer, name: "假冒", kind: .service, branchCode: nil, description: "", autoFollow: false, address: "x")
        }
        try await w.messaging.follow(customer, accountID: news.id)
        let (article, message) = try await w.messaging.publishArticle(op, accountID: news.id, title: "本周理财观察", summary: "利率与市场",
                                                                      body: "正文……", address: "127.0.0.1")
        #expect(message.card?.kind == "article" && message.card?.url == "/bank/elink/articles/\(article.id)")
        let page = try await w.messaging.sync(customer, conversationID: news.channelID, afterSeq: 0)
        #expect(page.messages.map(\.id) == [message.id])
        await refused(.notAllowedToPost, status: 403) {
            try await w.messaging.send(customer, conversationID: news.channelID, clientID: nil, content: .text("hi"))
        }
        #expect(try await w.messaging.articles(accountID: news.id).map(\.title) == ["本周理财观察"])
        try await w.messaging.unfollow(customer, accountID: news.id)
        await refused(.conversationNotFound, status: 404) { try await w.messaging.sync(customer, conversationID: news.channelID, afterSeq: 0) }
        try await w.finish()
    }

    // MARK: Account managers

    @Test("Each customer gets the branch's least busy manager, who sees a read-only summary and pushes product cards")
    func accountManagers() async throws {
        let w = try await ElinkWorld.make()
        let op = w.t.operatorPrincipal
        let m1 = try await w.staff(.accountManager, 1), m2 = try await w.staff(.accountManager, 2)
        try await w.messaging.addManagerToBranch(op, managerID: m1.userID, branchCode: ThisBank.directBankBranch, address: "127.0.0.1")
        try await w.messaging.addManagerToBranch(op, managerID: m2.userID, branchCode: ThisBank.directBankBranch, address: "127.0.0.1")
        await refused(.managerNotFound) {
            try await w.messaging.addManagerToBranch(op, managerID: w.t.operatorPrincipal.userID, branchCode: "0001", address: "x")
        }
        let (c1, account) = try await w.t.customerWithEAccount(.classII, name: "张三", idNumber: ResidentIDs.make(birth: "19850101", sequence: 11),
                                                               mobile: "13912340001", cardNumber: Cards.ccb(1))
        let c2 = try await w.customer(2)
        let first = try #require(try await w.messaging.myManager(c1))
        let second = try #require(try await w.messaging.myManager(c2))
        #expect(Set([first.managerID, second.managerID]) == [m1.userID, m2.userID])
        let manager1 = first.managerID == m1.userID ? m1 : m2
        let manager2 = manager1 == m1 ? m2 : m1
        #expect(try await w.messaging.managerCustomers(manager1).map(\.customerUserID) == [c1.userID])

        let summary = try await w.messaging.customerSummary(manager1, customerUserID: c1.userID, address: "127.0.0.1")
        #expect(summary.name == "张三" && summary.accounts.map(\.accountID) == [account.id] && summary.mobileMasked.contains("*"))
        await refused(.notFound, status: 404) { try await w.messaging.customerSummary(manager2, customerUserID: c1.userID, address: "x") }
        await refused(.forbidden, status: 403) { try await w.messaging.customerSummary(c2, customerUserID: c1.userID, address: "x") }

        let card = MessageCard(kind: "product", title: "稳享理财 90 天", url: "/bank/products/WM90", fields: ["业绩比较基准": "3.10%"])
        let pushed = try await w.messaging.pushCard(manager1, customerUserID: c1.userID, card: card, clientID: "p-1")
        let seen = try await w.messaging.sync(c1, conversationID: first.conversationID, afterSeq: 0)
        #expect(seen.messages.last?.id == pushed.message.id && seen.messages.last?.card?.url == "/bank/products/WM90")
        await refused(.invalidCard) {
            try await w.messaging.pushCard(manager1, customerUserID: c1.userID, card: MessageCard(kind: "product", title: "x", url: "https://evil.example"),
                                           clientID: nil)
        }
        // Reassignment: the former manager no longer sees the customer or the conversation.
        let moved = try await w.messaging.reassignManager(op, customerUserID: c1.userID, managerID: manager2.userID, address: "127.0.0.1")
        #expect(moved.managerID == manager2.userID)
        await refused(.notFound, status: 404) { try await w.messaging.customerSummary(manager1, customerUserID: c1.userID, address: "x") }
        await refused(.conversationNotFound, status: 404) { try await w.messaging.sync(manager1, conversationID: first.conversationID, afterSeq: 0) }
        #expect(try await w.messaging.managerCustomers(manager2).count == 2)
        try await w.finish()
    }

    // MARK: Blobs

    @Test("Uploads are limited by size and type, checked against their bytes, stored whole or not at all, and readable by members only")
    func blobs() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2), outsider = try await w.customer(3)
        let chat = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 100)

        await refused(.blobTooLarge, status: 413) {
            try await w.messaging.upload(a, contentType: "image/png", bytes: png + Array(repeating: 0, count: MessagingLimits.imageBytesMax))
        }
        await refused(.blobTypeNotAllowed, status: 415) { try await w.messaging.upload(a, contentType: "application/x-sh", bytes: Array("#!/bin/sh".utf8)) }
        await refused(.blobContentMismatch, status: 422) { try await w.messaging.upload(a, contentType: "image/jpeg", bytes: png) }
        await refused(.blobTooLarge, status: 413) {
            try await w.messaging.upload(a, contentType: "audio/amr", bytes: Array("#!AMR\n".utf8) + Array(repeating: 0, count: MessagingLimits.voiceBytesMax))
        }
        let stored = try await w.t.platform.database.first("SELECT COUNT(*) AS n FROM messaging_blobs")?.int("n")
        #expect(stored == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: w.messaging.blobs.directory)
        #expect(files.isEmpty)

        let image = try await w.messaging.upload(a, contentType: "image/png", bytes: png)
        #expect(image.kind == "image" && image.sizeBytes == Int64(png.count))
        await refused(.blobContentMismatch) {
            try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .voice(blobID: image.id, seconds: 3))
        }
        await refused(.blobNotFound) { try await w.messaging.send(b, conversationID: chat, clientID: nil, content: .image(blobID: image.id)) }
        await refused(.blobNotFound, status: 404) { try await w.messaging.download(b, blobID: image.id) }
        let sent = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .image(blobID: image.id))
        #expect(sent.message.kind == .image && sent.message.blobID == image.id)
        let (record, bytes) = try await w.messaging.download(b, blobID: image.id)
        #expect(record.contentType == "image/png" && bytes == png)
        await refused(.blobNotFound, status: 404) { try await w.messaging.download(outsider, blobID: image.id) }
        try await w.finish()
    }

    // MARK: Bank notifications

    @Test("Bank notifications arrive once from the service account; the SMS fallback goes to customers offline for 24 hours")
    func notifications() async throws {
        let w = try await ElinkWorld.make()
        let online = try await w.customer(1), offline = try await w.customer(2)
        let (connection, _) = try await ElinkConnection.open(service: w.messaging, principal: online)
        await connection.close()
        let outbox = w.t.identity.notifications
        _ = try await w.t.platform.database.transaction { tx in
            try await outbox.record(tx, userID: online.userID, kind: "alert.transaction", title: "账户变动", body: "您尾号1234的账户转入100.00元",
                                    smsText: "您尾号1234的账户转入100.00元")
            try await outbox.record(tx, userID: offline.userID, kind: "loan.offer", title: "逸贷额度", body: "您获得50,000元逸贷额度",
                                    card: NotificationCard(kind: "loan_offer", title: "逸贷 5 万元", url: "/me/loans/offers/1", fields: ["年化": "4.35%"]),
                                    smsText: "您获得50,000元逸贷额度，登录手机银行查看")
        }
        let report = try await w.messaging.deliverNotifications()
        #expect(report.delivered == 2 && report.smsSent == 1 && report.failed == 0)
        #expect(try await w.messaging.deliverNotifications().delivered == 0)
        #expect(try await outbox.pending().isEmpty)

        let notice = try #require(try await w.messaging.conversations(offline).first { $0.conversation.kind == .notice })
        let page = try await w.messaging.sync(offline, conversationID: notice.conversation.id, afterSeq: 0)
        #expect(page.messages.map(\.kind) == [.text, .card])
        #expect(page.messages[0].senderID == MessagingService.bankServiceAccountID && page.messages[0].text?.contains("逸贷额度") == true)
        #expect(page.messages[1].card?.kind == "loan_offer")
        let offlineSMS = try await w.t.identity.sms.recent(mobile: ElinkWorld.mobile(2), limit: 5).filter { $0.purpose == "notification" }
        #expect(offlineSMS.count == 1 && offlineSMS[0].body.contains("逸贷额度"))
        #expect(try await w.t.identity.sms.recent(mobile: ElinkWorld.mobile(1), limit: 5).filter { $0.purpose == "notification" }.isEmpty)

        // 24 hours and a second later the once-online customer counts as offline too.
        w.t.clock.advance(seconds: 24 * 3_600 + 1)
        _ = try await w.t.platform.database.transaction { tx in
            try await outbox.record(tx, userID: online.userID, kind: "alert.security", title: "登录提醒", body: "您的账户在新设备登录",
                                    smsText: "您的账户在新设备登录")
        }
        #expect(try await w.messaging.deliverNotifications().smsSent == 1)
        #expect(try await w.t.identity.sms.recent(mobile: ElinkWorld.mobile(1), limit: 5).filter { $0.purpose == "notification" }.count == 1)

        // A pass that crashed after sending (before marking delivered) sends nothing twice.
        let id = try await w.t.platform.database.transaction { tx in
            try await outbox.record(tx, userID: online.userID, kind: "alert.transaction", title: "账户变动", body: "转出1.00元")
        }
        let fresh = try #require(try await outbox.pending().first { $0.id == id })
        let restarted = MessagingService(database: w.t.platform.database, identity: w.t.identity, accounts: w.t.accounts, hub: LocalMessageHub(),
                                         blobs: w.messaging.blobs, clock: w.t.clock.clock, ids: .deterministic(clock: w.t.clock.clock, seed: 98),
                                         logger: w.t.platform.logger)
        _ = try await restarted.post(asBank: MessagingService.bankServiceAccountID,
                                     conversationID: try #require(try await w.messaging.conversations(online).first { $0.conversation.kind == .notice }).conversation.id,
                                     clientID: "notification:\(fresh.id)", kind: .text, body: "【账户变动】转出1.00元")
        _ = try await restarted.deliverNotifications()
        let onlineNotice = try #require(try await w.messaging.conversations(online).first { $0.conversation.kind == .notice })
        #expect(try await w.messaging.sync(online, conversationID: onlineNotice.conversation.id, afterSeq: 0).messages.count == 3)
        try await w.finish()
    }

    // MARK: The frame protocol

    @Test("Malformed, oversized and flooding frames get error frames with stable codes; the session stays usable")
    func frameRefusals() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2)
        let chat = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))
        let (connection, _) = try await ElinkConnection.open(service: w.messaging, principal: a)
        func one(_ text: String) async throws -> ServerFrame { try ServerFrame.decode(try #require(await connection.receive(text).first)) }

        #expect(try await one("not json").code == "invalid_frame")
        #expect(try await one(#"{"type":"dance"}"#).code == "invalid_frame")
        #expect(try await one(#"{"type":"send","text":"no conversation"}"#).code == "invalid_frame")
        #expect(try await one(#"{"type":"send","conversation_id":"not-an-id","text":"x"}"#).code == "invalid_frame")
        #expect(try await one(String(repeating: " ", count: ElinkConnection.frameBytesMax + 1)).code == "frame_too_large")
        let unknown = try await one(#"{"type":"send","ref":"s0","conversation_id":"\#(RongID.derived("x"))","text":"x"}"#)
        #expect(unknown.code == "conversation_not_found" && unknown.ref == "s0")
        let ok = try await one(#"{"type":"send","ref":"s1","conversation_id":"\#(chat)","client_id":"k1","text":"你好"}"#)
        #expect(ok.type == "ack" && ok.ref == "s1" && ok.message?.seq == 1 && ok.duplicate == false)
        let again = try await one(#"{"type":"send","ref":"s2","conversation_id":"\#(chat)","client_id":"k1","text":"你好"}"#)
        #expect(again.duplicate == true && again.message?.seq == 1)
        let read = try await one(#"{"type":"read","conversation_id":"\#(chat)","seq":1}"#)
        #expect(read.type == "ack" && read.readSeq == 1)
        #expect(try await one(#"{"type":"ping","ref":"p"}"#).type == "pong")

        // Flood: the clock stands still, so after the burst every frame is refused until time passes.
        var codes: [String?] = []
        for _ in 0..<ElinkConnection.burstFrames { codes.append(try await one(#"{"type":"ping"}"#).code) }
        #expect(codes.contains("rate_limited"))
        #expect(try await one(#"{"type":"ping"}"#).code == "rate_limited")
        w.t.clock.advance(seconds: 1)
        #expect(try await one(#"{"type":"ping"}"#).type == "pong")
        // Nothing half-stored: still one message.
        #expect(try await w.messaging.sync(a, conversationID: chat, afterSeq: 0).lastSeq == 1)
        await connection.close()
        try await w.finish()
    }

    @Test("Receipts and typing reach the other members; admins export the archive with recalled content, audited")
    func receiptsTypingArchive() async throws {
        let w = try await ElinkWorld.make()
        let a = try await w.customer(1), b = try await w.customer(2)
        let chat = try await w.contacts(a, b, mobileOfB: ElinkWorld.mobile(2))
        let (connection, _) = try await ElinkConnection.open(service: w.messaging, principal: a)
        let reader = FrameReader(subscription: connection.subscription)
        let sent = try await w.messaging.send(a, conversationID: chat, clientID: nil, content: .text("合规存档"))
        try await w.messaging.markRead(b, conversationID: chat, seq: 1)
        try await w.messaging.typing(b, conversationID: chat)
        let events = try await reader.next(3)
        #expect(events.map(\.kind) == [.message, .receipt, .typing])
        #expect(try ServerFrame.decode(events[1].frame).readSeq == 1)
        #expect(try await w.messaging.conversation(b, id: chat).readSeq == 1)
        _ = try await w.messaging.recall(a, messageID: sent.message.id)

        let admin = try await w.staff(.admin, 9)
        await refused(.forbidden, status: 403) { try await w.messaging.archive(w.t.operatorPrincipal, conversationID: chat, address: "x") }
        let archive = try await w.messaging.archive(admin, conversationID: chat, address: "127.0.0.1")
        #expect(archive.messages.map(\.seq) == [1, 2] && archive.messages[0].body == "合规存档" && archive.messages[0].recalledAt != nil)
        #expect(archive.members.count == 2 && archive.nextAfterSeq == nil)
        #expect(try await w.t.identity.audit.list(action: "messaging.archive.export").count == 1)
        await connection.close()
        try await w.finish()
    }
}
