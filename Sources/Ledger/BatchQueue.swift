import BankKit
import Foundation
import Metrics

/// One client's submission waiting for the writer.
struct Submission: Sendable {
    let events: [TransferRequest]
    let continuation: CheckedContinuation<[TransferResult], any Error>
}

/// Work for the single writer: a submission of transfers, or an exclusive job (open or close
/// accounts) run between batches. A job resumes its own caller.
enum WriterJob: Sendable {
    case transfers(Submission)
    /// Run on the SQLite writer thread.
    case exclusive(@Sendable () -> Void)
    /// Run by the PostgreSQL writer task.
    case exclusiveAsync(@Sendable () async -> Void)
}

/// Consecutive submissions merged into one batch of events.
struct Batch {
    let submissions: [Submission]
    let events: [TransferRequest]
    /// Index of each submission's last event: a linked chain never crosses one.
    let submissionEnds: Set<Int>

    init(_ submissions: [Submission]) {
        var events: [TransferRequest] = []
        var ends = Set<Int>()
        for submission in submissions {
            events.append(contentsOf: submission.events)
            ends.insert(events.count - 1)
        }
        self.submissions = submissions
        self.events = events
        self.submissionEnds = ends
    }

    /// Hands each submission its slice of the results and records the batch's metrics.
    func deliver(_ results: [TransferResult], metrics: LedgerMetrics, commitNanoseconds: Int64) {
        var offset = 0
        var ok = 0
        for submission in submissions {
            let slice = Array(results[offset..<offset + submission.events.count])
            offset += submission.events.count
            ok += slice.reduce(0) { $0 + ($1.status == .ok ? 1 : 0) }
            submission.continuation.resume(returning: slice)
        }
        metrics.record(batchEvents: events.count, commitNanoseconds: commitNanoseconds, ok: ok, failed: events.count - ok)
    }

    /// Fails every submission: nothing of the batch was committed, so retrying the same ids is safe.
    func fail(_ error: any Error) {
        for submission in submissions {
            submission.continuation.resume(throwing: DomainError(.unavailable, "Ledger write failed: \(error). Retry with the same transfer ids.", status: 503))
        }
    }
}

/// The writer's inbox: a bounded queue that groups concurrent submissions into batches.
///
/// Group commit happens naturally: while one batch commits, new submissions pile up and
/// become the next batch (bounded by `batchEventsMax`; a submission is never split).
/// The SQLite writer thread blocks in `nextBatch()`; the PostgreSQL writer task suspends in
/// `nextBatchAsync()`. Neither polls.
final class BatchQueue: @unchecked Sendable {
    // Every mutable field is read and written only while holding `condition`'s lock.
    private let condition = NSCondition()
    private var jobs: [WriterJob] = []
    private var queuedEvents = 0
    private var stopped = false
    private var asyncWaiter: CheckedContinuation<Void, Never>?
    let batchEventsMax: Int

    init(batchEventsMax: Int) {
        self.batchEventsMax = batchEventsMax
    }

    /// Adds a job; refuses with `service_unavailable` when the queue is full or stopped.
    func enqueue(_ job: WriterJob) throws(DomainError) {
        condition.lock()
        var accepted = !stopped
        if accepted, case .transfers(let submission) = job {
            accepted = queuedEvents + submission.events.count <= LedgerLimits.queuedEventsMax
            if accepted { queuedEvents += submission.events.count }
        }
        if accepted { jobs.append(job) }
        let waiter = wake()
        condition.unlock()
        waiter?.resume()
        guard accepted else {
            throw DomainError(.unavailable, "The ledger is busy or shutting down; retry with the same transfer ids.", status: 503)
        }
    }

    /// True when nothing is waiting for the writer.
    var isIdle: Bool {
        condition.lock()
        defer { condition.unlock() }
        return jobs.isEmpty
    }

    /// Blocks the calling thread until there is work; nil once stopped and drained.
    ///
    /// Under load the submitters a batch answered come straight back, but one by one; taking
    /// whatever is queued the moment the previous commit ends makes a small batch out of the
    /// first few (and every small batch rewrites about as many account pages as a full one).
    /// So, once there is work, this waits up to `waitNanoseconds` for `expectedEvents` (at most
    /// a full batch) to be queued, never for more than what was just answered: a lone client
    /// waits only when its next submission is smaller than its last, and then only until the
    /// deadline (the SQLite writer passes a quarter of its last commit's time, at most 2 ms).
    func nextBatch(expectedEvents: Int = 0, waitNanoseconds: Int64 = 0) -> [WriterJob]? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !stopped { condition.wait() }
        let target = min(expectedEvents, batchEventsMax)
        if target > 1 && waitNanoseconds > 0 && queuedEvents < target && !stopped {
            let deadline = Date(timeIntervalSinceNow: Double(waitNanoseconds) / 1e9)
            while queuedEvents < target && !stopped, case .transfers = jobs[0] {
                if !condition.wait(until: deadline) { break }
            }
        }
        return takeLocked()
    }

    /// Suspends the calling task until there is work; nil once stopped and drained.
    func nextBatchAsync() async -> [WriterJob]? {
        while true {
            if let ready = takeIfReady() { return ready }
            await withCheckedContinuation { park($0) }
        }
    }

    /// `.some(batch or nil-when-finished)` when there is something to report, `.none` to wait.
    private func takeIfReady() -> [WriterJob]?? {
        condition.lock()
        defer { condition.unlock() }
        return jobs.isEmpty && !stopped ? .none : .some(takeLocked())
    }

    /// Leaves the continuation for `enqueue`/`stop` to resume, unless work arrived meanwhile.
    private func park(_ continuation: CheckedContinuation<Void, Never>) {
        condition.lock()
        if jobs.isEmpty && !stopped {
            asyncWaiter = continuation
            condition.unlock()
        } else {
            condition.unlock()
            continuation.resume()
        }
    }

    func stop() {
        condition.lock()
        stopped = true
        let waiter = wake()
        condition.unlock()
        waiter?.resume()
    }

    /// Signals the blocked thread and hands back the suspended task's continuation (resumed
    /// by the caller after unlocking). Call with the lock held.
    private func wake() -> CheckedContinuation<Void, Never>? {
        condition.broadcast()
        defer { asyncWaiter = nil }
        return asyncWaiter
    }

    /// One exclusive job, or consecutive transfer submissions up to the event bound; nil when
    /// empty (only after `stop`). Call with the lock held.
    private func takeLocked() -> [WriterJob]? {
        guard let first = jobs.first else { return nil }
        guard case .transfers = first else {
            jobs.removeFirst()
            return [first]
        }
        var taken = 0
        var events = 0
        for job in jobs {
            guard case .transfers(let submission) = job else { break }
            if taken > 0 && events + submission.events.count > batchEventsMax { break }
            events += submission.events.count
            taken += 1
        }
        let batch = Array(jobs.prefix(taken))
        jobs.removeFirst(taken)
        queuedEvents -= events
        return batch
    }
}

/// Ledger metrics, reported through swift-metrics to whatever factory the server installs.
public struct LedgerMetrics: Sendable {
    let batchSize: Recorder
    let commitLatency: Metrics.Timer
    let transfers: Counter
    let failed: Counter
    /// Also told of every batch (its transfers and commit nanoseconds), e.g. by `rong bench ledger`.
    let observer: (@Sendable (_ events: Int, _ commitNanoseconds: Int64) -> Void)?

    public init(factory: any MetricsFactory, observer: (@Sendable (_ events: Int, _ commitNanoseconds: Int64) -> Void)? = nil) {
        self.observer = observer
        batchSize = Recorder(label: "rong_ledger_batch_size", dimensions: [], aggregate: true, factory: factory)
        commitLatency = Metrics.Timer(label: "rong_ledger_commit_seconds", dimensions: [], factory: factory)
        transfers = Counter(label: "rong_ledger_transfers_total", dimensions: [("result", "ok")], factory: factory)
        failed = Counter(label: "rong_ledger_transfers_total", dimensions: [("result", "failed")], factory: factory)
    }

    /// Metrics that go nowhere (CLI tools, tests that do not look at them).
    public static var none: LedgerMetrics { LedgerMetrics(factory: NOOPMetricsHandler.instance) }

    /// Metrics that go only to `observer`.
    public static func observing(_ observer: @escaping @Sendable (_ events: Int, _ commitNanoseconds: Int64) -> Void) -> LedgerMetrics {
        LedgerMetrics(factory: NOOPMetricsHandler.instance, observer: observer)
    }

    func record(batchEvents: Int, commitNanoseconds: Int64, ok: Int, failed failedCount: Int) {
        batchSize.record(batchEvents)
        commitLatency.recordNanoseconds(commitNanoseconds)
        observer?(batchEvents, commitNanoseconds)
        if ok > 0 { transfers.increment(by: ok) }
        if failedCount > 0 { failed.increment(by: failedCount) }
    }
}
