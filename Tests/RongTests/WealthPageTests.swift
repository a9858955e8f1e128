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

/// Deposits through the portal pages and the JSON API, and the console's rate page.
@Suite struct WealthPageTests: PageSuite {
    static let mobile = "13933334444"

    func customer(_ t: TestPlatform, fundFen: Int64 = 20_000_00) async throws -> (Principal, EAccount) {
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "李雷", idNumber: ResidentIDs.make(birth: "19880808", sequence: 31),
                                                                    mobile: Self.mobile, cardNumber: Cards.ccb(31))
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: fundFen, idempotencyKey: "fund", address: "test")
        return (principal, account)
    }

    func signIn(_ client: some TestClientProtocol, mobile: String = mobile, password: String = "Rong2026pass", path: String = "/bank/sign-in") async throws -> String {
        sessionCookie(try await post(client, path, [("mobile", mobile), ("password", password)]))
    }

    @Test func depositThroughThePortalOnceEvenWhenSentTwice() async throws {
        try await withApp { client, t in
            let (principal, account) = try await customer(t)
            let cookie = try await signIn(client)
            let page = try await get(client, "/bank/deposits", cookie: cookie)
            #expect(page.status == .ok)
            let html = PageTests.html(page)
            #expect(html.contains("存款与利率") && html.contains(#"data-product="time_1y"><td>整存整取一年</td><td class="amount">1.50%</td>"#))
            #expect(html.contains(#"id="nav-deposits""#))
            let key = try hidden(html, "idempotency_key")

            // A bad amount: the form again (422) with the field marked and the input kept; nothing written.
            let bad = try await post(client, "/bank/deposits", [("account", account.id.description), ("kind", "time"), ("term", "12"),
                                                                ("on_maturity", "return"), ("amount", "12.345"), ("idempotency_key", key)], cookie: cookie)
            #expect(bad.status == .unprocessableContent)
            #expect(PageTests.html(bad).contains(#"id="amount" name="amount" inputmode="decimal" maxlength="16" value="12.345" class="invalid""#))
            let below = try await post(client, "/bank/deposits", [("account", account.id.description), ("kind", "time"), ("term", "12"),
                                                                  ("on_maturity", "return"), ("amount", "49.99"), ("idempotency_key", key)], cookie: cookie)
            #expect(PageTests.html(below).contains("起存金额"))
            #expect(try await t.platform.wealth.deposits(principal).isEmpty)

            let fields = [("account", account.id.description), ("kind", "time"), ("term", "12"), ("on_maturity", "renew"),
                          ("amount", "10000.00"), ("idempotency_key", key)]
            let first = try await post(client, "/bank/deposits", fields, cookie: cookie)
            #expect(first.status == .seeOther && first.headers[.location] == "/bank/deposits?notice=depositOpened")
            let second = try await post(client, "/bank/deposits", fields, cookie: cookie)
            #expect(second.status == .seeOther)
            let deposits = try await t.platform.wealth.deposits(principal)
            #expect(deposits.count == 1, "the same form twice deposits once")
            #expect(try await t.ledger.account(account.id)!.balance.postedCreditBalance == 10_000_00)

            // The list shows it; the detail page quotes today's withdrawal and withdraws.
            let listed = PageTests.html(try await get(client, "/bank/deposits?notice=depositOpened", cookie: cookie))
            #expect(listed.contains("存款成功") && listed.contains("¥10,000.00") && listed.contains("2027-11-23"))
            let id = deposits[0].deposit.id
            let detail = PageTests.html(try await get(client, "/bank/deposits/\(id)", cookie: cookie))
            #expect(detail.contains(#"id="principal">¥10,000.00<"#) && detail.contains(#"id="matures-on">2027-11-23<"#))
            // 12 months at 1.50%: 10,000 × 1.5% = ¥150.00 at maturity.
            #expect(detail.contains("¥150.00"))
            t.clock.advance(seconds: 30 * 86_400)
            let later = try await signIn(client)
            let quoted = PageTests.html(try await get(client, "/bank/deposits/\(id)", cookie: later))
            // Early, 30 days at the demand rate 0.35%: 10,000 × 0.35% × 30 ÷ 360 = ¥2.916… → ¥2.92.
            #expect(quoted.contains(#"id="quote-interest" class="amount">¥2.92<"#))
            let withdrawKey = try hidden(quoted, "idempotency_key")
            let partial = try await post(client, "/bank/deposits/\(id)/withdraw", [("amount", "9990.00"), ("idempotency_key", withdrawKey)], cookie: later)
            #expect(partial.status == .unprocessableContent, "¥10 would stay, below the ¥50 minimum")
            #expect(PageTests.html(partial).contains("起存金额"))
            let done = try await post(client, "/bank/deposits/\(id)/withdraw", [("amount", ""), ("idempotency_key", withdrawKey)], cookie: later)
            #expect(done.status == .seeOther && done.headers[.location] == "/bank/deposits?notice=depositWithdrawn")
            #expect(try await t.ledger.account(account.id)!.balance.postedCreditBalance == 20_000_00 + 2_92)
            let closed = PageTests.html(try await get(client, "/bank/deposits/\(id)?lang=en", cookie: later))
            #expect(closed.contains(#"id="deposit-status">Closed<"#) && closed.contains("Withdrawn"))
        }
    }

    @Test func sweepFormRefusesANegativeThreshold() async throws {
        try await withApp { client, t in
            let (_, account) = try await customer(t)
            let cookie = try await signIn(client)
            let refused = try await post(client, "/bank/sweeps/\(account.id)", [("threshold", "-5")], cookie: cookie)
            #expect(refused.status == .unprocessableContent)
            #expect(PageTests.html(refused).contains("sweep-error"))
            #expect(try await t.platform.wealth.sweepView(account.id) == nil, "nothing written")
            let set = try await post(client, "/bank/sweeps/\(account.id)", [("threshold", "5000")], cookie: cookie)
            #expect(set.status == .seeOther)
            let page = PageTests.html(try await get(client, "/bank/deposits", cookie: cookie))
            #expect(page.contains("已开通") && page.contains("¥5,000.00"))
            // The evening sweep moves what is above ¥5,000 into the fund (end-of-day at 00:05 the next morning).
            let today = t.clock.clock.businessDate()
            t.clock.set(today.adding(days: 1).instant(hour: 0, minute: 5))
            _ = try await t.platform.endOfDay.run(date: today)
            #expect(try await t.platform.wealth.sweepView(account.id)?.fundBalanceFen == 15_000_00)
            let stopped = try await post(client, "/bank/sweeps/\(account.id)/stop", [], cookie: try await signIn(client))
            #expect(stopped.status == .seeOther)
            #expect(try await t.ledger.account(account.id)!.balance.postedCreditBalance == 20_000_00)
        }
    }

    @Test func operatorsPublishRatesOnTheConsole() async throws {
        try await withApp { client, t in
            var cookies: [Role: String] = [:]
            for (index, role) in [Role.accountManager, .operator].enumerated() {
                let mobile = "1380000200\(index)"
                _ = try await t.identity.createStaff(by: nil, role: role, mobile: mobile, displayName: role.rawValue, password: "Staff2026pw", address: "test")
                cookies[role] = try await signIn(client, mobile: mobile, password: "Staff2026pw", path: "/console/sign-in")
            }
            let viewer = PageTests.html(try await get(client, "/console/rates", cookie: cookies[.accountManager]))
            #expect(viewer.contains("current-rates") && !viewer.contains("rate-form"), "staff read; only operators publish")
            #expect(try await post(client, "/console/rates", [("product", "demand"), ("rate", "0.30"), ("effective_from", "2026-12-01")],
                                   cookie: cookies[.accountManager]).status == .forbidden)

            let outOfRange = try await post(client, "/console/rates", [("product", "demand"), ("rate", "25"), ("effective_from", "2026-12-01")],
                                            cookie: cookies[.operator])
            #expect(outOfRange.status == .unprocessableContent)
            #expect(PageTests.html(outOfRange).contains("利率应大于 0%"))
            let past = try await post(client, "/console/rates", [("product", "demand"), ("rate", "0.30"), ("effective_from", "2026-11-23")],
                                      cookie: cookies[.operator])
            #expect(PageTests.html(past).contains("新利率须自未来日期起生效"))
            #expect(try await t.platform.wealth.rateHistory(.demand).count == 1, "nothing written")

            let published = try await post(client, "/console/rates", [("product", "demand"), ("rate", "0.30"), ("effective_from", "2026-12-01")],
                                           cookie: cookies[.operator])
            #expect(published.status == .seeOther)
            let page = PageTests.html(try await get(client, "/console/rates?notice=ratePublished", cookie: cookies[.operator]))
            #expect(page.contains("利率已发布") && page.contains(#"class="rate-history future" data-product="demand"><td>活期</td><td class="amount">0.30%</td><td>2026-12-01</td>"#))
            #expect(try await t.platform.wealth.rate(.demand, on: try BusinessDate(iso: "2026-11-30")) == AnnualRate(micros: 3_500))
            #expect(try await t.platform.wealth.rate(.demand, on: try BusinessDate(iso: "2026-12-01")) == AnnualRate(micros: 3_000))
        }
    }

    @Test func depositsThroughTheJSONAPI() async throws {
        try await withApp { client, t in
            let (_, account) = try await customer(t)
            // Access tokens last 15 minutes: sign in again after moving the clock.
            func signInToken() async throws -> String {
                let signIn = try await client.execute(uri: "/v1/auth/sessions", method: .post, headers: [.contentType: "application/json"],
                                                      body: ByteBuffer(string: #"{"realm":"retail","mobile":"\#(Self.mobile)","password":"Rong2026pass"}"#))
                let session = try #require(try JSONSerialization.jsonObject(with: Data(signIn.body.readableBytesView)) as? [String: Any])
                return try #require(session["access_token"] as? String)
            }
            var token = try await signInToken()
            func call(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, key: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
                var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
                if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
                let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
                return (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:])
            }
            let rates = try await call(.get, "/v1/wealth/rates?date=2015-10-24")
            #expect((rates.1["data"] as? [[String: Any]])?.first { $0["product"] as? String == "time_3y" }?["rate_percent"] as? String == "2.75")

            let body = #"{"kind":"tiered","source_account_id":"\#(account.id)","amount_fen":100000}"#
            let noKey = try await call(.post, "/v1/me/deposits", body)
            #expect(noKey.0 == .badRequest)
            let badTerm = try await call(.post, "/v1/me/deposits", #"{"kind":"time","source_account_id":"\#(account.id)","amount_fen":100000,"term_months":9}"#, key: "t1")
            #expect(badTerm.0 == .unprocessableContent && badTerm.1["code"] as? String == "term_not_offered")
            let opened = try await call(.post, "/v1/me/deposits", body, key: "d1")
            #expect(opened.0 == .ok && opened.1["kind"] as? String == "tiered" && opened.1["principal_fen"] as? Int == 100_000)
            let id = try #require(opened.1["id"] as? String)
            let conflict = try await call(.post, "/v1/me/deposits", #"{"kind":"tiered","source_account_id":"\#(account.id)","amount_fen":100001}"#, key: "d1")
            #expect(conflict.0 == .conflict)

            // Day 6: the demand rate; day 7: the 7-day notice rate (1.35%).
            t.clock.advance(seconds: 6 * 86_400)
            token = try await signInToken()
            let day6 = try await call(.get, "/v1/me/deposits/\(id)/quote")
            // 1,000 × 0.35% × 6 ÷ 360 = ¥0.0583 → ¥0.06.
            #expect(day6.1["interest_fen"] as? Int == 6 && day6.1["basis"] as? String == "tier:demand")
            t.clock.advance(seconds: 86_400)
            token = try await signInToken()
            let day7 = try await call(.get, "/v1/me/deposits/\(id)/quote")
            // 1,000 × 1.35% × 7 ÷ 360 = ¥0.2625 → ¥0.26.
            #expect(day7.1["interest_fen"] as? Int == 26 && day7.1["basis"] as? String == "tier:notice_7d")
            let withdrawn = try await call(.post, "/v1/me/deposits/\(id)/withdrawals", "{}", key: "w1")
            #expect(withdrawn.0 == .ok && withdrawn.1["total_fen"] as? Int == 100_026)
            let again = try await call(.post, "/v1/me/deposits/\(id)/withdrawals", "{}", key: "w1")
            #expect(again.0 == .ok && again.1["total_fen"] as? Int == 100_026, "the same key answers the same withdrawal")
            let detail = try await call(.get, "/v1/me/deposits/\(id)")
            #expect(detail.1["status"] as? String == "closed" && (detail.1["events"] as? [[String: Any]])?.count == 2)

            let interest = try await call(.get, "/v1/me/accounts/\(account.id)/demand-interest")
            #expect(interest.1["next_settlement_date"] as? String == "2026-12-20")
            let sweep = try await call(.post, "/v1/me/accounts/\(account.id)/sweep", #"{"threshold_fen":-1}"#)
            #expect(sweep.0 == .unprocessableContent && sweep.1["code"] as? String == "invalid_amount")
        }
    }
}
