import Accounts
import BankKit
import Identity
import Ledger
import Lending
import Payments
import Storage
import Testing

/// 逸贷 end to end on the services: an offer after a purchase, acceptance with the schedule,
/// instant disbursement, billing and automatic debit, repayment, overdue — each scenario ends
/// with the ledger invariant.
@Suite struct LendingTests {
    @Test("A purchase of ¥100 or more brings an offer by SMS and notification; acceptance pays the amount back at once")
    func offerAcceptDisburse() async throws {
        let t = try await TestPlatform.make()
        let s = try await LendingScenario.make(t)
        let credit = try await s.lending.consumerCredit(s.principal)
        #expect(credit.decision?.approved == true)
        #expect(credit.limitFen > 1_200_00)

        let small = try await s.purchase(99_99, number: "E-SMALL")
        #expect(try await s.lending.offers(s.principal).contains { $0.purchaseRef == "epay:\(small.id)" } == false)

        let order = try await s.purchase(1_200_00, number: "E-0001")
        let offer = try await s.offer(for: order)
        #expect(offer.amountFen == 1_200_00)
        #expect(offer.status == .offered)
        let sms = try await t.identity.sms.recent(mobile: s.mobile, limit: 1)
        #expect(sms.first?.purpose == "loan.offer")
        #expect(sms.first?.body.contains("¥1,200.00") == true)
        let customer = try await t.accounts.customer(of: s.principal)
        let notes = try await t.identity.notifications.recent(userID: customer.userID)
        #expect(notes.first?.kind == "loan.offer")
        #expect(notes.first?.card?.url == "/bank/loans/offers/\(offer.id)")

        let quote = try s.lending.quote(offer, termMonths: 12, pricing: .flatFee)
        // 0.60% × 12 on ¥1,200 = ¥86.40 of fees; ¥107.20 a month.
        #expect(quote.totalCostFen == 86_40)
        #expect(quote.schedule.lines.first?.instalmentFen == 107_20)

        let before = try await s.balance()
        let loan = try await s.lending.accept(s.principal, offerID: offer.id, termMonths: 12, pricing: .flatFee, address: "test")
        #expect(loan.loan.status == .active)
        #expect(loan.outstandingPrincipalFen == 1_200_00)
        #expect(loan.instalments.count == 12)
        #expect(try await s.balance() == before + 1_200_00)
        // The same acceptance again is the same loan; other terms are refused.
        let again = try await s.lending.accept(s.principal, offerID: offer.id, termMonths: 12, pricing: .flatFee, address: "test")
        #expect(again.loan.id == loan.loan.id)
        await #expect(throws: DomainError.self) {
            _ = try await s.lending.accept(s.principal, offerID: offer.id, termMonths: 6, pricing: .flatFee, address: "test")
        }
        #expect(try await s.balance() == before + 1_200_00)
        // Alerts: the e-Pay payment and the loan paid out.
        let alerts = try await t.identity.notifications.recent(userID: customer.userID).filter { $0.kind == "alert.transaction" }
        #expect(alerts.contains { $0.body.contains("e支付消费¥1,200.00") })
        #expect(alerts.first?.body.contains("逸贷放款¥1,200.00") == true)
        #expect(alerts.first?.card?.url == "/bank/loans/\(loan.loan.id)")
        let after = try await s.lending.consumerCredit(s.principal)
        #expect(after.usedFen == 1_200_00)
        try await s.checkLoanBooks(loan.loan.id)
        try await t.finish()
    }

    @Test("Due dates bill the instalment and debit it automatically; early repayment recomputes the rest; full repayment closes the loan")
    func billingAutoDebitAndPrepayment() async throws {
        let t = try await TestPlatform.make()
        let s = try await LendingScenario.make(t)
        let order = try await s.purchase(1_200_00, number: "E-0002")
        let offer = try await s.offer(for: order)
        let accepted = try await s.lending.accept(s.principal, offerID: offer.id, termMonths: 6, pricing: .equalInstalment, address: "test")
        let loanID = accepted.loan.id
        let first = accepted.instalments[0]
        let balanceBefore = try await s.balance()
        try await s.endOfDay(first.dueDate)
        var view = try await s.lending.view(loanID)
        #expect(view.instalments[0].isPaid)
        #expect(view.instalments[0].paidOn == first.dueDate)
        #expect(try await s.balance() == balanceBefore - first.amountFen)
        #expect(view.receivableFen == 0)
        #expect(view.outstandingPrincipalFen == 1_200_00 - first.principalFen)

        // Prepay ¥500 of principal ten days after the first due date: interest on it for 10 days at 9% (¥1.25).
        s.t.clock.set(first.dueDate.adding(days: 10).instant(hour: 10, minute: 0))
        let quote = try await s.lending.repaymentQuote(s.principal, loanID: loanID, prepayPrincipalFen: 500_00, full: false)
        #expect(quote.prepaidInterestFen == 1_25)
        #expect(quote.totalFen == 501_25)
        view = try await s.lending.repay(s.principal, loanID: loanID, prepayPrincipalFen: 500_00, full: false, idempotencyKey: "pre-1", address: "test")
        #expect(view.outstandingPrincipalFen == 1_200_00 - first.principalFen - 500_00)
        #expect(view.instalments.count == 6)
        #expect(view.instalments[1].amountFen < first.amountFen)
        try await s.checkLoanBooks(loanID)
        // The same key again moves nothing.
        let balance = try await s.balance()
        _ = try await s.lending.repay(s.principal, loanID: loanID, prepayPrincipalFen: 500_00, full: false, idempotencyKey: "pre-1", address: "test")
        #expect(try await s.balance() == balance)
        // More principal than is outstanding is refused, not kept.
        do {
            _ = try await s.lending.repay(s.principal, loanID: loanID, prepayPrincipalFen: 1_000_00, full: false, idempotencyKey: "pre-2", address: "test")
            Issue.record("expected repayment_exceeds_outstanding")
        } catch let error as DomainError {
            #expect(error.code == .repaymentExceedsOutstanding)
        }
        view = try await s.lending.repay(s.principal, loanID: loanID, prepayPrincipalFen: nil, full: true, idempotencyKey: "full", address: "test")
        #expect(view.loan.status == .paidOff)
        #expect(view.outstandingPrincipalFen == 0)
        #expect(view.receivableFen == 0)
        try await s.checkLoanBooks(loanID)
        try await t.finish()
    }

    @Test("Acceptances of one offer at once book one loan and pay out once; the same repayment at once moves money once")
    func concurrentAcceptance() async throws {
        let t = try await TestPlatform.make()
        let s = try await LendingScenario.make(t)
        let offer = try await s.offer(for: try await s.purchase(900_00, number: "C-0001"))
        let before = try await s.balance()
        let lending = s.lending
        let principal = s.principal
        let results = await withTaskGroup(of: RongID?.self) { group in
            for _ in 0..<4 {
                group.addTask { do { return try await lending.accept(principal, offerID: offer.id, termMonths: 3, pricing: .flatFee, address: "test").loan.id } catch { Issue.record("accept failed: \(error)"); return nil } }
            }
            var ids: [RongID?] = []
            for await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(results.compactMap { $0 }).count == 1)
        #expect(try await s.balance() == before + 900_00)
        #expect(try await t.platform.database.first("SELECT COUNT(*) AS n FROM lending_loans", [])?.int("n") == 1)
        // The same repayment sent four times at once moves money once.
        let loanID = try #require(results.compactMap { $0 }.first)
        let outstanding = await withTaskGroup(of: Int64?.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try? await lending.repay(principal, loanID: loanID, prepayPrincipalFen: 100_00, full: false, idempotencyKey: "same", address: "test")
                        .outstandingPrincipalFen
                }
            }
            var values: [Int64?] = []
            for await value in group { values.append(value) }
            return values
        }
        #expect(outstanding.compactMap { $0 }.allSatisfy { $0 == 800_00 })
        #expect(try await s.balance() == before + 900_00 - 100_00)
        try await s.checkLoanBooks(loanID)
        try await t.finish()
    }
}
