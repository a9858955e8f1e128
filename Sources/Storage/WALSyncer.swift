import Dispatch
import Glibc
import Synchronization

/// Makes SQLite commits durable *after* the write lock is given back, many commits per
/// `fdatasync`.
///
/// With `synchronous=FULL` every `COMMIT` waits for an `fdatasync` of the WAL while it still
/// holds SQLite's one write lock (here: `SQLiteWriteGate`), so the two writers — modules' batches
/// and the ledger's thread — spent most of the gate on the disk (about 1 ms a sync under load on
/// this machine) and the cores sat idle. Rong's two writer connections run `synchronous=NORMAL`
/// instead: `COMMIT` writes the WAL frames without syncing; the writer takes a ticket here while
/// still holding the gate, gives the gate back, and only then waits until a sync that started
/// after its frames were written has finished. Syncs run one at a time on a Dispatch queue and
/// each covers every commit written before it started (group fsync).
///
/// What a caller gets is what `synchronous=FULL` gave: a transaction returns (an HTTP answer, a
/// ledger result) only once it is on disk. The WAL is a log — a crash loses only a suffix of it
/// (each frame's checksum chains to the previous one), so a durable commit never depends on one
/// that was lost. The difference: another connection may *read* a commit up to one sync
/// (about a millisecond) before it is durable, as with `synchronous=NORMAL` or a replica's lag;
/// nothing that moves money or notifies anyone acts on a write before its own commit is durable.
/// If `fdatasync` fails, durability can no longer be promised and the process stops (as
/// PostgreSQL does): SQLite recovers the WAL at the next start.
public final class WALSyncer: Sendable {
    public let walPath: String
    private struct Waiter { let ticket: UInt64; let done: @Sendable () -> Void }
    private struct State {
        var fd: Int32 = -1
        /// Tickets handed out (commits written); `durable`: covered by a finished sync.
        var committed: UInt64 = 0
        var durable: UInt64 = 0
        var syncing = false
        var waiters: [Waiter] = []
        var syncs = 0
    }
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "rong.wal-sync")
    /// Makes every commit written so far durable (the WAL's `fdatasync`; tests give their own).
    private let syncNow: @Sendable (WALSyncer) -> Void

    /// For the SQLite file at `databasePath` (its WAL is `<path>-wal`).
    public convenience init(databasePath: String) {
        self.init(walPath: databasePath + "-wal") { $0.syncWAL() }
    }

    /// `sync` stands in for the disk (tests).
    init(walPath: String, sync: @escaping @Sendable (WALSyncer) -> Void) {
        self.walPath = walPath
        syncNow = sync
    }

    deinit {
        let fd = state.withLock { $0.fd }
        if fd >= 0 { close(fd) }
    }

    /// A writer calls this right after its `COMMIT` returned, while it still holds the write gate.
    public func committed() -> UInt64 {
        state.withLock { state in
            state.committed += 1
            return state.committed
        }
    }

    /// Calls `done` once every commit up to `ticket` is on disk: at once if it already is,
    /// otherwise from the sync queue.
    public func whenDurable(_ ticket: UInt64, _ done: @escaping @Sendable () -> Void) {
        let (now, start) = state.withLock { state -> (Bool, Bool) in
            guard ticket > state.durable else { return (true, false) }
            state.waiters.append(Waiter(ticket: ticket, done: done))
            guard !state.syncing else { return (false, false) }
            state.syncing = true
            return (false, true)
        }
        if now { done() }
        if start { queue.async { self.syncRounds() } }
    }

    /// Suspends until every commit up to `ticket` is on disk.
    public func durable(_ ticket: UInt64) async {
        if state.withLock({ ticket <= $0.durable }) { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            whenDurable(ticket) { continuation.resume() }
        }
    }

    /// Blocks the calling thread (a writer's own thread, never the cooperative pool) until
    /// every commit up to `ticket` is on disk.
    public func durableBlocking(_ ticket: UInt64) {
        let semaphore = DispatchSemaphore(value: 0)
        whenDurable(ticket) { semaphore.signal() }
        semaphore.wait()
    }

    /// Syncs performed so far (tests, benchmarks).
    public var syncCount: Int { state.withLock { $0.syncs } }
    /// The last ticket handed out, and the last one known to be on disk.
    public var lastCommitted: UInt64 { state.withLock { $0.committed } }
    public var lastDurable: UInt64 { state.withLock { $0.durable } }

    /// Sync rounds until no waiter is left; each round covers every commit written before it.
    private func syncRounds() {
        while true {
            let target = state.withLock { $0.committed }
            syncNow(self)
            let (ready, more) = state.withLock { state -> ([Waiter], Bool) in
                state.durable = max(state.durable, target)
                state.syncs += 1
                var ready: [Waiter] = []
                var waiting: [Waiter] = []
                for waiter in state.waiters {
                    if waiter.ticket <= state.durable { ready.append(waiter) } else { waiting.append(waiter) }
                }
                state.waiters = waiting
                if waiting.isEmpty { state.syncing = false }
                return (ready, !waiting.isEmpty)
            }
            for waiter in ready { waiter.done() }
            if !more { return }
        }
    }

    /// `fdatasync` of the WAL file (reopened if SQLite replaced it; none there means SQLite
    /// checkpointed it into the database and removed it, which it syncs first).
    private func syncWAL() {
        var fd = state.withLock { $0.fd }
        var onDisk = stat()
        guard stat(walPath, &onDisk) == 0 else { return }
        var open = stat()
        if fd < 0 || fstat(fd, &open) != 0 || open.st_ino != onDisk.st_ino || open.st_dev != onDisk.st_dev {
            if fd >= 0 { close(fd) }
            fd = Glibc.open(walPath, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { fatalError("cannot open \(walPath) to sync it: errno \(errno)") }
            state.withLock { $0.fd = fd }
        }
        while fdatasync(fd) != 0 {
            guard errno == EINTR else {
                fatalError("fdatasync(\(walPath)) failed (errno \(errno)): committed transactions may not be on disk; restart so SQLite recovers its WAL")
            }
        }
    }
}
