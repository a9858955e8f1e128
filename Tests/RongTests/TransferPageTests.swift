import Accounts
import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Interbank
import Payments
import RongServer
import Testing

/// The transfer pages: a transfer to a new payee at another bank with the code step, a second
/// one to the saved payee without it, a transfer within this bank, the history and payees; the
/// console's clearing list (operators only) and the reconciliation run with a break resolved.
@Suite struct TransferPageTests: PageSuite {
    static let mobile = "13811110000"
    static let creditor = ClearingParty(name: "周强", accountNumber: Cards.ccb(777_001), bankCode: "105")

    /// 周强's account at CCB in the simulator, and 韩梅梅 with a Class II e-account holding ¥20,000.
    func sender(_ t: TestPlatform) async throws -> (Principal, EAccount) {
        try await t.platform.interbankSimulator.addTestAccount(SimulatedAccount(
            bankCode: "105", accountNumber: Self.creditor.accountNumber, holderName: Self.creditor.name,
            idNumber: ResidentIDs.make(birth: "19850101", sequence: 21), mobile: "13922223333", status: .open, balanceFen: 0))
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "韩梅梅", idNumber: ResidentIDs.make(birth: "19920202", sequence: 62),
                                                                    mobile: Self.mobile, cardNumber: Cards.ccb(62))
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 20_000_00, idempotencyKey: "fund", address: "test")
        return (principal, account)
    }

    func signIn(_ client: some TestClientProtocol, _ path: String = "/bank/sign-in", mobile: String = mobile, password: String = "Rong2026pass") async throws -> String {
        sessionCookie(try await post(client, path, [("mobile", mobile), ("password", password)]))
    }

    /// A transfer made through the service (the code step included), as `InterbankTransferTests` does.
    func transfer(_ t: TestPlatform, _ principal: Principal, _ account: EAccount, amountFen: Int64, key: String) async throws -> InterbankTransfer {
        t.clock.advance(seconds: OTPService.resendIntervalSeconds + 1)
        let challenge = try await t.payments.requestPayeeCode(principal, creditor: Self.creditor)
        return try await t.payments.transferToOtherBank(principal, accountID: account.id, creditor: Self.creditor, amountFen: amountFen, timing: .realTime,
                                                        memo: "房租", otpChallengeID: challenge.id, otpCode: try await t.lastCode(Self.mobile),
                                                        idempotencyKey: key, address: "test")
    }

    @Test func aNewPayeeNeedsTheCodeThenTheSavedPayeeDoesNot() async throws {
        try await withApp { client, t in
            let (principal, account) = try await sender(t)
            t.clock.advance(seconds: OTPService.resendIntervalSeconds + 1)   // the bind code was just sent to the same mobile
            let cookie = try await signIn(client)
            let form = PageTests.html(try await get(client, "/bank/transfer", cookie: cookie))
            #expect(form.contains(#"id="nav-transfer" href="/bank/transfer""#) && form.contains(#"id="nav-transfers""#))
            #expect(form.contains(#"<option value="\#(account.id)" selected>"#) && form.contains("¥20,000.00"))
            #expect(form.contains(#"<option value="888">888 融银行</option>"#) && form.contains(#"<option value="105">"#))
            #expect(form.contains(#"value="real_time" checked> 实时到账"#) && form.contains("2小时后到账") && form.contains("次日到账"))
            let key = try hidden(form, "idempotency_key")
            let fields = [("account_id", account.id.description), ("payee_id", ""), ("payee_name", Self.creditor.name), ("bank_code", "105"),
                          ("account_number", Self.creditor.accountNumber), ("amount", "1234.56"), ("memo", "房租"), ("timing", "real_time"),
                          ("idempotency_key", key)]

            let badAmount = try await post(client, "/bank/transfer", fields.map { $0.0 == "amount" ? ($0.0, "12.345") : $0 }, cookie: cookie)
            #expect(badAmount.status == .unprocessableContent)
            let badHTML = PageTests.html(badAmount)
            #expect(badHTML.contains(#"value="12.345" class="invalid""#) && badHTML.contains("金额格式不正确"))
            #expect(badHTML.contains(#"value="\#(Self.creditor.accountNumber)""#), "the payee is kept")

            // A new payee: the code is sent and step 2 keeps every field and the same key.
            let step2 = try await post(client, "/bank/transfer", fields, cookie: cookie)
            #expect(step2.status == .ok)
            let step2HTML = PageTests.html(step2)
            #expect(step2HTML.contains(#"id="transfer-code-form""#) && step2HTML.contains("验证新收款人"))
            #expect(step2HTML.contains(#"id="summary-amount">¥1,234.56<"#) && step2HTML.contains(#"id="summary-payee">周强<"#))
            #expect(try hidden(step2HTML, "idempotency_key") == key)
            let challenge = try hidden(step2HTML, "challenge")
            let code = try await t.lastCode(Self.mobile)
            let withCode = fields + [("challenge", challenge)]

            let wrongCode = code == "000000" ? "111111" : "000000"
            let wrong = try await post(client, "/bank/transfer", withCode + [("code", wrongCode)], cookie: cookie)
            #expect(wrong.status == .unprocessableContent)
            let wrongHTML = PageTests.html(wrong)
            #expect(wrongHTML.contains("验证码错误") && wrongHTML.contains(#"value="\#(wrongCode)" class="invalid""#))
            #expect(try hidden(wrongHTML, "challenge") == challenge && (try hidden(wrongHTML, "idempotency_key")) == key, "still step 2, same key")

            let sent = try await post(client, "/bank/transfer", withCode + [("code", code)], cookie: cookie)
            #expect(sent.status == .seeOther)
            let location = try #require(sent.headers[.location])
            #expect(location.hasPrefix("/bank/transfers/"))
            // The same submission again moves nothing more.
            #expect(try await post(client, "/bank/transfer", withCode + [("code", code)], cookie: cookie).headers[.location] == location)
            let result = PageTests.html(try await get(client, location, cookie: cookie))
            #expect(result.contains(#"data-status="settled""#) && result.contains("已到账"))
            #expect(result.contains(#"id="transfer-amount">¥1,234.56<"#) && result.contains(#"id="transfer-payee">周强<"#))
            #expect(result.contains(AccountNumberFormat.masked(Self.creditor.accountNumber)) && result.contains(#"id="transfer-path">实时<"#))
            #expect(PageTests.html(try await get(client, location + "?lang=en", cookie: cookie)).contains("Credited"))
            #expect(try await t.platform.interbankSimulator.balance(bankCode: "105", accountNumber: Self.creditor.accountNumber) == 1_234_56)

            let payees = PageTests.html(try await get(client, "/bank/payees", cookie: cookie))
            let payee = try #require(try await t.payments.payees(principal).first)
            #expect(payees.contains(#"class="payee-name">周强<"#) && payees.contains("/bank/transfer?payee=\(payee.id)"))

            // The saved payee: straight to the result, two hours later.
            t.clock.advance(seconds: 60)
            let again = PageTests.html(try await get(client, "/bank/transfer?payee=\(payee.id)", cookie: cookie))
            #expect(again.contains(#"<option value="\#(payee.id)" selected>"#))
            let later = try await post(client, "/bank/transfer", [("account_id", account.id.description), ("payee_id", payee.id.description), ("amount", "100"),
                                                                 ("timing", "two_hours"), ("idempotency_key", try hidden(again, "idempotency_key"))], cookie: cookie)
            #expect(later.status == .seeOther, "no code for a saved payee")
            let laterHTML = PageTests.html(try await get(client, try #require(later.headers[.location]), cookie: cookie))
            #expect(laterHTML.contains(#"data-status="accepted""#) && laterHTML.contains("已受理") && laterHTML.contains("2小时后到账"))
            #expect(laterHTML.contains(#"id="transfer-release">2026-11-23 12:02:01<"#))

            let history = PageTests.html(try await get(client, "/bank/transfers", cookie: cookie))
            #expect(history.components(separatedBy: #"<tr class="transfer""#).count == 3)
            #expect(history.contains(#"data-status="settled""#) && history.contains(#"data-status="accepted""#) && history.contains("¥1,234.56"))
            #expect(history.range(of: "¥100.00")!.lowerBound < history.range(of: "¥1,234.56")!.lowerBound, "newest first")
        }
    }

    @Test func aTransferWithinThisBankIsRealTimeOnlyAndAsksForACode() async throws {
        try await withApp { client, t in
            let (_, account) = try await sender(t)
            let (_, payeeAccount) = try await t.customerWithEAccount(.classII, name: "李雷", idNumber: ResidentIDs.make(birth: "19900307", sequence: 451),
                                                                     mobile: "13811112222", cardNumber: Cards.ccb(451))
            t.clock.advance(seconds: OTPService.resendIntervalSeconds + 1)
            let cookie = try await signIn(client)
            let key = try hidden(PageTests.html(try await get(client, "/bank/transfer", cookie: cookie)), "idempotency_key")
            var fields = [("account_id", account.id.description), ("payee_name", "李雷"), ("bank_code", ThisBank.bankCode),
                          ("account_number", payeeAccount.accountNumber), ("amount", "50"), ("timing", "next_day"), ("idempotency_key", key)]
            let delayed = try await post(client, "/bank/transfer", fields, cookie: cookie)
            #expect(delayed.status == .unprocessableContent)
            #expect(PageTests.html(delayed).contains("本行账户之间只能实时到账") && PageTests.html(delayed).contains(#"id="timing" class="invalid""#))

            fields = fields.map { $0.0 == "timing" ? ($0.0, "real_time") : $0 }
            let wrongName = try await post(client, "/bank/transfer", fields.map { $0.0 == "payee_name" ? ($0.0, "李四") : $0 }, cookie: cookie)
            #expect(PageTests.html(wrongName).contains("收款人户名与账号不符") && PageTests.html(wrongName).contains(#"value="李四" class="invalid""#))

            let step2 = PageTests.html(try await post(client, "/bank/transfer", fields, cookie: cookie))
            #expect(step2.contains(#"id="transfer-code-form""#) && step2.contains(#"id="summary-bank">融银行<"#))
            let sent = try await post(client, "/bank/transfer", fields + [("challenge", try hidden(step2, "challenge")), ("code", try await t.lastCode(Self.mobile)),
                                                                           ("idempotency_key", try hidden(step2, "idempotency_key"))], cookie: cookie)
            let location = try #require(sent.headers[.location])
            let result = PageTests.html(try await get(client, location, cookie: cookie))
            #expect(result.contains("已到账") && result.contains(#"id="transfer-amount">¥50.00<"#) && result.contains(#"id="transfer-bank">融银行<"#))
            #expect(try await t.ledger.account(payeeAccount.id)!.balance.postedCreditBalance == 50_00)
        }
    }

    @Test func theClearingPageIsForOperators() async throws {
        try await withApp { client, t in
            let (principal, account) = try await sender(t)
            let transfer = try await transfer(t, principal, account, amountFen: 2_000_00, key: "c1")
            var cookies: [Role: String] = [:]
            for (index, role) in [Role.accountManager, .operator].enumerated() {
                let mobile = "1380000100\(index)"
                _ = try await t.identity.createStaff(by: nil, role: role, mobile: mobile, displayName: role.rawValue, password: "Staff2026pw", address: "test")
                cookies[role] = try await signIn(client, "/console/sign-in", mobile: mobile, password: "Staff2026pw")
            }
            let customer = try await signIn(client)
            let refused = try await get(client, "/console/clearing", cookie: customer)
            #expect(refused.status == .seeOther && refused.headers[.location] == "/console/sign-in")
            #expect(try await get(client, "/console/clearing").headers[.location] == "/console/sign-in")
            #expect(try await get(client, "/console/clearing", cookie: cookies[.accountManager]).status == .forbidden)
            #expect(try await get(client, "/console/reconciliation", cookie: cookies[.accountManager]).status == .forbidden)
            #expect(!PageTests.html(try await get(client, "/console", cookie: cookies[.accountManager])).contains("nav-clearing"))

            let page = try await get(client, "/console/clearing", cookie: cookies[.operator])
            #expect(page.status == .ok)
            let html = PageTests.html(page)
            #expect(html.contains(#"id="nav-clearing""#) && html.contains(#"id="nav-reconciliation""#))
            #expect(html.contains(#"data-id="\#(transfer.id)" data-status="settled""#) && html.contains("¥2,000.00") && html.contains("周强"))
            #expect(html.contains(AccountNumberFormat.grouped(account.accountNumber)))
            #expect(PageTests.html(try await get(client, "/console/clearing?status=settled", cookie: cookies[.operator])).contains(#"data-id="\#(transfer.id)""#))
            let rejected = PageTests.html(try await get(client, "/console/clearing?status=rejected", cookie: cookies[.operator]))
            #expect(rejected.contains(#"id="no-transfers""#) && rejected.contains(#"<option value="rejected" selected>"#))
            let bogus = try await get(client, "/console/clearing?status=bogus", cookie: cookies[.operator])
            #expect(bogus.status == .unprocessableContent)
            #expect(PageTests.html(bogus).contains("请选择有效的状态"))
        }
    }

    @Test func reconciliationRunsAndABreakIsResolved() async throws {
        try await withApp { client, t in
            let (principal, account) = try await sender(t)
            _ = try await transfer(t, principal, account, amountFen: 1_234_56, key: "r1")
            _ = try await t.platform.clearingHouse.originateIncoming(
                from: ClearingParty(name: "张伟", accountNumber: InterbankSimulator.demoZhangWei.accountNumber, bankCode: "105"),
                to: ClearingParty(name: "韩梅梅", accountNumber: account.accountNumber, bankCode: ThisBank.bankCode), amountFen: 50_00, remittance: "红包")
            _ = try await t.payments.processIncoming()
            // Rong loses the record of the incoming credit; the next day reconciles this one.
            try await t.platform.database.execute("DELETE FROM payments_incoming")
            t.clock.advance(seconds: 86_400)
            _ = try await t.identity.createStaff(by: nil, role: .operator, mobile: "13800001001", displayName: "运营", password: "Staff2026pw", address: "test")
            let cookie = try await signIn(client, "/console/sign-in", mobile: "13800001001", password: "Staff2026pw")

            let before = PageTests.html(try await get(client, "/console/reconciliation", cookie: cookie))
            #expect(before.contains(#"name="date" max="2026-11-24" value="2026-11-23""#), "yesterday by default")
            #expect(before.contains(#"id="no-breaks""#) && before.contains(#"id="no-open-breaks""#))
            let badDate = try await post(client, "/console/reconciliation/runs", [("date", "2026-13-01")], cookie: cookie)
            #expect(badDate.status == .unprocessableContent)
            #expect(PageTests.html(badDate).contains(#"value="2026-13-01" class="invalid""#))

            let run = try await post(client, "/console/reconciliation/runs", [("date", "2026-11-23")], cookie: cookie)
            let location = try #require(run.headers[.location])
            #expect(location == "/console/reconciliation?date=2026-11-23&matched=1&notice=reconciled")
            let after = PageTests.html(try await get(client, location, cookie: cookie))
            #expect(after.contains("对账完成：匹配 1 笔，当日差错 1 笔") && after.contains("对账已完成"))
            #expect(after.contains(#"data-kind="missing_in_rong" data-status="open""#) && after.contains("本行无记录") && after.contains("¥50.00"))
            #expect(after.contains(#"class="open-break""#))
            let item = try #require(try await t.payments.reconciliationBreaks().first)

            let empty = try await post(client, "/console/reconciliation/breaks/\(item.id)/resolve", [("date", "2026-11-23"), ("resolution", " ")], cookie: cookie)
            #expect(empty.status == .unprocessableContent)
            let emptyHTML = PageTests.html(empty)
            #expect(emptyHTML.contains("请填写处理说明") && emptyHTML.contains(#"id="resolution-\#(item.id)" name="resolution" maxlength="200" value="" class="invalid""#))

            let resolved = try await post(client, "/console/reconciliation/breaks/\(item.id)/resolve",
                                          [("date", "2026-11-23"), ("resolution", "补记入账：核对网银流水后手工补记")], cookie: cookie)
            #expect(resolved.headers[.location] == "/console/reconciliation?date=2026-11-23&notice=resolved")
            let done = PageTests.html(try await get(client, "/console/reconciliation?date=2026-11-23&notice=resolved", cookie: cookie))
            #expect(done.contains(#"data-status="resolved""#) && done.contains("已处理") && done.contains("补记入账") && done.contains("差错已处理"))
            #expect(done.contains(#"id="no-open-breaks""#) && !done.contains("resolve-form"))
            let twice = try await post(client, "/console/reconciliation/breaks/\(item.id)/resolve", [("date", "2026-11-23"), ("resolution", "再次")], cookie: cookie)
            #expect(twice.status == .conflict)
            #expect(try await t.identity.audit.list(before: nil, limit: 5).contains { $0.action == "recon.resolve" })
        }
    }
}
