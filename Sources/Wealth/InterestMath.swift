import BankKit

/// The interest formulas of DOMAIN.md §4, in integers only.
///
/// Day count: actual days held over a 360-day year (daily rate = annual ÷ 360); whole terms by
/// months over 12 (monthly rate = annual ÷ 12). Wealth products quote yields over 365 days.
/// Results in fen are rounded half up (四舍五入) once, at the end; running accruals are kept in
/// micro-fen (1e-6 fen) so nothing is lost day by day.
public enum InterestMath {
    public static let microsPerFen: Int64 = 1_000_000

    /// One day of demand interest on `balanceFen`, in micro-fen, truncated: balance × rate ÷ 360.
    /// (The SQL of the daily accrual computes exactly this, so a bench and a test agree to the unit.)
    public static func dailyAccrualMicros(balanceFen: Int64, rate: AnnualRate) -> Int64 {
        guard balanceFen > 0 else { return 0 }
        return Int64(Int128(balanceFen) * Int128(rate.micros) / 360)
    }

    /// Micro-fen rounded half up to whole fen (negative carries round toward zero).
    public static func roundToFen(micros: Int64) -> Int64 {
        micros >= 0 ? (micros + microsPerFen / 2) / microsPerFen : -((-micros + microsPerFen / 2) / microsPerFen)
    }

    /// Interest for `days` actual days: principal × rate × days ÷ basis, rounded half up.
    public static func interestFen(principalFen: Int64, rate: AnnualRate, days: Int, basis: Int = 360) -> Int64 {
        guard principalFen > 0, days > 0 else { return 0 }
        let numerator = Int128(principalFen) * Int128(rate.micros) * Int128(days)
        return Rounding.halfUp(numerator, Int128(basis) * Int128(microsPerFen))
    }

    /// Interest for a whole term of `months`: principal × rate × months ÷ 12, rounded half up.
    public static func termInterestFen(principalFen: Int64, rate: AnnualRate, months: Int) -> Int64 {
        guard principalFen > 0, months > 0 else { return 0 }
        let numerator = Int128(principalFen) * Int128(rate.micros) * Int128(months)
        return Rounding.halfUp(numerator, 12 * Int128(microsPerFen))
    }

    /// The quarterly settlement dates of demand interest (结息日): the 20th of March, June,
    /// September and December. Interest is credited the day after (the end-of-day run of the
    /// 20th finishes after midnight, on the 21st).
    public static func isDemandSettlementDate(_ date: BusinessDate) -> Bool {
        date.day == 20 && date.month % 3 == 0
    }
}

/// One tier of a 节节高 (靠档计息) deposit: from `fromDays` days held, interest at `product`'s rate.
public struct DepositTier: Sendable, Hashable, Codable {
    public let fromDays: Int
    public let product: RateProduct

    public init(fromDays: Int, product: RateProduct) {
        self.fromDays = fromDays
        self.product = product
    }

    /// The default ladder: under 7 days demand; 7 days the 7-day notice rate; then 3 months,
    /// 6 months and 1 year (30-day months, so 90, 180 and 360 days).
    public static let standard: [DepositTier] = [
        DepositTier(fromDays: 0, product: .demand),
        DepositTier(fromDays: 7, product: .notice7d),
        DepositTier(fromDays: 90, product: .time3m),
        DepositTier(fromDays: 180, product: .time6m),
        DepositTier(fromDays: 360, product: .time1y),
    ]

    /// The highest tier `daysHeld` has reached (the ladder is sorted and starts at 0 days).
    public static func reached(_ daysHeld: Int, in ladder: [DepositTier]) -> DepositTier {
        ladder.last { $0.fromDays <= daysHeld } ?? ladder[0]
    }

    /// Checks an operator's ladder: 1–10 tiers, starting at 0 days, strictly increasing.
    public static func validate(_ ladder: [DepositTier]) throws(DomainError) {
        guard (1...10).contains(ladder.count), ladder.first?.fromDays == 0,
              zip(ladder, ladder.dropFirst()).allSatisfy({ $0.fromDays < $1.fromDays }), (ladder.last?.fromDays ?? 0) <= 3650 else {
            throw DomainError(.invalidRequest, "A tier ladder has 1–10 tiers, starts at 0 days and increases strictly up to 3,650 days.", status: 422)
        }
    }
}
