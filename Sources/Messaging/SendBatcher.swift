import BankKit
import Storage
import Synchronization

/// Sends that arrive together are stored in one SQLite transaction, each in its own savepoint.
///
/// SQLite has one writer. Handing it from one send's task to the next (acquire, run, hand over,
/// wake the next) cost more than the send's six statements, so concurrent sends queue here and
/// one task stores them back to back: a failing send rolls back its savepoint only, and every
/// send of the batch returns after the commit that made it durable (a failed commit fails them
/// all, and nothing of theirs is stored). Sequence numbers stay gap-free: a send that rolls back
/// gives its number back inside the same transaction.
///
/// On PostgreSQL each send keeps its own transaction: the pool runs them in parallel and the
/// conversation row's lock orders the sends of one conversation.
final class SendBatcher: Sendable {
    /// Sends per transaction at most, so one batch holds SQLite's write lock for milliseconds.
    static let batchMax = 128
    /// Sends waiting at most; past this a send is refused (`service_unavailable`, retry later)
    /// rather than queued without bound. Each connection has one send in flight, so only an
    /// overloaded node reaches it.
    static let pendingMax = 20_000

    typealias Store = @Sendable (any SQLSession) async throws -> StoredSend

    private struct Pending {
        let store: Store
        let continuation: CheckedContinuation<StoredSend, any Error>
    }
    private struct Queue {
        var pending: [Pending] = []
        var draining = false
    }

    private let database: Database
    private let queue = Mutex(Queue())

    init(database: Database) {
        self.database = database
    }

    /// Runs `store` in a transaction shared with the sends queued beside it; returns once committed.
    func run(_ store: @escaping Store) async throws -> StoredSend {
        guard database.dialect == .sqlite else {
            return try await database.transaction { try await store($0) }
        }
        return try await withCheckedThrowingContinuation { continuation in
            let (accepted, startDrain) = queue.withLock { queue -> (Bool, Bool) in
                guard queue.pending.count < SendBatcher.pendingMax else { return (false, false) }
                queue.pending.append(Pending(store: store, continuation: continuation))
                defer { queue.draining = true }
                return (true, !queue.draining)
            }
            guard accepted else {
                continuation.resume(throwing: DomainError(.unavailable, "Too many messages are waiting to be stored; send again in a moment.", status: 503,
                                                          extensions: ["limit": .int(Int64(SendBatcher.pendingMax))]))
                return
            }
            if startDrain { Task { await self.drain() } }
        }
    }

    /// Stores queued sends batch by batch until the queue is empty.
    private func drain() async {
        while true {
            let batch: [Pending] = queue.withLock { queue in
                guard !queue.pending.isEmpty else {
                    queue.draining = false
                    return []
                }
                let count = min(queue.pending.count, SendBatcher.batchMax)
                let batch = Array(queue.pending.prefix(count))
                queue.pending.removeFirst(count)
                return batch
            }
            guard !batch.isEmpty else { return }
            let results: [Result<StoredSend, any Error>]
            do {
                results = try await database.transaction { tx in
                    var results: [Result<StoredSend, any Error>] = []
                    results.reserveCapacity(batch.count)
                    for item in batch {
                        try await tx.execute("SAVEPOINT elink_send")
                        do {
                            let stored = try await item.store(tx)
                            try await tx.execute("RELEASE SAVEPOINT elink_send")
                            results.append(.success(stored))
                        } catch {
                            try await tx.execute("ROLLBACK TO SAVEPOINT elink_send")
                            try await tx.execute("RELEASE SAVEPOINT elink_send")
                            results.append(.failure(error))
                        }
                    }
                    return results
                }
            } catch {
                results = batch.map { _ in .failure(error) }
            }
            for (item, result) in zip(batch, results) { item.continuation.resume(with: result) }
        }
    }
}

/// A stored message and who the push for it goes to.
struct StoredSend: Sendable {
    let message: Message
    let recipients: [RongID]
}
