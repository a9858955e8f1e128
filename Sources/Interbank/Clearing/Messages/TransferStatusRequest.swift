import BankKit

/// pacs.028.001.03 FI to FI payment status request: "where does this transfer stand?"
///
/// ```xml
/// <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.028.001.03">
///   <FIToFIPmtStsReq>
///     <GrpHdr><MsgId>…</MsgId><CreDtTm>…</CreDtTm><InstgAgt>…999…</InstgAgt><InstdAgt>…000…</InstdAgt></GrpHdr>
///     <OrgnlGrpInf><OrgnlMsgId>…</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId></OrgnlGrpInf>
///   </FIToFIPmtStsReq>
/// </Document>
/// ```
///
/// The asking bank (`InstgAgt`) must be the transfer's debtor or creditor agent; the clearing
/// house answers anyone else as it answers an id it never saw.
public struct TransferStatusRequest: Sendable, Hashable {
    public var messageID: RongID
    public var createdAt: Timestamp
    /// `GrpHdr/InstgAgt`: the bank asking.
    public var requesterBankCode: String
    /// `GrpHdr/InstdAgt`: the clearing house, when named.
    public var instructedBankCode: String?
    /// The transfer asked about.
    public var originalMessageID: RongID
    public var originalMessageName: ISO20022MessageName

    public init(messageID: RongID, createdAt: Timestamp, requesterBankCode: String, instructedBankCode: String? = nil,
                originalMessageID: RongID, originalMessageName: ISO20022MessageName = .customerCreditTransfer) {
        self.messageID = messageID
        self.createdAt = createdAt
        self.requesterBankCode = requesterBankCode
        self.instructedBankCode = instructedBankCode
        self.originalMessageID = originalMessageID
        self.originalMessageName = originalMessageName
    }

    func write(_ writer: inout XMLWriter) throws {
        let request = self
        try writer.element(ISO20022MessageName.paymentStatusRequest.rootElement) { w in
            try w.element("GrpHdr") { w in
                try w.leaf("MsgId", MessageFields.messageIDText(request.messageID))
                try w.leaf("CreDtTm", MessageFields.timeText(request.createdAt))
                try MessageFields.writeAgent(&w, "InstgAgt", bankCode: request.requesterBankCode)
                try ISOFields.writeOptionalAgent(&w, "InstdAgt", bankCode: request.instructedBankCode)
            }
            try w.element("OrgnlGrpInf") { w in
                try ISOFields.writeOriginal(&w, id: request.originalMessageID, name: request.originalMessageName)
            }
        }
    }

    static func read(_ root: XMLElementNode) throws -> TransferStatusRequest {
        var reader = try ElementReader(root)
        var header = try reader.nested("GrpHdr")
        let id = try MessageFields.messageID(header.text("MsgId"))
        let createdAt = try MessageFields.time(header.text("CreDtTm"), "CreDtTm")
        let requester = try MessageFields.readAgent(&header, "InstgAgt")
        let instructed = try ISOFields.readOptionalAgent(&header, "InstdAgt")
        try header.finish()
        var group = try reader.nested("OrgnlGrpInf")
        let original = try ISOFields.readOriginal(&group)
        try group.finish()
        try reader.finish()
        return TransferStatusRequest(messageID: id, createdAt: createdAt, requesterBankCode: requester, instructedBankCode: instructed,
                                     originalMessageID: original.id, originalMessageName: original.name)
    }
}
