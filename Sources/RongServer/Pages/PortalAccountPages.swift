import Accounts
import BankKit
import Hummingbird
import Identity

/// One e-account in the portal (`/bank/accounts/{id}`): balances, limits, funding from and
/// withdrawal to the bound account, and the statement.
///
/// Each money form carries a hidden Idempotency-Key made when the page is rendered, so a form
/// submitted twice (a double click, a resent POST) moves the money once.
struct PortalAccountPages {
    let site: PageSite
    /// Statement lines per page.
    static let statementPageSize = 20

    enum MoneyForm: String { case fund, withdraw, close }

    func register(on router: Router<RongRequestContext>) {
        router.get("bank/accounts/:id") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                try await accountPage(call, id: try context.id("id"))
            }
        }
        router.post("bank/accounts/:id/fund") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                try await move(call, .fund, id: try context.id("id"))
            }
        }
        router.post("bank/accounts/:id/close") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                let id = try context.id("id")
                do {
                    _ = try await call.platform.accounts.closeEAccount(call.signedIn, accountID: id, idempotencyKey: call.form?["idempotency_key"], address: call.address)
                    return PageResponse.redirect("/bank?notice=closed")
                } catch let error as DomainError where error.status != 404 {
                    return try await accountPage(call, id: id, failed: (.close, call.formError(error)))
                }
            }
        }
        router.post("bank/accounts/:id/withdraw") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                try await move(call, .withdraw, id: try context.id("id"))
            }
        }
    }

    func move(_ call: PageCall, _ kind: MoneyForm, id: RongID) async throws -> Response {
        let form = call.form ?? FormData()
        let accounts = call.platform.accounts
        do {
            let amountFen = try PageFormat.amountFen(form.text("amount"))
            let key = form["idempotency_key"]
            switch kind {
            case .fund: _ = try await accounts.fund(call.signedIn, accountID: id, amountFen: amountFen, idempotencyKey: key, address: call.address)
            case .withdraw: _ = try await accounts.withdraw(call.signedIn, accountID: id, amountFen: amountFen, idempotencyKey: key, address: call.address)
            case .close: break
            }
            return PageResponse.redirect("/bank/accounts/\(id)?notice=\(kind == .fund ? "funded" : "withdrawn")")
        } catch let error as DomainError where error.status != 404 {
            return try await accountPage(call, id: id, failed: (kind, call.formError(error)))
        }
    }

    func accountPage(_ call: PageCall, id: RongID, failed: (MoneyForm, FormState)? = nil) async throws -> Response {
        let accounts = call.platform.accounts
        let t = call.text
        let view = try await accounts.accountView(call.signedIn, id: id)
        let account = view.account
        let cursor = call.request.method == .get ? call.request.uri.queryParameters.get("after") : nil
        let page = try await accounts.statement(call.signedIn, id: id, cursor: cursor, limit: PortalAccountPages.statementPageSize)
        let lines: [[String: Any]] = page.lines.map { line in
            ["time": PageFormat.shanghai(line.at), "memo": line.memo, "amount": PageFormat.signedMoney(line.amountFen),
             "direction": line.amountFen < 0 ? "out" : "in", "balanceAfter": PageFormat.money(line.balanceAfterFen)]
        }
        let limits: [[String: Any]] = try await accounts.limitUsage(account).map { usage in
            ["label": PortalAccountPages.limitLabel(usage.rule, t), "limit": PageFormat.money(usage.rule.limitFen),
             "used": PageFormat.money(usage.usedFen), "remaining": PageFormat.money(usage.remainingFen)]
        }
        var bound = ""
        if let boundID = account.boundAccountID, let card = try await accounts.boundAccount(id: boundID) {
            let names = try await PortalPages.bankNames(call)
            bound = "\(names[card.bankCode] ?? card.bankName) \(card.accountNumberMasked)"
        }
        func form(_ kind: MoneyForm) -> [String: Any] {
            // A refused attempt gets a fresh key: the next submission is a new request, whatever its amount.
            var values = failed?.0 == kind ? failed!.1.context : FormState().context
            values["key"] = call.platform.ids.next().description
            return values
        }
        var values: [String: Any] = [
            "accountID": account.id.description, "classLabel": PageText.classLabel(account.accountClass, lang: call.lang),
            "number": AccountNumberFormat.grouped(account.accountNumber), "balance": PageFormat.money(view.balanceFen),
            "available": PageFormat.money(view.availableFen), "status": t[PageText.statusKey(account.status)] ?? account.status,
            "statusClass": account.status, "bound": bound, "limits": limits, "hasLimits": !limits.isEmpty,
            "canMove": account.accountClass != .classI && account.boundAccountID != nil,
            "fund": form(.fund), "withdraw": form(.withdraw), "close": form(.close), "isOpen": account.status != "closed", "lines": lines, "hasLines": !lines.isEmpty,
        ]
        if let next = page.next { values["moreHref"] = PageResponse.path("/bank/accounts/\(account.id)", [("after", next)]) }
        let title = "\(PageText.classLabel(account.accountClass, lang: call.lang)) \(AccountNumberFormat.grouped(account.accountNumber))"
        return call.render("bank-account", title: title, values, status: failed == nil ? .ok : .unprocessableContent, getPath: "/bank/accounts/\(account.id)")
    }

    /// `非绑定账户日累计转入` / `Daily in from non-bound accounts`; the balance cap has no rule here.
    static func limitLabel(_ rule: LimitRule, _ t: [String: String]) -> String {
        let key = "limit_\(rule.period.rawValue)_\(rule.direction.rawValue)"
        return t[key] ?? rule.name
    }
}
