import Accounts
import BankKit
import Ledger
import Storage

/// What one day's demand accrual did.
public struct DemandAccrualReport: Sendable, Hashable {
    public let date: BusinessDate
    public let rate: AnnualRate
    public let newAccounts: Int
    public let accountsAccrued: Int
    /// Σ accrued and unpaid interest over every demand account after the day, in micro-fen.
    public let totalAccruedMicros: Int64
}

/// What one quarterly settlement did.
public struct DemandSettlementReport: Sendable, Hashable {
    public let date: BusinessDate
    public let accountsPaid: Int
    public let interestPaidFen: Int64
    public let accountsRefused: Int
}

/// Demand interest (活期, 积数计息法): every day, each demand account (chart 2011) accrues its
/// end-of-day balance × the demand rate ÷ 360 in micro-fen; on the 20th of March, June, September
/// and December the accrual is rounded to fen and credited (the run ends after midnight, on the
/// 21st); the sub-fen remainder carries into the next quarter.
///
/// The end-of-day balance is the ledger's posted balance less whatever was posted after the
/// day's midnight cut-off (the run itself starts after it), so the step gives the same answer
/// whenever it runs. The accrual is one SQL pass over `wealth_demand` keyed by the ledger's
/// integer account number; the bank-level accrual (interest expense → interest payable) is one
/// ledger transfer a day.
extension WealthService {
    public func accrueDemandInterest(for date: BusinessDate) async throws -> DemandAccrualReport {
        let day = date.daysSinceEpoch
        let cutoff = date.adding(days: 1).startInstant
        let rate = try await rate(.demand, on: date)
        let offset = BusinessDate.shanghaiOffsetSeconds * 1_000_000_000
        // Net posted movement after the cut-off per account (small: the minutes before the run).
        let late = try await database.query(
            "SELECT debit_num, credit_num, amount FROM ledger_transfers WHERE ts >= ? AND (flags & 10) = 0 ORDER BY ts LIMIT 1000001",
            [.time(cutoff)])
        guard late.count <= 1_000_000 else {
            throw DomainError(.conflict, "More than a million movements since the cut-off of \(date); run end-of-day for that date sooner.", status: 409)
        }
        var deltas: [Int64: Int64] = [:]
        for row in late {
            deltas[row.int("credit_num"), default: 0] += row.int("amount")
            deltas[row.int("debit_num"), default: 0] -= row.int("amount")
        }
        let positive = database.dialect == .sqlite ? "MAX" : "GREATEST"
        let (added, accrued) = try await database.transaction { tx in
            let added = try await tx.execute(
                """
                INSERT INTO wealth_demand (account_num, account_id, accrued_micros, accrued_through, settled_through)
                SELECT num, id, 0, (created_at + ?) / 86400000000000 - 1, 0 FROM ledger_accounts
                WHERE chart_code = ? AND created_at < ? AND num > (SELECT COALESCE(MAX(account_num), 0) FROM wealth_demand)
                ORDER BY num
                """, [.int(offset), .text(ChartOfAccounts.customerDemandDeposits), .time(cutoff)])
            try await tx.execute("DELETE FROM wealth_balance_adjust")
            for (num, delta) in deltas where delta != 0 {
                try await tx.execute("INSERT INTO wealth_balance_adjust (account_num, delta) VALUES (?, ?)", [.int(num), .int(delta)])
            }
            let accrued = try await tx.execute(
                """
                UPDATE wealth_demand SET
                    accrued_micros = accrued_micros + \(positive)(
                        (SELECT a.credits_posted - a.debits_posted FROM ledger_accounts a WHERE a.num = wealth_demand.account_num)
                        - COALESCE((SELECT j.delta FROM wealth_balance_adjust j WHERE j.account_num = wealth_demand.account_num), 0), 0)
                        * ? / 360 * (? - accrued_through),
                    accrued_through = ?
                WHERE accrued_through < ?
                """, [.int(rate.micros), .int(day), .int(day), .int(day)])
            try await tx.execute("DELETE FROM wealth_balance_adjust")
            return (added, accrued)
        }
        let total = try await postAccrualToPayable(transferID: RongID.derived("wealth.demand-accrual", date.iso),
                                                   code: WealthTransferCode.demandAccrual, memo: "活期利息计提 \(date.iso)")
        return DemandAccrualReport(date: date, rate: rate, newAccounts: added, accountsAccrued: accrued, totalAccruedMicros: total)
    }

    /// Moves interest payable to floor(Σ accrued ÷ 1e6) fen with one transfer against interest
    /// expense; returns Σ accrued in micro-fen. Idempotent: the id names the target.
    @discardableResult
    func postAccrualToPayable(transferID: RongID, code: Int, memo: String) async throws -> Int64 {
        let sum = try await database.first("SELECT COALESCE(SUM(accrued_micros), 0) AS total FROM wealth_demand")?.int("total") ?? 0
        let target = sum / InterestMath.microsPerFen
        let payable = try await ledger.account(WealthLedgerAccounts.interestPayable)?.balance.postedCreditBalance ?? 0
        let delta = target - payable
        guard delta != 0 else { return sum }
        let id = RongID.derived(transferID.description, target)
        let (from, to) = delta > 0 ? (WealthLedgerAccounts.interestExpense, WealthLedgerAccounts.interestPayable)
                                   : (WealthLedgerAccounts.interestPayable, WealthLedgerAccounts.interestExpense)
        try await post([.posted(id: id, from: from, to: to, amount: abs(delta), code: code, metadata: AccountsService.memo(memo))])
        return sum
    }

    /// Credits the quarter's demand interest on a settlement date (the 20th of Mar/Jun/Sep/Dec),
    /// in ledger submissions of `batchSize`. Re-running the date pays nothing twice.
    public func settleDemandInterest(for date: BusinessDate, batchSize: Int = 8_000) async throws -> DemandSettlementReport {
        precondition((1...LedgerLimits.eventsPerSubmissionMax).contains(batchSize))
        let day = date.daysSinceEpoch
        let creditDate = date.adding(days: 1)
        var after: Int64 = 0
        var paid = 0, refused = 0
        var paidFen: Int64 = 0
        while true {
            let rows = try await database.query(
                """
                SELECT account_num, account_id, accrued_micros FROM wealth_demand
                WHERE account_num > ? AND settled_through < ? AND accrued_through >= ? ORDER BY account_num LIMIT ?
                """, [.int(after), .int(day), .int(day), .int(Int64(batchSize))])
            guard let last = rows.last else { break }
            let due = rows.compactMap { row -> (num: Int64, id: RongID, fen: Int64)? in
                let fen = InterestMath.roundToFen(micros: row.int("accrued_micros"))
                return fen > 0 ? (row.int("account_num"), row.id("account_id"), fen) : nil
            }
            var refusedNums: [(Int64, Int64)] = []
            if !due.isEmpty {
                let memo = AccountsService.memo("活期结息 \(creditDate.iso)")
                let results = try await ledger.submit(due.map {
                    .posted(id: RongID.derived("wealth.demand-interest", date.iso, $0.id), from: WealthLedgerAccounts.interestPayable, to: $0.id,
                            amount: $0.fen, code: WealthTransferCode.demandInterest, metadata: memo)
                })
                for (item, result) in zip(due, results) {
                    if result.isSuccess { paid += 1; paidFen += item.fen } else { refused += 1; refusedNums.append((item.num, item.fen)) }
                }
            }
            let hi = last.int("account_num")
            try await database.transaction { tx in
                try await tx.execute(
                    """
                    UPDATE wealth_demand SET accrued_micros = accrued_micros - ((accrued_micros + 500000) / 1000000) * 1000000, settled_through = ?
                    WHERE account_num > ? AND account_num <= ? AND settled_through < ? AND accrued_through >= ?
                    """, [.int(day), .int(after), .int(hi), .int(day), .int(day)])
                // An account the ledger refused (closed) keeps what it was owed.
                for (num, fen) in refusedNums {
                    try await tx.execute("UPDATE wealth_demand SET accrued_micros = accrued_micros + ? WHERE account_num = ?",
                                         [.int(fen * InterestMath.microsPerFen), .int(num)])
                }
            }
            after = hi
        }
        try await postAccrualToPayable(transferID: RongID.derived("wealth.accrual-trueup", date.iso), code: WealthTransferCode.accrualTrueUp,
                                       memo: "活期结息尾差 \(date.iso)")
        return DemandSettlementReport(date: date, accountsPaid: paid, interestPaidFen: paidFen, accountsRefused: refused)
    }

    /// Interest accrued and not yet paid on one demand account, in micro-fen, and the day through which it runs.
    public func demandAccrual(accountID: RongID) async throws -> (micros: Int64, through: BusinessDate?) {
        guard let row = try await database.first(
            "SELECT w.accrued_micros, w.accrued_through FROM wealth_demand w JOIN ledger_accounts a ON a.num = w.account_num WHERE a.id = ?", [.id(accountID)]) else {
            return (0, nil)
        }
        return (row.int("accrued_micros"), BusinessDate(daysSinceEpoch: row.int("accrued_through")))
    }
}
