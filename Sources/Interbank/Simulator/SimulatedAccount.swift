/// An account at another bank in the simulator's directory: the outside world's view of a
/// customer's card, with the outside world's balance (not Rong's).
public struct SimulatedAccount: Sendable, Hashable {
    /// Whether the other bank lets money move on the account.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Normal: verifies, pays and receives.
        case open
        /// 销户: answers "unavailable", refuses with `AC04`.
        case closed
        /// 冻结 (e.g. by a court order): answers "unavailable", refuses with `AG01`.
        case frozen
    }

    /// CNAPS participant code of the holding bank (`105`).
    public var bankCode: String
    /// The card or account number (16–19 digits for cards, Luhn-valid).
    public var accountNumber: String
    public var holderName: String
    /// 18-character resident ID number (GB 11643).
    public var idNumber: String
    /// The mobile number reserved with the bank (预留手机号).
    public var mobile: String
    public var status: Status
    /// The balance at the other bank, in fen.
    public var balanceFen: Int64

    public init(bankCode: String, accountNumber: String, holderName: String, idNumber: String, mobile: String,
                status: Status = .open, balanceFen: Int64) {
        self.bankCode = bankCode
        self.accountNumber = accountNumber
        self.holderName = holderName
        self.idNumber = idNumber
        self.mobile = mobile
        self.status = status
        self.balanceFen = balanceFen
    }

    /// The four elements that verify this account (matched while it is open).
    public var fourElements: FourElements {
        FourElements(bankCode: bankCode, accountNumber: accountNumber, holderName: holderName, idNumber: idNumber, mobile: mobile)
    }
}
