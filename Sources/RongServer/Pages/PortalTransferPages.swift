import Accounts
import BankKit
import Hummingbird
import Identity
import Interbank
import Payments

/// Transfers in the portal: the transfer form (`/bank/transfer`) to a saved payee, a new payee
/// at another bank, or an account at this bank; the SMS code step for a new payee; the result
/// (`/bank/transfers/{id}`), the history (`/bank/transfers`) and the saved payees (`/bank/payees`).
///
/// The form carries a hidden Idempotency-Key made when it is rendered; the code step keeps it
/// (and every other field) in hidden inputs, so the transfer the code confirms is the one asked for.
struct PortalTransferPages {
    let site: PageSite
    static let historySize = 50

    func register(on router: Router<RongRequestContext>) {
        let customer: Set<Role> = [.customer]
        router.get("bank/transfer") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in
                let query = call.request.uri.queryParameters
                var values: [String: String] = [:]
                values["payee_id"] = query.get("payee").map { String($0) }
                values["account_id"] = query.get("account").map { String($0) }
                return try await formPage(call, FormState(values: values))
            }
        }
        router.post("bank/transfer") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await submit(call) }
        }
        router.get("bank/transfers") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await history(call) }
        }
        router.get("bank/transfers/:id") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await result(call, id: try context.id("id")) }
        }
        router.get("bank/payees") { request, context in
            try await site.page(request, context, area: .bank, access: customer) { call in try await payeesPage(call) }
        }
    }

    /// A transfer as the form describes it, checked before any service is asked.
    struct Order {
        let accountID: RongID
        let creditor: ClearingParty
        let amountFen: Int64
        let memo: String
        let timing: TransferTiming
        var isThisBank: Bool { creditor.bankCode == ThisBank.bankCode }
    }

    func order(_ form: FormData, payees: [Payee]) throws -> Order {
        func refuse(_ field: String, _ detail: String, code: ErrorCode = .invalidRequest) -> DomainError {
            DomainError(code, detail, status: 422, extensions: ["field": .string(field)])
        }
        guard let accountID = try? RongID(form.text("account_id")) else { throw refuse("account_id", "Choose the account to pay from.") }
        let creditor: ClearingParty
        if !form.text("payee_id").isEmpty {
            guard let payee = payees.first(where: { $0.id.description == form.text("payee_id") }) else {
                throw refuse("payee_id", "Choose a saved payee or enter a new one.")
            }
            creditor = ClearingParty(name: payee.name, accountNumber: payee.accountNumber, bankCode: payee.bankCode)
        } else {
            guard !form.text("payee_name").isEmpty else { throw refuse("payee_name", "Enter the payee's name.") }
            guard !form.text("bank_code").isEmpty else { throw refuse("bank_code", "Choose the payee's bank.", code: .unknownBank) }
            let number = form.text("account_number").replacingOccurrences(of: " ", with: "")
            guard !number.isEmpty else { throw refuse("account_number", "Enter the payee's account number.") }
            creditor = ClearingParty(name: form.text("payee_name"), accountNumber: number, bankCode: form.text("bank_code"))
        }
        let amountFen = try PageFormat.amountFen(form.text("amount"))
        guard let timing = TransferTiming(rawValue: form.text("timing")) else { throw refuse("timing", "Choose when the money arrives.") }
        if creditor.bankCode == ThisBank.bankCode, timing != .realTime {
            throw refuse("timing", "Transfers within Rong Bank arrive in real time only.")
        }
        return Order(accountID: accountID, creditor: creditor, amountFen: amountFen, memo: form.text("memo"), timing: timing)
    }

    func submit(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        let order: Order
        do {
            order = try self.order(form, payees: try await call.platform.payments.payees(call.signedIn))
        } catch let error as DomainError {
            return try await formPage(call, refused(call, error), status: .unprocessableContent)
        }
        let challengeText = form.text("challenge")
        do {
            let challenge: RongID? = challengeText.isEmpty ? nil : try RongID(challengeText)
            let code = challenge == nil ? nil : form.text("code")
            let (key, principal) = (form["idempotency_key"], call.signedIn)
            let id: RongID
            if order.isThisBank {
                id = try await call.platform.accounts.transfer(
                    principal, accountID: order.accountID, payeeAccountNumber: order.creditor.accountNumber, payeeName: order.creditor.name,
                    amountFen: order.amountFen, memo: order.memo, otpChallengeID: challenge, otpCode: code, idempotencyKey: key, address: call.address).id
            } else {
                id = try await call.platform.payments.transferToOtherBank(
                    principal, accountID: order.accountID, creditor: order.creditor, amountFen: order.amountFen, timing: order.timing, memo: order.memo,
                    otpChallengeID: challenge, otpCode: code, idempotencyKey: key, address: call.address).id
            }
            return PageResponse.redirect("/bank/transfers/\(id)")
        } catch let error as DomainError where error.code == .stepUpRequired {
            return try await sendCode(call, order)
        } catch let error as DomainError where error.status != 404 {
            // A wrong code stays on the code step with the same key; anything else starts over with a fresh key.
            if error.code == .otpInvalid, !challengeText.isEmpty {
                return try await codePage(call, order, call.transferFormError(error), status: .unprocessableContent)
            }
            return try await formPage(call, refused(call, error), status: .unprocessableContent)
        }
    }

    /// Step 1 again after a refusal: the input kept (not the code step's), a fresh key made.
    func refused(_ call: PageCall, _ error: DomainError) -> FormState {
        var state = call.transferFormError(error)
        // A saved payee's details are not on the form: its select is what to correct.
        if let field = state.field, ["payee_name", "bank_code", "account_number"].contains(field), !(call.form?.text("payee_id").isEmpty ?? true) {
            state.field = "payee_id"
        }
        for name in ["challenge", "code", "idempotency_key"] { state.values[name] = nil }
        return state
    }

    /// A payee not saved (or not paid) before: the code is sent and the code step shown.
    func sendCode(_ call: PageCall, _ order: Order) async throws -> Response {
        do {
            let challenge = order.isThisBank
                ? try await call.platform.accounts.requestNewPayeeCode(call.signedIn, payeeAccountNumber: order.creditor.accountNumber)
                : try await call.platform.payments.requestPayeeCode(call.signedIn, creditor: order.creditor)
            var state = FormState(values: (call.form ?? FormData()).kept())
            state.values["challenge"] = challenge.id.description
            state.values["code"] = nil
            return try await codePage(call, order, state)
        } catch let error as DomainError {
            return try await formPage(call, refused(call, error), status: .unprocessableContent)
        }
    }

    func formPage(_ call: PageCall, _ state: FormState, status: HTTPResponse.Status = .ok) async throws -> Response {
        let accounts = call.platform.accounts
        let views = try await accounts.accounts(of: try await accounts.customer(of: call.signedIn))
        let payees = try await call.platform.payments.payees(call.signedIn)
        let names = try await PortalPages.bankNames(call)
        let t = call.text
        var kept = state.values
        kept["account_id"] = kept["account_id"] ?? views.first { $0.account.status == "active" }?.account.id.description
        var values = state.context
        values["v"] = kept
        values["accounts"] = views.map { view -> [String: Any] in
            ["id": view.account.id.description, "selected": kept["account_id"] == view.account.id.description,
             "label": "\(PageText.classLabel(view.account.accountClass, lang: call.lang)) \(AccountNumberFormat.grouped(view.account.accountNumber)) · "
                 + "\(t["availableShort"] ?? "") \(PageFormat.money(view.availableFen))"]
        }
        values["hasAccounts"] = !views.isEmpty
        values["payees"] = payees.map { payee -> [String: Any] in
            ["id": payee.id.description, "selected": kept["payee_id"] == payee.id.description,
             "label": "\(payee.name) · \(names[payee.bankCode] ?? payee.bankCode) \(AccountNumberFormat.masked(payee.accountNumber))"]
        }
        values["banks"] = try await PortalCardPages(site: site).banks(call, selected: kept["bank_code"])
        values["timings"] = TransferTiming.allCases.map { timing -> [String: Any] in
            ["value": timing.rawValue, "label": t["timing_\(timing.rawValue)"] ?? timing.rawValue, "checked": (kept["timing"] ?? "real_time") == timing.rawValue]
        }
        values["key"] = call.platform.ids.next().description
        return call.render("bank-transfer", title: "transferTitle", values, status: status, getPath: "/bank/transfer")
    }

    /// Step 2: what will be sent, the code, and every field of step 1 kept in hidden inputs.
    func codePage(_ call: PageCall, _ order: Order, _ state: FormState, status: HTTPResponse.Status = .ok) async throws -> Response {
        let names = try await PortalPages.bankNames(call)
        let account = try await call.platform.accounts.accountView(call.signedIn, id: order.accountID).account
        var values = state.context
        values["step2"] = true
        values["key"] = state.values["idempotency_key"] ?? ""
        values["payerNumber"] = AccountNumberFormat.grouped(account.accountNumber)
        values["payeeName"] = order.creditor.name
        values["payeeBankName"] = names[order.creditor.bankCode] ?? order.creditor.bankCode
        values["payeeNumber"] = AccountNumberFormat.grouped(order.creditor.accountNumber)
        values["amountText"] = PageFormat.money(order.amountFen)
        values["timingText"] = call.text["timing_\(order.timing.rawValue)"] ?? order.timing.rawValue
        values["memoText"] = order.memo
        return call.render("bank-transfer", title: "transferCodeTitle", values, status: status, getPath: "/bank/transfer")
    }

    // MARK: Result, history, payees

    func result(_ call: PageCall, id: RongID) async throws -> Response {
        let names = try await PortalPages.bankNames(call)
        var values: [String: Any]
        do {
            values = row(call, try await call.platform.payments.interbankTransfer(call.signedIn, id: id), names: names)
        } catch let error as DomainError where error.status == 404 {
            // Not to another bank: a transfer within this bank, found among the customer's own accounts' movements.
            let accounts = call.platform.accounts
            var found: (Movement, EAccount)?
            for view in try await accounts.accounts(of: try await accounts.customer(of: call.signedIn)) where found == nil {
                if let movement = try await accounts.movements(call.signedIn, accountID: view.account.id, limit: 200)
                    .first(where: { $0.id == id && $0.kind == .transferOut }) { found = (movement, view.account) }
            }
            guard let found else { throw error }
            values = row(call, found.0, names: names)
            values["payerNumber"] = AccountNumberFormat.grouped(found.1.accountNumber)
        }
        if values["payerNumber"] == nil, let accountID = values["accountID"] as? RongID {
            values["payerNumber"] = AccountNumberFormat.grouped(try await call.platform.accounts.accountView(call.signedIn, id: accountID).account.accountNumber)
        }
        values["accountID"] = nil
        return call.render("bank-transfer-result", title: "transferResultTitle", values)
    }

    func row(_ call: PageCall, _ transfer: InterbankTransfer, names: [String: String]) -> [String: Any] {
        let t = call.text
        var row: [String: Any] = [
            "id": transfer.id.description, "href": "/bank/transfers/\(transfer.id)", "accountID": transfer.eAccountID,
            "statusKey": transfer.status.rawValue, "statusLabel": t["transfer_\(transfer.status.rawValue)"] ?? transfer.status.rawValue,
            "amount": PageFormat.money(transfer.amountFen), "payeeName": transfer.creditor.name,
            "bankName": names[transfer.creditor.bankCode] ?? transfer.creditor.bankCode, "payeeNumber": AccountNumberFormat.masked(transfer.creditor.accountNumber),
            "timing": t["timing_\(transfer.timing.rawValue)"] ?? transfer.timing.rawValue,
            "path": transfer.path.map { t["path_\($0.rawValue)"] ?? $0.rawValue } ?? "—", "memo": transfer.memo,
            "created": PageFormat.shanghai(transfer.createdAt),
        ]
        if transfer.status == .accepted { row["releaseAt"] = PageFormat.shanghai(transfer.releaseAt) }
        if let settled = transfer.settledAt { row["settled"] = PageFormat.shanghai(settled) }
        row["failure"] = TransferText.failure(code: transfer.failureCode, detail: transfer.failureDetail, lang: call.lang)
        return row
    }

    func row(_ call: PageCall, _ movement: Movement, names: [String: String]) -> [String: Any] {
        let status = switch movement.status {
        case .completed: "settled"
        case .pending: "accepted"
        case .failed: "failed"
        }
        var row: [String: Any] = [
            "id": movement.id.description, "statusKey": status, "statusLabel": call.text["transfer_\(status)"] ?? status,
            "amount": PageFormat.money(movement.amountFen), "payeeName": movement.counterpartyName,
            "bankName": names[movement.counterpartyBank] ?? movement.counterpartyBank, "payeeNumber": AccountNumberFormat.masked(movement.counterpartyAccount),
            "timing": call.text["timing_real_time"] ?? "real_time", "created": PageFormat.shanghai(movement.createdAt),
        ]
        if movement.status == .completed, let done = movement.completedAt { row["settled"] = PageFormat.shanghai(done) }
        row["failure"] = TransferText.failure(code: movement.failureCode, detail: movement.failureDetail, lang: call.lang)
        return row
    }

    func history(_ call: PageCall) async throws -> Response {
        let names = try await PortalPages.bankNames(call)
        let transfers = try await call.platform.payments.interbankTransfers(call.signedIn, limit: PortalTransferPages.historySize)
        let rows = transfers.map { transfer -> [String: Any] in
            var row = row(call, transfer, names: names)
            row["accountID"] = nil
            return row
        }
        return call.render("bank-transfers", title: "transfersTitle", ["transfers": rows, "hasTransfers": !rows.isEmpty, "wide": true])
    }

    func payeesPage(_ call: PageCall) async throws -> Response {
        let names = try await PortalPages.bankNames(call)
        let rows = try await call.platform.payments.payees(call.signedIn).map { payee -> [String: Any] in
            ["id": payee.id.description, "name": payee.name, "bankName": names[payee.bankCode] ?? payee.bankCode,
             "number": AccountNumberFormat.masked(payee.accountNumber), "saved": PageFormat.shanghai(payee.createdAt),
             "payHref": PageResponse.path("/bank/transfer", [("payee", payee.id.description)])]
        }
        return call.render("bank-payees", title: "payeesTitle", ["payees": rows, "hasPayees": !rows.isEmpty])
    }
}
