import BankKit

/// The `GrpHdr` of a single-transaction pacs.003 / pacs.008 message: message id, creation time,
/// one transaction, settled through the clearing system (`CLRG`).
enum PaymentGroupHeader {
    static func write(_ writer: inout XMLWriter, id: RongID, createdAt: Timestamp) throws {
        try writer.element("GrpHdr") { w in
            try w.leaf("MsgId", MessageFields.messageIDText(id))
            try w.leaf("CreDtTm", MessageFields.timeText(createdAt))
            try w.leaf("NbOfTxs", "1")
            try w.path("SttlmInf/SttlmMtd", "CLRG")
        }
    }

    static func read(_ reader: inout ElementReader) throws -> (id: RongID, createdAt: Timestamp) {
        var header = try reader.nested("GrpHdr")
        let id = try MessageFields.messageID(header.text("MsgId"))
        let createdAt = try MessageFields.time(header.text("CreDtTm"), "CreDtTm")
        guard try header.text("NbOfTxs") == "1" else { throw DomainError.interbankMessage("NbOfTxs must be 1") }
        guard try header.text("SttlmInf/SttlmMtd") == "CLRG" else { throw DomainError.interbankMessage("SttlmMtd must be CLRG") }
        try header.finish()
        return (id, createdAt)
    }
}
