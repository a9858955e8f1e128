/// The Lending module's pages: 逸贷 in the portal, credit on the merchant dashboard, the loan
/// book, dossiers and lines in the console (`PortalLoanPages`, `MerchantCreditPages`,
/// `ConsoleLoanPages`).
extension OpenAPIDocument {
    static var lendingPageOperations: [Operation] {
        let lang = langParameter
        let id = [pathID("id"), lang]
        return [
            // Customer portal
            page("/bank/loans", "逸贷: the pre-approved line (limit, used, available; the reasons when declined), open offers, loans with status and bucket (customers)"),
            page("/bank/loans/offers/{id}", "One 逸贷 offer: choose instalments (3–24) and pricing; the preview shows the whole schedule, total cost and APR above the accept button (customers)",
                 id + [query("term_months", "Instalments to preview: 3, 6, 9, 12, 18 or 24"), query("pricing", "flat_fee, equal_instalment or equal_principal")]),
            form("/bank/loans/offers/{id}/accept", "Accept the offer with the previewed term and pricing; the amount is paid back to the paying account (customers; idempotent on the offer)",
                 [pathID("id")]),
            page("/bank/loans/{id}", "One loan: balances, APR, days past due and bucket, the schedule (paid, due, overdue), history and the repay form (customers)", id),
            form("/bank/loans/{id}/repay/quote", "Repay step 1: what is due, part of the principal early, or everything; answers 200 with the quote to confirm (customers)",
                 [pathID("id")]),
            form("/bank/loans/{id}/repay", "Repay step 2: repay as quoted (customers; hidden Idempotency-Key)", [pathID("id")]),
            // Merchant dashboard
            page("/merchant/credit", "Merchant credit: the merchant 逸贷 line (apply or re-size; the reasons when declined), the 网贷通 contract, balances, draw and repay forms, history (merchants)"),
            form("/merchant/credit/apply", "Size or re-size the merchant 逸贷 line from six months of e-Pay turnover (merchants)"),
            form("/merchant/credit/lines/{id}/sign", "Sign the offered 网贷通 contract (merchants)", [pathID("id")]),
            form("/merchant/credit/lines/{id}/draw", "Draw on a line into the settlement account (merchants; hidden Idempotency-Key)", [pathID("id")]),
            form("/merchant/credit/lines/{id}/repay", "Repay a line from the settlement account, interest first (merchants; hidden Idempotency-Key)", [pathID("id")]),
            // Staff console
            page("/console/loans", "The delinquency report by bucket and the loan book, optionally in one bucket (operators, admins)",
                 [lang, query("bucket", "current, dpd_1_30, dpd_31_60, dpd_61_90 or dpd_90_plus"), query("closed", "1: include paid-off and written-off loans")]),
            page("/console/loans/{id}", "A loan's dossier: customer, the scorecard decision with inputs, points and reasons, schedule, history, the write-off form (operators, admins)", id),
            form("/console/loans/{id}/write-off", "Write a loan more than 90 days past due off, with a reason; audited (operators, admins)", [pathID("id")]),
            page("/console/lines", "Every merchant 逸贷 line and 网贷通 contract with balances, and the form to offer a 网贷通 contract (operators, admins)"),
            form("/console/lines", "Offer a 网贷通 contract: merchant, limit in yuan, annual rate %, validity in months; audited (operators, admins)"),
        ]
    }
}
