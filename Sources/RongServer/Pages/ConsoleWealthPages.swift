import BankKit
import Hummingbird
import Identity
import Wealth

/// Wealth products in the console (`/console/products`): the catalogue with quotas and NAVs for
/// every staff role; creating products, publishing NAVs and stopping sales for operators and admins.
struct ConsoleWealthPages {
    let site: PageSite
    static let navsShown = 60

    func register(on router: Router<RongRequestContext>) {
        let staff = Set(Role.staff)
        let operators = Role.operators
        router.get("console/products") { request, context in
            try await site.page(request, context, area: .console, access: staff) { call in try await listPage(call, FormState()) }
        }
        router.post("console/products") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in try await create(call) }
        }
        router.get("console/products/:id") { request, context in
            try await site.page(request, context, area: .console, access: staff) { call in try await productPage(call, id: try context.id("id")) }
        }
        router.post("console/products/:id/navs") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in try await publish(call, id: try context.id("id")) }
        }
        router.post("console/products/:id/close") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in try await close(call, id: try context.id("id")) }
        }
    }

    static func canOperate(_ call: PageCall) -> Bool { call.signedIn.isOperator }

    func listPage(_ call: PageCall, _ state: FormState, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = call.text
        let today = call.platform.clock.businessDate()
        let products = try await call.platform.wealth.products().map { listing -> [String: Any] in
            var row = PortalWealthPages.productValues(listing.product, nav: listing.latestNAV, call: call, today: today)
            row["href"] = "/console/products/\(listing.product.id)"
            row["sold"] = PageFormat.money(listing.product.soldFen)
            return row
        }
        var values = state.context
        values["products"] = products
        values["hasProducts"] = !products.isEmpty
        values["canOperate"] = ConsoleWealthPages.canOperate(call)
        values["kinds"] = WealthProduct.Kind.allCases.map { kind -> [String: Any] in
            ["value": kind.rawValue, "label": t["kind_\(kind.rawValue)"] ?? kind.rawValue, "selected": state.values["kind"] == kind.rawValue]
        }
        values["risks"] = ProductRisk.allCases.map { risk -> [String: Any] in
            ["value": risk.code, "label": "\(risk.code) \(call.lang.isEnglish ? risk.nameEnglish : risk.nameZh)", "selected": state.values["risk"] == risk.code]
        }
        values["wide"] = true
        return call.render("console-products", title: "productsTitle", values, status: status, getPath: "/console/products")
    }

    func create(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            func yuan(_ name: String) throws(DomainError) -> Int64 {
                do { return try PageFormat.amountFen(form.text(name)) } catch {
                    throw DomainError(.invalidAmount, error.detail, status: 422, extensions: ["field": .string(name)])
                }
            }
            func date(_ name: String) throws(DomainError) -> BusinessDate? {
                form.text(name).isEmpty ? nil : try WealthProductRoutes.date(form.text(name), field: name)
            }
            guard let kind = WealthProduct.Kind(rawValue: form.text("kind")) else {
                throw DomainError(.invalidRequest, "Choose the kind of product.", status: 422, extensions: ["field": .string("kind")])
            }
            var termDays: Int?
            var yield: AnnualRate?
            if kind == .periodic {
                guard let days = Int(form.text("term_days")) else {
                    throw DomainError(.invalidRequest, "The term is 1–1,830 days.", status: 422, extensions: ["field": .string("term_days")])
                }
                termDays = days
                do { yield = try AnnualRate.parsePercent(form.text("expected_yield")) } catch {
                    throw DomainError(.invalidRate, error.detail, status: 422, extensions: ["field": .string("expected_yield")])
                }
            }
            let draft = ProductDraft(code: form.text("code"), name: form.text("name"), nameEnglish: form.text("name_en"), kind: kind,
                                     risk: try ProductRisk.parse(form.text("risk")), minimumFen: try yuan("minimum"), quotaFen: try yuan("quota"),
                                     windowStart: kind == .periodic ? try date("window_start") : nil, windowEnd: kind == .periodic ? try date("window_end") : nil,
                                     termDays: termDays, expectedYield: yield)
            let product = try await call.platform.wealth.createProduct(by: call.signedIn, draft, address: call.address)
            return PageResponse.redirect("/console/products/\(product.id)?notice=created")
        } catch let error as DomainError where error.status != 403 {
            return try await listPage(call, call.wealthFormError(error), status: .unprocessableContent)
        }
    }

    func productPage(_ call: PageCall, id: RongID, failed: FormState? = nil) async throws -> Response {
        let wealth = call.platform.wealth
        let t = call.text
        let today = call.platform.clock.businessDate()
        let product = try await wealth.requireProduct(id)
        let navs = try await wealth.navHistory(product.id, limit: ConsoleWealthPages.navsShown)
        var values = PortalWealthPages.productValues(product, nav: navs.first, call: call, today: today)
        values.merge((failed ?? FormState(values: ["date": today.iso])).context) { mine, _ in mine }
        values["sold"] = PageFormat.money(product.soldFen)
        values["navs"] = navs.map { ["date": $0.date.iso, "navText": $0.nav.text, "by": $0.publishedBy, "at": PageFormat.shanghai($0.publishedAt)] }
        values["hasNavs"] = !navs.isEmpty
        values["chart"] = PortalWealthPages.navChart(navs.reversed().map(\.nav.perUnitE4))
        let counts = try await wealth.orderCounts(productID: product.id).map { count -> [String: Any] in
            ["kind": t["orderKind_\(count.kind.rawValue)"] ?? count.kind.rawValue, "status": t["orderStatus_\(count.status.rawValue)"] ?? count.status.rawValue,
             "count": count.count, "amount": PageFormat.money(count.amountFen)]
        }
        values["counts"] = counts
        values["hasCounts"] = !counts.isEmpty
        let canOperate = ConsoleWealthPages.canOperate(call)
        values["canPublish"] = canOperate && product.kind == .nav
        values["canClose"] = canOperate && product.status == .open
        values["wide"] = true
        return call.render("console-product", title: product.name, values, status: failed == nil ? .ok : .unprocessableContent,
                           getPath: "/console/products/\(product.id)")
    }

    func publish(_ call: PageCall, id: RongID) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let date = try WealthProductRoutes.date(form.text("date"), field: "date")
            _ = try await call.platform.wealth.publishNAV(by: call.signedIn, productID: id, date: date, nav: try NetAssetValue.parse(form.text("nav")),
                                                         address: call.address)
            return PageResponse.redirect("/console/products/\(id)?notice=published")
        } catch let error as DomainError where error.status != 404 && error.status != 403 {
            return try await productPage(call, id: id, failed: call.wealthFormError(error))
        }
    }

    func close(_ call: PageCall, id: RongID) async throws -> Response {
        do {
            _ = try await call.platform.wealth.closeProduct(by: call.signedIn, id: id, address: call.address)
            return PageResponse.redirect("/console/products/\(id)?notice=closed")
        } catch let error as DomainError where error.status != 404 && error.status != 403 {
            return try await productPage(call, id: id, failed: call.wealthFormError(error))
        }
    }
}
