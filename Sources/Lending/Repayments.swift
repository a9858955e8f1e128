import Accounts
import BankKit
import Foundation
import Identity
import Ledger
import Storage

/// How one money movement on a loan or line is split. Stored with its event before the ledger
/// moves anything, so an interrupted movement is finished exactly as it was planned.
struct LendingAllocation: Codable, Sendable, Hashable {
    struct Part: Codable, Sendable, Hashable {
        var period: Int
        var principalFen: Int64
        var interestFen: Int64
        var feeFen: Int64
    }
    /// Instalment loans: penalty interest paid, instalments paid (oldest first), a prepayment
    /// with the instalments that replace the unbilled ones.
    var penaltyFen: Int64 = 0
    var parts: [Part] = []
    var prepayment: Prepayment?
    var newLines: [ScheduleLine] = []
    /// Lines: interest and penalty paid out of the receivable, and principal repaid (or drawn).
    var receivableFen: Int64 = 0
    var principalFen: Int64 = 0

    /// Paid into the receivable account (penalty, billed interest and fees, line interest).
    var toReceivableFen: Int64 { penaltyFen + parts.reduce(0) { $0 + $1.interestFen + $1.feeFen } + receivableFen }
    /// Paid into the principal account.
    var toPrincipalFen: Int64 { parts.reduce(0) { $0 + $1.principalFen } + (prepayment?.principalFen ?? 0) + principalFen }
    /// Accrued interest on prepaid principal, straight to interest income.
    var toIncomeFen: Int64 { prepayment?.interestFen ?? 0 }
    var totalFen: Int64 { toReceivableFen + toPrincipalFen + toIncomeFen }
}

extension LendingService {
    static let inProgress = DomainError(.requestInProgress, "The same request is still being processed; try again in a moment.", status: 409)

    /// Events left `posting` longer than this are finished or dropped by `resolvePostingEvents`.
    public static let postingGraceSeconds: Int64 = 60

    /// Records an event with its allocation, moves the money as one linked ledger chain under
    /// ids derived from the event, then applies the allocation to the tables. A refusal removes
    /// the event; a crash after the ledger is finished by `resolvePostingEvents`.
    ///
    /// `kind`: `repay`, `autodebit`, `sweep` (from `accountID` to the loan or line) or `draw`
    /// (from the line to `accountID`).
    @discardableResult
    func postEvent(ownerID: RongID, accountID: RongID, kind: String, on date: BusinessDate, allocation: LendingAllocation, detail: String,
                   idempotencyKey: String? = nil, requestHash: [UInt8]? = nil, actor: String, address: String) async throws -> RongID {
        let id = ids.next()
        try await database.execute(
            """
            INSERT INTO lending_events (id, owner_id, kind, on_date, principal_fen, interest_fen, fee_fen, penalty_fen, allocation, status, detail,
                idempotency_key, request_hash, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'posting', ?, ?, ?, ?)
            """,
            [.id(id), .id(ownerID), .text(kind), .date(date), .int(allocation.toPrincipalFen),
             .int(allocation.parts.reduce(0) { $0 + $1.interestFen } + allocation.toIncomeFen + allocation.receivableFen),
             .int(allocation.parts.reduce(0) { $0 + $1.feeFen }), .int(allocation.penaltyFen), .json(allocation),
             .text(detail), idempotencyKey.map { .text($0) } ?? .null, requestHash.map { .blob($0) } ?? .null, .time(clock.now())])
        do {
            try await accounts.post(LendingService.transfers(eventID: id, ownerID: ownerID, accountID: accountID, kind: kind, allocation: allocation, memo: detail))
        } catch {
            // The chain is linked: if its first transfer is booked, all are (an answer lost after the
            // commit) and the event goes on; otherwise nothing moved and the event goes.
            if try await ledger.transfer(RongID.derived("lending.event", id, 0)) == nil {
                try await database.execute("DELETE FROM lending_events WHERE id = ? AND status = 'posting'", [.id(id)])
                throw error
            }
        }
        try await database.transaction { tx in
            try await apply(tx, eventID: id, ownerID: ownerID, kind: kind, on: date, allocation: allocation)
            try await identity.audit.record(tx, actor: actor, action: "lending.\(kind)", target: "loan:\(ownerID)", address: address,
                                            detail: "\(Money.fen(allocation.totalFen).formatted) \(detail)")
        }
        return id
    }

    /// The ledger chain of an event: receivable, principal, then accrued interest, linked.
    static func transfers(eventID: RongID, ownerID: RongID, accountID: RongID, kind: String, allocation: LendingAllocation,
                          memo: String) -> [TransferRequest] {
        var legs: [(debit: RongID, credit: RongID, amount: Int64, code: Int)] = []
        if kind == "draw" {
            legs.append((ownerID, accountID, allocation.principalFen, LendingTransferCode.disbursement))
        } else {
            legs.append((accountID, LendingLedgerAccounts.receivable(of: ownerID), allocation.toReceivableFen, LendingTransferCode.repaymentReceivable))
            legs.append((accountID, ownerID, allocation.toPrincipalFen, LendingTransferCode.repaymentPrincipal))
            legs.append((accountID, LendingLedgerAccounts.interestIncome, allocation.toIncomeFen, LendingTransferCode.interest))
        }
        let present = legs.filter { $0.amount > 0 }
        return present.enumerated().map { index, leg in
            .posted(id: RongID.derived("lending.event", eventID, index), from: leg.debit, to: leg.credit, amount: leg.amount, code: leg.code,
                    linked: index < present.count - 1, metadata: AccountsService.memo(memo))
        }
    }

    /// Applies a posted event's allocation to the instalments, the loan or the line, once.
    func apply(_ tx: any SQLSession, eventID: RongID, ownerID: RongID, kind: String, on date: BusinessDate, allocation: LendingAllocation) async throws {
        guard try await tx.execute("UPDATE lending_events SET status = 'posted' WHERE id = ? AND status = 'posting'", [.id(eventID)]) == 1 else { return }
        for part in allocation.parts {
            try await tx.execute(
                """
                UPDATE lending_instalments SET paid_principal_fen = paid_principal_fen + ?, paid_interest_fen = paid_interest_fen + ?,
                    paid_fee_fen = paid_fee_fen + ? WHERE loan_id = ? AND period = ?
                """, [.int(part.principalFen), .int(part.interestFen), .int(part.feeFen), .id(ownerID), .int(Int64(part.period))])
            try await tx.execute(
                """
                UPDATE lending_instalments SET paid_on = ? WHERE loan_id = ? AND period = ? AND paid_on IS NULL
                    AND paid_principal_fen + paid_interest_fen + paid_fee_fen = principal_fen + interest_fen + fee_fen
                """, [.date(date), .id(ownerID), .int(Int64(part.period))])
        }
        if allocation.penaltyFen > 0 {
            try await tx.execute("UPDATE lending_loans SET penalty_paid_fen = penalty_paid_fen + ? WHERE id = ?", [.int(allocation.penaltyFen), .id(ownerID)])
        }
        if let prepayment = allocation.prepayment {
            let row = try await tx.first("SELECT prepayments FROM lending_loans WHERE id = ?", [.id(ownerID)])
            let earlier = row?.json([Prepayment].self, "prepayments") ?? []
            try await tx.execute("UPDATE lending_loans SET prepayments = ? WHERE id = ?", [.json(earlier + [prepayment]), .id(ownerID)])
            try await tx.execute("DELETE FROM lending_instalments WHERE loan_id = ? AND period > ? AND billed = 0",
                                 [.id(ownerID), .int(Int64(prepayment.afterPeriod))])
            for line in allocation.newLines {
                try await insertInstalment(tx, loanID: ownerID, line: line)
            }
        }
        if allocation.receivableFen > 0 {
            try await tx.execute("UPDATE lending_lines SET arrears_fen = CASE WHEN arrears_fen > ? THEN arrears_fen - ? ELSE 0 END WHERE id = ?",
                                 [.int(allocation.receivableFen), .int(allocation.receivableFen), .id(ownerID)])
        }
        // A loan with nothing left to pay is closed.
        if !allocation.parts.isEmpty || allocation.prepayment != nil || allocation.penaltyFen > 0 {
            let open = try await tx.first(
                "SELECT COUNT(*) AS n FROM lending_instalments WHERE loan_id = ? AND paid_principal_fen + paid_interest_fen + paid_fee_fen < principal_fen + interest_fen + fee_fen",
                [.id(ownerID)])?.int("n") ?? 0
            let penalty = try await tx.first("SELECT penalty_accrued_fen - penalty_paid_fen AS n FROM lending_loans WHERE id = ?", [.id(ownerID)])?.int("n") ?? 0
            if open == 0 && penalty == 0 {
                try await tx.execute("UPDATE lending_loans SET status = 'paid_off', closed_on = ? WHERE id = ? AND status = 'active'", [.date(date), .id(ownerID)])
            }
        }
    }

    func insertInstalment(_ tx: any SQLSession, loanID: RongID, line: ScheduleLine) async throws {
        try await tx.execute(
            "INSERT INTO lending_instalments (loan_id, period, due_date, principal_fen, interest_fen, fee_fen) VALUES (?, ?, ?, ?, ?, ?)",
            [.id(loanID), .int(Int64(line.period)), .date(line.dueDate), .int(line.principalFen), .int(line.interestFen), .int(line.feeFen)])
    }

    /// Finishes events whose ledger chain went through and drops those whose chain did not
    /// (a crash between the steps of `postEvent`). The end-of-day runner calls it first.
    public func resolvePostingEvents(olderThanSeconds: Int64 = LendingService.postingGraceSeconds) async throws -> Int {
        let rows = try await database.query(
            "SELECT id, owner_id, kind, on_date, allocation FROM lending_events WHERE status = 'posting' AND created_at <= ? ORDER BY created_at LIMIT 1000",
            [.time(clock.now().adding(seconds: -olderThanSeconds))])
        for row in rows {
            let id = row.id("id")
            guard let allocation = row.json(LendingAllocation.self, "allocation") else { continue }
            if try await ledger.transfer(RongID.derived("lending.event", id, 0)) != nil {
                try await database.transaction { tx in
                    try await apply(tx, eventID: id, ownerID: row.id("owner_id"), kind: row.text("kind"), on: row.date("on_date"), allocation: allocation)
                }
            } else {
                try await database.execute("DELETE FROM lending_events WHERE id = ? AND status = 'posting'", [.id(id)])
            }
        }
        return rows.count
    }

    /// An earlier event under this key: the same request returns it; another is a conflict.
    func existingEvent(ownerID: RongID, key: String, hash: [UInt8]) async throws -> RongID? {
        guard let row = try await database.first("SELECT id, request_hash, status FROM lending_events WHERE owner_id = ? AND idempotency_key = ?",
                                                  [.id(ownerID), .text(key)]) else { return nil }
        guard case .blob(let stored) = row["request_hash"], stored == hash else {
            throw DomainError(.idempotencyConflict, "This Idempotency-Key was used with a different request.", status: 409)
        }
        if row.text("status") == "posting" {
            // Still being posted by the first request (or by a node that stopped: the end-of-day
            // step resolves those once they are a minute old). Never resolved here while young.
            throw LendingService.inProgress
        }
        return row.id("id")
    }

    // MARK: Instalment loans

    /// What repaying now takes: unpaid penalty, then instalments due (billed) oldest first, then
    /// `prepayPrincipalFen` (or, with `full`, all remaining principal) ahead of schedule with the
    /// interest accrued on it since the last due date. Instalments due today are billed first.
    public func repaymentQuote(_ principal: Principal, loanID: RongID, prepayPrincipalFen: Int64?, full: Bool) async throws -> RepaymentQuote {
        let loan = try await ownedLoan(principal, id: loanID)
        return try await plan(loan, prepayPrincipalFen: prepayPrincipalFen, full: full).quote
    }

    func plan(_ loan: Loan, prepayPrincipalFen: Int64?, full: Bool) async throws -> (quote: RepaymentQuote, allocation: LendingAllocation) {
        guard loan.status == .active else {
            throw DomainError(.loanNotActive, "This loan is \(loan.status.rawValue); nothing can be repaid.", status: 422)
        }
        let today = self.today
        try await bill(loan, through: today)
        var allocation = LendingAllocation()
        let penalty = try await unpaidPenaltyFen(loan.id)
        allocation.penaltyFen = penalty
        for instalment in try await instalments(of: loan.id) where instalment.billed && !instalment.isPaid {
            allocation.parts.append(.init(period: instalment.period, principalFen: instalment.principalFen - instalment.paidPrincipalFen,
                                          interestFen: instalment.interestFen - instalment.paidInterestFen, feeFen: instalment.feeFen - instalment.paidFeeFen))
        }
        let schedule = try await schedule(of: loan)
        let outstanding = schedule.outstandingPrincipalFen(on: today)
        let prepay = full ? outstanding : (prepayPrincipalFen ?? 0)
        guard prepay >= 0 else {
            throw DomainError(.invalidAmount, "The principal to repay must be positive.", status: 422, extensions: ["field": .string("principal")])
        }
        guard prepay <= outstanding else {
            throw DomainError(.repaymentExceedsOutstanding,
                              "Only \(Money.fen(outstanding).formatted) of principal is outstanding; the excess is refused.", status: 422,
                              extensions: ["outstanding_fen": .int(outstanding), "field": .string("principal")])
        }
        if prepay > 0 {
            let after = try schedule.prepaying(principalFen: prepay, on: today)
            let prepayment = after.prepayments.last!
            allocation.prepayment = prepayment
            allocation.newLines = after.lines.filter { $0.period > prepayment.afterPeriod }
        }
        let quote = RepaymentQuote(
            penaltyFen: penalty, billedInterestFen: allocation.parts.reduce(0) { $0 + $1.interestFen },
            billedFeeFen: allocation.parts.reduce(0) { $0 + $1.feeFen }, billedPrincipalFen: allocation.parts.reduce(0) { $0 + $1.principalFen },
            prepaidPrincipalFen: allocation.prepayment?.principalFen ?? 0, prepaidInterestFen: allocation.prepayment?.interestFen ?? 0,
            principalAfterFen: outstanding - prepay)
        return (quote, allocation)
    }

    /// Repays a loan from its account: what is due first, then `prepayPrincipalFen` (or all, with
    /// `full`) ahead of schedule; later instalments are recomputed. Idempotent on the key.
    public func repay(_ principal: Principal, loanID: RongID, prepayPrincipalFen: Int64?, full: Bool, idempotencyKey: String?,
                      address: String) async throws -> LoanView {
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        let loan = try await ownedLoan(principal, id: loanID)
        let hash = Array("repay|\(prepayPrincipalFen ?? -1)|\(full)".utf8)
        return try await locks.withLock([loan.id]) {
            if try await self.existingEvent(ownerID: loan.id, key: key, hash: hash) != nil { return try await self.view(loan.id) }
            let (quote, allocation) = try await self.plan(loan, prepayPrincipalFen: prepayPrincipalFen, full: full)
            guard quote.totalFen > 0 else {
                throw DomainError(.nothingDue, "Nothing is due on this loan; give the principal to repay ahead of schedule.", status: 422)
            }
            guard let account = try await self.accounts.eAccount(id: loan.accountID) else { throw DomainError.notFound("Account") }
            try AccountsService.checkCanSend(account)
            let detail = allocation.prepayment == nil ? "逸贷还款" : (quote.principalAfterFen == 0 ? "逸贷提前结清" : "逸贷提前还款")
            do {
                try await self.postEvent(ownerID: loan.id, accountID: account.id, kind: "repay", on: self.today, allocation: allocation, detail: detail,
                                         idempotencyKey: key, requestHash: hash, actor: principal.actorRef, address: address)
            } catch let error as StorageError where error.kind == .uniqueViolation {
                _ = try await self.existingEvent(ownerID: loan.id, key: key, hash: hash)
            }
            return try await self.view(loan.id)
        }
    }
}
