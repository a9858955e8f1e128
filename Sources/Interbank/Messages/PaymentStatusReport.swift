import BankKit

/// ibps.102 / ibps.104 receipt: the other bank settled (`ACSC`) or refused (`RJCT`) a credit or debit.
///
/// The body follows ISO 20022 pacs.002 (FI to FI payment status report):
///
/// ```xml
/// <FIToFIPmtStsRpt>
///   <GrpHdr><MsgId>…</MsgId><CreDtTm>…</CreDtTm></GrpHdr>
///   <OrgnlGrpInfAndSts><OrgnlMsgId>…</OrgnlMsgId><OrgnlMsgNmId>pacs.003.001.02</OrgnlMsgNmId></OrgnlGrpInfAndSts>
///   <TxInfAndSts>
///     <TxSts>RJCT</TxSts>
///     <StsRsnInf><Rsn><Cd>AM04</Cd></Rsn><AddtlInf>Insufficient funds</AddtlInf></StsRsnInf>
///     <AccptncDtTm>…</AccptncDtTm>
///   </TxInfAndSts>
/// </FIToFIPmtStsRpt>
/// ```
public struct PaymentStatusReport: Sendable, Hashable {
    public var messageID: RongID
    public var createdAt: Timestamp
    /// The `MsgId` of the ibps.101 / ibps.103 this answers.
    public var originalMessageID: RongID
    public var status: InterbankReceipt.Status
    /// When the other bank settled or refused the instruction.
    public var processedAt: Timestamp

    public init(messageID: RongID, createdAt: Timestamp, originalMessageID: RongID,
                status: InterbankReceipt.Status, processedAt: Timestamp) {
        self.messageID = messageID
        self.createdAt = createdAt
        self.originalMessageID = originalMessageID
        self.status = status
        self.processedAt = processedAt
    }

    /// The receipt as `InterbankNetwork` returns it, keyed by the original instruction's id.
    public var receipt: InterbankReceipt {
        InterbankReceipt(messageID: originalMessageID, status: status, processedAt: processedAt)
    }

    static let rootName = "FIToFIPmtStsRpt"

    /// Writes the report on `original` (ibps.101 or ibps.103), whose ISO name goes in `OrgnlMsgNmId`.
    func write(_ writer: inout XMLWriter, answering original: CNAPSMessageType) throws {
        if case .rejected(let code, let reason) = status {
            try Self.checkReasonCode(code)
            try MessageFields.checkText(reason, field: "reason", maximum: MessageFields.reasonCharactersMax)
        }
        try writer.element(Self.rootName) { w in
            try MessageFields.writeHeader(&w, "GrpHdr", id: messageID, createdAt: createdAt)
            try w.element("OrgnlGrpInfAndSts") { w in
                try w.leaf("OrgnlMsgId", MessageFields.messageIDText(originalMessageID))
                try w.leaf("OrgnlMsgNmId", original.isoMessageName)
            }
            try w.element("TxInfAndSts") { w in
                switch status {
                case .accepted:
                    try w.leaf("TxSts", "ACSC")
                case .rejected(let code, let reason):
                    try w.leaf("TxSts", "RJCT")
                    try w.element("StsRsnInf") { w in
                        try w.path("Rsn/Cd", code)
                        try w.leaf("AddtlInf", reason)
                    }
                }
                try w.leaf("AccptncDtTm", MessageFields.timeText(processedAt))
            }
        }
    }

    /// Reads a report, which must answer `original`.
    static func read(_ root: XMLElementNode, answering original: CNAPSMessageType) throws -> PaymentStatusReport {
        var reader = try ElementReader(root)
        let header = try MessageFields.readHeader(&reader, "GrpHdr")
        var group = try reader.nested("OrgnlGrpInfAndSts")
        let originalID = try MessageFields.messageID(group.text("OrgnlMsgId"))
        guard try group.text("OrgnlMsgNmId") == original.isoMessageName else {
            throw DomainError.interbankMessage("OrgnlMsgNmId must be \(original.isoMessageName)")
        }
        try group.finish()
        var transaction = try reader.nested("TxInfAndSts")
        let status: InterbankReceipt.Status
        switch try transaction.text("TxSts") {
        case "ACSC":
            status = .accepted
        case "RJCT":
            var reasonInfo = try transaction.nested("StsRsnInf")
            let code = try reasonInfo.text("Rsn/Cd")
            try checkReasonCode(code)
            let reason = try reasonInfo.text("AddtlInf")
            try MessageFields.checkText(reason, field: "reason", maximum: MessageFields.reasonCharactersMax)
            try reasonInfo.finish()
            status = .rejected(reasonCode: code, reason: reason)
        default:
            throw DomainError.interbankMessage("TxSts must be ACSC or RJCT")
        }
        let processedAt = try MessageFields.time(transaction.text("AccptncDtTm"), "AccptncDtTm")
        try transaction.finish()
        try reader.finish()
        return PaymentStatusReport(messageID: header.id, createdAt: header.createdAt, originalMessageID: originalID,
                                   status: status, processedAt: processedAt)
    }

    /// ISO external codes are four uppercase letters and digits (`AM04`).
    static func checkReasonCode(_ code: String) throws {
        guard code.utf8.count == 4, code.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }) else {
            throw DomainError.interbankMessage("reason code '\(code.prefix(8))' is not four uppercase letters and digits")
        }
    }
}
