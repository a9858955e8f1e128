import BankKit
import Hummingbird
import Lending

struct DecisionBody: ResponseEncodable {
    let object = "credit_decision"
    let id: String
    let subject: String
    let product: String
    let approved: Bool
    let limitFen: Int64
    let limitFormatted: String
    let score: Int
    let points: [String: Int]
    let reasons: [String]
    let inputs: [String: String]
    let decidedAt: String

    init(_ decision: RecordedDecision) {
        id = decision.id.description
        subject = decision.subjectRef
        product = decision.product
        approved = decision.approved
        limitFen = decision.limitFen
        limitFormatted = Money.fen(decision.limitFen).formatted
        score = decision.score
        points = decision.points
        reasons = decision.reasons
        inputs = decision.inputs
        decidedAt = decision.decidedAt.rfc3339
    }
}

struct ConsumerCreditBody: ResponseEncodable {
    let object = "consumer_credit"
    let approved: Bool
    let limitFen: Int64
    let usedFen: Int64
    let availableFen: Int64
    let availableFormatted: String
    let overdue: Bool
    let reasons: [String]

    init(_ credit: ConsumerCredit) {
        approved = credit.decision?.approved ?? false
        limitFen = credit.limitFen
        usedFen = credit.usedFen
        availableFen = credit.availableFen
        availableFormatted = Money.fen(credit.availableFen).formatted
        overdue = credit.overdue
        reasons = credit.decision?.reasons ?? []
    }
}

struct OfferBody: ResponseEncodable {
    let object = "loan_offer"
    let id: String
    let status: String
    let merchantName: String
    let purchaseFen: Int64
    let amountFen: Int64
    let amountFormatted: String
    let accountId: String
    let expiresAt: String
    let createdAt: String
    let loanId: String?
    let termsMonths = LoanTerms.easyLoanTermsMonths
    let pricing = PricingChoice.allCases.map(\.rawValue)

    init(_ offer: LoanOffer) {
        id = offer.id.description
        status = offer.status.rawValue
        merchantName = offer.merchantName
        purchaseFen = offer.purchaseFen
        amountFen = offer.amountFen
        amountFormatted = Money.fen(offer.amountFen).formatted
        accountId = offer.accountID.description
        expiresAt = offer.expiresAt.rfc3339
        createdAt = offer.createdAt.rfc3339
        loanId = offer.loanID?.description
    }
}

struct ScheduleLineBody: Encodable, Sendable {
    let period: Int
    let dueDate: String
    let principalFen: Int64
    let interestFen: Int64
    let feeFen: Int64
    let amountFen: Int64
    let amountFormatted: String
    let paidFen: Int64?
    let status: String?

    init(_ line: ScheduleLine) {
        period = line.period
        dueDate = line.dueDate.iso
        principalFen = line.principalFen
        interestFen = line.interestFen
        feeFen = line.feeFen
        amountFen = line.instalmentFen
        amountFormatted = Money.fen(line.instalmentFen).formatted
        paidFen = nil
        status = nil
    }

    init(_ instalment: Instalment, today: BusinessDate) {
        period = instalment.period
        dueDate = instalment.dueDate.iso
        principalFen = instalment.principalFen
        interestFen = instalment.interestFen
        feeFen = instalment.feeFen
        amountFen = instalment.amountFen
        amountFormatted = Money.fen(instalment.amountFen).formatted
        paidFen = instalment.amountFen - instalment.unpaidFen
        status = instalment.isPaid ? "paid" : (instalment.dueDate < today ? "overdue" : (instalment.billed ? "due" : "scheduled"))
    }
}

struct LoanQuoteBody: ResponseEncodable {
    let object = "loan_quote"
    let principalFen: Int64
    let termMonths: Int
    let pricing: String
    let quotedRatePercent: String
    let totalCostFen: Int64
    let totalCostFormatted: String
    let totalRepaidFen: Int64
    /// The APR: the effective annual rate of the instalments (IRR); the nominal is the monthly IRR × 12.
    let aprPercent: String
    let aprNominalPercent: String
    let schedule: [ScheduleLineBody]

    init(_ quote: LoanQuote) {
        principalFen = quote.schedule.terms.principalFen
        termMonths = quote.schedule.terms.termMonths
        pricing = quote.pricing.rawValue
        quotedRatePercent = quote.quotedRate.percentText
        totalCostFen = quote.totalCostFen
        totalCostFormatted = Money.fen(quote.totalCostFen).formatted
        totalRepaidFen = quote.schedule.totalRepaidFen
        aprPercent = quote.apr.effectiveAnnual.percentText
        aprNominalPercent = quote.apr.nominalAnnual.percentText
        schedule = quote.schedule.lines.map(ScheduleLineBody.init)
    }
}

struct LendingEventBody: Encodable, Sendable {
    let kind: String
    let onDate: String
    let principalFen: Int64
    let interestFen: Int64
    let feeFen: Int64
    let penaltyFen: Int64
    let totalFormatted: String
    let detail: String

    init(_ event: LendingEvent) {
        kind = event.kind
        onDate = event.onDate.iso
        principalFen = event.principalFen
        interestFen = event.interestFen
        feeFen = event.feeFen
        penaltyFen = event.penaltyFen
        totalFormatted = Money.fen(event.totalFen).formatted
        detail = event.detail
    }
}

struct LoanBody: ResponseEncodable {
    let object = "loan"
    let id: String
    let status: String
    let offerId: String
    let accountId: String
    let pricing: String
    let principalFen: Int64
    let termMonths: Int
    let startDate: String
    let outstandingPrincipalFen: Int64
    let outstandingFormatted: String
    let receivableFen: Int64
    let overdueFen: Int64
    let daysPastDue: Int
    let bucket: String
    let totalInterestFen: Int64
    let totalFeeFen: Int64
    let aprPercent: String
    let closedOn: String?
    let writeOffReason: String?
    let instalments: [ScheduleLineBody]
    let events: [LendingEventBody]

    init(_ view: LoanView, today: BusinessDate) {
        id = view.loan.id.description
        status = view.loan.status.rawValue
        offerId = view.loan.offerID.description
        accountId = view.loan.accountID.description
        pricing = view.loan.pricing.rawValue
        principalFen = view.loan.terms.principalFen
        termMonths = view.loan.terms.termMonths
        startDate = view.loan.terms.startDate.iso
        outstandingPrincipalFen = view.outstandingPrincipalFen
        outstandingFormatted = Money.fen(view.outstandingPrincipalFen).formatted
        receivableFen = view.receivableFen
        overdueFen = view.overdueFen
        daysPastDue = view.daysPastDue
        bucket = view.bucket.rawValue
        totalInterestFen = view.totalInterestFen
        totalFeeFen = view.totalFeeFen
        aprPercent = view.apr.effectiveAnnual.percentText
        closedOn = view.loan.closedOn?.iso
        writeOffReason = view.loan.writeOffReason
        instalments = view.instalments.map { ScheduleLineBody($0, today: today) }
        events = view.events.map(LendingEventBody.init)
    }
}

struct RepaymentQuoteBody: ResponseEncodable {
    let object = "repayment_quote"
    let penaltyFen: Int64
    let billedInterestFen: Int64
    let billedFeeFen: Int64
    let billedPrincipalFen: Int64
    let prepaidPrincipalFen: Int64
    let prepaidInterestFen: Int64
    let totalFen: Int64
    let totalFormatted: String
    let principalAfterFen: Int64

    init(_ quote: RepaymentQuote) {
        penaltyFen = quote.penaltyFen
        billedInterestFen = quote.billedInterestFen
        billedFeeFen = quote.billedFeeFen
        billedPrincipalFen = quote.billedPrincipalFen
        prepaidPrincipalFen = quote.prepaidPrincipalFen
        prepaidInterestFen = quote.prepaidInterestFen
        totalFen = quote.totalFen
        totalFormatted = Money.fen(quote.totalFen).formatted
        principalAfterFen = quote.principalAfterFen
    }
}

struct CreditLineBody: ResponseEncodable {
    let object = "credit_line"
    let id: String
    let kind: String
    let merchantId: String
    let status: String
    let limitFen: Int64
    let drawnFen: Int64
    let availableFen: Int64
    let availableFormatted: String
    let interestOwedFen: Int64
    let arrearsFen: Int64
    let annualRatePercent: String
    let penaltyRatePercent: String
    let validFrom: String
    let validUntil: String
    let events: [LendingEventBody]

    init(_ view: CreditLineView) {
        id = view.line.id.description
        kind = view.line.kind.rawValue
        merchantId = view.line.merchantID.description
        status = view.line.status.rawValue
        limitFen = view.line.limitFen
        drawnFen = view.drawnFen
        availableFen = view.availableFen
        availableFormatted = Money.fen(view.availableFen).formatted
        interestOwedFen = view.interestOwedFen
        arrearsFen = view.line.arrearsFen
        annualRatePercent = view.line.annualRate.percentText
        penaltyRatePercent = view.line.penaltyAnnual.percentText
        validFrom = view.line.validFrom.iso
        validUntil = view.line.validUntil.iso
        events = view.events.map(LendingEventBody.init)
    }
}

struct LoanBookEntryBody: Encodable, Sendable {
    let loanId: String
    let customerName: String
    let status: String
    let principalFen: Int64
    let outstandingPrincipalFen: Int64
    let overdueFen: Int64
    let daysPastDue: Int
    let bucket: String

    init(_ entry: LoanBookEntry) {
        loanId = entry.loan.id.description
        customerName = entry.customerName
        status = entry.loan.status.rawValue
        principalFen = entry.loan.terms.principalFen
        outstandingPrincipalFen = entry.outstandingPrincipalFen
        overdueFen = entry.overdueFen
        daysPastDue = entry.daysPastDue
        bucket = entry.bucket.rawValue
    }
}

struct DelinquencyBody: ResponseEncodable {
    struct Row: Encodable, Sendable {
        let bucket: String
        let loans: Int
        let outstandingPrincipalFen: Int64
        let overdueFen: Int64
    }
    let object = "delinquency_report"
    let date: String
    let rows: [Row]
    let totalLoans: Int
    let totalOutstandingFen: Int64

    init(_ report: DelinquencyReport) {
        date = report.date.iso
        rows = report.rows.map { Row(bucket: $0.bucket.rawValue, loans: $0.loans, outstandingPrincipalFen: $0.outstandingPrincipalFen, overdueFen: $0.overdueFen) }
        totalLoans = report.totalLoans
        totalOutstandingFen = report.totalOutstandingFen
    }
}

struct LoanDossierBody: ResponseEncodable {
    let object = "loan_dossier"
    let loan: LoanBody
    let customerId: String
    let customerName: String
    let decision: DecisionBody?

    init(_ dossier: LoanDossier, today: BusinessDate) {
        loan = LoanBody(dossier.view, today: today)
        customerId = dossier.customer.id.description
        customerName = dossier.customer.name
        decision = dossier.decision.map(DecisionBody.init)
    }
}
