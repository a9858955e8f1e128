import BankKit
import Storage

/// One line of an account statement.
public struct StatementEntry: Sendable, Hashable {
    public let transfer: StoredTransfer
    /// True when this account was debited.
    public let isDebit: Bool
    /// This account's posted balance (credits minus debits) right after the transfer.
    public let balanceAfter: Int64
    public let cursor: String
}

/// A page of a statement; pass `nextCursor` as `after` for the next page.
public struct StatementPage: Sendable {
    public let entries: [StatementEntry]
    public let nextCursor: String?
}

/// Result of the ledger's invariant check.
public struct InvariantReport: Sendable, CustomStringConvertible {
    public struct AssetTotals: Sendable, Hashable {
        public let asset: String
        /// Sums over every account of the asset; 128 bits because they may exceed Int64.
        public let debitsPosted: Int128
        public let creditsPosted: Int128
        public let debitsPending: Int128
        public let creditsPending: Int128
    }

    public let totals: [AssetTotals]
    public let violations: [String]
    public var isHealthy: Bool { violations.isEmpty }
    public var description: String { isHealthy ? "ledger healthy (\(totals.count) assets)" : violations.joined(separator: "; ") }
}

/// A movement of posted balances (a posted transfer or a posted hold; not a hold or a void),
/// by the ledger's internal account numbers.
public struct PostedMovement: Sendable, Hashable {
    public let timestamp: Timestamp
    public let debitNum: Int64
    public let creditNum: Int64
    public let amount: Int64
}

extension Ledger {
    /// Posted movements committed at or after `instant`, oldest first, at most `limit`: what bulk
    /// jobs subtract from today's balances to read them as of a cut-off.
    public func postedMovements(since instant: Timestamp, limit: Int) async throws -> [PostedMovement] {
        let flags = TransferFlags.pending.rawValue | TransferFlags.voidPending.rawValue
        return try await database.query(
            "SELECT ts, debit_num, credit_num, amount FROM ledger_transfers WHERE ts >= ? AND (flags & ?) = 0 ORDER BY ts LIMIT ?",
            [.time(instant), .int(flags), .int(Int64(limit))]).map {
                PostedMovement(timestamp: $0.time("ts"), debitNum: $0.int("debit_num"), creditNum: $0.int("credit_num"), amount: $0.int("amount"))
            }
    }

    /// The ledger's internal number of an account (the key bulk jobs join on).
    public func accountNumber(_ id: RongID) async throws -> Int64? {
        try await database.first("SELECT num FROM ledger_accounts WHERE id = ?", [.id(id)])?.int("num")
    }

    public func account(_ id: RongID) async throws -> LedgerAccount? {
        try await database.first("SELECT \(LedgerSchema.accountColumns) FROM ledger_accounts WHERE id = ?", [.id(id)]).map(LedgerSchema.account)
    }

    /// Accounts of one owner, oldest first (bounded).
    public func accounts(ownerRef: String, limit: Int = 100) async throws -> [LedgerAccount] {
        try await database.query("SELECT \(LedgerSchema.accountColumns) FROM ledger_accounts WHERE owner_ref = ? ORDER BY num LIMIT ?",
                                 [.text(ownerRef), .int(min(max(limit, 1), 500))]).map(LedgerSchema.account)
    }

    public func transfer(_ id: RongID) async throws -> StoredTransfer? {
        try await database.first("SELECT \(LedgerSchema.transferColumns) FROM \(LedgerSchema.transferFrom) WHERE t.id = ?", [.id(id)]).map(LedgerSchema.transfer)
    }

    /// The statement of an account in commit order (or newest first), with the running balance,
    /// cursor-paginated: the next page starts after the cursor in the chosen order.
    public func statement(account id: RongID, after cursor: String? = nil, limit: Int = 50, newestFirst: Bool = false) async throws -> StatementPage {
        let limit = min(max(limit, 1), LedgerLimits.statementPageMax)
        guard let row = try await database.first("SELECT num FROM ledger_accounts WHERE id = ?", [.id(id)]) else {
            throw DomainError.notFound("Account \(id)")
        }
        let num = row.int("num")
        var after: (ts: Int64, id: RongID)?
        if let cursor {
            let parts = cursor.split(separator: "_")
            guard parts.count == 2, let ts = Int64(parts[0]), let last = try? RongID(String(parts[1])) else {
                throw DomainError(.invalidRequest, "Invalid cursor '\(cursor.prefix(80))'.", status: 422)
            }
            after = (ts, last)
        }
        // Without a cursor, a bound before (or, newest first, after) every entry.
        let afterTS = after?.ts ?? (newestFirst ? Int64.max : Int64.min)
        let afterID = after?.id.bytes ?? (newestFirst ? [UInt8](repeating: 0xFF, count: 16) : [])
        // One statement, so one snapshot: the runs that can hold the page (`StatementRun`, in
        // `last_ts` order; at most one more than the page, as the first may hold only entries
        // up to the cursor) and the tail the SQLite writer has not put in runs yet (a `ts`
        // range scan of at most `unindexedTransfersMax` rows; empty on PostgreSQL), each side.
        let wanted = limit + 1
        let noBlob = "CAST(NULL AS \(database.dialect.blob))"
        let runs: String
        var binds: [SQLValue]
        if newestFirst {
            // Every run up to the one holding the cursor (the first that ends at or after it).
            runs = """
                SELECT last_ts AS ts, \(noBlob) AS id, 0 AS is_debit, entries FROM ledger_entry_runs WHERE account_num = ? AND last_ts <= COALESCE(
                    (SELECT MIN(last_ts) FROM ledger_entry_runs WHERE account_num = ? AND last_ts >= ?), 9223372036854775807)
                ORDER BY last_ts DESC, run DESC LIMIT ?
                """
            binds = [.int(num), .int(num), .int(afterTS), .int(wanted + 1)]
        } else {
            runs = "SELECT last_ts AS ts, \(noBlob) AS id, 0 AS is_debit, entries FROM ledger_entry_runs WHERE account_num = ? AND last_ts >= ? ORDER BY last_ts, run LIMIT ?"
            binds = [.int(num), .int(afterTS), .int(wanted + 1)]
        }
        let beyond = newestFirst ? "<" : ">"
        let direction = newestFirst ? "DESC" : "ASC"
        func tail(isDebit: Bool) -> String {
            """
            SELECT t.ts, t.id, \(isDebit ? 1 : 0) AS is_debit, \(noBlob) AS entries FROM ledger_transfers t
            WHERE t.ts > (SELECT indexed_upto FROM ledger_index_state WHERE id = 1) AND t.\(isDebit ? "debit_num" : "credit_num") = ?
              AND (t.ts \(beyond) ? OR (t.ts = ? AND t.id \(beyond) ?)) ORDER BY t.ts \(direction), t.id \(direction) LIMIT ?
            """
        }
        let tailBinds: [SQLValue] = [.int(num), .int(afterTS), .int(afterTS), .blob(afterID), .int(wanted)]
        binds += tailBinds + tailBinds
        let rows = try await database.query("SELECT * FROM (\(runs)) AS runs UNION ALL SELECT * FROM (\(tail(isDebit: true))) AS debits"
                                            + " UNION ALL SELECT * FROM (\(tail(isDebit: false))) AS credits", binds)
        // Entries past the cursor: whole runs in order until the page is full, then the tail.
        let past: (StatementRun.Entry) -> Bool = { entry in
            guard let after else { return true }
            return newestFirst ? entry.position < after : entry.position > after
        }
        var candidates: [StatementRun.Entry] = []
        var packedRuns: [(lastTS: Int64, packed: [UInt8])] = []
        for row in rows {
            if case .blob(let packed) = row["entries"] {
                packedRuns.append((row.int("ts"), packed))
            } else {
                candidates.append(StatementRun.Entry(ts: row.int("ts"), id: row.id("id"), isDebit: row.int("is_debit") == 1))
            }
        }
        packedRuns.sort { newestFirst ? $0.lastTS > $1.lastTS : $0.lastTS < $1.lastTS }
        var fromRuns = 0
        for run in packedRuns where fromRuns < wanted {
            guard let entries = StatementRun.unpack(run.packed) else {
                throw DomainError(.internalError, "A statement run of account \(id) is damaged.", status: 500)
            }
            let shown = entries.filter(past)
            fromRuns += shown.count
            candidates += shown
        }
        candidates.sort { newestFirst ? $0.position > $1.position : $0.position < $1.position }
        let page = candidates.prefix(limit)
        var transfers: [RongID: StoredTransfer] = [:]
        if !page.isEmpty {
            let marks = Array(repeating: "?", count: page.count).joined(separator: ", ")
            for row in try await database.query("SELECT \(LedgerSchema.transferColumns) FROM \(LedgerSchema.transferFrom) WHERE t.id IN (\(marks))",
                                                page.map { .id($0.id) }) {
                let transfer = LedgerSchema.transfer(row)
                transfers[transfer.id] = transfer
            }
        }
        let entries = try page.map { entry in
            guard let transfer = transfers[entry.id] else {
                throw DomainError(.internalError, "Transfer \(entry.id) of a statement is missing.", status: 500)
            }
            return StatementEntry(transfer: transfer, isDebit: entry.isDebit,
                                  balanceAfter: entry.isDebit ? transfer.debitBalanceAfter : transfer.creditBalanceAfter,
                                  cursor: "\(transfer.timestamp.nanosecondsSinceEpoch)_\(transfer.id)")
        }
        return StatementPage(entries: entries, nextCursor: candidates.count > limit ? entries.last?.cursor : nil)
    }

    /// Checks the ledger's invariants:
    /// - per asset, total debits equal total credits (posted and pending);
    /// - every account's balances equal the sum of its transfers and open holds;
    /// - no flagged account crosses its limit.
    public func checkInvariants() async throws -> InvariantReport {
        let parts = ["debits_posted", "credits_posted", "debits_pending", "credits_pending"].map { Ledger.wideSum($0, as: $0) }.joined(separator: ", ")
        let rows = try await database.query("SELECT asset, \(parts) FROM ledger_accounts GROUP BY asset ORDER BY asset")
        func total(_ row: SQLRow, _ column: String) -> Int128 { Ledger.wideSum(row, column) }
        var violations: [String] = []
        var totals: [InvariantReport.AssetTotals] = []
        for row in rows {
            let t = InvariantReport.AssetTotals(asset: row.text("asset"), debitsPosted: total(row, "debits_posted"),
                                                creditsPosted: total(row, "credits_posted"), debitsPending: total(row, "debits_pending"),
                                                creditsPending: total(row, "credits_pending"))
            totals.append(t)
            if t.debitsPosted != t.creditsPosted { violations.append("\(t.asset): posted debits \(t.debitsPosted) != credits \(t.creditsPosted)") }
            if t.debitsPending != t.creditsPending { violations.append("\(t.asset): pending debits \(t.debitsPending) != credits \(t.creditsPending)") }
        }
        let crossing = try await database.query("""
            SELECT id FROM ledger_accounts
            WHERE ((flags & 1) = 1 AND debits_posted + debits_pending > credits_posted)
               OR ((flags & 2) = 2 AND credits_posted + credits_pending > debits_posted) LIMIT 20
            """)
        for row in crossing { violations.append("account \(row.id("id")) crosses its balance limit") }
        // Posted rows are plain transfers and posts (flags without pending=2 and void=8). Grouped
        // sums joined to the accounts: one pass over each table, no per-account index needed.
        let drift = try await database.query("""
            SELECT a.id FROM ledger_accounts a
            LEFT JOIN (SELECT debit_num AS num, CAST(SUM(amount) AS BIGINT) AS total FROM ledger_transfers WHERE (flags & 10) = 0 GROUP BY debit_num) dp ON dp.num = a.num
            LEFT JOIN (SELECT credit_num AS num, CAST(SUM(amount) AS BIGINT) AS total FROM ledger_transfers WHERE (flags & 10) = 0 GROUP BY credit_num) cp ON cp.num = a.num
            LEFT JOIN (SELECT debit_num AS num, CAST(SUM(amount) AS BIGINT) AS total FROM ledger_pending WHERE state = 0 GROUP BY debit_num) dh ON dh.num = a.num
            LEFT JOIN (SELECT credit_num AS num, CAST(SUM(amount) AS BIGINT) AS total FROM ledger_pending WHERE state = 0 GROUP BY credit_num) ch ON ch.num = a.num
            WHERE a.debits_posted <> COALESCE(dp.total, 0) OR a.credits_posted <> COALESCE(cp.total, 0)
               OR a.debits_pending <> COALESCE(dh.total, 0) OR a.credits_pending <> COALESCE(ch.total, 0)
            LIMIT 20
            """)
        for row in drift { violations.append("account \(row.id("id")) balances differ from its transfers") }
        return InvariantReport(totals: totals, violations: violations)
    }

    /// How many accounts of an asset and chart code there are, and what they hold together
    /// (credits minus debits posted), e.g. customer demand deposits for the home page.
    public func holdings(asset: Asset, chartCode: String) async throws -> (accounts: Int64, postedCreditBalance: Int128) {
        let row = try await database.first(
            "SELECT COUNT(*) AS n, \(Ledger.wideSum("credits_posted - debits_posted", as: "held")) FROM ledger_accounts WHERE asset = ? AND chart_code = ?",
            [.text(asset.code), .text(chartCode)])
        guard let row else { return (0, 0) }
        return (row.int("n"), Ledger.wideSum(row, "held"))
    }

    /// SQL selecting `SUM(expression)` as two columns, `name_hi` and `name_lo`: sums over many
    /// accounts can exceed Int64 even though each balance fits, so the high and low parts are
    /// summed separately and combined in 128 bits by `wideSum(row, name)`. Division and
    /// remainder truncate toward zero on both databases, so negative values combine correctly too.
    static func wideSum(_ expression: String, as name: String) -> String {
        "CAST(COALESCE(SUM((\(expression)) / 1000000000), 0) AS BIGINT) AS \(name)_hi, CAST(COALESCE(SUM((\(expression)) % 1000000000), 0) AS BIGINT) AS \(name)_lo"
    }

    static func wideSum(_ row: SQLRow, _ name: String) -> Int128 {
        Int128(row.int(name + "_hi")) * 1_000_000_000 + Int128(row.int(name + "_lo"))
    }
}
