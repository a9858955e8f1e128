import BankKit
import Hummingbird
import Identity
import Wealth

/// The console's rate pages (`/console/rates`): the rates in force, the history with rates
/// published for future dates, a form to publish a rate (operators), and the 节节高 ladder.
struct ConsoleRatePages {
    let site: PageSite

    func register(on router: Router<RongRequestContext>) {
        router.get("console/rates") { request, context in
            try await site.page(request, context, area: .console, access: Set(Role.staff)) { call in try await ratesPage(call) }
        }
        router.post("console/rates") { request, context in
            try await site.page(request, context, area: .console, access: Role.operators) { call in try await publish(call) }
        }
    }

    func publish(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let product = try RateProduct.parse(form.text("product"))
            let rate = try AnnualRate.parsePercent(form.text("rate"))
            let date: BusinessDate
            do { date = try BusinessDate(iso: form.text("effective_from")) } catch {
                throw DomainError(.invalidDate, error.detail, status: 422, extensions: ["field": .string("effective_from")])
            }
            _ = try await call.platform.wealth.publishRate(by: call.signedIn, product: product, rate: rate, effectiveFrom: date, address: call.address)
            return PageResponse.redirect("/console/rates?notice=ratePublished")
        } catch let error as DomainError {
            var state = call.formError(error)
            if state.field == nil, error.code == .invalidRate { state.field = "rate" }
            return try await ratesPage(call, failed: state)
        }
    }

    func ratesPage(_ call: PageCall, failed: FormState? = nil) async throws -> Response {
        let wealth = call.platform.wealth
        let english = call.lang.isEnglish
        let today = call.platform.clock.businessDate()
        func row(_ rate: PublishedRate) -> [String: Any] {
            ["name": DepositText.productName(rate.product, english: english), "product": rate.product.rawValue, "rate": rate.rate.description,
             "effectiveFrom": rate.effectiveFrom.iso, "publishedBy": rate.publishedBy, "future": rate.effectiveFrom > today]
        }
        let chosen = failed?.values["product"] ?? RateProduct.demand.rawValue
        var form = failed?.context ?? FormState().context
        if failed == nil { form["v"] = ["effective_from": today.adding(days: 1).iso] }
        let values: [String: Any] = [
            "current": try await wealth.rateBoard(on: today).map(row),
            "history": try await wealth.rateHistory(nil, limit: 100).map(row),
            "products": RateProduct.allCases.map { ["value": $0.rawValue, "name": DepositText.productName($0, english: english), "selected": $0.rawValue == chosen] },
            "tiers": try await wealth.tierLadder().map { ["fromDays": $0.fromDays, "name": DepositText.productName($0.product, english: english)] },
            "canPublish": call.signedIn.isOperator,
            "form": form,
        ]
        return call.render("console-rates", title: "ratesTitle", values, status: failed == nil ? .ok : .unprocessableContent, getPath: "/console/rates")
    }
}
