// Where a live adapter plugs in
// -----------------------------
// This type and a live adapter differ in one line: `simulator.handle(xml)`. A live
// `InterbankNetwork` builds the same envelopes with `InterbankCodec`, sends the XML to the
// bank's CNAPS front-end processor (前置机) — over the bank's message queue (IBM MQ / TongLINK/Q
// in most Chinese banks) or its HTTP gateway, signed as the processor requires — and decodes
// the ibps.310 / 102 / 104 that comes back on the reply queue, matched by `OrgnlMsgId`. Retries
// resend the same XML with the same MsgId; the receiving bank answers a repeat with its first
// receipt, which is what `InterbankSimulator` does too.

import BankKit

/// `InterbankNetwork` over the in-process `InterbankSimulator`: each call is encoded as the
/// CNAPS2 XML the live network takes, handed to the simulator, and its XML reply decoded.
///
/// So the codec, the idempotency of money-moving messages and the reason codes are exercised
/// on every call, in development and in tests, exactly as they would be against real banks.
public struct SimulatedInterbankNetwork: InterbankNetwork {
    /// Rong's participant code in the simulated network: outside the ranges real banks use.
    public static let defaultOwnBankCode = "999"

    public let simulator: InterbankSimulator
    /// Stamps `CreDtTm` on outgoing messages.
    public let clock: BankClock
    /// Makes the `MsgId` of account queries (debits and credits bring their own).
    public let ids: IDGenerator
    /// This bank's participant code, the sender of every request.
    public let ownBankCode: String

    public init(simulator: InterbankSimulator, clock: BankClock, ids: IDGenerator = .live,
                ownBankCode: String = SimulatedInterbankNetwork.defaultOwnBankCode) {
        self.simulator = simulator
        self.clock = clock
        self.ids = ids
        self.ownBankCode = ownBankCode
    }

    /// Sends an ibps.309 and reads the ibps.310.
    public func verifyAccount(_ elements: FourElements) async throws -> VerificationOutcome {
        let query = AccountQuery(messageID: ids.next(), createdAt: clock.now(), elements: elements)
        let reply = try await exchange(InterbankEnvelope(senderBankCode: ownBankCode, receiverBankCode: elements.bankCode,
                                                         message: .accountQuery(query)))
        guard case .accountQueryAnswer(let answer) = reply.message, answer.originalMessageID == query.messageID else {
            throw Self.wrongReply(reply, expected: .accountQueryAnswer)
        }
        return answer.outcome
    }

    /// Sends an ibps.103 and reads the ibps.104.
    public func debit(_ instruction: DebitInstruction) async throws -> InterbankReceipt {
        let debit = OnlineDebit(createdAt: clock.now(), instruction: instruction, creditorBankCode: ownBankCode)
        let reply = try await exchange(InterbankEnvelope(senderBankCode: ownBankCode, receiverBankCode: instruction.bankCode,
                                                         message: .onlineDebit(debit)))
        guard case .onlineDebitReceipt(let report) = reply.message, report.originalMessageID == instruction.messageID else {
            throw Self.wrongReply(reply, expected: .onlineDebitReceipt)
        }
        return report.receipt
    }

    /// Sends an ibps.101 and reads the ibps.102.
    public func credit(_ instruction: CreditInstruction) async throws -> InterbankReceipt {
        let credit = OnlineCredit(createdAt: clock.now(), instruction: instruction, debtorBankCode: ownBankCode)
        let reply = try await exchange(InterbankEnvelope(senderBankCode: ownBankCode, receiverBankCode: instruction.bankCode,
                                                         message: .onlineCredit(credit)))
        guard case .onlineCreditReceipt(let report) = reply.message, report.originalMessageID == instruction.messageID else {
            throw Self.wrongReply(reply, expected: .onlineCreditReceipt)
        }
        return report.receipt
    }

    /// The simulator's participant directory (a live adapter loads CNAPS's bank-code file instead).
    public func participants() async throws -> [Participant] {
        try await simulator.participants()
    }

    /// Encodes (a bad field throws `interbank_message_invalid` here, before anything is sent),
    /// exchanges, and decodes; a reply that does not decode is the other side's fault (502).
    private func exchange(_ request: InterbankEnvelope) async throws -> InterbankEnvelope {
        let replyXML = try await simulator.handle(InterbankCodec.encode(request))
        do {
            return try InterbankCodec.decode(replyXML)
        } catch let error as DomainError {
            throw DomainError(.interbankReplyInvalid, "The other bank's reply could not be read: \(error.detail)", status: 502)
        }
    }

    private static func wrongReply(_ reply: InterbankEnvelope, expected: CNAPSMessageType) -> DomainError {
        DomainError(.interbankReplyInvalid, "Expected \(expected.rawValue) answering this request, got \(reply.type.rawValue).", status: 502)
    }
}
