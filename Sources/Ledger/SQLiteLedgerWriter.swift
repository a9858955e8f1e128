import BankKit
import CSQLite
import Foundation
import Storage

/// The SQLite batch writer: one thread that owns one connection and commits many transfers
/// per transaction.
///
/// Balances of accounts it has touched stay in memory between batches (write-through: every
/// change is also written in the same transaction). When another connection commits to the
/// file (`PRAGMA data_version` moves), the cache is dropped and reloaded on demand, so the
/// database stays the truth. Statements are bound with `sqlite3_bind_*` on cached prepared
/// statements: no per-transfer allocation beyond the result values.
final class SQLiteLedgerWriter: @unchecked Sendable {
    // Mutable state below is touched only by the writer thread (`run`), which is why this is
    // @unchecked Sendable; other threads only call `queue.enqueue` and `stop`.
    let queue: BatchQueue
    private let clock: BankClock
    private let metrics: LedgerMetrics
    private var connection: SQLiteConnection!
    private var cache: [RongID: AccountState] = [:]
    private var dataVersion: Int64 = -1
    private var lastTimestamp: Int64 = 0
    /// Transfers stored but not yet in `ledger_entries` (see `catchUp`).
    private var unindexed = 0
    private var lastCatchUp = Timestamp(nanosecondsSinceEpoch: 0)
    /// When idle, catch up once this many transfers wait, or once a second has passed.
    static let idleCatchUpTransfersMin = 4096
    static let idleCatchUpSecondsMin: Int64 = 1
    /// Signalled once by the writer thread when it has drained the queue and exited.
    private let finished = DispatchSemaphore(value: 0)
    /// Accounts kept in memory; beyond this the cache is dropped and rebuilt.
    static let cachedAccountsMax = 2_000_000

    init(path: String, clock: BankClock, metrics: LedgerMetrics, batchEventsMax: Int) throws {
        self.clock = clock
        self.metrics = metrics
        queue = BatchQueue(batchEventsMax: batchEventsMax)
        connection = try SQLiteConnection(path: path)
        // Keep the tables' hot pages in memory (256 MiB cap) and checkpoint the WAL less often
        // than every 1,000 pages.
        try connection.exec("PRAGMA cache_size=-262144")
        try connection.exec("PRAGMA wal_autocheckpoint=16384")
        try refreshFromDatabase()
        let thread = Thread { [self] in self.run() }
        thread.name = "rong-ledger-writer"
        thread.start()
    }

    func stop() {
        queue.stop()
        finished.wait()
        finished.signal()  // stay open for a second `stop()`
        connection = nil
    }

    /// Runs `body` on the writer thread with the connection, between batches.
    func exclusive<T: Sendable>(_ body: @escaping @Sendable (SQLiteLedgerWriter) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try queue.enqueue(.exclusive { [self] in
                    continuation.resume(with: Result { try body(self) })
                })
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    private func run() {
        while let jobs = queue.nextBatch() {
            if jobs.count == 1, case .exclusive(let job) = jobs[0] {
                job()
                continue
            }
            commit(Batch(jobs.compactMap { job in
                if case .transfers(let submission) = job { return submission } else { return nil }
            }))
            if shouldCatchUp() { catchUp() }
        }
        if unindexed > 0 { catchUp() }
        finished.signal()
    }

    private func commit(_ batch: Batch) {
        let started = clock.now()
        do {
            let output = try inTransaction { try self.apply(batch.events, ends: batch.submissionEnds) }
            unindexed += output.inserted.count
            batch.deliver(output.results, metrics: metrics,
                          commitNanoseconds: clock.now().nanosecondsSinceEpoch - started.nanosecondsSinceEpoch)
        } catch {
            batch.fail(error)
        }
    }

    /// BEGIN IMMEDIATE … COMMIT, dropping the cache if someone else wrote since our last commit.
    func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try connection.exec("BEGIN IMMEDIATE")
        do {
            if try connection.dataVersion() != dataVersion {
                // Another connection committed: our cached balances, timestamp and count may be stale.
                cache.removeAll(keepingCapacity: true)
                try refreshFromDatabase()
            }
            let value = try body()
            try connection.exec("COMMIT")
            dataVersion = try connection.dataVersion()
            return value
        } catch {
            try? connection.exec("ROLLBACK")
            cache.removeAll()
            throw error
        }
    }

    /// Commit order continues after the newest stored transfer (`ts` is indexed, so this is a
    /// single descent), and the un-indexed count is re-read.
    private func refreshFromDatabase() throws {
        let newest = try connection.query("SELECT COALESCE(MAX(ts), 0) AS ts FROM ledger_transfers").first?.int("ts") ?? 0
        lastTimestamp = max(lastTimestamp, newest)
        unindexed = Int(try connection.query(
            "SELECT COUNT(*) AS n FROM ledger_transfers WHERE ts > (SELECT indexed_upto FROM ledger_index_state WHERE id = 1)"
        ).first?.int("n") ?? 0)
    }

    /// Always past `unindexedTransfersMax`; when the queue is idle, once enough waits or enough time passed.
    private func shouldCatchUp() -> Bool {
        if unindexed >= LedgerLimits.unindexedTransfersMax { return true }
        guard unindexed > 0, queue.isIdle else { return false }
        return unindexed >= SQLiteLedgerWriter.idleCatchUpTransfersMin
            || clock.now() >= lastCatchUp.adding(seconds: SQLiteLedgerWriter.idleCatchUpSecondsMin)
    }

    /// Adds the statement entries of every transfer since the last catch-up, sorted by account,
    /// in one transaction. Statements read the not-yet-indexed tail directly, so this affects
    /// only speed, never what a statement shows; a failure is retried at the next catch-up.
    private func catchUp() {
        do {
            try inTransaction {
                try connection.execute(LedgerSchema.catchUpSQL)
                try connection.execute(LedgerSchema.advanceIndexSQL)
            }
            unindexed = 0
            lastCatchUp = clock.now()
        } catch {
            // Left for the next catch-up; statements include the tail meanwhile.
        }
    }

    private func apply(_ events: [TransferRequest], ends: Set<Int>) throws -> BatchOutput {
        if cache.count > SQLiteLedgerWriter.cachedAccountsMax { cache.removeAll() }
        var accounts: [RongID: AccountState] = [:]
        var existing: [RongID: StoredTransfer] = [:]
        var pendings: [RongID: PendingRecord] = [:]
        accounts.reserveCapacity(min(events.count * 2, 16_384))
        for event in events {
            if let transfer = try loadTransfer(event.id) { existing[event.id] = transfer }
            if let pendingID = event.pendingID, pendings[pendingID] == nil, let record = try loadPending(pendingID) {
                pendings[pendingID] = record
                try loadAccount(record.debitID, into: &accounts)
                try loadAccount(record.creditID, into: &accounts)
            }
            if let id = event.debitAccountID { try loadAccount(id, into: &accounts) }
            if let id = event.creditAccountID { try loadAccount(id, into: &accounts) }
        }
        for transfer in existing.values {
            try loadAccount(transfer.debitAccountID, into: &accounts)
            try loadAccount(transfer.creditAccountID, into: &accounts)
        }
        var machine = LedgerStateMachine(accounts: accounts, existing: existing, pendings: pendings,
                                         now: clock.now().nanosecondsSinceEpoch, lastTimestamp: lastTimestamp)
        let output = machine.apply(events, submissionEnds: ends)
        try persist(output, accounts: machine.accounts, pendings: machine.pendings)
        lastTimestamp = machine.lastTimestamp
        for id in output.dirtyAccounts { cache[id] = machine.accounts[id] }
        return output
    }

    private func loadAccount(_ id: RongID, into accounts: inout [RongID: AccountState]) throws {
        if accounts[id] != nil { return }
        if let cached = cache[id] {
            accounts[id] = cached
            return
        }
        let statement = try connection.prepare("SELECT num, id, asset, flags, debits_pending, debits_posted, credits_pending, credits_posted FROM ledger_accounts WHERE id = ?")
        defer { sqlite3_reset(statement) }
        sqliteBindID(statement, 1, id)
        let rc = sqlite3_step(statement)
        if rc == SQLITE_DONE { return }
        guard rc == SQLITE_ROW else { throw connection.error(rc) }
        let state = AccountState(
            num: sqlite3_column_int64(statement, 0), id: id,
            asset: String(cString: sqlite3_column_text(statement, 2)),
            flags: AccountFlags(rawValue: sqlite3_column_int64(statement, 3)),
            balance: AccountBalance(debitsPending: sqlite3_column_int64(statement, 4), debitsPosted: sqlite3_column_int64(statement, 5),
                                    creditsPending: sqlite3_column_int64(statement, 6), creditsPosted: sqlite3_column_int64(statement, 7)))
        accounts[id] = state
        cache[id] = state
    }

    private func loadTransfer(_ id: RongID) throws -> StoredTransfer? {
        // Fast path: most ids are new, and a miss on the primary key is one B-tree descent.
        let probe = try connection.prepare("SELECT 1 FROM ledger_transfers WHERE id = ?")
        sqliteBindID(probe, 1, id)
        let rc = sqlite3_step(probe)
        sqlite3_reset(probe)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else { throw connection.error(rc) }
        let rows = try connection.query("SELECT \(LedgerSchema.transferColumns) FROM \(LedgerSchema.transferFrom) WHERE t.id = ?", [.id(id)])
        return rows.first.map(LedgerSchema.transfer)
    }

    private func loadPending(_ id: RongID) throws -> PendingRecord? {
        try connection.query("SELECT * FROM ledger_pending WHERE id = ?", [.id(id)]).first.map(LedgerSchema.pending)
    }

    private func persist(_ output: BatchOutput, accounts: [RongID: AccountState], pendings: [RongID: PendingRecord]) throws {
        let insert = try connection.prepare("""
            INSERT INTO ledger_transfers (id, ts, debit_num, credit_num, amount, asset, code, flags, pending_id,
                timeout_seconds, metadata, debit_balance_after, credit_balance_after)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for row in output.inserted {
            let t = row.transfer
            sqliteBindID(insert, 1, t.id)
            sqlite3_bind_int64(insert, 2, t.timestamp.nanosecondsSinceEpoch)
            sqlite3_bind_int64(insert, 3, row.debitNum)
            sqlite3_bind_int64(insert, 4, row.creditNum)
            sqlite3_bind_int64(insert, 5, t.amount)
            sqlite3_bind_text(insert, 6, t.asset, -1, sqliteTransient)
            sqlite3_bind_int64(insert, 7, Int64(t.code))
            sqlite3_bind_int64(insert, 8, t.flags.rawValue)
            if let pendingID = t.pendingID { sqliteBindID(insert, 9, pendingID) } else { sqlite3_bind_null(insert, 9) }
            sqlite3_bind_int64(insert, 10, t.timeoutSeconds)
            if let metadata = t.metadata { sqlite3_bind_text(insert, 11, metadata, -1, sqliteTransient) } else { sqlite3_bind_null(insert, 11) }
            sqlite3_bind_int64(insert, 12, t.debitBalanceAfter)
            sqlite3_bind_int64(insert, 13, t.creditBalanceAfter)
            let rc = sqlite3_step(insert)
            sqlite3_reset(insert)
            guard rc == SQLITE_DONE else { throw connection.error(rc) }
        }
        for record in output.newPendings {
            try connection.execute("""
                INSERT INTO ledger_pending (id, debit_id, credit_id, debit_num, credit_num, asset, amount, state, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.id(record.id), .id(record.debitID), .id(record.creditID), .int(record.debitNum), .int(record.creditNum),
                      .text(record.asset), .int(record.amount), .int(record.status.rawValue), .int(record.expiresAt)])
        }
        for (id, status) in output.pendingStatusChanges {
            try connection.execute("UPDATE ledger_pending SET state = ? WHERE id = ?", [.int(status.rawValue), .id(id)])
        }
        let update = try connection.prepare("UPDATE ledger_accounts SET debits_pending = ?, debits_posted = ?, credits_pending = ?, credits_posted = ? WHERE num = ?")
        for id in output.dirtyAccounts {
            guard let account = accounts[id] else { continue }
            sqlite3_bind_int64(update, 1, account.balance.debitsPending)
            sqlite3_bind_int64(update, 2, account.balance.debitsPosted)
            sqlite3_bind_int64(update, 3, account.balance.creditsPending)
            sqlite3_bind_int64(update, 4, account.balance.creditsPosted)
            sqlite3_bind_int64(update, 5, account.num)
            let rc = sqlite3_step(update)
            sqlite3_reset(update)
            guard rc == SQLITE_DONE else { throw connection.error(rc) }
        }
    }

    // MARK: exclusive jobs

    func createAccounts(_ accounts: [NewAccount], now: Timestamp) throws -> [AccountCreateStatus] {
        try inTransaction {
            var results: [AccountCreateStatus] = []
            for account in accounts {
                if let invalid = AccountRules.validate(account) { results.append(invalid); continue }
                if let row = try connection.query("SELECT \(LedgerSchema.accountColumns) FROM ledger_accounts WHERE id = ?", [.id(account.id)]).first {
                    results.append(AccountRules.compare(account, LedgerSchema.account(row)))
                    continue
                }
                try connection.execute("""
                    INSERT INTO ledger_accounts (id, asset, chart_code, owner_ref, flags, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, [.id(account.id), .text(account.asset), .text(account.chartCode), .text(account.ownerRef),
                          .int(account.flags.rawValue), .time(now)])
                results.append(.ok)
            }
            return results
        }
    }

    func setClosed(_ id: RongID, closed: Bool) throws -> Bool {
        try inTransaction {
            let changed = try connection.execute(closed ? AccountRules.closeSQL : AccountRules.reopenSQL, [.id(id)])
            cache[id] = nil
            return changed > 0
        }
    }

}
