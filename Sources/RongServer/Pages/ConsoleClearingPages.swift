import Accounts
import BankKit
import Hummingbird
import Identity
import Interbank
import Payments

/// The console's clearing pages (operators and admins): every customer's transfers to other
/// banks with a status filter (`/console/clearing`), and the daily reconciliation against the
/// clearing house's file (`/console/reconciliation`): run it for a date, see the date's breaks,
/// resolve an open break with a recorded action, and list every open break.
struct ConsoleClearingPages {
    let site: PageSite
    static let listSize = 100

    func register(on router: Router<RongRequestContext>) {
        let operators = Role.operators
        router.get("console/clearing") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in try await clearing(call) }
        }
        router.get("console/reconciliation") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in
                try await reconciliationPage(call, dateText: call.request.uri.queryParameters.get("date").map { String($0) } ?? "")
            }
        }
        router.post("console/reconciliation/runs") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in try await run(call) }
        }
        router.post("console/reconciliation/breaks/:id/resolve") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in try await resolve(call, id: try context.id("id")) }
        }
    }

    static func invalid(_ field: String, _ detail: String) -> DomainError {
        DomainError(.invalidRequest, detail, status: 422, extensions: ["field": .string(field)])
    }

    func clearing(_ call: PageCall) async throws -> Response {
        let statusText = call.request.uri.queryParameters.get("status").map { String($0) } ?? ""
        let t = call.text
        var state = FormState(values: ["status": statusText])
        var transfers: [InterbankTransfer] = []
        if statusText.isEmpty || InterbankTransfer.Status(rawValue: statusText) != nil {
            transfers = try await call.platform.payments.allInterbankTransfers(status: InterbankTransfer.Status(rawValue: statusText),
                                                                              limit: ConsoleClearingPages.listSize)
        } else {
            let error = ConsoleClearingPages.invalid("status", "status is one of \(InterbankTransfer.Status.allCases.map(\.rawValue).joined(separator: ", ")).")
            state = FormState(error: error, form: FormData(["status": statusText]), lang: call.lang)
            state.message = TransferText.message(for: error, lang: call.lang)
        }
        let names = try await PortalPages.bankNames(call)
        var payers: [RongID: String] = [:]
        var rows: [[String: Any]] = []
        for transfer in transfers {
            if payers[transfer.eAccountID] == nil {
                payers[transfer.eAccountID] = try await call.platform.accounts.eAccount(id: transfer.eAccountID).map { AccountNumberFormat.grouped($0.accountNumber) } ?? "—"
            }
            var row: [String: Any] = [
                "id": transfer.id.description, "created": PageFormat.shanghai(transfer.createdAt), "payer": payers[transfer.eAccountID] ?? "—",
                "customerHref": "/console/customers/\(transfer.customerID)", "payeeName": transfer.creditor.name,
                "bankName": names[transfer.creditor.bankCode] ?? transfer.creditor.bankCode, "payeeNumber": AccountNumberFormat.masked(transfer.creditor.accountNumber),
                "amount": PageFormat.money(transfer.amountFen), "timing": t["timing_\(transfer.timing.rawValue)"] ?? transfer.timing.rawValue,
                "path": transfer.path.map { t["path_\($0.rawValue)"] ?? $0.rawValue } ?? "—",
                "statusKey": transfer.status.rawValue, "statusLabel": t["transfer_\(transfer.status.rawValue)"] ?? transfer.status.rawValue,
                "settled": transfer.settledAt.map(PageFormat.shanghai) ?? "—",
            ]
            row["failure"] = TransferText.failure(code: transfer.failureCode, detail: transfer.failureDetail, lang: call.lang)
            rows.append(row)
        }
        var values = state.context
        values["statuses"] = InterbankTransfer.Status.allCases.map { status -> [String: Any] in
            ["value": status.rawValue, "label": t["transfer_\(status.rawValue)"] ?? status.rawValue, "selected": status.rawValue == statusText]
        }
        values["transfers"] = rows
        values["hasTransfers"] = !rows.isEmpty
        values["wide"] = true
        return call.render("console-clearing", title: "clearingTitle", values, status: state.message == nil ? .ok : .unprocessableContent)
    }

    // MARK: Reconciliation

    /// The date's breaks (yesterday in Asia/Shanghai by default) and every open break; `runError`
    /// marks the date of a refused run, `failed` the resolve form of a refused resolution.
    func reconciliationPage(_ call: PageCall, dateText: String, runError: FormState? = nil, failed: (id: RongID, state: FormState)? = nil,
                            status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = call.text
        let today = call.platform.clock.businessDate()
        var dateState = runError ?? FormState(values: ["date": dateText.isEmpty ? today.adding(days: -1).iso : dateText])
        var date: BusinessDate?
        do {
            date = try BusinessDate(iso: dateState.values["date"] ?? "")
        } catch {
            let invalid = ConsoleClearingPages.invalid("date", error.detail)
            dateState = FormState(error: invalid, form: FormData(["date": dateText]), lang: call.lang)
            dateState.message = TransferText.message(for: invalid, lang: call.lang)
        }
        let payments = call.platform.payments
        var breaks: [ReconciliationBreak] = []
        if let date { breaks = try await payments.reconciliationBreaks(date: date) }
        var rows: [[String: Any]] = []
        for item in breaks {
            var row = breakRow(call, item)
            row["open"] = item.status == "open"
            row["resolution"] = item.resolution
            row["resolvedBy"] = item.resolvedBy
            row["resolvedAt"] = item.resolvedAt.map(PageFormat.shanghai)
            row["v"] = [String: String]()
            if let failed, failed.id == item.id { row.merge(failed.state.context) { _, new in new } }
            rows.append(row)
        }
        let open = try await payments.reconciliationBreaks().map { item -> [String: Any] in
            var row = breakRow(call, item)
            row["date"] = item.businessDate.iso
            row["dateHref"] = PageResponse.path("/console/reconciliation", [("date", item.businessDate.iso)])
            return row
        }
        var values: [String: Any] = ["v": dateState.values, "date": date?.iso ?? "", "hasDate": date != nil, "today": today.iso, "breaks": rows, "hasBreaks": !rows.isEmpty,
                                     "openBreaks": open, "hasOpenBreaks": !open.isEmpty, "wide": true]
        if let field = dateState.field { values["bad"] = [field: true] }
        values["runError"] = dateState.message
        if call.request.method == .get, let matched = call.request.uri.queryParameters.get("matched").flatMap({ Int(String($0)) }) {
            values["summary"] = (t["matchedSummary"] ?? "{matched} / {breaks}")
                .replacingOccurrences(of: "{matched}", with: String(matched)).replacingOccurrences(of: "{breaks}", with: String(rows.count))
        }
        let getPath = PageResponse.path("/console/reconciliation", date.map { [("date", $0.iso)] } ?? [])
        return call.render("console-reconciliation", title: "reconTitle", values, status: status, getPath: getPath)
    }

    func breakRow(_ call: PageCall, _ item: ReconciliationBreak) -> [String: Any] {
        let t = call.text
        return [
            "id": item.id.description, "kindKey": item.kind.rawValue, "kind": t["break_\(item.kind.rawValue)"] ?? item.kind.rawValue,
            "movement": item.movement, "rongAmount": item.rongAmountFen.map(PageFormat.money) ?? "—",
            "clearingAmount": item.clearingAmountFen.map(PageFormat.money) ?? "—", "detail": detail(call, item),
            "statusKey": item.status, "statusLabel": t["breakStatus_\(item.status)"] ?? item.status,
        ]
    }

    /// The service's detail (English) in Chinese when the page is.
    func detail(_ call: PageCall, _ item: ReconciliationBreak) -> String {
        guard !call.lang.isEnglish, let text = call.text["breakDetail_\(item.kind.rawValue)"] else { return item.detail }
        return text.replacingOccurrences(of: "{rong}", with: item.rongAmountFen.map(PageFormat.money) ?? "—")
            .replacingOccurrences(of: "{clearing}", with: item.clearingAmountFen.map(PageFormat.money) ?? "—")
    }

    func run(_ call: PageCall) async throws -> Response {
        let dateText = (call.form ?? FormData()).text("date")
        do {
            let date: BusinessDate
            do { date = try BusinessDate(iso: dateText) } catch { throw ConsoleClearingPages.invalid("date", error.detail) }
            let result = try await call.platform.payments.reconcile(date: date)
            return PageResponse.redirect(PageResponse.path("/console/reconciliation", [("date", date.iso), ("matched", String(result.matched)),
                                                                                        ("notice", "reconciled")]))
        } catch let error as DomainError {
            var state = call.transferFormError(error)
            state.values = ["date": dateText]
            if state.field == nil { state.field = "date" }
            return try await reconciliationPage(call, dateText: dateText, runError: state, status: .unprocessableContent)
        }
    }

    func resolve(_ call: PageCall, id: RongID) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            let resolved = try await call.platform.payments.resolveBreak(by: call.signedIn, id: id, resolution: form.text("resolution"), address: call.address)
            return PageResponse.redirect(PageResponse.path("/console/reconciliation", [("date", resolved.businessDate.iso), ("notice", "resolved")]))
        } catch let error as DomainError where error.status != 404 && error.status != 403 {
            var state = call.transferFormError(error)
            state.values = ["resolution": form.text("resolution")]
            return try await reconciliationPage(call, dateText: form.text("date"), failed: (id, state), status: HTTPResponse.Status(code: error.status))
        }
    }
}
