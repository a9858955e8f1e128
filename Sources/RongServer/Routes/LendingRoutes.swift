import BankKit
import Hummingbird
import Identity
import Lending

/// Financing: 逸贷 offers, loans and repayments (customers); merchant 逸贷 and 网贷通 lines
/// (merchants); the loan book, delinquency, write-off and 网贷通 contracts (operators).
struct LendingRoutes {
    let platform: RongPlatform
    let auth: Authenticator

    struct AcceptInput: Decodable {
        let termMonths: Int
        let pricing: String
    }
    struct RepayInput: Decodable {
        let principalFen: Int64?
        let full: Bool?
    }
    struct AmountInput: Decodable { let amountFen: Int64 }
    struct WriteOffInput: Decodable { let reason: String }
    struct ContractInput: Decodable {
        let merchantId: String
        let limitFen: Int64
        let annualRatePercent: String?
        let validMonths: Int
    }

    func register(on router: Router<RongRequestContext>) {
        let lending = platform.lending
        let clock = platform.clock
        // MARK: Customers
        router.get("v1/me/credit") { request, _ -> ConsumerCreditBody in
            ConsumerCreditBody(try await lending.consumerCredit(try await auth.require(request, .customer)))
        }
        router.get("v1/me/loan-offers") { request, _ -> ListBody<OfferBody> in
            let principal = try await auth.require(request, .customer)
            return ListBody(data: try await lending.offers(principal, limit: try CustomerRoutes.pageLimit(request)).map(OfferBody.init),
                            hasMore: false, nextCursor: nil)
        }
        router.get("v1/me/loan-offers/:id") { request, context -> OfferBody in
            OfferBody(try await lending.ownedOffer(try await auth.require(request, .customer), id: try context.id("id")))
        }
        router.get("v1/me/loan-offers/:id/quote") { request, context -> LoanQuoteBody in
            let principal = try await auth.require(request, .customer)
            let offer = try await lending.ownedOffer(principal, id: try context.id("id"))
            let pricing = try PricingChoice.parse(request.uri.queryParameters.get("pricing").map { String($0) } ?? PricingChoice.flatFee.rawValue)
            return LoanQuoteBody(try lending.quote(offer, termMonths: try LendingRoutes.termMonths(request), pricing: pricing))
        }
        router.post("v1/me/loan-offers/:id/accept") { request, context -> LoanBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: AcceptInput.self, context: context)
            let view = try await lending.accept(principal, offerID: try context.id("id"), termMonths: input.termMonths,
                                                pricing: try PricingChoice.parse(input.pricing), address: context.clientAddress)
            return LoanBody(view, today: clock.businessDate())
        }
        router.get("v1/me/loans") { request, _ -> ListBody<LoanBody> in
            let principal = try await auth.require(request, .customer)
            let today = clock.businessDate()
            return ListBody(data: try await lending.loans(principal).map { LoanBody($0, today: today) }, hasMore: false, nextCursor: nil)
        }
        router.get("v1/me/loans/:id") { request, context -> LoanBody in
            let principal = try await auth.require(request, .customer)
            return LoanBody(try await lending.loanView(principal, id: try context.id("id")), today: clock.businessDate())
        }
        router.get("v1/me/loans/:id/repayment-quote") { request, context -> RepaymentQuoteBody in
            let principal = try await auth.require(request, .customer)
            let prepay = try request.uri.queryParameters.get("principal_fen").map { text -> Int64 in
                guard let value = Int64(text) else {
                    throw DomainError(.invalidAmount, "principal_fen is a whole number of fen.", status: 422, extensions: ["field": .string("principal_fen")])
                }
                return value
            }
            let full = request.uri.queryParameters.get("full") == "true"
            return RepaymentQuoteBody(try await lending.repaymentQuote(principal, loanID: try context.id("id"), prepayPrincipalFen: prepay, full: full))
        }
        router.post("v1/me/loans/:id/repayments") { request, context -> LoanBody in
            let principal = try await auth.require(request, .customer)
            let input = try await request.decodeJSON(as: RepayInput.self, context: context)
            let view = try await lending.repay(principal, loanID: try context.id("id"), prepayPrincipalFen: input.principalFen, full: input.full ?? false,
                                               idempotencyKey: request.headers[.idempotencyKey], address: context.clientAddress)
            return LoanBody(view, today: clock.businessDate())
        }
        // MARK: Merchants
        router.get("v1/merchant/credit-lines") { request, _ -> ListBody<CreditLineBody> in
            let principal = try await auth.require(request, .merchant)
            return ListBody(data: try await lending.merchantLines(principal).map(CreditLineBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/merchant/credit-lines/easy-loan") { request, context -> CreditLineBody in
            let principal = try await auth.require(request, .merchant)
            return CreditLineBody(try await lending.applyForMerchantLine(principal, address: context.clientAddress))
        }
        router.post("v1/merchant/credit-lines/:id/sign") { request, context -> CreditLineBody in
            let principal = try await auth.require(request, .merchant)
            return CreditLineBody(try await lending.signRevolvingLine(principal, lineID: try context.id("id"), address: context.clientAddress))
        }
        router.post("v1/merchant/credit-lines/:id/draws") { request, context -> CreditLineBody in
            let principal = try await auth.require(request, .merchant)
            let input = try await request.decodeJSON(as: AmountInput.self, context: context)
            return CreditLineBody(try await lending.draw(principal, lineID: try context.id("id"), amountFen: input.amountFen,
                                                         idempotencyKey: request.headers[.idempotencyKey], address: context.clientAddress))
        }
        router.post("v1/merchant/credit-lines/:id/repayments") { request, context -> CreditLineBody in
            let principal = try await auth.require(request, .merchant)
            let input = try await request.decodeJSON(as: AmountInput.self, context: context)
            return CreditLineBody(try await lending.repayLine(principal, lineID: try context.id("id"), amountFen: input.amountFen,
                                                              idempotencyKey: request.headers[.idempotencyKey], address: context.clientAddress))
        }
        // MARK: Operators
        router.get("v1/staff/lending/loans") { request, _ -> ListBody<LoanBookEntryBody> in
            let staff = try await auth.require(request, .operators)
            let bucket = try request.uri.queryParameters.get("bucket").map { text -> DelinquencyBucket in
                guard let bucket = DelinquencyBucket(rawValue: String(text)) else {
                    throw DomainError(.invalidRequest, "bucket is one of \(DelinquencyBucket.allCases.map(\.rawValue).joined(separator: ", ")).",
                                      status: 422, extensions: ["field": .string("bucket")])
                }
                return bucket
            }
            return ListBody(data: try await lending.loanBook(by: staff, bucket: bucket, limit: try CustomerRoutes.pageLimit(request))
                .map(LoanBookEntryBody.init), hasMore: false, nextCursor: nil)
        }
        router.get("v1/staff/lending/delinquency") { request, _ -> DelinquencyBody in
            DelinquencyBody(try await lending.delinquencyReport(by: try await auth.require(request, .operators)))
        }
        router.get("v1/staff/lending/loans/:id") { request, context -> LoanDossierBody in
            let staff = try await auth.require(request, .operators)
            return LoanDossierBody(try await lending.dossier(by: staff, loanID: try context.id("id")), today: clock.businessDate())
        }
        router.post("v1/staff/lending/loans/:id/write-off") { request, context -> LoanBody in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: WriteOffInput.self, context: context)
            return LoanBody(try await lending.writeOff(by: staff, loanID: try context.id("id"), reason: input.reason, address: context.clientAddress),
                            today: clock.businessDate())
        }
        router.get("v1/staff/lending/decisions") { request, _ -> ListBody<DecisionBody> in
            _ = try await auth.require(request, .operators)
            guard let subject = request.uri.queryParameters.get("subject").map({ String($0) }),
                  subject.hasPrefix("customer:") || subject.hasPrefix("merchant:"), subject.count <= 60 else {
                throw DomainError(.invalidRequest, "subject is customer:<id> or merchant:<id>.", status: 422, extensions: ["field": .string("subject")])
            }
            return ListBody(data: try await lending.decisions(subjectRef: subject).map(DecisionBody.init), hasMore: false, nextCursor: nil)
        }
        router.get("v1/staff/lending/lines") { request, _ -> ListBody<CreditLineBody> in
            _ = try await auth.require(request, .operators)
            return ListBody(data: try await lending.allLines().map(CreditLineBody.init), hasMore: false, nextCursor: nil)
        }
        router.post("v1/staff/lending/lines") { request, context -> CreditLineBody in
            let staff = try await auth.require(request, .operators)
            let input = try await request.decodeJSON(as: ContractInput.self, context: context)
            let rate = try input.annualRatePercent.map { try Rate.parsePercent($0) }
            return CreditLineBody(try await lending.offerRevolvingLine(by: staff, merchantID: try RongID(input.merchantId), limitFen: input.limitFen,
                                                                       annualRate: rate, validMonths: input.validMonths, address: context.clientAddress))
        }
    }

    static func termMonths(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("term_months"), let value = Int(text) else {
            throw DomainError(.termNotOffered, "term_months is one of \(LoanTerms.easyLoanTermsMonths.map(String.init).joined(separator: ", ")).",
                              status: 422, extensions: ["field": .string("term_months")])
        }
        return value
    }
}
