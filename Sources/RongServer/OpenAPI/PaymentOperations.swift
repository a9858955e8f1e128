import Identity

/// e-Pay operations: the merchant API, the payer's checkout, the customer's limits, onboarding.
extension OpenAPIDocument {
    static var paymentOperations: [Operation] {
        let id = [pathID("id")]
        return [
            Operation(method: "post", path: "/v1/pay/orders", summary: "Create an e-Pay order (idempotent on order_number: same parameters, same order)",
                      tag: "payments", merchantKey: true, requestSchema: "OrderInput", responseSchema: "PaymentOrder", errors: [400, 401, 409, 415, 422]),
            Operation(method: "get", path: "/v1/pay/orders", summary: "The merchant's orders, newest first, or one by ?order_number=", tag: "payments",
                      merchantKey: true, parameters: [query("order_number", "The merchant's order number"), query("limit", "1–200")],
                      responseSchema: "PaymentOrderList", errors: [401, 404, 422]),
            Operation(method: "get", path: "/v1/pay/orders/{id}", summary: "An order's status", tag: "payments", merchantKey: true, parameters: id,
                      responseSchema: "PaymentOrder", errors: [401, 404, 422]),
            Operation(method: "post", path: "/v1/pay/orders/{id}/close", summary: "Close an unpaid order", tag: "payments", merchantKey: true,
                      parameters: id, responseSchema: "PaymentOrder", errors: [401, 404, 409, 422]),
            Operation(method: "post", path: "/v1/pay/orders/{id}/refunds", summary: "Refund part or all (idempotent on refund_number; never more than captured)",
                      tag: "payments", merchantKey: true, parameters: id, requestSchema: "RefundInput", responseSchema: "Refund",
                      errors: [400, 401, 404, 409, 415, 422]),
            Operation(method: "get", path: "/v1/pay/orders/{id}/refunds", summary: "An order's refunds", tag: "payments", merchantKey: true,
                      parameters: id, responseSchema: "RefundList", errors: [401, 404, 422]),
            Operation(method: "get", path: "/v1/pay/webhooks", summary: "Webhook deliveries to the merchant, newest first, with attempts",
                      tag: "payments", merchantKey: true, parameters: [query("limit", "1–200")], responseSchema: "WebhookList", errors: [401, 422]),
            Operation(method: "post", path: "/v1/pay/webhooks/{id}/replay", summary: "Deliver a webhook again", tag: "payments", merchantKey: true,
                      parameters: id, responseSchema: "Webhook", errors: [401, 404, 422]),
            Operation(method: "get", path: "/v1/pay/checkout/{id}", summary: "What the payer sees: merchant, amount, description, status",
                      tag: "payments", parameters: id, responseSchema: "Checkout", errors: [404, 422]),
            Operation(method: "post", path: "/v1/pay/checkout/{id}/otp", summary: "Identify the payer (reserved mobile + last 6 digits of an account); sends a code bound to amount and payee",
                      tag: "payments", parameters: id, requestSchema: "IdentifyInput", responseSchema: "OTPChallenge", errors: [400, 404, 415, 422, 429]),
            Operation(method: "post", path: "/v1/pay/checkout/{id}/confirm", summary: "Confirm with the code: hold, then capture (two confirmations capture once)",
                      tag: "payments", parameters: id, requestSchema: "ConfirmInput", responseSchema: "PaymentOrder", errors: [400, 404, 409, 415, 422]),
            Operation(method: "get", path: "/v1/me/epay-limits", summary: "The customer's e-Pay limits", tag: "payments", access: .customer,
                      responseSchema: "EPayLimits", errors: [401, 403]),
            Operation(method: "post", path: "/v1/me/epay-limits/otp", summary: "Send the step-up code for new e-Pay limits", tag: "payments",
                      access: .customer, requestSchema: "LimitsInput", responseSchema: "OTPChallenge", errors: [400, 401, 403, 415, 429]),
            Operation(method: "post", path: "/v1/me/epay-limits", summary: "Set e-Pay limits up to ¥10,000 per transaction and day (step-up code)",
                      tag: "payments", access: .customer, requestSchema: "LimitsInput", responseSchema: "EPayLimits", errors: [400, 401, 403, 415, 422]),
            Operation(method: "post", path: "/v1/staff/merchants", summary: "Onboard a merchant: settlement account, API key, webhook signing secret",
                      tag: "staff", access: .operators, requestSchema: "MerchantInput", responseSchema: "MerchantCredentials", errors: [400, 401, 403, 409, 415, 422]),
            Operation(method: "get", path: "/v1/staff/merchants", summary: "Merchants", tag: "staff", access: .staff, responseSchema: "MerchantList",
                      errors: [401, 403]),
        ]
    }

    static var paymentSchemas: [String: Any] {
        let time: [String: Any] = ["type": "string", "format": "date-time"]
        let orderNumber: [String: Any] = ["type": "string", "pattern": "^[0-9A-Za-z_-]{1,32}$"]
        let fen: [String: Any] = ["type": "integer", "format": "int64", "minimum": 1, "maximum": 1_000_000]
        let merchant = object(["object": ["const": "merchant"], "id": uuid, "name": string, "licence_number": string, "settlement_account_id": uuid,
                               "notify_url": string, "status": string, "created_at": time])
        return [
            "OrderInput": object(["order_number": orderNumber, "amount_fen": fen, "description": ["type": "string", "maxLength": 128],
                                  "expires_in_seconds": ["type": "integer", "minimum": 60, "maximum": 86_400]],
                                 required: ["order_number", "amount_fen", "description"]),
            "PaymentOrder": object(["object": ["const": "payment_order"], "id": uuid, "merchant_id": uuid, "order_number": string, "amount_fen": int64,
                                    "amount_formatted": string, "currency": ["const": "CNY"], "description": string,
                                    "status": ["enum": ["created", "confirming", "paid", "partially_refunded", "refunded", "closed", "expired"]],
                                    "expires_at": time, "captured_fen": int64, "refunded_fen": int64, "created_at": time,
                                    "paid_at": ["type": ["string", "null"]], "pay_url": string]),
            "PaymentOrderList": list("PaymentOrder"),
            "RefundInput": object(["refund_number": orderNumber, "amount_fen": fen, "reason": ["type": "string", "maxLength": 80]],
                                  required: ["refund_number", "amount_fen"]),
            "Refund": object(["object": ["const": "refund"], "id": uuid, "order_id": uuid, "refund_number": string, "amount_fen": int64,
                              "reason": string, "status": ["enum": ["pending", "succeeded", "failed"]], "failure_code": ["type": ["string", "null"]],
                              "created_at": time, "completed_at": ["type": ["string", "null"]]]),
            "RefundList": list("Refund"),
            "Webhook": object(["object": ["const": "webhook_delivery"], "id": uuid, "event_type": string, "status": ["enum": ["pending", "delivered", "failed"]],
                               "attempts": int64, "last_status_code": ["type": ["integer", "null"]], "created_at": time,
                               "next_attempt_at": time, "delivered_at": ["type": ["string", "null"]], "payload": string]),
            "WebhookList": list("Webhook"),
            "Checkout": object(["object": ["const": "checkout"], "order_id": uuid, "merchant_name": string, "amount_fen": int64,
                                "amount_formatted": string, "description": string, "status": string, "expires_at": time]),
            "IdentifyInput": object(["mobile": ["type": "string", "pattern": "^1[3-9][0-9]{9}$"], "account_last6": ["type": "string", "pattern": "^[0-9]{6}$"]],
                                    required: ["mobile", "account_last6"]),
            "ConfirmInput": object(["otp_challenge_id": uuid, "otp_code": ["type": "string", "pattern": "^[0-9]{6}$"]], required: ["otp_challenge_id", "otp_code"]),
            "EPayLimits": object(["object": ["const": "epay_limits"], "per_transaction_fen": int64, "per_day_fen": int64, "per_month_fen": int64]),
            "LimitsInput": object(["per_transaction_fen": fen, "per_day_fen": fen, "otp_challenge_id": uuid, "otp_code": string],
                                  required: ["per_transaction_fen", "per_day_fen"]),
            "MerchantInput": object(["name": string, "licence_number": ["type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"],
                                     "notify_url": ["type": "string", "format": "uri", "maxLength": 300]], required: ["name", "licence_number", "notify_url"]),
            "Merchant": merchant,
            "MerchantList": list("Merchant"),
            "MerchantCredentials": object(["object": ["const": "merchant_credentials"], "merchant": ref("Merchant"), "api_key": string, "signing_secret": string]),
        ]
    }
}
