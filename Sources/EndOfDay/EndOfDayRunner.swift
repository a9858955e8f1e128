import BankKit
import Logging
import Storage

/// What a step gets: the business date it runs for and the platform's clients.
public struct EODContext: Sendable {
    public let date: BusinessDate
    public let calendar: BusinessCalendar
    public let clock: BankClock
    public let logger: Logger
}

/// One named, idempotent end-of-day step registered by a module.
///
/// A step must be safe to run twice for the same date (a crash may stop it half-way and
/// the next run starts it again): use deterministic transfer ids such as
/// `RongID.derived("wealth.accrual", date, accountID)` so the ledger drops repeats.
public struct EODStep: Sendable {
    public let name: String
    /// Steps run in ascending order; ties break by name.
    public let order: Int
    public let run: @Sendable (EODContext) async throws -> String

    public init(name: String, order: Int, run: @escaping @Sendable (EODContext) async throws -> String) {
        precondition(!name.isEmpty && name.utf8.count <= 64, "step names are 1–64 bytes")
        self.name = name
        self.order = order
        self.run = run
    }
}

/// What one run did.
public struct EODRunReport: Sendable {
    public enum Outcome: String, Sendable { case ran, skippedAlreadyDone = "already_done" }
    public struct StepOutcome: Sendable {
        public let name: String
        public let outcome: Outcome
        public let summary: String
    }

    public let date: BusinessDate
    public let steps: [StepOutcome]
}

/// Progress events printed by `rong eod` and logged by the server.
public enum EODProgress: Sendable {
    case started(index: Int, count: Int, name: String)
    case finished(index: Int, count: Int, name: String, summary: String, milliseconds: Int64)
    case skipped(index: Int, count: Int, name: String)
}

/// Runs the registered steps for a business date, recording each when done.
///
/// A second run for the same date does nothing twice; a run after a crash resumes at the
/// first step not recorded as done. One process at a time (advisory lock on PostgreSQL,
/// file lock on SQLite); a run that finds the lock taken reports `EndOfDayError.busy`.
public struct EndOfDayRunner: Sendable {
    public let database: Database
    public let steps: [EODStep]
    public let calendar: BusinessCalendar
    public let clock: BankClock
    public let logger: Logger
    static let lockKey: Int64 = 7_000_002

    public static let migrations: [Migration] = [
        Migration(module: "eod", version: 1, name: "step journal") { d in
            ["""
            CREATE TABLE eod_steps (
                business_date TEXT NOT NULL, step TEXT NOT NULL, status TEXT NOT NULL,
                attempts \(d.bigint) NOT NULL, started_at \(d.bigint) NOT NULL, finished_at \(d.bigint),
                summary TEXT, PRIMARY KEY (business_date, step))
            """]
        },
    ]

    public init(database: Database, steps: [EODStep], calendar: BusinessCalendar, clock: BankClock, logger: Logger = Logger(label: "rong.eod")) {
        precondition(Set(steps.map(\.name)).count == steps.count, "duplicate end-of-day step names")
        self.database = database
        self.steps = steps.sorted { ($0.order, $0.name) < ($1.order, $1.name) }
        self.calendar = calendar
        self.clock = clock
        self.logger = logger
    }

    /// Runs end-of-day for `date`, which must have ended (Asia/Shanghai): a day still under way
    /// (or a future one) would freeze balances that are still moving.
    public func run(date: BusinessDate, progress: @Sendable (EODProgress) -> Void = { _ in }) async throws -> EODRunReport {
        let today = clock.businessDate()
        guard date < today else {
            throw DomainError(.invalidDate, "End of day for \(date) runs once that day has ended (Asia/Shanghai); today is \(today).", status: 422,
                              extensions: ["field": .string("date")])
        }
        let report = try await database.withExclusiveLock(key: EndOfDayRunner.lockKey) {
            try await runLocked(date: date, progress: progress)
        }
        guard let report else {
            throw DomainError(.conflict, "Another end-of-day run holds the lock.", status: 409)
        }
        return report
    }

    private func runLocked(date: BusinessDate, progress: @Sendable (EODProgress) -> Void) async throws -> EODRunReport {
        var outcomes: [EODRunReport.StepOutcome] = []
        let context = EODContext(date: date, calendar: calendar, clock: clock, logger: logger)
        for (index, step) in steps.enumerated() {
            let row = try await database.first("SELECT status, summary FROM eod_steps WHERE business_date = ? AND step = ?",
                                               [.date(date), .text(step.name)])
            if row?.text("status") == "done" {
                progress(.skipped(index: index + 1, count: steps.count, name: step.name))
                outcomes.append(.init(name: step.name, outcome: .skippedAlreadyDone, summary: row?.optionalText("summary") ?? ""))
                continue
            }
            let started = clock.now()
            if row == nil {
                try await database.execute("INSERT INTO eod_steps (business_date, step, status, attempts, started_at) VALUES (?, ?, 'started', 1, ?)",
                                           [.date(date), .text(step.name), .time(started)])
            } else {
                try await database.execute("UPDATE eod_steps SET attempts = attempts + 1, started_at = ? WHERE business_date = ? AND step = ?",
                                           [.time(started), .date(date), .text(step.name)])
            }
            progress(.started(index: index + 1, count: steps.count, name: step.name))
            logger.info("eod step started", metadata: ["date": "\(date)", "step": "\(step.name)"])
            let summary = try await step.run(context)
            let finished = clock.now()
            try await database.execute("UPDATE eod_steps SET status = 'done', finished_at = ?, summary = ? WHERE business_date = ? AND step = ?",
                                       [.time(finished), .text(String(summary.prefix(1000))), .date(date), .text(step.name)])
            let millis = (finished.nanosecondsSinceEpoch - started.nanosecondsSinceEpoch) / 1_000_000
            progress(.finished(index: index + 1, count: steps.count, name: step.name, summary: summary, milliseconds: millis))
            outcomes.append(.init(name: step.name, outcome: .ran, summary: summary))
        }
        return EODRunReport(date: date, steps: outcomes)
    }

    /// The journal of one date: (step, status, attempts, summary).
    public func journal(date: BusinessDate) async throws -> [(step: String, status: String, attempts: Int64, summary: String?)] {
        try await database.query("SELECT step, status, attempts, summary FROM eod_steps WHERE business_date = ? ORDER BY started_at, step", [.date(date)])
            .map { ($0.text("step"), $0.text("status"), $0.int("attempts"), $0.optionalText("summary")) }
    }

    /// When the server should next run end-of-day: 00:05 Asia/Shanghai, for the date that just ended.
    public static func nextScheduledRun(after now: Timestamp) -> (at: Timestamp, businessDate: BusinessDate) {
        let today = BusinessDate(at: now)
        var at = today.instant(hour: 0, minute: 5)
        if at <= now { at = today.adding(days: 1).instant(hour: 0, minute: 5) }
        return (at, BusinessDate(at: at).adding(days: -1))
    }
}
