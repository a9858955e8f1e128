import BankKit
import Hummingbird
import Wealth

struct WealthNAVBody: ResponseEncodable {
    let object = "nav"
    let date: String
    /// Yuan per unit, `1.0234`.
    let nav: String
    let navE4: Int64
    let publishedAt: String

    init(_ record: ProductNAV) {
        date = record.date.iso
        nav = record.nav.text
        navE4 = record.nav.perUnitE4
        publishedAt = record.publishedAt.description
    }
}

struct WealthSuitabilityBody: Encodable, Sendable {
    let suitable: Bool
    let productRisk: String
    let customerLevel: String?
    let expiresOn: String?
    /// Why not: `risk_profile_required`, `risk_profile_expired` or `suitability_mismatch`.
    let code: String?

    init(_ suitability: Suitability) {
        suitable = suitability.isSuitable
        productRisk = suitability.productRisk.code
        customerLevel = suitability.customerLevel?.code
        expiresOn = suitability.expiresOn?.iso
        code = suitability.refusal?.rawValue
    }
}

struct WealthProductBody: ResponseEncodable {
    let object = "wealth_product"
    let id: String
    let code: String
    let name: String
    let nameEn: String
    let kind: String
    let risk: String
    let status: String
    let phase: String
    let currency = "CNY"
    let minimumFen: Int64
    let quotaFen: Int64
    let soldFen: Int64
    let remainingQuotaFen: Int64
    let windowStart: String?
    let windowEnd: String?
    let valueDate: String?
    let maturityDate: String?
    let termDays: Int?
    /// Percent a year, `3.10`.
    let expectedYield: String?
    let latestNav: WealthNAVBody?
    let suitability: WealthSuitabilityBody?
    let createdAt: String

    init(_ product: WealthProduct, latestNAV: ProductNAV?, today: BusinessDate, suitability: Suitability? = nil) {
        id = product.id.description
        code = product.code
        name = product.name
        nameEn = product.nameEnglish
        kind = product.kind.rawValue
        risk = product.risk.code
        status = product.status.rawValue
        phase = product.phase(on: today)
        minimumFen = product.minimumFen
        quotaFen = product.quotaFen
        soldFen = product.soldFen
        remainingQuotaFen = product.remainingQuotaFen
        windowStart = product.windowStart?.iso
        windowEnd = product.windowEnd?.iso
        valueDate = product.valueDate?.iso
        maturityDate = product.maturityDate?.iso
        termDays = product.termDays
        expectedYield = product.expectedYield?.percentText
        latestNav = latestNAV.map(WealthNAVBody.init)
        self.suitability = suitability.map(WealthSuitabilityBody.init)
        createdAt = product.createdAt.description
    }
}

struct WealthProductDetailBody: ResponseEncodable {
    let object = "wealth_product_detail"
    let product: WealthProductBody
    /// Newest first.
    let navs: [WealthNAVBody]
    /// NAV products: the trade and confirmation dates of an order placed now.
    let orderNowTradeDate: String?
    let orderNowConfirmDate: String?
    let holding: WealthHoldingBody?
    /// Staff: orders by kind and status.
    let orders: [WealthOrderCountBody]?
}

struct WealthOrderCountBody: Encodable, Sendable {
    let kind: String
    let status: String
    let count: Int64
    let amountFen: Int64
}

struct WealthOrderBody: ResponseEncodable {
    let object = "wealth_order"
    let id: String
    let productId: String
    let productCode: String
    let productName: String
    let kind: String
    let accountId: String
    let currency = "CNY"
    let amountFen: Int64?
    let amountFormatted: String?
    /// Hundredths of a unit.
    let units: Int64?
    let unitsFormatted: String?
    let tradeDate: String
    let confirmDate: String
    let nav: String?
    let costFen: Int64?
    let payoutFen: Int64?
    let interestFen: Int64?
    let status: String
    let failureCode: String?
    let createdAt: String
    let completedAt: String?

    init(_ order: ProductOrder) {
        id = order.id.description
        productId = order.productID.description
        productCode = order.productCode
        productName = order.productName
        kind = order.kind.rawValue
        accountId = order.accountID.description
        amountFen = order.amountFen
        amountFormatted = order.amountFen.map { Money.fen($0).formatted }
        units = order.units
        unitsFormatted = order.units.map(ProductMath.unitsText)
        tradeDate = order.tradeDate.iso
        confirmDate = order.confirmDate.iso
        nav = order.nav?.text
        costFen = order.costFen
        payoutFen = order.payoutFen
        interestFen = order.interestFen
        status = order.status.rawValue
        failureCode = order.failureCode
        createdAt = order.createdAt.description
        completedAt = order.completedAt?.description
    }
}

struct WealthHoldingBody: ResponseEncodable {
    let object = "wealth_holding"
    let productId: String
    let productCode: String
    let productName: String
    let kind: String
    let risk: String
    /// Hundredths of a unit.
    let units: Int64
    let unitsFormatted: String
    let availableUnits: Int64
    let nav: String?
    let navDate: String?
    let marketValueFen: Int64
    let marketValueFormatted: String
    let costFen: Int64
    let incomeFen: Int64
    let realisedIncomeFen: Int64
    let pendingSubscriptionFen: Int64
    let expectedPayoutFen: Int64?
    let maturityDate: String?

    init(_ holding: ProductHolding) {
        productId = holding.product.id.description
        productCode = holding.product.code
        productName = holding.product.name
        kind = holding.product.kind.rawValue
        risk = holding.product.risk.code
        units = holding.units
        unitsFormatted = ProductMath.unitsText(holding.units)
        availableUnits = holding.availableUnits
        nav = holding.latestNAV?.nav.text
        navDate = holding.latestNAV?.date.iso
        marketValueFen = holding.marketValueFen
        marketValueFormatted = Money.fen(holding.marketValueFen).formatted
        costFen = holding.costFen
        incomeFen = holding.incomeFen
        realisedIncomeFen = holding.realisedIncomeFen
        pendingSubscriptionFen = holding.pendingSubscriptionFen
        expectedPayoutFen = holding.expectedPayoutFen
        maturityDate = holding.product.maturityDate?.iso
    }
}

struct RiskProfileBody: ResponseEncodable {
    let object = "risk_profile"
    let id: String
    let level: String
    let levelName: String
    /// The highest product rating this profile may buy.
    let maxProductRisk: String
    let score: Int
    let answers: [String]
    let assessedOn: String
    let expiresOn: String
    let valid: Bool

    init(_ profile: RiskProfile, today: BusinessDate) {
        id = profile.id.description
        level = profile.level.code
        levelName = profile.level.nameEnglish
        maxProductRisk = profile.level.highestProductRisk.code
        score = profile.score
        answers = profile.answers
        assessedOn = profile.assessedOn.iso
        expiresOn = profile.expiresOn.iso
        valid = profile.isValid(on: today)
    }
}

struct RiskQuestionnaireBody: ResponseEncodable {
    struct Option: Encodable, Sendable { let code: String; let text: String; let textEn: String; let score: Int }
    struct Question: Encodable, Sendable { let id: String; let text: String; let textEn: String; let options: [Option] }
    struct Band: Encodable, Sendable { let minScore: Int; let maxScore: Int; let level: String }

    let object = "risk_questionnaire"
    let questions: [Question]
    let bands: [Band]
    let validityMonths: Int

    init() {
        questions = RiskQuestionnaire.questions.map { question in
            Question(id: question.id, text: question.textZh, textEn: question.textEnglish,
                     options: question.options.map { Option(code: $0.code, text: $0.textZh, textEn: $0.textEnglish, score: $0.score) })
        }
        bands = RiskQuestionnaire.bands.map { Band(minScore: $0.scores.lowerBound, maxScore: $0.scores.upperBound, level: $0.level.code) }
        validityMonths = RiskQuestionnaire.validityMonths
    }
}
