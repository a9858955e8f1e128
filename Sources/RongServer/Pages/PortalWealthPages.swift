import Accounts
import BankKit
import Hummingbird
import Identity
import Wealth

/// Wealth products in the portal: the catalogue with risk badges (`/bank/products`), a product
/// with its NAV history, the suitability result and the buy and redeem forms
/// (`/bank/products/{id}`), holdings and orders (`/bank/holdings`) and the risk-profile
/// questionnaire (`/bank/risk`).
///
/// Buy and redeem forms carry a hidden Idempotency-Key made when the page is rendered, so a
/// form submitted twice places one order.
struct PortalWealthPages {
    let site: PageSite
    static let ordersShown = 50
    static let navsShown = 30

    enum OrderForm: String { case buy, redeem }

    func register(on router: Router<RongRequestContext>) {
        let customer: Set<Role> = [.customer]
        router.get("bank/products") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await catalogue(call) }
        }
        router.get("bank/products/:id") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await productPage(call, id: try context.id("id")) }
        }
        router.post("bank/products/:id/subscribe") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await order(call, .buy, id: try context.id("id")) }
        }
        router.post("bank/products/:id/redeem") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await order(call, .redeem, id: try context.id("id")) }
        }
        router.get("bank/holdings") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await holdingsPage(call) }
        }
        router.get("bank/risk") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in
                var state = FormState()
                if let product = call.request.uri.queryParameters.get("product") { state.values["product"] = String(product) }
                return try await riskPage(call, state)
            }
        }
        router.post("bank/risk") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await assess(call) }
        }
    }

    // MARK: Catalogue

    func catalogue(_ call: PageCall) async throws -> Response {
        let wealth = call.platform.wealth
        let t = call.text
        let today = call.platform.clock.businessDate()
        let profile = try await wealth.riskProfile(call.signedIn)
        var products: [[String: Any]] = []
        for listing in try await wealth.products() {
            let suitability = Suitability.check(profile, risk: listing.product.risk, on: today)
            var row = PortalWealthPages.productValues(listing.product, nav: listing.latestNAV, call: call, today: today)
            row["suitable"] = suitability.isSuitable
            row["suitabilityLabel"] = suitability.isSuitable ? t["suitable"] : suitability.refusal == .suitabilityMismatch ? t["notSuitable"] : t["needProfile"]
            products.append(row)
        }
        var values = PortalWealthPages.profileValues(profile, call: call, today: today)
        values["products"] = products
        values["hasProducts"] = !products.isEmpty
        values["wide"] = true
        return call.render("bank-products", title: "productsTitle", values)
    }

    // MARK: One product

    func productPage(_ call: PageCall, id: RongID, failed: (OrderForm, FormState)? = nil) async throws -> Response {
        let wealth = call.platform.wealth
        let t = call.text
        let today = call.platform.clock.businessDate()
        let product = try await wealth.requireProduct(id)
        let latest = try await wealth.latestNAV(product.id)
        let suitability = try await wealth.suitability(call.signedIn, product: product)
        let holding = try await wealth.holding(call.signedIn, productID: product.id)
        let navs = try await wealth.navHistory(product.id, limit: PortalWealthPages.navsShown)
        var values = PortalWealthPages.productValues(product, nav: latest, call: call, today: today)
        values["navs"] = navs.map { ["date": $0.date.iso, "navText": $0.nav.text] }
        values["hasNavs"] = !navs.isEmpty
        values["chart"] = PortalWealthPages.navChart(navs.reversed().map(\.nav.perUnitE4))
        values["suitable"] = suitability.isSuitable
        values["suitabilityText"] = PortalWealthPages.suitabilityText(suitability, t)
        values["riskHref"] = PageResponse.path("/bank/risk", [("product", product.id.description)])
        let phase = product.phase(on: today)
        let onSale = phase == "open" || phase == "subscribing"
        // Accounts that may buy (Class I/II, active) and receive (Class I/II, not closed).
        let customer = try await call.platform.accounts.customer(of: call.signedIn)
        let views = try await call.platform.accounts.accounts(of: customer).filter { $0.account.accountClass != .classIII }
        func accountOptions(_ list: [EAccountView], selected: String?) -> [[String: Any]] {
            list.map { view in
                ["id": view.account.id.description, "selected": view.account.id.description == selected,
                 "label": "\(PageText.classLabel(view.account.accountClass, lang: call.lang)) \(AccountNumberFormat.masked(view.account.accountNumber))（\(t["availableShort"] ?? "") \(PageFormat.money(view.availableFen))）"]
            }
        }
        func form(_ kind: OrderForm) -> [String: Any] {
            // A refused attempt gets a fresh key: the next submission is a new request.
            var state = failed?.0 == kind ? failed!.1.context : FormState().context
            state["key"] = call.platform.ids.next().description
            let selected = failed?.0 == kind ? failed?.1.values["account_id"] : nil
            state["accounts"] = accountOptions(kind == .buy ? views.filter { $0.account.status == "active" } : views.filter { $0.account.status != "closed" },
                                               selected: selected)
            return state
        }
        let buyAccounts = views.filter { $0.account.status == "active" }
        values["canBuy"] = onSale && suitability.isSuitable && !buyAccounts.isEmpty
        values["notOnSale"] = !onSale
        values["noInvestingAccount"] = onSale && suitability.isSuitable && buyAccounts.isEmpty
        values["buy"] = form(.buy)
        if product.kind == .nav {
            let dates = wealth.navOrderDates(at: call.platform.clock.now())
            values["orderNow"] = (t["orderNow"] ?? "").replacingOccurrences(of: "{trade}", with: dates.trade.iso)
                .replacingOccurrences(of: "{confirm}", with: dates.confirm.iso)
            values["buyHint"] = t["buyHintNav"]
        } else {
            values["buyHint"] = t["buyHintPeriodic"]
        }
        let holds = holding.units > 0 || holding.pendingSubscriptionFen > 0
        values["hasHolding"] = holds
        values["holding"] = PortalWealthPages.holdingValues(holding)
        values["canRedeem"] = product.kind == .nav && holding.availableUnits > 0
        values["periodicHold"] = product.kind == .periodic && holds
        values["redeem"] = form(.redeem)
        values["wide"] = true
        return call.render("bank-product", title: product.name, values, status: failed == nil ? .ok : .unprocessableContent,
                           getPath: "/bank/products/\(product.id)")
    }

    func order(_ call: PageCall, _ kind: OrderForm, id: RongID) async throws -> Response {
        let form = call.form ?? FormData()
        let wealth = call.platform.wealth
        do {
            guard let accountID = try? RongID(form.text("account_id")) else {
                throw DomainError(.invalidRequest, "Choose an account.", status: 422, extensions: ["field": .string("account_id")])
            }
            let key = form["idempotency_key"]
            switch kind {
            case .buy:
                _ = try await wealth.subscribe(call.signedIn, productID: id, accountID: accountID, amountFen: try PageFormat.amountFen(form.text("amount")),
                                               idempotencyKey: key, address: call.address)
            case .redeem:
                _ = try await wealth.redeem(call.signedIn, productID: id, accountID: accountID, units: try ProductMath.parseUnits(form.text("units")),
                                            idempotencyKey: key, address: call.address)
            }
            return PageResponse.redirect("/bank/holdings?notice=\(kind == .buy ? "subscribed" : "redeemed")")
        } catch let error as DomainError where error.status != 404 {
            return try await productPage(call, id: id, failed: (kind, call.wealthFormError(error)))
        }
    }

    // MARK: Holdings

    func holdingsPage(_ call: PageCall) async throws -> Response {
        let wealth = call.platform.wealth
        let t = call.text
        let holdings = try await wealth.holdings(call.signedIn).map { holding -> [String: Any] in
            var row = PortalWealthPages.holdingValues(holding)
            row["href"] = "/bank/products/\(holding.product.id)"
            row["name"] = call.lang.isEnglish ? holding.product.nameEnglish : holding.product.name
            row["riskCode"] = holding.product.risk.code
            row["riskClass"] = "risk-\(holding.product.risk.code.lowercased())"
            return row
        }
        let orders = try await wealth.orders(call.signedIn, limit: PortalWealthPages.ordersShown).map { order -> [String: Any] in
            ["href": "/bank/products/\(order.productID)", "name": call.lang.isEnglish ? order.productNameEnglish : order.productName,
             "kind": t["orderKind_\(order.kind.rawValue)"] ?? order.kind.rawValue, "status": t["orderStatus_\(order.status.rawValue)"] ?? order.status.rawValue,
             "statusClass": order.status.rawValue, "amount": order.amountFen.map(PageFormat.money) ?? "—",
             "units": order.units.map(ProductMath.unitsText) ?? "—", "navText": order.nav?.text ?? "—", "tradeDate": order.tradeDate.iso,
             "confirmDate": order.confirmDate.iso, "created": PageFormat.shanghai(order.createdAt),
             "failure": order.failureCode.map { t["failure_\($0)"] ?? $0 } ?? ""]
        }
        return call.render("bank-holdings", title: "holdingsTitle", [
            "holdings": holdings, "hasHoldings": !holdings.isEmpty, "orders": orders, "hasOrders": !orders.isEmpty, "wide": true,
        ])
    }

    // MARK: Questionnaire

    func riskPage(_ call: PageCall, _ state: FormState, status: HTTPResponse.Status = .ok) async throws -> Response {
        let today = call.platform.clock.businessDate()
        let profile = try await call.platform.wealth.riskProfile(call.signedIn)
        var values = state.context
        values.merge(PortalWealthPages.profileValues(profile, call: call, today: today)) { mine, _ in mine }
        let previous = profile?.answers ?? []
        values["questions"] = RiskQuestionnaire.questions.enumerated().map { index, question -> [String: Any] in
            let chosen = state.values[question.id] ?? (index < previous.count ? previous[index] : nil)
            return [
                "id": question.id, "number": index + 1, "text": call.lang.isEnglish ? question.textEnglish : question.textZh,
                "bad": state.field == question.id,
                "options": question.options.map { option -> [String: Any] in
                    ["code": option.code, "text": call.lang.isEnglish ? option.textEnglish : option.textZh, "checked": option.code == chosen,
                     "inputID": "\(question.id)-\(option.code.lowercased())"]
                },
            ]
        }
        values["product"] = state.values["product"] ?? ""
        return call.render("bank-risk", title: "riskTitle", values, status: status, getPath: "/bank/risk")
    }

    func assess(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        let answers = RiskQuestionnaire.questions.map { form.text($0.id) }
        do {
            _ = try await call.platform.wealth.assessRiskProfile(call.signedIn, answers: answers, address: call.address)
            if let product = try? RongID(form.text("product")) { return PageResponse.redirect("/bank/products/\(product)?notice=assessed") }
            return PageResponse.redirect("/bank/risk?notice=assessed")
        } catch let error as DomainError where error.status != 404 {
            return try await riskPage(call, call.wealthFormError(error), status: .unprocessableContent)
        }
    }

    // MARK: Values

    /// The row of a product in lists and the head of its page.
    static func productValues(_ product: WealthProduct, nav: ProductNAV?, call: PageCall, today: BusinessDate) -> [String: Any] {
        let t = call.text
        let phase = product.phase(on: today)
        var values: [String: Any] = [
            "id": product.id.description, "href": "/bank/products/\(product.id)", "code": product.code,
            "name": call.lang.isEnglish ? product.nameEnglish : product.name, "riskCode": product.risk.code,
            "riskName": call.lang.isEnglish ? product.risk.nameEnglish : product.risk.nameZh, "riskClass": "risk-\(product.risk.code.lowercased())",
            "kindLabel": t["kind_\(product.kind.rawValue)"] ?? product.kind.rawValue, "isNAV": product.kind == .nav,
            "phase": t["phase_\(phase)"] ?? phase, "phaseClass": phase, "minimum": PageFormat.money(product.minimumFen),
            "remaining": PageFormat.money(product.remainingQuotaFen), "quota": PageFormat.money(product.quotaFen),
        ]
        if let nav {
            values["navText"] = nav.nav.text
            values["navDate"] = nav.date.iso
        }
        if let yield = product.expectedYield { values["yield"] = yield.description }
        if let start = product.windowStart, let end = product.windowEnd {
            values["window"] = "\(start.iso) \(t["windowTo"] ?? "–") \(end.iso)"
        }
        values["valueDate"] = product.valueDate?.iso
        values["maturityDate"] = product.maturityDate?.iso
        values["termDays"] = product.termDays
        return values
    }

    static func holdingValues(_ holding: ProductHolding) -> [String: Any] {
        var values: [String: Any] = [
            "units": ProductMath.unitsText(holding.units), "availableUnits": ProductMath.unitsText(holding.availableUnits),
            "marketValue": PageFormat.money(holding.marketValueFen), "cost": PageFormat.money(holding.costFen),
            "income": PageFormat.signedMoney(holding.incomeFen), "incomeClass": holding.incomeFen < 0 ? "out" : "in",
            "realised": PageFormat.signedMoney(holding.realisedIncomeFen), "pending": PageFormat.money(holding.pendingSubscriptionFen),
            "hasPending": holding.pendingSubscriptionFen > 0, "navText": holding.latestNAV?.nav.text ?? "—",
        ]
        if let expected = holding.expectedPayoutFen { values["expected"] = PageFormat.money(expected) }
        return values
    }

    /// The customer's level, its expiry and the questionnaire link.
    static func profileValues(_ profile: RiskProfile?, call: PageCall, today: BusinessDate) -> [String: Any] {
        let t = call.text
        guard let profile else { return ["noProfile": true] }
        let valid = profile.isValid(on: today)
        return [
            "hasProfile": true, "profileValid": valid, "profileExpired": !valid, "levelCode": profile.level.code,
            "levelName": call.lang.isEnglish ? profile.level.nameEnglish : profile.level.nameZh, "score": profile.score,
            "assessedOn": profile.assessedOn.iso, "expiresOn": profile.expiresOn.iso,
            "levelUpTo": (t["levelUpTo"] ?? "").replacingOccurrences(of: "{max}", with: profile.level.highestProductRisk.code),
            "validUntil": (t["profileValidUntil"] ?? "").replacingOccurrences(of: "{date}", with: profile.expiresOn.iso),
            "expiredNote": (t["profileExpiredNote"] ?? "").replacingOccurrences(of: "{date}", with: profile.expiresOn.iso),
        ]
    }

    static func suitabilityText(_ suitability: Suitability, _ t: [String: String]) -> String {
        let key = switch suitability.refusal {
        case nil: "suitabilityOK"
        case .riskProfileRequired?: "suitabilityRequired"
        case .riskProfileExpired?: "suitabilityExpired"
        default: "suitabilityMismatch"
        }
        return (t[key] ?? key).replacingOccurrences(of: "{level}", with: suitability.customerLevel?.code ?? "-")
            .replacingOccurrences(of: "{risk}", with: suitability.productRisk.code)
            .replacingOccurrences(of: "{max}", with: suitability.customerLevel?.highestProductRisk.code ?? "-")
            .replacingOccurrences(of: "{date}", with: suitability.expiresOn?.iso ?? "-")
    }

    /// The NAV history (oldest first) as an SVG polyline, in integer coordinates.
    static func navChart(_ navs: [Int64]) -> [String: Any]? {
        guard navs.count >= 2, let low = navs.min(), let high = navs.max() else { return nil }
        let width: Int64 = 600, height: Int64 = 160, pad: Int64 = 10
        let span = max(high - low, 1)
        let points = navs.enumerated().map { index, nav -> String in
            let x = pad + Int64(index) * (width - 2 * pad) / Int64(navs.count - 1)
            let y = high == low ? height / 2 : pad + (high - nav) * (height - 2 * pad) / span
            return "\(x),\(y)"
        }.joined(separator: " ")
        return ["points": points, "width": width, "height": height, "high": NetAssetValue(perUnitE4: high).text, "low": NetAssetValue(perUnitE4: low).text]
    }
}
