import Accounts
import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import RongServer
import Testing
import Wealth

/// Wealth products over HTTP: the `/v1/wealth` API as an app drives it (questionnaire,
/// suitability refusal with both levels, idempotent subscription, orders and holdings), the
/// operators' NAV API, and the portal and console pages in Chinese and English.
@Suite(.serialized) struct WealthProductHTTPTests: PageSuite {
    static let json: HTTPFields = [.contentType: "application/json"]
    static let mobile = "13700001234"

    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, token: String,
              key: String? = nil) async throws -> TestResponse {
        var headers = WealthProductHTTPTests.json
        headers[.authorization] = "Bearer \(token)"
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    /// Two NAV products (R2, R3) and a customer with a Class I account holding ¥50,000.00.
    func setUp(_ t: TestPlatform) async throws -> (r2: WealthProduct, r3: WealthProduct, account: EAccount, principal: Principal) {
        let wealth = t.platform.wealth
        let r2 = try await wealth.createProduct(by: t.operatorPrincipal, ProductDraft(code: "RW001", name: "融e稳利", nameEnglish: "Rong Steady", kind: .nav,
                                                                                      risk: .r2, minimumFen: 100_00, quotaFen: 1_000_000_00), address: "test")
        let r3 = try await wealth.createProduct(by: t.operatorPrincipal, ProductDraft(code: "RB001", name: "融e平衡", nameEnglish: "Rong Balanced", kind: .nav,
                                                                                      risk: .r3, minimumFen: 100_00, quotaFen: 1_000_000_00), address: "test")
        _ = try await wealth.publishNAV(by: t.operatorPrincipal, productID: r2.id, date: try BusinessDate(iso: "2026-11-20"), nav: try NetAssetValue.parse("1.0123"),
                                        address: "test")
        let (customer, session) = try await t.register(name: "郑敏", idNumber: ResidentIDs.make(birth: "19880808", sequence: 77), mobile: WealthProductHTTPTests.mobile)
        let account = try await t.accounts.openClassIAccount(by: t.operatorPrincipal, customerID: customer.id, cashDepositFen: 50_000_00,
                                                             idempotencyKey: "counter", address: "test")
        return (r2, r3, account, session.principal)
    }

    @Test func theWealthAPIFromQuestionnaireToHoldings() async throws {
        let t = try await TestPlatform.make()
        let (r2, r3, account, _) = try await setUp(t)
        _ = try await t.identity.createStaff(by: nil, role: .operator, mobile: "13800001001", displayName: "运营", password: "Staff2026pw", address: "test")
        try await t.withApp { client in
            let signIn = try await client.execute(uri: "/v1/auth/sessions", method: .post, headers: WealthProductHTTPTests.json,
                                                  body: ByteBuffer(string: #"{"mobile":"\#(WealthProductHTTPTests.mobile)","password":"Rong2026pass"}"#))
            let token = try #require(try object(signIn)["access_token"] as? String)

            // No profile yet: the catalogue says so, and buying is refused.
            let none = try await call(client, .get, "/v1/wealth/risk-profile", token: token)
            #expect(try none.status == .notFound && (try object(none))["code"] as? String == "risk_profile_required")
            let catalogue = try #require(try object(try await call(client, .get, "/v1/wealth/products", token: token))["data"] as? [[String: Any]])
            let steady = try #require(catalogue.first { $0["code"] as? String == "RW001" })
            #expect(steady["risk"] as? String == "R2" && (steady["latest_nav"] as? [String: Any])?["nav"] as? String == "1.0123")
            #expect((steady["suitability"] as? [String: Any])?["code"] as? String == "risk_profile_required")
            let buyBody = #"{"account_id":"\#(account.id)","amount_fen":100000}"#
            let refused = try await call(client, .post, "/v1/wealth/products/\(r2.id)/subscriptions", buyBody, token: token, key: "b1")
            #expect(try refused.status == .unprocessableContent && (try object(refused))["code"] as? String == "risk_profile_required")

            // The questionnaire: ten questions; all B scores 20, C2.
            let questionnaire = try object(try await call(client, .get, "/v1/wealth/risk-profile/questionnaire", token: token))
            #expect((questionnaire["questions"] as? [Any])?.count == 10)
            let short = try await call(client, .post, "/v1/wealth/risk-profile", #"{"answers":["A"]}"#, token: token)
            #expect(try short.status == .unprocessableContent && (try object(short))["field"] as? String == "answers")
            let assessed = try object(try await call(client, .post, "/v1/wealth/risk-profile", #"{"answers":["B","B","B","B","B","B","B","B","B","B"]}"#, token: token))
            #expect(assessed["level"] as? String == "C2" && assessed["score"] as? Int == 20 && assessed["expires_on"] as? String == "2027-11-23")

            // R3 is above C2: both levels in the problem, nothing written.
            let mismatch = try await call(client, .post, "/v1/wealth/products/\(r3.id)/subscriptions", buyBody, token: token, key: "b2")
            let problem = try object(mismatch)
            #expect(mismatch.status == .unprocessableContent && problem["code"] as? String == "suitability_mismatch")
            #expect(problem["customer_level"] as? String == "C2" && problem["product_risk"] as? String == "R3")
            #expect(mismatch.headers[.contentType]?.hasPrefix("application/problem+json") == true)

            // R2: accepted with a key; the same key and body answer the same order; another body is 409.
            let noKey = try await call(client, .post, "/v1/wealth/products/\(r2.id)/subscriptions", buyBody, token: token)
            #expect(noKey.status == .badRequest)
            let bought = try object(try await call(client, .post, "/v1/wealth/products/\(r2.id)/subscriptions", buyBody, token: token, key: "b3"))
            #expect(bought["status"] as? String == "accepted" && bought["trade_date"] as? String == "2026-11-23" && bought["confirm_date"] as? String == "2026-11-24")
            let again = try object(try await call(client, .post, "/v1/wealth/products/\(r2.id)/subscriptions", buyBody, token: token, key: "b3"))
            #expect(again["id"] as? String == bought["id"] as? String)
            let other = try await call(client, .post, "/v1/wealth/products/\(r2.id)/subscriptions", #"{"account_id":"\#(account.id)","amount_fen":20000}"#,
                                       token: token, key: "b3")
            #expect(try other.status == .conflict && (try object(other))["code"] as? String == "idempotency_key_reused")
            let small = try await call(client, .post, "/v1/wealth/products/\(r2.id)/subscriptions", #"{"account_id":"\#(account.id)","amount_fen":9999}"#,
                                       token: token, key: "b4")
            #expect(try (try object(small))["code"] as? String == "below_minimum" && (try object(small))["minimum_fen"] as? Int == 10_000)
            let overRedeem = try await call(client, .post, "/v1/wealth/products/\(r2.id)/redemptions", #"{"account_id":"\#(account.id)","units":1}"#,
                                            token: token, key: "r1")
            #expect((try object(overRedeem))["code"] as? String == "insufficient_units")

            let orders = try #require(try object(try await call(client, .get, "/v1/wealth/orders", token: token))["data"] as? [[String: Any]])
            #expect(orders.count == 1)
            let order = try object(try await call(client, .get, "/v1/wealth/orders/\(bought["id"]!)", token: token))
            #expect(order["amount_formatted"] as? String == "¥1,000.00")
            let holdings = try #require(try object(try await call(client, .get, "/v1/wealth/holdings", token: token))["data"] as? [[String: Any]])
            #expect(holdings.first?["pending_subscription_fen"] as? Int == 100_000)
            let detail = try object(try await call(client, .get, "/v1/wealth/products/\(r2.id)", token: token))
            #expect(detail["order_now_confirm_date"] as? String == "2026-11-24" && (detail["navs"] as? [Any])?.count == 1)

            // Operators publish NAVs through the staff API; the customer may not.
            let staffIn = try await client.execute(uri: "/v1/auth/sessions", method: .post, headers: WealthProductHTTPTests.json,
                                                   body: ByteBuffer(string: #"{"mobile":"13800001001","password":"Staff2026pw","realm":"staff"}"#))
            let staff = try #require(try object(staffIn)["access_token"] as? String)
            let saturday = try await call(client, .post, "/v1/staff/wealth/products/\(r2.id)/navs", #"{"date":"2026-11-21","nav":"1.0130"}"#, token: staff)
            #expect(try saturday.status == .unprocessableContent && (try object(saturday))["code"] as? String == "not_a_business_day")
            let published = try await call(client, .post, "/v1/staff/wealth/products/\(r2.id)/navs", #"{"date":"2026-11-23","nav":"1.0130"}"#, token: staff)
            #expect(try published.status == .ok && (try object(published))["nav_e4"] as? Int == 10_130)
            #expect(try await call(client, .post, "/v1/staff/wealth/products/\(r2.id)/navs", #"{"date":"2026-11-23","nav":"1.0130"}"#, token: token).status == .forbidden)
            let created = try await call(client, .post, "/v1/staff/wealth/products", """
                {"code":"RQ2601","name":"融e享期次","kind":"periodic","risk":"R3","minimum_fen":100000,"quota_fen":100000000,
                 "window_start":"2026-11-23","window_end":"2026-11-29","term_days":91,"expected_yield":"3.10"}
                """, token: staff)
            let periodic = try object(created)
            #expect(created.status == .ok && periodic["value_date"] as? String == "2026-11-30" && periodic["expected_yield"] as? String == "3.10")
            let list = try #require(try object(try await call(client, .get, "/v1/staff/wealth/products", token: staff))["data"] as? [[String: Any]])
            #expect(list.count == 3)
        }
    }

    @Test func portalAndConsolePages() async throws {
        try await withApp { client, t in
            let (r2, r3, account, principal) = try await setUp(t)
            let signIn = try await post(client, "/bank/sign-in", [("mobile", WealthProductHTTPTests.mobile), ("password", "Rong2026pass")])
            let cookie = sessionCookie(signIn)

            // The catalogue: risk badges, the NAV in ¥ terms, no profile yet.
            let products = try await get(client, "/bank/products", cookie: cookie)
            #expect(products.status == .ok)
            let html = PageTests.html(products)
            #expect(html.contains(#"class="risk risk-r2""#) && html.contains(#"class="risk risk-r3""#) && html.contains("1.0123") && html.contains("¥100.00"))
            #expect(html.contains(#"id="no-profile""#) && html.contains(#"id="nav-products""#))
            #expect(PageTests.html(try await get(client, "/bank/products?lang=en", cookie: cookie)).contains("Wealth products"))

            // The questionnaire page; a missing answer marks its question.
            let risk = PageTests.html(try await get(client, "/bank/risk", cookie: cookie))
            #expect(risk.components(separatedBy: "<fieldset").count - 1 == 10)
            var answers = (1...10).map { ("q\($0)", "B") }
            let missing = try await post(client, "/bank/risk", Array(answers.dropLast()), cookie: cookie)
            #expect(missing.status == .unprocessableContent && PageTests.html(missing).contains("请回答第 10 题"))
            answers.append(("product", r2.id.description))
            let assessed = try await post(client, "/bank/risk", answers, cookie: cookie)
            #expect(assessed.status == .seeOther && assessed.headers[.location] == "/bank/products/\(r2.id)?notice=assessed")

            // R3 is above C2: the product page says so and offers no buy form.
            let above = PageTests.html(try await get(client, "/bank/products/\(r3.id)", cookie: cookie))
            #expect(above.contains(#"class="suitability no""#) && above.contains("高于您的风险承受能力 C2") && !above.contains(#"id="buy-form""#))

            // R2: buy through the form; a resent form places one order.
            let page = PageTests.html(try await get(client, "/bank/products/\(r2.id)", cookie: cookie))
            #expect(page.contains(#"class="suitability ok""#) && page.contains("交易日 2026-11-23，确认日 2026-11-24") && page.contains(#"id="nav-chart""#) == false)
            #expect(page.contains(#"id="latest-nav">1.0123（2026-11-20）</dd>"#) && page.contains(#"<td class="amount">1.0123</td>"#))
            let key = try hidden(page, "idempotency_key")
            let fields = [("idempotency_key", key), ("account_id", account.id.description), ("amount", "1000")]
            let bought = try await post(client, "/bank/products/\(r2.id)/subscribe", fields, cookie: cookie)
            #expect(bought.status == .seeOther && bought.headers[.location] == "/bank/holdings?notice=subscribed")
            _ = try await post(client, "/bank/products/\(r2.id)/subscribe", fields, cookie: cookie)
            #expect(try await t.platform.wealth.orders(principal).count == 1)
            let tooSmall = try await post(client, "/bank/products/\(r2.id)/subscribe",
                                          [("idempotency_key", "k-small"), ("account_id", account.id.description), ("amount", "99.99")], cookie: cookie)
            #expect(tooSmall.status == .unprocessableContent && PageTests.html(tooSmall).contains("低于起购金额 ¥100.00"))
            let holdings = PageTests.html(try await get(client, "/bank/holdings?notice=subscribed", cookie: cookie))
            #expect(holdings.contains("购买申请已受理") && holdings.contains("¥1,000.00") && holdings.contains("待确认"))

            // The console: every staff role reads, operators publish NAVs.
            _ = try await t.identity.createStaff(by: nil, role: .operator, mobile: "13800001001", displayName: "运营", password: "Staff2026pw", address: "test")
            let staff = sessionCookie(try await post(client, "/console/sign-in", [("mobile", "13800001001"), ("password", "Staff2026pw")]))
            let list = PageTests.html(try await get(client, "/console/products", cookie: staff))
            #expect(list.contains("RW001") && list.contains(#"id="create-form""#) && list.contains("¥1,000.00"))
            let saturday = try await post(client, "/console/products/\(r2.id)/navs", [("date", "2026-11-21"), ("nav", "1.0200")], cookie: staff)
            #expect(saturday.status == .unprocessableContent && PageTests.html(saturday).contains("2026-11-21 不是工作日"))
            let published = try await post(client, "/console/products/\(r2.id)/navs", [("date", "2026-11-23"), ("nav", "1.0200")], cookie: staff)
            #expect(published.status == .seeOther)
            let detail = PageTests.html(try await get(client, "/console/products/\(r2.id)?lang=en", cookie: staff))
            #expect(detail.contains("1.0200") && detail.contains(#"id="nav-chart""#) && detail.contains("NAV history"))
            let created = try await post(client, "/console/products", [("code", "RG001"), ("name", "融e进取"), ("name_en", "Growth"), ("kind", "nav"),
                                                                         ("risk", "R4"), ("minimum", "1000"), ("quota", "5000000")], cookie: staff)
            #expect(created.status == .seeOther)
            #expect(try await t.platform.wealth.product(code: "RG001")?.risk == .r4)
        }
    }
}
