import Accounts
import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Payments
import RongServer
import Testing

/// The e-Pay pages: the hosted pay page (both languages, a wrong code, the result, a limit
/// refusal), the merchant dashboard (its own sign-in; orders, refunds, webhooks), the console's
/// merchant onboarding and the portal's e-Pay limits.
@Suite struct PaymentPageTests: PageSuite {
    static let payerMobile = "13811112222"
    static let merchantMobile = "13900000021"
    static let merchantPassword = "Shop2026pass"

    /// A merchant with a dashboard contact (`merchantMobile` / `merchantPassword`).
    func merchant(_ t: TestPlatform, name: String = "杭州西湖龙井茶庄", serial: Int = 1, mobile: String = merchantMobile) async throws -> Merchant {
        let first17 = "91330100MA2" + String(format: "%06d", serial)
        let licence = first17 + String(CreditCode.checkCharacter(for: first17)!)
        return try await t.payments.onboardMerchant(by: t.operatorPrincipal, name: name, licenceNumber: licence, notifyURL: "https://merchant.example.com/notify",
                                                    contactMobile: mobile, contactPassword: PaymentPageTests.merchantPassword, address: "test").merchant
    }

    /// A customer with a funded Class II account; the account's last six digits.
    func payer(_ t: TestPlatform, fundFen: Int64 = 20_000_00) async throws -> String {
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "李雷", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451),
                                                                    mobile: PaymentPageTests.payerMobile, cardNumber: Cards.ccb(451))
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: fundFen, idempotencyKey: "fund-payer", address: "test")
        return String(account.accountNumber.suffix(6))
    }

    func merchantSignIn(_ client: some TestClientProtocol, mobile: String = merchantMobile) async throws -> String {
        let response = try await post(client, "/merchant/sign-in", [("mobile", mobile), ("password", PaymentPageTests.merchantPassword)])
        #expect(response.headers[.location] == "/merchant")
        return sessionCookie(response)
    }

    @Test func payPageInChineseAndEnglish() async throws {
        try await withApp { client, t in
            let merchant = try await merchant(t)
            let order = try await t.payments.createOrder(merchant: merchant, orderNumber: "P1", amountFen: 88_00, description: "西湖龙井 50g", expiresInSeconds: nil)
            let zh = try await get(client, "/pay/\(order.id)")
            #expect(zh.status == .ok)
            let html = PageTests.html(zh)
            #expect(html.contains(#"<html lang="zh-CN">"#))
            #expect(html.contains(#"<h1 id="merchant-name">杭州西湖龙井茶庄</h1>"#))
            #expect(html.contains(#"<div class="big" id="order-amount">¥88.00</div>"#))
            #expect(html.contains("西湖龙井 50g") && html.contains("待支付"))
            #expect(html.contains(#"<td id="time-left">剩余 30 分 00 秒</td>"#))
            #expect(html.contains(#"id="mobile" name="mobile""#) && html.contains(#"id="account_last6" name="account_last6""#))
            #expect(!html.contains("sign-out"), "no sign-in on the pay page")

            t.clock.advance(seconds: 90)
            let en = PageTests.html(try await get(client, "/pay/\(order.id)?lang=en"))
            #expect(en.contains(#"<html lang="en">"#))
            #expect(en.contains("Awaiting payment") && en.contains("28 min 30 s left") && en.contains("Send code"))

            t.clock.advance(seconds: 1800)
            let expired = PageTests.html(try await get(client, "/pay/\(order.id)"))
            #expect(expired.contains("已过期") && expired.contains(#"id="pay-result""#) && expired.contains("订单已过期"))
            #expect(!expired.contains(#"id="mobile""#))

            let missing = try await get(client, "/pay/01900000-0000-7000-8000-000000000000")
            #expect(missing.status == .notFound)
        }
    }

    @Test func wrongCodeReRendersTheFormThenThePaymentSucceeds() async throws {
        try await withApp { client, t in
            let merchant = try await merchant(t)
            let last6 = try await payer(t)
            let order = try await t.payments.createOrder(merchant: merchant, orderNumber: "P2", amountFen: 88_00, description: "茶叶", expiresInSeconds: nil)

            let unknown = try await post(client, "/pay/\(order.id)/code", [("mobile", PaymentPageTests.payerMobile), ("account_last6", "000000")])
            #expect(unknown.status == .unprocessableContent)
            let unknownHTML = PageTests.html(unknown)
            #expect(unknownHTML.contains("手机号码与账号后六位未能匹配本行账户"))
            #expect(unknownHTML.contains(#"value="\#(PaymentPageTests.payerMobile)""#), "the mobile is kept")
            #expect(unknownHTML.contains(#"value="000000" class="invalid""#))

            let sent = try await post(client, "/pay/\(order.id)/code", [("mobile", PaymentPageTests.payerMobile), ("account_last6", last6)])
            #expect(sent.status == .seeOther)
            let location = try #require(sent.headers[.location])
            #expect(location.hasPrefix("/pay/\(order.id)?challenge="))
            let challenge = try #require(location.components(separatedBy: "challenge=").last?.components(separatedBy: "&").first)
            let step2 = PageTests.html(try await get(client, location))
            #expect(step2.contains(#"id="code" name="code""#) && step2.contains("138****2222"))

            let code = try await t.lastCode(PaymentPageTests.payerMobile)
            let wrongCode = code == "000000" ? "111111" : "000000"
            let wrong = try await post(client, "/pay/\(order.id)/confirm", [("challenge", challenge), ("code", wrongCode), ("to", "138****2222")])
            #expect(wrong.status == .unprocessableContent)
            let wrongHTML = PageTests.html(wrong)
            #expect(wrongHTML.contains("验证码错误"))
            #expect(wrongHTML.contains(#"value="\#(wrongCode)" class="invalid""#), "the code field is marked")
            #expect(wrongHTML.contains(#"name="challenge" value="\#(challenge)""#), "still step 2")
            #expect(try await t.payments.order(id: order.id)?.status == .created)

            let paid = try await post(client, "/pay/\(order.id)/confirm", [("challenge", challenge), ("code", code)])
            #expect(paid.headers[.location] == "/pay/\(order.id)")
            let result = PageTests.html(try await get(client, "/pay/\(order.id)"))
            #expect(result.contains(#"id="pay-result" data-outcome="paid""#) && result.contains("支付成功"))
            #expect(result.contains(#"<div class="big" id="paid-amount">¥88.00</div>"#) && result.contains("杭州西湖龙井茶庄"))
            #expect(!result.contains(#"id="mobile""#), "a paid order offers no form")
            #expect(PageTests.html(try await get(client, "/pay/\(order.id)?lang=en")).contains("Payment successful"))
        }
    }

    @Test func aPaymentOverTheLimitNamesTheLimit() async throws {
        try await withApp { client, t in
            let merchant = try await merchant(t)
            let last6 = try await payer(t)
            let order = try await t.payments.createOrder(merchant: merchant, orderNumber: "BIG", amountFen: 6_000_00, description: "礼盒", expiresInSeconds: nil)
            let sent = try await post(client, "/pay/\(order.id)/code", [("mobile", PaymentPageTests.payerMobile), ("account_last6", last6)])
            let challenge = try #require(sent.headers[.location]?.components(separatedBy: "challenge=").last?.components(separatedBy: "&").first)
            let refused = try await post(client, "/pay/\(order.id)/confirm", [("challenge", challenge), ("code", try await t.lastCode(PaymentPageTests.payerMobile))])
            #expect(refused.status == .unprocessableContent)
            let html = PageTests.html(refused)
            #expect(html.contains(#"id="pay-result" data-outcome="refused""#))
            #expect(html.contains("超过e支付单笔限额 ¥5,000.00"), "\(html)")
            #expect(html.contains(#"href="/bank/limits""#) && html.contains(#"id="retry-link""#))
        }
    }

    @Test func theMerchantDashboardNeedsAMerchantSignIn() async throws {
        try await withApp { client, t in
            _ = try await merchant(t)
            let signedOut = try await get(client, "/merchant")
            #expect(signedOut.status == .seeOther)
            #expect(signedOut.headers[.location] == "/merchant/sign-in")
            #expect(PageTests.html(try await get(client, "/merchant/sign-in")).contains("商户登录"))

            // A customer's session does not open the dashboard, nor does a customer's password sign in there.
            _ = try await t.register(name: "李雷", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451), mobile: PaymentPageTests.payerMobile)
            let customer = sessionCookie(try await post(client, "/bank/sign-in", [("mobile", PaymentPageTests.payerMobile), ("password", "Rong2026pass")]))
            for path in ["/merchant", "/merchant/webhooks"] {
                let refused = try await get(client, path, cookie: customer)
                #expect(refused.status == .seeOther, "\(path)")
                #expect(refused.headers[.location] == "/merchant/sign-in", "\(path)")
            }
            let created = try await post(client, "/merchant/orders", [("order_number", "X1"), ("amount", "1.00"), ("description", "x")], cookie: customer)
            #expect(created.headers[.location] == "/merchant/sign-in")
            let wrongRealm = try await post(client, "/merchant/sign-in", [("mobile", PaymentPageTests.payerMobile), ("password", "Rong2026pass")])
            #expect(wrongRealm.status == .unprocessableContent)
            #expect(PageTests.html(wrongRealm).contains("手机号码或密码错误"))

            let cookie = try await merchantSignIn(client)
            let dashboard = try await get(client, "/merchant", cookie: cookie)
            #expect(dashboard.status == .ok)
            let html = PageTests.html(dashboard)
            #expect(html.contains(#"<h1 id="merchant-name">杭州西湖龙井茶庄</h1>"#) && html.contains(#"id="no-orders""#))
            #expect(html.contains(#"name="order_number" maxlength="32" autocomplete="off" value="T"#), "a fresh order number is pre-filled")
            // The merchant's session is not a portal session.
            #expect(try await get(client, "/bank", cookie: cookie).headers[.location] == "/bank/sign-in")
        }
    }

    @Test func ordersRefundsAndWebhooksFromTheDashboard() async throws {
        try await withApp { client, t in
            let merchant = try await merchant(t)
            let other = try await self.merchant(t, name: "深圳华强数码专营店", serial: 2, mobile: "13900000022")
            let last6 = try await payer(t)
            let cookie = try await merchantSignIn(client)

            let badAmount = try await post(client, "/merchant/orders", [("order_number", "T1"), ("amount", "12.345"), ("description", "龙井")], cookie: cookie)
            #expect(badAmount.status == .unprocessableContent)
            #expect(PageTests.html(badAmount).contains(#"value="12.345" class="invalid""#))
            #expect(PageTests.html(badAmount).contains(#"value="T1""#), "the unused order number is kept")

            for _ in 0..<2 {   // the order number makes a double submission one order
                let created = try await post(client, "/merchant/orders", [("order_number", "T1"), ("amount", "88"), ("description", "龙井")], cookie: cookie)
                #expect(created.headers[.location]?.hasSuffix("?notice=order_created") == true)
            }
            let order = try #require(try await t.payments.orders(of: merchant).first)
            #expect(try await t.payments.orders(of: merchant).count == 1)
            #expect(order.amountFen == 88_00)
            let detail = PageTests.html(try await get(client, "/merchant/orders/\(order.id)?notice=order_created", cookie: cookie))
            #expect(detail.contains(#"id="pay-link" href="/pay/\#(order.id)""#) && detail.contains("订单已创建"))
            #expect(!detail.contains("refund-form"), "an unpaid order cannot be refunded")
            #expect(!detail.contains("close-error"), "no empty error box")

            let theirs = try await t.payments.createOrder(merchant: other, orderNumber: "O1", amountFen: 1_00, description: "数据线", expiresInSeconds: nil)
            #expect(try await get(client, "/merchant/orders/\(theirs.id)", cookie: cookie).status == .notFound)

            let challenge = try await t.payments.requestPaymentCode(orderID: order.id, mobile: PaymentPageTests.payerMobile, accountLast6: last6, address: "test")
            _ = try await t.payments.confirm(orderID: order.id, challengeID: challenge.id, code: try await t.lastCode(PaymentPageTests.payerMobile), address: "test")

            let paidPage = PageTests.html(try await get(client, "/merchant/orders/\(order.id)", cookie: cookie))
            #expect(paidPage.contains(#"id="refund-form""#) && paidPage.contains(#"name="refund_number" maxlength="32" autocomplete="off" value="R"#))
            let tooMuch = try await post(client, "/merchant/orders/\(order.id)/refunds", [("refund_number", "R1"), ("amount", "88.01"), ("reason", "x")], cookie: cookie)
            #expect(tooMuch.status == .unprocessableContent)
            #expect(PageTests.html(tooMuch).contains("退款总额不能超过订单实收金额"))
            let refunded = try await post(client, "/merchant/orders/\(order.id)/refunds", [("refund_number", "R2"), ("amount", "8.00"), ("reason", "少发一包")], cookie: cookie)
            #expect(refunded.headers[.location] == "/merchant/orders/\(order.id)?notice=refunded")
            let afterRefund = PageTests.html(try await get(client, "/merchant/orders/\(order.id)", cookie: cookie))
            #expect(afterRefund.contains(#"data-number="R2" data-status="succeeded""#) && afterRefund.contains("退款成功"))
            #expect(afterRefund.contains(#"<div class="big" id="refundable">¥80.00</div>"#) && afterRefund.contains("部分退款"))

            let list = PageTests.html(try await get(client, "/merchant", cookie: cookie))
            #expect(list.contains(#"data-number="T1" data-status="partially_refunded""#) && list.contains("¥88.00"))
            #expect(list.contains(#"id="settlement-balance">¥80.00<"#))

            let webhooks = PageTests.html(try await get(client, "/merchant/webhooks", cookie: cookie))
            #expect(webhooks.contains("order.paid") && webhooks.contains("refund.succeeded") && webhooks.contains("待发送"))
            let delivery = try #require(try await t.payments.webhooks.deliveries(merchantID: merchant.id).first)
            let pending = try await post(client, "/merchant/webhooks/\(delivery.id)/replay", [], cookie: cookie)
            #expect(pending.status == .conflict)
            #expect(PageTests.html(pending).contains("该通知正在等待发送"))
            let one = PageTests.html(try await get(client, "/merchant/webhooks/\(delivery.id)", cookie: cookie))
            #expect(one.contains(#"id="webhook-payload""#) && one.contains(#"id="no-attempts""#))

            // Rotating the signing secret shows the new one once, on the answer itself.
            let rotated = try await post(client, "/merchant/signing-secret", [], cookie: cookie)
            #expect(rotated.status == .ok)
            let page = PageTests.html(rotated)
            let secret = try #require(page.range(of: #"whsec_[0-9a-f]{48}"#, options: .regularExpression).map { String(page[$0]) })
            #expect(page.contains(#"id="new-signing-secret">\#(secret)<"#) && page.contains("旧密钥的签名保留至"))
            #expect(try await t.platform.database.first("SELECT signing_secret FROM payments_merchants WHERE id = ?", [.id(merchant.id)])?.text("signing_secret") == secret)
            #expect(!PageTests.html(try await get(client, "/merchant/webhooks", cookie: cookie)).contains(secret), "never shown again")
        }
    }

    @Test func consoleOnboardingShowsTheCredentialsOnce() async throws {
        try await withApp { client, t in
            var cookies: [Role: String] = [:]
            for (index, role) in [Role.accountManager, .operator].enumerated() {
                let mobile = "1380000100\(index)"
                _ = try await t.identity.createStaff(by: nil, role: role, mobile: mobile, displayName: role.rawValue, password: "Staff2026pw", address: "test")
                cookies[role] = sessionCookie(try await post(client, "/console/sign-in", [("mobile", mobile), ("password", "Staff2026pw")]))
            }
            let first17 = "91330100MA2000099"
            let licence = first17 + String(CreditCode.checkCharacter(for: first17)!)
            let fields = [("name", "西湖茶社"), ("licence_number", licence), ("notify_url", "https://tea.example.com/notify"),
                          ("contact_mobile", "13900000031"), ("contact_password", "Shop2026pass")]

            let managerList = PageTests.html(try await get(client, "/console/merchants", cookie: cookies[.accountManager]))
            #expect(managerList.contains("nav-merchants") && !managerList.contains("onboard-form"), "account managers only see the list")
            #expect(try await post(client, "/console/merchants", fields, cookie: cookies[.accountManager]).status == .forbidden)

            let badLicence = try await post(client, "/console/merchants", fields.map { $0.0 == "licence_number" ? ($0.0, first17 + "0") : $0 },
                                            cookie: cookies[.operator])
            #expect(badLicence.status == .unprocessableContent)
            let badHTML = PageTests.html(badLicence)
            #expect(badHTML.contains("统一社会信用代码") && badHTML.contains(#"value="\#(first17)0" class="invalid""#))
            #expect(!badHTML.contains("Shop2026pass"), "a password is never echoed")

            let created = try await post(client, "/console/merchants", fields, cookie: cookies[.operator])
            #expect(created.status == .ok)
            #expect(created.headers[.cacheControl] == "no-store")
            let html = PageTests.html(created)
            #expect(html.contains(#"id="api-key" class="mono" value="mk_"#) && html.contains(#"id="signing-secret" class="mono" value="whsec_"#))
            #expect(html.contains("只显示这一次"))
            let list = PageTests.html(try await get(client, "/console/merchants", cookie: cookies[.operator]))
            #expect(list.contains("西湖茶社") && !list.contains("mk_") && !list.contains("whsec_"))
            // The contact signs in to the dashboard.
            #expect(try await post(client, "/merchant/sign-in", [("mobile", "13900000031"), ("password", "Shop2026pass")]).headers[.location] == "/merchant")
        }
    }

    @Test func portalLimitsChangeWithACode() async throws {
        try await withApp { client, t in
            _ = try await t.register(name: "李雷", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451), mobile: PaymentPageTests.payerMobile)
            let cookie = sessionCookie(try await post(client, "/bank/sign-in", [("mobile", PaymentPageTests.payerMobile), ("password", "Rong2026pass")]))
            let page = PageTests.html(try await get(client, "/bank/limits", cookie: cookie))
            #expect(page.contains(#"id="limit-per-transaction">¥5,000.00<"#) && page.contains(#"id="limit-per-month">¥50,000.00<"#))
            #expect(page.contains(#"id="nav-limits""#))

            let inverted = try await post(client, "/bank/limits/code", [("per_transaction", "8000"), ("per_day", "6000")], cookie: cookie)
            #expect(inverted.status == .unprocessableContent)
            #expect(PageTests.html(inverted).contains("单笔限额不能超过日累计限额"))
            let tooHigh = try await post(client, "/bank/limits/code", [("per_transaction", "8000"), ("per_day", "20000")], cookie: cookie)
            #expect(PageTests.html(tooHigh).contains(#"value="20000" class="invalid""#))

            let sent = try await post(client, "/bank/limits/code", [("per_transaction", "8000"), ("per_day", "10000.00")], cookie: cookie)
            let location = try #require(sent.headers[.location])
            #expect(location.hasPrefix("/bank/limits?per_transaction=8000.00&per_day=10000.00&challenge="))
            let challenge = try #require(location.components(separatedBy: "challenge=").last)
            #expect(PageTests.html(try await get(client, location, cookie: cookie)).contains(#"id="new-per-day">¥10,000.00<"#))
            let changed = try await post(client, "/bank/limits", [("per_transaction", "8000.00"), ("per_day", "10000.00"), ("challenge", challenge),
                                                                  ("code", try await t.lastCode(PaymentPageTests.payerMobile))], cookie: cookie)
            #expect(changed.headers[.location] == "/bank/limits?notice=limits")
            let after = PageTests.html(try await get(client, "/bank/limits?notice=limits", cookie: cookie))
            #expect(after.contains(#"id="limit-per-transaction">¥8,000.00<"#) && after.contains("e支付限额已调整"))
        }
    }
}
