import Foundation
import Identity
import Ledger

/// The OpenAPI 3.1 document served at `/openapi.json`, maintained beside the routes.
///
/// `OpenAPITests` fails when a registered route is missing here or this names a route
/// that does not exist, so a change that adds a route adds it here in the same commit.
enum OpenAPIDocument {
    struct Operation {
        let method: String
        let path: String
        let summary: String
        let tag: String
        /// Secured by the service key (machine API).
        var secured = false
        /// Who may call it with a user token; nil for public and service-key routes.
        var access: Access? = nil
        /// Secured by a merchant API key (`mk_…`).
        var merchantKey = false
        var parameters: [[String: Any]] = []
        var requestSchema: String?
        var responseSchema: String?
        var responseType = "application/json"
        var errors: [Int] = []
    }

    static let problemStatuses = [400, 401, 404, 409, 413, 415, 422, 503]

    /// Every documented operation: the API's, then the pages' (`PageOperations.swift`).
    static var operations: [Operation] {
        apiOperations + userOperations + paymentOperations + wealthOperations + wealthProductOperations + lendingOperations + messagingOperations
            + pageOperations + lendingPageOperations
    }

    static var apiOperations: [Operation] { [
        Operation(method: "get", path: "/", summary: "Home page (zh-CN; ?lang=en for English)", tag: "pages",
                  parameters: [query("lang", "Page language: omit for Chinese, `en` for English")], responseType: "text/html"),
        Operation(method: "get", path: "/healthz", summary: "Liveness: the process answers", tag: "operations", responseSchema: "Health"),
        Operation(method: "get", path: "/readyz", summary: "Readiness: the database answers (503 when not)", tag: "operations", responseSchema: "Health"),
        Operation(method: "get", path: "/metrics", summary: "Prometheus metrics: HTTP requests, latencies, ledger batch sizes and commit latency", tag: "operations", responseType: "text/plain"),
        Operation(method: "get", path: "/openapi.json", summary: "This document", tag: "operations"),
        Operation(method: "post", path: "/v1/ledger/accounts", summary: "Open ledger accounts (idempotent on id; up to 8,190)", tag: "ledger", secured: true,
                  requestSchema: "AccountsInput", responseSchema: "AccountResultList", errors: [400, 401, 413, 415, 422, 503]),
        Operation(method: "get", path: "/v1/ledger/accounts/{id}", summary: "An account with its balances", tag: "ledger", secured: true,
                  parameters: [pathID("id")], responseSchema: "LedgerAccount", errors: [401, 404, 422]),
        Operation(method: "post", path: "/v1/ledger/accounts/{id}/close", summary: "Close an account: no transfer may touch it", tag: "ledger", secured: true,
                  parameters: [pathID("id")], responseSchema: "LedgerAccount", errors: [401, 404, 422]),
        Operation(method: "post", path: "/v1/ledger/accounts/{id}/reopen", summary: "Reopen a closed account", tag: "ledger", secured: true,
                  parameters: [pathID("id")], responseSchema: "LedgerAccount", errors: [401, 404, 422]),
        Operation(method: "get", path: "/v1/ledger/accounts/{id}/statement", summary: "Statement with running balance, oldest first, cursor-paginated", tag: "ledger", secured: true,
                  parameters: [pathID("id"), query("limit", "1–500, default 50"), query("starting_after", "Cursor from the previous page")],
                  responseSchema: "StatementList", errors: [401, 404, 422]),
        Operation(method: "post", path: "/v1/ledger/transfers", summary: "Submit transfers (up to 8,190; one result each, in order; idempotent on id)", tag: "ledger", secured: true,
                  requestSchema: "TransfersInput", responseSchema: "TransferResultList", errors: [400, 401, 413, 415, 422, 503]),
        Operation(method: "get", path: "/v1/ledger/transfers/{id}", summary: "A committed transfer", tag: "ledger", secured: true,
                  parameters: [pathID("id")], responseSchema: "LedgerTransfer", errors: [401, 404, 422]),
        Operation(method: "get", path: "/v1/ledger/invariants", summary: "Check the ledger: debits equal credits per asset, balances match transfers, no limit crossed", tag: "ledger", secured: true,
                  responseSchema: "Invariants", errors: [401]),
        Operation(method: "post", path: "/v1/eod/runs", summary: "Run end-of-day for a business date (idempotent, resumable)", tag: "end-of-day", secured: true,
                  requestSchema: "EODRunInput", responseSchema: "EODRun", errors: [400, 401, 409, 415, 422]),
        Operation(method: "get", path: "/v1/eod/runs/{date}", summary: "The end-of-day journal of a business date", tag: "end-of-day", secured: true,
                  parameters: [["name": "date", "in": "path", "required": true, "schema": ["type": "string", "format": "date"]]],
                  responseSchema: "EODRun", errors: [401, 422]),
    ] }

    static func pathID(_ name: String) -> [String: Any] {
        ["name": name, "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
    }

    static func query(_ name: String, _ description: String) -> [String: Any] {
        ["name": name, "in": "query", "required": false, "description": description, "schema": ["type": "string"]]
    }

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }

    static var document: [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for op in operations {
            var operation: [String: Any] = ["summary": op.summary, "tags": [op.tag], "operationId": "\(op.method)\(op.path)"]
            if !op.parameters.isEmpty { operation["parameters"] = op.parameters }
            if let schema = op.requestSchema {
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": ref(schema)]]]
            }
            var ok: [String: Any] = ["description": "OK"]
            if let schema = op.responseSchema {
                ok["content"] = [op.responseType: ["schema": ref(schema)]]
            } else {
                ok["content"] = [op.responseType: ["schema": ["type": "string"]]]
            }
            var responses: [String: Any] = op.responseType == "none" ? ["204": ["description": "No Content"]] : ["200": ok]
            for status in op.errors {
                responses[String(status)] = ["description": "Problem", "content": ["application/problem+json": ["schema": ref("Problem")]]]
            }
            responses["default"] = ["description": "Problem", "content": ["application/problem+json": ["schema": ref("Problem")]]]
            operation["responses"] = responses
            if op.secured { operation["security"] = [["serviceKey": [String]()]] }
            if op.merchantKey { operation["security"] = [["merchantKey": [String]()]] }
            if let access = op.access {
                operation["security"] = [["bearerAuth": [String]()]]
                operation["x-roles"] = (access.allowedRoles ?? Set(Role.allCases)).map(\.rawValue).sorted()
            }
            paths[op.path, default: [:]][op.method] = operation
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Rong (融) API",
                "version": "0.1.0",
                "description": "Internet-finance platform for a bank. Amounts are integers in the asset's minor unit (fen for CNY). Errors are RFC 9457 problem documents with a stable `code`.",
                "license": ["name": "Apache-2.0", "identifier": "Apache-2.0"],
            ],
            "servers": [["url": "http://127.0.0.1:8080"]],
            "paths": paths,
            "components": ["schemas": schemas.merging(userSchemas) { $1 }.merging(paymentSchemas) { $1 }.merging(wealthSchemas) { $1 }.merging(wealthProductSchemas) { $1 }
                .merging(lendingSchemas) { $1 }.merging(messagingSchemas) { $1 }, "securitySchemes": [
                "serviceKey": ["type": "http", "scheme": "bearer", "description": "RONG_LEDGER_API_KEY"],
                "merchantKey": ["type": "http", "scheme": "bearer", "description": "Merchant API key mk_<id>.<secret>, issued at onboarding"],
                "bearerAuth": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                               "description": "Access token from POST /v1/auth/sessions (15 minutes); pages use the rong_at cookie"],
            ]],
        ]
    }

    static let json: Data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()

    static func object(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        var schema: [String: Any] = ["type": "object", "properties": properties]
        if !required.isEmpty { schema["required"] = required }
        return schema
    }

    static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }
    static var int64: [String: Any] { ["type": "integer", "format": "int64"] }
    static var string: [String: Any] { ["type": "string"] }
    static func list(_ item: String) -> [String: Any] {
        object(["object": ["const": "list"], "data": ["type": "array", "items": ref(item)], "has_more": ["type": "boolean"],
                "next_cursor": ["type": ["string", "null"]]])
    }

    static var schemas: [String: Any] {
        let balance = object(["debits_pending": int64, "debits_posted": int64, "credits_pending": int64, "credits_posted": int64,
                              "posted": int64, "available": int64, "posted_formatted": string])
        return [
            "Problem": object(["type": string, "title": string, "status": ["type": "integer"], "code": string, "detail": string,
                               "instance": string, "request_id": string], required: ["type", "title", "status", "code", "detail"]),
            "Health": object(["status": string]),
            "AccountsInput": object(["accounts": ["type": "array", "maxItems": LedgerLimits.eventsPerSubmissionMax, "items": object([
                "id": uuid, "asset": ["type": "string", "enum": ["CNY", "USD", "XAU_MG", "XAG_MG", "PTS"]],
                "chart_code": ["type": "string", "pattern": "^[0-9.]{1,16}$"], "owner_ref": ["type": "string", "maxLength": 128],
                "flags": ["type": "array", "items": ["enum": ["debits_must_not_exceed_credits", "credits_must_not_exceed_debits"]]],
            ], required: ["id", "asset", "chart_code", "owner_ref"])]], required: ["accounts"]),
            "Balance": balance,
            "LedgerAccount": object(["object": ["const": "ledger_account"], "id": uuid, "asset": string, "chart_code": string, "owner_ref": string,
                                     "flags": ["type": "array", "items": string], "balance": ref("Balance"), "created_at": ["type": "string", "format": "date-time"]]),
            "AccountResult": object(["id": uuid, "status": ["type": "string", "description": "ok, exists, exists_with_different_fields, unknown_asset, chart_code_invalid, …"],
                                     "account": ref("LedgerAccount")]),
            "AccountResultList": list("AccountResult"),
            "TransfersInput": object(["transfers": ["type": "array", "maxItems": LedgerLimits.eventsPerSubmissionMax, "items": object([
                "id": uuid, "debit_account_id": uuid, "credit_account_id": uuid,
                "amount": ["type": "integer", "format": "int64", "minimum": 1, "description": "Minor units; omit on post_pending to post the whole hold"],
                "asset": string, "code": ["type": "integer", "minimum": 1, "maximum": 65535],
                "flags": ["type": "array", "items": ["enum": ["linked", "pending", "post_pending", "void_pending"]]],
                "pending_id": uuid, "timeout_seconds": ["type": "integer", "minimum": 0, "maximum": LedgerLimits.pendingTimeoutSecondsMax],
                "metadata": ["type": "object", "additionalProperties": ["type": "string"]],
            ], required: ["id"])]], required: ["transfers"]),
            "LedgerTransfer": object(["object": ["const": "ledger_transfer"], "id": uuid, "debit_account_id": uuid, "credit_account_id": uuid,
                                      "amount": int64, "amount_formatted": string, "asset": string, "code": ["type": "integer"],
                                      "flags": ["type": "array", "items": string], "pending_id": ["type": ["string", "null"]],
                                      "timeout_seconds": int64, "metadata": ["type": ["string", "null"]], "timestamp": ["type": "string", "format": "date-time"],
                                      "debit_balance_after": int64, "credit_balance_after": int64]),
            "TransferResult": object(["object": ["const": "transfer_result"], "id": uuid,
                                      "status": ["type": "string", "enum": TransferStatus.allCases.map(\.rawValue)],
                                      "transfer": ref("LedgerTransfer"), "debit_balance": ref("Balance"), "credit_balance": ref("Balance")]),
            "TransferResultList": list("TransferResult"),
            "StatementEntry": object(["transfer": ref("LedgerTransfer"), "direction": ["enum": ["debit", "credit"]], "balance_after": int64,
                                      "balance_after_formatted": string, "cursor": string]),
            "StatementList": list("StatementEntry"),
            "Invariants": object(["object": ["const": "ledger_invariants"], "healthy": ["type": "boolean"], "violations": ["type": "array", "items": string],
                                  "assets": ["type": "array", "items": object(["asset": string, "debits_posted": ["type": "string", "pattern": "^[0-9]+$"], "credits_posted": ["type": "string", "pattern": "^[0-9]+$"],
                                                                              "debits_pending": ["type": "string", "pattern": "^[0-9]+$"], "credits_pending": ["type": "string", "pattern": "^[0-9]+$"]])]]),
            "EODRunInput": object(["date": ["type": "string", "format": "date"]], required: ["date"]),
            "EODRun": object(["object": ["const": "eod_run"], "date": ["type": "string", "format": "date"],
                              "steps": ["type": "array", "items": object(["step": string, "status": ["enum": ["started", "done"]],
                                                                          "attempts": ["type": "integer"], "summary": ["type": ["string", "null"]]])]]),
        ]
    }
}
