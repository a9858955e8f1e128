import BankKit

/// The annual percentage rate of a loan: the monthly internal rate of return i of the
/// instalments against the principal (Σ payment_k ÷ (1+i)^k = P, payments one month apart),
/// found without floating point.
///
/// - `nominalAnnual` is 12 × i (the rate a 等额本息 loan at that annual rate would have; what
///   DOMAIN §5's approximation f·12·2n/(n+1) estimates);
/// - `effectiveAnnual` is (1+i)¹² − 1 (the compounded rate; Hong Kong's APR, so ICBC Asia's
///   "0.09% monthly flat over 12 months = 2.01% APR" is this one).
///
/// Both are in micros (1e-6) rounded half up; show them with `basisPointsRounded` (2 decimals
/// of percent). Precision: i is bracketed to 1 ÷ (1.2 × 10¹¹) a month, i.e. 12i to 10⁻¹⁰ — a
/// ten-thousandth of a micro — by bisection in exact big-integer arithmetic. Because the bracket
/// width equals the unit of the search, `nominalAnnual` is exactly 12i rounded half up (no
/// half-micro boundary can fall inside the bracket). `effectiveAnnual` is computed at the
/// bracket's lower end; it can differ from the exact rounding only if (1+i)¹² − 1 lies within
/// 1.3 × 10⁻⁴ micro of a half-micro.
public struct LoanAPR: Sendable, Hashable, Codable {
    public let nominalAnnual: LoanRate
    public let effectiveAnnual: LoanRate

    /// The search's unit of monthly rate: i = q ÷ 120,000,000,000, so 12i = q × 10⁻¹⁰.
    static let monthlyScale: UInt64 = 120_000_000_000
    /// The search covers nominal rates up to 1,000% a year (q ≤ 10¹¹).
    static let maxSearchUnits: UInt64 = 100_000_000_000

    /// The APR of `instalmentsFen` (due 1, 2, … months after disbursement) against `principalFen`.
    /// They must repay at least the principal; a loan repaid with no cost has an APR of 0.
    public init(principalFen: Int64, instalmentsFen: [Int64]) {
        precondition(principalFen > 0 && !instalmentsFen.isEmpty && instalmentsFen.allSatisfy { $0 >= 0 })
        precondition(instalmentsFen.reduce(0, +) >= principalFen, "instalments repay less than the principal")
        // Largest q with PV(q) ≥ P: PV falls as q rises, PV(0) = Σ payments ≥ P.
        var low: UInt64 = 0
        var high = LoanAPR.maxSearchUnits + 1
        precondition(!LoanAPR.presentValueCovers(principalFen, instalmentsFen, units: high), "APR above 1,000%")
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if LoanAPR.presentValueCovers(principalFen, instalmentsFen, units: middle) { low = middle } else { high = middle }
        }
        // 12i ∈ [low, low + 1) × 10⁻¹⁰; micros = 12i × 10⁶ rounded half up.
        nominalAnnual = LoanRate(micros: Int64((low + 5_000) / 10_000))
        // (1+i)¹² − 1 = (B¹² − S¹²) ÷ S¹², with B = S + low.
        let scale = WideUInt.power(LoanAPR.monthlyScale, 12)
        let grown = WideUInt.power(LoanAPR.monthlyScale + low, 12)
        effectiveAnnual = LoanRate(micros: (grown - scale).multiplied(by: UInt64(LoanRate.microsPerUnit)).roundedQuotient(dividingBy: scale))
    }

    /// Whether Σ pay_k ÷ (1+i)^k ≥ P at i = units ÷ S, i.e. (multiplying by Bⁿ, B = S + units)
    /// Σ pay_k · S^k · B^(n−k) ≥ P · Bⁿ — evaluated by Horner's rule in exact integers.
    static func presentValueCovers(_ principalFen: Int64, _ instalmentsFen: [Int64], units: UInt64) -> Bool {
        let growth = monthlyScale + units
        var sum = WideUInt(0)
        var scalePower = WideUInt(1)
        var growthPower = WideUInt(1)
        for payment in instalmentsFen {
            sum.multiply(by: growth)
            scalePower.multiply(by: monthlyScale)
            sum.add(scalePower.multiplied(by: UInt64(payment)))
            growthPower.multiply(by: growth)
        }
        return growthPower.multiplied(by: UInt64(principalFen)) <= sum
    }
}
