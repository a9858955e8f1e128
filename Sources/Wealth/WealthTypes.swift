import BankKit
import Ledger

/// An annual interest rate or yield (BankKit's `Rate`, in millionths: 0.35% is 3,500).
public typealias AnnualRate = Rate

extension Rate {
    /// Rates an operator may publish: above 0 and at most 20%.
    public static let publishable: ClosedRange<Int64> = 1...200_000
}

/// The rate a product is quoted at in the rate table (`wealth_rates.product`).
public enum RateProduct: String, Sendable, Codable, CaseIterable {
    case demand
    case time3m = "time_3m", time6m = "time_6m", time1y = "time_1y", time2y = "time_2y", time3y = "time_3y", time5y = "time_5y"
    case notice1d = "notice_1d", notice7d = "notice_7d"
    /// The money-market fund the sweep (聚财宝) invests in: its annualised yield.
    case sweepFund = "sweep_fund"

    public var nameZh: String {
        switch self {
        case .demand: "活期"
        case .time3m: "整存整取三个月"
        case .time6m: "整存整取六个月"
        case .time1y: "整存整取一年"
        case .time2y: "整存整取二年"
        case .time3y: "整存整取三年"
        case .time5y: "整存整取五年"
        case .notice1d: "一天通知存款"
        case .notice7d: "七天通知存款"
        case .sweepFund: "融货币（聚财宝）七日年化"
        }
    }

    /// The time-deposit rate of a term in months.
    public static func time(months: Int) -> RateProduct? {
        switch months {
        case 3: .time3m
        case 6: .time6m
        case 12: .time1y
        case 24: .time2y
        case 36: .time3y
        case 60: .time5y
        default: nil
        }
    }

    public static func parse(_ text: String) throws(DomainError) -> RateProduct {
        guard let product = RateProduct(rawValue: text) else {
            throw DomainError(.invalidRequest, "Unknown rate product '\(text.prefix(30))'; one of \(RateProduct.allCases.map(\.rawValue).joined(separator: ", ")).",
                              status: 422, extensions: ["field": .string("product")])
        }
        return product
    }
}

/// One row of the rate table.
public struct PublishedRate: Sendable, Hashable {
    public let product: RateProduct
    public let effectiveFrom: BusinessDate
    public let rate: AnnualRate
    public let publishedBy: String
    public let publishedAt: Timestamp
}

/// Ledger transfer codes of the Wealth module.
public enum WealthTransferCode {
    /// Daily accrual of demand interest at bank level (interest expense → interest payable).
    public static let demandAccrual = 4001
    /// Quarterly demand interest credited to a customer (interest payable → account).
    public static let demandInterest = 4002
    /// Rounding true-up between interest payable and interest expense after a settlement.
    public static let accrualTrueUp = 4003
    /// Money into a time or tiered deposit, and back out as principal.
    public static let depositPlacement = 4101
    public static let depositPrincipal = 4102
    /// Interest on a time or tiered deposit (interest expense → customer).
    public static let depositInterest = 4103
    /// Sweep into the money-market fund, instant redemption out of it, and its daily income.
    public static let sweepIn = 4201
    public static let sweepRedeem = 4202
    public static let sweepIncome = 4203
    /// Wealth products: subscription hold and confirmation, unit issue, redemption, payout.
    public static let productSubscription = 4301
    public static let productUnits = 4302
    public static let productRedemption = 4303
    public static let productPayout = 4304
}

/// Chart-of-accounts codes the Wealth module opens accounts under.
public enum WealthChart {
    /// 定期储蓄存款: one account per time deposit.
    public static let timeDeposits = "2013"
    /// 节节高 (靠档计息) deposits: one account per deposit.
    public static let tieredDeposits = "2014"
    /// Customer holdings of the sweep money-market fund (NAV fixed at 1, so held in fen).
    public static let sweepFundHoldings = "2015"
    /// 应付利息: interest accrued but not yet paid.
    public static let interestPayable = "2231"
    /// 利息支出: the bank's interest expense.
    public static let interestExpense = "6411"
    /// The money-market fund's income pool (the fund's, not the bank's, earnings).
    public static let fundIncome = "6421"
    /// Cash of wealth products held by the bank as custodian (代理理财资金).
    public static let productCustody = "2901"
    /// Units of a wealth product: the product's issue account and customers' holdings.
    public static let productUnitsIssued = "3901"
    public static let productUnitHoldings = "3902"
    /// A periodic product's income owed to its holders (the product's investment result, not the bank's).
    public static let productIncome = "6422"
}

/// The bank's own ledger accounts of this module.
public enum WealthLedgerAccounts {
    public static let interestPayable = RongID.derived("system", "account", "interest-payable")
    public static let interestExpense = RongID.derived("system", "account", "interest-expense")
    public static let sweepFundIncome = RongID.derived("system", "account", "sweep-fund-income")
}

extension ErrorCode {
    public static let rateNotInFuture: ErrorCode = "rate_not_in_future"
    public static let belowMinimum: ErrorCode = "below_minimum"
    public static let depositNotOpen: ErrorCode = "deposit_not_open"
    public static let partialWithdrawalUsed: ErrorCode = "partial_withdrawal_used"
    public static let accountClassNotAllowed: ErrorCode = "account_class_not_allowed"
    public static let sweepRedemptionLimit: ErrorCode = "sweep_redemption_limit"
    public static let suitabilityMismatch: ErrorCode = "suitability_mismatch"
    public static let riskProfileRequired: ErrorCode = "risk_profile_required"
    public static let riskProfileExpired: ErrorCode = "risk_profile_expired"
    public static let outsideSubscriptionWindow: ErrorCode = "outside_subscription_window"
    public static let quotaExceeded: ErrorCode = "quota_exceeded"
    public static let insufficientUnits: ErrorCode = "insufficient_units"
    public static let notABusinessDay: ErrorCode = "not_a_business_day"
    public static let productNotRedeemable: ErrorCode = "product_not_redeemable"
    public static let depositsOutstanding: ErrorCode = "deposits_outstanding"
    public static let productNotOnSale: ErrorCode = "product_not_on_sale"
    public static let productCodeTaken: ErrorCode = "product_code_taken"
    public static let navAlreadyPublished: ErrorCode = "nav_already_published"
    public static let invalidNAV: ErrorCode = "invalid_nav"
}
