import Accounts
import BankKit
import Hummingbird
import Identity
import Lending

/// 逸贷 in the portal: the customer's line, open offers and loans (`/bank/loans`); an offer
/// with the choice of instalments and pricing and a preview of the whole schedule, total cost
/// and APR before the accept button (`/bank/loans/offers/{id}`); a loan with its schedule,
/// history, delinquency and the repay form, which shows the quote for confirmation first
/// (`/bank/loans/{id}`).
///
/// Accepting is idempotent on the offer (the same choice again is the same loan); the repay
/// confirmation carries a hidden Idempotency-Key made when it is rendered, so a confirmation
/// sent twice repays once.
struct PortalLoanPages {
    let site: PageSite
    /// What the preview shows before the customer picks: 12 instalments with the monthly fee.
    static let defaultTermMonths = 12
    static let defaultPricing = PricingChoice.flatFee

    /// What the repay form asks for.
    enum RepayMode: String, CaseIterable { case due, prepay, full }

    func register(on router: Router<RongRequestContext>) {
        let customer: Set<Role> = [.customer]
        router.get("bank/loans") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await loansPage(call) }
        }
        router.get("bank/loans/offers/:id") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await offerPage(call, id: try context.id("id")) }
        }
        router.post("bank/loans/offers/:id/accept") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await accept(call, id: try context.id("id")) }
        }
        router.get("bank/loans/:id") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await loanPage(call, id: try context.id("id")) }
        }
        router.post("bank/loans/:id/repay/quote") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await repayQuote(call, id: try context.id("id")) }
        }
        router.post("bank/loans/:id/repay") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await repay(call, id: try context.id("id")) }
        }
    }

    // MARK: The line, offers and loans

    func loansPage(_ call: PageCall) async throws -> Response {
        let lending = call.platform.lending
        let t = call.text
        let today = call.platform.clock.businessDate()
        let credit = try await lending.consumerCredit(call.signedIn)
        var values: [String: Any] = [
            "limit": PageFormat.money(credit.limitFen), "used": PageFormat.money(credit.usedFen), "available": PageFormat.money(credit.availableFen),
            "approved": credit.decision?.approved == true, "overdue": credit.overdue,
        ]
        if let decision = credit.decision {
            values["decidedAt"] = PageFormat.shanghai(decision.decidedAt)
            values["declined"] = !decision.approved
            values["reasons"] = decision.reasons.map { LoanText.reason($0, t) }
        }
        let offers: [[String: Any]] = try await lending.offers(call.signedIn).map { offer in
            ["id": offer.id.description, "href": "/bank/loans/offers/\(offer.id)", "merchant": offer.merchantName,
             "purchase": PageFormat.money(offer.purchaseFen), "amount": PageFormat.money(offer.amountFen), "expires": PageFormat.shanghai(offer.expiresAt),
             "status": t["offerStatus_\(offer.status.rawValue)"] ?? offer.status.rawValue, "statusClass": offer.status.rawValue,
             "open": offer.status == .offered, "loanHref": offer.loanID.map { "/bank/loans/\($0)" } as Any]
        }
        let loans: [[String: Any]] = try await lending.loans(call.signedIn).map { view in
            var row = PortalLoanPages.loanValues(view, call: call, today: today)
            row["href"] = "/bank/loans/\(view.loan.id)"
            return row
        }
        values["offers"] = offers
        values["hasOffers"] = !offers.isEmpty
        values["loans"] = loans
        values["hasLoans"] = !loans.isEmpty
        values["wide"] = true
        return call.render("bank-loans", title: "loansTitle", values)
    }

    // MARK: One offer

    func offerPage(_ call: PageCall, id: RongID, failed: FormState? = nil) async throws -> Response {
        let lending = call.platform.lending
        let t = call.text
        let offer = try await lending.ownedOffer(call.signedIn, id: id)
        let query = call.request.uri.queryParameters
        let term = failed.flatMap { Int($0.values["term_months"] ?? "") } ?? query.get("term_months").flatMap { Int($0) } ?? PortalLoanPages.defaultTermMonths
        let pricingText: String? = failed?.values["pricing"] ?? query.get("pricing").map { String($0) }
        let pricing = pricingText.flatMap { PricingChoice(rawValue: $0) } ?? PortalLoanPages.defaultPricing
        var values: [String: Any] = [
            "id": offer.id.description, "merchant": offer.merchantName, "purchase": PageFormat.money(offer.purchaseFen),
            "amount": PageFormat.money(offer.amountFen), "expires": PageFormat.shanghai(offer.expiresAt),
            "status": t["offerStatus_\(offer.status.rawValue)"] ?? offer.status.rawValue, "statusClass": offer.status.rawValue,
            "isOpen": offer.status == .offered, "isAccepted": offer.status == .accepted, "isExpired": offer.status == .expired,
            "loanHref": offer.loanID.map { "/bank/loans/\($0)" } as Any,
            "terms": LoanTerms.easyLoanTermsMonths.map { months -> [String: Any] in
                ["months": months, "label": LoanText.instalments(months, t), "selected": months == term]
            },
            "pricings": PricingChoice.allCases.map { choice -> [String: Any] in
                ["value": choice.rawValue, "label": LoanText.pricingLabel(choice, lang: call.lang), "selected": choice == pricing]
            },
            "form": (failed ?? FormState()).context,
        ]
        if offer.status == .offered {
            switch Result(catching: { () throws(DomainError) -> LoanQuote in try lending.quote(offer, termMonths: term, pricing: pricing) }) {
            case .success(let quote):
                values["preview"] = PortalLoanPages.quoteValues(quote, offer: offer, call: call)
            case .failure(let error):
                // A term or pricing typed into the address bar that the product does not offer.
                var state = call.loanFormError(error, fieldNames: ["term_months": "term_months"])
                state.values = ["term_months": String(term), "pricing": pricing.rawValue]
                values["form"] = state.context
            }
        }
        values["wide"] = true
        return call.render("bank-loan-offer", title: "offerTitle", values, status: failed == nil ? .ok : .unprocessableContent,
                           getPath: "/bank/loans/offers/\(offer.id)")
    }

    /// The schedule, total cost and APR of a quote, and the fields the accept form sends back.
    static func quoteValues(_ quote: LoanQuote, offer: LoanOffer, call: PageCall) -> [String: Any] {
        let t = call.text
        let schedule = quote.schedule
        return [
            "termMonths": schedule.terms.termMonths, "termLabel": LoanText.instalments(schedule.terms.termMonths, t),
            "pricing": quote.pricing.rawValue, "pricingLabel": LoanText.pricingLabel(quote.pricing, lang: call.lang),
            "quotedRateLabel": quote.pricing == .flatFee ? t["quotedRateFee"] ?? "" : t["quotedRateInterest"] ?? "", "quotedRate": quote.quotedRate.description,
            "principal": PageFormat.money(schedule.terms.principalFen), "totalCost": PageFormat.money(quote.totalCostFen),
            "totalInterest": PageFormat.money(schedule.totalInterestFen), "totalFee": PageFormat.money(schedule.totalFeeFen),
            "totalRepaid": PageFormat.money(schedule.totalRepaidFen),
            "apr": LoanText.percent(quote.apr.effectiveAnnual), "aprNominal": LoanText.percent(quote.apr.nominalAnnual),
            "firstInstalment": PageFormat.money(schedule.lines.first?.instalmentFen ?? 0),
            "lines": schedule.lines.map { line -> [String: Any] in
                ["period": line.period, "dueDate": line.dueDate.iso, "principal": PageFormat.money(line.principalFen),
                 "interest": PageFormat.money(line.interestFen), "fee": PageFormat.money(line.feeFen), "instalment": PageFormat.money(line.instalmentFen),
                 "remaining": PageFormat.money(line.remainingPrincipalFen)]
            },
        ]
    }

    func accept(_ call: PageCall, id: RongID) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            guard let term = Int(form.text("term_months")) else {
                throw DomainError(.termNotOffered, "Choose the number of instalments.", status: 422, extensions: ["field": .string("term_months")])
            }
            let pricing = try PricingChoice.parse(form.text("pricing"))
            let view = try await call.platform.lending.accept(call.signedIn, offerID: id, termMonths: term, pricing: pricing, address: call.address)
            return PageResponse.redirect("/bank/loans/\(view.loan.id)?notice=loanAccepted")
        } catch let error as DomainError where error.status != 404 {
            return try await offerPage(call, id: id, failed: call.loanFormError(error))
        }
    }

    // MARK: One loan

    func loanPage(_ call: PageCall, id: RongID, failed: FormState? = nil) async throws -> Response {
        let lending = call.platform.lending
        let t = call.text
        let today = call.platform.clock.businessDate()
        let view = try await lending.loanView(call.signedIn, id: id)
        var values = PortalLoanPages.loanValues(view, call: call, today: today)
        values["schedule"] = PortalLoanPages.scheduleRows(view, t: t, today: today)
        values["events"] = LoanText.events(view.events, t)
        values["hasEvents"] = !view.events.isEmpty
        var form = (failed ?? FormState()).context
        let chosen = failed?.values["mode"] ?? RepayMode.due.rawValue
        form["modes"] = RepayMode.allCases.map { mode -> [String: Any] in ["value": mode.rawValue, "label": t["mode_\(mode.rawValue)"] ?? mode.rawValue, "checked": mode.rawValue == chosen] }
        values["form"] = form
        values["canRepay"] = view.loan.status == .active
        values["wide"] = true
        return call.render("bank-loan", title: "loanTitle", values, status: failed == nil ? .ok : .unprocessableContent,
                           getPath: "/bank/loans/\(view.loan.id)")
    }

    /// The repay form as the service takes it: the principal to repay early and whether to pay off.
    func repayRequest(_ form: FormData) throws(DomainError) -> (mode: RepayMode, prepayFen: Int64?, full: Bool) {
        guard let mode = RepayMode(rawValue: form.text("mode")) else {
            throw DomainError(.invalidRequest, "Choose what to repay.", status: 422, extensions: ["field": .string("mode")])
        }
        switch mode {
        case .due: return (mode, nil, false)
        case .full: return (mode, nil, true)
        case .prepay:
            do { return (mode, try PageFormat.amountFen(form.text("principal")), false) } catch {
                throw DomainError(error.code, error.detail, status: error.status, extensions: ["field": .string("principal")])
            }
        }
    }

    /// Step 1: the quote of what the repayment would take, with a confirm button.
    func repayQuote(_ call: PageCall, id: RongID) async throws -> Response {
        let form = call.form ?? FormData()
        let lending = call.platform.lending
        let t = call.text
        do {
            let request = try repayRequest(form)
            let view = try await lending.loanView(call.signedIn, id: id)
            let quote = try await lending.repaymentQuote(call.signedIn, loanID: id, prepayPrincipalFen: request.prepayFen, full: request.full)
            guard quote.totalFen > 0 else {
                throw DomainError(.nothingDue, "Nothing is due on this loan; give the principal to repay ahead of schedule.", status: 422)
            }
            let values: [String: Any] = [
                "id": id.description, "confirm": true, "mode": request.mode.rawValue, "modeLabel": t["mode_\(request.mode.rawValue)"] ?? "",
                "principalValue": form.text("principal"), "key": call.platform.ids.next().description,
                "penalty": PageFormat.money(quote.penaltyFen), "billedInterest": PageFormat.money(quote.billedInterestFen),
                "billedFee": PageFormat.money(quote.billedFeeFen), "billedPrincipal": PageFormat.money(quote.billedPrincipalFen),
                "prepaidPrincipal": PageFormat.money(quote.prepaidPrincipalFen), "prepaidInterest": PageFormat.money(quote.prepaidInterestFen),
                "total": PageFormat.money(quote.totalFen),
                "principalAfter": PageFormat.money(quote.principalAfterFen), "outstanding": PageFormat.money(view.outstandingPrincipalFen),
            ]
            return call.render("bank-loan-repay", title: "confirmTitle", values, getPath: "/bank/loans/\(id)")
        } catch let error as DomainError where error.status != 404 {
            return try await loanPage(call, id: id, failed: call.loanFormError(error, fieldNames: ["principal": "principal"]))
        }
    }

    /// Step 2: repays as quoted (idempotent on the hidden key).
    func repay(_ call: PageCall, id: RongID) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let request = try repayRequest(form)
            _ = try await call.platform.lending.repay(call.signedIn, loanID: id, prepayPrincipalFen: request.prepayFen, full: request.full,
                                                      idempotencyKey: form["idempotency_key"], address: call.address)
            return PageResponse.redirect("/bank/loans/\(id)?notice=repaid")
        } catch let error as DomainError where error.status != 404 {
            return try await loanPage(call, id: id, failed: call.loanFormError(error, fieldNames: ["principal": "principal"]))
        }
    }

    // MARK: Values

    /// A loan's head: amounts, pricing, APR, status and delinquency.
    static func loanValues(_ view: LoanView, call: PageCall, today: BusinessDate) -> [String: Any] {
        let t = call.text
        let loan = view.loan
        let next = view.instalments.first { !$0.isPaid }
        var values: [String: Any] = [
            "id": loan.id.description, "principal": PageFormat.money(loan.terms.principalFen), "termLabel": LoanText.instalments(loan.terms.termMonths, t),
            "pricingLabel": LoanText.pricingLabel(loan.pricing, lang: call.lang), "apr": LoanText.percent(view.apr.effectiveAnnual),
            "aprNominal": LoanText.percent(view.apr.nominalAnnual), "outstanding": PageFormat.money(view.outstandingPrincipalFen),
            "receivable": PageFormat.money(view.receivableFen), "overdue": PageFormat.money(view.overdueFen), "isOverdue": view.overdueFen > 0,
            "daysPastDue": view.daysPastDue, "bucket": t["bucket_\(view.bucket.rawValue)"] ?? view.bucket.rawValue, "bucketCode": view.bucket.rawValue,
            "status": t["loanStatus_\(loan.status.rawValue)"] ?? loan.status.rawValue, "statusClass": loan.status.rawValue,
            "createdOn": loan.terms.startDate.iso, "totalInterest": PageFormat.money(view.totalInterestFen), "totalFee": PageFormat.money(view.totalFeeFen),
            "nextDue": next.map { $0.dueDate.iso } ?? "—", "nextAmount": next.map { PageFormat.money($0.unpaidFen) } ?? "—",
        ]
        if let reason = loan.writeOffReason { values["writeOffReason"] = reason }
        return values
    }

    static func scheduleRows(_ view: LoanView, t: [String: String], today: BusinessDate) -> [[String: Any]] {
        view.instalments.map { instalment in
            let state = LoanText.instalmentState(instalment, today: today)
            return ["period": instalment.period, "dueDate": instalment.dueDate.iso, "principal": PageFormat.money(instalment.principalFen),
                    "interest": PageFormat.money(instalment.interestFen), "fee": PageFormat.money(instalment.feeFen),
                    "amount": PageFormat.money(instalment.amountFen),
                    "paid": PageFormat.money(instalment.paidPrincipalFen + instalment.paidInterestFen + instalment.paidFeeFen),
                    "paidOn": instalment.paidOn?.iso ?? "", "state": t["instalment_\(state)"] ?? state, "stateCode": state]
        }
    }
}
