import BankKit
import Hummingbird
import Identity
import Payments

/// The hosted pay page (`/pay/{orderID}`): public, no sign-in — the SMS code is the
/// authentication. Step 1 identifies the payer (reserved mobile + last six digits of an
/// account) and sends a code bound to the order; step 2 confirms with it. A paid order shows
/// the result; a refused payment shows why (a limit named in the page's language, expiry, …).
struct PayPages {
    let site: PageSite

    func register(on router: Router<RongRequestContext>) {
        router.get("pay/:id") { request, context in
            try await site.page(request, context, area: .pay) { call in
                let query = call.request.uri.queryParameters
                var state = FormState()
                if let challenge = query.get("challenge") { state.values["challenge"] = challenge }
                return try await payPage(call, id: try context.id("id"), state, sentTo: query.get("to"))
            }
        }
        router.post("pay/:id/code") { request, context in
            try await site.page(request, context, area: .pay) { call in try await sendCode(call, id: try context.id("id")) }
        }
        router.post("pay/:id/confirm") { request, context in
            try await site.page(request, context, area: .pay) { call in try await confirm(call, id: try context.id("id")) }
        }
    }

    func sendCode(_ call: PageCall, id: RongID) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let challenge = try await call.platform.payments.requestPaymentCode(orderID: id, mobile: form.text("mobile"),
                                                                                accountLast6: form.text("account_last6"), address: call.address)
            return PageResponse.redirect(PageResponse.path("/pay/\(id)", [("challenge", challenge.id.description), ("to", challenge.mobileMasked)]))
        } catch let error as DomainError where PayPages.isFormError(error) {
            var state = call.payFormError(error)
            state.values["challenge"] = nil
            if error.code == .payerVerificationFailed { state.field = "account_last6" }
            return try await payPage(call, id: id, state, status: .unprocessableContent)
        } catch let error as DomainError where error.status != 404 {
            return try await payPage(call, id: id, FormState(), refusal: PayText.message(for: error, lang: call.lang), status: .unprocessableContent)
        }
    }

    func confirm(_ call: PageCall, id: RongID) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let challenge: RongID
            do { challenge = try RongID(form.text("challenge")) } catch {
                throw DomainError(.otpExpired, "Request a new code.", status: 422, extensions: ["field": .string("otp_code")])
            }
            _ = try await call.platform.payments.confirm(orderID: id, challengeID: challenge, code: form.text("code"), address: call.address)
            return PageResponse.redirect("/pay/\(id)")
        } catch let error as DomainError where error.code == .otpInvalid {
            // A wrong code stays on step 2 with the field marked.
            var state = call.payFormError(error)
            state.field = "code"
            return try await payPage(call, id: id, state, sentTo: form.text("to"), status: .unprocessableContent)
        } catch let error as DomainError where [.otpExpired, .otpAttemptsExceeded].contains(error.code) {
            // The code can no longer work: back to step 1 for a new one.
            var state = call.payFormError(error)
            state.values["challenge"] = nil
            state.field = nil
            return try await payPage(call, id: id, state, status: .unprocessableContent)
        } catch let error as DomainError where error.status != 404 {
            return try await payPage(call, id: id, FormState(), refusal: PayText.message(for: error, lang: call.lang), status: .unprocessableContent)
        }
    }

    /// Refusals that belong to step 1's form (the payer can correct them there).
    static func isFormError(_ error: DomainError) -> Bool {
        [.invalidMobile, .payerVerificationFailed, .otpRateLimited].contains(error.code)
    }

    /// The order summary and, by its state, step 1, step 2 (`challenge` in the state), the paid
    /// result, or a refusal.
    func payPage(_ call: PageCall, id: RongID, _ state: FormState, sentTo: String? = nil, refusal: String? = nil,
                 status: HTTPResponse.Status = .ok) async throws -> Response {
        let payments = call.platform.payments
        guard let order = try await payments.order(id: id), let merchant = try await payments.merchant(id: order.merchantID) else {
            throw DomainError.notFound("Order")
        }
        let now = call.platform.clock.now()
        let shown = PayText.status(order, now: now, lang: call.lang)
        var values = state.context
        values["orderID"] = order.id.description
        values["merchantName"] = merchant.name
        values["amount"] = PageFormat.money(order.amountFen)
        values["description"] = order.description
        values["orderNumber"] = order.orderNumber
        values["statusLabel"] = shown.label
        values["statusKey"] = shown.key
        values["payHref"] = "/pay/\(order.id)"
        if let refusal {
            values["refusal"] = refusal
            values["canRetry"] = shown.key == PaymentOrder.Status.created.rawValue
            values["limitsHint"] = refusal.contains("e支付") || refusal.contains("e-Pay")
            return call.render("pay", title: "payTitle", values, status: status, getPath: "/pay/\(order.id)")
        }
        switch PaymentOrder.Status(rawValue: shown.key) ?? .created {
        case .paid, .partiallyRefunded, .refunded:
            values["paid"] = true
            values["paidAt"] = order.paidAt.map(PageFormat.shanghai) ?? ""
            values["hasRefunds"] = order.refundedFen > 0
        case .created:
            values["timeLeft"] = PayText.timeLeft(until: order.expiresAt, now: now, lang: call.lang)
            values["expiresAt"] = PageFormat.shanghai(order.expiresAt)
            let challenge = state.values["challenge"] ?? ""
            values["step2"] = !challenge.isEmpty
            values["step1"] = challenge.isEmpty
            if let sentTo, !sentTo.isEmpty { values["sentTo"] = sentTo }
        case .confirming:
            values["refusal"] = PayText.message(for: DomainError(.orderBeingConfirmed, "This order is being confirmed; refresh in a moment.", status: 409),
                                                lang: call.lang)
        case .closed, .expired:
            values["refusal"] = PayText.message(for: PaymentsService.refusal(for: shown.key), lang: call.lang)
        }
        return call.render("pay", title: "payTitle", values, status: status, getPath: "/pay/\(order.id)")
    }
}

extension PaymentsService {
    /// Why an order that is closed or expired cannot be paid, as the service would say it.
    static func refusal(for status: String) -> DomainError {
        status == PaymentOrder.Status.expired.rawValue
            ? DomainError(.orderExpired, "This order has expired.", status: 422)
            : DomainError(.orderNotPayable, "This order cannot be paid (it is \(status)).", status: 422)
    }
}
