import Accounts
import BankKit
import Identity
import Ledger
import Storage

/// One row of the loan book.
public struct LoanBookEntry: Sendable, Hashable {
    public let loan: Loan
    public let customerName: String
    public let outstandingPrincipalFen: Int64
    public let overdueFen: Int64
    public let daysPastDue: Int
    public var bucket: DelinquencyBucket { DelinquencyBucket(daysPastDue: daysPastDue) }
}

/// The delinquency report: loans, principal outstanding and amounts overdue, by bucket.
public struct DelinquencyReport: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public let bucket: DelinquencyBucket
        public let loans: Int
        public let outstandingPrincipalFen: Int64
        public let overdueFen: Int64
    }
    public let date: BusinessDate
    public let rows: [Row]
    public var totalLoans: Int { rows.reduce(0) { $0 + $1.loans } }
    public var totalOutstandingFen: Int64 { rows.reduce(0) { $0 + $1.outstandingPrincipalFen } }
}

/// For operators: a loan with who holds it and the decision behind it (inputs and reasons).
public struct LoanDossier: Sendable, Hashable {
    public let view: LoanView
    public let customer: Customer
    public let decision: RecordedDecision?
}

extension LendingService {
    /// Loans in the book at most, for the book page and the delinquency report.
    public static let loanBookMax = 5_000

    /// Active loans with balances and delinquency (written-off and repaid loans with `includeClosed`).
    public func loanBook(by staff: Principal, bucket: DelinquencyBucket? = nil, includeClosed: Bool = false, limit: Int = 200) async throws -> [LoanBookEntry] {
        try staff.requireOperator("Operators see the loan book.")
        let rows = try await database.query(
            "\(LendingService.loanSelect) WHERE status \(includeClosed ? "<> 'disbursing'" : "= 'active'") ORDER BY created_at DESC LIMIT ?",
            [.int(Int64(LendingService.loanBookMax))])
        let today = self.today
        var entries: [LoanBookEntry] = []
        for row in rows {
            let loan = LendingService.loan(row)
            let instalments = try await instalments(of: loan.id)
            let live = loan.status == .active
            let entry = LoanBookEntry(
                loan: loan, customerName: try await accounts.customer(id: loan.customerID)?.name ?? "",
                outstandingPrincipalFen: try await debitBalance(loan.id),
                overdueFen: live ? LendingService.overdueFen(instalments, penaltyFen: try await unpaidPenaltyFen(loan.id), on: today) : 0,
                daysPastDue: live ? LendingService.daysPastDue(instalments, on: today) : 0)
            if let bucket, entry.bucket != bucket { continue }
            entries.append(entry)
            if entries.count >= min(max(limit, 1), 1_000) { break }
        }
        return entries
    }

    /// Active loans by days-past-due bucket on today's date.
    public func delinquencyReport(by staff: Principal) async throws -> DelinquencyReport {
        let entries = try await loanBook(by: staff, limit: 1_000_000)
        let rows = DelinquencyBucket.allCases.map { bucket in
            let inBucket = entries.filter { $0.bucket == bucket }
            return DelinquencyReport.Row(bucket: bucket, loans: inBucket.count, outstandingPrincipalFen: inBucket.reduce(0) { $0 + $1.outstandingPrincipalFen },
                                         overdueFen: inBucket.reduce(0) { $0 + $1.overdueFen })
        }
        return DelinquencyReport(date: today, rows: rows)
    }

    /// A loan as operators see it.
    public func dossier(by staff: Principal, loanID: RongID) async throws -> LoanDossier {
        try staff.requireOperator("Operators see the loan book.")
        let view = try await view(loanID)
        guard let customer = try await accounts.customer(id: view.loan.customerID) else { throw DomainError.notFound("Customer") }
        var decision: RecordedDecision?
        if let offer = try await offer(id: view.loan.offerID) { decision = try await self.decision(id: offer.decisionID) }
        return LoanDossier(view: view, customer: customer, decision: decision)
    }

    /// Writes a loan off (90+ days past due, with a reason): its principal and everything owed
    /// move to the write-off loss account; accrual stops. Audited.
    public func writeOff(by staff: Principal, loanID: RongID, reason: String, address: String) async throws -> LoanView {
        try staff.requireOperator("Operators see the loan book.")
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (4...200).contains(reason.count) else {
            throw DomainError(.invalidRequest, "Give a reason of 4 to 200 characters.", status: 422, extensions: ["field": .string("reason")])
        }
        return try await locks.withLock([loanID]) {
            guard let loan = try await self.loan(id: loanID) else { throw DomainError.notFound("Loan") }
            if loan.status == .writtenOff { return try await self.view(loanID) }
            guard loan.status == .active else { throw DomainError(.loanNotActive, "This loan is \(loan.status.rawValue).", status: 422) }
            let today = self.today
            let dpd = LendingService.daysPastDue(try await self.instalments(of: loanID), on: today)
            guard DelinquencyBucket(daysPastDue: dpd) == .dpd90plus else {
                throw DomainError(.writeOffNotAllowed, "Only loans more than 90 days past due are written off; this one is \(dpd) days past due.",
                                  status: 422, extensions: ["days_past_due": .int(Int64(dpd))])
            }
            let principal = try await self.debitBalance(loanID)
            let receivable = try await self.debitBalance(LendingLedgerAccounts.receivable(of: loanID))
            let legs: [TransferRequest] = [
                (loanID, principal, "principal"), (LendingLedgerAccounts.receivable(of: loanID), receivable, "receivable"),
            ].filter { $0.1 > 0 }.map { account, amount, part in
                .posted(id: RongID.derived("lending.writeoff", loanID, part), from: LendingLedgerAccounts.writeOffLoss, to: account, amount: amount,
                        code: LendingTransferCode.writeOff, metadata: AccountsService.memo("贷款核销"))
            }
            try await self.accounts.post(legs)
            try await self.database.transaction { tx in
                try await tx.execute("UPDATE lending_loans SET status = 'written_off', closed_on = ?, write_off_reason = ? WHERE id = ? AND status = 'active'",
                                     [.date(today), .text(reason), .id(loanID)])
                try await self.recordEvent(tx, ownerID: loanID, kind: "writeoff", on: today, principalFen: principal, interestFen: receivable,
                                           detail: "核销：\(reason)")
                try await self.identity.audit.record(tx, actor: staff.actorRef, action: "lending.writeoff", target: "loan:\(loanID)", address: address,
                                                     detail: "principal=\(principal) receivable=\(receivable) reason=\(reason)")
            }
            return try await self.view(loanID)
        }
    }
}
