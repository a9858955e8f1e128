import BankKit

/// How a loan is priced and repaid (DOMAIN.md §5).
public enum RepaymentMethod: Sendable, Hashable, Codable {
    /// 等额本息: equal instalments; interest each month on the remaining principal.
    case equalInstalment(annual: LoanRate)
    /// 等额本金: equal principal; interest each month on the remaining principal, so payments fall.
    case equalPrincipal(annual: LoanRate)
    /// Flat monthly fee on the original principal (card instalments, 逸贷): each period
    /// P ÷ n + P × f; no interest.
    case flatFee(monthly: LoanRate)

    /// The annual interest rate, or nil for a fee-priced loan.
    public var annualRate: LoanRate? {
        switch self {
        case .equalInstalment(let annual), .equalPrincipal(let annual): annual
        case .flatFee: nil
        }
    }
}

/// A validated loan: principal, number of monthly instalments, pricing and the start date
/// (disbursement); instalment k falls due `k` months after the start.
public struct LoanTerms: Sendable, Hashable, Codable {
    public let principalFen: Int64
    public let termMonths: Int
    public let method: RepaymentMethod
    public let startDate: BusinessDate

    /// Any loan: 1 to 360 monthly instalments.
    public static let termMonthsRange = 1...360
    /// 逸贷 instalment counts (DOMAIN §5).
    public static let easyLoanTermsMonths = [3, 6, 9, 12, 18, 24]
    /// ¥1 to ¥30,000,000 (网贷通's largest line).
    public static let principalFenRange: ClosedRange<Int64> = 100...3_000_000_000

    /// Checks every input; `offeredTermsMonths` narrows the terms to a product's list.
    public init(principalFen: Int64, termMonths: Int, method: RepaymentMethod, startDate: BusinessDate,
                offeredTermsMonths: [Int]? = nil) throws(DomainError) {
        guard principalFen > 0 else {
            throw DomainError(.invalidAmount, "A loan's principal must be positive.", extensions: ["field": .string("principal")])
        }
        guard LoanTerms.principalFenRange.contains(principalFen) else {
            throw DomainError(.loanAmountOutOfRange, "A loan's principal is from ¥1.00 to ¥30,000,000.00.",
                              extensions: ["field": .string("principal"), "max_fen": .int(LoanTerms.principalFenRange.upperBound)])
        }
        guard LoanTerms.termMonthsRange.contains(termMonths), offeredTermsMonths?.contains(termMonths) ?? true else {
            let offered = offeredTermsMonths.map { $0.map(String.init).joined(separator: ", ") } ?? "1–360"
            throw DomainError(.termNotOffered, "\(termMonths) instalments are not offered; choose \(offered).",
                              extensions: ["field": .string("term_months")])
        }
        let (rate, cap, what) = switch method {
        case .equalInstalment(let annual), .equalPrincipal(let annual): (annual, LoanRate.maxAnnual, "annual interest rate")
        case .flatFee(let monthly): (monthly, LoanRate.maxMonthlyFee, "monthly fee rate")
        }
        guard rate.micros >= 0, rate <= cap else {
            throw DomainError(.loanRateOutOfRange, "The \(what) must be from 0% to \(cap).",
                              extensions: ["field": .string("rate"), "max_micros": .int(cap.micros)])
        }
        self.principalFen = principalFen
        self.termMonths = termMonths
        self.method = method
        self.startDate = startDate
    }

    /// The due date of instalment `period`: the start's day of month, `period` months on,
    /// clamped to the month's end. Counted from the start each time, so a loan started on
    /// Jan 31 falls due Feb 28, Mar 31, Apr 30, … (never drifting to the 28th).
    public func dueDate(period: Int) -> BusinessDate { startDate.adding(months: period) }
}
