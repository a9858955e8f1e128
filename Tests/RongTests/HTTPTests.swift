import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import RongServer
import Testing

/// The HTTP edge: health, readiness, metrics, the OpenAPI check, problem documents, the ledger API.
@Suite struct HTTPTests {
    static let key = "test-ledger-key-0123456789abcdef"

    /// Runs `body` against the real application in memory on a fresh database.
    func withApp(_ body: @escaping @Sendable (any TestClientProtocol, RongPlatform) async throws -> Void) async throws {
        let t = try await TestPlatform.make()
        try await t.withApp(ledgerAPIKey: HTTPTests.key) { client in try await body(client, t.platform) }
    }

    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
    static var jsonHeaders: HTTPFields { [.contentType: "application/json", .authorization: "Bearer \(key)"] }

    static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test func healthReadinessAndRequestID() async throws {
        try await withApp { client, _ in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            #expect(String(buffer: health.body) == #"{"status":"ok"}"#)
            #expect(health.headers[HTTPField.Name("X-Request-Id")!]?.count == 36)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            let echoed = try await client.execute(uri: "/healthz", method: .get, headers: [HTTPField.Name("X-Request-Id")!: "abc-123"])
            #expect(echoed.headers[HTTPField.Name("X-Request-Id")!] == "abc-123")
        }
    }

    @Test func homePageChineseAndEnglish() async throws {
        try await withApp { client, platform in
            _ = try await platform.seedDemo()
            let zh = try await client.execute(uri: "/", method: .get)
            let html = String(buffer: zh.body)
            #expect(zh.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(html.contains("lang=\"zh-CN\""))
            #expect(html.contains("营业日期"))
            #expect(html.contains("2026-11-23"))
            // Class I cash + funded e-accounts, less 刘洋's ¥3,999.00 demo e-Pay purchase (it brings his 逸贷 offer).
            #expect(html.contains("¥368,367.42"), "demo deposits formatted as a Chinese bank would")
            #expect(html.contains("/openapi.json"))
            let en = String(buffer: try await client.execute(uri: "/?lang=en", method: .get).body)
            #expect(en.contains("Business date"))
        }
    }

    @Test func openAPIMatchesRegisteredRoutes() async throws {
        try await withApp { client, platform in
            let registered = Set(try await registeredRoutes(platform: platform))
            let documented = Set(documentedRoutes())
            #expect(registered.subtracting(documented).isEmpty, "routes missing from OpenAPI: \(registered.subtracting(documented).sorted())")
            #expect(documented.subtracting(registered).isEmpty, "OpenAPI names routes that do not exist: \(documented.subtracting(registered).sorted())")
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            let document = try HTTPTests.object(response.body)
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(paths["/v1/ledger/transfers"] != nil)
        }
    }

    @Test func problemDocumentsForBadRequests() async throws {
        try await withApp { client, _ in
            let unknown = try await client.execute(uri: "/no/such/route", method: .get)
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType] == "application/problem+json")
            let problem = try HTTPTests.object(unknown.body)
            #expect(problem["code"] as? String == "route_not_found")
            #expect(problem["status"] as? Int == 404)
            #expect((problem["request_id"] as? String)?.isEmpty == false)

            let noKey = try await client.execute(uri: "/v1/ledger/invariants", method: .get)
            #expect(noKey.status == .unauthorized)
            #expect(try HTTPTests.object(noKey.body)["code"] as? String == "unauthorized")

            let badJSON = try await client.execute(uri: "/v1/ledger/transfers", method: .post, headers: HTTPTests.jsonHeaders, body: HTTPTests.json("{not json"))
            #expect(badJSON.status == .badRequest)
            #expect(try HTTPTests.object(badJSON.body)["code"] as? String == "invalid_json")

            var textHeaders = HTTPTests.jsonHeaders
            textHeaders[.contentType] = "text/plain"
            let wrongType = try await client.execute(uri: "/v1/ledger/transfers", method: .post, headers: textHeaders, body: HTTPTests.json("{}"))
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(try HTTPTests.object(wrongType.body)["code"] as? String == "unsupported_media_type")

            let big = ByteBuffer(string: "{\"transfers\":[" + String(repeating: " ", count: (1 << 20) + 10) + "]}")
            let tooLarge = try await client.execute(uri: "/v1/ledger/transfers", method: .post, headers: HTTPTests.jsonHeaders, body: big)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try HTTPTests.object(tooLarge.body)["code"] as? String == "payload_too_large")

            let badID = try await client.execute(uri: "/v1/ledger/accounts/not-an-id", method: .get, headers: HTTPTests.jsonHeaders)
            #expect(badID.status == .unprocessableContent)
            #expect(try HTTPTests.object(badID.body)["code"] as? String == "invalid_id")

            let missingField = try await client.execute(uri: "/v1/ledger/accounts", method: .post, headers: HTTPTests.jsonHeaders,
                                                        body: HTTPTests.json(#"{"accounts":[{"id":"0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f","asset":"CNY"}]}"#))
            #expect(missingField.status == .unprocessableContent)
            let missing = try HTTPTests.object(missingField.body)
            #expect(missing["code"] as? String == "invalid_request")
            #expect((missing["detail"] as? String)?.contains("chart_code") == true || (missing["field"] as? String)?.contains("chart") == true)

            let badDate = try await client.execute(uri: "/v1/eod/runs/2026-02-30", method: .get, headers: HTTPTests.jsonHeaders)
            #expect(badDate.status == .unprocessableContent)
            #expect(try HTTPTests.object(badDate.body)["code"] as? String == "invalid_date")

            let tooMany = (0..<8191).map { _ in #"{"id":"0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f"}"# }.joined(separator: ",")
            let batch = try await client.execute(uri: "/v1/ledger/transfers", method: .post, headers: HTTPTests.jsonHeaders,
                                                 body: HTTPTests.json("{\"transfers\":[\(tooMany)]}"))
            #expect(batch.status == .unprocessableContent)
            #expect(try HTTPTests.object(batch.body)["code"] as? String == "batch_too_large")

            let amount = try await client.execute(uri: "/v1/ledger/transfers", method: .post, headers: HTTPTests.jsonHeaders,
                                                  body: HTTPTests.json(#"{"transfers":[{"id":"0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f","amount":92233720368547758070}]}"#))
            #expect(amount.status == .badRequest || amount.status == .unprocessableContent, "an amount beyond Int64 is refused, not wrapped")
            #expect(try HTTPTests.object(amount.body)["code"] as? String == "invalid_json")
            // Nothing was written by any of the above.
            let count = try await client.execute(uri: "/v1/ledger/transfers/0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f", method: .get, headers: HTTPTests.jsonHeaders)
            #expect(count.status == .notFound)
        }
    }

    @Test func ledgerAPIEndToEnd() async throws {
        try await withApp { client, _ in
            let bank = "0190f7a2-8c4e-7b1a-9d3f-000000000001"
            let customer = "0190f7a2-8c4e-7b1a-9d3f-000000000002"
            let open = try await client.execute(uri: "/v1/ledger/accounts", method: .post, headers: HTTPTests.jsonHeaders, body: HTTPTests.json("""
                {"accounts":[{"id":"\(bank)","asset":"CNY","chart_code":"1003","owner_ref":"bank"},
                             {"id":"\(customer)","asset":"CNY","chart_code":"2011","owner_ref":"customer:1","flags":["debits_must_not_exceed_credits"]}]}
                """))
            #expect(open.status == .ok)
            let opened = try #require(HTTPTests.object(open.body)["data"] as? [[String: Any]])
            #expect(opened.map { $0["status"] as? String } == ["ok", "ok"])

            let deposit = """
                {"transfers":[{"id":"0190f7a2-8c4e-7b1a-9d3f-100000000001","debit_account_id":"\(bank)","credit_account_id":"\(customer)",
                  "amount":123456,"asset":"CNY","code":1001,"metadata":{"memo":"工资"}},
                 {"id":"0190f7a2-8c4e-7b1a-9d3f-100000000002","debit_account_id":"\(customer)","credit_account_id":"\(bank)",
                  "amount":999999,"asset":"CNY","code":2001}]}
                """
            let first = try await client.execute(uri: "/v1/ledger/transfers", method: .post, headers: HTTPTests.jsonHeaders, body: HTTPTests.json(deposit))
            let results = try #require(HTTPTests.object(first.body)["data"] as? [[String: Any]])
            #expect(results.map { $0["status"] as? String } == ["ok", "exceeds_credits"])
            let credit = try #require(results[0]["credit_balance"] as? [String: Any])
            #expect(credit["posted"] as? Int == 123456)
            #expect(credit["posted_formatted"] as? String == "¥1,234.56")

            // The same request again is idempotent: the first is "exists", balances unchanged.
            let again = try await client.execute(uri: "/v1/ledger/transfers", method: .post, headers: HTTPTests.jsonHeaders, body: HTTPTests.json(deposit))
            let repeated = try #require(HTTPTests.object(again.body)["data"] as? [[String: Any]])
            #expect(repeated.first?["status"] as? String == "exists")

            let account = try HTTPTests.object(try await client.execute(uri: "/v1/ledger/accounts/\(customer)", method: .get, headers: HTTPTests.jsonHeaders).body)
            #expect((account["balance"] as? [String: Any])?["posted"] as? Int == 123456)

            let statement = try HTTPTests.object(try await client.execute(uri: "/v1/ledger/accounts/\(customer)/statement?limit=10", method: .get, headers: HTTPTests.jsonHeaders).body)
            let entries = try #require(statement["data"] as? [[String: Any]])
            #expect(entries.count == 1)
            #expect(entries.first?["balance_after_formatted"] as? String == "¥1,234.56")
            #expect(entries.first?["direction"] as? String == "credit")

            let closed = try await client.execute(uri: "/v1/ledger/accounts/\(customer)/close", method: .post, headers: HTTPTests.jsonHeaders)
            #expect(((try HTTPTests.object(closed.body))["flags"] as? [String])?.contains("closed") == true)

            let invariants = try HTTPTests.object(try await client.execute(uri: "/v1/ledger/invariants", method: .get, headers: HTTPTests.jsonHeaders).body)
            #expect(invariants["healthy"] as? Bool == true)

            let eod = try await client.execute(uri: "/v1/eod/runs", method: .post, headers: HTTPTests.jsonHeaders, body: HTTPTests.json(#"{"date":"2026-11-22"}"#))
            #expect(eod.status == .ok)
            let steps = try #require(HTTPTests.object(eod.body)["steps"] as? [[String: Any]])
            #expect(steps.allSatisfy { $0["status"] as? String == "done" })
            #expect(Set(steps.compactMap { $0["step"] as? String }) == ["ledger.expire-holds", "payments.expire-orders", "payments.transfers", "payments.reconcile", "ledger.verify-invariants",
                                                                  "wealth.resolve-openings", "wealth.demand-accrual", "wealth.demand-settlement",
                                                                  "wealth.time-maturities", "wealth.sweeps", "wealth.product-orders-resolve",
                                                                  "wealth.product-value-dates", "wealth.product-confirmations", "wealth.product-maturities",
                                                                  "lending.resolve", "lending.penalty", "lending.billing", "lending.auto-debit", "lending.lines",
                                                                  "lending.merchant-sweep", "lending.expire-offers"])
        }
    }

    @Test func metricsExposeRequestsAndLedgerBatches() async throws {
        try await withApp { client, platform in
            _ = try await platform.seedDemo()
            _ = try await client.execute(uri: "/healthz", method: .get)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains("rong_http_requests_total"))
            #expect(metrics.contains("route=\"/healthz\""))
            #expect(metrics.contains("rong_http_request_duration_seconds"))
            #expect(metrics.contains("rong_ledger_batch_size"))
            #expect(metrics.contains("rong_ledger_commit_seconds"))
        }
    }
}
