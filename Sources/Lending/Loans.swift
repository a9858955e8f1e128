import Accounts
import BankKit
import Identity
import Ledger
import Storage

extension LendingService {
    static let loanSelect = """
        SELECT id, customer_id, offer_id, account_id, pricing, rate_micros, penalty_rate_micros, term_months, principal_fen, start_date,
            status, created_at, closed_on, write_off_reason, prepayments FROM lending_loans
        """

    static func loan(_ row: SQLRow) -> Loan {
        let pricing = PricingChoice(rawValue: row.text("pricing")) ?? .flatFee
        let rate = Rate(micros: row.int("rate_micros"))
        let method: RepaymentMethod = switch pricing {
        case .flatFee: .flatFee(monthly: rate)
        case .equalInstalment: .equalInstalment(annual: rate)
        case .equalPrincipal: .equalPrincipal(annual: rate)
        }
        // Stored terms were validated when the loan was booked.
        let terms = try! LoanTerms(principalFen: row.int("principal_fen"), termMonths: Int(row.int("term_months")), method: method,
                                   startDate: row.date("start_date"))
        return Loan(id: row.id("id"), customerID: row.id("customer_id"), offerID: row.id("offer_id"), accountID: row.id("account_id"),
                    pricing: pricing, terms: terms, penaltyAnnual: Rate(micros: row.int("penalty_rate_micros")),
                    status: Loan.Status(rawValue: row.text("status")) ?? .active, createdAt: row.time("created_at"),
                    closedOn: row.optionalText("closed_on").flatMap { try? BusinessDate(iso: $0) }, writeOffReason: row.optionalText("write_off_reason"))
    }

    public func loan(id: RongID) async throws -> Loan? {
        try await database.first("\(LendingService.loanSelect) WHERE id = ?", [.id(id)]).map(LendingService.loan)
    }

    /// A loan of the signed-in customer; anyone else's is "not found".
    func ownedLoan(_ principal: Principal, id: RongID) async throws -> Loan {
        let customer = try await accounts.customer(of: principal)
        guard let loan = try await loan(id: id), loan.customerID == customer.id else { throw DomainError.notFound("Loan") }
        return loan
    }

    public func instalments(of loanID: RongID) async throws -> [Instalment] {
        try await database.query(
            """
            SELECT period, due_date, principal_fen, interest_fen, fee_fen, paid_principal_fen, paid_interest_fen, paid_fee_fen, billed, paid_on
            FROM lending_instalments WHERE loan_id = ? ORDER BY period
            """, [.id(loanID)]).map { row in
                Instalment(period: Int(row.int("period")), dueDate: row.date("due_date"), principalFen: row.int("principal_fen"),
                           interestFen: row.int("interest_fen"), feeFen: row.int("fee_fen"), paidPrincipalFen: row.int("paid_principal_fen"),
                           paidInterestFen: row.int("paid_interest_fen"), paidFeeFen: row.int("paid_fee_fen"), billed: row.bool("billed"),
                           paidOn: row.optionalText("paid_on").flatMap { try? BusinessDate(iso: $0) })
            }
    }

    /// The loan's plan as the arithmetic sees it: the original schedule with each prepayment applied.
    func schedule(of loan: Loan) async throws -> LoanSchedule {
        var schedule = LoanSchedule(loan.terms)
        for prepayment in try await prepayments(of: loan.id) {
            schedule = try schedule.prepaying(principalFen: prepayment.principalFen, on: prepayment.date)
        }
        return schedule
    }

    func unpaidPenaltyFen(_ loanID: RongID) async throws -> Int64 {
        try await database.first("SELECT penalty_accrued_fen - penalty_paid_fen AS n FROM lending_loans WHERE id = ?", [.id(loanID)])?.int("n") ?? 0
    }

    /// Bills every instalment due on or before `date`: its interest and fee move into the
    /// loan's receivable (income is recognised when due). Idempotent per instalment.
    func bill(_ loan: Loan, through date: BusinessDate) async throws {
        let due = try await database.query(
            "SELECT period, interest_fen, fee_fen FROM lending_instalments WHERE loan_id = ? AND billed = 0 AND due_date <= ? ORDER BY period",
            [.id(loan.id), .date(date)])
        let receivable = LendingLedgerAccounts.receivable(of: loan.id)
        for row in due {
            let period = row.int("period")
            _ = try await postOnce(id: RongID.derived("lending.bill.interest", loan.id, period), from: receivable, to: LendingLedgerAccounts.interestIncome,
                                   amountFen: row.int("interest_fen"), code: LendingTransferCode.interest, memo: "逸贷第\(period)期利息")
            _ = try await postOnce(id: RongID.derived("lending.bill.fee", loan.id, period), from: receivable, to: LendingLedgerAccounts.feeIncome,
                                   amountFen: row.int("fee_fen"), code: LendingTransferCode.fee, memo: "逸贷第\(period)期手续费")
            try await database.execute("UPDATE lending_instalments SET billed = 1 WHERE loan_id = ? AND period = ?", [.id(loan.id), .int(period)])
        }
    }

    /// Days the oldest unpaid instalment is past due on `date` (its due date is day 0).
    static func daysPastDue(_ instalments: [Instalment], on date: BusinessDate) -> Int {
        guard let oldest = instalments.first(where: { !$0.isPaid && $0.dueDate < date }) else { return 0 }
        return oldest.dueDate.days(until: date)
    }

    /// Overdue on `date`: instalments past due and unpaid, plus unpaid penalty.
    static func overdueFen(_ instalments: [Instalment], penaltyFen: Int64, on date: BusinessDate) -> Int64 {
        instalments.filter { $0.dueDate < date }.reduce(penaltyFen) { $0 + $1.unpaidFen }
    }

    /// Everything overdue on a customer's loans on `date`.
    func overdueFen(customerID: RongID, on date: BusinessDate) async throws -> Int64 {
        let row = try await database.first(
            """
            SELECT COALESCE(SUM(i.principal_fen + i.interest_fen + i.fee_fen - i.paid_principal_fen - i.paid_interest_fen - i.paid_fee_fen), 0) AS n
            FROM lending_instalments i JOIN lending_loans l ON l.id = i.loan_id
            WHERE l.customer_id = ? AND l.status = 'active' AND i.due_date < ?
            """, [.id(customerID), .date(date)])
        let penalty = try await database.first(
            "SELECT COALESCE(SUM(penalty_accrued_fen - penalty_paid_fen), 0) AS n FROM lending_loans WHERE customer_id = ? AND status = 'active'",
            [.id(customerID)])
        return (row?.int("n") ?? 0) + (penalty?.int("n") ?? 0)
    }

    /// A loan with its instalments, balances, delinquency, cost and history.
    public func view(_ loanID: RongID) async throws -> LoanView {
        guard let loan = try await loan(id: loanID) else { throw DomainError.notFound("Loan") }
        let instalments = try await instalments(of: loanID)
        let penalty = try await unpaidPenaltyFen(loanID)
        let today = self.today
        let original = LoanSchedule(loan.terms)
        let live = loan.status == .active
        return LoanView(loan: loan, instalments: instalments, outstandingPrincipalFen: try await debitBalance(loanID),
                        receivableFen: try await debitBalance(LendingLedgerAccounts.receivable(of: loanID)),
                        overdueFen: live ? LendingService.overdueFen(instalments, penaltyFen: penalty, on: today) : 0,
                        daysPastDue: live ? LendingService.daysPastDue(instalments, on: today) : 0,
                        totalInterestFen: instalments.reduce(0) { $0 + $1.interestFen } + (try await prepayments(of: loanID)).reduce(0) { $0 + $1.interestFen },
                        totalFeeFen: instalments.reduce(0) { $0 + $1.feeFen }, apr: original.apr, events: try await events(of: loanID))
    }

    /// Principal repaid ahead of schedule, in order (the schedule is the original one with each applied).
    func prepayments(of loanID: RongID) async throws -> [Prepayment] {
        try await database.first("SELECT prepayments FROM lending_loans WHERE id = ?", [.id(loanID)])?.json([Prepayment].self, "prepayments") ?? []
    }

    /// The history of a loan or line, newest first (posted movements only).
    public func events(of ownerID: RongID, limit: Int = 200) async throws -> [LendingEvent] {
        try await database.query(
            """
            SELECT id, kind, on_date, principal_fen, interest_fen, fee_fen, penalty_fen, detail, created_at FROM lending_events
            WHERE owner_id = ? AND status = 'posted' ORDER BY created_at DESC, id DESC LIMIT ?
            """, [.id(ownerID), .int(Int64(min(max(limit, 1), 500)))]).map { row in
                LendingEvent(id: row.id("id"), kind: row.text("kind"), onDate: row.date("on_date"), principalFen: row.int("principal_fen"),
                             interestFen: row.int("interest_fen"), feeFen: row.int("fee_fen"), penaltyFen: row.int("penalty_fen"),
                             detail: row.text("detail"), createdAt: row.time("created_at"))
            }
    }

    /// Records a movement that is not a repayment (disbursement, write-off) in the history, posted.
    func recordEvent(_ tx: any SQLSession, ownerID: RongID, kind: String, on date: BusinessDate, principalFen: Int64, interestFen: Int64 = 0,
                     penaltyFen: Int64 = 0, detail: String) async throws {
        try await tx.execute(
            """
            INSERT INTO lending_events (id, owner_id, kind, on_date, principal_fen, interest_fen, fee_fen, penalty_fen, status, detail, created_at)
            VALUES (?, ?, ?, ?, ?, ?, 0, ?, 'posted', ?, ?)
            """, [.id(ids.next()), .id(ownerID), .text(kind), .date(date), .int(principalFen), .int(interestFen), .int(penaltyFen), .text(detail),
                  .time(clock.now())])
    }

    /// The signed-in customer's loans, newest first.
    public func loans(_ principal: Principal) async throws -> [LoanView] {
        let customer = try await accounts.customer(of: principal)
        let rows = try await database.query("SELECT id FROM lending_loans WHERE customer_id = ? AND status <> 'disbursing' ORDER BY created_at DESC LIMIT 100",
                                            [.id(customer.id)])
        var views: [LoanView] = []
        for row in rows { views.append(try await view(row.id("id"))) }
        return views
    }

    /// One of the signed-in customer's loans.
    public func loanView(_ principal: Principal, id: RongID) async throws -> LoanView {
        try await view(ownedLoan(principal, id: id).id)
    }

    // MARK: End of day

    /// Penalty interest for each day up to `date` on what was overdue that day (instalments past
    /// their due date and unpaid): actual/360 at the loan's penalty rate, sub-fen carried.
    public func accruePenalties(for date: BusinessDate) async throws -> (loans: Int, penaltyFen: Int64) {
        let rows = try await database.query(
            """
            SELECT DISTINCT l.id FROM lending_loans l JOIN lending_instalments i ON i.loan_id = l.id
            WHERE l.status = 'active' AND i.due_date < ? AND i.paid_principal_fen + i.paid_interest_fen + i.paid_fee_fen < i.principal_fen + i.interest_fen + i.fee_fen
            """, [.date(date)])
        var total: Int64 = 0
        for row in rows {
            let loanID = row.id("id")
            total += try await locks.withLock([loanID]) { try await self.accruePenalty(loanID, through: date) }
        }
        return (rows.count, total)
    }

    func accruePenalty(_ loanID: RongID, through date: BusinessDate) async throws -> Int64 {
        guard let loan = try await loan(id: loanID), loan.status == .active,
              let state = try await database.first("SELECT penalty_micros, penalty_through FROM lending_loans WHERE id = ?", [.id(loanID)]) else { return 0 }
        let instalments = try await instalments(of: loanID)
        var micros = state.int("penalty_micros")
        var day = state.optionalText("penalty_through").flatMap { try? BusinessDate(iso: $0) }.map { $0.adding(days: 1) }
            ?? instalments.first(where: { !$0.isPaid })?.dueDate.adding(days: 1) ?? date
        guard day <= date else { return 0 }
        while day <= date {
            // What was overdue during `day`: unpaid amounts of instalments due before it.
            let overdue = instalments.filter { $0.dueDate < day }.reduce(Int64(0)) { $0 + $1.unpaidFen }
            micros += overdue * loan.penaltyAnnual.micros / LoanMath.dayCountBasis
            day = day.adding(days: 1)
        }
        let fen = micros / Rate.microsPerUnit
        let booked = try await postOnce(id: RongID.derived("lending.penalty", loanID, date), from: LendingLedgerAccounts.receivable(of: loanID),
                                        to: LendingLedgerAccounts.penaltyIncome, amountFen: fen, code: LendingTransferCode.penalty, memo: "逸贷罚息")
        try await database.transaction { tx in
            try await tx.execute(
                "UPDATE lending_loans SET penalty_micros = ?, penalty_through = ?, penalty_accrued_fen = penalty_accrued_fen + ? WHERE id = ?",
                [.int(micros - booked * Rate.microsPerUnit), .date(date), .int(booked), .id(loanID)])
            if booked > 0 {
                try await recordEvent(tx, ownerID: loanID, kind: "penalty", on: date, principalFen: 0, penaltyFen: booked, detail: "逾期罚息")
            }
        }
        return booked
    }

    /// Bills instalments due on or before `date` on every active loan.
    public func billDueInstalments(through date: BusinessDate) async throws -> Int {
        let rows = try await database.query(
            "SELECT DISTINCT i.loan_id FROM lending_instalments i JOIN lending_loans l ON l.id = i.loan_id WHERE l.status = 'active' AND i.billed = 0 AND i.due_date <= ?",
            [.date(date)])
        for row in rows {
            let loanID = row.id("loan_id")
            try await locks.withLock([loanID]) {
                if let loan = try await self.loan(id: loanID) { try await self.bill(loan, through: date) }
            }
        }
        return rows.count
    }

    /// Automatic debit: from each loan's account, as much of what is due (penalty, then billed
    /// instalments oldest first) as the available balance covers. What it cannot take stays
    /// overdue and is tried again the next evening.
    public func autoDebit(on date: BusinessDate) async throws -> (loans: Int, collectedFen: Int64, shortLoans: Int) {
        let rows = try await database.query(
            """
            SELECT DISTINCT l.id FROM lending_loans l LEFT JOIN lending_instalments i ON i.loan_id = l.id AND i.billed = 1
                AND i.paid_principal_fen + i.paid_interest_fen + i.paid_fee_fen < i.principal_fen + i.interest_fen + i.fee_fen
            WHERE l.status = 'active' AND (i.loan_id IS NOT NULL OR l.penalty_accrued_fen > l.penalty_paid_fen)
            """, [])
        var collected: Int64 = 0
        var short = 0
        for row in rows {
            let loanID = row.id("id")
            let (paid, due) = try await locks.withLock([loanID]) { try await self.autoDebit(loanID, on: date) }
            collected += paid
            if paid < due { short += 1 }
        }
        return (rows.count, collected, short)
    }

    func autoDebit(_ loanID: RongID, on date: BusinessDate) async throws -> (paid: Int64, due: Int64) {
        guard let loan = try await loan(id: loanID), loan.status == .active, let account = try await accounts.eAccount(id: loan.accountID) else { return (0, 0) }
        var remaining: Int64
        do {
            try AccountsService.checkCanSend(account)
            remaining = max(0, try await ledger.account(account.id)?.balance.availableCreditBalance ?? 0)
        } catch {
            remaining = 0   // frozen or closed: nothing can be taken
        }
        var allocation = LendingAllocation()
        let penalty = try await unpaidPenaltyFen(loanID)
        var due = penalty
        allocation.penaltyFen = min(penalty, remaining)
        remaining -= allocation.penaltyFen
        for instalment in try await instalments(of: loanID) where instalment.billed && !instalment.isPaid {
            due += instalment.unpaidFen
            let interest = min(instalment.interestFen - instalment.paidInterestFen, remaining); remaining -= interest
            let fee = min(instalment.feeFen - instalment.paidFeeFen, remaining); remaining -= fee
            let principal = min(instalment.principalFen - instalment.paidPrincipalFen, remaining); remaining -= principal
            if interest + fee + principal > 0 {
                allocation.parts.append(.init(period: instalment.period, principalFen: principal, interestFen: interest, feeFen: fee))
            }
        }
        guard allocation.totalFen > 0 else { return (0, due) }
        do {
            try await postEvent(ownerID: loanID, accountID: account.id, kind: "autodebit", on: date, allocation: allocation,
                                detail: allocation.totalFen < due ? "逸贷自动扣款（余额不足，部分扣款）" : "逸贷自动扣款", actor: "system:eod", address: "eod")
        } catch let error as DomainError where error.code == .insufficientFunds {
            return (0, due)   // the balance moved since it was read; tomorrow's run tries again
        }
        return (allocation.totalFen, due)
    }
}
