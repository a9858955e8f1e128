import Accounts
import BankKit
import Hummingbird
import Identity

/// The customer portal's front door (`/bank`): sign-in, two-step registration with an SMS code,
/// sign-out, and the overview of the customer's accounts.
struct PortalPages {
    let site: PageSite

    func register(on router: Router<RongRequestContext>) {
        router.get("bank/sign-in") { request, context in
            try await site.page(request, context, area: .bank) { call in call.render("bank-sign-in", title: "signInTitle") }
        }
        router.post("bank/sign-in") { request, context in
            try await site.page(request, context, area: .bank) { call in try await signIn(call) }
        }
        router.post("bank/sign-out") { request, context in
            try await site.page(request, context, area: .bank) { call in try await site.signOut(call) }
        }
        router.get("bank/register") { request, context in
            try await site.page(request, context, area: .bank) { call in
                let query = call.request.uri.queryParameters
                if let challenge = query.get("challenge"), let mobile = query.get("mobile") {
                    return registrationDetails(call, FormState(values: ["mobile": mobile, "challenge": challenge]))
                }
                return call.render("bank-register", title: "registerTitle", FormState(values: ["mobile": query.get("mobile") ?? ""]).context)
            }
        }
        router.post("bank/register/code") { request, context in
            try await site.page(request, context, area: .bank) { call in try await sendRegistrationCode(call) }
        }
        router.post("bank/register") { request, context in
            try await site.page(request, context, area: .bank) { call in try await completeRegistration(call) }
        }
        router.get("bank") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await overview(call) }
        }
    }

    func signIn(_ call: PageCall) async throws -> Response {
        try await call.signIn(role: .customer, home: "/bank", template: "bank-sign-in", title: "signInTitle", path: "/bank/sign-in")
    }

    func sendRegistrationCode(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let mobile = form.text("mobile")
            let challenge = try await call.platform.accounts.requestRegistrationCode(mobile: mobile, address: call.address)
            return PageResponse.redirect(PageResponse.path("/bank/register", [("mobile", mobile), ("challenge", challenge.id.description)]))
        } catch let error as DomainError {
            return call.render("bank-register", title: "registerTitle", call.formError(error).context, status: .unprocessableContent,
                               getPath: "/bank/register")
        }
    }

    func completeRegistration(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let challenge = try RongID(form.text("challenge"))
            let (_, tokens) = try await call.platform.accounts.register(
                RegistrationRequest(mobile: form.text("mobile"), otpChallengeID: challenge, otpCode: form.text("code"), name: form.text("name"),
                                    idNumber: form.text("id_number").uppercased(), password: form["password"] ?? "",
                                    termsAccepted: form["terms"] != nil),
                address: call.address)
            var response = PageResponse.redirect("/bank?notice=registered")
            response.setCookies(PageSession.cookies(tokens, secure: call.isSecure))
            return response
        } catch let error as DomainError {
            var state = call.formError(error)
            if error.code == .invalidID { state.field = "code" }
            return registrationDetails(call, state, status: .unprocessableContent)
        }
    }

    func registrationDetails(_ call: PageCall, _ state: FormState, status: HTTPResponse.Status = .ok) -> Response {
        var values = state.context
        values["mobileMasked"] = MobileNumber.masked(state.values["mobile"] ?? "")
        values["termsChecked"] = state.values["terms"] != nil
        values["restartHref"] = PageResponse.path("/bank/register", [("mobile", state.values["mobile"] ?? "")])
        return call.render("bank-register-details", title: "registerTitle", values, status: status,
                           getPath: PageResponse.path("/bank/register", [("mobile", state.values["mobile"] ?? ""), ("challenge", state.values["challenge"] ?? "")]))
    }

    func overview(_ call: PageCall) async throws -> Response {
        let accounts = call.platform.accounts
        let customer = try await accounts.customer(of: call.signedIn)
        let t = call.text
        let views = try await accounts.accounts(of: customer)
        let bound = try await accounts.boundAccounts(of: customer)
        let bankNames = try await PortalPages.bankNames(call)
        let rows: [[String: Any]] = views.map { view in
            [
                "id": view.account.id.description, "href": "/bank/accounts/\(view.account.id)",
                "classLabel": PageText.classLabel(view.account.accountClass, lang: call.lang),
                "number": AccountNumberFormat.grouped(view.account.accountNumber),
                "balance": PageFormat.money(view.balanceFen), "available": PageFormat.money(view.availableFen),
                "status": t[PageText.statusKey(view.account.status)] ?? view.account.status, "statusClass": view.account.status,
            ]
        }
        let boundRows: [[String: Any]] = bound.map { account in
            ["bankName": bankNames[account.bankCode] ?? account.bankName, "number": account.accountNumberMasked,
             "status": t[PageText.statusKey(account.status)] ?? account.status]
        }
        return call.render("bank-overview", title: "overviewTitle", [
            "customerName": customer.name, "accounts": rows, "hasAccounts": !rows.isEmpty, "bound": boundRows, "hasBound": !boundRows.isEmpty,
        ])
    }

    /// Bank code → name in the page's language: the network's participants and this bank.
    static func bankNames(_ call: PageCall) async throws -> [String: String] {
        var names: [String: String] = [ThisBank.bankCode: call.lang.isEnglish ? ThisBank.nameEnglish : ThisBank.name]
        for participant in try await call.platform.accounts.interbank.participants() {
            names[participant.bankCode] = call.lang.isEnglish ? participant.nameEnglish : participant.name
        }
        return names
    }
}

extension PageSite {
    /// Ends the session (when there is one) and removes its cookies; back to the area's sign-in.
    func signOut(_ call: PageCall) async throws -> Response {
        if let resolved = try await session.resolve(call.request, address: call.address) {
            try await platform.identity.logout(resolved.principal, address: call.address)
        }
        var response = PageResponse.redirect(call.area.signInPath)
        response.setCookies(PageSession.clearedCookies(secure: call.isSecure))
        return response
    }
}
