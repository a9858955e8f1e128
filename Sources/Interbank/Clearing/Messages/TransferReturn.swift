import BankKit

/// pacs.004.001.09 payment return: the creditor's bank sends a settled transfer back, in full,
/// with an ISO return reason (`AC01` no such account, `AC04` closed, `BE01` name mismatch, …).
///
/// ```xml
/// <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.004.001.09">
///   <PmtRtr>
///     <GrpHdr>
///       <MsgId>…</MsgId><CreDtTm>…</CreDtTm><NbOfTxs>1</NbOfTxs>
///       <SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf>
///       <InstgAgt>…returning bank…</InstgAgt><InstdAgt>…original debtor's bank…</InstdAgt>
///     </GrpHdr>
///     <TxInf>
///       <RtrId>…</RtrId>
///       <OrgnlGrpInf><OrgnlMsgId>…</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId></OrgnlGrpInf>
///       <OrgnlEndToEndId>…</OrgnlEndToEndId>
///       <OrgnlIntrBkSttlmAmt Ccy="CNY">…</OrgnlIntrBkSttlmAmt>
///       <RtrdIntrBkSttlmAmt Ccy="CNY">…</RtrdIntrBkSttlmAmt>
///       <ChrgBr>SLEV</ChrgBr>
///       <RtrRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Account is closed</AddtlInf></RtrRsnInf>
///     </TxInf>
///   </PmtRtr>
/// </Document>
/// ```
public struct TransferReturn: Sendable, Hashable {
    public var messageID: RongID
    public var createdAt: Timestamp
    /// `GrpHdr/InstgAgt`: the bank returning the money (the original creditor's).
    public var returningBankCode: String
    /// `GrpHdr/InstdAgt`: the bank receiving it back (the original debtor's).
    public var receivingBankCode: String
    /// The transfer sent back (a pacs.008).
    public var originalMessageID: RongID
    public var originalEndToEndID: String?
    public var originalAmountFen: Int64?
    /// Always the whole original amount here (partial returns are refused by the clearing house).
    public var returnedAmountFen: Int64
    /// ISO ExternalReturnReason1Code, e.g. `AC04`.
    public var reasonCode: String
    public var reason: String

    public init(messageID: RongID, createdAt: Timestamp, returningBankCode: String, receivingBankCode: String,
                originalMessageID: RongID, originalEndToEndID: String? = nil, originalAmountFen: Int64? = nil,
                returnedAmountFen: Int64, reasonCode: String, reason: String) {
        self.messageID = messageID
        self.createdAt = createdAt
        self.returningBankCode = returningBankCode
        self.receivingBankCode = receivingBankCode
        self.originalMessageID = originalMessageID
        self.originalEndToEndID = originalEndToEndID
        self.originalAmountFen = originalAmountFen
        self.returnedAmountFen = returnedAmountFen
        self.reasonCode = reasonCode
        self.reason = reason
    }

    func write(_ writer: inout XMLWriter) throws {
        try ISOFields.checkExternalCode(reasonCode)
        try MessageFields.checkText(reason, field: "AddtlInf", maximum: MessageFields.reasonCharactersMax)
        if let originalEndToEndID { try ISOFields.checkReference(originalEndToEndID, field: "OrgnlEndToEndId") }
        let message = self
        try writer.element(ISO20022MessageName.paymentReturn.rootElement) { w in
            try w.element("GrpHdr") { w in
                try w.leaf("MsgId", MessageFields.messageIDText(message.messageID))
                try w.leaf("CreDtTm", MessageFields.timeText(message.createdAt))
                try w.leaf("NbOfTxs", "1")
                try w.path("SttlmInf/SttlmMtd", "CLRG")
                try MessageFields.writeAgent(&w, "InstgAgt", bankCode: message.returningBankCode)
                try MessageFields.writeAgent(&w, "InstdAgt", bankCode: message.receivingBankCode)
            }
            try w.element("TxInf") { w in
                try w.leaf("RtrId", MessageFields.messageIDText(message.messageID))
                try w.element("OrgnlGrpInf") { w in
                    try ISOFields.writeOriginal(&w, id: message.originalMessageID, name: .customerCreditTransfer)
                }
                if let endToEnd = message.originalEndToEndID { try w.leaf("OrgnlEndToEndId", endToEnd) }
                if let fen = message.originalAmountFen { try ISOFields.writeAmount(&w, "OrgnlIntrBkSttlmAmt", fen: fen) }
                try ISOFields.writeAmount(&w, "RtrdIntrBkSttlmAmt", fen: message.returnedAmountFen)
                try w.leaf("ChrgBr", "SLEV")
                try w.element("RtrRsnInf") { w in
                    try w.path("Rsn/Cd", message.reasonCode)
                    try w.leaf("AddtlInf", message.reason)
                }
            }
        }
    }

    static func read(_ root: XMLElementNode) throws -> TransferReturn {
        var reader = try ElementReader(root)
        var header = try reader.nested("GrpHdr")
        let id = try MessageFields.messageID(header.text("MsgId"))
        let createdAt = try MessageFields.time(header.text("CreDtTm"), "CreDtTm")
        guard try header.text("NbOfTxs") == "1" else { throw DomainError.interbankMessage("NbOfTxs must be 1") }
        guard try header.text("SttlmInf/SttlmMtd") == "CLRG" else { throw DomainError.interbankMessage("SttlmMtd must be CLRG") }
        let returning = try MessageFields.readAgent(&header, "InstgAgt")
        let receiving = try MessageFields.readAgent(&header, "InstdAgt")
        try header.finish()
        var transaction = try reader.nested("TxInf")
        guard try MessageFields.messageID(transaction.text("RtrId")) == id else {
            throw DomainError.interbankMessage("RtrId must equal the MsgId of a single-transaction return")
        }
        var group = try transaction.nested("OrgnlGrpInf")
        let original = try ISOFields.readOriginal(&group)
        try group.finish()
        guard original.name == .customerCreditTransfer else {
            throw DomainError.interbankMessage("a return must name a pacs.008.001.08 as its original")
        }
        let endToEnd = try transaction.optionalText("OrgnlEndToEndId")
        if let endToEnd { try ISOFields.checkReference(endToEnd, field: "OrgnlEndToEndId") }
        let originalAmount = try ISOFields.readOptionalAmount(&transaction, "OrgnlIntrBkSttlmAmt")
        let returnedAmount = try ISOFields.readAmount(&transaction, "RtrdIntrBkSttlmAmt")
        guard try transaction.text("ChrgBr") == "SLEV" else { throw DomainError.interbankMessage("ChrgBr must be SLEV") }
        var reasonInfo = try transaction.nested("RtrRsnInf")
        let code = try reasonInfo.text("Rsn/Cd")
        try ISOFields.checkExternalCode(code)
        let reason = try reasonInfo.text("AddtlInf")
        try MessageFields.checkText(reason, field: "AddtlInf", maximum: MessageFields.reasonCharactersMax)
        try reasonInfo.finish()
        try transaction.finish()
        try reader.finish()
        return TransferReturn(messageID: id, createdAt: createdAt, returningBankCode: returning, receivingBankCode: receiving,
                              originalMessageID: original.id, originalEndToEndID: endToEnd, originalAmountFen: originalAmount,
                              returnedAmountFen: returnedAmount, reasonCode: code, reason: reason)
    }
}
