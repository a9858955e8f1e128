import Accounts
import BankKit
import Hummingbird
import Identity
import Payments

/// The customer's e-Pay limits (`/bank/limits`): the current per-payment, daily and monthly
/// limits, and a change in two steps — the new values, then the SMS code bound to them.
struct PortalLimitPages {
    let site: PageSite

    func register(on router: Router<RongRequestContext>) {
        router.get("bank/limits") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                let query = call.request.uri.queryParameters
                var values: [String: String] = [:]
                for name in ["per_transaction", "per_day", "challenge"] { values[name] = query.get(name) }
                return try await limitsPage(call, FormState(values: values))
            }
        }
        router.post("bank/limits/code") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await sendCode(call) }
        }
        router.post("bank/limits") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await change(call) }
        }
    }

    /// The new limits typed in the form, checked as the service will check them (so no code is
    /// sent for values it would refuse).
    func newLimits(_ call: PageCall) throws(DomainError) -> (perTransaction: Int64, perDay: Int64) {
        let perTransaction = try call.yuan("per_transaction")
        let perDay = try call.yuan("per_day")
        for (value, field) in [(perTransaction, "per_transaction"), (perDay, "per_day")] where value > EPayLimits.raisedMaxFen {
            throw DomainError(.invalidAmount, "e-Pay limits are ¥0.01 to ¥10,000.00 (higher needs a U盾 at the counter).", status: 422,
                              extensions: ["field": .string(field)])
        }
        guard perTransaction <= perDay else {
            throw DomainError(.invalidRequest, "The per-transaction limit cannot exceed the daily limit.", status: 422,
                              extensions: ["field": .string("per_transaction")])
        }
        return (perTransaction, perDay)
    }

    func limitsPage(_ call: PageCall, _ state: FormState, status: HTTPResponse.Status = .ok) async throws -> Response {
        let customer = try await call.platform.accounts.customer(of: call.signedIn)
        let limits = try await call.platform.payments.limits(of: customer)
        var values = state.context
        var kept = state.values
        kept["per_transaction"] = kept["per_transaction"] ?? PayText.plainYuan(limits.perTransactionFen)
        kept["per_day"] = kept["per_day"] ?? PayText.plainYuan(limits.perDayFen)
        values["v"] = kept
        values["perTransaction"] = PageFormat.money(limits.perTransactionFen)
        values["perDay"] = PageFormat.money(limits.perDayFen)
        values["perMonth"] = PageFormat.money(limits.perMonthFen)
        let challenge = state.values["challenge"] ?? ""
        if !challenge.isEmpty {
            values["step2"] = true
            values["newPerTransaction"] = (try? PageFormat.amountFen(kept["per_transaction"] ?? "")).map(PageFormat.money) ?? ""
            values["newPerDay"] = (try? PageFormat.amountFen(kept["per_day"] ?? "")).map(PageFormat.money) ?? ""
        }
        return call.render("bank-limits", title: "limitsPageTitle", values, status: status, getPath: "/bank/limits")
    }

    func sendCode(_ call: PageCall) async throws -> Response {
        do {
            let (perTransaction, perDay) = try newLimits(call)
            let challenge = try await call.platform.payments.requestLimitCode(call.signedIn, perTransactionFen: perTransaction, perDayFen: perDay)
            return PageResponse.redirect(PageResponse.path("/bank/limits", [("per_transaction", PayText.plainYuan(perTransaction)),
                                                                             ("per_day", PayText.plainYuan(perDay)), ("challenge", challenge.id.description)]))
        } catch let error as DomainError {
            var state = call.payFormError(error)
            state.values["challenge"] = nil
            return try await limitsPage(call, state, status: .unprocessableContent)
        }
    }

    func change(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let (perTransaction, perDay) = try newLimits(call)
            let challenge: RongID
            do { challenge = try RongID(form.text("challenge")) } catch {
                throw DomainError(.otpExpired, "Request a new code.", status: 422, extensions: ["field": .string("otp_code")])
            }
            _ = try await call.platform.payments.setLimits(call.signedIn, perTransactionFen: perTransaction, perDayFen: perDay,
                                                           otpChallengeID: challenge, otpCode: form.text("code"), address: call.address)
            return PageResponse.redirect("/bank/limits?notice=limits")
        } catch let error as DomainError {
            var state = call.payFormError(error, fieldNames: ["per_transaction_fen": "per_transaction", "per_day_fen": "per_day"])
            // A wrong code stays on step 2; anything else (a value, a spent code) starts over at step 1.
            if error.code != .otpInvalid { state.values["challenge"] = nil }
            return try await limitsPage(call, state, status: .unprocessableContent)
        }
    }
}
