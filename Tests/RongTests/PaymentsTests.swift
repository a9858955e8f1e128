import Accounts
import BankKit
import Foundation
import Identity
import Ledger
import Payments
import Storage
import Testing

/// e-Pay: orders, the payer's code, hold and capture, refunds, limits, expiry — each scenario
/// ends with the ledger invariant.
@Suite struct PaymentsTests {
    /// A customer with a funded Class II account and the account's last six digits.
    func payer(_ t: TestPlatform, fundFen: Int64 = 20_000_00, mobile: String = "13811112222", sequence: Int = 451,
               accountClass: AccountClass = .classII) async throws -> (Principal, EAccount, String) {
        let (principal, account) = try await t.customerWithEAccount(accountClass, name: "李雷", idNumber: ResidentIDs.make(birth: "19900307", sequence: sequence),
                                                                    mobile: mobile, cardNumber: Cards.ccb(sequence))
        if fundFen > 0 {
            _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: fundFen, idempotencyKey: "fund-\(sequence)", address: "test")
        }
        return (principal, account, String(account.accountNumber.suffix(6)))
    }

    func pay(_ t: TestPlatform, _ order: PaymentOrder, mobile: String, last6: String) async throws -> PaymentOrder {
        let challenge = try await t.payments.requestPaymentCode(orderID: order.id, mobile: mobile, accountLast6: last6, address: "test")
        return try await t.payments.confirm(orderID: order.id, challengeID: challenge.id, code: try await t.lastCode(mobile), address: "test")
    }

    func balance(_ t: TestPlatform, _ id: RongID) async throws -> Int64 {
        try await t.ledger.account(id)!.balance.postedCreditBalance
    }

    @Test("An order number is idempotent: same parameters, same order; other parameters conflict")
    func orderNumberIdempotency() async throws {
        let t = try await TestPlatform.make()
        let merchant = try await t.merchant().merchant
        let first = try await t.payments.createOrder(merchant: merchant, orderNumber: "T2026112300001", amountFen: 128_00, description: "西湖龙井 250g",
                                                     expiresInSeconds: nil)
        let again = try await t.payments.createOrder(merchant: merchant, orderNumber: "T2026112300001", amountFen: 128_00, description: "西湖龙井 250g",
                                                     expiresInSeconds: nil)
        #expect(again.id == first.id)
        #expect(first.expiresAt == t.clock.now.adding(seconds: 1800))
        await #expect(throws: DomainError.self) {
            _ = try await t.payments.createOrder(merchant: merchant, orderNumber: "T2026112300001", amountFen: 129_00, description: "西湖龙井 250g",
                                                 expiresInSeconds: nil)
        }
        do {
            _ = try await t.payments.createOrder(merchant: merchant, orderNumber: "T2026112300001", amountFen: 129_00, description: "x", expiresInSeconds: nil)
        } catch let error as DomainError { #expect(error.code == .orderNumberConflict) }
        // Another merchant may use the same number.
        let other = try await t.merchant("深圳华强数码专营店", serial: 2).merchant
        let theirs = try await t.payments.createOrder(merchant: other, orderNumber: "T2026112300001", amountFen: 1, description: "数据线", expiresInSeconds: nil)
        #expect(theirs.id != first.id)
        for bad in ["", "has space", String(repeating: "9", count: 33), "订单1"] {
            await #expect(throws: DomainError.self) { _ = try await t.payments.createOrder(merchant: merchant, orderNumber: bad, amountFen: 1, description: "x", expiresInSeconds: nil) }
        }
        for amount: Int64 in [0, -1, 10_000_01] {
            await #expect(throws: DomainError.self) { _ = try await t.payments.createOrder(merchant: merchant, orderNumber: "A1", amountFen: amount, description: "x", expiresInSeconds: nil) }
        }
        try await t.finish()
    }

    @Test("Pay with mobile, last six digits and a code bound to the order: held, captured, webhook queued")
    func payAndCapture() async throws {
        let t = try await TestPlatform.make()
        let credentials = try await t.merchant()
        let merchant = credentials.merchant
        let (_, account, last6) = try await payer(t)
        let order = try await t.payments.createOrder(merchant: merchant, orderNumber: "P1", amountFen: 1_288_00, description: "明前龙井礼盒", expiresInSeconds: nil)
        // Wrong digits reveal nothing about which part was wrong.
        do {
            _ = try await t.payments.requestPaymentCode(orderID: order.id, mobile: "13811112222", accountLast6: "000000", address: "test")
            Issue.record("wrong digits accepted")
        } catch let error as DomainError { #expect(error.code == .payerVerificationFailed) }
        let paid = try await pay(t, order, mobile: "13811112222", last6: last6)
        #expect(paid.status == .paid)
        #expect(paid.capturedFen == 1_288_00)
        #expect(try await balance(t, account.id) == 20_000_00 - 1_288_00)
        #expect(try await balance(t, merchant.settlementAccountID) == 1_288_00)
        // Paying again answers with the paid order and moves nothing.
        let again = try await t.payments.confirm(orderID: order.id, challengeID: RongID.derived("x"), code: "000000", address: "test")
        #expect(again.status == .paid)
        #expect(try await balance(t, account.id) == 20_000_00 - 1_288_00)
        let deliveries = try await t.payments.webhooks.deliveries(merchantID: merchant.id, limit: 10, before: nil)
        #expect(deliveries.map(\.eventType) == ["order.paid"])
        // The statement shows the payment once (the hold is not a line).
        let lines = try await t.accounts.statement(of: account, cursor: nil, limit: 10).lines
        #expect(lines.first?.amountFen == -1_288_00)
        #expect(lines.filter { $0.amountFen == -1_288_00 }.count == 1)
        try await t.finish()
    }

    @Test("A code for one order does not pay another, nor a changed amount")
    func codeBoundToOrder() async throws {
        let t = try await TestPlatform.make()
        let merchant = try await t.merchant().merchant
        let (_, _, last6) = try await payer(t)
        let first = try await t.payments.createOrder(merchant: merchant, orderNumber: "A", amountFen: 10_00, description: "茶叶", expiresInSeconds: nil)
        let second = try await t.payments.createOrder(merchant: merchant, orderNumber: "B", amountFen: 10_00, description: "茶叶", expiresInSeconds: nil)
        let challenge = try await t.payments.requestPaymentCode(orderID: first.id, mobile: "13811112222", accountLast6: last6, address: "test")
        let code = try await t.lastCode("13811112222")
        do {
            _ = try await t.payments.confirm(orderID: second.id, challengeID: challenge.id, code: code, address: "test")
            Issue.record("a code for order A paid order B")
        } catch let error as DomainError { #expect(error.code == .payerVerificationFailed, "B has no payer yet") }
        // B identified by the same payer: A's code still does not pay it (it is bound to A's order and amount).
        t.clock.advance(seconds: 61)
        _ = try await t.payments.requestPaymentCode(orderID: second.id, mobile: "13811112222", accountLast6: last6, address: "test")
        do {
            _ = try await t.payments.confirm(orderID: second.id, challengeID: challenge.id, code: code, address: "test")
            Issue.record("a code for order A paid order B")
        } catch let error as DomainError { #expect(error.code == .otpInvalid) }
        #expect(try await t.payments.order(id: second.id)?.status == .created)
        #expect(try await t.payments.confirm(orderID: first.id, challengeID: challenge.id, code: code, address: "test").status == .paid)
        try await t.finish()
    }

    @Test("Two confirmations of one order at the same time capture once")
    func concurrentConfirmations() async throws {
        let t = try await TestPlatform.make()
        let merchant = try await t.merchant().merchant
        let (_, account, last6) = try await payer(t)
        let order = try await t.payments.createOrder(merchant: merchant, orderNumber: "C1", amountFen: 500_00, description: "茶具", expiresInSeconds: nil)
        let challenge = try await t.payments.requestPaymentCode(orderID: order.id, mobile: "13811112222", accountLast6: last6, address: "test")
        let code = try await t.lastCode("13811112222")
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do { return try await t.payments.confirm(orderID: order.id, challengeID: challenge.id, code: code, address: "test").status.rawValue }
                    catch let error as DomainError { return error.code.rawValue } catch { return "\(error)" }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.contains("paid"))
        #expect(outcomes.allSatisfy { $0 == "paid" || $0 == ErrorCode.orderBeingConfirmed.rawValue || $0 == ErrorCode.otpInvalid.rawValue }, "\(outcomes)")
        #expect(try await balance(t, account.id) == 20_000_00 - 500_00)
        #expect(try await balance(t, merchant.settlementAccountID) == 500_00)
        try await t.finish()
    }

    @Test("Refunds: partial, several, idempotent, never more than captured — even racing")
    func refunds() async throws {
        let t = try await TestPlatform.make()
        let merchant = try await t.merchant().merchant
        let (_, account, last6) = try await payer(t)
        let order = try await t.payments.createOrder(merchant: merchant, orderNumber: "R1", amountFen: 1_000_00, description: "茶叶", expiresInSeconds: nil)
        _ = try await pay(t, order, mobile: "13811112222", last6: last6)
        let first = try await t.payments.refund(orderID: order.id, merchant: merchant, refundNumber: "RF1", amountFen: 300_00, reason: "少发一盒")
        #expect(first.status == .succeeded)
        #expect(try await t.payments.refund(orderID: order.id, merchant: merchant, refundNumber: "RF1", amountFen: 300_00, reason: "少发一盒").id == first.id)
        do {
            _ = try await t.payments.refund(orderID: order.id, merchant: merchant, refundNumber: "RF1", amountFen: 301_00, reason: "")
            Issue.record("refund number reused with another amount")
        } catch let error as DomainError { #expect(error.code == .refundNumberConflict) }
        #expect(try await t.payments.order(id: order.id)?.status == .partiallyRefunded)
        // Racing refunds of ¥300 each against ¥700 left: exactly two succeed.
        let outcomes = await withTaskGroup(of: String.self) { group in
            for i in 0..<5 {
                group.addTask {
                    do { return try await t.payments.refund(orderID: order.id, merchant: merchant, refundNumber: "RACE\(i)", amountFen: 300_00, reason: "").status.rawValue }
                    catch let error as DomainError { return error.code.rawValue } catch { return "\(error)" }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == "succeeded" }.count == 2, "\(outcomes)")
        #expect(outcomes.filter { $0 == ErrorCode.refundExceedsCaptured.rawValue }.count == 3, "\(outcomes)")
        let final = try await t.payments.refund(orderID: order.id, merchant: merchant, refundNumber: "LAST", amountFen: 100_00, reason: "")
        #expect(final.status == .succeeded)
        let refunded = try await t.payments.order(id: order.id)!
        #expect(refunded.status == .refunded && refunded.refundedFen == 1_000_00)
        #expect(try await balance(t, account.id) == 20_000_00)
        #expect(try await balance(t, merchant.settlementAccountID) == 0)
        // Another merchant cannot see or refund it.
        let other = try await t.merchant("深圳华强数码专营店", serial: 2).merchant
        await #expect(throws: DomainError.self) { _ = try await t.payments.refund(orderID: order.id, merchant: other, refundNumber: "X", amountFen: 1, reason: "") }
        try await t.finish()
    }

    @Test("e-Pay limits: ¥5,000 per transaction and per day, at the boundary; raised to ¥10,000 with a code")
    func ePayLimits() async throws {
        let t = try await TestPlatform.make()
        let merchant = try await t.merchant().merchant
        let (principal, account, last6) = try await payer(t, fundFen: 40_000_00)
        let big = try await t.payments.createOrder(merchant: merchant, orderNumber: "L0", amountFen: 5_000_01, description: "茶", expiresInSeconds: nil)
        do {
            _ = try await pay(t, big, mobile: "13811112222", last6: last6)
            Issue.record("over the per-transaction limit")
        } catch let error as DomainError {
            #expect(error.code == .limitExceeded)
            #expect(error.extensions["limit"] == .string("epay_per_transaction"))
        }
        #expect(try await t.payments.order(id: big.id)?.status == .created, "a refused confirmation leaves the order payable")
        t.clock.advance(seconds: 61)
        let exact = try await t.payments.createOrder(merchant: merchant, orderNumber: "L1", amountFen: 5_000_00, description: "茶", expiresInSeconds: nil)
        #expect(try await pay(t, exact, mobile: "13811112222", last6: last6).status == .paid)
        t.clock.advance(seconds: 61)
        let oneMore = try await t.payments.createOrder(merchant: merchant, orderNumber: "L2", amountFen: 1, description: "茶", expiresInSeconds: nil)
        do {
            _ = try await pay(t, oneMore, mobile: "13811112222", last6: last6)
            Issue.record("over the daily limit")
        } catch let error as DomainError { #expect(error.extensions["limit"] == .string("epay_daily")) }
        // Raise to ¥10,000 with a step-up code; the day now has ¥5,000 left.
        let challenge = try await t.payments.requestLimitCode(principal, perTransactionFen: 10_000_00, perDayFen: 10_000_00)
        let raised = try await t.payments.setLimits(principal, perTransactionFen: 10_000_00, perDayFen: 10_000_00, otpChallengeID: challenge.id,
                                                    otpCode: try await t.lastCode("13811112222"), address: "test")
        #expect(raised.perTransactionFen == 10_000_00)
        t.clock.advance(seconds: 61)
        #expect(try await pay(t, oneMore, mobile: "13811112222", last6: last6).status == .paid)
        #expect(try await balance(t, account.id) == 40_000_00 - 5_000_01 + 1 - 1)
        try await t.finish()
    }

    @Test("A payment the ledger refuses counts against no limit and leaves the order payable")
    func ledgerRefusalGivesLimitsBack() async throws {
        let t = try await TestPlatform.make()
        let merchant = try await t.merchant().merchant
        let (principal, account, last6) = try await payer(t, fundFen: 100_00)
        let big = try await t.payments.createOrder(merchant: merchant, orderNumber: "R0", amountFen: 4_000_00, description: "茶", expiresInSeconds: nil)
        do {
            _ = try await pay(t, big, mobile: "13811112222", last6: last6)
            Issue.record("paid more than the balance")
        } catch let error as DomainError { #expect(error.code == .insufficientFunds) }
        #expect(try await t.payments.order(id: big.id)?.status == .created)
        let usage = try await t.db.database.query("SELECT used_fen FROM accounts_limit_usage WHERE e_account_id = ?", [.id(account.id)])
            + t.db.database.query("SELECT used_fen FROM payments_limit_usage WHERE customer_id = ?", [.id(account.customerID)])
        #expect(!usage.isEmpty && usage.allSatisfy { $0.int("used_fen") == 0 }, "the refused ¥4,000 is given back to every limit")
        // With money on the account, the whole day's ¥5,000 is still there.
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 10_000_00, idempotencyKey: "fund-more", address: "test")
        t.clock.advance(seconds: 61)
        let exact = try await t.payments.createOrder(merchant: merchant, orderNumber: "R1", amountFen: 5_000_00, description: "茶", expiresInSeconds: nil)
        #expect(try await pay(t, exact, mobile: "13811112222", last6: last6).status == .paid)
        try await t.finish()
    }

    @Test("A limit refusal rolls the confirmation back whole: the code unspent, the order payable")
    func limitRefusalKeepsTheCode() async throws {
        let t = try await TestPlatform.make()
        let merchant = try await t.merchant().merchant
        let (_, _, last6) = try await payer(t)
        let first = try await t.payments.createOrder(merchant: merchant, orderNumber: "C0", amountFen: 4_000_00, description: "茶", expiresInSeconds: nil)
        t.clock.advance(seconds: 61)
        let second = try await t.payments.createOrder(merchant: merchant, orderNumber: "C1", amountFen: 2_000_00, description: "茶", expiresInSeconds: nil)
        let challenge = try await t.payments.requestPaymentCode(orderID: second.id, mobile: "13811112222", accountLast6: last6, address: "test")
        let code = try await t.lastCode("13811112222")
        t.clock.advance(seconds: 61)
        #expect(try await pay(t, first, mobile: "13811112222", last6: last6).status == .paid)
        do {
            _ = try await t.payments.confirm(orderID: second.id, challengeID: challenge.id, code: code, address: "test")
            Issue.record("over the daily limit")
        } catch let error as DomainError { #expect(error.extensions["limit"] == .string("epay_daily")) }
        #expect(try await t.payments.order(id: second.id)?.status == .created)
        let spent = try await t.db.database.first("SELECT consumed_at FROM identity_otps WHERE id = ?", [.id(challenge.id)])
        #expect(spent?.optionalInt("consumed_at") == nil, "the refused confirmation did not spend the code")
        try await t.finish()
    }

    @Test("Class III spending counts against its ¥2,000 daily limit")
    func classLimitsApply() async throws {
        let t = try await TestPlatform.make()
        let merchant = try await t.merchant().merchant
        let (_, _, last6) = try await payer(t, fundFen: 2_000_00, accountClass: .classIII)
        let first = try await t.payments.createOrder(merchant: merchant, orderNumber: "K1", amountFen: 1_500_00, description: "茶", expiresInSeconds: nil)
        _ = try await pay(t, first, mobile: "13811112222", last6: last6)
        t.clock.advance(seconds: 61)
        let second = try await t.payments.createOrder(merchant: merchant, orderNumber: "K2", amountFen: 500_01, description: "茶", expiresInSeconds: nil)
        do {
            _ = try await pay(t, second, mobile: "13811112222", last6: last6)
            Issue.record("over the Class III daily limit")
        } catch let error as DomainError {
            #expect(error.code == .limitExceeded)
            #expect(error.extensions["limit"] == .string("class_iii_daily_out"))
        }
        try await t.finish()
    }

    @Test("An unconfirmed order expires and takes nothing; a closed order cannot be paid")
    func expiryAndClose() async throws {
        let t = try await TestPlatform.make()
        let merchant = try await t.merchant().merchant
        let (_, account, last6) = try await payer(t)
        let order = try await t.payments.createOrder(merchant: merchant, orderNumber: "E1", amountFen: 10_00, description: "茶", expiresInSeconds: 60)
        let challenge = try await t.payments.requestPaymentCode(orderID: order.id, mobile: "13811112222", accountLast6: last6, address: "test")
        let code = try await t.lastCode("13811112222")
        t.clock.advance(seconds: 61)
        #expect(try await t.payments.expireOrders() == 1)
        do {
            _ = try await t.payments.confirm(orderID: order.id, challengeID: challenge.id, code: code, address: "test")
            Issue.record("paid an expired order")
        } catch let error as DomainError { #expect(error.code == .orderExpired) }
        #expect(try await balance(t, account.id) == 20_000_00)
        let closing = try await t.payments.createOrder(merchant: merchant, orderNumber: "E2", amountFen: 10_00, description: "茶", expiresInSeconds: nil)
        #expect(try await t.payments.closeOrder(id: closing.id, merchant: merchant).status == .closed)
        await #expect(throws: DomainError.self) { _ = try await t.payments.requestPaymentCode(orderID: closing.id, mobile: "13811112222", accountLast6: last6, address: "test") }
        let types = try await t.payments.webhooks.deliveries(merchantID: merchant.id, limit: 10, before: nil).map(\.eventType)
        #expect(Set(types) == ["order.expired", "order.closed"])
        try await t.finish()
    }

    @Test("Notification URLs must be public in production", arguments: [
        "http://127.0.0.1/notify", "https://localhost/x", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.10:8080/",
        "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://0.0.0.0/", "ftp://merchant.example.com/", "not a url",
    ])
    func notifyURLs(url: String) async throws {
        let t = try await TestPlatform.make(privateNotifyURLs: false)
        let first17 = "91330100MA2000042"
        do {
            _ = try await t.payments.onboardMerchant(by: t.operatorPrincipal, name: "某商户", licenceNumber: first17 + String(CreditCode.checkCharacter(for: first17)!),
                                                     notifyURL: url, address: "test")
            Issue.record("accepted \(url)")
        } catch let error as DomainError { #expect(error.extensions["field"] == .string("notify_url")) }
        #expect(try await t.merchant().merchant.notifyURL == "https://merchant.example.com/rong/notify", "a public URL is accepted")
        try await t.finish()
    }

    @Test("Merchant API keys authenticate their merchant only")
    func merchantKeys() async throws {
        let t = try await TestPlatform.make()
        let credentials = try await t.merchant()
        #expect(try await t.payments.authenticateMerchant(apiKey: credentials.apiKey).id == credentials.merchant.id)
        for bad in ["", "mk_", "mk_abc.def", credentials.apiKey + "x", String(credentials.apiKey.dropLast())] {
            await #expect(throws: DomainError.self) { _ = try await t.payments.authenticateMerchant(apiKey: bad) }
        }
        #expect(credentials.signingSecret.hasPrefix("whsec_"))
        // A new key revokes the old one.
        let rotated = try await t.payments.rotateMerchantKey(by: t.operatorPrincipal, merchantID: credentials.merchant.id, address: "test")
        #expect(try await t.payments.authenticateMerchant(apiKey: rotated).id == credentials.merchant.id)
        await #expect(throws: DomainError.self) { _ = try await t.payments.authenticateMerchant(apiKey: credentials.apiKey) }
        // A key revoked by another node (straight in the database) is honoured here for at most
        // MerchantCache.keyRecheckSeconds, then refused.
        try await t.db.database.execute("UPDATE payments_merchant_keys SET revoked_at = ? WHERE merchant_id = ?",
                                     [.time(t.clock.now), .id(credentials.merchant.id)])
        #expect(try await t.payments.authenticateMerchant(apiKey: rotated).id == credentials.merchant.id)
        t.clock.advance(seconds: 5)
        await #expect(throws: DomainError.self) { _ = try await t.payments.authenticateMerchant(apiKey: rotated) }
        // Licence numbers carry a GB 32100 check character.
        await #expect(throws: DomainError.self) {
            _ = try await t.payments.onboardMerchant(by: t.operatorPrincipal, name: "坏", licenceNumber: "91330100MA2000001X",
                                                     notifyURL: "https://x.example.com", address: "test")
        }
        #expect(try CreditCode.validate("91350100M000100Y43") == "91350100M000100Y43")
        try await t.finish()
    }

    @Test("Order numbers are 1–32 of 0-9 A-Z a-z _ -; SMS codes are found in the text")
    func orderNumbersAndCodes() {
        for good in ["B1", "a_b-C9", String(repeating: "x", count: 32)] { #expect(PaymentsService.isValidOrderNumber(good)) }
        for bad in ["", "B1\n", "B 1", "订单1", "B1.", String(repeating: "x", count: 33)] { #expect(!PaymentsService.isValidOrderNumber(bad)) }
        #expect(OTPService.code(inMessage: "验证码 042917，用于向商户支付¥12.88，5分钟内有效。") == "042917")
        #expect(OTPService.code(inMessage: "尾号1234，金额1234567，码 654321") == "654321")
        #expect(OTPService.code(inMessage: "无验证码 12345") == nil)
    }
}
