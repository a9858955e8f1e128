import Foundation
import Identity
import Wealth

/// Deposits and wealth: the rate table, time and 节节高 deposits, demand interest, the 聚财宝 sweep.
extension OpenAPIDocument {
    static var wealthOperations: [Operation] {
        let id = [pathID("id")]
        let key: [String: Any] = ["name": "Idempotency-Key", "in": "header", "required": true, "schema": ["type": "string", "maxLength": 64]]
        return [
            Operation(method: "get", path: "/v1/wealth/rates", summary: "Deposit rates in force on a date (default today; seeded with the PBoC table of 2015-10-24)",
                      tag: "wealth", parameters: [query("date", "YYYY-MM-DD")], responseSchema: "RateList", errors: [422]),
            Operation(method: "get", path: "/v1/me/deposits", summary: "The customer's time and 节节高 deposits with what withdrawing today would pay",
                      tag: "wealth", access: .customer, responseSchema: "DepositList", errors: [401, 403]),
            Operation(method: "post", path: "/v1/me/deposits",
                      summary: "Open a time deposit (3/6/12/24/36/60 months, renew or return at maturity) or a 节节高 deposit from a Class I or II account",
                      tag: "wealth", access: .customer, parameters: [key], requestSchema: "DepositInput", responseSchema: "Deposit",
                      errors: [400, 401, 403, 404, 409, 415, 422]),
            Operation(method: "get", path: "/v1/me/deposits/{id}", summary: "A deposit with its history", tag: "wealth", access: .customer,
                      parameters: id, responseSchema: "Deposit", errors: [401, 403, 404, 422]),
            Operation(method: "get", path: "/v1/me/deposits/{id}/quote", summary: "What withdrawing (all, or amount_fen) today would pay, without withdrawing",
                      tag: "wealth", access: .customer, parameters: id + [query("amount_fen", "Part to withdraw, in fen; all when omitted")],
                      responseSchema: "DepositQuote", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/me/deposits/{id}/withdrawals",
                      summary: "Withdraw all or part (one partial early withdrawal per time deposit, at the demand rate of the day); principal and interest to the source account",
                      tag: "wealth", access: .customer, parameters: id + [key], requestSchema: "WithdrawalInput", responseSchema: "DepositQuote",
                      errors: [400, 401, 403, 404, 415, 422]),
            Operation(method: "get", path: "/v1/me/accounts/{id}/demand-interest", summary: "Demand interest accrued and unpaid (micro-fen) and the next settlement date",
                      tag: "wealth", access: .customer, parameters: id, responseSchema: "DemandInterest", errors: [401, 403, 404, 422]),
            Operation(method: "get", path: "/v1/me/sweeps", summary: "The customer's 聚财宝 sweeps with their fund holdings", tag: "wealth", access: .customer,
                      responseSchema: "SweepList", errors: [401, 403]),
            Operation(method: "post", path: "/v1/me/accounts/{id}/sweep", summary: "Turn on or change the sweep: the balance above the threshold moves into the money-market fund each evening",
                      tag: "wealth", access: .customer, parameters: id, requestSchema: "SweepInput", responseSchema: "Sweep", errors: [400, 401, 403, 404, 415, 422]),
            Operation(method: "post", path: "/v1/me/accounts/{id}/sweep/stop", summary: "Turn the sweep off and bring the whole holding back",
                      tag: "wealth", access: .customer, parameters: id, responseSchema: "Sweep", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/me/accounts/{id}/sweep/redemptions", summary: "Redeem from the fund into the account now (within the daily instant-redemption limit)",
                      tag: "wealth", access: .customer, parameters: id + [key], requestSchema: "RedemptionInput", responseSchema: "Sweep",
                      errors: [400, 401, 403, 404, 409, 415, 422]),
            Operation(method: "get", path: "/v1/staff/wealth/rates", summary: "Rate history, newest first, including rates published for future dates",
                      tag: "staff", access: .staff, parameters: [query("product", "demand, time_3m … time_5y, notice_1d, notice_7d, sweep_fund")],
                      responseSchema: "RateList", errors: [401, 403, 422]),
            Operation(method: "post", path: "/v1/staff/wealth/rates", summary: "Publish a rate from a future date (audited; history kept)",
                      tag: "staff", access: .operators, requestSchema: "RateInput", responseSchema: "Rate", errors: [400, 401, 403, 415, 422]),
            Operation(method: "get", path: "/v1/staff/wealth/tiers", summary: "The 节节高 tier ladder new deposits lock", tag: "staff", access: .staff,
                      responseSchema: "TierList", errors: [401, 403]),
            Operation(method: "post", path: "/v1/staff/wealth/tiers", summary: "Set the 节节高 tier ladder (open deposits keep theirs; audited)",
                      tag: "staff", access: .operators, requestSchema: "TiersInput", responseSchema: "TierList", errors: [400, 401, 403, 415, 422]),
        ]
    }

    static var wealthSchemas: [String: Any] {
        let date: [String: Any] = ["type": "string", "format": "date"]
        let percent: [String: Any] = ["type": "string", "pattern": "^[0-9]{1,2}(\\.[0-9]{1,4})?$", "description": "Annual percentage, e.g. \"1.50\""]
        let fen: [String: Any] = ["type": "integer", "format": "int64", "minimum": 1]
        let products = RateProduct.allCases.map(\.rawValue)
        let quote = object(["object": ["const": "deposit_quote"], "principal_fen": int64, "interest_fen": int64, "total_fen": int64, "total_formatted": string,
                            "interest_formatted": string, "days_held": ["type": "integer"], "rate_percent": string,
                            "basis": ["type": "string", "description": "demand, term, term+overdue or tier:<product>"], "detail": string])
        let tier = object(["from_days": ["type": "integer", "minimum": 0, "maximum": 3650], "product": ["enum": products],
                           "rate_percent": ["type": ["string", "null"]]], required: ["from_days", "product"])
        return [
            "Rate": object(["object": ["const": "rate"], "product": ["enum": products], "product_name": string, "rate_percent": string,
                            "rate_micros": int64, "effective_from": date, "published_by": string]),
            "RateList": list("Rate"),
            "RateInput": object(["product": ["enum": products], "rate_percent": percent, "effective_from": date],
                                required: ["product", "rate_percent", "effective_from"]),
            "DepositInput": object(["kind": ["enum": ["time", "tiered"]], "source_account_id": uuid,
                                    "amount_fen": ["type": "integer", "format": "int64", "minimum": WealthService.depositMinimumFen, "maximum": WealthService.depositMaximumFen],
                                    "term_months": ["enum": WealthService.depositTermsMonths], "on_maturity": ["enum": ["renew", "return"]]],
                                   required: ["kind", "source_account_id", "amount_fen"]),
            "DepositQuote": quote,
            "Tier": tier,
            "TierList": list("Tier"),
            "TiersInput": object(["tiers": ["type": "array", "minItems": 1, "maxItems": 10, "items": ref("Tier")]], required: ["tiers"]),
            "Deposit": object(["object": ["const": "deposit"], "id": uuid, "kind": ["enum": ["time", "tiered"]], "source_account_id": uuid,
                               "currency": ["const": "CNY"], "principal_fen": int64, "principal_formatted": string, "opening_principal_fen": int64,
                               "term_months": ["type": ["integer", "null"]], "rate_percent": ["type": ["string", "null"]],
                               "tiers": ["type": ["array", "null"], "items": ref("Tier")], "opened_on": date, "term_start": date,
                               "matures_on": ["type": ["string", "null"], "format": "date"], "on_maturity": ["enum": ["renew", "return"]],
                               "partial_withdrawn": ["type": "boolean"], "status": ["enum": ["open", "closed"]],
                               "closed_on": ["type": ["string", "null"], "format": "date"], "if_withdrawn_today": ref("DepositQuote"),
                               "interest_at_maturity_fen": ["type": ["integer", "null"]],
                               "events": ["type": "array", "items": object(["kind": ["enum": ["open", "partial", "withdraw", "mature", "renew"]], "on_date": date,
                                                                            "principal_fen": int64, "interest_fen": int64, "rate_percent": string,
                                                                            "days": ["type": "integer"], "detail": string])]]),
            "DepositList": list("Deposit"),
            "WithdrawalInput": object(["amount_fen": ["type": ["integer", "null"], "format": "int64", "minimum": 1, "description": "Omit to withdraw it all"]]),
            "DemandInterest": object(["object": ["const": "demand_interest"], "account_id": uuid, "accrued_micros": ["type": "integer", "description": "1e-6 fen"],
                                      "accrued_fen": int64, "accrued_formatted": string, "accrued_through": ["type": ["string", "null"], "format": "date"],
                                      "rate_percent": string, "next_settlement_date": date]),
            "SweepInput": object(["threshold_fen": ["type": "integer", "format": "int64", "minimum": 0, "maximum": WealthService.sweepThresholdMaxFen],
                                  "daily_redeem_max_fen": ["type": "integer", "format": "int64", "minimum": 0, "maximum": WealthService.sweepDailyRedeemDefaultFen]],
                                 required: ["threshold_fen"]),
            "RedemptionInput": object(["amount_fen": fen], required: ["amount_fen"]),
            "Sweep": object(["object": ["const": "sweep"], "account_id": uuid, "active": ["type": "boolean"], "threshold_fen": int64, "threshold_formatted": string,
                             "daily_redeem_max_fen": int64, "fund_balance_fen": int64, "fund_balance_formatted": string, "redeemed_today_fen": int64,
                             "yield_percent": string]),
            "SweepList": list("Sweep"),
        ]
    }
}
