import Accounts
import BankKit
import Hummingbird
import Identity
import Wealth

/// Deposits in the portal: the posted rates, time and 节节高 deposits (open, "if you withdraw
/// today", withdraw), demand interest accrued, and the 聚财宝 sweep per account.
///
/// Money forms carry a hidden Idempotency-Key made when the page is rendered, so a form sent
/// twice deposits or withdraws once.
struct PortalDepositPages {
    let site: PageSite

    enum Form: String { case open, sweep }

    func register(on router: Router<RongRequestContext>) {
        router.get("bank/deposits") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await depositsPage(call) }
        }
        router.post("bank/deposits") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await open(call) }
        }
        router.get("bank/deposits/:id") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await depositPage(call, id: try context.id("id")) }
        }
        router.post("bank/deposits/:id/withdraw") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await withdraw(call, id: try context.id("id")) }
        }
        router.post("bank/sweeps/:id") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in try await setSweep(call, accountID: try context.id("id")) }
        }
        router.post("bank/sweeps/:id/stop") { request, context in
            try await site.page(request, context, area: .bank, access: [.customer]) { call in
                _ = try await call.platform.wealth.stopSweep(call.signedIn, accountID: try context.id("id"), address: call.address)
                return PageResponse.redirect("/bank/deposits?notice=sweepStopped")
            }
        }
    }

    // MARK: Actions

    func open(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        let wealth = call.platform.wealth
        do {
            let amount = try call.yuan("amount")
            let accountID: RongID
            do { accountID = try RongID(form.text("account")) } catch {
                throw DomainError(.invalidRequest, "Choose an account.", status: 422, extensions: ["field": .string("account")])
            }
            let key = form["idempotency_key"]
            if form.text("kind") == "tiered" {
                _ = try await wealth.openTieredDeposit(call.signedIn, sourceAccountID: accountID, amountFen: amount, idempotencyKey: key, address: call.address)
            } else {
                let months = Int(form.text("term")) ?? 0
                let onMaturity = Deposit.OnMaturity(rawValue: form.text("on_maturity")) ?? .returnToAccount
                _ = try await wealth.openTimeDeposit(call.signedIn, sourceAccountID: accountID, amountFen: amount, termMonths: months, onMaturity: onMaturity,
                                                     idempotencyKey: key, address: call.address)
            }
            return PageResponse.redirect("/bank/deposits?notice=depositOpened")
        } catch let error as DomainError where error.status != 404 {
            return try await depositsPage(call, failed: (.open, call.formError(error, fieldNames: ["amount_fen": "amount", "term_months": "term"])))
        }
    }

    func setSweep(_ call: PageCall, accountID: RongID) async throws -> Response {
        do {
            let text = call.form?.text("threshold") ?? ""
            let threshold: Int64
            do { threshold = try Money.parse(text.isEmpty ? "0" : text, asset: .cny).minorUnits } catch {
                throw DomainError(.invalidAmount, error.detail, status: 422, extensions: ["field": .string("threshold")])
            }
            _ = try await call.platform.wealth.setSweep(call.signedIn, accountID: accountID, thresholdFen: threshold, dailyRedeemMaxFen: nil, address: call.address)
            return PageResponse.redirect("/bank/deposits?notice=sweepSet")
        } catch let error as DomainError where error.status != 404 {
            var state = call.formError(error)
            state.field = "threshold"
            return try await depositsPage(call, failed: (.sweep, state), sweepAccount: accountID)
        }
    }

    func withdraw(_ call: PageCall, id: RongID) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let text = form.text("amount")
            let amount: Int64? = text.isEmpty ? nil : try call.yuan("amount")
            _ = try await call.platform.wealth.withdraw(call.signedIn, depositID: id, amountFen: amount, idempotencyKey: form["idempotency_key"], address: call.address)
            return PageResponse.redirect("/bank/deposits?notice=depositWithdrawn")
        } catch let error as DomainError where error.status != 404 {
            return try await depositPage(call, id: id, failed: call.formError(error, fieldNames: ["amount_fen": "amount"]))
        }
    }

    // MARK: Pages

    func depositsPage(_ call: PageCall, failed: (Form, FormState)? = nil, sweepAccount: RongID? = nil) async throws -> Response {
        let platform = call.platform
        let wealth = platform.wealth
        let t = call.text
        let english = call.lang.isEnglish
        let today = platform.clock.businessDate()
        let customer = try await platform.accounts.customer(of: call.signedIn)
        let accounts = try await platform.accounts.accounts(of: customer).filter { $0.account.status != "closed" }
        func label(_ account: EAccount) -> String {
            "\(PageText.classLabel(account.accountClass, lang: call.lang)) \(AccountNumberFormat.masked(account.accountNumber))"
        }
        let rates: [[String: Any]] = try await wealth.rateBoard(on: today).map {
            ["name": DepositText.productName($0.product, english: english), "rate": $0.rate.description, "effectiveFrom": $0.effectiveFrom.iso, "product": $0.product.rawValue]
        }
        let deposits: [[String: Any]] = try await wealth.deposits(call.signedIn).map { view in
            let deposit = view.deposit
            return ["id": deposit.id.description, "href": "/bank/deposits/\(deposit.id)", "kind": t["kind_\(deposit.kind.rawValue)"] ?? deposit.kind.rawValue,
                    "term": deposit.termMonths.map { "\($0)\(t["months"] ?? "")" } ?? "—", "principal": PageFormat.money(view.principalFen),
                    "rate": deposit.rate?.description ?? "—", "openedOn": deposit.openedOn.iso, "maturesOn": deposit.maturesOn?.iso ?? "—",
                    "interestToday": view.ifWithdrawnToday.map { PageFormat.money($0.interestFen) } ?? "—",
                    "status": t["status_\(deposit.status)"] ?? deposit.status, "statusClass": deposit.status]
        }
        let investing = accounts.filter { $0.account.accountClass != .classIII && $0.account.status == "active" }
        var demand: [[String: Any]] = []
        for view in accounts {
            let (micros, through) = try await wealth.demandAccrual(accountID: view.account.id)
            demand.append(["label": label(view.account), "accrued": PageFormat.money(InterestMath.roundToFen(micros: micros)),
                           "through": through?.iso ?? "—"])
        }
        var sweeps: [[String: Any]] = []
        for view in investing {
            let sweep = try await wealth.sweepView(view.account.id)
            var item: [String: Any] = ["accountID": view.account.id.description, "label": label(view.account),
                                       "active": sweep?.setting.active ?? false, "state": (sweep?.setting.active ?? false) ? t["sweepOn"]! : t["sweepOff"]!,
                                       "threshold": sweep.map { PageFormat.money($0.setting.thresholdFen) } ?? "—",
                                       "fundBalance": PageFormat.money(sweep?.fundBalanceFen ?? 0),
                                       "redeemedToday": PageFormat.money(sweep?.redeemedTodayFen ?? 0),
                                       "thresholdValue": sweep.map { PayText.plainYuan($0.setting.thresholdFen) } ?? ""]
            if failed?.0 == .sweep, sweepAccount == view.account.id {
                item["error"] = failed!.1.message ?? ""
                item["thresholdValue"] = failed!.1.values["threshold"] ?? ""
            }
            sweeps.append(item)
        }
        var openForm = failed?.0 == .open ? failed!.1.context : FormState().context
        openForm["key"] = platform.ids.next().description
        let chosenTerm = failed?.0 == .open ? (failed!.1.values["term"] ?? "12") : "12"
        let chosenAccount = failed?.0 == .open ? (failed!.1.values["account"] ?? "") : ""
        let values: [String: Any] = [
            "rates": rates, "deposits": deposits, "hasDeposits": !deposits.isEmpty,
            "accounts": investing.map { ["id": $0.account.id.description, "label": label($0.account) + " · " + PageFormat.money($0.availableFen),
                                         "selected": $0.account.id.description == chosenAccount] },
            "hasInvesting": !investing.isEmpty,
            "terms": WealthService.depositTermsMonths.map { ["months": $0, "label": "\($0)\(t["months"] ?? "")", "selected": String($0) == chosenTerm] },
            "open": openForm, "demand": demand, "hasDemand": !demand.isEmpty, "sweeps": sweeps, "hasSweeps": !sweeps.isEmpty,
            "nextSettlement": WealthService.nextDemandSettlementDate(onOrAfter: today).iso,
            "demandRate": try await wealth.rate(.demand, on: today).description,
        ]
        return call.render("bank-deposits", title: "depositsTitle", values, status: failed == nil ? .ok : .unprocessableContent, getPath: "/bank/deposits")
    }

    func depositPage(_ call: PageCall, id: RongID, failed: FormState? = nil) async throws -> Response {
        let t = call.text
        let (view, events) = try await call.platform.wealth.deposit(call.signedIn, id: id)
        let deposit = view.deposit
        var form = failed?.context ?? FormState().context
        form["key"] = call.platform.ids.next().description
        let values: [String: Any] = [
            "id": deposit.id.description, "kind": t["kind_\(deposit.kind.rawValue)"] ?? deposit.kind.rawValue,
            "principal": PageFormat.money(view.principalFen), "term": deposit.termMonths.map { "\($0)\(t["months"] ?? "")" } ?? "—",
            "rate": deposit.rate?.description ?? "—", "openedOn": deposit.openedOn.iso, "termStart": deposit.termStart.iso,
            "maturesOn": deposit.maturesOn?.iso ?? "—", "onMaturity": t["onMaturity_\(deposit.onMaturity.rawValue)"] ?? "",
            "isTime": deposit.kind == .time, "status": t["status_\(deposit.status)"] ?? deposit.status, "isOpen": deposit.status == "open",
            "interestAtMaturity": view.interestAtMaturityFen.map(PageFormat.money) ?? "—",
            "quote": view.ifWithdrawnToday.map { ["interest": PageFormat.money($0.interestFen), "total": PageFormat.money($0.principalFen + $0.interestFen),
                                                  "days": $0.daysHeld, "rate": $0.rate.description, "detail": $0.detail] } as Any,
            "tiers": deposit.tiers.map { ["fromDays": $0.fromDays, "name": DepositText.productName($0.product, english: call.lang.isEnglish), "rate": $0.rate.description] },
            "hasTiers": !deposit.tiers.isEmpty,
            "events": events.map { ["kind": t["event_\($0.kind)"] ?? $0.kind, "date": $0.onDate.iso, "principal": PageFormat.money($0.principalFen),
                                    "interest": PageFormat.money($0.interestFen), "rate": $0.rate.description, "days": $0.days, "detail": $0.detail] },
            "form": form,
        ]
        return call.render("bank-deposit", title: "depositDetailTitle", values, status: failed == nil ? .ok : .unprocessableContent,
                           getPath: "/bank/deposits/\(deposit.id)")
    }
}
