import CSQLite
import Dispatch
import Synchronization

/// Copies the WAL back into the database file (SQLite's checkpoint) on its own connection and
/// queue, not inside a writer's `COMMIT`.
///
/// By default the connection whose commit takes the WAL past 1,000 pages checkpoints it in that
/// `COMMIT`: it copies every page into the database file and syncs the file while it still holds
/// the write gate, so every other write waits. In a `rong bench pay` profile that was 3.6% of the
/// process's CPU and all of it on the single writer's path. Rong's two writer connections register
/// here instead (`watch`); after each commit SQLite reports how many frames the WAL holds
/// (`sqlite3_wal_hook`, which also turns the automatic checkpoint off), and once
/// `pagesPerCheckpoint` frames were added since the last copy this queue
///
/// 1. runs a PASSIVE checkpoint: copies every frame no reader still needs and syncs the database
///    file, without the gate — writers keep appending meanwhile;
/// 2. when the WAL holds more than `restartPages` frames, takes the gate (no writer runs), copies
///    what step 1 left and waits for readers to leave the WAL (RESTART, at most 20 ms), so the
///    next writer starts the WAL from its beginning again: the file stays bounded at about
///    `restartPages` pages. A reader that stays longer (a long report) makes the RESTART give up;
///    the next one is tried once the WAL has grown by another `restartPages`.
///
/// Usually step 2 is not needed: when a PASSIVE copy catches up while no reader is in the WAL,
/// the next writer starts the WAL again by itself.
///
/// Durability does not change: SQLite syncs the WAL before it copies frames, and a crash at any
/// point leaves the WAL to be recovered at the next open, as before.
public final class WALCheckpointer: @unchecked Sendable {
    /// Frames added to the WAL before a background copy starts (SQLite's own default).
    public var pagesPerCheckpoint: Int32 { state.withLock { $0.pagesPerCheckpoint } }
    /// WAL size (frames) past which a copy also restarts the WAL, holding the gate.
    public var restartPages: Int32 { state.withLock { $0.restartPages } }
    /// Counts for tests and benchmarks.
    public struct Counts: Sendable {
        public var passive = 0
        public var restarts = 0
        /// RESTARTs that gave up because a reader stayed in the WAL (tried again once the WAL
        /// grew by another `restartPages`).
        public var restartsBusy = 0
        /// Times a writer was seen starting the WAL again from its beginning (after a RESTART,
        /// or after a PASSIVE copy that caught up while no reader was in the WAL).
        public var walStarts = 0
    }
    private struct State {
        var pagesPerCheckpoint: Int32
        var restartPages: Int32
        /// WAL frames when the last copy started (0 once the WAL was restarted).
        var checkedAt: Int32 = 0
        /// WAL frames past which the next copy tries a RESTART; moved on when a reader kept one
        /// from finishing, so a long read does not stall writers at every copy.
        var restartAt: Int32 = 0
        var running = false
        var counts = Counts()
    }
    private let state: Mutex<State>
    private let queue = DispatchQueue(label: "rong.wal-checkpoint")
    private let gate: SQLiteWriteGate
    /// Used only on `queue`.
    private let connection: SQLiteConnection

    /// For the SQLite file at `path`, whose writers take `gate`.
    public init(path: String, gate: SQLiteWriteGate, pagesPerCheckpoint: Int32 = 1_000, restartPages: Int32 = 4_096) throws {
        precondition(pagesPerCheckpoint > 0 && restartPages >= pagesPerCheckpoint, "checkpoint thresholds out of order")
        self.gate = gate
        state = Mutex(State(pagesPerCheckpoint: pagesPerCheckpoint, restartPages: restartPages, restartAt: restartPages))
        // RESTART waits for readers under the gate: a short busy wait (SQLite sleeps 1, 2, 5, 10 ms…).
        connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 20)
    }

    /// Moves `writer`'s checkpoints here. `writer` must not outlive this checkpointer.
    public func watch(_ writer: SQLiteConnection) {
        sqlite3_wal_hook(writer.handle, { context, _, _, frames in
            Unmanaged<WALCheckpointer>.fromOpaque(context!).takeUnretainedValue().walHolds(frames)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    public var counts: Counts { state.withLock { $0.counts } }

    /// Smaller thresholds, so a test sees copies and restarts after a few hundred pages.
    func setThresholds(pagesPerCheckpoint: Int32, restartPages: Int32) {
        precondition(pagesPerCheckpoint > 0 && restartPages >= pagesPerCheckpoint, "checkpoint thresholds out of order")
        state.withLock {
            $0.pagesPerCheckpoint = pagesPerCheckpoint
            $0.restartPages = restartPages
            $0.restartAt = restartPages
        }
    }

    /// Called on a writer's thread right after its commit: the WAL now holds `frames` frames.
    private func walHolds(_ frames: Int32) {
        let start = state.withLock { state -> Bool in
            if frames < state.checkedAt {  // the WAL was started again from its beginning
                state.checkedAt = 0
                state.restartAt = state.restartPages
                state.counts.walStarts += 1
            }
            guard !state.running, frames - state.checkedAt >= state.pagesPerCheckpoint else { return false }
            state.running = true
            return true
        }
        if start { queue.async { self.checkpoint() } }
    }

    private func checkpoint() {
        var frames: Int32 = 0, copied: Int32 = 0
        let passive = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied) == SQLITE_OK
        let checkedAt = max(0, frames)
        let (restartAt, restartPages) = state.withLock { ($0.restartAt, $0.restartPages) }
        var restarted: Bool?  // nil: not tried
        if frames > restartAt {
            gate.acquireBlocking()
            restarted = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_RESTART, &frames, &copied) == SQLITE_OK
            gate.release()
        }
        state.withLock { state in
            // After a RESTART the next commit reports a small WAL: `walHolds` sees it start again.
            state.checkedAt = checkedAt
            if let restarted { state.restartAt = restarted ? restartPages : checkedAt + restartPages }
            state.running = false
            if passive { state.counts.passive += 1 }
            switch restarted {
            case true?: state.counts.restarts += 1
            case false?: state.counts.restartsBusy += 1
            case nil: break
            }
        }
    }
}
