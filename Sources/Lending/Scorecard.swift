import BankKit

/// What the bank knows about a customer from its own books, as the scorecard reads it. Gathered
/// from Accounts and the ledger by the caller; the scorecard itself is a pure function.
public struct CreditInputs: Sendable, Hashable, Codable {
    /// Age in whole years on the decision date.
    public var ageYears: Int
    /// Whole months since the customer's first account opened here.
    public var tenureMonths: Int
    /// Average end-of-day balance over the last six months, all accounts, in fen.
    public var averageBalanceFen: Int64
    /// Average monthly money in from outside (salary, transfers in), last six months, in fen.
    public var averageMonthlyInflowFen: Int64
    /// Instalments of earlier loans paid on time, and paid late.
    public var instalmentsOnTime: Int
    public var instalmentsLate: Int
    /// Amount overdue today on any loan, in fen.
    public var overdueFen: Int64

    public init(ageYears: Int, tenureMonths: Int, averageBalanceFen: Int64, averageMonthlyInflowFen: Int64,
                instalmentsOnTime: Int = 0, instalmentsLate: Int = 0, overdueFen: Int64 = 0) {
        self.ageYears = ageYears
        self.tenureMonths = tenureMonths
        self.averageBalanceFen = averageBalanceFen
        self.averageMonthlyInflowFen = averageMonthlyInflowFen
        self.instalmentsOnTime = instalmentsOnTime
        self.instalmentsLate = instalmentsLate
        self.overdueFen = overdueFen
    }
}

/// Why a decision declined or gave less than the most the inputs could support. Stable codes:
/// operators see them beside the inputs, customers see their text.
public enum CreditReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// Outside 18–70 years (逸贷 eligibility).
    case ageOutOfRange = "age_out_of_range"
    /// Something is overdue today: no new credit until it is paid.
    case currentlyOverdue = "currently_overdue"
    /// A customer for less than 3 months.
    case shortTenure = "short_tenure"
    /// No money comes in regularly.
    case noInflow = "no_inflow"
    /// Earlier instalments were paid late.
    case lateRepayments = "late_repayments"
    /// Balances and inflows support only a small line.
    case thinRelationship = "thin_relationship"
    /// The line reached the product's cap.
    case cappedAtMaximum = "capped_at_maximum"
    /// The score is below the approval cut-off.
    case scoreTooLow = "score_too_low"
}

/// The outcome: approved with a pre-approved limit, or declined; the score and its parts; the
/// reasons for a decline or a reduction.
public struct CreditDecision: Sendable, Hashable, Codable {
    public let approved: Bool
    public let limitFen: Int64
    /// 0–1000.
    public let score: Int
    /// Points by characteristic, for operators (`tenure`, `balance`, `inflow`, `history`).
    public let points: [String: Int]
    public let reasons: [CreditReason]
}

/// An explainable, points-based scorecard on the bank's own data (DOMAIN.md §5, issue 6).
///
/// Knock-outs first (age 18–70, nothing overdue). Then points, each characteristic banded:
///
/// | characteristic | bands → points |
/// | --- | --- |
/// | tenure (months) | < 3 → 0, 3–11 → 60, 12–35 → 120, ≥ 36 → 180 |
/// | average balance | < ¥1,000 → 0, < ¥10,000 → 100, < ¥50,000 → 200, ≥ ¥50,000 → 300 |
/// | monthly inflow | 0 → 0, < ¥3,000 → 80, < ¥10,000 → 160, ≥ ¥10,000 → 240 |
/// | repayment history | no loans → 140; otherwise 280 × on-time ÷ all, less 40 per late one (floor 0) |
///
/// The base of 0–1000 is the sum. Approved from `cutoff` (default 400). The limit is three
/// months of inflow plus half the average balance, times score ÷ 1000, rounded down to ¥100, at
/// most `capFen` (default ¥50,000); below `floorFen` (default ¥1,000) the application is declined
/// (`thin_relationship`). Integer arithmetic only.
public struct Scorecard: Sendable, Hashable {
    public var cutoff: Int
    public var floorFen: Int64
    public var capFen: Int64

    public init(cutoff: Int = 400, floorFen: Int64 = 1_000_00, capFen: Int64 = 50_000_00) {
        precondition(cutoff >= 0 && cutoff <= 1000 && floorFen > 0 && floorFen <= capFen)
        self.cutoff = cutoff
        self.floorFen = floorFen
        self.capFen = capFen
    }

    /// 逸贷's consumer line.
    public static let consumer = Scorecard()

    public func evaluate(_ inputs: CreditInputs) throws(DomainError) -> CreditDecision {
        guard (0...150).contains(inputs.ageYears), inputs.tenureMonths >= 0, inputs.averageBalanceFen >= 0, inputs.averageMonthlyInflowFen >= 0,
              inputs.instalmentsOnTime >= 0, inputs.instalmentsLate >= 0, inputs.overdueFen >= 0 else {
            throw DomainError(.invalidRequest, "Credit inputs are counts and amounts of zero or more.", status: 422)
        }
        var points: [String: Int] = [:]
        points["tenure"] = switch inputs.tenureMonths {
        case ..<3: 0
        case 3..<12: 60
        case 12..<36: 120
        default: 180
        }
        points["balance"] = switch inputs.averageBalanceFen {
        case ..<1_000_00: 0
        case ..<10_000_00: 100
        case ..<50_000_00: 200
        default: 300
        }
        points["inflow"] = switch inputs.averageMonthlyInflowFen {
        case 0: 0
        case ..<3_000_00: 80
        case ..<10_000_00: 160
        default: 240
        }
        let instalments = inputs.instalmentsOnTime + inputs.instalmentsLate
        points["history"] = instalments == 0 ? 140 : max(0, 280 * inputs.instalmentsOnTime / instalments - 40 * inputs.instalmentsLate)
        let score = points.values.reduce(0, +)

        var reasons: [CreditReason] = []
        if !(18...70).contains(inputs.ageYears) { reasons.append(.ageOutOfRange) }
        if inputs.overdueFen > 0 { reasons.append(.currentlyOverdue) }
        if inputs.tenureMonths < 3 { reasons.append(.shortTenure) }
        if inputs.averageMonthlyInflowFen == 0 { reasons.append(.noInflow) }
        if inputs.instalmentsLate > 0 { reasons.append(.lateRepayments) }
        let knockedOut = reasons.contains(.ageOutOfRange) || reasons.contains(.currentlyOverdue)
        guard !knockedOut, score >= cutoff else {
            if !knockedOut { reasons.append(.scoreTooLow) }
            return CreditDecision(approved: false, limitFen: 0, score: score, points: points, reasons: reasons)
        }
        // Capacity: three months of inflow plus half the average balance, scaled by the score.
        let capacity = Int128(inputs.averageMonthlyInflowFen) * 3 + Int128(inputs.averageBalanceFen) / 2
        let scaled = Int64(clamping: capacity * Int128(score) / 1000)
        var limit = scaled / 100_00 * 100_00
        // Too little to lend prudently: declined, not raised to the floor.
        guard limit >= floorFen else {
            reasons.append(.thinRelationship)
            return CreditDecision(approved: false, limitFen: 0, score: score, points: points, reasons: reasons)
        }
        if limit > capFen {
            limit = capFen
            reasons.append(.cappedAtMaximum)
        }
        return CreditDecision(approved: true, limitFen: limit, score: score, points: points, reasons: reasons)
    }
}
