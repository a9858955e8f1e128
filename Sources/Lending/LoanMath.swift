import BankKit

/// The loan formulas of DOMAIN.md §5, in integers only: money in fen (Int64), rates in
/// millionths (`LoanRate`), intermediate products in Int128, and (1 + r)ⁿ as exact big integers.
///
/// Rounding is half up (四舍五入) to the fen, once per figure:
/// - monthly interest = remaining principal × annual ÷ 12 (DOMAIN §4: monthly rate = annual ÷ 12);
/// - accrued interest between dates = principal × annual × actual days ÷ 360;
/// - the 等额本息 instalment is the exact annuity rounded once.
public enum LoanMath {
    /// The denominator of a monthly rate: annual micros ÷ 12 ÷ 1,000,000.
    static let monthlyDenominator: Int64 = 12 * LoanRate.microsPerUnit
    /// The day-count year (DOMAIN §4: actual days over a 360-day year).
    public static let dayCountBasis: Int64 = 360

    /// numerator ÷ denominator rounded half up (BankKit's one rule).
    static func roundHalfUp(_ numerator: Int128, _ denominator: Int128) -> Int64 { Rounding.halfUp(numerator, denominator) }

    /// One month's interest: principal × annual ÷ 12, rounded half up. ¥12,000 at 4.35%: 4,350 fen.
    public static func monthlyInterestFen(principalFen: Int64, annual: LoanRate) -> Int64 {
        roundHalfUp(Int128(principalFen) * Int128(annual.micros), Int128(monthlyDenominator))
    }

    /// Interest for `days` actual days: principal × annual × days ÷ 360, rounded half up.
    public static func accruedInterestFen(principalFen: Int64, annual: LoanRate, days: Int) -> Int64 {
        precondition(principalFen >= 0 && days >= 0, "accrual on a negative principal or period")
        return roundHalfUp(Int128(principalFen) * Int128(annual.micros) * Int128(days),
                           Int128(dayCountBasis) * Int128(LoanRate.microsPerUnit))
    }

    /// Penalty (overdue) interest on `overdueFen` for `days` days past due at `penaltyAnnual`
    /// (typically `contract.penalty(multiplierPermille: 1_500)`): actual/360, half up.
    public static func penaltyInterestFen(overdueFen: Int64, penaltyAnnual: LoanRate, days: Int) -> Int64 {
        guard overdueFen > 0, days > 0 else { return 0 }
        return accruedInterestFen(principalFen: overdueFen, annual: penaltyAnnual, days: days)
    }

    /// The 等额本息 instalment, exactly A = P·r·(1+r)ⁿ ÷ ((1+r)ⁿ − 1) with r = annual ÷ 12,
    /// rounded half up once. With r = m ÷ D (D = 12,000,000) this is
    /// P·m·(D+m)ⁿ ÷ (D·((D+m)ⁿ − Dⁿ)), evaluated in big integers. A zero rate gives P ÷ n.
    public static func equalInstalmentFen(principalFen: Int64, annual: LoanRate, months: Int) -> Int64 {
        precondition(principalFen >= 0 && months >= 1 && annual.micros >= 0)
        guard annual.micros > 0 else { return roundHalfUp(Int128(principalFen), Int128(months)) }
        let denominator = UInt64(monthlyDenominator)
        let grown = WideUInt.power(denominator + UInt64(annual.micros), months)   // (D+m)ⁿ
        let base = WideUInt.power(denominator, months)                             // Dⁿ
        let numerator = grown.multiplied(by: UInt64(principalFen) * UInt64(annual.micros))
        return numerator.roundedQuotient(dividingBy: (grown - base).multiplied(by: denominator))
    }

    /// `totalFen` in `count` parts that differ by at most one fen, the larger parts first:
    /// 100 in 3 is [34, 33, 33]. Used for 等额本金 principal and flat-fee principal and fees, so
    /// payments never rise from one period to the next.
    public static func split(_ totalFen: Int64, into count: Int) -> [Int64] {
        precondition(totalFen >= 0 && count >= 1)
        let base = totalFen / Int64(count)
        let extra = Int(totalFen % Int64(count))
        return (0..<count).map { $0 < extra ? base + 1 : base }
    }
}
