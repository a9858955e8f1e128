import BankKit
import CSQLite
import Foundation
import Storage

/// The SQLite batch writer: one thread that owns one connection and commits many transfers
/// per transaction.
///
/// Balances of accounts it has touched stay in memory between batches (write-through: every
/// change is also written in the same transaction). Every ledger write on SQLite goes through a
/// writer like this one, and each of its transactions stamps `ledger_writer_state` (who, how
/// many commits). When another connection commits to the file (`PRAGMA data_version` moves) and
/// the stamp is no longer this writer's last one — another process's ledger wrote — the cache
/// is dropped and reloaded on demand, so the database stays the truth. Other modules' commits
/// (which move `data_version` all the time) leave the stamp alone and the cache warm. Statements are bound with `sqlite3_bind_*` on cached prepared
/// statements: no per-transfer allocation beyond the result values.
final class SQLiteLedgerWriter: @unchecked Sendable {
    // Mutable state below is touched only by the writer thread (`run`), which is why this is
    // @unchecked Sendable; other threads only call `queue.enqueue` and `stop`.
    let queue: BatchQueue
    private let clock: BankClock
    private let metrics: LedgerMetrics
    /// Taken before `BEGIN IMMEDIATE`, given back after `COMMIT`/`ROLLBACK` (shared with modules' writer).
    private let gate: SQLiteWriteGate
    /// Syncs each commit after the gate is given back; results are delivered once it is on disk.
    private let syncer: WALSyncer
    /// Copies the WAL into the database; kept alive as long as this writer's connection.
    private let checkpointer: WALCheckpointer
    private var connection: SQLiteConnection!
    /// Balances of the accounts touched so far, by slot; the batch's rules work on it in place.
    private var accounts = AccountTable()
    /// Per batch: the slot of each event's debit and credit account (reused across batches).
    private var eventSlots: [Int32] = []
    private var dataVersion: Int64 = -1
    /// This writer's name in `ledger_writer_state` (an id from the ledger's `IDGenerator`), and
    /// the commit count it stamped last (-1: none yet).
    private let writerID: String
    private var stampedCommits: Int64 = -1
    private var lastTimestamp: Int64 = 0
    /// Transfers stored but not yet in a statement run (see `catchUp`).
    private var unindexed = 0
    /// Those transfers' statement keys, in commit order, when this writer stored all of them:
    /// the catch-up then sorts them in memory instead of reading them back and sorting in SQL.
    /// nil when some were stored before it saw them (a restart, another process): the
    /// catch-up then reads them back.
    private var tail: [TailTransfer]? = []
    /// `ledger_index_state.indexed_upto` as last read or written (-1: not yet read).
    private var indexedUpto: Int64 = -1
    /// The catch-up's sort buffer, kept across catch-ups.
    private var entries: [(account: Int64, entry: StatementRun.Entry)] = []
    private var lastCatchUp = Timestamp(nanosecondsSinceEpoch: 0)
    /// When idle, catch up once this many transfers wait, or once a second has passed.
    static let idleCatchUpTransfersMin = 4096
    static let idleCatchUpSecondsMin: Int64 = 1
    /// Signalled once by the writer thread when it has drained the queue and exited.
    private let finished = DispatchSemaphore(value: 0)
    /// Accounts kept in memory; beyond this the cache is dropped and rebuilt.
    static let cachedAccountsMax = 2_000_000

    init(path: String, gate: SQLiteWriteGate, syncer: WALSyncer, checkpointer: WALCheckpointer, clock: BankClock, writerID: RongID, metrics: LedgerMetrics, batchEventsMax: Int) throws {
        self.gate = gate
        self.syncer = syncer
        self.writerID = writerID.description
        self.clock = clock
        self.metrics = metrics
        queue = BatchQueue(batchEventsMax: batchEventsMax)
        connection = try SQLiteConnection(path: path)
        // Keep the tables' hot pages in memory (256 MiB cap); the WAL is copied into the
        // database by `checkpointer`, not in this thread's commits.
        try connection.exec("PRAGMA cache_size=-262144")
        self.checkpointer = checkpointer
        checkpointer.watch(connection)
        // Commits are synced by `syncer` once the write gate is given back (see `WALSyncer`).
        try connection.exec("PRAGMA synchronous=NORMAL")
        // The catch-up's sort and any other temporary b-tree stay in memory, not in a temp file.
        try connection.exec("PRAGMA temp_store=MEMORY")
        try refreshFromDatabase()
        let thread = Thread { [self] in self.run() }
        thread.name = "rong-ledger-writer"
        thread.start()
    }

    deinit { scratch.deallocate() }

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
        // Fill the next batch (see `BatchQueue.nextBatch`): wait for up to as many events as the
        // last batch answered, for at most a quarter of its commit time and never over 2 ms.
        var answered = 0
        var commitNanoseconds: Int64 = 0
        while let jobs = queue.nextBatch(expectedEvents: answered, waitNanoseconds: min(commitNanoseconds / 4, 2_000_000)) {
            if jobs.count == 1, case .exclusive(let job) = jobs[0] {
                job()
                answered = 0
                continue
            }
            let batch = Batch(jobs.compactMap { job in
                if case .transfers(let submission) = job { return submission } else { return nil }
            })
            let started = clock.now()
            commit(batch)
            answered = batch.events.count
            commitNanoseconds = clock.now().nanosecondsSinceEpoch - started.nanosecondsSinceEpoch
            if shouldCatchUp() { catchUp() }
        }
        while unindexed > 0 {
            let before = unindexed
            catchUp()
            if unindexed >= before { break }  // failed: left for the next start
        }
        finished.signal()
    }

    private func commit(_ batch: Batch) {
        let started = clock.now()
        do {
            let (output, ticket) = try inTransactionUnsynced { try self.apply(batch.events, ends: batch.submissionEnds) }
            unindexed += output.inserted.count
            if tail != nil {
                for row in output.inserted {
                    tail?.append(TailTransfer(ts: row.transfer.timestamp.nanosecondsSinceEpoch, id: row.transfer.id,
                                              debitNum: row.debitNum, creditNum: row.creditNum))
                }
            }
            // The next batch may be written while this one goes to disk; its submitters hear
            // the results once it is there.
            let commitNanoseconds = clock.now().nanosecondsSinceEpoch - started.nanosecondsSinceEpoch
            let (results, metrics) = (output.results, metrics)
            syncer.whenDurable(ticket) { batch.deliver(results, metrics: metrics, commitNanoseconds: commitNanoseconds) }
        } catch {
            batch.fail(error)
        }
    }

    /// BEGIN IMMEDIATE … COMMIT, dropping the cache if someone else wrote since our last commit;
    /// returns once the commit is on disk.
    func inTransaction<T>(_ body: () throws -> T) throws -> T {
        let (value, ticket) = try inTransactionUnsynced(body)
        syncer.durableBlocking(ticket)
        return value
    }

    /// `inTransaction` returning as soon as the write gate is given back, with the commit's
    /// `WALSyncer` ticket: the caller must not report the result before the ticket is durable.
    func inTransactionUnsynced<T>(_ body: () throws -> T) throws -> (T, UInt64) {
        gate.acquireBlocking()
        defer { gate.release() }
        try connection.exec("BEGIN IMMEDIATE")
        do {
            if try connection.dataVersion() != dataVersion, try !stampIsOurs() {
                // Another ledger writer committed: our cached balances, timestamp and count may be stale.
                accounts.removeAll()
                try refreshFromDatabase()
            }
            let value = try body()
            stampedCommits = try connection.query("UPDATE ledger_writer_state SET writer = ?, commits = commits + 1 WHERE id = 1 RETURNING commits",
                                                  [.text(writerID)]).first?.int("commits") ?? -1
            try connection.exec("COMMIT")
            let ticket = syncer.committed()
            dataVersion = try connection.dataVersion()
            return (value, ticket)
        } catch {
            try? connection.exec("ROLLBACK")
            accounts.removeAll()
            stampedCommits = -1
            throw error
        }
    }

    /// True when the last ledger commit to the file was this writer's own.
    private func stampIsOurs() throws -> Bool {
        guard stampedCommits >= 0, let row = try connection.query("SELECT writer, commits FROM ledger_writer_state WHERE id = 1").first else { return false }
        return row.text("writer") == writerID && row.int("commits") == stampedCommits
    }

    /// Commit order continues after the newest stored transfer (`ts` is indexed, so this is a
    /// single descent), and the un-indexed count is re-read.
    private func refreshFromDatabase() throws {
        let newest = try connection.query("SELECT COALESCE(MAX(ts), 0) AS ts FROM ledger_transfers").first?.int("ts") ?? 0
        lastTimestamp = max(lastTimestamp, newest)
        let upto = try connection.query("SELECT indexed_upto FROM ledger_index_state WHERE id = 1").first?.int("indexed_upto") ?? 0
        unindexed = Int(try connection.query("SELECT COUNT(*) AS n FROM ledger_transfers WHERE ts > ?", [.int(upto)]).first?.int("n") ?? 0)
        // Only this writer stores transfers; if the tail it remembers is still exactly what is
        // un-indexed, keep it (other modules' commits move `data_version` all the time).
        if upto != indexedUpto || unindexed != tail?.count {
            tail = unindexed == 0 ? [] : nil
        }
        indexedUpto = upto
    }

    /// Always past `unindexedTransfersMax`; when the queue is idle, once enough waits or enough time passed.
    private func shouldCatchUp() -> Bool {
        if unindexed >= LedgerLimits.unindexedTransfersMax { return true }
        guard unindexed > 0, queue.isIdle else { return false }
        return unindexed >= SQLiteLedgerWriter.idleCatchUpTransfersMin
            || clock.now() >= lastCatchUp.adding(seconds: SQLiteLedgerWriter.idleCatchUpSecondsMin)
    }

    /// Adds the statement entries of the transfers since the last catch-up, as one run per
    /// account (`StatementRun`), in one transaction. From memory when this writer stored all
    /// of them; otherwise (after a restart, another process, the v4 migration) read back from
    /// `ledger_transfers`, at most `unindexedTransfersMax` per catch-up. Statements read the
    /// not-yet-indexed tail directly, so this affects only speed, never what a statement shows;
    /// a failure is retried at the next catch-up.
    private func catchUp() {
        do {
            let (count, complete) = try inTransaction { () -> (Int, Bool) in
                let transfers: [TailTransfer]
                let complete: Bool
                if let tail, tail.count == unindexed {
                    (transfers, complete) = (tail, true)
                } else {
                    transfers = try readTail(after: indexedUpto, limit: LedgerLimits.unindexedTransfersMax)
                    complete = transfers.count < LedgerLimits.unindexedTransfersMax
                }
                guard let last = transfers.last else { return (0, complete) }
                try insertRuns(transfers)
                try connection.execute("UPDATE ledger_index_state SET indexed_upto = ? WHERE id = 1", [.int(last.ts)])
                indexedUpto = last.ts
                return (transfers.count, complete)
            }
            if complete {
                unindexed = 0
                if tail == nil { tail = [] }
                tail?.removeAll(keepingCapacity: true)
            } else {
                unindexed = max(0, unindexed - count)
            }
            lastCatchUp = clock.now()
        } catch {
            // Left for the next catch-up (statements include the tail meanwhile), from what the
            // database holds: this attempt was rolled back.
            try? refreshFromDatabase()
        }
    }

    /// Stored transfers after `ts`, in commit order (the `ts` index), at most `limit`.
    private func readTail(after ts: Int64, limit: Int) throws -> [TailTransfer] {
        try connection.query("SELECT ts, id, debit_num, credit_num FROM ledger_transfers WHERE ts > ? ORDER BY ts LIMIT ?",
                             [.int(ts), .int(limit)]).map {
            TailTransfer(ts: $0.int("ts"), id: $0.id("id"), debitNum: $0.int("debit_num"), creditNum: $0.int("credit_num"))
        }
    }

    private func insertRuns(_ transfers: [TailTransfer]) throws {
        let insert = try connection.prepare("INSERT INTO ledger_entry_runs (account_num, last_ts, entries) VALUES (?, ?, ?)")
        for run in StatementRun.runs(of: transfers, buffer: &entries) {
            sqlite3_bind_int64(insert, 1, run.accountNum)
            sqlite3_bind_int64(insert, 2, run.lastTS)
            _ = run.packed.withUnsafeBytes { sqlite3_bind_blob(insert, 3, $0.baseAddress, Int32($0.count), sqliteTransient) }
            let rc = sqlite3_step(insert)
            sqlite3_reset(insert)
            guard rc == SQLITE_DONE else { throw connection.error(rc) }
        }
    }

    /// Applies a batch inserting first: most ids are new, so instead of looking every id up
    /// (a B-tree descent per transfer), the rules run as if none were stored and each row is
    /// inserted with `ON CONFLICT (id) DO NOTHING`. A row not inserted, or a transfer that
    /// failed after the point where the rules look its id up, means the batch may have
    /// assumed wrongly: the attempt is rolled back to the savepoint and run again with those
    /// ids looked up (`watched`), until no id surprises it. The outcome is the one the
    /// look-up-first order gives.
    private func apply(_ events: [TransferRequest], ends: Set<Int>) throws -> BatchOutput {
        if accounts.count > SQLiteLedgerWriter.cachedAccountsMax { accounts.removeAll() }
        var watched = Set<RongID>()
        var existing: [RongID: StoredTransfer] = [:]
        try connection.execute("SAVEPOINT ledger_batch")
        while true {
            let pendings = try load(events, existing: existing)
            var machine = LedgerStateMachine(accounts: accounts, existing: existing, watched: watched, pendings: pendings,
                                             now: clock.now().nanosecondsSinceEpoch, lastTimestamp: lastTimestamp,
                                             eventSlots: eventSlots)
            accounts = AccountTable()  // the machine holds the only reference while it runs (no copy)
            let output = machine.apply(events, submissionEnds: ends)
            accounts = machine.accounts
            machine.accounts = AccountTable()
            var surprises = try insertTransfers(output.inserted)
            for (index, result) in output.results.enumerated() where !result.isSuccess {
                let id = events[index].id
                if LedgerStateMachine.isDecidedBeforeLookup(result.status) || watched.contains(id) { continue }
                if try transferIsStored(id) { surprises.append(id) }
            }
            if surprises.isEmpty {
                try persistRest(output)
                try connection.execute("RELEASE ledger_batch")
                lastTimestamp = machine.lastTimestamp
                accounts.clearDirty()
                return output
            }
            // Undo this attempt: the database is the truth again, and the cache follows it.
            try connection.execute("ROLLBACK TO ledger_batch")
            accounts.removeAll()
            watched.formUnion(surprises)
            existing = [:]
            for id in watched {
                if let transfer = try loadTransfer(id) { existing[id] = transfer }
            }
        }
    }

    /// Resolves every account the batch names into `eventSlots` (loading those not cached)
    /// and returns the pending transfers it posts or voids.
    private func load(_ events: [TransferRequest], existing: [RongID: StoredTransfer]) throws -> [RongID: PendingRecord] {
        var pendings: [RongID: PendingRecord] = [:]
        eventSlots.removeAll(keepingCapacity: true)
        eventSlots.reserveCapacity(events.count * 2)
        for event in events {
            if let pendingID = event.pendingID, pendings[pendingID] == nil, let record = try loadPending(pendingID) {
                pendings[pendingID] = record
                _ = try loadAccount(record.debitID)
                _ = try loadAccount(record.creditID)
            }
            eventSlots.append(try event.debitAccountID.map(loadAccount) ?? -1)
            eventSlots.append(try event.creditAccountID.map(loadAccount) ?? -1)
        }
        for transfer in existing.values {
            _ = try loadAccount(transfer.debitAccountID)
            _ = try loadAccount(transfer.creditAccountID)
        }
        return pendings
    }

    /// The account's slot in `accounts`, read from the database if not cached; -1 if there is none.
    private func loadAccount(_ id: RongID) throws -> Int32 {
        if let slot = accounts.slot(of: id) { return slot }
        guard let state = try readAccount(id) else { return -1 }
        return accounts.insert(state)
    }

    private func readAccount(_ id: RongID) throws -> AccountState? {
        let statement = try connection.prepare("SELECT num, id, asset, flags, debits_pending, debits_posted, credits_pending, credits_posted FROM ledger_accounts WHERE id = ?")
        defer { sqlite3_reset(statement) }
        sqliteBindID(statement, 1, id)
        let rc = sqlite3_step(statement)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else { throw connection.error(rc) }
        return AccountState(
            num: sqlite3_column_int64(statement, 0), id: id,
            asset: String(cString: sqlite3_column_text(statement, 2)),
            flags: AccountFlags(rawValue: sqlite3_column_int64(statement, 3)),
            balance: AccountBalance(debitsPending: sqlite3_column_int64(statement, 4), debitsPosted: sqlite3_column_int64(statement, 5),
                                    creditsPending: sqlite3_column_int64(statement, 6), creditsPosted: sqlite3_column_int64(statement, 7)))
    }

    private func transferIsStored(_ id: RongID) throws -> Bool {
        let probe = try connection.prepare("SELECT 1 FROM ledger_transfers WHERE id = ?")
        defer { sqlite3_reset(probe) }
        sqliteBindID(probe, 1, id)
        let rc = sqlite3_step(probe)
        if rc == SQLITE_DONE { return false }
        guard rc == SQLITE_ROW else { throw connection.error(rc) }
        return true
    }

    private func loadTransfer(_ id: RongID) throws -> StoredTransfer? {
        let rows = try connection.query("SELECT \(LedgerSchema.transferColumns) FROM \(LedgerSchema.transferFrom) WHERE t.id = ?", [.id(id)])
        return rows.first.map(LedgerSchema.transfer)
    }

    private func loadPending(_ id: RongID) throws -> PendingRecord? {
        try connection.query("SELECT * FROM ledger_pending WHERE id = ?", [.id(id)]).first.map(LedgerSchema.pending)
    }

    /// Inserts the batch's transfers, in id order (neighbouring keys land on the same pages
    /// even when clients choose random ids); returns the ids already stored (not inserted).
    /// Ids and the asset are bound from `scratch` without a copy (`SQLITE_STATIC`: the buffer
    /// stays put until the next row overwrites it, after this row's step).
    private func insertTransfers(_ rows: [TransferRow]) throws -> [RongID] {
        let insert = try connection.prepare("""
            INSERT INTO ledger_transfers (id, ts, debit_num, credit_num, amount, asset, code, flags, pending_id,
                timeout_seconds, metadata, debit_balance_after, credit_balance_after)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
            """)
        var conflicts: [RongID] = []
        let handle = connection.handle
        let order = rows.indices.sorted { rows[$0].transfer.id < rows[$1].transfer.id }
        for index in order {
            let row = rows[index]
            let t = row.transfer
            bindStatic(insert, 1, t.id, at: 0)
            sqlite3_bind_int64(insert, 2, t.timestamp.nanosecondsSinceEpoch)
            sqlite3_bind_int64(insert, 3, row.debitNum)
            sqlite3_bind_int64(insert, 4, row.creditNum)
            sqlite3_bind_int64(insert, 5, t.amount)
            bindStatic(insert, 6, t.asset)
            sqlite3_bind_int64(insert, 7, Int64(t.code))
            sqlite3_bind_int64(insert, 8, t.flags.rawValue)
            if let pendingID = t.pendingID { bindStatic(insert, 9, pendingID, at: 16) } else { sqlite3_bind_null(insert, 9) }
            sqlite3_bind_int64(insert, 10, t.timeoutSeconds)
            if let metadata = t.metadata { sqlite3_bind_text(insert, 11, metadata, -1, sqliteTransient) } else { sqlite3_bind_null(insert, 11) }
            sqlite3_bind_int64(insert, 12, t.debitBalanceAfter)
            sqlite3_bind_int64(insert, 13, t.creditBalanceAfter)
            let rc = sqlite3_step(insert)
            sqlite3_reset(insert)
            guard rc == SQLITE_DONE else { throw connection.error(rc) }
            if sqlite3_changes(handle) == 0 { conflicts.append(t.id) }
        }
        return conflicts
    }

    /// `scratch`: 0..<16 and 16..<32 ids, 32..<64 an asset code.
    private let scratch = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
    private static let assetScratchBytes = 32

    private func bindStatic(_ statement: OpaquePointer, _ index: Int32, _ id: RongID, at offset: Int) {
        scratch.storeBytes(of: id.high.bigEndian, toByteOffset: offset, as: UInt64.self)
        scratch.storeBytes(of: id.low.bigEndian, toByteOffset: offset + 8, as: UInt64.self)
        sqlite3_bind_blob(statement, index, scratch + offset, 16, nil)
    }

    private func bindStatic(_ statement: OpaquePointer, _ index: Int32, _ asset: String) {
        var asset = asset
        let copied = asset.withUTF8 { utf8 -> Bool in
            guard utf8.count <= SQLiteLedgerWriter.assetScratchBytes, let base = utf8.baseAddress else { return false }
            (scratch + 32).copyMemory(from: base, byteCount: utf8.count)
            sqlite3_bind_text(statement, index, (scratch + 32).assumingMemoryBound(to: CChar.self), Int32(utf8.count), nil)
            return true
        }
        if !copied { sqlite3_bind_text(statement, index, asset, -1, sqliteTransient) }
    }

    /// Holds, their state changes and the balances of every account the batch changed.
    private func persistRest(_ output: BatchOutput) throws {
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
        for slot in accounts.dirtySlots {
            let account = accounts[slot]
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
            if accounts.slot(of: id) != nil, let state = try readAccount(id) { accounts.insert(state) }
            return changed > 0
        }
    }

}
