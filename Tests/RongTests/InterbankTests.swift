import BankKit
import Interbank
import Storage
import Testing

/// A migrated scratch database with a seeded simulator and the network over it.
private struct InterbankFixture {
    let db: TestDatabase
    let clock: ManualClock
    let simulator: InterbankSimulator
    let network: SimulatedInterbankNetwork
    let ids: IDGenerator

    static func make() async throws -> InterbankFixture {
        let db = try await TestDatabase.make(migrations: InterbankSimulator.migrations)
        let clock = ManualClock(shanghai: "2026-11-23T10:00:00")
        let ids = IDGenerator.deterministic(clock: clock.clock, seed: 7)
        let simulator = InterbankSimulator(database: db.database, clock: clock.clock)
        try await simulator.seedDirectory()
        let network = SimulatedInterbankNetwork(simulator: simulator, clock: clock.clock, ids: ids)
        return InterbankFixture(db: db, clock: clock, simulator: simulator, network: network, ids: ids)
    }

    func balance(_ account: SimulatedAccount) async throws -> Int64? {
        try await simulator.balance(bankCode: account.bankCode, accountNumber: account.accountNumber)
    }

    /// A debit of `amountFen` from `account` into a Rong e-account.
    func debit(_ account: SimulatedAccount, amountFen: Int64, id: RongID? = nil, name: String? = nil) -> DebitInstruction {
        DebitInstruction(messageID: id ?? ids.next(), bankCode: account.bankCode, debtorAccountNumber: account.accountNumber,
                         debtorName: name ?? account.holderName, creditorAccountNumber: "9558800200012345",
                         creditorName: account.holderName, amountFen: amountFen, remittanceInfo: "充值 top-up")
    }

    /// A credit of `amountFen` to `account` from a Rong e-account.
    func credit(_ account: SimulatedAccount, amountFen: Int64, id: RongID? = nil) -> CreditInstruction {
        CreditInstruction(messageID: id ?? ids.next(), bankCode: account.bankCode, creditorAccountNumber: account.accountNumber,
                          creditorName: account.holderName, debtorAccountNumber: "9558800200012345",
                          debtorName: "李雷", amountFen: amountFen, remittanceInfo: "转账 transfer")
    }

    func finish() async { await db.cleanup() }
}

/// GB 11643 check character of an 18-character resident ID (weights 2^(17-i) mod 11).
private func residentIDCheckIsValid(_ id: String) -> Bool {
    let characters = Array(id)
    guard characters.count == 18 else { return false }
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    var sum = 0
    for (character, weight) in zip(characters.prefix(17), weights) {
        guard let digit = character.wholeNumberValue, character.isASCII else { return false }
        sum += digit * weight
    }
    return characters[17] == Array("10X98765432")[sum % 11]
}

private let sampleTime = try! Timestamp(rfc3339: "2026-11-23T02:00:00.125Z")
private let sampleID = try! RongID("0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f")
private let otherID = try! RongID("0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e60")

private let sampleDebit = DebitInstruction(
    messageID: sampleID, bankCode: "105", debtorAccountNumber: "6217000010012345677", debtorName: "张伟",
    creditorAccountNumber: "9558800200012345", creditorName: "张伟", amountFen: 12_345,
    remittanceInfo: "Top-up <e-account> & \"savings\" '融e行'")

private let sampleCredit = CreditInstruction(
    messageID: sampleID, bankCode: "308", creditorAccountNumber: "6225880123456783", creditorName: "王芳",
    debtorAccountNumber: "9558800200012345", debtorName: "张伟", amountFen: 1, remittanceInfo: "")

private let sampleEnvelopes: [InterbankEnvelope] = [
    InterbankEnvelope(senderBankCode: "999", receiverBankCode: "105", message: .accountQuery(
        AccountQuery(messageID: sampleID, createdAt: sampleTime, elements: InterbankSimulator.demoZhangWei.fourElements))),
    InterbankEnvelope(senderBankCode: "105", receiverBankCode: "999", message: .accountQueryAnswer(
        AccountQueryAnswer(messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID, outcome: .matched))),
    InterbankEnvelope(senderBankCode: "105", receiverBankCode: "999", message: .accountQueryAnswer(
        AccountQueryAnswer(messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID,
                           outcome: .mismatched(fields: ["name", "mobile"])))),
    InterbankEnvelope(senderBankCode: "105", receiverBankCode: "999", message: .accountQueryAnswer(
        AccountQueryAnswer(messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID, outcome: .accountNotFound))),
    InterbankEnvelope(senderBankCode: "105", receiverBankCode: "999", message: .accountQueryAnswer(
        AccountQueryAnswer(messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID, outcome: .accountUnavailable))),
    InterbankEnvelope(senderBankCode: "201", receiverBankCode: "999", message: .accountQueryAnswer(
        AccountQueryAnswer(messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID, outcome: .unknownBank))),
    InterbankEnvelope(senderBankCode: "999", receiverBankCode: "105", message: .onlineDebit(
        OnlineDebit(createdAt: sampleTime, instruction: sampleDebit, creditorBankCode: "999"))),
    InterbankEnvelope(senderBankCode: "105", receiverBankCode: "999", message: .onlineDebitReceipt(
        PaymentStatusReport(messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID,
                            status: .rejected(reasonCode: "AM04", reason: "Insufficient funds"), processedAt: sampleTime))),
    InterbankEnvelope(senderBankCode: "999", receiverBankCode: "308", message: .onlineCredit(
        OnlineCredit(createdAt: sampleTime, instruction: sampleCredit, debtorBankCode: "999"))),
    InterbankEnvelope(senderBankCode: "308", receiverBankCode: "999", message: .onlineCreditReceipt(
        PaymentStatusReport(messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID,
                            status: .accepted, processedAt: sampleTime.adding(seconds: 1)))),
]

@Suite("Interbank codec")
struct InterbankCodecTests {
    @Test("Every message type survives encode → decode unchanged", arguments: sampleEnvelopes)
    func roundTrip(_ envelope: InterbankEnvelope) throws {
        let xml = try InterbankCodec.encode(envelope)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CnapsMsg>"))
        #expect(xml.contains("<MsgTp>\(envelope.type.rawValue)</MsgTp>"))
        #expect(xml.contains("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:\(envelope.type.isoMessageName)\">"))
        #expect(try InterbankCodec.decode(xml) == envelope)
    }

    @Test("The debit carries ISO 20022 elements, a two-decimal CNY amount and escaped text")
    func debitShape() throws {
        let xml = try InterbankCodec.encode(sampleEnvelopes[6])
        #expect(xml.contains("<MsgTp>ibps.103.001.01</MsgTp>"))
        #expect(xml.contains("<IntrBkSttlmAmt Ccy=\"CNY\">123.45</IntrBkSttlmAmt>"))
        #expect(xml.contains("<MsgId>0190f7a28c4e7b1a9d3f2a6b8c1d4e5f</MsgId>"))
        #expect(xml.contains("<CreDtTm>2026-11-23T02:00:00.125Z</CreDtTm>"))
        #expect(xml.contains("<Ustrd>Top-up &lt;e-account&gt; &amp; \"savings\" '融e行'</Ustrd>"))
        #expect(xml.contains("<DbtrAgt>\n"))
        #expect(xml.contains("<MmbId>105</MmbId>"))
        let query = try InterbankCodec.encode(sampleEnvelopes[0])
        #expect(query.contains("<MobNb>+86-13800138000</MobNb>"))
        #expect(query.contains("<Cd>NIDN</Cd>"))
        let receipt = try InterbankCodec.encode(sampleEnvelopes[7])
        #expect(receipt.contains("<TxSts>RJCT</TxSts>"))
        #expect(receipt.contains("<Cd>AM04</Cd>"))
        #expect(receipt.contains("<OrgnlMsgNmId>pacs.003.001.02</OrgnlMsgNmId>"))
    }

    @Test("Amount text ↔ fen", arguments: [
        ("0.00", Int64(0)), ("0.01", 1), ("0.10", 10), ("12.30", 1230), ("123.45", 12_345),
        ("99999999.99", 9_999_999_999), ("9999999999999999.99", 999_999_999_999_999_999),
    ])
    func amounts(_ text: String, _ fen: Int64) throws {
        #expect(try YuanAmount.fen(text) == fen)
        #expect(YuanAmount.text(fen: fen) == text)
    }

    @Test("Amounts that are not yuan with exactly two decimals are refused", arguments: [
        "1.2", "-1.00", "1e3", "+1.00", "01.00", "00.00", "1.234", ".50", "1.", "1", "", " 1.00", "1.00 ", "1,000.00",
        "１.００", "1.0a", "10000000000000000.00", "NaN",
    ])
    func badAmounts(_ text: String) {
        let error = #expect(throws: DomainError.self) { try YuanAmount.fen(text) }
        #expect(error?.code == .interbankAmountInvalid)
    }

    @Test("Malformed, unknown or inconsistent messages are refused", arguments: [
        ("", "empty"),
        ("not xml", "plain text"),
        ("<CnapsMsg>", "truncated"),
        ("<?xml version=\"1.1\"?><CnapsMsg/>", "XML 1.1"),
        ("<!DOCTYPE CnapsMsg [<!ENTITY x \"y\">]><CnapsMsg>&x;</CnapsMsg>", "DTD with entity"),
        ("<CnapsMsg><!-- hi --></CnapsMsg>", "comment"),
        ("<Other/>", "wrong root"),
        ("<CnapsMsg><Hdr><MsgTp>ibps.999.001.01</MsgTp><OrigSndr>999</OrigSndr><OrigRcvr>105</OrigRcvr></Hdr><Document/></CnapsMsg>", "unknown type"),
    ])
    func malformed(_ xml: String, _ label: String) {
        let error = #expect(throws: DomainError.self, "\(label)") { try InterbankCodec.decode(xml) }
        #expect(error?.code == .interbankMessageInvalid, "\(label)")
    }

    @Test("Tampering with a valid debit is caught", arguments: [
        ("<MmbId>105</MmbId>", "<MmbId>104</MmbId>", "header and debtor agent disagree"),
        ("</Dbtr>", "</Dbtr>\n<Extra>1</Extra>", "unknown element"),
        ("<NbOfTxs>1</NbOfTxs>", "<NbOfTxs>2</NbOfTxs>", "more than one transaction"),
        ("pacs.003.001.02", "pacs.008.001.02", "namespace of another message"),
        ("<Dbtr>", "<Dbtr>x", "mixed content"),
        ("<Nm>张伟</Nm>", "<Nm>张伟</Nm><Nm>张伟</Nm>", "repeated element"),
        ("</Cdtr>\n", "</Cdtr>\n<Cdtr><Nm>李雷</Nm></Cdtr>\n", "second creditor"),
        ("<MsgId>0190f7a28c4e7b1a9d3f2a6b8c1d4e5f</MsgId>", "<MsgId>0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f</MsgId>", "MsgId with hyphens"),
        ("2026-11-23T02:00:00.125Z", "2026-11-23 02:00", "bad timestamp"),
        ("<DbtrAcct>", "<DbtrAcct Foo=\"1\">", "unknown attribute"),
        ("<Ustrd>", "<ns:Ustrd>", "namespace prefix"),
        ("&amp;", "&nbsp;", "unknown entity"),
        ("&amp;", "&", "bare ampersand"),
        ("</CnapsMsg>", "</CnapsMsg><CnapsMsg/>", "two roots"),
        ("<MmbId>999</MmbId>", "<MmbId>99</MmbId>", "two-digit bank code"),
        ("<Id>6217000010012345677</Id>", "<Id>6217 0000</Id>", "account number with a space"),
        ("<Nm>张伟</Nm>", "<Nm>  </Nm>", "blank name"),
        ("<Ustrd>", "<Ustrd><![CDATA[x]]>", "CDATA"),
    ])
    func tampered(_ find: String, _ replacement: String, _ label: String) throws {
        let valid = try InterbankCodec.encode(sampleEnvelopes[6])
        #expect(valid.contains(find), "fixture must contain \(find)")
        let xml = valid.replacing(find, with: replacement, maxReplacements: 1)
        let error = #expect(throws: DomainError.self, "\(label)") { try InterbankCodec.decode(xml) }
        #expect(error?.code == .interbankMessageInvalid, "\(label)")
    }

    @Test("Amounts out of format or not in CNY are refused when read")
    func tamperedAmounts() throws {
        let valid = try InterbankCodec.encode(sampleEnvelopes[6])
        let tooFewDecimals = valid.replacing(">123.45<", with: ">123.4<")
        #expect((#expect(throws: DomainError.self) { try InterbankCodec.decode(tooFewDecimals) })?.code == .interbankAmountInvalid)
        let zero = valid.replacing(">123.45<", with: ">0.00<")
        #expect((#expect(throws: DomainError.self) { try InterbankCodec.decode(zero) })?.code == .interbankAmountInvalid)
        let dollars = valid.replacing("Ccy=\"CNY\"", with: "Ccy=\"USD\"")
        #expect((#expect(throws: DomainError.self) { try InterbankCodec.decode(dollars) })?.code == .interbankMessageInvalid)
    }

    @Test("Whitespace, quoting and references that XML allows are read")
    func lenientButStrict() throws {
        let valid = try InterbankCodec.encode(sampleEnvelopes[6])
        let variant = valid
            .replacing("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "<?xml version='1.0'?>")
            .replacing("\n", with: "\r\n")
            .replacing("Ccy=\"CNY\"", with: "Ccy = 'CNY'")
            .replacing("&lt;e-account&gt;", with: "&#60;e-account&#x3E;")
        #expect(try InterbankCodec.decode(variant) == sampleEnvelopes[6])
    }

    @Test("Fields out of format are refused when written")
    func encodeChecks() {
        var debit = sampleDebit
        debit.amountFen = -100
        let negative = #expect(throws: DomainError.self) {
            try InterbankCodec.encode(InterbankEnvelope(senderBankCode: "999", receiverBankCode: "105", message: .onlineDebit(
                OnlineDebit(createdAt: sampleTime, instruction: debit, creditorBankCode: "999"))))
        }
        #expect(negative?.code == .interbankAmountInvalid)
        debit = sampleDebit
        debit.debtorName = "张\u{0}伟"
        let control = #expect(throws: DomainError.self) {
            try InterbankCodec.encode(InterbankEnvelope(senderBankCode: "999", receiverBankCode: "105", message: .onlineDebit(
                OnlineDebit(createdAt: sampleTime, instruction: debit, creditorBankCode: "999"))))
        }
        #expect(control?.code == .interbankMessageInvalid)
        debit = sampleDebit
        debit.remittanceInfo = String(repeating: "付", count: 141)
        #expect(throws: DomainError.self) {
            try InterbankCodec.encode(InterbankEnvelope(senderBankCode: "999", receiverBankCode: "105", message: .onlineDebit(
                OnlineDebit(createdAt: sampleTime, instruction: debit, creditorBankCode: "999"))))
        }
        let unknownField = #expect(throws: DomainError.self) {
            try InterbankCodec.encode(InterbankEnvelope(senderBankCode: "105", receiverBankCode: "999", message: .accountQueryAnswer(
                AccountQueryAnswer(messageID: otherID, createdAt: sampleTime, originalMessageID: sampleID,
                                   outcome: .mismatched(fields: ["birthday"])))))
        }
        #expect(unknownField?.code == .interbankMessageInvalid)
    }
}

@Suite("Luhn check digits")
struct LuhnTests {
    @Test("Valid and invalid numbers", arguments: [
        ("79927398713", true), ("79927398710", false), ("4111111111111111", true), ("4111111111111112", false),
        ("6217000010012345677", true), ("6217000010012345678", false), ("6225880123456783", true),
        ("6228480012345678903", true), ("0000000000", true), ("18", true), ("", false), ("0", false),
        ("4111 1111 1111 1111", false), ("411111111111111a", false), ("４１１１", false),
    ])
    func validity(_ number: String, _ valid: Bool) {
        #expect(Luhn.isValid(number) == valid)
    }

    @Test("Check digits", arguments: [
        ("7992739871", Character("3")), ("621700001001234567", "7"), ("622588012345678", "3"),
        ("622848001234567890", "3"), ("411111111111111", "1"), ("0", "0"), ("1", "8"),
    ])
    func checkDigit(_ payload: String, _ digit: Character) {
        #expect(Luhn.checkDigit(for: payload) == digit)
        #expect(Luhn.isValid(payload + String(digit)))
    }

    @Test("Every directory card is Luhn-valid, every ID has its GB 11643 check character, every mobile is 1[3-9]…")
    func directory() {
        #expect(InterbankSimulator.demoAccounts.map(\.accountNumber) == ["6217000010012345677", "6225880123456783", "6228480012345678903"])
        #expect(InterbankSimulator.demoAccounts.map(\.idNumber) == ["110101199003074514", "31010419850715232X", "440306199506120024"])
        for account in InterbankSimulator.directoryAccounts {
            #expect(Luhn.isValid(account.accountNumber), "\(account.holderName) \(account.accountNumber)")
            #expect([16, 19].contains(account.accountNumber.count))
            #expect(residentIDCheckIsValid(account.idNumber), "\(account.holderName) \(account.idNumber)")
            let mobile = Array(account.mobile.utf8)
            #expect(mobile.count == 11 && mobile[0] == UInt8(ascii: "1") && (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(mobile[1]))
        }
        #expect(!residentIDCheckIsValid("310104198507152323"))
    }
}

@Suite("Interbank simulator")
struct InterbankSimulatorTests {
    @Test("Four-element verification: matched, each mismatch, not found, unavailable, unknown bank")
    func verification() async throws {
        let f = try await InterbankFixture.make()
        let zhang = InterbankSimulator.demoZhangWei.fourElements
        #expect(try await f.network.verifyAccount(zhang) == .matched)
        for account in InterbankSimulator.directoryAccounts where account.status == .open {
            #expect(try await f.network.verifyAccount(account.fourElements) == .matched)
        }
        var wang = InterbankSimulator.demoWangFang.fourElements
        wang.idNumber = "31010419850715232x"
        #expect(try await f.network.verifyAccount(wang) == .matched, "the check character may be lowercase")

        var other = zhang
        other.holderName = "张三"
        #expect(try await f.network.verifyAccount(other) == .mismatched(fields: ["name"]))
        other = zhang
        other.idNumber = "110101199003074522"
        #expect(try await f.network.verifyAccount(other) == .mismatched(fields: ["id_number"]))
        other = zhang
        other.mobile = "13800138001"
        #expect(try await f.network.verifyAccount(other) == .mismatched(fields: ["mobile"]))
        other = InterbankSimulator.demoWangFang.fourElements
        other.accountNumber = zhang.accountNumber
        other.bankCode = zhang.bankCode
        #expect(try await f.network.verifyAccount(other) == .mismatched(fields: ["name", "id_number", "mobile"]))

        other = zhang
        other.accountNumber = "6217000010012345685"
        #expect(try await f.network.verifyAccount(other) == .accountNotFound)
        other.bankCode = "104"
        other.accountNumber = zhang.accountNumber
        #expect(try await f.network.verifyAccount(other) == .accountNotFound, "the number exists, at another bank")

        let closed = try #require(InterbankSimulator.directoryAccounts.first { $0.status == .closed })
        #expect(try await f.network.verifyAccount(closed.fourElements) == .accountUnavailable)
        let frozen = try #require(InterbankSimulator.directoryAccounts.first { $0.status == .frozen })
        #expect(try await f.network.verifyAccount(frozen.fourElements) == .accountUnavailable)

        other = zhang
        other.bankCode = "201"
        #expect(try await f.network.verifyAccount(other) == .unknownBank)

        other.bankCode = "12"
        let bad = await #expect(throws: DomainError.self) { try await f.network.verifyAccount(other) }
        #expect(bad?.code == .interbankMessageInvalid)
        await f.finish()
    }

    @Test("A debit moves the other bank's balance; AM04 when it is short")
    func debit() async throws {
        let f = try await InterbankFixture.make()
        let zhang = InterbankSimulator.demoZhangWei
        #expect(try await f.balance(zhang) == 500_000_00)
        let instruction = f.debit(zhang, amountFen: 1_234_56)
        let receipt = try await f.network.debit(instruction)
        #expect(receipt == InterbankReceipt(messageID: instruction.messageID, status: .accepted, processedAt: f.clock.now))
        #expect(try await f.balance(zhang) == 500_000_00 - 1_234_56)

        let poor = try #require(InterbankSimulator.directoryAccounts.first { $0.holderName == "吴霞" })
        #expect(try await f.balance(poor) == 88_00)
        let short = try await f.network.debit(f.debit(poor, amountFen: 88_01))
        #expect(short.status == .rejected(reasonCode: "AM04", reason: "Insufficient funds"))
        #expect(try await f.balance(poor) == 88_00)
        let exact = try await f.network.debit(f.debit(poor, amountFen: 88_00))
        #expect(exact.status == .accepted)
        #expect(try await f.balance(poor) == 0)
        await f.finish()
    }

    @Test("Debits refused for what the account is: AC01, AC04, AG01, RR01, RC01")
    func debitRefusals() async throws {
        let f = try await InterbankFixture.make()
        let zhang = InterbankSimulator.demoZhangWei
        func code(_ instruction: DebitInstruction) async throws -> String? {
            if case .rejected(let code, _) = try await f.network.debit(instruction).status { return code }
            return nil
        }
        var missing = f.debit(zhang, amountFen: 100)
        missing.debtorAccountNumber = "6217000010012345685"
        #expect(try await code(missing) == "AC01")
        let closed = try #require(InterbankSimulator.directoryAccounts.first { $0.status == .closed })
        #expect(try await code(f.debit(closed, amountFen: 100)) == "AC04")
        let frozen = try #require(InterbankSimulator.directoryAccounts.first { $0.status == .frozen })
        #expect(try await code(f.debit(frozen, amountFen: 100)) == "AG01")
        #expect(try await f.balance(frozen) == 30_000_00)
        #expect(try await code(f.debit(zhang, amountFen: 100, name: "张三")) == "RR01")
        var unknownBank = f.debit(zhang, amountFen: 100)
        unknownBank.bankCode = "201"
        #expect(try await code(unknownBank) == "RC01")
        #expect(try await f.balance(zhang) == 500_000_00)
        await f.finish()
    }

    @Test("Repeating a MsgId returns the first receipt and moves money once; another body under it is refused")
    func idempotency() async throws {
        let f = try await InterbankFixture.make()
        let wang = InterbankSimulator.demoWangFang
        let instruction = f.debit(wang, amountFen: 500_00)
        let first = try await f.network.debit(instruction)
        f.clock.advance(seconds: 30)
        let again = try await f.network.debit(instruction)
        #expect(again == first, "same receipt, first processing time")
        #expect(try await f.balance(wang) == 200_000_00 - 500_00)

        var changed = instruction
        changed.amountFen = 600_00
        let reused = try await f.network.debit(changed)
        #expect(reused.messageID == instruction.messageID)
        #expect(reused.status == .rejected(reasonCode: "AM05", reason: "Message id already used for a different instruction"))
        #expect(try await f.balance(wang) == 200_000_00 - 500_00)

        // A refused instruction is also answered once: topping up later does not turn it into a success.
        let poor = try #require(InterbankSimulator.directoryAccounts.first { $0.holderName == "吴霞" })
        let tooMuch = f.debit(poor, amountFen: 100_00)
        let refused = try await f.network.debit(tooMuch)
        _ = try await f.network.credit(f.credit(poor, amountFen: 1_000_00))
        #expect(try await f.network.debit(tooMuch) == refused)

        // The raw simulator returns byte-identical XML for the repeat.
        let xml = try InterbankCodec.encode(InterbankEnvelope(senderBankCode: "999", receiverBankCode: wang.bankCode, message:
            .onlineDebit(OnlineDebit(createdAt: f.clock.now, instruction: instruction, creditorBankCode: "999"))))
        #expect(try await f.simulator.handle(xml) == f.simulator.handle(xml))
        await f.finish()
    }

    @Test("Concurrent repeats of one MsgId move money once")
    func concurrentRepeats() async throws {
        let f = try await InterbankFixture.make()
        let zhao = InterbankSimulator.browserTestZhaoMin
        let instruction = f.debit(zhao, amountFen: 10_00)
        let network = f.network
        let receipts = try await withThrowingTaskGroup(of: InterbankReceipt.self) { group in
            for _ in 0..<8 { group.addTask { try await network.debit(instruction) } }
            return try await group.reduce(into: [InterbankReceipt]()) { $0.append($1) }
        }
        #expect(Set(receipts).count == 1)
        #expect(receipts.first?.status == .accepted)
        #expect(try await f.balance(zhao) == 100_000_00 - 10_00)
        await f.finish()
    }

    @Test("A credit adds to the other bank's balance; refused for closed and unknown accounts")
    func credit() async throws {
        let f = try await InterbankFixture.make()
        let wang = InterbankSimulator.demoWangFang
        let instruction = f.credit(wang, amountFen: 8_888_88)
        let receipt = try await f.network.credit(instruction)
        #expect(receipt == InterbankReceipt(messageID: instruction.messageID, status: .accepted, processedAt: f.clock.now))
        #expect(try await f.balance(wang) == 200_000_00 + 8_888_88)
        #expect(try await f.network.credit(instruction) == receipt)
        #expect(try await f.balance(wang) == 200_000_00 + 8_888_88)

        let closed = try #require(InterbankSimulator.directoryAccounts.first { $0.status == .closed })
        #expect(try await f.network.credit(f.credit(closed, amountFen: 1)).status == .rejected(reasonCode: "AC04", reason: "Account is closed"))
        var missing = f.credit(wang, amountFen: 1)
        missing.creditorAccountNumber = "6225880123456791"
        #expect(try await f.network.credit(missing).status == .rejected(reasonCode: "AC01", reason: "Account number is invalid or does not exist"))

        var negative = f.credit(wang, amountFen: 1)
        negative.amountFen = 0
        let zero = await #expect(throws: DomainError.self) { try await f.network.credit(negative) }
        #expect(zero?.code == .interbankAmountInvalid)
        await f.finish()
    }

    @Test("Seeding twice changes nothing; participants, test accounts and status changes")
    func directory() async throws {
        let f = try await InterbankFixture.make()
        let zhang = InterbankSimulator.demoZhangWei
        _ = try await f.network.debit(f.debit(zhang, amountFen: 1_00))
        try await f.simulator.seedDirectory()
        #expect(try await f.balance(zhang) == 500_000_00 - 1_00, "re-seeding keeps balances")
        let participants = try await f.network.participants()
        #expect(participants.map(\.bankCode) == ["102", "103", "104", "105", "301", "308"])
        #expect(participants.first { $0.bankCode == "105" }?.name == "中国建设银行")
        #expect(participants.first { $0.bankCode == "308" }?.nameEnglish == "China Merchants Bank")

        let payload = "621700999900001234"
        let mine = SimulatedAccount(bankCode: "105", accountNumber: payload + String(Luhn.checkDigit(for: payload)),
                                    holderName: "欧阳娜娜", idNumber: "11010519900101002X", mobile: "13600000000", balanceFen: 1_00)
        try await f.simulator.addTestAccount(mine)
        #expect(try await f.network.verifyAccount(mine.fourElements) == .matched)
        let duplicate = await #expect(throws: DomainError.self) { try await f.simulator.addTestAccount(mine) }
        #expect(duplicate?.code == .conflict)
        var elsewhere = mine
        elsewhere.bankCode = "201"
        let unknown = await #expect(throws: DomainError.self) { try await f.simulator.addTestAccount(elsewhere) }
        #expect(unknown?.code == .notFound)
        try await f.simulator.addParticipant(Participant(bankCode: "201", name: "国家开发银行", nameEnglish: "China Development Bank"))
        try await f.simulator.addTestAccount(elsewhere)
        #expect(try await f.network.verifyAccount(elsewhere.fourElements) == .matched)

        #expect(try await f.simulator.setStatus(.frozen, bankCode: mine.bankCode, accountNumber: mine.accountNumber))
        #expect(try await f.network.verifyAccount(mine.fourElements) == .accountUnavailable)
        #expect(try await f.simulator.balance(bankCode: "105", accountNumber: "1") == nil)
        await f.finish()
    }

    @Test("The simulator refuses garbage and answers sent as requests")
    func rawRequests() async throws {
        let f = try await InterbankFixture.make()
        let garbage = await #expect(throws: DomainError.self) { try await f.simulator.handle("<CnapsMsg>") }
        #expect(garbage?.code == .interbankMessageInvalid)
        let receipt = try InterbankCodec.encode(sampleEnvelopes[7])
        let wrongWay = await #expect(throws: DomainError.self) { try await f.simulator.handle(receipt) }
        #expect(wrongWay?.code == .interbankMessageUnexpected)

        let reply = try await f.simulator.handle(InterbankCodec.encode(sampleEnvelopes[0]))
        let decoded = try InterbankCodec.decode(reply)
        #expect(decoded.senderBankCode == "105")
        #expect(decoded.receiverBankCode == "999")
        guard case .accountQueryAnswer(let answer) = decoded.message else {
            Issue.record("expected ibps.310, got \(decoded.type)")
            await f.finish()
            return
        }
        #expect(answer.originalMessageID == sampleID)
        #expect(answer.outcome == .matched)
        await f.finish()
    }
}
