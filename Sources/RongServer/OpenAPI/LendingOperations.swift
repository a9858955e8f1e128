import Foundation
import Identity
import Lending

/// Financing: 逸贷 offers, loans and repayments; merchant 逸贷 and 网贷通 lines; the loan book.
extension OpenAPIDocument {
    static var lendingOperations: [Operation] {
        let id = [pathID("id")]
        let key: [String: Any] = ["name": "Idempotency-Key", "in": "header", "required": true, "schema": ["type": "string", "maxLength": 64]]
        let terms = LoanTerms.easyLoanTermsMonths.map(String.init).joined(separator: ", ")
        return [
            Operation(method: "get", path: "/v1/me/credit", summary: "The customer's 逸贷 line: pre-approved limit, used, available, reasons of a decline",
                      tag: "lending", access: .customer, responseSchema: "ConsumerCredit", errors: [401, 403]),
            Operation(method: "get", path: "/v1/me/loan-offers", summary: "逸贷 offers made after purchases of ¥100 or more, newest first",
                      tag: "lending", access: .customer, parameters: [query("limit", "1–200")], responseSchema: "LoanOfferList", errors: [401, 403, 422]),
            Operation(method: "get", path: "/v1/me/loan-offers/{id}", summary: "One offer (someone else's is not found)", tag: "lending", access: .customer,
                      parameters: id, responseSchema: "LoanOffer", errors: [401, 403, 404, 422]),
            Operation(method: "get", path: "/v1/me/loan-offers/{id}/quote",
                      summary: "The full schedule, total cost and APR of taking the offer over term_months (\(terms)) with a pricing",
                      tag: "lending", access: .customer,
                      parameters: id + [query("term_months", terms), query("pricing", "flat_fee (default), equal_instalment, equal_principal")],
                      responseSchema: "LoanQuote", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/me/loan-offers/{id}/accept",
                      summary: "Accept: the loan is booked with its schedule and the amount is paid into the paying account at once (same choice again returns the same loan)",
                      tag: "lending", access: .customer, parameters: id, requestSchema: "AcceptOfferInput", responseSchema: "Loan",
                      errors: [400, 401, 403, 404, 409, 415, 422]),
            Operation(method: "get", path: "/v1/me/loans", summary: "The customer's loans with schedules, balances and days past due",
                      tag: "lending", access: .customer, responseSchema: "LoanList", errors: [401, 403]),
            Operation(method: "get", path: "/v1/me/loans/{id}", summary: "One loan with its schedule and history", tag: "lending", access: .customer,
                      parameters: id, responseSchema: "Loan", errors: [401, 403, 404, 422]),
            Operation(method: "get", path: "/v1/me/loans/{id}/repayment-quote",
                      summary: "What a repayment takes now: penalty, instalments due, then principal_fen (or full=true) ahead of schedule with its accrued interest",
                      tag: "lending", access: .customer, parameters: id + [query("principal_fen", "Principal to prepay, in fen"), query("full", "true to pay off")],
                      responseSchema: "RepaymentQuote", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/me/loans/{id}/repayments",
                      summary: "Repay from the loan's account: what is due first, then principal ahead of schedule (later instalments recomputed; no fee); more than is outstanding is refused",
                      tag: "lending", access: .customer, parameters: id + [key], requestSchema: "RepayInput", responseSchema: "Loan",
                      errors: [400, 401, 403, 404, 409, 415, 422]),
            Operation(method: "get", path: "/v1/merchant/credit-lines", summary: "The merchant's lines: merchant 逸贷 and 网贷通, with balances and history",
                      tag: "lending", access: .merchant, responseSchema: "CreditLineList", errors: [401, 403]),
            Operation(method: "post", path: "/v1/merchant/credit-lines/easy-loan",
                      summary: "Apply for (or re-size) merchant 逸贷: 50% of average monthly net e-Pay turnover over 6 months, ¥10,000 to ¥1,000,000",
                      tag: "lending", access: .merchant, responseSchema: "CreditLine", errors: [401, 403, 422]),
            Operation(method: "post", path: "/v1/merchant/credit-lines/{id}/sign", summary: "Sign the 网贷通 contract an operator offered (once)",
                      tag: "lending", access: .merchant, parameters: id, responseSchema: "CreditLine", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/merchant/credit-lines/{id}/draws",
                      summary: "Draw into the settlement account in real time (within the available limit and validity; refused while interest is in arrears)",
                      tag: "lending", access: .merchant, parameters: id + [key], requestSchema: "AmountInput", responseSchema: "CreditLine",
                      errors: [400, 401, 403, 404, 409, 415, 422]),
            Operation(method: "post", path: "/v1/merchant/credit-lines/{id}/repayments",
                      summary: "Repay from the settlement account: interest and penalty first, then principal; more than is owed is refused",
                      tag: "lending", access: .merchant, parameters: id + [key], requestSchema: "AmountInput", responseSchema: "CreditLine",
                      errors: [400, 401, 403, 404, 409, 415, 422]),
            Operation(method: "get", path: "/v1/staff/lending/loans", summary: "The loan book: active loans with outstanding, overdue and days past due",
                      tag: "staff", access: .operators,
                      parameters: [query("bucket", DelinquencyBucket.allCases.map(\.rawValue).joined(separator: ", ")), query("limit", "1–200")],
                      responseSchema: "LoanBook", errors: [401, 403, 422]),
            Operation(method: "get", path: "/v1/staff/lending/delinquency", summary: "Delinquency by bucket (current, 1–30, 31–60, 61–90, 90+ days past due)",
                      tag: "staff", access: .operators, responseSchema: "DelinquencyReport", errors: [401, 403]),
            Operation(method: "get", path: "/v1/staff/lending/loans/{id}", summary: "A loan with its customer and the scorecard decision (inputs, points, reasons)",
                      tag: "staff", access: .operators, parameters: id, responseSchema: "LoanDossier", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/staff/lending/loans/{id}/write-off",
                      summary: "Write a loan 90+ days past due off, with a reason (principal and receivables to the write-off loss account; audited)",
                      tag: "staff", access: .operators, parameters: id, requestSchema: "WriteOffInput", responseSchema: "Loan",
                      errors: [400, 401, 403, 404, 415, 422]),
            Operation(method: "get", path: "/v1/staff/lending/decisions", summary: "Credit decisions about a customer or merchant, newest first",
                      tag: "staff", access: .operators, parameters: [query("subject", "customer:<id> or merchant:<id>")],
                      responseSchema: "DecisionList", errors: [401, 403, 422]),
            Operation(method: "get", path: "/v1/staff/lending/lines", summary: "Every merchant 逸贷 and 网贷通 line", tag: "staff", access: .operators,
                      responseSchema: "CreditLineList", errors: [401, 403]),
            Operation(method: "post", path: "/v1/staff/lending/lines",
                      summary: "Offer a 网贷通 contract to a merchant: limit ¥10,000–¥30,000,000, rate, validity up to 24 months (audited)",
                      tag: "staff", access: .operators, requestSchema: "ContractInput", responseSchema: "CreditLine",
                      errors: [400, 401, 403, 404, 409, 415, 422]),
        ]
    }

    static var lendingSchemas: [String: Any] {
        let date: [String: Any] = ["type": "string", "format": "date"]
        let time: [String: Any] = ["type": "string", "format": "date-time"]
        let percent: [String: Any] = ["type": "string", "description": "Percentage, e.g. \"9.38\""]
        let buckets = DelinquencyBucket.allCases.map(\.rawValue)
        let line = object(["period": ["type": "integer"], "due_date": date, "principal_fen": int64, "interest_fen": int64, "fee_fen": int64,
                           "amount_fen": int64, "amount_formatted": string, "paid_fen": ["type": ["integer", "null"]],
                           "status": ["enum": ["paid", "overdue", "due", "scheduled", NSNull()]]])
        let event = object(["kind": string, "on_date": date, "principal_fen": int64, "interest_fen": int64, "fee_fen": int64, "penalty_fen": int64,
                            "total_formatted": string, "detail": string])
        let loan = object(["object": ["const": "loan"], "id": uuid, "status": ["enum": ["disbursing", "active", "paid_off", "written_off"]],
                           "offer_id": uuid, "account_id": uuid, "pricing": ["enum": PricingChoice.allCases.map(\.rawValue)], "principal_fen": int64,
                           "term_months": ["type": "integer"], "start_date": date, "outstanding_principal_fen": int64, "outstanding_formatted": string,
                           "receivable_fen": int64, "overdue_fen": int64, "days_past_due": ["type": "integer"], "bucket": ["enum": buckets],
                           "total_interest_fen": int64, "total_fee_fen": int64, "apr_percent": percent,
                           "closed_on": ["type": ["string", "null"], "format": "date"], "write_off_reason": ["type": ["string", "null"]],
                           "instalments": ["type": "array", "items": line], "events": ["type": "array", "items": event]])
        let decision = object(["object": ["const": "credit_decision"], "id": uuid, "subject": string, "product": ["enum": ["easy_loan", "merchant_line"]],
                               "approved": ["type": "boolean"], "limit_fen": int64, "limit_formatted": string, "score": ["type": "integer"],
                               "points": ["type": "object", "additionalProperties": ["type": "integer"]],
                               "reasons": ["type": "array", "items": ["type": "string"]],
                               "inputs": ["type": "object", "additionalProperties": ["type": "string"]], "decided_at": time])
        let creditLine = object(["object": ["const": "credit_line"], "id": uuid, "kind": ["enum": ["merchant", "revolving"]], "merchant_id": uuid,
                                 "status": ["enum": ["offered", "active", "closed"]], "limit_fen": int64, "drawn_fen": int64, "available_fen": int64,
                                 "available_formatted": string, "interest_owed_fen": int64, "arrears_fen": int64, "annual_rate_percent": percent,
                                 "penalty_rate_percent": percent, "valid_from": date, "valid_until": date, "events": ["type": "array", "items": event]])
        let offer = object(["object": ["const": "loan_offer"], "id": uuid, "status": ["enum": ["offered", "accepted", "expired"]], "merchant_name": string,
                            "purchase_fen": int64, "amount_fen": int64, "amount_formatted": string, "account_id": uuid, "expires_at": time,
                            "created_at": time, "loan_id": ["type": ["string", "null"], "format": "uuid"],
                            "terms_months": ["type": "array", "items": ["enum": LoanTerms.easyLoanTermsMonths]],
                            "pricing": ["type": "array", "items": ["enum": PricingChoice.allCases.map(\.rawValue)]]])
        let fen: [String: Any] = ["type": "integer", "format": "int64", "minimum": 1]
        return [
            "ConsumerCredit": object(["object": ["const": "consumer_credit"], "approved": ["type": "boolean"], "limit_fen": int64, "used_fen": int64,
                                      "available_fen": int64, "available_formatted": string, "overdue": ["type": "boolean"],
                                      "reasons": ["type": "array", "items": ["type": "string"]]]),
            "LoanOffer": offer,
            "LoanOfferList": list("LoanOffer"),
            "LoanQuote": object(["object": ["const": "loan_quote"], "principal_fen": int64, "term_months": ["type": "integer"],
                                 "pricing": ["enum": PricingChoice.allCases.map(\.rawValue)], "quoted_rate_percent": percent,
                                 "total_cost_fen": int64, "total_cost_formatted": string, "total_repaid_fen": int64,
                                 "apr_percent": ["type": "string", "description": "Effective annual rate of the instalments (IRR compounded monthly)"],
                                 "apr_nominal_percent": ["type": "string", "description": "Monthly IRR × 12"],
                                 "schedule": ["type": "array", "items": line]]),
            "AcceptOfferInput": object(["term_months": ["enum": LoanTerms.easyLoanTermsMonths], "pricing": ["enum": PricingChoice.allCases.map(\.rawValue)]],
                                       required: ["term_months", "pricing"]),
            "Loan": loan,
            "LoanList": list("Loan"),
            "RepayInput": object(["principal_fen": ["type": ["integer", "null"], "format": "int64", "minimum": 0], "full": ["type": "boolean"]]),
            "RepaymentQuote": object(["object": ["const": "repayment_quote"], "penalty_fen": int64, "billed_interest_fen": int64, "billed_fee_fen": int64,
                                      "billed_principal_fen": int64, "prepaid_principal_fen": int64, "prepaid_interest_fen": int64,
                                      "total_fen": int64, "total_formatted": string, "principal_after_fen": int64]),
            "CreditLine": creditLine,
            "CreditLineList": list("CreditLine"),
            "AmountInput": object(["amount_fen": fen], required: ["amount_fen"]),
            "LoanBookEntry": object(["loan_id": uuid, "customer_name": string, "status": string, "principal_fen": int64,
                                     "outstanding_principal_fen": int64, "overdue_fen": int64, "days_past_due": ["type": "integer"], "bucket": ["enum": buckets]]),
            "LoanBook": list("LoanBookEntry"),
            "DelinquencyReport": object(["object": ["const": "delinquency_report"], "date": date,
                                         "rows": ["type": "array", "items": object(["bucket": ["enum": buckets], "loans": ["type": "integer"],
                                                                                    "outstanding_principal_fen": int64, "overdue_fen": int64])],
                                         "total_loans": ["type": "integer"], "total_outstanding_fen": int64]),
            "CreditDecision": decision,
            "DecisionList": list("CreditDecision"),
            "LoanDossier": object(["object": ["const": "loan_dossier"], "loan": ref("Loan"), "customer_id": uuid, "customer_name": string,
                                   "decision": ["oneOf": [ref("CreditDecision"), ["type": "null"]]]]),
            "WriteOffInput": object(["reason": ["type": "string", "minLength": 4, "maxLength": 200]], required: ["reason"]),
            "ContractInput": object(["merchant_id": uuid, "limit_fen": ["type": "integer", "format": "int64", "minimum": LendingProducts.revolvingLimitMinFen,
                                                                         "maximum": LendingProducts.revolvingLimitMaxFen],
                                     "annual_rate_percent": percent, "valid_months": ["type": "integer", "minimum": 1, "maximum": LendingProducts.revolvingValidMonthsMax]],
                                    required: ["merchant_id", "limit_fen", "valid_months"]),
        ]
    }
}
