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
    public static let offerExpired: ErrorCode = "offer_expired"
    public static let offerAlreadyAccepted: ErrorCode = "offer_already_accepted"
    public static let loanOverdue: ErrorCode = "loan_overdue"
    public static let creditLimitExceeded: ErrorCode = "credit_limit_exceeded"
    public static let lineNotActive: ErrorCode = "line_not_active"
    public static let lineExpired: ErrorCode = "line_expired"
    public static let interestInArrears: ErrorCode = "interest_in_arrears"
    public static let creditDeclined: ErrorCode = "credit_declined"
    public static let loanNotActive: ErrorCode = "loan_not_active"
    public static let nothingDue: ErrorCode = "nothing_due"
    public static let writeOffNotAllowed: ErrorCode = "write_off_not_allowed"
    public static let lineAlreadyExists: ErrorCode = "line_already_exists"
    /// The same request (idempotency key, offer) is still being processed.
    public static let requestInProgress: ErrorCode = "request_in_progress"
}
