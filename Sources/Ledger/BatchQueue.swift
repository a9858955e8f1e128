import BankKit
import Foundation
import Metrics
import Storage
import Synchronization

/// One client's submission waiting for the writer.
struct Submission: Sendable {
    let events: [TransferRequest]
    let continuation: CheckedContinuation<[TransferResult], any Error>
}

/// Work for the single writer: a submission of transfers, or an exclusive job (open or close
/// accounts, sweep expired holds) run between batches.
enum WriterJob: Sendable {
    case transfers(Submission)
    case exclusive(@Sendable () -> Void)
    case exclusiveAsync(@Sendable () async -> Void)
}

/// The writer's inbox: a bounded queue that groups concurrent submissions into batches.
///
/// Group commit happens naturally: while one batch commits, new submissions pile up and
/// become the next batch (bounded by `LedgerLimits.eventsPerBatchMax`). An optional linger
/// lets a nearly empty batch wait briefly for company; it is bounded too.
final class BatchQueue: Sendable {
    private struct State {
        var jobs: [WriterJob] = []
        var queuedEvents = 0
        var stopped = false
    }

    private let state = Mutex(State())
    private let condition = NSCondition()
    let batchEventsMax: Int

    init(batchEventsMax: Int) {
        self.batchEventsMax = batchEventsMax
    }

    /// Adds a job; refuses with `service_unavailable` when the queue is full or stopped.
    func enqueue(_ job: WriterJob) throws(DomainError) {
        let accepted: Bool = state.withLock { state in
            if state.stopped { return false }
            if case .transfers(let submission) = job {
                if state.queuedEvents + submission.events.count > LedgerLimits.queuedEventsMax { return false }
                state.queuedEvents += submission.events.count
            }
            state.jobs.append(job)
            return true
        }
        guard accepted else {
            throw DomainError(.unavailable, "The ledger is busy or shutting down; retry with the same transfer ids.", status: 503)
        }
        condition.lock()
        condition.signal()
        condition.unlock()
    }

    /// Blocks the writer thread until there is work; returns a batch, or nil once stopped and drained.
    ///
    /// A batch is either one exclusive job, or consecutive transfer submissions up to the
    /// event bound (a single submission is never split).
    func nextBatch() -> [WriterJob]? {
        while true {
            if let batch = takeBatch() { return batch }
            if state.withLock({ $0.stopped && $0.jobs.isEmpty }) { return nil }
            condition.lock()
            if state.withLock({ $0.jobs.isEmpty && !$0.stopped }) {
                _ = condition.wait(until: Date(timeIntervalSinceNow: 0.25))
            }
            condition.unlock()
        }
    }

    /// Takes what is queued now without blocking.
    func takeBatch() -> [WriterJob]? {
        state.withLock { state in
            guard let first = state.jobs.first else { return nil }
            if case .transfers = first {} else {
                state.jobs.removeFirst()
                return [first]
            }
            var taken = 0
            var events = 0
            for job in state.jobs {
                guard case .transfers(let submission) = job else { break }
                if taken > 0 && events + submission.events.count > batchEventsMax { break }
                events += submission.events.count
                taken += 1
            }
            let batch = Array(state.jobs.prefix(taken))
            state.jobs.removeFirst(taken)
            state.queuedEvents -= events
            return batch
        }
    }

    var isStoppedAndDrained: Bool { state.withLock { $0.stopped && $0.jobs.isEmpty } }

    func stop() {
        state.withLock { $0.stopped = true }
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }
}

/// Ledger metrics, reported through swift-metrics to whatever factory the server installs.
public struct LedgerMetrics: Sendable {
    let batchSize: Recorder
    let commitLatency: Metrics.Timer
    let transfers: Counter
    let failed: Counter

    public init(factory: any MetricsFactory) {
        batchSize = Recorder(label: "rong_ledger_batch_size", dimensions: [], aggregate: true, factory: factory)
        commitLatency = Metrics.Timer(label: "rong_ledger_commit_seconds", dimensions: [], factory: factory)
        transfers = Counter(label: "rong_ledger_transfers_total", dimensions: [("result", "ok")], factory: factory)
        failed = Counter(label: "rong_ledger_transfers_total", dimensions: [("result", "failed")], factory: factory)
    }

    /// Metrics that go nowhere (CLI tools, tests that do not look at them).
    public static var none: LedgerMetrics { LedgerMetrics(factory: NOOPMetricsHandler.instance) }

    func record(batchEvents: Int, commitNanoseconds: Int64, ok: Int, failed failedCount: Int) {
        batchSize.record(batchEvents)
        commitLatency.recordNanoseconds(commitNanoseconds)
        if ok > 0 { transfers.increment(by: ok) }
        if failedCount > 0 { failed.increment(by: failedCount) }
    }
}
