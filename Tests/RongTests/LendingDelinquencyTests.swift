import Accounts
import BankKit
import Identity
import Ledger
import Lending
import Payments
import Storage
import Testing

/// 逸贷 when things go wrong: automatic debit short of funds, penalty interest, days-past-due
/// buckets across their boundaries, new credit blocked while overdue, write-off; and the
/// refusals of bad acceptances. Each scenario ends with the ledger invariant.
@Suite struct LendingDelinquencyTests {
    /// A customer with an accepted ¥1,200 loan over 6 flat-fee instalments (¥207.20 each) who
    /// then withdraws all but ¥10 to the bound card.
    func overdueLoan(_ t: TestPlatform) async throws -> (LendingScenario, LoanView) {
        let s = try await LendingScenario.make(t)
        let order = try await s.purchase(1_200_00, number: "D-0001")
        let loan = try await s.lending.accept(s.principal, offerID: try await s.offer(for: order).id, termMonths: 6, pricing: .flatFee, address: "test")
        #expect(loan.instalments.map(\.amountFen) == Array(repeating: 207_20, count: 6))
        let balance = try await s.balance()
        _ = try await t.accounts.withdraw(s.principal, accountID: s.account.id, amountFen: balance - 10_00, idempotencyKey: "drain", address: "test")
        return (s, loan)
    }

    @Test("Automatic debit takes what the balance allows; the rest is overdue, earns penalty interest and moves through the buckets")
    func autoDebitShortAndBuckets() async throws {
        let t = try await TestPlatform.make()
        let (s, loan) = try await overdueLoan(t)
        let due = loan.instalments[0].dueDate
        // Three days before the due date a ¥200 purchase brings an offer that is left open.
        t.clock.set(due.adding(days: -3).instant(hour: 9, minute: 0))
        _ = try await t.accounts.fund(s.principal, accountID: s.account.id, amountFen: 300_00, idempotencyKey: "pre-due", address: "test")
        let open = try await s.offer(for: try await s.purchase(200_00, number: "D-0002"))
        _ = try await t.accounts.withdraw(s.principal, accountID: s.account.id, amountFen: 100_00, idempotencyKey: "pre-due-out", address: "test")
        try await s.endOfDay(due)
        var view = try await s.lending.view(loan.loan.id)
        // ¥10.00 taken: the fee (¥7.20) first, then ¥2.80 of principal.
        #expect(view.instalments[0].paidFeeFen == 7_20)
        #expect(view.instalments[0].paidPrincipalFen == 2_80)
        #expect(try await s.balance() == 0)
        #expect(view.daysPastDue == 1)
        #expect(view.bucket == .dpd1to30)
        #expect(view.overdueFen == 197_20)
        // The offer still open cannot be taken while a loan is overdue.
        t.clock.set(due.adding(days: 1).instant(hour: 9, minute: 0))
        #expect(open.expiresAt > t.clock.now)
        await refused(.loanOverdue) { _ = try await s.lending.accept(s.principal, offerID: open.id, termMonths: 3, pricing: .flatFee, address: "test") }

        // Day 30 past due is still 1–30; day 31 is 31–60.
        t.clock.set(due.adding(days: 30).instant(hour: 9, minute: 0))
        #expect(try await s.lending.view(loan.loan.id).bucket == .dpd1to30)
        t.clock.set(due.adding(days: 31).instant(hour: 9, minute: 0))
        #expect(try await s.lending.view(loan.loan.id).bucket == .dpd31to60)

        // Penalty for the first 30 days past due: ¥197.20 × 18% ÷ 360 × 30 = ¥2.958 → ¥2.95 booked, 0.008 carried.
        _ = try await s.lending.accruePenalties(for: due.adding(days: 30))
        view = try await s.lending.view(loan.loan.id)
        #expect(view.events.contains { $0.kind == "penalty" && $0.penaltyFen == 2_95 })

        // Nothing new while overdue: the open offer cannot be accepted, a purchase brings no offer.
        #expect(try await s.lending.consumerCredit(s.principal).overdue)
        _ = try await t.accounts.fund(s.principal, accountID: s.account.id, amountFen: 300_00, idempotencyKey: "small-top-up", address: "test")
        let purchase = try await s.purchase(150_00, number: "D-0003")
        #expect(try await s.lending.offers(s.principal).contains { $0.purchaseRef == "epay:\(purchase.id)" } == false)

        // 61 and 91 days past due.
        t.clock.set(due.adding(days: 61).instant(hour: 9, minute: 0))
        #expect(try await s.lending.view(loan.loan.id).bucket == .dpd61to90)
        let report = try await s.lending.delinquencyReport(by: t.operatorPrincipal)
        #expect(report.rows.first { $0.bucket == .dpd61to90 }?.loans == 1)
        await refused(.writeOffNotAllowed) { _ = try await s.lending.writeOff(by: t.operatorPrincipal, loanID: loan.loan.id, reason: "无法联系借款人", address: "test") }
        t.clock.set(due.adding(days: 91).instant(hour: 9, minute: 0))
        #expect(try await s.lending.view(loan.loan.id).bucket == .dpd90plus)
        #expect(try await s.lending.loanBook(by: t.operatorPrincipal, bucket: .dpd90plus).count == 1)

        // Write-off: principal and receivables leave the book to the loss account.
        let written = try await s.lending.writeOff(by: t.operatorPrincipal, loanID: loan.loan.id, reason: "逾期90天以上，催收无果", address: "test")
        #expect(written.loan.status == .writtenOff)
        #expect(written.outstandingPrincipalFen == 0)
        #expect(written.receivableFen == 0)
        let loss = try await t.ledger.account(LendingLedgerAccounts.writeOffLoss)!.balance
        #expect(loss.debitsPosted == 1_200_00 - 2_80 + (written.events.first { $0.kind == "writeoff" }?.interestFen ?? -1))
        try await t.finish()
    }

    @Test("Paying the arrears clears the overdue state: penalty first, then the instalment")
    func repayArrears() async throws {
        let t = try await TestPlatform.make()
        let (s, loan) = try await overdueLoan(t)
        let due = loan.instalments[0].dueDate
        try await s.endOfDay(due)
        try await s.endOfDay(due.adding(days: 10))
        t.clock.set(due.adding(days: 11).instant(hour: 9, minute: 0))
        _ = try await t.accounts.fund(s.principal, accountID: s.account.id, amountFen: 500_00, idempotencyKey: "top-up", address: "test")
        let quote = try await s.lending.repaymentQuote(s.principal, loanID: loan.loan.id, prepayPrincipalFen: nil, full: false)
        #expect(quote.penaltyFen > 0)
        #expect(quote.billedPrincipalFen == 197_20)
        let view = try await s.lending.repay(s.principal, loanID: loan.loan.id, prepayPrincipalFen: nil, full: false, idempotencyKey: "arrears",
                                             address: "test")
        #expect(view.daysPastDue == 0)
        #expect(view.overdueFen == 0)
        #expect(view.instalments[0].isPaid)
        #expect(view.instalments[0].paidOn == due.adding(days: 11))
        #expect(try await s.lending.consumerCredit(s.principal).overdue == false)
        // Nothing more is due: a repayment with no principal is refused.
        await refused(.nothingDue) {
            _ = try await s.lending.repay(s.principal, loanID: loan.loan.id, prepayPrincipalFen: nil, full: false, idempotencyKey: "again-2", address: "test")
        }
        try await s.checkLoanBooks(loan.loan.id)
        // The history counts one late instalment now.
        let customer = try await t.accounts.customer(of: s.principal)
        #expect(try await s.lending.creditInputs(for: customer).instalmentsLate == 1)
        try await t.finish()
    }

    @Test("Bad acceptances are refused with nothing written: another customer's offer, terms not offered, after expiry")
    func badAcceptances() async throws {
        let t = try await TestPlatform.make()
        let s = try await LendingScenario.make(t)
        let other = try await t.customerWithEAccount(.classII, name: "王芳", idNumber: ResidentIDs.make(birth: "19900101", sequence: 602),
                                                     mobile: "13911113333", cardNumber: Cards.ccb(602))
        let order = try await s.purchase(800_00, number: "B-0001")
        let offer = try await s.offer(for: order)
        await refused(.notFound) { _ = try await s.lending.accept(other.0, offerID: offer.id, termMonths: 3, pricing: .flatFee, address: "test") }
        await refused(.termNotOffered) { _ = try await s.lending.accept(s.principal, offerID: offer.id, termMonths: 5, pricing: .flatFee, address: "test") }
        #expect(try await t.platform.database.first("SELECT COUNT(*) AS n FROM lending_loans", [])?.int("n") == 0)
        t.clock.advance(seconds: LendingProducts.easyLoanOfferValidSeconds + 1)
        await refused(.offerExpired) { _ = try await s.lending.accept(s.principal, offerID: offer.id, termMonths: 3, pricing: .flatFee, address: "test") }
        #expect(try await s.lending.expireOffers() == 1)
        #expect(try await s.lending.offer(id: offer.id)?.status == .expired)
        #expect(try await t.platform.database.first("SELECT COUNT(*) AS n FROM lending_loans", [])?.int("n") == 0)
        try await t.finish()
    }

    @Test("The line is used by loans and restored by repayment; an offer above what is left is reduced to it")
    func lineUtilisation() async throws {
        let t = try await TestPlatform.make()
        let s = try await LendingScenario.make(t)
        let credit = try await s.lending.consumerCredit(s.principal)
        let limit = credit.limitFen
        // Purchases (¥4,900, one a day: the e-Pay daily limit) taken as loans until less than one is left on the line.
        var loans: [LoanView] = []
        var left = credit.availableFen
        while left >= 4_900_00 && loans.count < 5 {
            let order = try await s.purchase(4_900_00, number: "U-\(loans.count)")
            loans.append(try await s.lending.accept(s.principal, offerID: try await s.offer(for: order).id, termMonths: 3, pricing: .equalPrincipal,
                                                    address: "test"))
            left = try await s.lending.consumerCredit(s.principal).availableFen
            #expect(left == limit - Int64(loans.count) * 4_900_00)
            t.clock.advance(seconds: 86_400)
        }
        #expect(!loans.isEmpty)
        // The next purchase is offered only what is left.
        let last = try await s.purchase(4_900_00, number: "U-LAST")
        let reduced = try await s.offer(for: last)
        #expect(reduced.amountFen == left)
        #expect(reduced.purchaseFen == 4_900_00)
        let loan = loans[0]
        // Repaying the first loan in full restores the line.
        _ = try await s.lending.repay(s.principal, loanID: loan.loan.id, prepayPrincipalFen: nil, full: true, idempotencyKey: "payoff", address: "test")
        #expect(try await s.lending.consumerCredit(s.principal).availableFen == limit - Int64(loans.count - 1) * 4_900_00)
        try await t.finish()
    }

    @Test("The end-of-day runner bills and debits instalments falling due that day")
    func endOfDayRunner() async throws {
        let t = try await TestPlatform.make()
        let s = try await LendingScenario.make(t)
        let order = try await s.purchase(600_00, number: "R-0001")
        let loan = try await s.lending.accept(s.principal, offerID: try await s.offer(for: order).id, termMonths: 3, pricing: .flatFee, address: "test")
        let due = loan.instalments[0].dueDate
        s.afterEndOf(due)
        let report = try await t.platform.endOfDay.run(date: due)
        #expect(report.steps.contains { $0.name == "lending.auto-debit" })
        let view = try await s.lending.view(loan.loan.id)
        #expect(view.instalments[0].isPaid)
        #expect(view.instalments[1].isPaid == false)
        try await t.finish()
    }
}
