import Synchronization

/// Group commit for SQLite's one writer connection: module transactions that queue for the
/// writer share one `COMMIT` (one fsync) instead of paying one each.
///
/// Each transaction runs in its own savepoint inside an outer transaction. When it finishes and
/// another transaction is already waiting for the writer, it hands the connection over without
/// committing and waits; the last member of the group (no one waiting, or `membersMax` reached)
/// commits and wakes every member. A member that throws rolls back its own savepoint only. A
/// member hears of success only once the commit that made its work durable is on disk
/// (`WALSyncer` syncs it after the write gate is given back; the committing member gets a ticket
/// to wait on, see `Committed`); if that commit fails, every member of the group fails. Only the
/// task holding the writer touches this state.
final class GroupCommit: Sendable {
    /// Members per commit at most, so one group cannot hold SQLite's write lock for long.
    static let membersMax = 64

    private struct State {
        var open = false
        var members = 0
        var waiting: [CheckedContinuation<Void, any Error>] = []
    }
    private let state = Mutex(State())
    /// Taken from `BEGIN IMMEDIATE` to `COMMIT`, shared with the ledger's writer.
    let gate: SQLiteWriteGate
    /// Syncs the group's commit after the gate is given back (nil: the commit synced itself).
    let syncer: WALSyncer?

    init(gate: SQLiteWriteGate, syncer: WALSyncer?) {
        self.gate = gate
        self.syncer = syncer
    }

    /// Runs `body` as one member on `connection` (held exclusively by the caller), then either
    /// hands over (`handOver` true: someone waits for the writer) and waits for the group's commit,
    /// or commits the group. `release` gives the connection back to the pool.
    func run<T: Sendable>(on connection: SQLiteConnection, handOver: @Sendable () async -> Bool, release: @escaping @Sendable () async -> Void,
                          _ body: (SQLiteConnection) async throws -> T) async throws -> Committed<T> {
        let needsBegin = state.withLock { state -> Bool in
            defer { state.open = true }
            return !state.open
        }
        if needsBegin {
            await gate.acquire()
            do { try connection.exec("BEGIN IMMEDIATE") } catch {
                gate.release()
                state.withLock { $0.open = false }
                await release()
                throw error
            }
        }
        try connection.exec("SAVEPOINT member")
        var outcome: Result<T, any Error>
        do {
            let value = try await body(connection)
            try connection.exec("RELEASE member")
            outcome = .success(value)
        } catch {
            try? connection.exec("ROLLBACK TO member")
            try? connection.exec("RELEASE member")
            outcome = .failure(error)
        }
        let members = state.withLock { state -> Int in
            state.members += 1
            return state.members
        }
        if members < GroupCommit.membersMax, await handOver() {
            // Someone else continues the group; they (or a later member) commit it.
            let outcome = outcome
            do {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    state.withLock { $0.waiting.append(continuation) }
                    Task { await release() }
                }
            } catch {
                if case .success = outcome { throw error }
            }
            return Committed(value: try outcome.get(), ticket: nil)
        }
        let commitError: (any Error)?
        do { try connection.exec("COMMIT"); commitError = nil } catch {
            try? connection.exec("ROLLBACK")
            commitError = error
        }
        let ticket = commitError == nil ? syncer?.committed() : nil
        gate.release()
        let waiting = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            let waiting = state.waiting
            state = State()
            return waiting
        }
        // The next group may write while this one's commit goes to disk; its members hear of
        // success only once it is there, and so does the caller (see `Committed`).
        await release()
        let resumeWaiting: @Sendable () -> Void = {
            for continuation in waiting {
                if let commitError { continuation.resume(throwing: commitError) } else { continuation.resume() }
            }
        }
        if let ticket, let syncer { syncer.whenDurable(ticket, resumeWaiting) } else { resumeWaiting() }
        if let commitError { throw commitError }
        return Committed(value: try outcome.get(), ticket: ticket)
    }
}

/// A group member's result. `ticket` is set for the member that committed the group: its commit
/// is written but maybe not on disk yet, and the result must not be reported before
/// `WALSyncer` says the ticket is durable. Members that handed over get theirs after it is.
struct Committed<T: Sendable>: Sendable {
    let value: T
    let ticket: UInt64?
}
