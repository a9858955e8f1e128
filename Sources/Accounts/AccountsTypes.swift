import BankKit
import Identity

/// This bank on the interbank network.
public enum ThisBank {
    /// CNAPS bank code of Rong Bank (融银行) on the simulated network.
    public static let bankCode = "888"
    public static let name = "融银行"
    public static let nameEnglish = "Rong Bank"
    /// Card BIN of online Class II/III e-accounts and of counter Class I accounts: 19-digit numbers with a Luhn check digit.
    public static let eAccountPrefix = "623888"
    public static let classIPrefix = "622888"
    /// The branch new online customers belong to (直销银行 head office).
    public static let directBankBranch = "0001"
}

/// A real-name customer (实名客户).
public struct Customer: Sendable, Hashable {
    public let id: RongID
    public let userID: RongID
    public let name: String
    public let idNumber: String
    public let mobile: String
    public let birthDate: BusinessDate
    public let branchCode: String
    public let status: String
    public let createdAt: Timestamp

    public var idNumberMasked: String { String(idNumber.prefix(6)) + String(repeating: "*", count: 8) + String(idNumber.suffix(4)) }
    public var mobileMasked: String { MobileNumber.masked(mobile) }
}

/// An own-name Class I account or card, here or at another bank, verified by four elements.
public struct BoundAccount: Sendable, Hashable {
    public let id: RongID
    public let customerID: RongID
    public let bankCode: String
    public let bankName: String
    public let accountNumber: String
    public let status: String
    public let boundAt: Timestamp

    public var isThisBank: Bool { bankCode == ThisBank.bankCode }
    /// `6217 **** **** 5678`.
    public var accountNumberMasked: String { AccountNumberFormat.masked(accountNumber) }
}

/// An account of this bank held by a customer: Class I (counter) or a Class II/III e-account.
/// Its balance lives in the ledger account with the same id.
public struct EAccount: Sendable, Hashable {
    public let id: RongID
    public let customerID: RongID
    public let accountClass: AccountClass
    public let accountNumber: String
    public let boundAccountID: RongID?
    /// `active`, `frozen` (cannot send) or `closed`.
    public let status: String
    public let openedAt: Timestamp
    public let openedChannel: String
}

/// An e-account with its ledger balances.
public struct EAccountView: Sendable, Hashable {
    public let account: EAccount
    public let balanceFen: Int64
    public let availableFen: Int64
}

public enum AccountNumberFormat {
    /// Groups of four with the middle hidden: `6238 **** **** 123`.
    public static func masked(_ number: String) -> String {
        guard number.count > 8 else { return number }
        return String(number.prefix(4)) + " **** **** " + String(number.suffix(4))
    }

    /// Groups of four: `6238 8812 3456 7890 123`.
    public static func grouped(_ number: String) -> String {
        var out = ""
        for (index, char) in number.enumerated() {
            if index > 0 && index % 4 == 0 { out.append(" ") }
            out.append(char)
        }
        return out
    }
}

/// A funding, withdrawal or transfer as the customer sees it.
public struct Movement: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable { case funding, withdrawal, transferOut = "transfer_out" }
    public enum Status: String, Sendable, Codable { case pending, completed, failed }
    public let id: RongID
    public let eAccountID: RongID
    public let kind: Kind
    public let amountFen: Int64
    public let counterpartyAccount: String
    public let counterpartyName: String
    public let counterpartyBank: String
    public let status: Status
    public let failureCode: String?
    public let failureDetail: String?
    public let ledgerTransferID: RongID?
    public let createdAt: Timestamp
    public let completedAt: Timestamp?
}

/// A freeze on an account (judicial freeze, suspected fraud), with its release.
public struct Freeze: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case judicial, fraud }
    public let id: RongID
    public let eAccountID: RongID
    public let kind: Kind
    public let reason: String
    public let frozenBy: String
    public let frozenAt: Timestamp
    public let releasedBy: String?
    public let releasedAt: Timestamp?
}

/// Ledger transfer codes of this module.
public enum AccountsTransferCode {
    public static let fundingInterbank = 1101
    public static let fundingThisBank = 1102
    public static let withdrawalInterbank = 1201
    public static let withdrawalThisBank = 1202
    public static let transferThisBank = 1301
    public static let counterCashDeposit = 1001
    /// e-Pay and other spending (hold, capture, void share it).
    public static let spending = 2001
    public static let refund = 2002
    /// Transfers to and from other banks through the clearing house.
    public static let interbankTransferOut = 3001
    public static let interbankTransferIn = 3002
    public static let interbankReturn = 3003
}

extension ErrorCode {
    public static let idNumberAlreadyRegistered: ErrorCode = "id_number_already_registered"
    public static let underage: ErrorCode = "underage"
    public static let termsNotAccepted: ErrorCode = "terms_not_accepted"
    public static let fourElementsMismatch: ErrorCode = "four_elements_mismatch"
    public static let boundAccountNotFound: ErrorCode = "bound_account_not_found"
    public static let boundAccountUnavailable: ErrorCode = "bound_account_unavailable"
    public static let unknownBank: ErrorCode = "unknown_bank"
    public static let alreadyBound: ErrorCode = "already_bound"
    public static let boundAccountsMax: ErrorCode = "bound_accounts_max"
    public static let eAccountCountExceeded: ErrorCode = "e_account_count_exceeded"
    public static let accountFrozen: ErrorCode = "account_frozen"
    public static let accountClosed: ErrorCode = "account_closed"
    public static let insufficientFunds: ErrorCode = "insufficient_funds"
    public static let interbankRejected: ErrorCode = "interbank_rejected"
    public static let payeeNameMismatch: ErrorCode = "payee_name_mismatch"
    public static let payeeNotFound: ErrorCode = "payee_not_found"
    public static let stepUpRequired: ErrorCode = "step_up_required"
    public static let notFrozen: ErrorCode = "not_frozen"
    public static let customerNotFound: ErrorCode = "customer_not_found"
}
