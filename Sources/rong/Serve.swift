import ArgumentParser
import BankKit
import Foundation
import Hummingbird
import Logging
import RongServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server (graceful shutdown on SIGINT/SIGTERM).")

    @Option(help: "Address to bind (default: $RONG_HOST or 127.0.0.1)") var host: String?
    @Option(help: "Port (default: $RONG_PORT or 8080)") var port: Int?
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Seed demo customers, merchants and balances (idempotent)") var demo = false
    @Flag(help: "Do not run end-of-day at 00:05 Asia/Shanghai from this node") var noEndOfDay = false

    func run() async throws {
        var config = RongConfig.fromEnvironment()
        if let host { config.host = host }
        if let port { config.port = port }
        if let url = database.url { config.databaseURL = url }
        config.demo = demo
        config.scheduleEndOfDay = !noEndOfDay
        let logger = RongLogging.bootstrap(level: config.logLevel)
        let platform = try await RongPlatform.start(databaseURL: config.databaseURL, calendar: try config.loadCalendar(), logger: logger)
        if demo {
            let seeded = try await platform.seedDemo()
            logger.info("demo data ready", metadata: ["new_accounts": "\(seeded.accounts)", "new_transfers": "\(seeded.transfers)"])
        }
        var apiKey = config.ledgerAPIKey ?? ""
        if apiKey.isEmpty {
            var random = SystemRandomNumberGenerator()
            apiKey = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
            print("Ledger API key for this run (set RONG_LEDGER_API_KEY to fix it): \(apiKey)")
        }
        let app = try await buildApplication(platform: platform, config: config, ledgerAPIKey: apiKey)
        print("融 Rong is listening on http://\(config.host):\(config.port)/  (database: \(platform.database.location))")
        do {
            try await app.runService()
        } catch {
            await platform.shutdown()
            throw error
        }
        await platform.shutdown()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply every module's pending migrations and exit.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = RongLogging.bootstrap(level: .warning)
        let db = try await Database.open(database.url ?? Database.defaultURLString, logger: logger)
        let applied = try await Migrator(RongPlatform.migrations).migrate(db)
        print(applied.isEmpty ? "Schema is up to date (\(db.location))." : "Applied to \(db.location):\n  " + applied.joined(separator: "\n  "))
        await db.close()
    }
}

struct EndOfDayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eod", abstract: "Run end-of-day for a business date (idempotent; resumes after a crash).")
    @Option(help: "Business date YYYY-MM-DD (default: yesterday in Asia/Shanghai)") var date: String?
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = RongLogging.bootstrap(level: .warning)
        let config = RongConfig.fromEnvironment()
        let businessDate: BusinessDate
        do {
            businessDate = try date.map { try BusinessDate(iso: $0) } ?? BankClock.live.businessDate().adding(days: -1)
        } catch let error as DomainError {
            throw ValidationError(error.detail)
        }
        let platform = try await RongPlatform.start(databaseURL: database.url ?? config.databaseURL, calendar: try config.loadCalendar(), logger: logger)
        print("End of day \(businessDate.iso) (\(platform.calendar.isBusinessDay(businessDate) ? "business day" : "holiday/weekend")), \(platform.database.location)")
        do {
            let report = try await platform.endOfDay.run(date: businessDate) { event in
                switch event {
                case .started(let index, let count, let name): print("[\(index)/\(count)] \(name) …")
                case .finished(let index, let count, let name, let summary, let ms): print("[\(index)/\(count)] \(name) done in \(ms) ms: \(summary)")
                case .skipped(let index, let count, let name): print("[\(index)/\(count)] \(name) already done")
                }
            }
            print("End of day \(report.date.iso): \(report.steps.filter { $0.outcome == .ran }.count) ran, \(report.steps.filter { $0.outcome == .skippedAlreadyDone }.count) already done.")
        } catch {
            await platform.shutdown()
            throw error
        }
        await platform.shutdown()
    }
}

import Storage

enum RongLogging {
    /// JSON lines on standard error, once per process.
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        var logger = Logger(label: "rong")
        logger.logLevel = level
        return logger
    }
}
