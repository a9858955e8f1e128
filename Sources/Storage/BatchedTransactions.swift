import BankKit
import Synchronization

/// Transactions whose work can run on another task share one SQLite transaction, run back to
/// back by one task (`Database.batchedTransaction`).
///
/// `GroupCommit` shares a commit too, but each member's body runs on its caller's task, so the
/// writer connection passes from task to task (acquire, run, hand over, wake the next) — more
/// than the statements cost when each member is a handful of inserts. Work given here as an
/// escaping `@Sendable` closure is run by the draining task itself: no hand-over per member. A
/// member that throws leaves nothing of its own stored and the others' work stands (see
/// `Database.runBatch`); every member returns after the commit that made it durable (a failed
/// commit fails them all, and nothing of theirs is stored). A member's work may run twice (the
/// first run rolled back), so it must do nothing outside the transaction it is given.
final class BatchedTransactions: Sendable {
    /// Members per transaction at most, so one batch holds SQLite's write lock for milliseconds.
    static let batchMax = 128
    /// Members waiting at most; past this one is refused (`service_unavailable`, retry later).
    static let pendingMax = 20_000

    /// One member: runs its work in place (true when it succeeded), then hears how the commit went.
    struct Member: Sendable {
        let run: @Sendable (any SQLSession) async -> Bool
        let finish: @Sendable ((any Error)?) -> Void
    }
    private struct Queue {
        var pending: [Member] = []
        var draining = false
    }
    private let queue = Mutex(Queue())
    /// Batches run a second time, a savepoint per member (a member failed after writing).
    let runAgain = Atomic<Int>(0)

    /// Queues `member`; false when the queue is full.
    func enqueue(_ member: Member, drain: @escaping @Sendable ([Member]) async -> Void) -> Bool {
        let (accepted, startDrain) = queue.withLock { queue -> (Bool, Bool) in
            guard queue.pending.count < BatchedTransactions.pendingMax else { return (false, false) }
            queue.pending.append(member)
            defer { queue.draining = true }
            return (true, !queue.draining)
        }
        if startDrain {
            Task {
                while let batch = next() { await drain(batch) }
            }
        }
        return accepted
    }

    /// The next batch, or nil (and not draining any more) when the queue is empty.
    private func next() -> [Member]? {
        queue.withLock { queue in
            guard !queue.pending.isEmpty else {
                queue.draining = false
                return nil
            }
            let count = min(queue.pending.count, BatchedTransactions.batchMax)
            let batch = Array(queue.pending.prefix(count))
            queue.pending.removeFirst(count)
            return batch
        }
    }
}

extension Database {
    /// Runs `body` in a transaction. On SQLite it shares one with the other batched transactions
    /// queued beside it (see `BatchedTransactions`), in its own savepoint; on PostgreSQL it has its
    /// own (the pool commits in parallel). Returns after the commit; throws `service_unavailable`
    /// when 20,000 are already waiting.
    public func batchedTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> T) async throws -> T {
        guard let batched else { return try await transaction { try await body($0) } }
        let outcome = Mutex<Result<T, any Error>?>(nil)
        return try await withCheckedThrowingContinuation { continuation in
            let member = BatchedTransactions.Member(
                run: { tx in
                    do {
                        let value = try await body(tx)
                        outcome.withLock { $0 = .success(value) }
                        return true
                    } catch {
                        outcome.withLock { $0 = .failure(error) }
                        return false
                    }
                },
                finish: { commitError in
                    let result = outcome.withLock { $0 } ?? .failure(commitError ?? StorageError(.other, "batched transaction did not run"))
                    if let commitError, case .success = result { continuation.resume(throwing: commitError) } else { continuation.resume(with: result) }
                })
            guard batched.enqueue(member, drain: { [self] in await runBatch($0) }) else {
                continuation.resume(throwing: DomainError(.unavailable, "Too many requests are waiting to be stored; try again in a moment.", status: 503,
                                                          extensions: ["limit": .int(Int64(BatchedTransactions.pendingMax))]))
                return
            }
        }
    }

    /// One transaction for `batch`. Returns once the commit is written; the members hear of it
    /// once it is on disk, while the next batch is already being written.
    ///
    /// The members first run back to back with no savepoint of their own: a member that fails
    /// having changed no row (a refusal found before it wrote, the usual failure) leaves nothing
    /// to undo. Only when one fails after changing rows is the batch's work rolled back and the
    /// batch run again with a savepoint per member, so that member's rows go and the others'
    /// stay. (A savepoint per member copied every page it touched into SQLite's sub-journal —
    /// a tenth of an e-Link send's CPU — to undo what almost never needs undoing.)
    private func runBatch(_ batch: [BatchedTransactions.Member]) async {
        do {
            let committed: Committed<Void>
            do {
                committed = try await sqliteTransaction(connection: { connection, tx in
                    for member in batch {
                        let before = connection.totalChanges
                        if await !member.run(tx), connection.totalChanges != before { throw MemberFailedAfterWriting() }
                    }
                })
            } catch is MemberFailedAfterWriting {
                batched?.runAgain.add(1, ordering: .relaxed)
                committed = try await sqliteTransaction { tx in
                    for member in batch {
                        try await tx.execute("SAVEPOINT batched_member")
                        if await member.run(tx) {
                            try await tx.execute("RELEASE SAVEPOINT batched_member")
                        } else {
                            try await tx.execute("ROLLBACK TO SAVEPOINT batched_member")
                            try await tx.execute("RELEASE SAVEPOINT batched_member")
                        }
                    }
                }
            }
            let finish: @Sendable () -> Void = { for member in batch { member.finish(nil) } }
            if let ticket = committed.ticket, let walSyncer { walSyncer.whenDurable(ticket, finish) } else { finish() }
        } catch {
            for member in batch { member.finish(error) }
        }
    }
}

/// A batched member failed after changing rows: its batch runs again, a savepoint per member.
private struct MemberFailedAfterWriting: Error {}
