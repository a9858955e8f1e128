import BankKit

extension ErrorCode {
    /// A principal above the largest loan the bank books (`LoanTerms.principalFenRange`).
    public static let loanAmountOutOfRange: ErrorCode = "loan_amount_out_of_range"
    /// A negative loan rate, or one above `LoanRate.maxAnnual` / `LoanRate.maxMonthlyFee`.
    public static let loanRateOutOfRange: ErrorCode = "loan_rate_out_of_range"
    /// A repayment larger than what is outstanding: the excess is refused, never kept.
    public static let repaymentExceedsOutstanding: ErrorCode = "repayment_exceeds_outstanding"
    /// A repayment dated before the loan starts or before an earlier prepayment.
    public static let repaymentDateOutOfRange: ErrorCode = "repayment_date_out_of_range"
}
