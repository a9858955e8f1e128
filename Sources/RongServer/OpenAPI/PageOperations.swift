/// The server-rendered pages (customer portal `/bank`, staff console `/console`, development `/dev`).
///
/// Pages sign in with the `rong_at`/`rong_rt` cookies, not a bearer token, and answer a caller
/// who may not see them with a 303 to the sign-in page, so they carry no `access` (the
/// authorization matrix covers the API); the audience is in each summary. Forms post
/// `application/x-www-form-urlencoded` and answer 303 (redirect after post) or the form again
/// with the error (422).
extension OpenAPIDocument {
    static var pageOperations: [Operation] {
        let lang = query("lang", "Page language: omit for Chinese (or the `rong_lang` cookie), `en` for English, `zh` for Chinese")
        let id = [pathID("id"), lang]
        func page(_ path: String, _ summary: String, _ parameters: [[String: Any]] = [lang]) -> Operation {
            Operation(method: "get", path: path, summary: summary, tag: "pages", parameters: parameters, responseType: "text/html")
        }
        func form(_ path: String, _ summary: String, _ parameters: [[String: Any]] = []) -> Operation {
            Operation(method: "post", path: path, summary: summary + " (form post; 303 on success)", tag: "pages", parameters: parameters,
                      responseType: "text/html", errors: [413, 415])
        }
        return [
            // Customer portal
            page("/bank/sign-in", "Portal sign-in page"),
            form("/bank/sign-in", "Portal sign-in: mobile + password; sets the session cookies"),
            form("/bank/sign-out", "Portal sign-out: ends the session, clears the cookies"),
            page("/bank/register", "Registration: step 1 (mobile), or step 2 (code, name, ID number, password, terms) with `mobile` and `challenge`",
                 [lang, query("mobile", "Mobile the code was sent to"), query("challenge", "Registration code challenge id")]),
            form("/bank/register/code", "Registration step 1: send the SMS code"),
            form("/bank/register", "Registration step 2: register and sign in"),
            page("/bank", "Customer overview: e-accounts with balances, bound cards (customers)"),
            page("/bank/bind", "Bind a card: choose bank and number, then the SMS code (customers)",
                 [lang, query("bank_code", "Bank of the card"), query("account_number", "Card number"), query("challenge", "Bind code challenge id")]),
            form("/bank/bind/code", "Send the bind code (customers)"),
            form("/bank/bind", "Bind the card with the code (customers)"),
            page("/bank/open", "Open a Class II or III e-account on a bound card (customers)"),
            form("/bank/open", "Open the e-account (customers)"),
            page("/bank/accounts/{id}", "One e-account: balance, limits, fund and withdraw forms, statement (customers)",
                 id + [query("after", "Statement cursor from the previous page")]),
            form("/bank/accounts/{id}/fund", "Fund from the bound card; carries a hidden Idempotency-Key (customers)", [pathID("id")]),
            form("/bank/accounts/{id}/withdraw", "Withdraw to the bound card; carries a hidden Idempotency-Key (customers)", [pathID("id")]),
            page("/bank/password", "Change the password: step-up code, then old and new password (customers)",
                 [lang, query("challenge", "Step-up challenge id")]),
            form("/bank/password/code", "Send the password-change code (customers)"),
            form("/bank/password", "Change the password (customers)"),
            // Staff console
            page("/console/sign-in", "Console sign-in page (staff)"),
            form("/console/sign-in", "Console sign-in: any staff role; sets the session cookies"),
            form("/console/sign-out", "Console sign-out"),
            page("/console", "Customer search by name, mobile, ID or account number (staff)", [lang, query("q", "Search text, 1–40 characters")]),
            page("/console/customers/{id}", "A customer: masked profile, accounts, bound cards, freezes; freeze forms for operators and admins (staff)", id),
            form("/console/accounts/{id}/freeze", "Freeze an account: kind judicial|fraud and a reason (operators, admins)", [pathID("id")]),
            form("/console/accounts/{id}/unfreeze", "Release an account's freeze with a reason (operators, admins)", [pathID("id")]),
            page("/console/audit", "The audit log, newest first (admins)", [lang, query("before", "Show events with a smaller sequence number")]),
            // Development only (`rong serve --demo`)
            page("/dev/sms", "Development only: the 50 most recent text messages, codes included (registered only with dev pages on)"),
        ]
    }
}
