/// Days-past-due buckets of the delinquency report (issue 6): current, 1–30, 31–60, 61–90, 90+.
public enum DelinquencyBucket: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case current
    case dpd1to30 = "dpd_1_30"
    case dpd31to60 = "dpd_31_60"
    case dpd61to90 = "dpd_61_90"
    case dpd90plus = "dpd_90_plus"

    /// The bucket of a loan whose oldest unpaid instalment is `daysPastDue` days late (the due
    /// date itself is day 0: nothing is past due until the day after). 0 or less is current.
    public init(daysPastDue: Int) {
        switch daysPastDue {
        case ...0: self = .current
        case 1...30: self = .dpd1to30
        case 31...60: self = .dpd31to60
        case 61...90: self = .dpd61to90
        default: self = .dpd90plus
        }
    }

    public static func < (lhs: DelinquencyBucket, rhs: DelinquencyBucket) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .current: 0
        case .dpd1to30: 1
        case .dpd31to60: 2
        case .dpd61to90: 3
        case .dpd90plus: 4
        }
    }
}
