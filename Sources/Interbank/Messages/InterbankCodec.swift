import BankKit

/// Writes and reads CNAPS2 messages (`InterbankEnvelope` ↔ XML text).
///
/// Both directions apply the same checks: field formats, element order, the `Document`
/// namespace matching `MsgTp`, and the header agreeing with the body (a debit goes to the
/// debtor's bank from the creditor's). Anything else throws `interbank_message_invalid`
/// (or `interbank_amount_invalid` for an amount), never a partial message.
public enum InterbankCodec {
    static let rootName = "CnapsMsg"

    /// The XML text of `envelope`.
    public static func encode(_ envelope: InterbankEnvelope) throws -> String {
        try checkHeaderAgreesWithBody(envelope)
        var writer = XMLWriter()
        try writer.element(rootName) { w in
            try w.element("Hdr") { w in
                try w.leaf("MsgTp", envelope.type.rawValue)
                try w.leaf("OrigSndr", envelope.senderBankCode)
                try w.leaf("OrigRcvr", envelope.receiverBankCode)
            }
            try w.element("Document", attributes: ["xmlns": envelope.type.namespace]) { w in
                switch envelope.message {
                case .accountQuery(let query): try query.write(&w)
                case .accountQueryAnswer(let answer): try answer.write(&w)
                case .onlineCredit(let credit): try credit.write(&w)
                case .onlineCreditReceipt(let report): try report.write(&w, answering: .onlineCredit)
                case .onlineDebit(let debit): try debit.write(&w)
                case .onlineDebitReceipt(let report): try report.write(&w, answering: .onlineDebit)
                }
            }
        }
        return writer.output
    }

    /// Reads one message, rejecting anything malformed, unknown or inconsistent.
    public static func decode(_ xml: String) throws -> InterbankEnvelope {
        let root = try StrictXMLParser.parse(xml)
        guard root.name == rootName else { throw DomainError.interbankMessage("root element must be <\(rootName)>") }
        var reader = try ElementReader(root)
        var header = try reader.nested("Hdr")
        let typeText = try header.text("MsgTp")
        guard let type = CNAPSMessageType(rawValue: typeText) else {
            throw DomainError.interbankMessage("unknown MsgTp '\(typeText.prefix(20))'")
        }
        let sender = try header.text("OrigSndr")
        let receiver = try header.text("OrigRcvr")
        try header.finish()
        let documentNode = try reader.child("Document")
        try reader.finish()
        guard documentNode.attributes["xmlns"] == type.namespace else {
            throw DomainError.interbankMessage("\(type.rawValue) needs Document xmlns=\"\(type.namespace)\"")
        }
        var document = try ElementReader(documentNode, allowedAttributes: ["xmlns"])
        let message: InterbankMessage
        switch type {
        case .accountQuery: message = .accountQuery(try AccountQuery.read(document.child(AccountQuery.rootName)))
        case .accountQueryAnswer: message = .accountQueryAnswer(try AccountQueryAnswer.read(document.child(AccountQueryAnswer.rootName)))
        case .onlineCredit: message = .onlineCredit(try OnlineCredit.read(document.child(OnlineCredit.rootName)))
        case .onlineCreditReceipt:
            message = .onlineCreditReceipt(try PaymentStatusReport.read(document.child(PaymentStatusReport.rootName), answering: .onlineCredit))
        case .onlineDebit: message = .onlineDebit(try OnlineDebit.read(document.child(OnlineDebit.rootName)))
        case .onlineDebitReceipt:
            message = .onlineDebitReceipt(try PaymentStatusReport.read(document.child(PaymentStatusReport.rootName), answering: .onlineDebit))
        }
        try document.finish()
        let envelope = InterbankEnvelope(senderBankCode: sender, receiverBankCode: receiver, message: message)
        try checkHeaderAgreesWithBody(envelope)
        return envelope
    }

    /// Requests travel to the bank that holds the account, from the bank named as the other agent.
    static func checkHeaderAgreesWithBody(_ envelope: InterbankEnvelope) throws {
        try MessageFields.checkBankCode(envelope.senderBankCode)
        try MessageFields.checkBankCode(envelope.receiverBankCode)
        let expected: (sender: String?, receiver: String)?
        switch envelope.message {
        case .accountQuery(let query): expected = (nil, query.elements.bankCode)
        case .onlineDebit(let debit): expected = (debit.creditorBankCode, debit.instruction.bankCode)
        case .onlineCredit(let credit): expected = (credit.debtorBankCode, credit.instruction.bankCode)
        case .accountQueryAnswer, .onlineCreditReceipt, .onlineDebitReceipt: expected = nil
        }
        guard let expected else { return }
        guard envelope.receiverBankCode == expected.receiver, expected.sender.map({ $0 == envelope.senderBankCode }) ?? true else {
            throw DomainError.interbankMessage("header sender/receiver do not match the agents in the \(envelope.type.rawValue) body")
        }
    }
}
