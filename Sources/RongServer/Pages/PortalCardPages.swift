import Accounts
import BankKit
import Hummingbird
import Identity

/// Portal pages that set a customer up: bind an own-name card (with an SMS code), open a
/// Class II or III e-account on it, and change the sign-in password (with an SMS code).
struct PortalCardPages {
    let site: PageSite

    func register(on router: Router<RongRequestContext>) {
        router.get("bank/bind") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                let query = call.request.uri.queryParameters
                var values: [String: String] = [:]
                for name in ["bank_code", "account_number", "challenge"] { values[name] = query.get(name) }
                return try await bindPage(call, FormState(values: values))
            }
        }
        router.post("bank/bind/code") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await sendBindCode(call) }
        }
        router.post("bank/bind") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await bind(call) }
        }
        router.get("bank/open") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await openPage(call, FormState()) }
        }
        router.post("bank/open") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await open(call) }
        }
        router.get("bank/password") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                passwordPage(call, FormState(values: ["challenge": call.request.uri.queryParameters.get("challenge") ?? ""]))
            }
        }
        router.post("bank/password/code") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                do {
                    let challenge = try await call.platform.identity.requestStepUp(call.signedIn, purpose: .changePassword)
                    return PageResponse.redirect(PageResponse.path("/bank/password", [("challenge", challenge.id.description)]))
                } catch let error as DomainError {
                    return passwordPage(call, call.formError(error), status: .unprocessableContent)
                }
            }
        }
        router.post("bank/password") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await changePassword(call) }
        }
    }

    // MARK: Bind

    /// This bank first, then the network's banks by code.
    func banks(_ call: PageCall, selected: String?) async throws -> [[String: Any]] {
        let names = try await PortalPages.bankNames(call)
        let codes = [ThisBank.bankCode] + names.keys.filter { $0 != ThisBank.bankCode }.sorted()
        return codes.map { ["code": $0, "name": "\($0) \(names[$0] ?? "")", "selected": $0 == selected] }
    }

    func bindPage(_ call: PageCall, _ state: FormState, status: HTTPResponse.Status = .ok) async throws -> Response {
        var values = state.context
        let bankCode = state.values["bank_code"]
        values["banks"] = try await banks(call, selected: bankCode)
        let challenge = state.values["challenge"] ?? ""
        if !challenge.isEmpty {
            let names = try await PortalPages.bankNames(call)
            values["step2"] = true
            values["bankName"] = bankCode.flatMap { names[$0] } ?? bankCode ?? ""
            values["numberGrouped"] = AccountNumberFormat.grouped(state.values["account_number"] ?? "")
        }
        return call.render("bank-bind", title: "bindTitle", values, status: status, getPath: "/bank/bind")
    }

    func sendBindCode(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let bankCode = form.text("bank_code")
            let number = form.text("account_number").replacingOccurrences(of: " ", with: "")
            let names = try await PortalPages.bankNames(call)
            guard names[bankCode] != nil else {
                throw DomainError(.unknownBank, "Choose the bank.", status: 422, extensions: ["field": .string("bank_code")])
            }
            guard (12...19).contains(number.count), number.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw DomainError(.invalidRequest, "The account number is 12–19 digits.", status: 422, extensions: ["field": .string("account_number")])
            }
            let challenge = try await call.platform.accounts.requestBindCode(call.signedIn, bankCode: bankCode, accountNumber: number)
            return PageResponse.redirect(PageResponse.path("/bank/bind", [("bank_code", bankCode), ("account_number", number),
                                                                          ("challenge", challenge.id.description)]))
        } catch let error as DomainError {
            var state = call.formError(error)
            state.values["challenge"] = nil
            return try await bindPage(call, state, status: .unprocessableContent)
        }
    }

    func bind(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            _ = try await call.platform.accounts.bindAccount(call.signedIn, bankCode: form.text("bank_code"), accountNumber: form.text("account_number"),
                                                             otpChallengeID: try RongID(form.text("challenge")), otpCode: form.text("code"),
                                                             address: call.address)
            return PageResponse.redirect("/bank/open?notice=bound")
        } catch let error as DomainError {
            var state = call.formError(error)
            // A refusal about the account itself starts over at step 1; a wrong code stays on step 2.
            if state.field == "bank_code" || state.field == "account_number" || error.code == .fourElementsMismatch { state.values["challenge"] = nil }
            if error.code == .invalidID { state.field = "code" }
            return try await bindPage(call, state, status: .unprocessableContent)
        }
    }

    // MARK: Open

    func openPage(_ call: PageCall, _ state: FormState, status: HTTPResponse.Status = .ok) async throws -> Response {
        let customer = try await call.platform.accounts.customer(of: call.signedIn)
        let names = try await PortalPages.bankNames(call)
        let selectedBound = state.values["bound_account_id"]
        let bound: [[String: Any]] = try await call.platform.accounts.boundAccounts(of: customer).filter { $0.status == "active" }.map {
            ["id": $0.id.description, "label": "\(names[$0.bankCode] ?? $0.bankName) \($0.accountNumberMasked)", "selected": $0.id.description == selectedBound]
        }
        let selectedClass = state.values["account_class"] ?? "II"
        let classes: [[String: Any]] = [AccountClass.classII, .classIII].map {
            ["value": $0.rawValue, "label": PageText.classLabel($0, lang: call.lang), "selected": $0.rawValue == selectedClass]
        }
        var values = state.context
        values["bound"] = bound
        values["hasBound"] = !bound.isEmpty
        values["classes"] = classes
        return call.render("bank-open", title: "openTitle", values, status: status, getPath: "/bank/open")
    }

    func open(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let boundID: RongID
            do { boundID = try RongID(form.text("bound_account_id")) } catch {
                throw DomainError(.boundAccountNotFound, "Choose a bound account.", status: 422, extensions: ["field": .string("bound_account_id")])
            }
            let account = try await call.platform.accounts.openEAccount(call.signedIn, accountClass: try AccountClass.parse(form.text("account_class")),
                                                                        boundAccountID: boundID, address: call.address)
            return PageResponse.redirect("/bank/accounts/\(account.id)?notice=opened")
        } catch let error as DomainError {
            return try await openPage(call, call.formError(error), status: .unprocessableContent)
        }
    }

    // MARK: Password

    func passwordPage(_ call: PageCall, _ state: FormState, status: HTTPResponse.Status = .ok) -> Response {
        var values = state.context
        values["step2"] = !(state.values["challenge"] ?? "").isEmpty
        return call.render("bank-password", title: "passwordTitle", values, status: status, getPath: "/bank/password")
    }

    func changePassword(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            try await call.platform.identity.changePassword(call.signedIn, oldPassword: form["old_password"] ?? "", newPassword: form["new_password"] ?? "",
                                                            otpChallengeID: try RongID(form.text("challenge")), otpCode: form.text("code"),
                                                            address: call.address)
            return PageResponse.redirect("/bank?notice=password")
        } catch let error as DomainError {
            var state = call.formError(error, fieldNames: ["password": "new_password"])
            if error.code == .invalidID { state.field = "code"; state.values["challenge"] = nil }
            return passwordPage(call, state, status: .unprocessableContent)
        }
    }
}
