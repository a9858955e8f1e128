import BankKit

/// ibps.103 online debit: this bank (the creditor's) pulls money from the customer's account at
/// another bank under the customer's agreement.
///
/// The body follows ISO 20022 pacs.003 (FI to FI customer direct debit), one transaction:
///
/// ```xml
/// <FIToFICstmrDrctDbt>
///   <GrpHdr>
///     <MsgId>…</MsgId><CreDtTm>…</CreDtTm><NbOfTxs>1</NbOfTxs>
///     <SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf>
///   </GrpHdr>
///   <DrctDbtTxInf>
///     <IntrBkSttlmAmt Ccy="CNY">123.45</IntrBkSttlmAmt>
///     <Cdtr><Nm>…</Nm></Cdtr> <CdtrAcct>…</CdtrAcct> <CdtrAgt>…</CdtrAgt>
///     <Dbtr><Nm>…</Nm></Dbtr> <DbtrAcct>…</DbtrAcct> <DbtrAgt>…</DbtrAgt>
///     <RmtInf><Ustrd>…</Ustrd></RmtInf>
///   </DrctDbtTxInf>
/// </FIToFICstmrDrctDbt>
/// ```
public struct OnlineDebit: Sendable, Hashable {
    public var createdAt: Timestamp
    /// What to debit; `instruction.bankCode` is the debtor's bank (the header's receiver).
    public var instruction: DebitInstruction
    /// This bank's participant code (the creditor agent, the header's sender).
    public var creditorBankCode: String

    public init(createdAt: Timestamp, instruction: DebitInstruction, creditorBankCode: String) {
        self.createdAt = createdAt
        self.instruction = instruction
        self.creditorBankCode = creditorBankCode
    }

    static let rootName = "FIToFICstmrDrctDbt"

    func write(_ writer: inout XMLWriter) throws {
        let instruction = instruction
        let creditorBankCode = creditorBankCode
        try writer.element(Self.rootName) { w in
            try PaymentGroupHeader.write(&w, id: instruction.messageID, createdAt: createdAt)
            try w.element("DrctDbtTxInf") { w in
                try MessageFields.writeAmount(&w, fen: instruction.amountFen)
                try MessageFields.writeParty(&w, "Cdtr", holderName: instruction.creditorName)
                try MessageFields.writeAccount(&w, "CdtrAcct", number: instruction.creditorAccountNumber)
                try MessageFields.writeAgent(&w, "CdtrAgt", bankCode: creditorBankCode)
                try MessageFields.writeParty(&w, "Dbtr", holderName: instruction.debtorName)
                try MessageFields.writeAccount(&w, "DbtrAcct", number: instruction.debtorAccountNumber)
                try MessageFields.writeAgent(&w, "DbtrAgt", bankCode: instruction.bankCode)
                try MessageFields.writeRemittance(&w, instruction.remittanceInfo)
            }
        }
    }

    static func read(_ root: XMLElementNode) throws -> OnlineDebit {
        var reader = try ElementReader(root)
        let header = try PaymentGroupHeader.read(&reader)
        var transaction = try reader.nested("DrctDbtTxInf")
        let amountFen = try MessageFields.readAmount(&transaction)
        let creditorName = try MessageFields.readParty(&transaction, "Cdtr")
        let creditorAccount = try MessageFields.readAccount(&transaction, "CdtrAcct")
        let creditorBankCode = try MessageFields.readAgent(&transaction, "CdtrAgt")
        let debtorName = try MessageFields.readParty(&transaction, "Dbtr")
        let debtorAccount = try MessageFields.readAccount(&transaction, "DbtrAcct")
        let debtorBankCode = try MessageFields.readAgent(&transaction, "DbtrAgt")
        let remittance = try MessageFields.readRemittance(&transaction)
        try transaction.finish()
        try reader.finish()
        let instruction = DebitInstruction(
            messageID: header.id, bankCode: debtorBankCode, debtorAccountNumber: debtorAccount, debtorName: debtorName,
            creditorAccountNumber: creditorAccount, creditorName: creditorName, amountFen: amountFen, remittanceInfo: remittance)
        return OnlineDebit(createdAt: header.createdAt, instruction: instruction, creditorBankCode: creditorBankCode)
    }
}
