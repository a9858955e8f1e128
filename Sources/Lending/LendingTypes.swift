import BankKit

/// The bank's financing products and their pricing (DOMAIN.md §5). Product settings, not
/// customer data: changing them changes new loans and lines only; existing ones keep the terms
/// they were booked with.
public enum LendingProducts {
    // MARK: 逸贷 (consumer instalments at the point of sale)

    /// An offer follows a purchase of at least ¥100.
    public static let easyLoanMinimumPurchaseFen: Int64 = 100_00
    /// An offer can be accepted for 7 days.
    public static let easyLoanOfferValidSeconds: Int64 = 7 * 86_400
    /// Flat monthly fee on the original principal (e分期-style pricing): 0.60% a month.
    public static let easyLoanMonthlyFee = Rate(micros: 6_000)
    /// Annual interest when the customer picks 等额本息 or 等额本金: 9.00%.
    public static let easyLoanAnnualInterest = Rate(micros: 90_000)
    /// Penalty interest on overdue amounts: 0.05% a day (万分之五), i.e. 18.00% a year on actual/360.
    public static let easyLoanPenaltyAnnual = Rate(micros: 180_000)
    // Repaying early costs no fee: the product sets none.

    // MARK: 商户逸贷 (merchant revolving line sized from acquiring turnover)

    /// Sized from the average monthly net turnover of the last 6 full months × 50%.
    public static let merchantTurnoverMonths = 6
    public static let merchantLineFactorPercent: Int64 = 50
    public static let merchantLineFloorFen: Int64 = 10_000_00
    public static let merchantLineCapFen: Int64 = 1_000_000_00
    /// Valid for one year from sizing; re-sizing refreshes it.
    public static let merchantLineValidMonths = 12
    /// Interest 6.00% a year, daily on the drawn amount; penalty 1.5× on interest in arrears.
    public static let merchantLineAnnual = Rate(micros: 60_000)
    /// Each evening 30% of the day's net e-Pay proceeds repay the line (interest first).
    public static let merchantSweepPercent: Int64 = 30

    // MARK: 网贷通 (SME online revolving loan)

    /// Up to ¥30,000,000, for at most 2 years.
    public static let revolvingLimitMaxFen: Int64 = 30_000_000_00
    public static let revolvingLimitMinFen: Int64 = 10_000_00
    public static let revolvingValidMonthsMax = 24
    /// Default price: the 1-year benchmark 4.35% plus a 10% float = 4.785%.
    public static let revolvingDefaultAnnual = Rate(micros: 47_850)

    /// Interest on revolving lines is settled on the 20th of each month (结息日).
    public static let lineSettlementDay = 20
    /// Penalty on revolving-line interest in arrears: the contract rate × 1.5.
    public static let penaltyMultiplierPermille: Int64 = 1_500

    // MARK: Limits on counts

    public static let openLoansPerCustomerMax = 20
    public static let drawsPerLinePerDayMax = 50
}

/// Chart-of-accounts codes the Lending module opens accounts under (debit-normal assets first).
public enum LendingChart {
    /// 贷款: one account per loan or line, holding principal outstanding.
    public static let loanPrincipal = "1303"
    /// 应收利息: interest, fees and penalty interest billed or accrued and not yet paid, one per loan or line.
    public static let interestReceivable = "1132"
    /// 利息收入 (interest income on loans).
    public static let interestIncome = "6011"
    /// 罚息收入 (penalty interest; a sub-account of interest income in practice).
    public static let penaltyIncome = "6012"
    /// 手续费及佣金收入 (instalment fees).
    public static let feeIncome = "6021"
    /// 资产减值损失 / 贷款核销 (loans written off).
    public static let writeOffLoss = "6701"
}

/// The bank's own ledger accounts of this module.
public enum LendingLedgerAccounts {
    public static let interestIncome = RongID.derived("system", "account", "loan-interest-income")
    public static let penaltyIncome = RongID.derived("system", "account", "loan-penalty-income")
    public static let feeIncome = RongID.derived("system", "account", "loan-fee-income")
    public static let writeOffLoss = RongID.derived("system", "account", "loan-write-off-loss")

    /// The receivable account of a loan or line (its principal account has the loan's own id).
    public static func receivable(of id: RongID) -> RongID { RongID.derived("lending.receivable", id) }
}

/// Ledger transfer codes of the Lending module.
public enum LendingTransferCode {
    /// Loan or line principal paid out to the borrower.
    public static let disbursement = 5001
    /// Instalment interest billed, revolving interest accrued (receivable ← interest income).
    public static let interest = 5002
    /// Instalment fee billed (receivable ← fee income).
    public static let fee = 5003
    /// Penalty interest accrued on overdue amounts (receivable ← penalty income).
    public static let penalty = 5004
    /// Repayment of receivables (interest, fees, penalty) from the borrower's account.
    public static let repaymentReceivable = 5011
    /// Repayment of principal from the borrower's account.
    public static let repaymentPrincipal = 5012
    /// Principal and receivables written off.
    public static let writeOff = 5021
}

/// How a 逸贷 loan is priced, as the customer picks it.
public enum PricingChoice: String, Sendable, Hashable, Codable, CaseIterable {
    /// Flat monthly fee on the original principal.
    case flatFee = "flat_fee"
    /// 等额本息.
    case equalInstalment = "equal_instalment"
    /// 等额本金.
    case equalPrincipal = "equal_principal"

    /// The product's method for this choice.
    public var method: RepaymentMethod {
        switch self {
        case .flatFee: .flatFee(monthly: LendingProducts.easyLoanMonthlyFee)
        case .equalInstalment: .equalInstalment(annual: LendingProducts.easyLoanAnnualInterest)
        case .equalPrincipal: .equalPrincipal(annual: LendingProducts.easyLoanAnnualInterest)
        }
    }

    public var labelZH: String {
        switch self {
        case .flatFee: "按月手续费（分期）"
        case .equalInstalment: "等额本息"
        case .equalPrincipal: "等额本金"
        }
    }

    public static func parse(_ text: String) throws(DomainError) -> PricingChoice {
        guard let choice = PricingChoice(rawValue: text) else {
            throw DomainError(.invalidRequest, "Pricing is one of flat_fee, equal_instalment, equal_principal.", status: 422,
                              extensions: ["field": .string("pricing")])
        }
        return choice
    }
}

/// A recorded credit decision: what the scorecard saw and what it said.
public struct RecordedDecision: Sendable, Hashable {
    public let id: RongID
    /// `customer:<id>` or `merchant:<id>`.
    public let subjectRef: String
    /// `easy_loan`, `merchant_line`.
    public let product: String
    /// The inputs as shown to operators (name → value).
    public let inputs: [String: String]
    public let approved: Bool
    public let limitFen: Int64
    public let score: Int
    public let points: [String: Int]
    public let reasons: [String]
    public let decidedAt: Timestamp
}

/// A 逸贷 offer made after a purchase.
public struct LoanOffer: Sendable, Hashable {
    public enum Status: String, Sendable, Codable { case offered, accepted, expired }
    public let id: RongID
    public let customerID: RongID
    public let decisionID: RongID
    public let purchaseRef: String
    public let merchantName: String
    public let purchaseFen: Int64
    /// What may be borrowed: the purchase, or less when the available line is smaller.
    public let amountFen: Int64
    /// The account that paid, where the money comes back and instalments are debited from.
    public let accountID: RongID
    public let status: Status
    public let expiresAt: Timestamp
    public let createdAt: Timestamp
    public let loanID: RongID?
}

/// A consumer instalment loan.
public struct Loan: Sendable, Hashable {
    public enum Status: String, Sendable, Codable { case disbursing, active, paidOff = "paid_off", writtenOff = "written_off" }
    public let id: RongID
    public let customerID: RongID
    public let offerID: RongID
    public let accountID: RongID
    public let pricing: PricingChoice
    public let terms: LoanTerms
    public let penaltyAnnual: Rate
    public let status: Status
    public let createdAt: Timestamp
    public let closedOn: BusinessDate?
    public let writeOffReason: String?
}

/// One instalment as booked, with what has been paid against it.
public struct Instalment: Sendable, Hashable {
    public let period: Int
    public let dueDate: BusinessDate
    public let principalFen: Int64
    public let interestFen: Int64
    public let feeFen: Int64
    public let paidPrincipalFen: Int64
    public let paidInterestFen: Int64
    public let paidFeeFen: Int64
    /// Interest and fee moved to the receivable (on or after the due date).
    public let billed: Bool
    public let paidOn: BusinessDate?

    public var amountFen: Int64 { principalFen + interestFen + feeFen }
    public var unpaidFen: Int64 { amountFen - paidPrincipalFen - paidInterestFen - paidFeeFen }
    public var isPaid: Bool { unpaidFen == 0 }
}

/// A line of a loan's or line's history.
public struct LendingEvent: Sendable, Hashable {
    public let id: RongID
    public let kind: String
    public let onDate: BusinessDate
    public let principalFen: Int64
    public let interestFen: Int64
    public let feeFen: Int64
    public let penaltyFen: Int64
    public let detail: String
    public let createdAt: Timestamp
    public var totalFen: Int64 { principalFen + interestFen + feeFen + penaltyFen }
}

/// A loan with its schedule, balances and delinquency.
public struct LoanView: Sendable, Hashable {
    public let loan: Loan
    public let instalments: [Instalment]
    public let outstandingPrincipalFen: Int64
    /// Billed and unpaid interest, fees and penalty (the receivable's balance).
    public let receivableFen: Int64
    /// Instalment amounts past their due date and unpaid, plus unpaid penalty.
    public let overdueFen: Int64
    public let daysPastDue: Int
    public var bucket: DelinquencyBucket { DelinquencyBucket(daysPastDue: daysPastDue) }
    public let totalInterestFen: Int64
    public let totalFeeFen: Int64
    public let apr: LoanAPR
    public let events: [LendingEvent]
}

/// What a repayment would take now: arrears first, then principal with its accrued interest.
public struct RepaymentQuote: Sendable, Hashable {
    /// Penalty interest, then billed interest/fees, then billed principal, oldest first.
    public let penaltyFen: Int64
    public let billedInterestFen: Int64
    public let billedFeeFen: Int64
    public let billedPrincipalFen: Int64
    /// Principal repaid ahead of schedule and the interest accrued on it since the last due date.
    public let prepaidPrincipalFen: Int64
    public let prepaidInterestFen: Int64
    public var totalFen: Int64 {
        penaltyFen + billedInterestFen + billedFeeFen + billedPrincipalFen + prepaidPrincipalFen + prepaidInterestFen
    }
    /// Principal still owed after it.
    public let principalAfterFen: Int64
}

/// A customer's 逸贷 line: the pre-approved limit and how much of it is in use.
public struct ConsumerCredit: Sendable, Hashable {
    public let decision: RecordedDecision?
    public let limitFen: Int64
    public let usedFen: Int64
    public var availableFen: Int64 { max(0, limitFen - usedFen) }
    public let overdue: Bool
}

/// A revolving line: merchant 逸贷 or 网贷通.
public struct CreditLine: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable { case merchant, revolving }
    public enum Status: String, Sendable, Codable { case offered, active, closed }
    public let id: RongID
    public let kind: Kind
    public let merchantID: RongID
    /// The merchant's settlement account: draws go in, repayments and interest come out.
    public let accountID: RongID
    public let limitFen: Int64
    public let annualRate: Rate
    public let penaltyAnnual: Rate
    public let validFrom: BusinessDate
    public let validUntil: BusinessDate
    public let status: Status
    public let decisionID: RongID?
    /// Interest billed on a settlement day and not yet paid (draws are blocked while > 0).
    public let arrearsFen: Int64
    public let accruedThrough: BusinessDate?
    public let createdBy: String
    public let createdAt: Timestamp
    public let signedAt: Timestamp?
}

/// A line with its balances.
public struct CreditLineView: Sendable, Hashable {
    public let line: CreditLine
    public let drawnFen: Int64
    /// Interest and penalty accrued and unpaid (the receivable's balance).
    public let interestOwedFen: Int64
    public var availableFen: Int64 { max(0, line.limitFen - drawnFen) }
    public let events: [LendingEvent]
}
