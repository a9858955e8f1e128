import BankKit

/// pacs.008.001.08 FI to FI customer credit transfer: one transaction, settled through the
/// clearing system, charges shared by service level (`SLEV`).
///
/// ```xml
/// <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
///   <FIToFICstmrCdtTrf>
///     <GrpHdr>
///       <MsgId>…</MsgId><CreDtTm>…</CreDtTm><NbOfTxs>1</NbOfTxs>
///       <SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf>
///     </GrpHdr>
///     <CdtTrfTxInf>
///       <PmtId><EndToEndId>…</EndToEndId><TxId>…</TxId></PmtId>
///       <IntrBkSttlmAmt Ccy="CNY">123.45</IntrBkSttlmAmt>
///       <ChrgBr>SLEV</ChrgBr>
///       <Dbtr><Nm>…</Nm></Dbtr> <DbtrAcct>…</DbtrAcct> <DbtrAgt>…MmbId…</DbtrAgt>
///       <CdtrAgt>…MmbId…</CdtrAgt> <Cdtr><Nm>…</Nm></Cdtr> <CdtrAcct>…</CdtrAcct>
///       <RmtInf><Ustrd>…</Ustrd></RmtInf>
///     </CdtTrfTxInf>
///   </FIToFICstmrCdtTrf>
/// </Document>
/// ```
public struct CustomerCreditTransfer: Sendable, Hashable {
    public var messageID: RongID
    public var createdAt: Timestamp
    /// The debtor's reference, passed unchanged to the creditor (`EndToEndId`, `Max35Text`).
    public var endToEndID: String
    /// The first instructing agent's reference for the interbank transaction (`TxId`).
    public var transactionID: String
    public var amountFen: Int64
    /// `Dbtr`, `DbtrAcct` and `DbtrAgt` (the bank code).
    public var debtor: ClearingParty
    /// `Cdtr`, `CdtrAcct` and `CdtrAgt`.
    public var creditor: ClearingParty
    /// `RmtInf/Ustrd`, left out when empty.
    public var remittanceInfo: String

    public init(messageID: RongID, createdAt: Timestamp, endToEndID: String? = nil, transactionID: String? = nil,
                amountFen: Int64, debtor: ClearingParty, creditor: ClearingParty, remittanceInfo: String) {
        self.messageID = messageID
        self.createdAt = createdAt
        self.endToEndID = endToEndID ?? MessageFields.messageIDText(messageID)
        self.transactionID = transactionID ?? MessageFields.messageIDText(messageID)
        self.amountFen = amountFen
        self.debtor = debtor
        self.creditor = creditor
        self.remittanceInfo = remittanceInfo
    }

    /// The document for `instruction`, with `EndToEndId` and `TxId` both its `MsgId`.
    public init(_ instruction: CreditTransferInstruction, createdAt: Timestamp) {
        self.init(messageID: instruction.messageID, createdAt: createdAt, amountFen: instruction.amountFen,
                  debtor: instruction.debtor, creditor: instruction.creditor, remittanceInfo: instruction.remittanceInfo)
    }

    /// The instruction this document carries.
    public var instruction: CreditTransferInstruction {
        CreditTransferInstruction(messageID: messageID, amountFen: amountFen, debtor: debtor, creditor: creditor,
                                  remittanceInfo: remittanceInfo)
    }

    func write(_ writer: inout XMLWriter) throws {
        try ISOFields.checkReference(endToEndID, field: "EndToEndId")
        try ISOFields.checkReference(transactionID, field: "TxId")
        let message = self
        try writer.element(ISO20022MessageName.customerCreditTransfer.rootElement) { w in
            try PaymentGroupHeader.write(&w, id: message.messageID, createdAt: message.createdAt)
            try w.element("CdtTrfTxInf") { w in
                try w.element("PmtId") { w in
                    try w.leaf("EndToEndId", message.endToEndID)
                    try w.leaf("TxId", message.transactionID)
                }
                try ISOFields.writeAmount(&w, "IntrBkSttlmAmt", fen: message.amountFen)
                try w.leaf("ChrgBr", "SLEV")
                try MessageFields.writeParty(&w, "Dbtr", holderName: message.debtor.name)
                try MessageFields.writeAccount(&w, "DbtrAcct", number: message.debtor.accountNumber)
                try MessageFields.writeAgent(&w, "DbtrAgt", bankCode: message.debtor.bankCode)
                try MessageFields.writeAgent(&w, "CdtrAgt", bankCode: message.creditor.bankCode)
                try MessageFields.writeParty(&w, "Cdtr", holderName: message.creditor.name)
                try MessageFields.writeAccount(&w, "CdtrAcct", number: message.creditor.accountNumber)
                try MessageFields.writeRemittance(&w, message.remittanceInfo)
            }
        }
    }

    static func read(_ root: XMLElementNode) throws -> CustomerCreditTransfer {
        var reader = try ElementReader(root)
        let header = try PaymentGroupHeader.read(&reader)
        var transaction = try reader.nested("CdtTrfTxInf")
        var paymentID = try transaction.nested("PmtId")
        let endToEndID = try paymentID.text("EndToEndId")
        let transactionID = try paymentID.text("TxId")
        try paymentID.finish()
        try ISOFields.checkReference(endToEndID, field: "EndToEndId")
        try ISOFields.checkReference(transactionID, field: "TxId")
        let amountFen = try ISOFields.readAmount(&transaction, "IntrBkSttlmAmt")
        guard try transaction.text("ChrgBr") == "SLEV" else { throw DomainError.interbankMessage("ChrgBr must be SLEV") }
        let debtorName = try MessageFields.readParty(&transaction, "Dbtr")
        let debtorAccount = try MessageFields.readAccount(&transaction, "DbtrAcct")
        let debtorBank = try MessageFields.readAgent(&transaction, "DbtrAgt")
        let creditorBank = try MessageFields.readAgent(&transaction, "CdtrAgt")
        let creditorName = try MessageFields.readParty(&transaction, "Cdtr")
        let creditorAccount = try MessageFields.readAccount(&transaction, "CdtrAcct")
        let remittance = try MessageFields.readRemittance(&transaction)
        try transaction.finish()
        try reader.finish()
        return CustomerCreditTransfer(
            messageID: header.id, createdAt: header.createdAt, endToEndID: endToEndID, transactionID: transactionID,
            amountFen: amountFen,
            debtor: ClearingParty(name: debtorName, accountNumber: debtorAccount, bankCode: debtorBank),
            creditor: ClearingParty(name: creditorName, accountNumber: creditorAccount, bankCode: creditorBank),
            remittanceInfo: remittance)
    }
}
