/// ISO 20022 status reason codes (ExternalStatusReason1Code / ExternalVerificationReason1Code)
/// used in ibps.102/104 receipts and ibps.310 answers, with the text the simulator sends.
public enum ReasonCode {
    /// Account number invalid or unknown at that bank.
    public static let accountNumberInvalid = "AC01"
    /// The account has been closed.
    public static let accountClosed = "AC04"
    /// The account is blocked (frozen): nothing may be posted to it.
    public static let accountBlocked = "AC06"
    /// The transaction is not allowed on this account (e.g. frozen for this kind of movement).
    public static let transactionForbidden = "AG01"
    /// The amount is outside what the receiving bank can take.
    public static let amountNotAllowed = "AM02"
    /// Not enough money in the debtor's account.
    public static let insufficientFunds = "AM04"
    /// The MsgId was already used for a different instruction.
    public static let duplication = "AM05"
    /// The account holder's name does not match the account (Rong's convention for IBPS receipts).
    public static let nameMismatch = "RR01"
    /// The party's identification (name, ID number or mobile) does not match the account (ibps.310).
    public static let partyMismatch = "BE01"
    /// The bank code names no participant.
    public static let bankIdentifierIncorrect = "RC01"

    /// A short English reason for `code`, sent in `AddtlInf`.
    public static func text(_ code: String) -> String {
        switch code {
        case accountNumberInvalid: "Account number is invalid or does not exist"
        case accountClosed: "Account is closed"
        case accountBlocked: "Account is blocked"
        case transactionForbidden: "Transaction not allowed on this account"
        case amountNotAllowed: "Amount not allowed"
        case insufficientFunds: "Insufficient funds"
        case duplication: "Message id already used for a different instruction"
        case nameMismatch: "Account name does not match"
        case partyMismatch: "Party identification does not match the account"
        case bankIdentifierIncorrect: "Bank code is not a network participant"
        default: "Rejected"
        }
    }
}
