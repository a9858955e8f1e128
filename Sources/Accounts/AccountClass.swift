import BankKit

/// PBoC personal account classes (银发〔2015〕392号, 〔2016〕302号, 〔2018〕16号).
public enum AccountClass: String, Sendable, Hashable, Codable, CaseIterable {
    /// Ⅰ类户 (钱箱): opened at the counter, full functions, no regulatory limits.
    case classI = "I"
    /// Ⅱ类户 (钱夹): opened online, bound to a Class I account, ¥10,000/day and ¥200,000/year with non-bound accounts.
    case classII = "II"
    /// Ⅲ类户 (零钱包): opened online, balance ≤ ¥2,000, out ≤ ¥2,000/day and ¥50,000/year.
    case classIII = "III"

    /// At most this many of each online class per person at this bank.
    public static let perPersonMax = 5

    public static func parse(_ text: String) throws(DomainError) -> AccountClass {
        switch text.uppercased() {
        case "II", "2": .classII
        case "III", "3": .classIII
        default:
            throw DomainError(.invalidRequest, "Online e-accounts are Class II or III.", status: 422, extensions: ["field": .string("account_class")])
        }
    }

    public var labelZH: String {
        switch self {
        case .classI: "Ⅰ类户"
        case .classII: "Ⅱ类电子账户"
        case .classIII: "Ⅲ类电子账户"
        }
    }
}

/// How a movement relates to the e-account's limits.
public enum MovementCategory: String, Sendable, Hashable, Codable {
    /// With the e-account's own bound account: no amount limits.
    case bound
    /// Money in from (or out to) an account that is not the bound one.
    case nonBound = "non_bound"
    /// Spending and bill payment (counts with non-bound outflow).
    case spending
    /// The bank's own loan, deposit and wealth flows: no amount limits.
    case exempt
}

public enum MovementDirection: String, Sendable, Hashable, Codable { case inbound = "in", outbound = "out" }

/// One regulatory limit on an e-account class.
public struct LimitRule: Sendable, Hashable {
    public enum Period: String, Sendable { case day, year }
    /// Stable name, part of the `limit_exceeded` error (`class_ii_daily_out`, …).
    public let name: String
    public let accountClass: AccountClass
    public let direction: MovementDirection
    public let period: Period
    public let limitFen: Int64

    /// Which movements count against a rule: non-bound flows, and spending on the way out.
    public func applies(to category: MovementCategory, direction: MovementDirection) -> Bool {
        guard direction == self.direction else { return false }
        switch category {
        case .nonBound: return true
        case .spending: return direction == .outbound
        case .bound, .exempt: return false
        }
    }

    /// The period key of a business date: `2026-11-23` or `2026` (Asia/Shanghai calendar).
    public func periodKey(_ date: BusinessDate) -> String {
        period == .day ? date.iso : String(date.year)
    }

    /// Class II (302号) and Class III (16号) limits, in fen.
    public static let all: [LimitRule] = [
        LimitRule(name: "class_ii_daily_in", accountClass: .classII, direction: .inbound, period: .day, limitFen: 10_000_00),
        LimitRule(name: "class_ii_yearly_in", accountClass: .classII, direction: .inbound, period: .year, limitFen: 200_000_00),
        LimitRule(name: "class_ii_daily_out", accountClass: .classII, direction: .outbound, period: .day, limitFen: 10_000_00),
        LimitRule(name: "class_ii_yearly_out", accountClass: .classII, direction: .outbound, period: .year, limitFen: 200_000_00),
        LimitRule(name: "class_iii_daily_out", accountClass: .classIII, direction: .outbound, period: .day, limitFen: 2_000_00),
        LimitRule(name: "class_iii_yearly_out", accountClass: .classIII, direction: .outbound, period: .year, limitFen: 50_000_00),
    ]

    /// Class III balance cap at any moment (16号), enforced on every credit whatever its source.
    public static let classIIIBalanceCapFen: Int64 = 2_000_00
    public static let classIIIBalanceRuleName = "class_iii_balance"

    public static func rules(for accountClass: AccountClass) -> [LimitRule] { all.filter { $0.accountClass == accountClass } }
}

extension ErrorCode {
    public static let limitExceeded: ErrorCode = "limit_exceeded"
}
