import ArgumentParser
import BankKit
import Logging
import RongServer

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
