import BankKit
import Hummingbird
import Identity
import Payments

/// The merchant dashboard (`/merchant`, role merchant, realm `merchant`): sign-in, orders
/// newest first with a form to create a test order, one order with its pay link, refunds and
/// a refund form, and closing an unpaid order. Webhooks are in `MerchantWebhookPages`.
///
/// The order and refund numbers are the idempotency keys: each form is rendered with a fresh
/// one, so a form submitted twice creates one order or one refund.
struct MerchantPages {
    let site: PageSite
    static let ordersShown = 50

    func register(on router: Router<RongRequestContext>) {
        router.get("merchant/sign-in") { request, context in
            try await site.page(request, context, area: .merchant) { call in call.render("merchant-sign-in", title: "merchantSignInTitle") }
        }
        router.post("merchant/sign-in") { request, context in
            try await site.page(request, context, area: .merchant) { call in try await signIn(call) }
        }
        router.post("merchant/sign-out") { request, context in
            try await site.page(request, context, area: .merchant) { call in try await site.signOut(call) }
        }
        router.get("merchant") { request, context in
            try await site.page(request, context, area: .merchant, access: [.merchant]) { call in try await ordersPage(call, FormState()) }
        }
        router.post("merchant/orders") { request, context in
            try await site.page(request, context, area: .merchant, access: [.merchant]) { call in try await createOrder(call) }
        }
        router.get("merchant/orders/:id") { request, context in
            try await site.page(request, context, area: .merchant, access: [.merchant]) { call in try await orderPage(call, id: try context.id("id")) }
        }
        router.post("merchant/orders/:id/refunds") { request, context in
            try await site.page(request, context, area: .merchant, access: [.merchant]) { call in try await refund(call, id: try context.id("id")) }
        }
        router.post("merchant/orders/:id/close") { request, context in
            try await site.page(request, context, area: .merchant, access: [.merchant]) { call in try await close(call, id: try context.id("id")) }
        }
    }

    func signIn(_ call: PageCall) async throws -> Response {
        try await call.signIn(role: .merchant, home: "/merchant", template: "merchant-sign-in", title: "merchantSignInTitle", path: "/merchant/sign-in")
    }

    /// A new order or refund number: `T20261123100005a1b2c3` (prefix, Shanghai time, 6 random hex).
    static func freshNumber(_ prefix: String, _ call: PageCall) -> String {
        let time = PageFormat.shanghai(call.platform.clock.now()).filter(\.isNumber)
        return prefix + time + String(call.platform.ids.next().description.suffix(6))
    }

    // MARK: Orders

    func ordersPage(_ call: PageCall, _ state: FormState, status: HTTPResponse.Status = .ok) async throws -> Response {
        let payments = call.platform.payments
        let merchant = try await payments.merchant(of: call.signedIn)
        let now = call.platform.clock.now()
        let rows: [[String: Any]] = try await payments.orders(of: merchant, limit: MerchantPages.ordersShown).map { order in
            let shown = PayText.status(order, now: now, lang: call.lang)
            return ["id": order.id.description, "href": "/merchant/orders/\(order.id)", "number": order.orderNumber,
                    "amount": PageFormat.money(order.amountFen), "status": shown.label, "statusKey": shown.key,
                    "created": PageFormat.shanghai(order.createdAt), "paid": order.paidAt.map(PageFormat.shanghai) ?? "—"]
        }
        var values = state.context
        var kept = state.values
        if kept["order_number"]?.isEmpty ?? true { kept["order_number"] = MerchantPages.freshNumber("T", call) }
        values["v"] = kept
        values["merchantName"] = merchant.name
        values["settlement"] = PageFormat.money(try await call.platform.ledger.account(merchant.settlementAccountID)?.balance.postedCreditBalance ?? 0)
        values["orders"] = rows
        values["hasOrders"] = !rows.isEmpty
        return call.render("merchant-orders", title: "ordersTitle", values, status: status, getPath: "/merchant")
    }

    func createOrder(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        let payments = call.platform.payments
        do {
            let merchant = try await payments.merchant(of: call.signedIn)
            let amountFen = try call.yuan("amount")
            let order = try await payments.createOrder(merchant: merchant, orderNumber: form.text("order_number"), amountFen: amountFen,
                                                       description: form.text("description"), expiresInSeconds: nil)
            return PageResponse.redirect("/merchant/orders/\(order.id)?notice=order_created")
        } catch let error as DomainError where error.status != 403 {
            var state = call.payFormError(error)
            // A number already used needs a new one; any other refusal keeps the (unused) number.
            if error.code == .orderNumberConflict { state.values["order_number"] = nil }
            return try await ordersPage(call, state, status: .unprocessableContent)
        }
    }

    // MARK: One order

    func orderPage(_ call: PageCall, id: RongID, refundState: FormState? = nil, closeError: String? = nil,
                   status: HTTPResponse.Status = .ok) async throws -> Response {
        let payments = call.platform.payments
        let merchant = try await payments.merchant(of: call.signedIn)
        let order = try await payments.order(id: id, of: merchant)
        let t = call.text
        let now = call.platform.clock.now()
        let shown = PayText.status(order, now: now, lang: call.lang)
        let refunds: [[String: Any]] = try await payments.refunds(orderID: id, merchant: merchant).map { refund in
            var row: [String: Any] = [
                "number": refund.refundNumber, "amount": PageFormat.money(refund.amountFen), "reason": refund.reason,
                "status": t["refund_\(refund.status.rawValue)"] ?? refund.status.rawValue, "statusKey": refund.status.rawValue,
                "created": PageFormat.shanghai(refund.createdAt), "completed": refund.completedAt.map(PageFormat.shanghai) ?? "—",
            ]
            if let failure = refund.failureCode { row["failure"] = failure }
            return row
        }
        var refundForm = (refundState ?? FormState()).context
        var kept = refundState?.values ?? [:]
        kept["refund_number"] = MerchantPages.freshNumber("R", call)   // a fresh key for every rendering, also after a refusal
        refundForm["v"] = kept
        var values: [String: Any] = [
            "orderID": order.id.description, "number": order.orderNumber, "amount": PageFormat.money(order.amountFen),
            "description": order.description, "status": shown.label, "statusKey": shown.key,
            "created": PageFormat.shanghai(order.createdAt), "expires": PageFormat.shanghai(order.expiresAt),
            "paid": order.paidAt.map(PageFormat.shanghai) ?? "—", "captured": PageFormat.money(order.capturedFen),
            "refunded": PageFormat.money(order.refundedFen), "refundable": PageFormat.money(order.capturedFen - order.refundedFen),
            "refundablePlain": PayText.plainYuan(order.capturedFen - order.refundedFen),
            "payHref": "/pay/\(order.id)", "canPay": shown.key == PaymentOrder.Status.created.rawValue,
            "canClose": shown.key == PaymentOrder.Status.created.rawValue,
            "canRefund": [.paid, .partiallyRefunded].contains(order.status) && order.capturedFen > order.refundedFen,
            "refunds": refunds, "hasRefunds": !refunds.isEmpty, "refund": refundForm,
        ]
        if let closeError { values["closeError"] = closeError }   // an empty string would still open the section
        return call.render("merchant-order", title: "orderTitle", values, status: status, getPath: "/merchant/orders/\(order.id)")
    }

    func refund(_ call: PageCall, id: RongID) async throws -> Response {
        let form = call.form ?? FormData()
        let payments = call.platform.payments
        do {
            let merchant = try await payments.merchant(of: call.signedIn)
            let amountFen = try call.yuan("amount")
            let refund = try await payments.refund(orderID: id, merchant: merchant, refundNumber: form.text("refund_number"), amountFen: amountFen,
                                                   reason: form.text("reason"))
            return PageResponse.redirect("/merchant/orders/\(id)?notice=\(refund.status == .failed ? "refund_failed" : "refunded")")
        } catch let error as DomainError where error.status != 403 && error.status != 404 {
            return try await orderPage(call, id: id, refundState: call.payFormError(error), status: .unprocessableContent)
        }
    }

    func close(_ call: PageCall, id: RongID) async throws -> Response {
        let payments = call.platform.payments
        do {
            _ = try await payments.closeOrder(id: id, merchant: try await payments.merchant(of: call.signedIn))
            return PageResponse.redirect("/merchant/orders/\(id)?notice=closed")
        } catch let error as DomainError where error.status != 403 && error.status != 404 {
            return try await orderPage(call, id: id, closeError: PayText.message(for: error, lang: call.lang), status: .unprocessableContent)
        }
    }
}
