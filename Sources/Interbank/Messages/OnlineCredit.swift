import BankKit

/// ibps.101 online credit: this bank (the debtor's) pushes money to an account at another bank.
///
/// The body follows ISO 20022 pacs.008 (FI to FI customer credit transfer), one transaction,
/// in pacs.008's element order:
///
/// ```xml
/// <FIToFICstmrCdtTrf>
///   <GrpHdr>
///     <MsgId>…</MsgId><CreDtTm>…</CreDtTm><NbOfTxs>1</NbOfTxs>
///     <SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf>
///   </GrpHdr>
///   <CdtTrfTxInf>
///     <IntrBkSttlmAmt Ccy="CNY">123.45</IntrBkSttlmAmt>
///     <Dbtr><Nm>…</Nm></Dbtr> <DbtrAcct>…</DbtrAcct> <DbtrAgt>…</DbtrAgt>
///     <CdtrAgt>…</CdtrAgt> <Cdtr><Nm>…</Nm></Cdtr> <CdtrAcct>…</CdtrAcct>
///     <RmtInf><Ustrd>…</Ustrd></RmtInf>
///   </CdtTrfTxInf>
/// </FIToFICstmrCdtTrf>
/// ```
public struct OnlineCredit: Sendable, Hashable {
    public var createdAt: Timestamp
    /// What to credit; `instruction.bankCode` is the creditor's bank (the header's receiver).
    public var instruction: CreditInstruction
    /// This bank's participant code (the debtor agent, the header's sender).
    public var debtorBankCode: String

    public init(createdAt: Timestamp, instruction: CreditInstruction, debtorBankCode: String) {
        self.createdAt = createdAt
        self.instruction = instruction
        self.debtorBankCode = debtorBankCode
    }

    static let rootName = "FIToFICstmrCdtTrf"

    func write(_ writer: inout XMLWriter) throws {
        let instruction = instruction
        let debtorBankCode = debtorBankCode
        try writer.element(Self.rootName) { w in
            try PaymentGroupHeader.write(&w, id: instruction.messageID, createdAt: createdAt)
            try w.element("CdtTrfTxInf") { w in
                try MessageFields.writeAmount(&w, fen: instruction.amountFen)
                try MessageFields.writeParty(&w, "Dbtr", holderName: instruction.debtorName)
                try MessageFields.writeAccount(&w, "DbtrAcct", number: instruction.debtorAccountNumber)
                try MessageFields.writeAgent(&w, "DbtrAgt", bankCode: debtorBankCode)
                try MessageFields.writeAgent(&w, "CdtrAgt", bankCode: instruction.bankCode)
                try MessageFields.writeParty(&w, "Cdtr", holderName: instruction.creditorName)
                try MessageFields.writeAccount(&w, "CdtrAcct", number: instruction.creditorAccountNumber)
                try MessageFields.writeRemittance(&w, instruction.remittanceInfo)
            }
        }
    }

    static func read(_ root: XMLElementNode) throws -> OnlineCredit {
        var reader = try ElementReader(root)
        let header = try PaymentGroupHeader.read(&reader)
        var transaction = try reader.nested("CdtTrfTxInf")
        let amountFen = try MessageFields.readAmount(&transaction)
        let debtorName = try MessageFields.readParty(&transaction, "Dbtr")
        let debtorAccount = try MessageFields.readAccount(&transaction, "DbtrAcct")
        let debtorBankCode = try MessageFields.readAgent(&transaction, "DbtrAgt")
        let creditorBankCode = try MessageFields.readAgent(&transaction, "CdtrAgt")
        let creditorName = try MessageFields.readParty(&transaction, "Cdtr")
        let creditorAccount = try MessageFields.readAccount(&transaction, "CdtrAcct")
        let remittance = try MessageFields.readRemittance(&transaction)
        try transaction.finish()
        try reader.finish()
        let instruction = CreditInstruction(
            messageID: header.id, bankCode: creditorBankCode, creditorAccountNumber: creditorAccount, creditorName: creditorName,
            debtorAccountNumber: debtorAccount, debtorName: debtorName, amountFen: amountFen, remittanceInfo: remittance)
        return OnlineCredit(createdAt: header.createdAt, instruction: instruction, debtorBankCode: debtorBankCode)
    }
}
