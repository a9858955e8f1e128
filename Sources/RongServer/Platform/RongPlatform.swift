import BankKit
import EndOfDay
import Ledger
import Logging
import Metrics
import Prometheus
import Storage

/// Everything a Rong process runs on, built once and shared by the server, the CLI and tests:
/// the database, the ledger, the end-of-day runner, and the effect clients.
public final class RongPlatform: Sendable {
    public let database: Database
    public let ledger: Ledger
    public let endOfDay: EndOfDayRunner
    public let clock: BankClock
    public let ids: IDGenerator
    public let calendar: BusinessCalendar
    public let metricsRegistry: PrometheusCollectorRegistry
    public let metricsFactory: PrometheusMetricsFactory
    public let logger: Logger

    /// Every module's migrations, lower modules first.
    public static let migrations: [Migration] = LedgerSchema.migrations + EndOfDayRunner.migrations

    /// Opens the database, applies migrations and starts the ledger writer.
    public static func start(databaseURL: String, clock: BankClock = .live, ids: IDGenerator? = nil,
                             calendar: BusinessCalendar = .china, logger: Logger) async throws -> RongPlatform {
        let database = try await Database.open(databaseURL, logger: logger)
        try await Migrator(migrations).migrate(database, clock: clock)
        return try RongPlatform(database: database, clock: clock, ids: ids ?? .live, calendar: calendar, logger: logger)
    }

    /// Starts on an open database (tests pass their own, with a manual clock and seeded ids).
    public static func start(database: Database, clock: BankClock, ids: IDGenerator, calendar: BusinessCalendar = .china,
                             logger: Logger) async throws -> RongPlatform {
        try await Migrator(migrations).migrate(database, clock: clock)
        return try RongPlatform(database: database, clock: clock, ids: ids, calendar: calendar, logger: logger)
    }

    init(database: Database, clock: BankClock, ids: IDGenerator, calendar: BusinessCalendar, logger: Logger) throws {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        let ledger = try Ledger(database: database, clock: clock, ids: ids, metrics: LedgerMetrics(factory: factory), logger: logger)
        self.database = database
        self.ledger = ledger
        self.clock = clock
        self.ids = ids
        self.calendar = calendar
        self.metricsRegistry = registry
        self.metricsFactory = factory
        self.logger = logger
        self.endOfDay = EndOfDayRunner(database: database, steps: RongPlatform.endOfDaySteps(ledger: ledger), calendar: calendar,
                                       clock: clock, logger: logger)
    }

    /// The end-of-day steps every module registers. Modules add theirs here as they arrive.
    static func endOfDaySteps(ledger: Ledger) -> [EODStep] {
        [
            EODStep(name: "ledger.expire-holds", order: 100) { _ in
                var total = 0
                // Bounded: each sweep voids at most `expirySweepMax` holds.
                for _ in 0..<1000 {
                    let count = try await ledger.sweepExpired()
                    total += count
                    if count == 0 { break }
                }
                return "voided \(total) expired holds"
            },
            EODStep(name: "ledger.verify-invariants", order: 900) { _ in
                let report = try await ledger.checkInvariants()
                guard report.isHealthy else {
                    throw DomainError(.internalError, "Ledger invariant violated: \(report)", status: 500)
                }
                let totals = report.totals.map { "\($0.asset) \($0.debitsPosted)" }.joined(separator: ", ")
                return "debits equal credits for every asset (\(totals.isEmpty ? "no accounts" : totals))"
            },
        ]
    }

    /// Stops the ledger writer and closes the database.
    public func shutdown() async {
        await ledger.shutdown()
        await database.close()
    }
}

extension RongPlatform {
    /// Seeds the demo data (idempotent); returns what was new.
    public func seedDemo() async throws -> (accounts: Int, transfers: Int) {
        try await DemoSeed.seed(ledger)
    }
}
