import BankKit
import Hummingbird
import Identity
import Lending
import Payments

/// Credit on the merchant dashboard (`/merchant/credit`): the merchant 逸贷 line (apply or
/// re-size from turnover; the reasons when declined), the 网贷通 contract (sign when offered),
/// each active line's balances (limit, drawn, available, interest owed, arrears), draw and repay
/// forms, and history.
///
/// Draw and repay forms carry a hidden Idempotency-Key made when the page is rendered, so a
/// form sent twice moves money once.
struct MerchantCreditPages {
    let site: PageSite

    /// Which form a refusal belongs to, and on which line.
    enum Form: Equatable {
        case apply
        case sign(RongID)
        case draw(RongID)
        case repay(RongID)
    }

    func register(on router: Router<RongRequestContext>) {
        let merchant: Set<Role> = [.merchant]
        router.get("merchant/credit") { request, context in
            try await site.page(request, context, area: .merchant, access: merchant) { call in try await creditPage(call) }
        }
        router.post("merchant/credit/apply") { request, context in
            try await site.page(request, context, area: .merchant, access: merchant) { call in try await apply(call) }
        }
        router.post("merchant/credit/lines/:id/sign") { request, context in
            try await site.page(request, context, area: .merchant, access: merchant) { call in try await sign(call, id: try context.id("id")) }
        }
        router.post("merchant/credit/lines/:id/draw") { request, context in
            try await site.page(request, context, area: .merchant, access: merchant) { call in try await move(call, .draw(try context.id("id"))) }
        }
        router.post("merchant/credit/lines/:id/repay") { request, context in
            try await site.page(request, context, area: .merchant, access: merchant) { call in try await move(call, .repay(try context.id("id"))) }
        }
    }

    // MARK: Actions

    func apply(_ call: PageCall) async throws -> Response {
        do {
            _ = try await call.platform.lending.applyForMerchantLine(call.signedIn, address: call.address)
            return PageResponse.redirect("/merchant/credit?notice=lineSized")
        } catch let error as DomainError where error.status != 403 && error.status != 404 {
            return try await creditPage(call, failed: (.apply, call.loanFormError(error)))
        }
    }

    func sign(_ call: PageCall, id: RongID) async throws -> Response {
        do {
            _ = try await call.platform.lending.signRevolvingLine(call.signedIn, lineID: id, address: call.address)
            return PageResponse.redirect("/merchant/credit?notice=lineSigned")
        } catch let error as DomainError where error.status != 403 && error.status != 404 {
            return try await creditPage(call, failed: (.sign(id), call.loanFormError(error)))
        }
    }

    func move(_ call: PageCall, _ form: Form) async throws -> Response {
        let lending = call.platform.lending
        let key = call.form?["idempotency_key"]
        do {
            let amount = try call.yuan("amount")
            switch form {
            case .draw(let id):
                _ = try await lending.draw(call.signedIn, lineID: id, amountFen: amount, idempotencyKey: key, address: call.address)
                return PageResponse.redirect("/merchant/credit?notice=drawn")
            case .repay(let id):
                _ = try await lending.repayLine(call.signedIn, lineID: id, amountFen: amount, idempotencyKey: key, address: call.address)
                return PageResponse.redirect("/merchant/credit?notice=lineRepaid")
            case .apply, .sign:
                preconditionFailure("only draws and repayments move money")
            }
        } catch let error as DomainError where error.status != 403 && error.status != 404 {
            return try await creditPage(call, failed: (form, call.loanFormError(error, fieldNames: ["amount_fen": "amount"])))
        }
    }

    // MARK: The page

    func creditPage(_ call: PageCall, failed: (Form, FormState)? = nil) async throws -> Response {
        let lending = call.platform.lending
        let t = call.text
        let merchant = try await call.platform.payments.merchant(of: call.signedIn)
        let views = try await lending.merchantLines(call.signedIn)
        func state(_ form: Form) -> [String: Any] {
            var context = failed?.0 == form ? failed!.1.context : FormState().context
            context["key"] = call.platform.ids.next().description   // a fresh key for every rendering, also after a refusal
            return context
        }
        func lineValues(_ view: CreditLineView) -> [String: Any] {
            let line = view.line
            let active = line.status == .active
            return [
                "id": line.id.description, "kind": t["lineKind_\(line.kind.rawValue)"] ?? line.kind.rawValue, "kindCode": line.kind.rawValue,
                "status": t["lineStatus_\(line.status.rawValue)"] ?? line.status.rawValue, "statusClass": line.status.rawValue,
                "limit": PageFormat.money(line.limitFen), "drawn": PageFormat.money(view.drawnFen), "available": PageFormat.money(view.availableFen),
                "interestOwed": PageFormat.money(view.interestOwedFen), "arrears": PageFormat.money(line.arrearsFen), "hasArrears": line.arrearsFen > 0,
                "rate": line.annualRate.description, "validFrom": line.validFrom.iso, "validUntil": line.validUntil.iso,
                "months": (line.validUntil.year - line.validFrom.year) * 12 + line.validUntil.month - line.validFrom.month,
                "isActive": active, "isOffered": line.status == .offered,
                "canRepay": active || view.drawnFen + view.interestOwedFen > 0,
                "events": LoanText.events(view.events, t), "hasEvents": !view.events.isEmpty,
                "sign": state(.sign(line.id)), "draw": state(.draw(line.id)), "repay": state(.repay(line.id)),
            ]
        }
        let merchantLine = views.first { $0.line.kind == .merchant }
        let revolving = views.first { $0.line.kind == .revolving }
        var values: [String: Any] = [
            "merchantName": merchant.name, "apply": state(.apply),
            "settlement": PageFormat.money(try await call.platform.ledger.account(merchant.settlementAccountID)?.balance.postedCreditBalance ?? 0),
        ]
        if let merchantLine { values["merchantLine"] = lineValues(merchantLine) }
        if let revolving { values["revolving"] = lineValues(revolving) }
        // The latest sizing: its reasons when declined, and what it read.
        if let decision = try await lending.latestDecision(subjectRef: "merchant:\(merchant.id)", product: "merchant_line") {
            let shown: [String: Any] = [
                "approved": decision.approved, "declined": !decision.approved, "decidedAt": PageFormat.shanghai(decision.decidedAt),
                "limit": PageFormat.money(decision.limitFen), "reasons": decision.reasons.map { LoanText.reason($0, t) },
                "hasReasons": !decision.reasons.isEmpty, "inputs": LoanText.inputs(decision.inputs, t),
            ]
            values["decision"] = shown
        }
        values["wide"] = true
        return call.render("merchant-credit", title: "creditPageTitle", values, status: failed == nil ? .ok : .unprocessableContent,
                           getPath: "/merchant/credit")
    }
}
