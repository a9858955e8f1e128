import ArgumentParser
import Accounts
import BankKit
import EndOfDay
import Foundation
import Ledger
import Logging
import RongServer
import Storage
import Synchronization
import Wealth

/// `rong bench eod`: opens N demand accounts with balances, then runs the whole end-of-day for an
/// ordinary day (the demand accrual over every account) and for a quarter-end settlement date
/// (accrual, then interest credited to every account), on a fresh database.
struct EODBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eod", abstract: "Benchmark end-of-day: demand accrual and quarterly settlement over N accounts.")

    @Option(help: "Demand accounts") var accounts = 1_000_000
    @Option(help: "The ordinary day to accrue (the next day must be a settlement date for the second run)") var date = "2026-12-19"
    @Option(name: .customLong("database"), help: "postgres://… to bench PostgreSQL (default: $DATABASE_URL, else a fresh SQLite file in data/bench/)")
    var url: String?

    func validate() throws {
        guard accounts >= 1, accounts <= 20_000_000 else { throw ValidationError("--accounts must be 1…20,000,000") }
        guard let day = try? BusinessDate(iso: date) else { throw ValidationError("--date is YYYY-MM-DD") }
        guard InterestMath.isDemandSettlementDate(day.adding(days: 1)) else { throw ValidationError("--date must be the day before the 20th of Mar/Jun/Sep/Dec") }
    }

    func run() async throws {
        var logger = Logger(label: "rong.bench")
        logger.logLevel = .warning
        let day = try BusinessDate(iso: date)
        let scratch = try await ScratchDatabase.create(serverURL: url ?? ProcessInfo.processInfo.environment["DATABASE_URL"], sqliteParent: "data/bench",
                                                       prefix: "rong_eodbench", logger: logger)
        let clock = ManualClock(day.instant(hour: 9, minute: 0))
        let platform = try await RongPlatform.start(database: scratch.database, clock: clock.clock, ids: .live,
                                                    security: .init(bcryptCost: 4), logger: logger)
        print("rong bench eod: \(accounts) demand accounts, accrual on \(day), settlement on \(day.adding(days: 1)); "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(scratch.database.dialect.rawValue)")

        // Setup (not timed as the target): accounts, and a deposit into each from the clearing account.
        let setup = ContinuousClock.now
        let ledger = platform.ledger
        let batch = LedgerLimits.eventsPerSubmissionMax
        var opened = 0
        while opened < accounts {
            let count = min(batch, accounts - opened)
            let ids = (opened..<(opened + count)).map { RongID.derived("bench.eod.account", $0) }
            _ = try await ledger.createAccounts(ids.map { NewAccount(id: $0, asset: .cny, chartCode: ChartOfAccounts.customerDemandDeposits, ownerRef: "bench",
                                                                     flags: [.debitsMustNotExceedCredits]) })
            // Balances from ¥1.00 to ¥99,999.99, spread by index.
            let results = try await ledger.submit(ids.enumerated().map { offset, id in
                .posted(id: RongID.derived("bench.eod.fund", opened + offset), from: AccountsService.clearingAccountID, to: id,
                        amount: Int64(((opened + offset) &* 7_919) % 9_999_999 + 100), code: 1101)
            })
            precondition(results.allSatisfy(\.isSuccess), "funding failed")
            opened += count
            if opened % 200_000 < batch { print("  opened and funded \(opened) accounts …") }
        }
        print(String(format: "setup: %d accounts opened and funded in %.1f s", accounts, seconds(since: setup)))

        for (runDate, label) in [(day, "ordinary day (accrual)"), (day.adding(days: 1), "settlement date (accrual + quarterly interest)")] {
            clock.set(runDate.adding(days: 1).instant(hour: 0, minute: 5))
            let started = ContinuousClock.now
            // The runner times steps with the platform's (manual) clock; wall time is measured here.
            let stepStart = Mutex(ContinuousClock.now)
            let report = try await platform.endOfDay.run(date: runDate) { event in
                switch event {
                case .started: stepStart.withLock { $0 = ContinuousClock.now }
                case .finished(_, _, let name, let summary, _):
                    let ms = (ContinuousClock.now - stepStart.withLock { $0 }).components
                    print(String(format: "  %@: %.0f ms — %@", name, Double(ms.seconds) * 1000 + Double(ms.attoseconds) / 1e15, summary))
                case .skipped: break
                }
            }
            print(String(format: "end-of-day %@, %@: %.1f s for %d steps", runDate.iso, label, seconds(since: started), report.steps.count))
        }
        let health = try await ledger.checkInvariants()
        print("ledger: \(health.isHealthy ? "debits equal credits for every asset" : health.description)")
        await platform.shutdown()
        await scratch.drop()
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
