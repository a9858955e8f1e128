import Accounts
import BankKit
import Hummingbird
import Identity

/// The staff console (`/console`): sign-in for every staff role, customer search, a customer's
/// accounts with freeze and unfreeze (operators and admins), and the audit log (admins).
struct ConsolePages {
    let site: PageSite
    static let auditPageSize = 50

    func register(on router: Router<RongRequestContext>) {
        let staff = Set(Role.staff)
        router.get("console/sign-in") { request, context in
            try await site.page(request, context, area: .console) { call in call.render("console-sign-in", title: "consoleSignInTitle") }
        }
        router.post("console/sign-in") { request, context in
            try await site.page(request, context, area: .console) { call in try await signIn(call) }
        }
        router.post("console/sign-out") { request, context in
            try await site.page(request, context, area: .console) { call in try await site.signOut(call) }
        }
        router.get("console") { request, context in
            try await site.page(request, context, area: .console, access: staff) { call in try await search(call) }
        }
        router.get("console/customers/:id") { request, context in
            try await site.page(request, context, area: .console, access: staff) { call in
                try await customerPage(call, id: try context.id("id"))
            }
        }
        router.post("console/accounts/:id/freeze") { request, context in
            try await site.page(request, context, area: .console, access: staff) { call in try await control(call, id: try context.id("id"), freeze: true) }
        }
        router.post("console/accounts/:id/unfreeze") { request, context in
            try await site.page(request, context, area: .console, access: staff) { call in try await control(call, id: try context.id("id"), freeze: false) }
        }
        router.get("console/audit") { request, context in
            try await site.page(request, context, area: .console, access: [.admin]) { call in try await audit(call) }
        }
    }

    func signIn(_ call: PageCall) async throws -> Response {
        try await call.signIn(role: .admin, home: "/console", template: "console-sign-in", title: "consoleSignInTitle", path: "/console/sign-in")
    }

    func search(_ call: PageCall) async throws -> Response {
        let query = (call.request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespaces)
        var values = FormState(values: ["q": query]).context
        guard !query.isEmpty else { return call.render("console-search", title: "searchTitle", values) }
        do {
            let found = try await call.platform.accounts.searchCustomers(by: call.signedIn, query: query, address: call.address)
            values["searched"] = true
            values["results"] = found.map { customer -> [String: Any] in
                ["href": "/console/customers/\(customer.id)", "name": customer.name, "idNumber": customer.idNumberMasked,
                 "mobile": customer.mobileMasked, "since": PageFormat.shanghai(customer.createdAt)]
            }
            values["none"] = found.isEmpty
        } catch let error as DomainError {
            values = FormState(error: error, form: FormData(["q": query]), lang: call.lang).context
        }
        return call.render("console-search", title: "searchTitle", values)
    }

    func customerPage(_ call: PageCall, id: RongID, failed: (account: RongID, state: FormState)? = nil) async throws -> Response {
        let detail = try await call.platform.accounts.customerDetail(by: call.signedIn, customerID: id, address: call.address)
        let t = call.text
        let canControl = call.signedIn.isOperator
        let names = try await PortalPages.bankNames(call)
        let accounts: [[String: Any]] = detail.accounts.map { view in
            var row: [String: Any] = [
                "id": view.account.id.description, "classLabel": PageText.classLabel(view.account.accountClass, lang: call.lang),
                "number": AccountNumberFormat.grouped(view.account.accountNumber), "balance": PageFormat.money(view.balanceFen),
                "available": PageFormat.money(view.availableFen), "status": t[PageText.statusKey(view.account.status)] ?? view.account.status,
                "statusClass": view.account.status, "opened": PageFormat.shanghai(view.account.openedAt),
                "canFreeze": canControl && view.account.status == "active", "canUnfreeze": canControl && view.account.status == "frozen",
            ]
            if let failed, failed.account == view.account.id { row.merge(failed.state.context) { _, new in new } }
            return row
        }
        let bound: [[String: Any]] = detail.boundAccounts.map {
            ["bankName": names[$0.bankCode] ?? $0.bankName, "number": $0.accountNumberMasked, "status": t[PageText.statusKey($0.status)] ?? $0.status]
        }
        let numbers = Dictionary(detail.accounts.map { ($0.account.id, AccountNumberFormat.grouped($0.account.accountNumber)) }) { first, _ in first }
        let freezes: [[String: Any]] = detail.freezes.map { freeze in
            ["account": numbers[freeze.eAccountID] ?? freeze.eAccountID.description, "kind": t["kind_\(freeze.kind.rawValue)"] ?? freeze.kind.rawValue,
             "reason": freeze.reason, "by": freeze.frozenBy, "at": PageFormat.shanghai(freeze.frozenAt),
             "released": freeze.releasedAt.map(PageFormat.shanghai) ?? "—"]
        }
        let customer = detail.customer
        return call.render("console-customer", title: "customerTitle", [
            "name": customer.name, "idNumber": customer.idNumberMasked, "mobile": customer.mobileMasked, "branch": customer.branchCode,
            "customerStatus": t[PageText.statusKey(customer.status)] ?? customer.status, "since": PageFormat.shanghai(customer.createdAt),
            "accounts": accounts, "hasAccounts": !accounts.isEmpty, "bound": bound, "hasBound": !bound.isEmpty,
            "freezes": freezes, "hasFreezes": !freezes.isEmpty, "canControl": canControl,
            "kinds": Freeze.Kind.allCases.map { ["value": $0.rawValue, "label": t["kind_\($0.rawValue)"] ?? $0.rawValue] },
        ], status: failed == nil ? .ok : .unprocessableContent, getPath: "/console/customers/\(customer.id)")
    }

    /// Freezes or unfreezes an account, then back to its customer (the service checks the role).
    func control(_ call: PageCall, id: RongID, freeze: Bool) async throws -> Response {
        let form = call.form ?? FormData()
        let accounts = call.platform.accounts
        guard let account = try await accounts.eAccount(id: id) else { throw DomainError.notFound("Account") }
        do {
            if freeze {
                guard let kind = Freeze.Kind(rawValue: form.text("kind")) else {
                    throw DomainError(.invalidRequest, "kind is judicial or fraud.", status: 422, extensions: ["field": .string("kind")])
                }
                _ = try await accounts.freeze(by: call.signedIn, accountID: id, kind: kind, reason: form.text("reason"), address: call.address)
            } else {
                _ = try await accounts.unfreeze(by: call.signedIn, accountID: id, reason: form.text("reason"), address: call.address)
            }
            return PageResponse.redirect("/console/customers/\(account.customerID)?notice=\(freeze ? "frozen" : "unfrozen")")
        } catch let error as DomainError where error.status != 403 {
            return try await customerPage(call, id: account.customerID, failed: (id, call.formError(error)))
        }
    }

    func audit(_ call: PageCall) async throws -> Response {
        let beforeText = call.request.uri.queryParameters.get("before")
        let before = beforeText.flatMap { Int64(String($0)) }.flatMap { $0 > 0 ? $0 : nil }
        if beforeText != nil, before == nil {
            throw DomainError(.invalidRequest, "before is a positive sequence number.", status: 422, extensions: ["field": .string("before")])
        }
        let events = try await call.platform.identity.audit.list(before: before, limit: ConsolePages.auditPageSize)
        var values: [String: Any] = [
            "events": events.map { event -> [String: Any] in
                ["seq": String(event.seq), "at": PageFormat.shanghai(event.at), "actor": event.actor, "action": event.action, "target": event.target,
                 "outcome": event.outcome, "failed": event.outcome != "ok", "address": event.address, "detail": event.detail]
            },
            "hasEvents": !events.isEmpty, "wide": true,
        ]
        if events.count == ConsolePages.auditPageSize, let last = events.last {
            values["olderHref"] = "/console/audit?before=\(last.seq)"
        }
        if before != nil { values["newestHref"] = "/console/audit" }
        return call.render("console-audit", title: "auditTitle", values)
    }
}
