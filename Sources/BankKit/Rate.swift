/// A rate (interest, yield, fee) as an integer number of millionths: 0.35% is 3,500, 4.35% is
/// 43,500, 0.09% a month is 900. Whether it is annual or monthly is said by where it is used.
/// Never a floating-point number. Wealth calls it `AnnualRate`, Lending `LoanRate`.
public struct Rate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let micros: Int64
    public init(micros: Int64) { self.micros = micros }

    /// Micros per 100%: a rate of 1.0 (100%) is 1,000,000.
    public static let microsPerUnit: Int64 = 1_000_000

    /// Parses a percentage such as `"0.35"` or `"2.75"` (up to 4 decimal places).
    public static func parsePercent(_ text: String) throws(DomainError) -> Rate {
        do { return Rate(micros: try Money.parse(text, asset: Rate.percentUnit).minorUnits) } catch {
            throw DomainError(.invalidRate, "A rate is a percentage with at most 4 decimal places, such as \"1.50\".", status: 422)
        }
    }

    /// `"0.35"`: percent with up to four decimals, trailing zeros trimmed down to two.
    public var percentText: String {
        var text = Money(minorUnits: micros, asset: Rate.percentUnit).decimalString
        while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 { text.removeLast() }
        return text
    }

    public var description: String { percentText + "%" }
    public static func < (lhs: Rate, rhs: Rate) -> Bool { lhs.micros < rhs.micros }

    static let percentUnit = Asset(code: "PCT", minorUnitDigits: 4)
}

/// Rounding of money arithmetic: half up (四舍五入), once, at the end.
public enum Rounding {
    /// numerator ÷ denominator rounded half up, for a non-negative numerator and positive denominator.
    public static func halfUp(_ numerator: Int128, _ denominator: Int128) -> Int64 {
        precondition(numerator >= 0 && denominator > 0, "half-up division of a negative amount")
        return Int64((numerator + denominator / 2) / denominator)
    }
}

extension ErrorCode {
    public static let invalidRate: ErrorCode = "invalid_rate"
    /// A term (months, instalments) the product does not offer: deposits and loans.
    public static let termNotOffered: ErrorCode = "term_not_offered"
}
