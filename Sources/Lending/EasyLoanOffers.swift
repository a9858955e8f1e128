import Accounts
import BankKit
import Identity
import Ledger
import Payments
import Storage

/// A loan as it would be booked: the schedule, total cost and APR shown before acceptance.
public struct LoanQuote: Sendable, Hashable {
    public let pricing: PricingChoice
    public let schedule: LoanSchedule
    /// Interest plus fees over the whole term.
    public var totalCostFen: Int64 { schedule.totalInterestFen + schedule.totalFeeFen }
    public var apr: LoanAPR { schedule.apr }
    /// The rate the pricing quotes: monthly fee rate (flat fee) or annual interest rate.
    public let quotedRate: Rate
}

extension LendingService: PurchaseObserving {
    /// After a purchase of at least ¥100, an approved customer with room on their line and
    /// nothing overdue gets an offer to turn it into instalments: by SMS, and as a notification
    /// e-Link delivers. Never fails the purchase; a purchase is offered at most once.
    public func purchaseCompleted(_ purchase: CompletedPurchase) async {
        guard purchase.amountFen >= LendingProducts.easyLoanMinimumPurchaseFen else { return }
        do {
            try await makeOffer(after: purchase)
        } catch {
            logger.warning("逸贷 offer not made", metadata: ["purchase": "\(purchase.reference)", "error": "\(error)"])
        }
    }

    /// Makes the offer for a purchase if the customer qualifies; returns it (nil: no offer).
    @discardableResult
    public func makeOffer(after purchase: CompletedPurchase) async throws -> LoanOffer? {
        if let existing = try await database.first("\(LendingService.offerSelect) WHERE purchase_ref = ?", [.text(purchase.reference)]) {
            return LendingService.offer(existing)
        }
        guard let customer = try await accounts.customer(id: purchase.customerID) else { return nil }
        let credit = try await consumerCredit(customer)
        guard let decision = credit.decision, decision.approved, !credit.overdue else { return nil }
        let amount = min(purchase.amountFen, credit.availableFen)
        guard amount >= LendingProducts.easyLoanMinimumPurchaseFen else { return nil }
        let offer = LoanOffer(id: RongID.derived("lending.offer", purchase.reference), customerID: customer.id, decisionID: decision.id,
                              purchaseRef: purchase.reference, merchantName: String(purchase.merchantName.prefix(40)), purchaseFen: purchase.amountFen,
                              amountFen: amount, accountID: purchase.accountID, status: .offered,
                              expiresAt: clock.now().adding(seconds: LendingProducts.easyLoanOfferValidSeconds), createdAt: clock.now(), loanID: nil)
        let example = LoanSchedule(try LoanTerms(principalFen: amount, termMonths: 12, method: PricingChoice.flatFee.method, startDate: today))
        let text = "您在\(offer.merchantName)消费\(Money.fen(purchase.amountFen).formatted)，可转逸贷分期\(Money.fen(amount).formatted)，"
            + "分3至24期，如12期每期约\(Money.fen(example.lines[0].instalmentFen).formatted)。7天内登录融e行或融e联确认。"
        let sms: SMSMessage? = try await database.transaction { tx in
            do {
                try await tx.execute(
                    """
                    INSERT INTO lending_offers (id, customer_id, decision_id, purchase_ref, merchant_name, purchase_fen, amount_fen, account_id, status,
                        expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'offered', ?, ?)
                    """,
                    [.id(offer.id), .id(customer.id), .id(decision.id), .text(offer.purchaseRef), .text(offer.merchantName), .int(offer.purchaseFen),
                     .int(amount), .id(offer.accountID), .time(offer.expiresAt), .time(offer.createdAt)])
            } catch let error as StorageError where error.kind == .uniqueViolation {
                return nil
            }
            try await identity.notifications.record(
                tx, userID: customer.userID, kind: "loan.offer", title: "逸贷分期邀请", body: text,
                card: NotificationCard(kind: "loan_offer", title: "逸贷 \(Money.fen(amount).formatted)", url: "/bank/loans/offers/\(offer.id)",
                                       fields: ["amount": Money.fen(amount).formatted, "merchant": offer.merchantName, "expires": "7天"]),
                smsText: text)
            return try await identity.sms.record(tx, to: customer.mobile, purpose: "loan.offer", body: text)
        }
        guard let sms else { return try await self.offer(id: offer.id) }
        await identity.sms.deliver(sms)
        return offer
    }

    /// The customer's 逸贷 line: the limit of the current decision and the principal in use.
    public func consumerCredit(_ customer: Customer) async throws -> ConsumerCredit {
        let decision = try await consumerDecision(for: customer)
        let used = try await database.first(
            """
            SELECT COALESCE(SUM(i.principal_fen - i.paid_principal_fen), 0) AS n FROM lending_instalments i
            JOIN lending_loans l ON l.id = i.loan_id WHERE l.customer_id = ? AND l.status IN ('active', 'disbursing')
            """, [.id(customer.id)])?.int("n") ?? 0
        return ConsumerCredit(decision: decision, limitFen: decision.approved ? decision.limitFen : 0, usedFen: used,
                              overdue: try await overdueFen(customerID: customer.id, on: today) > 0)
    }

    public func consumerCredit(_ principal: Principal) async throws -> ConsumerCredit {
        try await consumerCredit(accounts.customer(of: principal))
    }

    static let offerSelect = """
        SELECT id, customer_id, decision_id, purchase_ref, merchant_name, purchase_fen, amount_fen, account_id, status, expires_at, created_at, loan_id
        FROM lending_offers
        """

    static func offer(_ row: SQLRow) -> LoanOffer {
        LoanOffer(id: row.id("id"), customerID: row.id("customer_id"), decisionID: row.id("decision_id"), purchaseRef: row.text("purchase_ref"),
                  merchantName: row.text("merchant_name"), purchaseFen: row.int("purchase_fen"), amountFen: row.int("amount_fen"),
                  accountID: row.id("account_id"), status: LoanOffer.Status(rawValue: row.text("status")) ?? .offered,
                  expiresAt: row.time("expires_at"), createdAt: row.time("created_at"), loanID: row.optionalID("loan_id"))
    }

    public func offer(id: RongID) async throws -> LoanOffer? {
        try await database.first("\(LendingService.offerSelect) WHERE id = ?", [.id(id)]).map(LendingService.offer)
    }

    /// An offer made to the signed-in customer (anyone else's is "not found"), its status as of now.
    public func ownedOffer(_ principal: Principal, id: RongID) async throws -> LoanOffer {
        let customer = try await accounts.customer(of: principal)
        guard let offer = try await offer(id: id), offer.customerID == customer.id else { throw DomainError.notFound("Offer") }
        return offer.status == .offered && offer.expiresAt <= clock.now() ? LendingService.expired(offer) : offer
    }

    static func expired(_ offer: LoanOffer) -> LoanOffer {
        LoanOffer(id: offer.id, customerID: offer.customerID, decisionID: offer.decisionID, purchaseRef: offer.purchaseRef, merchantName: offer.merchantName,
                  purchaseFen: offer.purchaseFen, amountFen: offer.amountFen, accountID: offer.accountID, status: .expired, expiresAt: offer.expiresAt,
                  createdAt: offer.createdAt, loanID: nil)
    }

    /// The signed-in customer's offers, newest first.
    public func offers(_ principal: Principal, limit: Int = 50) async throws -> [LoanOffer] {
        let customer = try await accounts.customer(of: principal)
        let now = clock.now()
        return try await database.query("\(LendingService.offerSelect) WHERE customer_id = ? ORDER BY created_at DESC LIMIT ?",
                                        [.id(customer.id), .int(Int64(min(max(limit, 1), 200)))])
            .map(LendingService.offer).map { $0.status == .offered && $0.expiresAt <= now ? LendingService.expired($0) : $0 }
    }

    /// The schedule, total cost and APR of an offer taken over `termMonths` with `pricing`.
    public func quote(_ offer: LoanOffer, termMonths: Int, pricing: PricingChoice) throws(DomainError) -> LoanQuote {
        let terms = try LoanTerms(principalFen: offer.amountFen, termMonths: termMonths, method: pricing.method, startDate: today,
                                  offeredTermsMonths: LoanTerms.easyLoanTermsMonths)
        let rate = switch pricing {
        case .flatFee: LendingProducts.easyLoanMonthlyFee
        case .equalInstalment, .equalPrincipal: LendingProducts.easyLoanAnnualInterest
        }
        return LoanQuote(pricing: pricing, schedule: LoanSchedule(terms), quotedRate: rate)
    }

    /// Accepts an offer: books the loan with its schedule and pays the amount into the account
    /// that paid for the purchase at once. Accepting again with the same choice returns the same
    /// loan; with another choice, or after expiry, or someone else's offer, it is refused.
    public func accept(_ principal: Principal, offerID: RongID, termMonths: Int, pricing: PricingChoice, address: String) async throws -> LoanView {
        let customer = try await accounts.customer(of: principal)
        _ = try await ownedOffer(principal, id: offerID)   // someone else's offer: not found, before waiting on anything
        // One acceptance at a time per customer: the same offer accepted twice at once books one
        // loan, and two offers taken at once cannot both fit the line. Everything is read inside.
        return try await locks.withLock([customer.id]) {
            let offer = try await self.ownedOffer(principal, id: offerID)
            let loanID = RongID.derived("lending.loan", offer.id)
            let hash = Array("\(termMonths)|\(pricing.rawValue)".utf8)
            if let existing = try await self.existingLoan(loanID, hash: hash) { return existing }
            guard offer.status != .expired else {
                throw DomainError(.offerExpired, "This offer expired on \(BusinessDate(at: offer.expiresAt)).", status: 422)
            }
            guard offer.status == .offered else {
                throw DomainError(.offerAlreadyAccepted, "This offer has been accepted already.", status: 409)
            }
            let quote = try self.quote(offer, termMonths: termMonths, pricing: pricing)
            return try await self.book(offer, quote: quote, customer: customer, loanID: loanID, hash: hash, actor: principal.actorRef, address: address)
        }
    }

    private func book(_ offer: LoanOffer, quote: LoanQuote, customer: Customer, loanID: RongID, hash: [UInt8], actor: String,
                      address: String) async throws -> LoanView {
        let pricing = quote.pricing
        let credit = try await consumerCredit(customer)
        guard !credit.overdue else {
            throw DomainError(.loanOverdue, "A loan is overdue: repay it before borrowing again.", status: 422)
        }
        guard credit.decision?.approved == true, offer.amountFen <= credit.availableFen else {
            throw DomainError(.creditLimitExceeded, "The amount is more than the \(Money.fen(credit.availableFen).formatted) left on your 逸贷 line.",
                              status: 422, extensions: ["available_fen": .int(credit.availableFen)])
        }
        let open = try await database.first("SELECT COUNT(*) AS n FROM lending_loans WHERE customer_id = ? AND status IN ('active', 'disbursing')",
                                            [.id(customer.id)])?.int("n") ?? 0
        guard open < LendingProducts.openLoansPerCustomerMax else {
            throw DomainError(.limitExceeded, "At most \(LendingProducts.openLoansPerCustomerMax) loans may be open at once.", status: 422)
        }
        guard let account = try await accounts.eAccount(id: offer.accountID) else { throw DomainError.notFound("Account") }
        let terms = quote.schedule.terms
        let rate = terms.method.annualRate ?? LendingProducts.easyLoanMonthlyFee
        // The loan and its plan first (`disbursing`), claiming the offer; then the ledger; a
        // refusal undoes the rows, a crash in between is finished by `resolveDisbursements`.
        do {
            try await database.transaction { tx in
                guard try await tx.execute("UPDATE lending_offers SET status = 'accepted', loan_id = ? WHERE id = ? AND status = 'offered'",
                                           [.id(loanID), .id(offer.id)]) == 1 else {
                    throw DomainError(.offerAlreadyAccepted, "This offer has been accepted already.", status: 409)
                }
                try await tx.execute(
                    """
                    INSERT INTO lending_loans (id, customer_id, offer_id, account_id, pricing, rate_micros, penalty_rate_micros, term_months, principal_fen,
                        start_date, status, request_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'disbursing', ?, ?)
                    """,
                    [.id(loanID), .id(customer.id), .id(offer.id), .id(account.id), .text(pricing.rawValue), .int(rate.micros),
                     .int(LendingProducts.easyLoanPenaltyAnnual.micros), .int(Int64(terms.termMonths)), .int(terms.principalFen), .date(terms.startDate),
                     .blob(hash), .time(clock.now())])
                for line in quote.schedule.lines { try await insertInstalment(tx, loanID: loanID, line: line) }
            }
        } catch let error as DomainError where error.code == .offerAlreadyAccepted {
            if let existing = try await existingLoan(loanID, hash: hash) { return existing }
            throw error
        }
        do {
            try await openLedgerAccounts(for: loanID, ownerRef: "customer:\(customer.id)")
            try await accounts.creditFromBank(account, fromAccountID: loanID, amountFen: terms.principalFen,
                                              transferID: RongID.derived("lending.disburse", loanID), code: LendingTransferCode.disbursement,
                                              memo: "逸贷放款 \(offer.merchantName)")
        } catch {
            // Finished if the ledger paid out after all (an answer lost after the commit), undone if not.
            if try await resolveDisbursement(loanID) { return try await view(loanID) }
            throw error
        }
        try await finishDisbursement(loanID, principalFen: terms.principalFen, actor: actor, address: address)
        return try await view(loanID)
    }

    private func existingLoan(_ loanID: RongID, hash: [UInt8]) async throws -> LoanView? {
        guard let row = try await database.first("SELECT request_hash, status, created_at FROM lending_loans WHERE id = ?", [.id(loanID)]) else { return nil }
        guard case .blob(let stored) = row["request_hash"], stored == hash else {
            throw DomainError(.offerAlreadyAccepted, "This offer has been accepted already, with other terms.", status: 409)
        }
        if row.text("status") == "disbursing" {
            // Another request is paying it out; only one left behind (a minute old) is resolved here.
            guard row.time("created_at").adding(seconds: LendingService.postingGraceSeconds) <= clock.now() else { throw LendingService.inProgress }
            guard try await resolveDisbursement(loanID) else { return nil }
        }
        return try await view(loanID)
    }

    private func undoDisbursement(_ loanID: RongID, offerID: RongID) async throws {
        try await database.transaction { tx in
            guard try await tx.execute("DELETE FROM lending_loans WHERE id = ? AND status = 'disbursing'", [.id(loanID)]) == 1 else { return }
            try await tx.execute("DELETE FROM lending_instalments WHERE loan_id = ?", [.id(loanID)])
            try await tx.execute("UPDATE lending_offers SET status = 'offered', loan_id = NULL WHERE id = ?", [.id(offerID)])
        }
    }

    private func finishDisbursement(_ loanID: RongID, principalFen: Int64, actor: String, address: String) async throws {
        var borrower: Customer?
        if let loan = try await loan(id: loanID) { borrower = try await accounts.customer(id: loan.customerID) }
        try await database.transaction { tx in
            guard try await tx.execute("UPDATE lending_loans SET status = 'active' WHERE id = ? AND status = 'disbursing'", [.id(loanID)]) == 1 else { return }
            try await recordEvent(tx, ownerID: loanID, kind: "disburse", on: today, principalFen: principalFen, detail: "逸贷放款")
            if let customer = borrower {
                let text = "逸贷放款\(Money.fen(principalFen).formatted)已到账，首期还款日见贷款详情。"
                try await identity.notifications.record(tx, userID: customer.userID, kind: "alert.transaction", title: "动账提醒", body: text,
                                                        card: NotificationCard(kind: "loan", title: "逸贷 \(Money.fen(principalFen).formatted)",
                                                                               url: "/bank/loans/\(loanID)"),
                                                        smsText: text)
            }
            try await identity.audit.record(tx, actor: actor, action: "lending.loan.accept", target: "loan:\(loanID)", address: address,
                                            detail: Money.fen(principalFen).formatted)
        }
    }

    /// Finishes (the ledger paid out) or undoes (it did not) a loan a crash left `disbursing`.
    func resolveDisbursement(_ loanID: RongID) async throws -> Bool {
        guard let loan = try await loan(id: loanID), loan.status == .disbursing else { return false }
        if try await ledger.transfer(RongID.derived("lending.disburse", loanID)) != nil {
            try await finishDisbursement(loanID, principalFen: loan.terms.principalFen, actor: "system:recovery", address: "recovery")
            return true
        }
        try await undoDisbursement(loanID, offerID: loan.offerID)
        return false
    }

    /// Resolves loans left `disbursing` for over a minute (an end-of-day step calls it).
    public func resolveDisbursements() async throws -> Int {
        let rows = try await database.query("SELECT id FROM lending_loans WHERE status = 'disbursing' AND created_at <= ? LIMIT 1000",
                                            [.time(clock.now().adding(seconds: -LendingService.postingGraceSeconds))])
        for row in rows { _ = try await resolveDisbursement(row.id("id")) }
        return rows.count
    }

    /// Marks offers past their expiry as expired.
    public func expireOffers() async throws -> Int {
        try await database.execute("UPDATE lending_offers SET status = 'expired' WHERE status = 'offered' AND expires_at <= ?", [.time(clock.now())])
    }
}
