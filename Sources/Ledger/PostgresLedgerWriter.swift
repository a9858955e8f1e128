import BankKit
import Logging
import PostgresNIO
import Storage
import Synchronization

/// The PostgreSQL batch writer: one task per node that commits many transfers per transaction.
///
/// Each batch locks the accounts it touches with `SELECT … ORDER BY id FOR UPDATE` (a fixed
/// order, so two nodes never deadlock), reads fresh balances, applies the rules in memory and
/// writes everything back with multi-row statements: a handful of round trips per batch,
/// whatever its size. No balance is cached between batches, so several nodes stay correct.
final class PostgresLedgerWriter: Sendable {
    let queue: BatchQueue
    private let committer: PostgresBatchCommitter
    private let task: Task<Void, Never>

    init(client: PostgresClient, clock: BankClock, metrics: LedgerMetrics, logger: Logger, batchEventsMax: Int) {
        let queue = BatchQueue(batchEventsMax: batchEventsMax)
        let committer = PostgresBatchCommitter(client: client, clock: clock, metrics: metrics, logger: logger)
        self.queue = queue
        self.committer = committer
        // Detached so the writer does not inherit a request's task-local context; `stop()`
        // drains and awaits it, so it never outlives its owner.
        task = Task.detached {
            while let jobs = await queue.nextBatchAsync() {
                if jobs.count == 1, case .exclusiveAsync(let job) = jobs[0] {
                    await job()
                    continue
                }
                await committer.commit(Batch(jobs.compactMap { job in
                    if case .transfers(let submission) = job { return submission } else { return nil }
                }))
            }
        }
    }

    func stop() async {
        queue.stop()
        await task.value
    }

    /// Runs `body` in its own transaction between batches; the caller resumes after COMMIT.
    func exclusive<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let committer = committer
            do {
                try queue.enqueue(.exclusiveAsync {
                    do {
                        continuation.resume(returning: try await committer.inTransaction(body))
                    } catch {
                        continuation.resume(throwing: error)
                    }
                })
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    func createAccounts(_ accounts: [NewAccount], now: Timestamp) async throws -> [AccountCreateStatus] {
        try await exclusive { session in
            var results: [AccountCreateStatus] = []
            for account in accounts {
                if let invalid = AccountRules.validate(account) { results.append(invalid); continue }
                let inserted = try await session.query("""
                    INSERT INTO ledger_accounts (id, asset, chart_code, owner_ref, flags, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO NOTHING RETURNING num
                    """, [.id(account.id), .text(account.asset), .text(account.chartCode), .text(account.ownerRef),
                          .int(account.flags.rawValue), .time(now)])
                if !inserted.isEmpty { results.append(.ok); continue }
                let row = try await session.first("SELECT \(LedgerSchema.accountColumns) FROM ledger_accounts WHERE id = ?", [.id(account.id)])
                results.append(row.map { AccountRules.compare(account, LedgerSchema.account($0)) } ?? .existsWithDifferentFields)
            }
            return results
        }
    }

    func setClosed(_ id: RongID, closed: Bool) async throws -> Bool {
        try await exclusive { session in
            try await session.execute(closed ? AccountRules.closeSQL : AccountRules.reopenSQL, [.id(id)]) > 0
        }
    }
}

/// Commits batches on PostgreSQL; owned by the writer's task.
final class PostgresBatchCommitter: Sendable {
    private let client: PostgresClient
    private let clock: BankClock
    private let metrics: LedgerMetrics
    private let logger: Logger
    private let lastTimestamp = Mutex<Int64>(0)
    /// PostgreSQL allows 65,535 bind parameters per statement; stay well below.
    static let bindsPerStatementMax = 30_000

    init(client: PostgresClient, clock: BankClock, metrics: LedgerMetrics, logger: Logger) {
        self.client = client
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
    }

    func inTransaction<T: Sendable>(_ body: @Sendable (PostgresSession) async throws -> T) async throws -> T {
        try await Database.unwrapping {
            try await client.withTransaction(logger: logger) { connection in
                try await body(PostgresSession(connection: connection, logger: logger))
            }
        }
    }

    func commit(_ batch: Batch) async {
        let started = clock.now()
        do {
            if lastTimestamp.withLock({ $0 }) == 0 {
                // Continue after the newest stored transfer so statements keep commit order across restarts.
                let newest = try await inTransaction { try await $0.first("SELECT COALESCE(MAX(ts), 0) AS ts FROM ledger_transfers") }
                let stored = newest?.int("ts") ?? 0
                lastTimestamp.withLock { $0 = max($0, stored) }
            }
            let output = try await inTransaction { session in
                try await self.apply(batch.events, ends: batch.submissionEnds, session: session)
            }
            batch.deliver(output.results, metrics: metrics, commitNanoseconds: clock.now().nanosecondsSinceEpoch - started.nanosecondsSinceEpoch)
        } catch {
            batch.fail(error)
        }
    }

    private func apply(_ events: [TransferRequest], ends: Set<Int>, session: PostgresSession) async throws -> BatchOutput {
        // 1. Stored transfers with these ids (idempotency).
        var existing: [RongID: StoredTransfer] = [:]
        for chunk in Self.chunks(Array(Set(events.map(\.id))), size: 5000) {
            let rows = try await session.query("SELECT \(LedgerSchema.transferColumns) FROM \(LedgerSchema.transferFrom) WHERE t.id IN (\(Self.marks(chunk.count)))", chunk.map { .id($0) })
            for row in rows { let t = LedgerSchema.transfer(row); existing[t.id] = t }
        }
        // 2. Pending transfers referenced by posts and voids.
        var pendings: [RongID: PendingRecord] = [:]
        let pendingIDs = Array(Set(events.compactMap(\.pendingID)))
        for chunk in Self.chunks(pendingIDs, size: 5000) {
            let rows = try await session.query("SELECT * FROM ledger_pending WHERE id IN (\(Self.marks(chunk.count))) FOR UPDATE", chunk.map { .id($0) })
            for row in rows { let p = LedgerSchema.pending(row); pendings[p.id] = p }
        }
        // 3. Every account touched, locked in id order.
        var accountIDs = Set<RongID>()
        for event in events {
            if let id = event.debitAccountID { accountIDs.insert(id) }
            if let id = event.creditAccountID { accountIDs.insert(id) }
        }
        for record in pendings.values { accountIDs.insert(record.debitID); accountIDs.insert(record.creditID) }
        for transfer in existing.values { accountIDs.insert(transfer.debitAccountID); accountIDs.insert(transfer.creditAccountID) }
        var accounts = AccountTable()
        for chunk in Self.chunks(accountIDs.sorted(), size: 5000) {
            let rows = try await session.query("SELECT num, id, asset, flags, debits_pending, debits_posted, credits_pending, credits_posted FROM ledger_accounts WHERE id IN (\(Self.marks(chunk.count))) ORDER BY id FOR UPDATE", chunk.map { .id($0) })
            for row in rows { accounts.insert(LedgerSchema.accountState(row)) }
        }
        // Commit order within this node; across nodes rows order by (ts, id).
        var machine = LedgerStateMachine(accounts: accounts, existing: existing, pendings: pendings,
                                         now: clock.now().nanosecondsSinceEpoch, lastTimestamp: lastTimestamp.withLock { $0 })
        let output = machine.apply(events, submissionEnds: ends)
        lastTimestamp.withLock { $0 = machine.lastTimestamp }
        // 4. Write back with multi-row statements.
        for chunk in Self.chunks(output.inserted, size: Self.bindsPerStatementMax / 13) {
            var binds: [SQLValue] = []
            binds.reserveCapacity(chunk.count * 13)
            for row in chunk {
                let t = row.transfer
                binds += [.id(t.id), .time(t.timestamp), .int(row.debitNum), .int(row.creditNum), .int(t.amount), .text(t.asset),
                          .int(t.code), .int(t.flags.rawValue), .id(t.pendingID), .int(t.timeoutSeconds), .text(t.metadata),
                          .int(t.debitBalanceAfter), .int(t.creditBalanceAfter)]
            }
            try await session.execute("""
                INSERT INTO ledger_transfers (id, ts, debit_num, credit_num, amount, asset, code, flags, pending_id,
                    timeout_seconds, metadata, debit_balance_after, credit_balance_after) VALUES \(Self.tuples(chunk.count, 13))
                """, binds)
        }
        // Statement runs in the same transaction (`indexed_upto` stays at its maximum on
        // PostgreSQL): one per account the batch touched.
        let stored = output.inserted.map {
            TailTransfer(ts: $0.transfer.timestamp.nanosecondsSinceEpoch, id: $0.transfer.id, debitNum: $0.debitNum, creditNum: $0.creditNum)
        }
        var buffer: [(account: Int64, entry: StatementRun.Entry)] = []
        for chunk in Self.chunks(StatementRun.runs(of: stored, buffer: &buffer), size: Self.bindsPerStatementMax / 3) {
            let binds = chunk.flatMap { run -> [SQLValue] in [.int(run.accountNum), .int(run.lastTS), .blob(run.packed)] }
            try await session.execute("INSERT INTO ledger_entry_runs (account_num, last_ts, entries) VALUES \(Self.tuples(chunk.count, 3))", binds)
        }
        for chunk in Self.chunks(output.newPendings, size: Self.bindsPerStatementMax / 9) {
            var binds: [SQLValue] = []
            for r in chunk {
                binds += [.id(r.id), .id(r.debitID), .id(r.creditID), .int(r.debitNum), .int(r.creditNum), .text(r.asset),
                          .int(r.amount), .int(r.status.rawValue), .int(r.expiresAt)]
            }
            try await session.execute("INSERT INTO ledger_pending (id, debit_id, credit_id, debit_num, credit_num, asset, amount, state, expires_at) VALUES \(Self.tuples(chunk.count, 9))", binds)
        }
        for (id, status) in output.pendingStatusChanges {
            try await session.execute("UPDATE ledger_pending SET state = ? WHERE id = ?", [.int(status.rawValue), .id(id)])
        }
        let dirty = machine.accounts.dirtySlots.map { machine.accounts[$0] }
        for chunk in Self.chunks(dirty, size: Self.bindsPerStatementMax / 5) {
            var binds: [SQLValue] = []
            for a in chunk {
                binds += [.int(a.num), .int(a.balance.debitsPending), .int(a.balance.debitsPosted), .int(a.balance.creditsPending), .int(a.balance.creditsPosted)]
            }
            let values = (0..<chunk.count).map { _ in "(?::bigint, ?::bigint, ?::bigint, ?::bigint, ?::bigint)" }.joined(separator: ", ")
            try await session.execute("""
                UPDATE ledger_accounts AS a SET debits_pending = v.dp, debits_posted = v.dpo, credits_pending = v.cp, credits_posted = v.cpo
                FROM (VALUES \(values)) AS v(num, dp, dpo, cp, cpo) WHERE a.num = v.num
                """, binds)
        }
        return output
    }

    static func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    static func tuples(_ rows: Int, _ columns: Int) -> String {
        let tuple = "(" + marks(columns) + ")"
        return Array(repeating: tuple, count: rows).joined(separator: ", ")
    }

    static func chunks<T>(_ items: [T], size: Int) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: size).map { items[$0..<min($0 + size, items.count)] }
    }
}
