import BankKit

/// A loan rate (BankKit's `Rate`, in millionths: 4.35% is 43,500, 0.09% is 900). Whether it is
/// annual (interest) or monthly (a flat fee) is said by where it is used (`RepaymentMethod`).
public typealias LoanRate = Rate

extension Rate {
    /// The highest annual interest rate a loan may carry: 24%, the ceiling Chinese regulators and
    /// courts apply to consumer credit's all-in annual cost.
    public static let maxAnnual = Rate(micros: 240_000)
    /// The highest monthly flat fee: 1% a month, whose APR (≈ f·12·2n/(n+1)) stays under 24% for
    /// every term up to 360 months.
    public static let maxMonthlyFee = Rate(micros: 10_000)

    /// Penalty (overdue) interest rate: the contract rate × `multiplierPermille` ÷ 1,000, rounded
    /// half up to the micro. 4.35% × 1.5 (1,500‰) = 6.525%.
    public func penalty(multiplierPermille: Int64 = 1_500) -> Rate {
        precondition(micros >= 0 && multiplierPermille >= 1_000, "a penalty rate is at least the contract rate")
        return Rate(micros: Rounding.halfUp(Int128(micros) * Int128(multiplierPermille), 1_000))
    }

    /// Hundredths of a percent (basis points), rounded half up: how APRs are shown, 20,060 → 201 ("2.01%").
    public var basisPointsRounded: Int64 { Rounding.halfUp(Int128(micros), 100) }
}
