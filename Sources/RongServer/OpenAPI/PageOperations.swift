/// The server-rendered pages (customer portal `/bank`, staff console `/console`, merchant
/// dashboard `/merchant`, hosted pay page `/pay`, development `/dev`).
///
/// Pages sign in with the `rong_at`/`rong_rt` cookies, not a bearer token, and answer a caller
/// who may not see them with a 303 to the sign-in page, so they carry no `access` (the
/// authorization matrix covers the API); the audience is in each summary. Forms post
/// `application/x-www-form-urlencoded` and answer 303 (redirect after post) or the form again
/// with the error (422).
extension OpenAPIDocument {
    static var langParameter: [String: Any] {
        query("lang", "Page language: omit for Chinese (or the `rong_lang` cookie), `en` for English, `zh` for Chinese")
    }

    /// A server-rendered page (GET, text/html).
    static func page(_ path: String, _ summary: String, _ parameters: [[String: Any]] = [langParameter]) -> Operation {
        Operation(method: "get", path: path, summary: summary, tag: "pages", parameters: parameters, responseType: "text/html")
    }

    /// A form post answering 303 on success or the form again with the error.
    static func form(_ path: String, _ summary: String, _ parameters: [[String: Any]] = []) -> Operation {
        Operation(method: "post", path: path, summary: summary + " (form post; 303 on success)", tag: "pages", parameters: parameters,
                  responseType: "text/html", errors: [413, 415])
    }

    static var pageOperations: [Operation] {
        let lang = langParameter
        let id = [pathID("id"), lang]
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
            form("/bank/accounts/{id}/close", "Close an e-account: interest to the day before, balance to the bound account (customers; hidden Idempotency-Key)", [pathID("id")]),
            page("/bank/limits", "e-Pay limits: current limits, then new values and the SMS code (customers)",
                 [lang, query("per_transaction", "New per-payment limit in yuan"), query("per_day", "New daily limit in yuan"),
                  query("challenge", "Limit-change code challenge id")]),
            form("/bank/limits/code", "Send the limit-change code bound to the new values (customers)"),
            form("/bank/limits", "Change the e-Pay limits with the code (customers)"),
            page("/bank/deposits", "Deposits: posted rates, time and 节节高 deposits with today's interest, the deposit form, demand interest accrued, the 聚财宝 sweep (customers)"),
            form("/bank/deposits", "Open a time or 节节高 deposit (customers; hidden Idempotency-Key)"),
            page("/bank/deposits/{id}", "One deposit: terms, \"if you withdraw today\", the withdrawal form, history (customers)", id),
            form("/bank/deposits/{id}/withdraw", "Withdraw all or part of a deposit (customers; hidden Idempotency-Key)", [pathID("id")]),
            form("/bank/sweeps/{id}", "Turn on or change the 聚财宝 sweep of an account (customers)", [pathID("id")]),
            form("/bank/sweeps/{id}/stop", "Turn the sweep off and redeem the holding (customers)", [pathID("id")]),
            page("/bank/transfer", "Transfer form: paying account, saved or new payee (bank list includes this bank), amount in yuan, memo, timing (customers)",
                 [lang, query("payee", "Saved payee id to preselect"), query("account", "Paying account id to preselect")]),
            form("/bank/transfer", "Transfer: to another bank or within this bank; a new payee answers 200 with the SMS-code step (fields kept hidden, same Idempotency-Key), the code step posts here again; 303 to the result (customers)"),
            page("/bank/transfers", "Transfers to other banks newest first: status, timing, clearing path (customers)"),
            page("/bank/transfers/{id}", "One transfer's result: status (accepted, sent, credited, returned, rejected) with the reason, amount, masked payee (customers)", id),
            page("/bank/payees", "Saved payees at other banks, each with a link to pay them (customers)"),
            // Staff console
            page("/console/sign-in", "Console sign-in page (staff)"),
            form("/console/sign-in", "Console sign-in: any staff role; sets the session cookies"),
            form("/console/sign-out", "Console sign-out"),
            page("/console", "Customer search by name, mobile, ID or account number (staff)", [lang, query("q", "Search text, 1–40 characters")]),
            page("/console/customers/{id}", "A customer: masked profile, accounts, bound cards, freezes; freeze forms for operators and admins (staff)", id),
            form("/console/accounts/{id}/freeze", "Freeze an account: kind judicial|fraud and a reason (operators, admins)", [pathID("id")]),
            form("/console/accounts/{id}/unfreeze", "Release an account's freeze with a reason (operators, admins)", [pathID("id")]),
            page("/console/audit", "The audit log, newest first (admins)", [lang, query("before", "Show events with a smaller sequence number")]),
            page("/console/merchants", "Merchants, newest first; the onboarding form for operators and admins (staff)"),
            form("/console/merchants", "Onboard a merchant with a dashboard contact; answers 200 with the API key and signing secret shown once, not 303 (operators, admins)"),
            page("/console/clearing", "Every customer's transfers to other banks, newest first, optionally in one status (operators, admins)",
                 [lang, query("status", "accepted, sent, settled, rejected, returned or failed")]),
            page("/console/reconciliation", "Reconciliation: a date's breaks with resolve forms, and every open break (operators, admins)",
                 [lang, query("date", "Business date YYYY-MM-DD; default yesterday in Asia/Shanghai"), query("matched", "Lines matched by the run just made")]),
            form("/console/reconciliation/runs", "Run the reconciliation of `date` against the clearing house's file (operators, admins)"),
            form("/console/reconciliation/breaks/{id}/resolve", "Resolve an open break with a resolution text, audited (operators, admins)", [pathID("id")]),
            // e-Link
            page("/bank/elink", "e-Link chat: the customer's conversations and, with `c`, the live chat (a small WebSocket client that also sends images and voice notes uploaded to /v1/elink/blobs) (customers)",
                 [lang, query("c", "The conversation to open")]),
            form("/bank/elink/service", "Open a customer-service chat and go to it (customers)"),
            page("/bank/elink/official", "Official accounts with follow/unfollow and recent articles (customers)"),
            form("/bank/elink/official/{id}/follow", "Follow an official account (customers)", id),
            form("/bank/elink/official/{id}/unfollow", "Unfollow an official account (customers)", id),
            page("/bank/elink/articles/{id}", "An official account's article (customers)", id),
            page("/console/elink/chat/{id}", "Staff chat: the member's conversations and the live chat (account managers, service agents)", id),
            form("/console/elink/chat/{id}/close", "Close the service chat (its agent)", id),
            page("/console/elink/customers", "The account manager's customers with links to chat and summary (account managers)"),
            page("/console/elink/customers/{id}", "A customer's read-only account summary and the product-card form (their account manager)", id),
            form("/console/elink/customers/{id}/cards", "Push a product card to the customer (their account manager)", id),
            page("/console/elink/queue", "The customer-service queue and the agent's chats (service agents, admins)"),
            form("/console/elink/queue/claim", "Claim the oldest waiting chat and open it (service agents)"),
            form("/console/elink/queue/{id}/claim", "Claim this waiting chat and open it (service agents)", id),
            form("/console/elink/queue/{id}/transfer", "Hand this active chat to the other service agent chosen in `agent_id` (its agent)", id),
            page("/console/elink/official", "Official accounts and the form to open one (operators, admins)"),
            form("/console/elink/official", "Open an official account: name, kind, branch code (empty: head office), description, auto-follow (operators, admins)"),
            page("/console/elink/official/{id}", "One official account: the article and broadcast forms and its recent articles (operators, admins)", id),
            form("/console/elink/official/{id}/articles", "Publish an article; followers get it as a card (operators, admins; the body may be up to 256 KiB of form)", id),
            form("/console/elink/official/{id}/broadcasts", "Broadcast a text to the followers; a hidden client_id made with the page sends a resent form once (operators, admins)", id),
            page("/console/rates", "Rates in force, history with future rates, the 节节高 ladder; the publish form for operators and admins (staff)"),
            form("/console/rates", "Publish a rate from a future date, audited (operators, admins)"),
            // Merchant dashboard
            form("/merchant/signing-secret", "Rotate the webhook signing secret; answers 200 with the new secret shown once, not 303 (merchants)"),
            page("/merchant/sign-in", "Merchant dashboard sign-in page"),
            form("/merchant/sign-in", "Merchant sign-in: contact mobile + password (realm merchant); sets the session cookies"),
            form("/merchant/sign-out", "Merchant sign-out"),
            page("/merchant", "Orders newest first, settlement balance, and a form to create a test order (merchants)"),
            form("/merchant/orders", "Create an order: order number (idempotency key, pre-filled), amount in yuan, description (merchants)"),
            page("/merchant/orders/{id}", "One order: pay link, refunds, refund form with a pre-filled refund number (merchants)", id),
            form("/merchant/orders/{id}/refunds", "Refund: refund number (idempotency key), amount in yuan, reason (merchants)", [pathID("id")]),
            form("/merchant/orders/{id}/close", "Close an unpaid order (merchants)", [pathID("id")]),
            page("/merchant/webhooks", "Webhook deliveries newest first: status, attempts, last response, replay (merchants)",
                 [lang, query("before", "Webhook id from the previous page")]),
            page("/merchant/webhooks/{id}", "One webhook: payload and every attempt (merchants)", id),
            form("/merchant/webhooks/{id}/replay", "Send a delivered or failed webhook again (merchants)", [pathID("id")]),
            // Hosted pay page (public: the SMS code authenticates the payer)
            page("/pay/{id}", "Hosted pay page: order summary and time left; step 1, step 2 (with `challenge`), or the result",
                 id + [query("challenge", "Payment code challenge id"), query("to", "Masked mobile the code was sent to")]),
            form("/pay/{id}/code", "Pay step 1: reserved mobile + last 6 digits of the account; sends the payment code", [pathID("id")]),
            form("/pay/{id}/confirm", "Pay step 2: the code; pays and shows the result", [pathID("id")]),
            // Development only (`rong serve --demo`)
            page("/dev/sms", "Development only: the 50 most recent text messages, codes included (registered only with dev pages on)"),
        ]
    }
}
