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
    /// Accrues demand interest for `date` (after its midnight cut-off), and for any earlier day a
    /// missed run left behind, each on that day's balance and rate.
    public func accrueDemandInterest(for date: BusinessDate) async throws -> DemandAccrualReport {
        try requireDayEnded(date)
        let day = date.daysSinceEpoch
        let rate = try await rate(.demand, on: date)
        let offset = BusinessDate.shanghaiOffsetSeconds * 1_000_000_000
        // Accounts opened by the end of `date` join, accrued through the day before they opened.
        let added = try await database.execute(
            """
            INSERT INTO wealth_demand (account_num, account_id, accrued_micros, accrued_through, settled_through)
            SELECT num, id, 0, (created_at + ?) / 86400000000000 - 1, 0 FROM ledger_accounts
            WHERE chart_code = ? AND created_at < ? AND num > (SELECT COALESCE(MAX(account_num), 0) FROM wealth_demand)
            ORDER BY num
            """, [.int(offset), .text(ChartOfAccounts.customerDemandDeposits), .time(date.adding(days: 1).startInstant)])
        // Days a missed run left behind are accrued one at a time, each on its own end-of-day
        // balance and rate (积数: Σ daily balances), never as today's balance × days.
        let earliest = try await database.first("SELECT MIN(accrued_through) AS d FROM wealth_demand")?.optionalInt("d") ?? day
        let first = min(earliest + 1, day)
        // Posted movements after the first cut-off, in commit order (on time: the minutes before the run).
        let late = try await ledger.postedMovements(since: BusinessDate(daysSinceEpoch: first + 1).startInstant, limit: 1_000_001)
        guard late.count <= 1_000_000 else {
            throw DomainError(.conflict, "More than a million movements since the cut-off of \(BusinessDate(daysSinceEpoch: first)); run end-of-day sooner.", status: 409)
        }
        var deltas: [Int64: Int64] = [:]
        for movement in late {
            deltas[movement.creditNum, default: 0] += movement.amount
            deltas[movement.debitNum, default: 0] -= movement.amount
        }
        var next = 0
        var accrued = 0
        for d in first...day {
            let dayDate = BusinessDate(daysSinceEpoch: d)
            // A settlement date a missed (or cut-off) run passed over is settled before the next day accrues.
            let previous = dayDate.adding(days: -1)
            if InterestMath.isDemandSettlementDate(previous) { _ = try await settleDemandInterest(for: previous) }
            // Movements before this day's cut-off belong to its balance.
            let cutoff = dayDate.adding(days: 1).startInstant
            while next < late.count, late[next].timestamp < cutoff {
                deltas[late[next].creditNum, default: 0] -= late[next].amount
                deltas[late[next].debitNum, default: 0] += late[next].amount
                next += 1
            }
            accrued = try await accrueDay(dayDate, rate: d == day ? rate : try await self.rate(.demand, on: dayDate), deltas: deltas)
        }
        // The bank-level accrual once, for all the days (a settlement on the way trued it up for its own).
        let total = try await postAccrualToPayable(transferID: RongID.derived("wealth.demand-accrual", date.iso), code: WealthTransferCode.demandAccrual,
                                                   memo: "活期利息计提 \(date.iso)")
        return DemandAccrualReport(date: date, rate: rate, newAccounts: added, accountsAccrued: accrued, totalAccruedMicros: total)
    }

    /// One day's accrual: every account not yet accrued through `date` adds its balance at that
    /// day's cut-off (the posted balance less `deltas`, what moved since) × `rate` ÷ 360. Returns
    /// how many accounts accrued.
    private func accrueDay(_ date: BusinessDate, rate: AnnualRate, deltas: [Int64: Int64]) async throws -> Int {
        let day = date.daysSinceEpoch
        let positive = database.dialect == .sqlite ? "MAX" : "GREATEST"
        return try await database.transaction { tx in
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
            return accrued
        }
    }

    /// Moves interest payable to floor(Σ accrued ÷ 1e6) fen with one transfer against interest
    /// expense; returns Σ accrued in micro-fen. Idempotent: the id names the target.
    @discardableResult
    func postAccrualToPayable(transferID: RongID, code: Int, memo: String) async throws -> Int64 {
        // CAST: PostgreSQL sums BIGINT as NUMERIC.
        let sum = try await database.first("SELECT CAST(COALESCE(SUM(accrued_micros), 0) AS BIGINT) AS total FROM wealth_demand")?.int("total") ?? 0
        let target = sum / InterestMath.microsPerFen
        let payable = try await ledger.account(WealthLedgerAccounts.interestPayable)?.balance.postedCreditBalance ?? 0
        let delta = target - payable
        guard delta != 0 else { return sum }
        let id = RongID.derived(transferID.description, target)
        let (from, to) = delta > 0 ? (WealthLedgerAccounts.interestExpense, WealthLedgerAccounts.interestPayable)
                                   : (WealthLedgerAccounts.interestPayable, WealthLedgerAccounts.interestExpense)
        try await accounts.post([.posted(id: id, from: from, to: to, amount: abs(delta), code: code, metadata: AccountsService.memo(memo))])
        return sum
    }

    /// Credits the quarter's demand interest on a settlement date (the 20th of Mar/Jun/Sep/Dec),
    /// in ledger submissions of `batchSize`, up to `inFlight` at once, then marks every account
    /// settled in one statement. Re-running the date pays nothing twice: the transfer ids derive
    /// from (date, account), and the accruals change only after every payment is in the ledger.
    /// (No write between the submissions: another connection's commit would empty the ledger
    /// writer's account cache each time.)
    public func settleDemandInterest(for date: BusinessDate, batchSize: Int = 8_000, inFlight: Int = 4) async throws -> DemandSettlementReport {
        precondition((1...LedgerLimits.eventsPerSubmissionMax).contains(batchSize) && (1...16).contains(inFlight))
        try requireDayEnded(date)
        let day = date.daysSinceEpoch
        let memo = AccountsService.memo("活期结息 \(date.adding(days: 1).iso)")
        typealias Due = (num: Int64, id: RongID, fen: Int64)
        typealias Outcome = (paid: Int, paidFen: Int64, refused: [(num: Int64, fen: Int64)])
        var paid = 0, paidFen: Int64 = 0
        var refused: [(num: Int64, fen: Int64)] = []
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            func collect(_ outcome: Outcome) {
                paid += outcome.paid
                paidFen += outcome.paidFen
                refused += outcome.refused
            }
            var after: Int64 = 0
            var running = 0
            while true {
                let rows = try await database.query(
                    """
                    SELECT account_num, account_id, accrued_micros FROM wealth_demand
                    WHERE account_num > ? AND settled_through < ? AND accrued_through >= ? ORDER BY account_num LIMIT ?
                    """, [.int(after), .int(day), .int(day), .int(Int64(batchSize))])
                guard let last = rows.last else { break }
                after = last.int("account_num")
                let due: [Due] = rows.compactMap { row in
                    let fen = InterestMath.roundToFen(micros: row.int("accrued_micros"))
                    return fen > 0 ? (row.int("account_num"), row.id("account_id"), fen) : nil
                }
                guard !due.isEmpty else { continue }
                if running >= inFlight, let outcome = try await group.next() {
                    collect(outcome)
                    running -= 1
                }
                group.addTask { [ledger] in
                    let results = try await ledger.submit(due.map {
                        .posted(id: RongID.derived("wealth.demand-interest", date.iso, $0.id), from: WealthLedgerAccounts.interestPayable, to: $0.id,
                                amount: $0.fen, code: WealthTransferCode.demandInterest, metadata: memo)
                    })
                    var outcome: Outcome = (0, 0, [])
                    for (item, result) in zip(due, results) {
                        if result.isSuccess { outcome.paid += 1; outcome.paidFen += item.fen } else { outcome.refused.append((item.num, item.fen)) }
                    }
                    return outcome
                }
                running += 1
            }
            while let outcome = try await group.next() { collect(outcome) }
        }
        try await database.transaction { tx in
            try await tx.execute(
                """
                UPDATE wealth_demand SET accrued_micros = accrued_micros - ((accrued_micros + 500000) / 1000000) * 1000000, settled_through = ?
                WHERE settled_through < ? AND accrued_through >= ?
                """, [.int(day), .int(day), .int(day)])
            // An account the ledger refused (closed) keeps what it was owed.
            for item in refused {
                try await tx.execute("UPDATE wealth_demand SET accrued_micros = accrued_micros + ? WHERE account_num = ?",
                                     [.int(item.fen * InterestMath.microsPerFen), .int(item.num)])
            }
        }
        try await postAccrualToPayable(transferID: RongID.derived("wealth.accrual-trueup", date.iso), code: WealthTransferCode.accrualTrueUp,
                                       memo: "活期结息尾差 \(date.iso)")
        return DemandSettlementReport(date: date, accountsPaid: paid, interestPaidFen: paidFen, accountsRefused: refused.count)
    }

    /// Interest accrued and not yet paid on one demand account, in micro-fen, and the day through which it runs.
    public func demandAccrual(accountID: RongID) async throws -> (micros: Int64, through: BusinessDate?) {
        guard let num = try await ledger.accountNumber(accountID),
              let row = try await database.first("SELECT accrued_micros, accrued_through FROM wealth_demand WHERE account_num = ?", [.int(num)]) else {
            return (0, nil)
        }
        return (row.int("accrued_micros"), BusinessDate(daysSinceEpoch: row.int("accrued_through")))
    }
}
