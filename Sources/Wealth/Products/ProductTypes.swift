import BankKit
import Storage

/// A product's risk rating (产品风险等级), R1 (lowest) to R5, as the bank rates it.
public enum ProductRisk: Int, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case r1 = 1, r2, r3, r4, r5

    /// `R1` … `R5`.
    public var code: String { "R\(rawValue)" }
    public var nameZh: String { ["低风险", "中低风险", "中等风险", "中高风险", "高风险"][rawValue - 1] }
    public var nameEnglish: String { ["Low", "Medium-low", "Medium", "Medium-high", "High"][rawValue - 1] }

    public static func < (lhs: ProductRisk, rhs: ProductRisk) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses `R1` … `R5`.
    public static func parse(_ text: String) throws(DomainError) -> ProductRisk {
        guard text.count == 2, text.first == "R", let level = Int(text.dropFirst()), let risk = ProductRisk(rawValue: level) else {
            throw DomainError(.invalidRequest, "A risk rating is R1, R2, R3, R4 or R5.", status: 422, extensions: ["field": .string("risk")])
        }
        return risk
    }
}

/// How much risk a customer can bear (风险承受能力), C1 to C5, from the questionnaire.
public enum RiskTolerance: Int, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case c1 = 1, c2, c3, c4, c5

    /// `C1` … `C5`.
    public var code: String { "C\(rawValue)" }
    public var nameZh: String { ["保守型", "稳健型", "平衡型", "成长型", "进取型"][rawValue - 1] }
    public var nameEnglish: String { ["Conservative", "Cautious", "Balanced", "Growth", "Aggressive"][rawValue - 1] }

    /// The riskiest rating this customer may buy: Cn buys R1 … Rn.
    public var highestProductRisk: ProductRisk { ProductRisk(rawValue: rawValue)! }

    /// Whether a customer at this level may buy a product rated `risk`.
    public func permits(_ risk: ProductRisk) -> Bool { risk.rawValue <= rawValue }

    public static func < (lhs: RiskTolerance, rhs: RiskTolerance) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A net asset value: yuan per unit as an integer in ten-thousandths (1.0234 → 10,234).
public struct NetAssetValue: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let perUnitE4: Int64

    public init(perUnitE4: Int64) { self.perUnitE4 = perUnitE4 }

    /// ¥1.0000 a unit: the par value of a new product and of every periodic product's unit.
    public static let par = NetAssetValue(perUnitE4: 10_000)
    /// NAVs an operator may publish: ¥0.0001 to ¥1,000.0000 a unit.
    public static let publishable: ClosedRange<Int64> = 1...10_000_000
    static let unit = Asset(code: "NAV", minorUnitDigits: 4)

    /// Parses `"1.0234"` (up to 4 decimal places) and checks it is publishable.
    public static func parse(_ text: String) throws(DomainError) -> NetAssetValue {
        let refusal = DomainError(.invalidNAV, "A NAV is yuan per unit from 0.0001 to 1000.0000, with at most 4 decimal places, such as \"1.0234\".",
                                  status: 422, extensions: ["field": .string("nav")])
        guard let value = try? Money.parse(text, asset: unit), publishable.contains(value.minorUnits) else { throw refusal }
        return NetAssetValue(perUnitE4: value.minorUnits)
    }

    /// `1.0234`.
    public var text: String { Money(minorUnits: perUnitE4, asset: NetAssetValue.unit).decimalString }
    public var description: String { text }
    public static func < (lhs: NetAssetValue, rhs: NetAssetValue) -> Bool { lhs.perUnitE4 < rhs.perUnitE4 }
}

/// The integer arithmetic of units and money. Units are counted in hundredths (0.01 unit),
/// money in fen, a NAV in ten-thousandths of a yuan per unit. No floating point anywhere.
public enum ProductMath {
    /// The units `amountFen` buys at `nav`, in hundredths, rounded down (the remainder stays in
    /// the product). amountFen ÷ 100 yuan ÷ (nav ÷ 10,000 yuan per unit) = amountFen × 100 ÷ nav
    /// units = amountFen × 10,000 ÷ nav hundredths. ¥1,000.00 at 1.0234: 100,000 × 10,000 ÷
    /// 10,234 = 97,713.5… → 97,713 (977.13 units).
    public static func units(forFen amountFen: Int64, at nav: NetAssetValue) -> Int64 {
        precondition(amountFen >= 0 && nav.perUnitE4 > 0)
        return Int64(Int128(amountFen) * 10_000 / Int128(nav.perUnitE4))
    }

    /// What `units` hundredths are worth at `nav`, in fen, rounded down. units ÷ 100 × nav ÷
    /// 10,000 yuan = units × nav ÷ 1,000,000 yuan = units × nav ÷ 10,000 fen. 97,713 at 1.0234:
    /// 97,713 × 10,234 ÷ 10,000 = 99,999.48… → 99,999 fen (¥999.99).
    public static func cashFen(forUnits units: Int64, at nav: NetAssetValue) -> Int64 {
        precondition(units >= 0 && nav.perUnitE4 > 0)
        return Int64(Int128(units) * Int128(nav.perUnitE4) / 10_000)
    }

    /// A periodic product's income at maturity: principal × yield × term days ÷ 365, rounded
    /// half up to the fen (wealth products quote yields over 365 days).
    public static func periodicInterestFen(principalFen: Int64, yield: AnnualRate, termDays: Int) -> Int64 {
        InterestMath.interestFen(principalFen: principalFen, rate: yield, days: termDays, basis: 365)
    }

    /// `977.13` (hundredths of a unit as units).
    public static func unitsText(_ units: Int64) -> String {
        Money(minorUnits: units, asset: Asset(code: "UNITS", minorUnitDigits: 2)).decimalString
    }

    /// Parses units typed as `977.13` (at most 2 decimal places) into hundredths.
    public static func parseUnits(_ text: String) throws(DomainError) -> Int64 {
        guard let value = try? Money.parse(text, asset: Asset(code: "UNITS", minorUnitDigits: 2)), value.minorUnits > 0 else {
            throw DomainError(.invalidAmount, "Units are a positive number with at most 2 decimal places, such as 977.13.", status: 422,
                              extensions: ["field": .string("units")])
        }
        return value.minorUnits
    }
}

/// A wealth product in the catalogue.
///
/// `nav` (开放式净值型): subscribe and redeem on business days at the NAV of the confirmation
/// day (T+1). `periodic` (期次型): subscribe inside a window; units at ¥1 from the value date
/// (the day after the window closes); principal and the expected yield paid at maturity.
public struct WealthProduct: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case nav, periodic }
    /// `open` (on sale), `closed` (an operator stopped sales), `established` (a periodic
    /// product after its value date) and `matured` (a periodic product paid out).
    public enum Status: String, Sendable, Codable, CaseIterable { case open, closed, established, matured }

    public let id: RongID
    public let code: String
    public let name: String
    public let nameEnglish: String
    public let kind: Kind
    public let risk: ProductRisk
    public let minimumFen: Int64
    public let quotaFen: Int64
    public let soldFen: Int64
    public let windowStart: BusinessDate?
    public let windowEnd: BusinessDate?
    public let valueDate: BusinessDate?
    public let maturityDate: BusinessDate?
    public let termDays: Int?
    public let expectedYield: AnnualRate?
    public let status: Status
    public let createdAt: Timestamp

    /// The ledger asset of this product's units.
    public var unitsAsset: Asset { .productUnits(code) }
    public var remainingQuotaFen: Int64 { max(0, quotaFen - soldFen) }

    /// Units come from here (its debit balance is the units outstanding).
    public var issueAccountID: RongID { WealthProduct.issueAccountID(id) }
    /// The product's money at the bank as custodian.
    public var custodyAccountID: RongID { RongID.derived("wealth.product.custody", id) }
    /// Periodic products: the yield paid at maturity comes from here.
    public var incomeAccountID: RongID { RongID.derived("wealth.product.income", id) }
    /// A customer's units of this product.
    public func holdingAccountID(customerID: RongID) -> RongID { RongID.derived("wealth.holding", id, customerID) }

    static func issueAccountID(_ id: RongID) -> RongID { RongID.derived("wealth.product.issue", id) }

    /// Where a periodic product stands on `date`: `upcoming`, `subscribing`, `pending` (window
    /// closed, not yet established), `running`, `matured`; a NAV product `open` or `closed`.
    public func phase(on date: BusinessDate) -> String {
        switch (kind, status) {
        case (.nav, _): status == .open ? "open" : "closed"
        case (.periodic, .matured): "matured"
        case (.periodic, .established): "running"
        case (.periodic, _):
            if let start = windowStart, date < start { status == .open ? "upcoming" : "closed" }
            else if let end = windowEnd, date <= end { status == .open ? "subscribing" : "closed" }
            else { "pending" }
        }
    }
}

/// A product with its latest NAV (NAV products).
public struct ProductListing: Sendable, Hashable {
    public let product: WealthProduct
    public let latestNAV: ProductNAV?
}

/// One published NAV.
public struct ProductNAV: Sendable, Hashable {
    public let productID: RongID
    public let date: BusinessDate
    public let nav: NetAssetValue
    public let publishedBy: String
    public let publishedAt: Timestamp
}

/// What an operator fills in to create a product.
public struct ProductDraft: Sendable, Hashable {
    public var code: String
    public var name: String
    public var nameEnglish: String
    public var kind: WealthProduct.Kind
    public var risk: ProductRisk
    public var minimumFen: Int64
    public var quotaFen: Int64
    /// Periodic products only.
    public var windowStart: BusinessDate?
    public var windowEnd: BusinessDate?
    public var termDays: Int?
    public var expectedYield: AnnualRate?

    public init(code: String, name: String, nameEnglish: String, kind: WealthProduct.Kind, risk: ProductRisk, minimumFen: Int64, quotaFen: Int64,
                windowStart: BusinessDate? = nil, windowEnd: BusinessDate? = nil, termDays: Int? = nil, expectedYield: AnnualRate? = nil) {
        self.code = code
        self.name = name
        self.nameEnglish = nameEnglish
        self.kind = kind
        self.risk = risk
        self.minimumFen = minimumFen
        self.quotaFen = quotaFen
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.termDays = termDays
        self.expectedYield = expectedYield
    }
}

/// A subscription or redemption, as the customer sees it.
public struct ProductOrder: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case subscription, redemption }
    /// `placing` (row written, hold not yet placed), `accepted` (money or units held, waiting for
    /// confirmation), `confirmed`, `matured` (a periodic subscription paid out), `failed`.
    public enum Status: String, Sendable, Codable, CaseIterable { case placing, accepted, confirmed, matured, failed }

    public let id: RongID
    public let customerID: RongID
    public let productID: RongID
    public let productCode: String
    public let productName: String
    public let productNameEnglish: String
    public let kind: Kind
    public let accountID: RongID
    /// Subscription: paid in. Redemption: paid out, once confirmed.
    public let amountFen: Int64?
    /// Redemption: asked. Subscription: issued, once confirmed. Hundredths of a unit.
    public let units: Int64?
    /// The business day the order counts for (before 15:00 Asia/Shanghai on a business day: that day).
    public let tradeDate: BusinessDate
    /// NAV products: the next business day, whose NAV prices the order. Periodic: the value date.
    public let confirmDate: BusinessDate
    public let nav: NetAssetValue?
    /// Redemption: the cost of the units redeemed (average cost), once confirmed.
    public let costFen: Int64?
    /// Periodic subscriptions at maturity: principal plus income, and the income.
    public let payoutFen: Int64?
    public let interestFen: Int64?
    public let status: Status
    public let failureCode: String?
    public let createdAt: Timestamp
    public let completedAt: Timestamp?
}

/// A customer's position in one product.
public struct ProductHolding: Sendable, Hashable {
    public let product: WealthProduct
    public let latestNAV: ProductNAV?
    /// Posted units, in hundredths.
    public let units: Int64
    /// Units that may be redeemed (posted less units held by pending redemptions).
    public let availableUnits: Int64
    /// Units at the latest NAV (periodic: at par), rounded down to the fen.
    public let marketValueFen: Int64
    /// What the units held cost (subscriptions less the average cost of units redeemed).
    public let costFen: Int64
    /// Market value less cost.
    public let incomeFen: Int64
    /// Cash from confirmed redemptions less their cost.
    public let realisedIncomeFen: Int64
    /// Subscriptions accepted and not yet confirmed.
    public let pendingSubscriptionFen: Int64
    /// Periodic products held to maturity: principal plus the expected income.
    public let expectedPayoutFen: Int64?
}

/// Whether a customer may buy a product, and why not.
public struct Suitability: Sendable, Hashable {
    public let productRisk: ProductRisk
    public let customerLevel: RiskTolerance?
    public let expiresOn: BusinessDate?
    /// nil when the customer may buy; else `risk_profile_required`, `risk_profile_expired` or `suitability_mismatch`.
    public let refusal: ErrorCode?

    public var isSuitable: Bool { refusal == nil }

    /// The refusal as the error a purchase answers with (nil when suitable).
    public var error: DomainError? {
        guard let refusal else { return nil }
        var extensions: [String: ProblemValue] = ["product_risk": .string(productRisk.code)]
        if let customerLevel { extensions["customer_level"] = .string(customerLevel.code) }
        if let expiresOn { extensions["expires_on"] = .string(expiresOn.iso) }
        switch refusal {
        case .riskProfileRequired:
            return DomainError(.riskProfileRequired, "Take the risk-profile questionnaire before buying wealth products.", status: 422, extensions: extensions)
        case .riskProfileExpired:
            return DomainError(.riskProfileExpired, "Your risk profile expired on \(expiresOn?.iso ?? "-"); take the questionnaire again before buying.",
                               status: 422, extensions: extensions)
        default:
            return DomainError(.suitabilityMismatch,
                               "This product is rated \(productRisk.code), above what your risk profile \(customerLevel?.code ?? "-") allows (up to \(customerLevel?.highestProductRisk.code ?? "-")).",
                               status: 422, extensions: extensions)
        }
    }

    /// The rule: a valid profile (assessed less than a year ago) at level Cn buys R1 … Rn.
    public static func check(_ profile: RiskProfile?, risk: ProductRisk, on date: BusinessDate) -> Suitability {
        guard let profile else { return Suitability(productRisk: risk, customerLevel: nil, expiresOn: nil, refusal: .riskProfileRequired) }
        let refusal: ErrorCode? = !profile.isValid(on: date) ? .riskProfileExpired : profile.level.permits(risk) ? nil : .suitabilityMismatch
        return Suitability(productRisk: risk, customerLevel: profile.level, expiresOn: profile.expiresOn, refusal: refusal)
    }
}

/// A customer's answer to the questionnaire: the level, valid for a year.
public struct RiskProfile: Sendable, Hashable {
    public let id: RongID
    public let customerID: RongID
    public let level: RiskTolerance
    public let score: Int
    /// The option chosen for each question, in order (`A`, `B`, …).
    public let answers: [String]
    public let assessedOn: BusinessDate
    /// The first day the profile is no longer valid: one year after the assessment.
    public let expiresOn: BusinessDate
    public let createdAt: Timestamp

    public init(id: RongID, customerID: RongID, level: RiskTolerance, score: Int, answers: [String], assessedOn: BusinessDate, expiresOn: BusinessDate,
                createdAt: Timestamp) {
        self.id = id
        self.customerID = customerID
        self.level = level
        self.score = score
        self.answers = answers
        self.assessedOn = assessedOn
        self.expiresOn = expiresOn
        self.createdAt = createdAt
    }

    public func isValid(on date: BusinessDate) -> Bool { date < expiresOn }
}
