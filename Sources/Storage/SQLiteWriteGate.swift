import Dispatch
import Synchronization

/// Who may open a write transaction on one SQLite file in this process, in turn.
///
/// SQLite allows one writer at a time; a second connection that tries `BEGIN IMMEDIATE` meanwhile
/// is turned away and its busy handler *sleeps* (1, 2, 5, 10 … ms) before trying again. Rong has
/// two writers on the file — modules' transactions (`GroupCommit`, on the async tasks) and the
/// ledger's batches (its own thread) — and those sleeps blocked one of the machine's two
/// cooperative threads and left the ledger waiting while the lock was already free. Both writers
/// take this gate before `BEGIN IMMEDIATE` and give it back after `COMMIT` or `ROLLBACK`: the
/// next one, first come first served, starts the moment the last one ends. Other processes on
/// the same file still meet SQLite's lock and busy timeout.
public final class SQLiteWriteGate: Sendable {
    private enum Waiter {
        case task(CheckedContinuation<Void, Never>)
        case thread(DispatchSemaphore)
    }
    private struct State {
        var held = false
        var waiters: [Waiter] = []
        var head = 0
        mutating func next() -> Waiter? {
            guard head < waiters.count else { return nil }
            let waiter = waiters[head]
            head += 1
            if head == waiters.count { waiters.removeAll(keepingCapacity: true); head = 0 }
            return waiter
        }
    }
    private let state = Mutex(State())

    public init() {}

    /// Waits (suspending, not blocking) until this task holds the gate.
    public func acquire() async {
        if state.withLock({ state in
            guard !state.held else { return false }
            state.held = true
            return true
        }) { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                guard state.held else {
                    state.held = true
                    return true
                }
                state.waiters.append(.task(continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Blocks the calling thread until it holds the gate: for a writer on its own thread, never
    /// from the cooperative pool.
    public func acquireBlocking() {
        let semaphore: DispatchSemaphore? = state.withLock { state in
            guard state.held else {
                state.held = true
                return nil
            }
            let semaphore = DispatchSemaphore(value: 0)
            state.waiters.append(.thread(semaphore))
            return semaphore
        }
        semaphore?.wait()
    }

    /// Hands the gate to the longest waiter, or opens it.
    public func release() {
        let next: Waiter? = state.withLock { state in
            guard let next = state.next() else {
                state.held = false
                return nil
            }
            return next
        }
        switch next {
        case .task(let continuation): continuation.resume()
        case .thread(let semaphore): semaphore.signal()
        case nil: break
        }
    }
}
