import Accounts
import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Interbank
import RongServer
import Testing

/// The server-rendered pages: languages, the cookie session (sign-in, refresh, sign-out), forms
/// that keep input and mark the field after an error, idempotent money forms, and the dev pages.
@Suite struct PageTests: PageSuite {
    static let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func html(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func encode(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
    }

    /// `name=value` pairs of the response's Set-Cookie headers, and the full header lines.
    static func cookies(_ response: TestResponse) -> (values: [String: String], lines: [String: String]) {
        var values: [String: String] = [:]
        var lines: [String: String] = [:]
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
            lines[String(pair[0])] = line
        }
        return (values, lines)
    }

    /// Registers 赵敏 (the browser-test person) through the service and signs her in through the page.
    func signedIn(_ client: some TestClientProtocol, _ t: TestPlatform) async throws -> String {
        let person = InterbankSimulator.browserTestZhaoMin
        _ = try await t.register(name: person.holderName, idNumber: person.idNumber, mobile: person.mobile)
        let response = try await post(client, "/bank/sign-in", [("mobile", person.mobile), ("password", "Rong2026pass")])
        return sessionCookie(response)
    }

    @Test func portalPagesInChineseAndEnglish() async throws {
        try await withApp { client, _ in
            let zh = try await get(client, "/bank/sign-in")
            #expect(zh.status == .ok)
            #expect(zh.headers[.contentType]?.hasPrefix("text/html") == true)
            let zhHTML = PageTests.html(zh)
            #expect(zhHTML.contains(#"<html lang="zh-CN">"#))
            #expect(zhHTML.contains("登录融e行"))
            #expect(zhHTML.contains(#"id="mobile" name="mobile""#))
            #expect(zhHTML.contains(#"href="/bank/sign-in?lang=en""#), "the switch keeps the page")

            let en = try await get(client, "/bank/sign-in?lang=en")
            let enHTML = PageTests.html(en)
            #expect(enHTML.contains(#"<html lang="en">"#))
            #expect(enHTML.contains("Sign in to e-Bank"))
            #expect(PageTests.cookies(en).values["rong_lang"] == "en", "the choice is remembered")
            // The cookie alone keeps English on the next page.
            let remembered = PageTests.html(try await get(client, "/bank/register", cookie: "rong_lang=en"))
            #expect(remembered.contains("Send code"))
            #expect(PageTests.html(try await get(client, "/bank/register")).contains("获取验证码"))
            // A form's hidden lang answers in its language.
            let refused = try await post(client, "/bank/register/code", [("mobile", "123"), ("lang", "en")])
            #expect(PageTests.html(refused).contains("The mobile number must be 11 digits"))
            #expect(PageTests.html(try await get(client, "/console/sign-in?lang=en")).contains("Staff sign-in"))
        }
    }

    @Test func signedOutPagesRedirectToTheirSignIn() async throws {
        try await withApp { client, _ in
            for path in ["/bank", "/bank/bind", "/bank/open", "/bank/password", "/bank/accounts/01900000-0000-7000-8000-000000000000"] {
                let response = try await get(client, path)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location] == "/bank/sign-in", "\(path)")
            }
            let console = try await get(client, "/console")
            #expect(console.status == .seeOther)
            #expect(console.headers[.location] == "/console/sign-in")
            // A session that no longer works is removed from the browser.
            let stale = try await get(client, "/bank", cookie: "rong_at=nonsense; rong_rt=rt_nonsense")
            #expect(stale.status == .seeOther)
            #expect(PageTests.cookies(stale).lines["rong_rt"]?.contains("Max-Age=0") == true)
        }
    }

    @Test func signInSetsSessionCookiesAndSignOutEndsTheSession() async throws {
        try await withApp { client, t in
            let person = InterbankSimulator.browserTestZhaoMin
            _ = try await t.register(name: person.holderName, idNumber: person.idNumber, mobile: person.mobile)

            let wrong = try await post(client, "/bank/sign-in", [("mobile", person.mobile), ("password", "Wrong2026pass")])
            #expect(wrong.status == .unprocessableContent)
            let wrongHTML = PageTests.html(wrong)
            #expect(wrongHTML.contains("手机号码或密码错误"))
            #expect(wrongHTML.contains(#"value="\#(person.mobile)""#), "the mobile is kept")
            #expect(wrongHTML.contains(#"autocomplete="current-password" class="invalid""#), "the password field is marked")
            #expect(!wrongHTML.contains("Wrong2026pass"), "a password is never echoed")

            let response = try await post(client, "/bank/sign-in", [("mobile", person.mobile), ("password", "Rong2026pass")])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/bank")
            let (values, lines) = PageTests.cookies(response)
            for name in ["rong_at", "rong_rt"] {
                let line = try #require(lines[name])
                #expect(line.contains("HttpOnly") && line.contains("SameSite=Strict") && line.contains("Path=/"), "\(line)")
                #expect(values[name]?.isEmpty == false)
            }
            let cookie = "rong_at=\(values["rong_at"]!); rong_rt=\(values["rong_rt"]!)"
            let overview = try await get(client, "/bank", cookie: cookie)
            #expect(overview.status == .ok)
            #expect(PageTests.html(overview).contains(#"<h1 id="customer-name">赵敏</h1>"#))

            // The access token expires after 15 minutes; the refresh cookie renews both.
            t.clock.advance(seconds: AccessTokens.lifetimeSeconds + 1)
            let renewed = try await get(client, "/bank", cookie: cookie)
            #expect(renewed.status == .ok)
            let fresh = PageTests.cookies(renewed).values
            #expect(fresh["rong_at"] != nil && fresh["rong_at"] != values["rong_at"])
            #expect(fresh["rong_rt"] != nil && fresh["rong_rt"] != values["rong_rt"], "refresh tokens rotate")
            let freshCookie = "rong_at=\(fresh["rong_at"]!); rong_rt=\(fresh["rong_rt"]!)"

            let out = try await post(client, "/bank/sign-out", [], cookie: freshCookie)
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/bank/sign-in")
            #expect(PageTests.cookies(out).lines["rong_at"]?.contains("Max-Age=0") == true)
            let after = try await get(client, "/bank", cookie: freshCookie)
            #expect(after.status == .seeOther, "the session ended on the server too")
        }
    }

    @Test func onboardingThroughTheFormsWithAnIdempotentFunding() async throws {
        try await withApp { client, t in
            let person = InterbankSimulator.browserTestZhaoMin
            let cookie = try await signedIn(client, t)
            let code = try await post(client, "/bank/bind/code", [("bank_code", person.bankCode), ("account_number", person.accountNumber)], cookie: cookie)
            #expect(code.status == .seeOther)
            let location = try #require(code.headers[.location])
            let challenge = try #require(location.components(separatedBy: "challenge=").last)
            let bound = try await post(client, "/bank/bind", [("bank_code", person.bankCode), ("account_number", person.accountNumber),
                                                              ("challenge", challenge), ("code", try await t.lastCode(person.mobile))], cookie: cookie)
            #expect(bound.headers[.location] == "/bank/open?notice=bound", "\(PageTests.html(bound))")

            let customer = try await t.accounts.customer(of: try await t.identity.authenticate(String(cookie.split(separator: ";")[0].dropFirst(8))))
            let card = try #require(try await t.accounts.boundAccounts(of: customer).first)
            let opened = try await post(client, "/bank/open", [("account_class", "II"), ("bound_account_id", card.id.description)], cookie: cookie)
            let accountPath = try #require(opened.headers[.location]?.components(separatedBy: "?").first)
            #expect(accountPath.hasPrefix("/bank/accounts/"))

            let badAmount = try await post(client, "\(accountPath)/fund", [("amount", "12.345"), ("idempotency_key", "k1")], cookie: cookie)
            #expect(badAmount.status == .unprocessableContent)
            #expect(PageTests.html(badAmount).contains(#"value="12.345" class="invalid""#))

            let key = t.platform.ids.next().description
            for _ in 0..<2 {   // a double submit moves the money once
                let funded = try await post(client, "\(accountPath)/fund", [("amount", "1234.56"), ("idempotency_key", key)], cookie: cookie)
                #expect(funded.headers[.location] == "\(accountPath)?notice=funded")
            }
            let page = PageTests.html(try await get(client, accountPath, cookie: cookie))
            #expect(page.contains(#"<div class="big" id="balance">¥1,234.56</div>"#))
            #expect(page.components(separatedBy: #"class="statement-line""#).count == 2, "one statement line")
            #expect(page.contains("+¥1,234.56"))
            #expect(page.contains(#"name="idempotency_key" value=""#))
        }
    }

    @Test func consoleSearchFreezeAndAuditByRole() async throws {
        try await withApp { client, t in
            let (_, account) = try await t.customerWithEAccount(.classII, name: "钱多多", idNumber: ResidentIDs.make(birth: "19880808", sequence: 31),
                                                                mobile: "13911112222", cardNumber: Cards.ccb(7))
            var cookies: [Role: String] = [:]
            for (index, role) in [Role.accountManager, .operator, .admin].enumerated() {
                let mobile = "1380000100\(index)"
                _ = try await t.identity.createStaff(by: nil, role: role, mobile: mobile, displayName: role.rawValue, password: "Staff2026pw", address: "test")
                let signIn = try await post(client, "/console/sign-in", [("mobile", mobile), ("password", "Staff2026pw")])
                #expect(signIn.headers[.location] == "/console")
                let values = PageTests.cookies(signIn).values
                cookies[role] = "rong_at=\(values["rong_at"]!); rong_rt=\(values["rong_rt"]!)"
            }
            let search = PageTests.html(try await get(client, "/console?q=%E9%92%B1%E5%A4%9A%E5%A4%9A", cookie: cookies[.accountManager]))
            let link = try #require(search.components(separatedBy: #"class="customer-link" href=""#).dropFirst().first?.components(separatedBy: "\"").first)
            #expect(link.hasPrefix("/console/customers/"))
            let managerView = PageTests.html(try await get(client, link, cookie: cookies[.accountManager]))
            #expect(managerView.contains("139****2222") && !managerView.contains("13911112222"), "the mobile is masked")
            #expect(!managerView.contains("freeze-form"), "account managers cannot freeze")
            let forbidden = try await get(client, "/console/audit", cookie: cookies[.accountManager])
            #expect(forbidden.status == .forbidden)

            let missingReason = try await post(client, "/console/accounts/\(account.id)/freeze", [("kind", "fraud"), ("reason", " ")], cookie: cookies[.operator])
            #expect(missingReason.status == .unprocessableContent)
            #expect(PageTests.html(missingReason).contains(#"name="reason" maxlength="200" value=" " class="invalid""#))
            let frozen = try await post(client, "/console/accounts/\(account.id)/freeze", [("kind", "fraud"), ("reason", "涉嫌电信诈骗")], cookie: cookies[.operator])
            #expect(frozen.headers[.location] == "\(link)?notice=frozen")
            let afterFreeze = PageTests.html(try await get(client, link, cookie: cookies[.operator]))
            #expect(afterFreeze.contains("unfreeze-form") && afterFreeze.contains("涉嫌电信诈骗"))

            let audit = try await get(client, "/console/audit", cookie: cookies[.admin])
            #expect(audit.status == .ok)
            #expect(PageTests.html(audit).contains("account.freeze"))
            // A staff session is not a portal session.
            let portal = try await get(client, "/bank", cookie: cookies[.admin])
            #expect(portal.headers[.location] == "/bank/sign-in")
        }
    }

    @Test func devSMSPageOnlyWhenDevPagesAreOn() async throws {
        try await withApp(devPages: false) { client, _ in
            let response = try await get(client, "/dev/sms")
            #expect(response.status == .notFound)
        }
        try await withApp(devPages: true) { client, t in
            _ = try await post(client, "/bank/register/code", [("mobile", "13700000001")])
            let html = PageTests.html(try await get(client, "/dev/sms"))
            #expect(html.contains(#"class="sms""#))
            #expect(html.contains(try await t.lastCode("13700000001")))
            #expect(html.contains("仅限开发环境"))
        }
    }
}
