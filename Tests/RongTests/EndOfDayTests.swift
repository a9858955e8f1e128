import BankKit
import EndOfDay
import Storage
import Synchronization
import Testing

/// Counts step runs and makes chosen steps fail a given number of times.
private final class EODStepRecorder: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    private let failuresLeft = Mutex<[String: Int]>([:])
    private let dates = Mutex<[BusinessDate]>([])

    func failNext(_ name: String, times: Int = 1) { failuresLeft.withLock { $0[name] = times } }

    func count(_ name: String) -> Int { counts.withLock { $0[name] ?? 0 } }

    var seenDates: [BusinessDate] { dates.withLock { $0 } }

    func step(_ name: String, order: Int) -> EODStep {
        EODStep(name: name, order: order) { [self] context in
            counts.withLock { $0[name, default: 0] += 1 }
            dates.withLock { $0.append(context.date) }
            let shouldFail = failuresLeft.withLock { left -> Bool in
                guard let n = left[name], n > 0 else { return false }
                left[name] = n - 1
                return true
            }
            if shouldFail { throw EODTestCrash(step: name) }
            return "\(name) done for \(context.date)"
        }
    }
}

private struct EODTestCrash: Error, Equatable {
    let step: String
}

@Suite("End of day")
struct EndOfDayTests {
    private static let date = try! BusinessDate(iso: "2026-11-23")

    private func runner(_ db: TestDatabase, _ recorder: EODStepRecorder) -> EndOfDayRunner {
        let clock = ManualClock(shanghai: "2026-11-24T00:05:00")
        // Registered out of order: the runner sorts by (order, name).
        return EndOfDayRunner(database: db.database,
                              steps: [recorder.step("age-loans", order: 30), recorder.step("accrue-interest", order: 10),
                                      recorder.step("settle-merchants", order: 20)],
                              calendar: .china, clock: clock.clock)
    }

    @Test("A run executes every step once; a second run skips them all")
    func runTwice() async throws {
        let db = try await TestDatabase.make()
        let recorder = EODStepRecorder()
        let runner = runner(db, recorder)
        let progress = Mutex<[String]>([])
        let first = try await runner.run(date: Self.date) { event in
            let text: String
            switch event {
            case .started(let index, let count, let name): text = "start \(index)/\(count) \(name)"
            case .finished(let index, _, let name, _, _): text = "done \(index) \(name)"
            case .skipped(let index, _, let name): text = "skip \(index) \(name)"
            }
            progress.withLock { $0.append(text) }
        }
        #expect(first.date == Self.date)
        #expect(first.steps.map(\.name) == ["accrue-interest", "settle-merchants", "age-loans"])
        #expect(first.steps.allSatisfy { $0.outcome == .ran })
        #expect(first.steps[0].summary == "accrue-interest done for 2026-11-23")
        #expect(progress.withLock { $0 } == ["start 1/3 accrue-interest", "done 1 accrue-interest", "start 2/3 settle-merchants",
                                             "done 2 settle-merchants", "start 3/3 age-loans", "done 3 age-loans"])
        #expect(recorder.seenDates == [Self.date, Self.date, Self.date])

        let second = try await runner.run(date: Self.date)
        #expect(second.steps.map(\.outcome) == [.skippedAlreadyDone, .skippedAlreadyDone, .skippedAlreadyDone])
        #expect(second.steps[1].summary == "settle-merchants done for 2026-11-23")
        #expect(EODRunReport.Outcome.skippedAlreadyDone.rawValue == "already_done")
        for name in ["accrue-interest", "settle-merchants", "age-loans"] { #expect(recorder.count(name) == 1) }

        let journal = try await runner.journal(date: Self.date)
        #expect(journal.count == 3)
        #expect(journal.allSatisfy { $0.status == "done" && $0.attempts == 1 })

        // A day not yet ended is refused, nothing recorded.
        await #expect(throws: DomainError.self) { _ = try await runner.run(date: Self.date.adding(days: 1)) }
        #expect(try await runner.journal(date: Self.date.adding(days: 1)).isEmpty)
        // Another (ended) date is a separate run.
        let next = try await runner.run(date: Self.date.adding(days: -1))
        #expect(next.steps.allSatisfy { $0.outcome == .ran })
        for name in ["accrue-interest", "settle-merchants", "age-loans"] { #expect(recorder.count(name) == 2) }
        await db.cleanup()
    }

    @Test("A run that crashes resumes at the step that failed")
    func crashResume() async throws {
        let db = try await TestDatabase.make()
        let recorder = EODStepRecorder()
        let runner = runner(db, recorder)
        recorder.failNext("settle-merchants")
        await #expect(throws: EODTestCrash(step: "settle-merchants")) { try await runner.run(date: Self.date) }
        #expect(recorder.count("accrue-interest") == 1)
        #expect(recorder.count("settle-merchants") == 1)
        #expect(recorder.count("age-loans") == 0)
        var journal = try await runner.journal(date: Self.date)
        #expect(journal.first { $0.step == "accrue-interest" }?.status == "done")
        #expect(journal.first { $0.step == "settle-merchants" }?.status == "started")
        #expect(journal.first { $0.step == "age-loans" } == nil)

        let resumed = try await runner.run(date: Self.date)
        #expect(resumed.steps.map(\.outcome) == [.skippedAlreadyDone, .ran, .ran])
        #expect(recorder.count("accrue-interest") == 1)
        #expect(recorder.count("settle-merchants") == 2)
        #expect(recorder.count("age-loans") == 1)
        journal = try await runner.journal(date: Self.date)
        #expect(journal.first { $0.step == "settle-merchants" }?.attempts == 2)
        #expect(journal.first { $0.step == "settle-merchants" }?.status == "done")
        #expect(journal.first { $0.step == "accrue-interest" }?.attempts == 1)
        #expect(journal.first { $0.step == "age-loans" }?.attempts == 1)

        let again = try await runner.run(date: Self.date)
        #expect(again.steps.allSatisfy { $0.outcome == .skippedAlreadyDone })
        #expect(recorder.count("settle-merchants") == 2)
        await db.cleanup()
    }

    @Test("Only one run at a time: a run that finds the lock taken is refused")
    func exclusiveRun() async throws {
        let db = try await TestDatabase.make()
        let recorder = EODStepRecorder()
        let runner = runner(db, recorder)
        // Hold the runner's lock (key 7_000_002) while trying to run.
        let refused: DomainError? = try await db.database.withExclusiveLock(key: 7_000_002) {
            do {
                _ = try await runner.run(date: Self.date)
                return nil
            } catch let error as DomainError {
                return error
            }
        } ?? nil
        #expect(refused?.code == .conflict)
        #expect(recorder.count("accrue-interest") == 0)
        #expect(try await runner.run(date: Self.date).steps.count == 3)
        await db.cleanup()
    }

    @Test("The next scheduled run is 00:05 Shanghai for the day that just ended", arguments: [
        ("2026-11-23T00:04:00+08:00", "2026-11-23T00:05:00+08:00", "2026-11-22"),
        ("2026-11-23T00:05:00+08:00", "2026-11-24T00:05:00+08:00", "2026-11-23"),
        ("2026-11-23T00:06:00+08:00", "2026-11-24T00:05:00+08:00", "2026-11-23"),
        ("2026-11-23T15:59:00Z", "2026-11-24T00:05:00+08:00", "2026-11-23"),
        ("2026-11-23T16:01:00Z", "2026-11-24T00:05:00+08:00", "2026-11-23"),
        ("2026-12-31T23:59:59+08:00", "2027-01-01T00:05:00+08:00", "2026-12-31"),
    ])
    func nextScheduledRun(_ now: String, _ at: String, _ businessDate: String) throws {
        let next = EndOfDayRunner.nextScheduledRun(after: try Timestamp(rfc3339: now))
        #expect(next.at == (try Timestamp(rfc3339: at)))
        #expect(next.businessDate.iso == businessDate)
    }
}
