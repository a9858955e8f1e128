import BankKit

/// The four elements a bank checks before binding an account held elsewhere:
/// holder name, resident ID number, reserved mobile number and account number.
public struct FourElements: Sendable, Hashable, Codable {
    /// CNAPS bank code of the account-holding bank (3 digits, e.g. `105` 中国建设银行).
    public var bankCode: String
    public var accountNumber: String
    public var holderName: String
    public var idNumber: String
    public var mobile: String

    public init(bankCode: String, accountNumber: String, holderName: String, idNumber: String, mobile: String) {
        self.bankCode = bankCode
        self.accountNumber = accountNumber
        self.holderName = holderName
        self.idNumber = idNumber
        self.mobile = mobile
    }
}

/// The answer to an account-information query (ibps.309 → ibps.310).
public enum VerificationOutcome: Sendable, Hashable {
    /// All four elements match an open account.
    case matched
    /// The account exists but these elements differ (`name`, `id_number`, `mobile`).
    case mismatched(fields: [String])
    /// No such account at that bank.
    case accountNotFound
    /// The account exists but is closed or frozen.
    case accountUnavailable
    /// The bank code names no participant of the network.
    case unknownBank
}

/// Money pulled from a customer's own account at another bank into this bank (ibps.103 online debit).
public struct DebitInstruction: Sendable, Hashable {
    /// Unique per instruction; sending the same id again returns the first receipt (idempotent).
    public var messageID: RongID
    public var bankCode: String
    public var debtorAccountNumber: String
    public var debtorName: String
    /// Credited at this bank (the e-account), for the remittance information.
    public var creditorAccountNumber: String
    public var creditorName: String
    public var amountFen: Int64
    public var remittanceInfo: String

    public init(messageID: RongID, bankCode: String, debtorAccountNumber: String, debtorName: String,
                creditorAccountNumber: String, creditorName: String, amountFen: Int64, remittanceInfo: String) {
        self.messageID = messageID
        self.bankCode = bankCode
        self.debtorAccountNumber = debtorAccountNumber
        self.debtorName = debtorName
        self.creditorAccountNumber = creditorAccountNumber
        self.creditorName = creditorName
        self.amountFen = amountFen
        self.remittanceInfo = remittanceInfo
    }
}

/// Money pushed from this bank to an account at another bank (ibps.101 online credit).
public struct CreditInstruction: Sendable, Hashable {
    /// Unique per instruction; sending the same id again returns the first receipt (idempotent).
    public var messageID: RongID
    public var bankCode: String
    public var creditorAccountNumber: String
    public var creditorName: String
    /// Debited at this bank (the e-account), for the remittance information.
    public var debtorAccountNumber: String
    public var debtorName: String
    public var amountFen: Int64
    public var remittanceInfo: String

    public init(messageID: RongID, bankCode: String, creditorAccountNumber: String, creditorName: String,
                debtorAccountNumber: String, debtorName: String, amountFen: Int64, remittanceInfo: String) {
        self.messageID = messageID
        self.bankCode = bankCode
        self.creditorAccountNumber = creditorAccountNumber
        self.creditorName = creditorName
        self.debtorAccountNumber = debtorAccountNumber
        self.debtorName = debtorName
        self.amountFen = amountFen
        self.remittanceInfo = remittanceInfo
    }
}

/// The other bank's answer to a debit or credit (ibps.104 / ibps.102, ISO 20022 pacs.002 status).
public struct InterbankReceipt: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        /// Settled: the money moved at the other bank (`ACSC`).
        case accepted
        /// Refused with an ISO 20022 reason code (`AC01` wrong account, `AM04` insufficient funds, …).
        case rejected(reasonCode: String, reason: String)
    }

    public var messageID: RongID
    public var status: Status
    /// When the other bank settled or refused it.
    public var processedAt: Timestamp

    public init(messageID: RongID, status: Status, processedAt: Timestamp) {
        self.messageID = messageID
        self.status = status
        self.processedAt = processedAt
    }
}

/// The seam to the interbank network (CNAPS IBPS, "超级网银").
///
/// The simulator (`SimulatedInterbankNetwork`) encodes each call as the CNAPS2 XML message the
/// live network takes, hands it to an in-process model of the other banks and decodes the
/// reply; a live adapter implements this protocol by sending the same XML to the bank's
/// front-end processor (前置机). Calls that move money are idempotent on `messageID`.
public protocol InterbankNetwork: Sendable {
    /// Four-element check of an account at another bank (ibps.309 / ibps.310).
    func verifyAccount(_ elements: FourElements) async throws -> VerificationOutcome
    /// Pulls money from the customer's account at another bank (ibps.103 / ibps.104).
    func debit(_ instruction: DebitInstruction) async throws -> InterbankReceipt
    /// Pushes money to an account at another bank (ibps.101 / ibps.102).
    func credit(_ instruction: CreditInstruction) async throws -> InterbankReceipt
    /// The participant banks, code → name (for pickers and validation).
    func participants() async throws -> [Participant]
}

/// A bank on the network.
public struct Participant: Sendable, Hashable, Codable {
    public var bankCode: String
    public var name: String
    public var nameEnglish: String

    public init(bankCode: String, name: String, nameEnglish: String) {
        self.bankCode = bankCode
        self.name = name
        self.nameEnglish = nameEnglish
    }
}
