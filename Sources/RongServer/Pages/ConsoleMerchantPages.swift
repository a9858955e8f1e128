import BankKit
import Hummingbird
import Identity
import Payments

/// The console's merchants (`/console/merchants`): the list for every staff role, and
/// onboarding for operators and admins. The onboarding answer is the only place the API key
/// and the webhook signing secret are ever shown, so it is rendered in the POST's response
/// (no-store) rather than behind a redirect that would have to keep them.
struct ConsoleMerchantPages {
    let site: PageSite

    func register(on router: Router<RongRequestContext>) {
        router.get("console/merchants") { request, context in
            try await site.page(request, context, area: .console, access: Set(Role.staff)) { call in try await listPage(call, FormState()) }
        }
        router.post("console/merchants") { request, context in
            try await site.page(request, context, area: .console, access: Role.operators) { call in try await onboard(call) }
        }
    }

    func listPage(_ call: PageCall, _ state: FormState, status: HTTPResponse.Status = .ok) async throws -> Response {
        let merchants: [[String: Any]] = try await call.platform.payments.merchants().map { merchant in
            ["id": merchant.id.description, "name": merchant.name, "licence": merchant.licenceNumber, "notifyURL": merchant.notifyURL,
             "status": call.text[PageText.statusKey(merchant.status)] ?? merchant.status, "created": PageFormat.shanghai(merchant.createdAt)]
        }
        var values = state.context
        values["merchants"] = merchants
        values["hasMerchants"] = !merchants.isEmpty
        values["canOnboard"] = call.signedIn.isOperator
        values["wide"] = true
        return call.render("console-merchants", title: "merchantsTitle", values, status: status, getPath: "/console/merchants")
    }

    func onboard(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        let mobile = form.text("contact_mobile")
        do {
            let credentials = try await call.platform.payments.onboardMerchant(
                by: call.signedIn, name: form.text("name"), licenceNumber: form.text("licence_number").uppercased(), notifyURL: form.text("notify_url"),
                contactMobile: mobile.isEmpty ? nil : mobile, contactPassword: mobile.isEmpty ? nil : (form["contact_password"] ?? ""),
                address: call.address)
            let merchant = credentials.merchant
            return call.render("console-merchant-created", title: "createdTitle", [
                "name": merchant.name, "licence": merchant.licenceNumber, "notifyURL": merchant.notifyURL,
                "contactMobile": mobile.isEmpty ? "—" : MobileNumber.masked(mobile), "apiKey": credentials.apiKey,
                "signingSecret": credentials.signingSecret, "signInHref": "/merchant/sign-in",
            ], getPath: "/console/merchants")
        } catch let error as DomainError where error.status != 403 {
            let state = call.payFormError(error, fieldNames: ["password": "contact_password", "mobile": "contact_mobile"])
            return try await listPage(call, state, status: .unprocessableContent)
        }
    }
}
