import Wealth

/// Operations of wealth products: the customer's catalogue, orders, holdings and risk profile
/// (`/v1/wealth`), the operators' products and NAVs (`/v1/staff/wealth`), and their pages.
extension OpenAPIDocument {
    static var wealthProductOperations: [Operation] {
        let id = [pathID("id")]
        let idempotency: [String: Any] = ["name": "Idempotency-Key", "in": "header", "required": true,
                                          "description": "1–64 printable characters; the same key and body return the same order, another body answers 409",
                                          "schema": ["type": "string", "maxLength": 64]]
        let lang = langParameter
        return [
            // The customer's side
            Operation(method: "get", path: "/v1/wealth/products", summary: "The catalogue: products with risk rating R1–R5, latest NAV, quota left and whether the customer's risk profile allows each",
                      tag: "wealth", access: .customer, responseSchema: "WealthProductList", errors: [401, 403, 404]),
            Operation(method: "get", path: "/v1/wealth/products/{id}", summary: "One product: NAV history (newest first), suitability, the trade and confirmation dates of an order placed now, the customer's holding",
                      tag: "wealth", access: .customer, parameters: id, responseSchema: "WealthProductDetail", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/wealth/products/{id}/subscriptions",
                      summary: "Buy: amount held on a Class I/II account, confirmed at the NAV of the next business day after the trade date (15:00 Asia/Shanghai cut-off); periodic products inside their window, units at ¥1 from the value date. Refusals: suitability_mismatch, risk_profile_required, risk_profile_expired, outside_subscription_window, quota_exceeded, below_minimum, product_not_on_sale, insufficient_funds",
                      tag: "wealth", access: .customer, parameters: id + [idempotency], requestSchema: "WealthSubscriptionInput", responseSchema: "WealthOrder",
                      errors: moneyErrors),
            Operation(method: "post", path: "/v1/wealth/products/{id}/redemptions",
                      summary: "Redeem units of a NAV product into a Class I/II account at the NAV of the confirmation day (insufficient_units, product_not_redeemable for periodic products)",
                      tag: "wealth", access: .customer, parameters: id + [idempotency], requestSchema: "WealthRedemptionInput", responseSchema: "WealthOrder",
                      errors: moneyErrors),
            Operation(method: "get", path: "/v1/wealth/orders", summary: "The customer's subscriptions and redemptions, newest first", tag: "wealth",
                      access: .customer, parameters: [query("limit", "1–200, default 50")], responseSchema: "WealthOrderList", errors: [401, 403, 404, 422]),
            Operation(method: "get", path: "/v1/wealth/orders/{id}", summary: "One order with its status, NAV, units and amounts", tag: "wealth",
                      access: .customer, parameters: id, responseSchema: "WealthOrder", errors: [401, 403, 404, 422]),
            Operation(method: "get", path: "/v1/wealth/holdings", summary: "Holdings: units, market value at the latest NAV, cost, income; subscriptions waiting for confirmation",
                      tag: "wealth", access: .customer, responseSchema: "WealthHoldingList", errors: [401, 403, 404]),
            Operation(method: "get", path: "/v1/wealth/risk-profile", summary: "The customer's latest risk profile C1–C5 (404 risk_profile_required when none)",
                      tag: "wealth", access: .customer, responseSchema: "RiskProfile", errors: [401, 403, 404]),
            Operation(method: "post", path: "/v1/wealth/risk-profile", summary: "Answer the questionnaire (one option code per question, in order): a profile valid one year; at most 3 a day",
                      tag: "wealth", access: .customer, requestSchema: "RiskProfileInput", responseSchema: "RiskProfile", errors: [400, 401, 403, 404, 415, 422]),
            Operation(method: "get", path: "/v1/wealth/risk-profile/questionnaire", summary: "The risk-profile questionnaire: questions, options with their scores, score bands",
                      tag: "wealth", access: .customer, responseSchema: "RiskQuestionnaire", errors: [401, 403]),
            // The operators' side
            Operation(method: "get", path: "/v1/staff/wealth/products", summary: "Every product with quota sold and latest NAV", tag: "staff",
                      access: .staff, responseSchema: "WealthProductList", errors: [401, 403]),
            Operation(method: "post", path: "/v1/staff/wealth/products", summary: "Create a NAV or periodic product (its units asset WP_<code> and ledger accounts with it)",
                      tag: "staff", access: .operators, requestSchema: "WealthProductInput", responseSchema: "WealthProduct", errors: [400, 401, 403, 409, 415, 422]),
            Operation(method: "get", path: "/v1/staff/wealth/products/{id}", summary: "One product with its NAVs and order counts by kind and status",
                      tag: "staff", access: .staff, parameters: id, responseSchema: "WealthProductDetail", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/staff/wealth/products/{id}/close", summary: "Stop sales (accepted orders still confirm; redemptions stay open)",
                      tag: "staff", access: .operators, parameters: id, responseSchema: "WealthProduct", errors: [401, 403, 404, 422]),
            Operation(method: "get", path: "/v1/staff/wealth/products/{id}/navs", summary: "Every published NAV, newest first", tag: "staff",
                      access: .staff, parameters: id, responseSchema: "WealthNAVList", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/staff/wealth/products/{id}/navs",
                      summary: "Publish the NAV of a business day up to today (not_a_business_day; final once published: nav_already_published for another value)",
                      tag: "staff", access: .operators, parameters: id, requestSchema: "WealthNAVInput", responseSchema: "WealthNAV",
                      errors: [400, 401, 403, 404, 409, 415, 422]),
            // Pages: the customer portal
            page("/bank/products", "Wealth products with risk badges R1–R5, latest NAV or expected yield, and the customer's risk level (customers)"),
            page("/bank/products/{id}", "One product: NAV history and chart, the suitability result, buy and redeem forms with hidden Idempotency-Keys, T+1 dates (customers)",
                 id + [lang]),
            form("/bank/products/{id}/subscribe", "Buy: paying account and amount in yuan; a refusal shows the form again with the reason (customers)", [pathID("id")]),
            form("/bank/products/{id}/redeem", "Redeem units of a NAV product into an account (customers)", [pathID("id")]),
            page("/bank/holdings", "Holdings (units, value, cost, income) and the order history (customers)"),
            page("/bank/risk", "The risk-profile questionnaire and the current level with its expiry (customers)"),
            form("/bank/risk", "Submit the questionnaire (customers)"),
            // Pages: the staff console
            page("/console/products", "Wealth products: quota sold, latest NAV, phase; the creation form for operators and admins (staff)"),
            form("/console/products", "Create a product (operators, admins)"),
            page("/console/products/{id}", "One product: NAV history, orders by status, NAV publishing and closing for operators and admins (staff)", id + [lang]),
            form("/console/products/{id}/navs", "Publish a NAV for a business day (operators, admins)", [pathID("id")]),
            form("/console/products/{id}/close", "Stop sales of a product (operators, admins)", [pathID("id")]),
        ]
    }

    static var wealthProductSchemas: [String: Any] {
        let time: [String: Any] = ["type": "string", "format": "date-time"]
        let date: [String: Any] = ["type": "string", "format": "date"]
        let optionalDate: [String: Any] = ["type": ["string", "null"], "format": "date"]
        let optionalInt: [String: Any] = ["type": ["integer", "null"], "format": "int64"]
        let risk: [String: Any] = ["enum": ProductRisk.allCases.map(\.code)]
        let level: [String: Any] = ["enum": RiskTolerance.allCases.map(\.code)]
        let navText: [String: Any] = ["type": "string", "pattern": "^[0-9]{1,4}(\\.[0-9]{1,4})?$", "description": "Yuan per unit, e.g. 1.0234"]
        let nav = object(["object": ["const": "nav"], "date": date, "nav": navText, "nav_e4": ["type": "integer", "description": "Yuan per unit × 10,000"],
                          "published_at": time])
        let suitability = object(["suitable": ["type": "boolean"], "product_risk": risk, "customer_level": ["type": ["string", "null"]],
                                  "expires_on": optionalDate,
                                  "code": ["type": ["string", "null"], "description": "Why not: risk_profile_required, risk_profile_expired or suitability_mismatch"]])
        let product = object([
            "object": ["const": "wealth_product"], "id": uuid, "code": ["type": "string", "pattern": "^[A-Z0-9]{2,16}$"], "name": string, "name_en": string,
            "kind": ["enum": WealthProduct.Kind.allCases.map(\.rawValue)], "risk": risk, "status": ["enum": WealthProduct.Status.allCases.map(\.rawValue)],
            "phase": ["enum": ["open", "closed", "upcoming", "subscribing", "pending", "running", "matured"]], "currency": ["const": "CNY"],
            "minimum_fen": int64, "quota_fen": int64, "sold_fen": int64, "remaining_quota_fen": int64, "window_start": optionalDate, "window_end": optionalDate,
            "value_date": optionalDate, "maturity_date": optionalDate, "term_days": optionalInt,
            "expected_yield": ["type": ["string", "null"], "description": "Percent a year, e.g. 3.10"], "latest_nav": ref("WealthNAV"),
            "suitability": ref("WealthSuitability"), "created_at": time,
        ])
        let order = object([
            "object": ["const": "wealth_order"], "id": uuid, "product_id": uuid, "product_code": string, "product_name": string,
            "kind": ["enum": ProductOrder.Kind.allCases.map(\.rawValue)], "account_id": uuid, "currency": ["const": "CNY"],
            "amount_fen": ["type": ["integer", "null"], "description": "Subscription: paid; redemption: paid out once confirmed"], "amount_formatted": ["type": ["string", "null"]],
            "units": ["type": ["integer", "null"], "description": "Hundredths of a unit: asked (redemption) or issued once confirmed (subscription)"],
            "units_formatted": ["type": ["string", "null"]], "trade_date": date, "confirm_date": date, "nav": ["type": ["string", "null"]],
            "cost_fen": optionalInt, "payout_fen": optionalInt, "interest_fen": optionalInt, "status": ["enum": ProductOrder.Status.allCases.map(\.rawValue)],
            "failure_code": ["type": ["string", "null"]], "created_at": time, "completed_at": ["type": ["string", "null"], "format": "date-time"],
        ])
        let holding = object([
            "object": ["const": "wealth_holding"], "product_id": uuid, "product_code": string, "product_name": string,
            "kind": ["enum": WealthProduct.Kind.allCases.map(\.rawValue)], "risk": risk, "units": int64, "units_formatted": string, "available_units": int64,
            "nav": ["type": ["string", "null"]], "nav_date": optionalDate, "market_value_fen": int64, "market_value_formatted": string, "cost_fen": int64,
            "income_fen": int64, "realised_income_fen": int64, "pending_subscription_fen": int64, "expected_payout_fen": optionalInt, "maturity_date": optionalDate,
        ])
        let profile = object(["object": ["const": "risk_profile"], "id": uuid, "level": level, "level_name": string, "max_product_risk": risk,
                              "score": ["type": "integer", "minimum": 10, "maximum": 40], "answers": ["type": "array", "items": string],
                              "assessed_on": date, "expires_on": ["type": "string", "format": "date", "description": "The first day the profile is no longer valid"],
                              "valid": ["type": "boolean"]])
        let option = object(["code": string, "text": string, "text_en": string, "score": ["type": "integer"]])
        let questionnaire = object([
            "object": ["const": "risk_questionnaire"],
            "questions": ["type": "array", "items": object(["id": string, "text": string, "text_en": string, "options": ["type": "array", "items": option]])],
            "bands": ["type": "array", "items": object(["min_score": ["type": "integer"], "max_score": ["type": "integer"], "level": level])],
            "validity_months": ["type": "integer"],
        ])
        let fen: [String: Any] = ["type": "integer", "format": "int64", "minimum": 1, "description": "Amount in fen"]
        return [
            "WealthNAV": nav,
            "WealthNAVList": list("WealthNAV"),
            "WealthSuitability": suitability,
            "WealthProduct": product,
            "WealthProductList": list("WealthProduct"),
            "WealthProductDetail": object(["object": ["const": "wealth_product_detail"], "product": ref("WealthProduct"),
                                           "navs": ["type": "array", "items": ref("WealthNAV")], "order_now_trade_date": optionalDate,
                                           "order_now_confirm_date": optionalDate, "holding": ref("WealthHolding"),
                                           "orders": ["type": "array", "items": object(["kind": string, "status": string, "count": int64, "amount_fen": int64])]]),
            "WealthOrder": order,
            "WealthOrderList": list("WealthOrder"),
            "WealthHolding": holding,
            "WealthHoldingList": list("WealthHolding"),
            "RiskProfile": profile,
            "RiskQuestionnaire": questionnaire,
            "RiskProfileInput": object(["answers": ["type": "array", "minItems": RiskQuestionnaire.questions.count, "maxItems": RiskQuestionnaire.questions.count,
                                                    "items": ["enum": ["A", "B", "C", "D"]]]], required: ["answers"]),
            "WealthSubscriptionInput": object(["account_id": uuid, "amount_fen": fen], required: ["account_id", "amount_fen"]),
            "WealthRedemptionInput": object(["account_id": uuid, "units": ["type": "integer", "format": "int64", "minimum": 1, "description": "Hundredths of a unit"]],
                                            required: ["account_id", "units"]),
            "WealthProductInput": object([
                "code": ["type": "string", "pattern": "^[A-Z0-9]{2,16}$"], "name": ["type": "string", "minLength": 2, "maxLength": 40],
                "name_en": ["type": "string", "maxLength": 40], "kind": ["enum": WealthProduct.Kind.allCases.map(\.rawValue)], "risk": risk,
                "minimum_fen": fen, "quota_fen": fen, "window_start": date, "window_end": date,
                "term_days": ["type": "integer", "minimum": 1, "maximum": 1830], "expected_yield": ["type": "string", "description": "Percent a year, e.g. 3.10"],
            ], required: ["code", "name", "kind", "risk", "minimum_fen", "quota_fen"]),
            "WealthNAVInput": object(["date": date, "nav": navText], required: ["date", "nav"]),
        ]
    }
}
