import BankKit
import EndOfDay
import Foundation
import Ledger
import Logging
import Storage

/// A fresh, migrated database for one test: a temp SQLite file, or — when `DATABASE_URL`
/// is set — a new PostgreSQL database created for the test and dropped afterwards.
struct TestDatabase {
    let database: Database
    let cleanup: @Sendable () async -> Void

    static var isPostgres: Bool { (ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").hasPrefix("postgres") }

    static func make(migrations: [Migration] = LedgerSchema.migrations + EndOfDayRunner.migrations) async throws -> TestDatabase {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let scratch = try await ScratchDatabase.create(
            serverURL: ProcessInfo.processInfo.environment["DATABASE_URL"],
            sqliteParent: FileManager.default.temporaryDirectory.path, prefix: "rong_t", logger: logger)
        try await Migrator(migrations).migrate(scratch.database)
        return TestDatabase(database: scratch.database) { await scratch.drop() }
    }
}

/// A ledger on a fresh database with a manual clock and deterministic ids.
struct TestLedger {
    let db: TestDatabase
    let ledger: Ledger
    let clock: ManualClock
    let ids: IDGenerator

    static func make(batchEventsMax: Int = LedgerLimits.eventsPerBatchMax) async throws -> TestLedger {
        let db = try await TestDatabase.make()
        let clock = ManualClock(shanghai: "2026-11-23T10:00:00")
        let ids = IDGenerator.deterministic(clock: clock.clock)
        let ledger = try Ledger(database: db.database, clock: clock.clock, ids: ids, batchEventsMax: batchEventsMax)
        return TestLedger(db: db, ledger: ledger, clock: clock, ids: ids)
    }

    /// Opens an account of `asset` with the given flags and returns its id.
    func account(_ flags: AccountFlags = [], asset: Asset = .cny, chart: String = "2011", owner: String = "test") async throws -> RongID {
        let id = ids.next()
        try await ledger.createAccount(NewAccount(id: id, asset: asset, chartCode: chart, ownerRef: owner, flags: flags))
        return id
    }

    /// Stops this ledger (the SQLite writer catches up its statement runs on the way out), runs
    /// `whileStopped`, and starts a new one on the same database, clock and ids: a restart.
    func restarted(whileStopped: (Database) async throws -> Void = { _ in }) async throws -> TestLedger {
        await ledger.shutdown()
        try await whileStopped(db.database)
        return TestLedger(db: db, ledger: try Ledger(database: db.database, clock: clock.clock, ids: ids), clock: clock, ids: ids)
    }

    /// Ends a scenario: the ledger invariant must hold; then releases everything.
    func finish() async throws {
        let report = try await ledger.checkInvariants()
        await ledger.shutdown()
        await db.cleanup()
        if !report.isHealthy { throw InvariantFailure(report: report) }
    }
}

struct InvariantFailure: Error, CustomStringConvertible {
    let report: InvariantReport
    var description: String { "ledger invariant violated: \(report)" }
}
