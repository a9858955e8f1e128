import Accounts
import BankKit
import Identity
import Ledger
import Lending
import Payments
import Storage
import Testing

/// Merchant 逸贷 (sized from settled e-Pay turnover, swept from proceeds) and 网贷通 (contract,
/// real-time draws and repayments, daily interest on the drawn amount, settlement on the 20th,
/// draws blocked while interest is in arrears). Each scenario ends with the ledger invariant.
@Suite struct LendingLineTests {
    /// A merchant with a dashboard user, signed in.
    func merchant(_ t: TestPlatform, serial: Int, mobile: String) async throws -> (Merchant, Principal) {
        let first17 = "91330100MA2" + String(format: "%06d", serial)
        let licence = first17 + String(CreditCode.checkCharacter(for: first17)!)
        let credentials = try await t.payments.onboardMerchant(by: t.operatorPrincipal, name: "融商户\(serial)", licenceNumber: licence,
                                                               notifyURL: "https://merchant.example.com/notify", contactMobile: mobile,
                                                               contactPassword: "Merch2026pw", address: "test")
        let session = try await t.identity.signIn(role: .merchant, mobile: mobile, password: "Merch2026pw", address: "test")
        return (credentials.merchant, session.principal)
    }

    /// A paying customer with a Class II account holding ¥150,000.
    func buyer(_ t: TestPlatform) async throws -> (Principal, EAccount, String) {
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "赵敏", idNumber: ResidentIDs.make(birth: "19850203", sequence: 701),
                                                                    mobile: "13611110000", cardNumber: Cards.ccb(701))
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 150_000_00, idempotencyKey: "buyer-fund", address: "test")
        return (principal, account, String(account.accountNumber.suffix(6)))
    }

    func pay(_ t: TestPlatform, _ merchant: Merchant, amountFen: Int64, number: String, last6: String) async throws {
        t.clock.advance(seconds: 61)
        let order = try await t.payments.createOrder(merchant: merchant, orderNumber: number, amountFen: amountFen, description: "货款", expiresInSeconds: nil)
        let challenge = try await t.payments.requestPaymentCode(orderID: order.id, mobile: "13611110000", accountLast6: last6, address: "test")
        _ = try await t.payments.confirm(orderID: order.id, challengeID: challenge.id, code: try await t.lastCode("13611110000"), address: "test")
    }

    func day(_ text: String) -> BusinessDate { lendingDay(text) }

    @Test("Merchant 逸贷 is sized from six months of turnover, drawn, and repaid from each day's proceeds; no turnover is declined with its reason")
    func merchantLine() async throws {
        let t = try await TestPlatform.make()
        let lending = t.platform.lending
        let (shop, shopUser) = try await merchant(t, serial: 51, mobile: "13511110001")
        let (_, newcomer) = try await merchant(t, serial: 52, mobile: "13511110002")
        let (_, _, last6) = try await buyer(t)
        // Dec 2026 … May 2027: five ¥4,800 sales on five days each month = ¥24,000 a month.
        for month in 0..<6 {
            let first = day("2026-12-01").adding(months: month)
            for sale in 0..<5 {
                t.clock.set(first.adding(days: sale).instant(hour: 10, minute: 0))
                try await pay(t, shop, amountFen: 4_800_00, number: "M\(month)-\(sale)", last6: last6)
            }
        }
        t.clock.set(day("2027-06-10").instant(hour: 10, minute: 0))
        let line = try await lending.applyForMerchantLine(shopUser, address: "test")
        // ¥24,000 × 50% = ¥12,000.
        #expect(line.line.limitFen == 12_000_00)
        #expect(line.line.status == .active)
        let decision = try #require(try await lending.decisions(subjectRef: "merchant:\(shop.id)").first)
        #expect(decision.inputs["average_monthly_turnover"] == "¥24,000.00")
        // A merchant with no sales is declined, and the reason is recorded.
        await refused(.creditDeclined) { _ = try await lending.applyForMerchantLine(newcomer, address: "test") }

        let settlementBefore = try await t.ledger.account(shop.settlementAccountID)!.balance.postedCreditBalance
        await refused(.creditLimitExceeded) { _ = try await lending.draw(shopUser, lineID: line.line.id, amountFen: 12_000_01, idempotencyKey: "too-much", address: "test") }
        var view = try await lending.draw(shopUser, lineID: line.line.id, amountFen: 5_000_00, idempotencyKey: "draw-1", address: "test")
        #expect(view.drawnFen == 5_000_00)
        #expect(view.availableFen == 7_000_00)
        #expect(try await t.ledger.account(shop.settlementAccountID)!.balance.postedCreditBalance == settlementBefore + 5_000_00)
        // The same key again draws nothing more.
        view = try await lending.draw(shopUser, lineID: line.line.id, amountFen: 5_000_00, idempotencyKey: "draw-1", address: "test")
        #expect(view.drawnFen == 5_000_00)

        // A sale on the 11th: 30% of ¥4,000 repays interest (2 days × ¥0.83) first, then principal.
        t.clock.set(day("2027-06-11").instant(hour: 11, minute: 0))
        try await pay(t, shop, amountFen: 4_000_00, number: "JUN-1", last6: last6)
        t.clock.set(day("2027-06-12").instant(hour: 0, minute: 5))
        _ = try await lending.accrueLines(for: day("2027-06-10"))
        _ = try await lending.accrueLines(for: day("2027-06-11"))
        let swept = try await lending.sweepMerchantLines(on: day("2027-06-11"))
        #expect(swept.sweptFen == 1_200_00)
        view = try await lending.lineView(line.line.id)
        // 2 days on ¥5,000 at 6% / 360: ¥1.666… → ¥1.66 booked, paid first; the rest is principal.
        #expect(view.interestOwedFen == 0)
        #expect(view.drawnFen == 5_000_00 - (1_200_00 - 1_66))
        // Repaying more than is owed is refused; repaying it all closes the balance.
        await refused(.repaymentExceedsOutstanding) { _ = try await lending.repayLine(shopUser, lineID: line.line.id, amountFen: view.drawnFen + 1, idempotencyKey: "over", address: "test") }
        view = try await lending.repayLine(shopUser, lineID: line.line.id, amountFen: view.drawnFen, idempotencyKey: "all", address: "test")
        #expect(view.drawnFen == 0)
        #expect(view.availableFen == 12_000_00)
        try await t.finish()
    }

    @Test("网贷通: signed once, interest daily on the drawn amount only, settled on the 20th; unpaid interest blocks draws until paid")
    func revolvingLine() async throws {
        let t = try await TestPlatform.make()
        let lending = t.platform.lending
        let (sme, smeUser) = try await merchant(t, serial: 61, mobile: "13511110061")
        await refused(.termNotOffered) {
            _ = try await lending.offerRevolvingLine(by: t.operatorPrincipal, merchantID: sme.id, limitFen: 100_000_00, annualRate: nil, validMonths: 25, address: "test")
        }
        let offered = try await lending.offerRevolvingLine(by: t.operatorPrincipal, merchantID: sme.id, limitFen: 100_000_00, annualRate: nil, validMonths: 12,
                                                           address: "test")
        #expect(offered.line.status == .offered)
        await refused(.lineNotActive) { _ = try await lending.draw(smeUser, lineID: offered.line.id, amountFen: 1_000_00, idempotencyKey: "early", address: "test") }
        let signed = try await lending.signRevolvingLine(smeUser, lineID: offered.line.id, address: "test")
        #expect(signed.line.status == .active)
        #expect(signed.line.validUntil == day("2027-11-23"))

        _ = try await lending.draw(smeUser, lineID: signed.line.id, amountFen: 50_000_00, idempotencyKey: "d1", address: "test")
        // Daily accrual through the 20th: 28 days × ¥50,000 × 4.785% ÷ 360 = ¥186.083… → ¥186.08, debited on the 20th.
        var date = day("2026-11-23")
        while date <= day("2026-12-20") {
            t.clock.set(date.adding(days: 1).instant(hour: 0, minute: 5))
            _ = try await lending.accrueLines(for: date)
            date = date.adding(days: 1)
        }
        var view = try await lending.lineView(signed.line.id)
        #expect(view.events.filter { $0.kind == "interest" }.reduce(Int64(0)) { $0 + $1.interestFen } == 186_08)
        #expect(view.interestOwedFen == 0)
        #expect(view.line.arrearsFen == 0)
        #expect(view.events.contains { $0.kind == "autodebit" && $0.interestFen == 186_08 })

        // Repay everything in the settlement account: a few fen of principal stay drawn, the account is empty.
        t.clock.set(day("2026-12-21").instant(hour: 10, minute: 0))
        let balance = try await t.ledger.account(sme.settlementAccountID)!.balance.postedCreditBalance
        view = try await lending.repayLine(smeUser, lineID: signed.line.id, amountFen: balance, idempotencyKey: "r1", address: "test")
        #expect(view.drawnFen == 50_000_00 - balance)
        // The next settlement finds no money: the interest is in arrears and draws stop.
        date = day("2026-12-21")
        while date <= day("2027-01-20") {
            t.clock.set(date.adding(days: 1).instant(hour: 0, minute: 5))
            _ = try await lending.accrueLines(for: date)
            date = date.adding(days: 1)
        }
        view = try await lending.lineView(signed.line.id)
        #expect(view.line.arrearsFen > 0)
        await refused(.interestInArrears) { _ = try await lending.draw(smeUser, lineID: signed.line.id, amountFen: 100_00, idempotencyKey: "d2", address: "test") }
        // A sale brings money in; paying the arrears opens the line again.
        let (_, _, last6) = try await buyer(t)
        try await pay(t, sme, amountFen: 100_00, number: "SALE-1", last6: last6)
        view = try await lending.repayLine(smeUser, lineID: signed.line.id, amountFen: view.interestOwedFen, idempotencyKey: "r2", address: "test")
        #expect(view.line.arrearsFen == 0)
        view = try await lending.draw(smeUser, lineID: signed.line.id, amountFen: 100_00, idempotencyKey: "d2", address: "test")
        #expect(view.drawnFen == 50_000_00 - balance + 100_00)
        // Someone else's line is not found.
        let (_, stranger) = try await merchant(t, serial: 62, mobile: "13511110062")
        await refused(.notFound) { _ = try await lending.draw(stranger, lineID: signed.line.id, amountFen: 100_00, idempotencyKey: "x", address: "test") }
        try await t.finish()
    }
}
