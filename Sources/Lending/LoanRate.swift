import BankKit

/// A loan rate as an integer number of millionths (1e-6): 4.35% is 43,500, 0.09% is 900.
///
/// The same representation as Wealth's `AnnualRate`, kept separate so Lending depends on
/// BankKit only. Whether a rate is annual (interest) or monthly (a flat fee) is said by where
/// it is used (`RepaymentMethod`), never guessed. Never a floating-point number.
public struct LoanRate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let micros: Int64
    public init(micros: Int64) { self.micros = micros }

    /// Micros per 100%: a rate of 1.0 (100%) is 1,000,000.
    public static let microsPerUnit: Int64 = 1_000_000

    /// The highest annual interest rate a loan may carry: 24%, the ceiling Chinese regulators and
    /// courts apply to consumer credit's all-in annual cost.
    public static let maxAnnual = LoanRate(micros: 240_000)
    /// The highest monthly flat fee: 1% a month, whose APR (≈ f·12·2n/(n+1)) stays under 24% for
    /// every term up to 360 months.
    public static let maxMonthlyFee = LoanRate(micros: 10_000)

    /// Penalty (overdue) interest rate: the contract rate × `multiplierPermille` ÷ 1,000, rounded
    /// half up to the micro. 4.35% × 1.5 (1,500‰) = 6.525%.
    public func penalty(multiplierPermille: Int64 = 1_500) -> LoanRate {
        precondition(micros >= 0 && multiplierPermille >= 1_000, "a penalty rate is at least the contract rate")
        return LoanRate(micros: LoanMath.roundHalfUp(Int128(micros) * Int128(multiplierPermille), 1_000))
    }

    /// Hundredths of a percent (basis points), rounded half up: how APRs are shown, 20,060 → 201 ("2.01%").
    public var basisPointsRounded: Int64 { LoanMath.roundHalfUp(Int128(micros), 100) }

    /// `"4.35"`: percent with four decimals, trailing zeros trimmed down to two.
    public var percentText: String {
        var text = Money(minorUnits: micros, asset: LoanRate.percentUnit).decimalString
        while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 { text.removeLast() }
        return text
    }

    public var description: String { percentText + "%" }
    public static func < (lhs: LoanRate, rhs: LoanRate) -> Bool { lhs.micros < rhs.micros }

    static let percentUnit = Asset(code: "PCT", minorUnitDigits: 4)
}
