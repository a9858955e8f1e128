import BankKit
import Hummingbird
import Wealth

struct RateBody: ResponseEncodable {
    let object = "rate"
    let product: String
    let productName: String
    let ratePercent: String
    let rateMicros: Int64
    let effectiveFrom: String
    let publishedBy: String

    init(_ rate: PublishedRate) {
        product = rate.product.rawValue
        productName = rate.product.nameZh
        ratePercent = rate.rate.percentText
        rateMicros = rate.rate.micros
        effectiveFrom = rate.effectiveFrom.iso
        publishedBy = rate.publishedBy
    }
}

struct DepositQuoteBody: ResponseEncodable {
    let object = "deposit_quote"
    let principalFen: Int64
    let interestFen: Int64
    let totalFen: Int64
    let totalFormatted: String
    let interestFormatted: String
    let daysHeld: Int
    let ratePercent: String
    let basis: String
    let detail: String

    init(_ quote: DepositQuote) {
        principalFen = quote.principalFen
        interestFen = quote.interestFen
        totalFen = quote.principalFen + quote.interestFen
        totalFormatted = Money.fen(quote.principalFen + quote.interestFen).formatted
        interestFormatted = Money.fen(quote.interestFen).formatted
        daysHeld = quote.daysHeld
        ratePercent = quote.rate.percentText
        basis = quote.basis
        detail = quote.detail
    }
}

struct DepositEventBody: Encodable, Sendable {
    let kind: String
    let onDate: String
    let principalFen: Int64
    let interestFen: Int64
    let ratePercent: String
    let days: Int
    let detail: String

    init(_ event: DepositEvent) {
        kind = event.kind
        onDate = event.onDate.iso
        principalFen = event.principalFen
        interestFen = event.interestFen
        ratePercent = event.rate.percentText
        days = event.days
        detail = event.detail
    }
}

struct DepositBody: ResponseEncodable {
    let object = "deposit"
    let id: String
    let kind: String
    let sourceAccountId: String
    let currency = "CNY"
    let principalFen: Int64
    let principalFormatted: String
    let openingPrincipalFen: Int64
    let termMonths: Int?
    let ratePercent: String?
    let tiers: [TierBody]?
    let openedOn: String
    let termStart: String
    let maturesOn: String?
    let onMaturity: String
    let partialWithdrawn: Bool
    let status: String
    let closedOn: String?
    let ifWithdrawnToday: DepositQuoteBody?
    let interestAtMaturityFen: Int64?
    let events: [DepositEventBody]?

    init(_ view: DepositView, events: [DepositEvent]? = nil) {
        let deposit = view.deposit
        id = deposit.id.description
        kind = deposit.kind.rawValue
        sourceAccountId = deposit.sourceAccountID.description
        principalFen = view.principalFen
        principalFormatted = Money.fen(view.principalFen).formatted
        openingPrincipalFen = deposit.openingPrincipalFen
        termMonths = deposit.termMonths
        ratePercent = deposit.rate?.percentText
        tiers = deposit.kind == .tiered ? deposit.tiers.map { TierBody(fromDays: $0.fromDays, product: $0.product.rawValue, ratePercent: $0.rate.percentText) } : nil
        openedOn = deposit.openedOn.iso
        termStart = deposit.termStart.iso
        maturesOn = deposit.maturesOn?.iso
        onMaturity = deposit.onMaturity.rawValue
        partialWithdrawn = deposit.partialWithdrawn
        status = deposit.status
        closedOn = deposit.closedOn?.iso
        ifWithdrawnToday = view.ifWithdrawnToday.map(DepositQuoteBody.init)
        interestAtMaturityFen = view.interestAtMaturityFen
        self.events = events?.map(DepositEventBody.init)
    }
}

struct TierBody: Codable, Sendable {
    let fromDays: Int
    let product: String
    let ratePercent: String?
}

struct SweepBody: ResponseEncodable {
    let object = "sweep"
    let accountId: String
    let active: Bool
    let thresholdFen: Int64
    let thresholdFormatted: String
    let dailyRedeemMaxFen: Int64
    let fundBalanceFen: Int64
    let fundBalanceFormatted: String
    let redeemedTodayFen: Int64
    let yieldPercent: String

    init(_ view: SweepView) {
        accountId = view.setting.accountID.description
        active = view.setting.active
        thresholdFen = view.setting.thresholdFen
        thresholdFormatted = Money.fen(view.setting.thresholdFen).formatted
        dailyRedeemMaxFen = view.setting.dailyRedeemMaxFen
        fundBalanceFen = view.fundBalanceFen
        fundBalanceFormatted = Money.fen(view.fundBalanceFen).formatted
        redeemedTodayFen = view.redeemedTodayFen
        yieldPercent = view.yield.percentText
    }
}

struct DemandInterestBody: ResponseEncodable {
    let object = "demand_interest"
    let accountId: String
    let accruedMicros: Int64
    let accruedFen: Int64
    let accruedFormatted: String
    let accruedThrough: String?
    let ratePercent: String
    let nextSettlementDate: String
}
