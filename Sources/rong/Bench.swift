import ArgumentParser
import BankKit
import Foundation
import Ledger
import Logging
import RongServer
import Storage
import Synchronization

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure Rong's throughput.", subcommands: [LedgerBench.self, PayBench.self, EODBench.self, ElinkBench.self])
}

/// `rong bench ledger`: durable transfers per second through the batched writer, and the
/// same for the naive one-transaction-per-transfer mode.
struct LedgerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Benchmark the ledger's batched write path against the naive path.")

    @Option(help: "Transfers to submit in batched mode") var transfers = 1_000_000
    @Option(help: "Accounts the transfers move between") var accounts = 10_000
    /// 128 × 256 keeps 32,768 transfers in flight: enough to fill the writer's batches of up to
    /// 32,760 (32 × 256 fills a quarter of one, and each batch rewrites every account it touches).
    @Option(help: "Concurrent submitters") var concurrency = 128
    @Option(help: "Transfers per submission (request)") var perRequest = 256
    @Flag(help: "10% of transfers touch one hot account") var hot = false
    @Option(help: "Transfers in naive mode (one transaction per transfer, one per request)") var naiveTransfers = 10_000
    @Flag(help: "Skip the naive mode") var skipNaive = false
    @Option(help: "Transfers the writer commits in one transaction at most (default and maximum: the ledger's limit)")
    var batchMax = LedgerLimits.eventsPerBatchMax
    @Option(name: .customLong("database"), help: "postgres://… to bench PostgreSQL (default: $DATABASE_URL, else a fresh SQLite file in data/bench/)")
    var url: String?

    func validate() throws {
        guard transfers >= 1, transfers <= 100_000_000 else { throw ValidationError("--transfers must be 1…100,000,000") }
        guard accounts >= 2, accounts <= 10_000_000 else { throw ValidationError("--accounts must be 2…10,000,000") }
        guard concurrency >= 1, concurrency <= 10_000 else { throw ValidationError("--concurrency must be 1…10,000") }
        guard perRequest >= 1, perRequest <= LedgerLimits.eventsPerSubmissionMax else { throw ValidationError("--per-request must be 1…8190") }
        guard batchMax >= 1, batchMax <= LedgerLimits.eventsPerBatchMax else { throw ValidationError("--batch-max must be 1…\(LedgerLimits.eventsPerBatchMax)") }
        guard naiveTransfers >= 1, naiveTransfers <= 10_000_000 else { throw ValidationError("--naive-transfers must be 1…10,000,000") }
    }

    func run() async throws {
        var logger = Logger(label: "rong.bench")
        logger.logLevel = .warning
        let target = url ?? ProcessInfo.processInfo.environment["DATABASE_URL"]
        print("rong bench ledger: \(transfers) transfers, \(accounts) accounts, concurrency \(concurrency), \(perRequest) per request\(hot ? ", hot account" : ""); \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let batched = try await runMode(name: "batched", count: transfers, perRequest: perRequest, batchMax: batchMax, target: target, logger: logger)
        if skipNaive { return }
        let naive = try await runMode(name: "naive", count: naiveTransfers, perRequest: 1, batchMax: 1, target: target, logger: logger)
        print(String(format: "batched / naive: %.1f×", batched / naive))
    }

    /// Runs one mode on a fresh database; returns transfers per second.
    private func runMode(name: String, count: Int, perRequest: Int, batchMax: Int, target: String?, logger: Logger) async throws -> Double {
        let scratch = try await ScratchDatabase.create(serverURL: target, sqliteParent: "data/bench", prefix: "rong_bench", logger: logger)
        let database = scratch.database
        try await Migrator(RongPlatform.migrations).migrate(database)
        let ids = IDGenerator.live
        let batches = BatchTally()
        let metrics = LedgerMetrics.observing { events, nanoseconds in batches.add(events: events, nanoseconds: nanoseconds) }
        let ledger = try Ledger(database: database, clock: .live, ids: ids, metrics: metrics, batchEventsMax: batchMax, logger: logger)
        // Accounts, opened in submissions of 8,190.
        let accountIDs = (0..<accounts).map { _ in ids.next() }
        for chunk in stride(from: 0, to: accountIDs.count, by: LedgerLimits.eventsPerSubmissionMax) {
            let slice = accountIDs[chunk..<min(chunk + LedgerLimits.eventsPerSubmissionMax, accountIDs.count)]
            _ = try await ledger.createAccounts(slice.map { NewAccount(id: $0, asset: .cny, chartCode: ChartOfAccounts.customerDemandDeposits, ownerRef: "bench") })
        }
        // Transfers prepared up front so generation is not measured.
        var random = Xoshiro256(seed: 7)
        var requests: [[TransferRequest]] = []
        requests.reserveCapacity(count / perRequest + 1)
        var current: [TransferRequest] = []
        for _ in 0..<count {
            var debit = Int(random.next() % UInt64(accounts))
            var credit = Int(random.next() % UInt64(accounts - 1))
            if hot && random.next() % 10 == 0 { debit = 0 }
            if credit >= debit { credit += 1 }
            if credit == debit { credit = (debit + 1) % accounts }
            current.append(.posted(id: ids.next(), from: accountIDs[debit], to: accountIDs[credit], amount: Int64(1 + random.next() % 100_000)))
            if current.count == perRequest { requests.append(current); current = [] }
        }
        if !current.isEmpty { requests.append(current) }
        let next = SharedCounter()
        let requestsToSend = requests
        let concurrency = self.concurrency
        let started = ContinuousClock.now
        let latencies: [Int64] = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var mine: [Int64] = []
                    while true {
                        let index = next.increment() - 1
                        guard index < requestsToSend.count else { break }
                        let sent = ContinuousClock.now
                        let results = try await ledger.submit(requestsToSend[index])
                        let elapsed = ContinuousClock.now - sent
                        mine.append(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)
                        if let failed = results.first(where: { $0.status != .ok }) {
                            throw ValidationError("transfer failed: \(failed.status.rawValue)")
                        }
                    }
                    return mine
                }
            }
            var all: [Int64] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let sorted = latencies.sorted()
        let p50 = sorted[sorted.count / 2]
        let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        let rate = Double(count) / seconds
        let report = try await ledger.checkInvariants()
        let (batchCount, batchEvents, commitNanoseconds) = batches.totals
        print(String(format: "%@ (%@): %d transfers in %.2f s = %.0f transfers/s; submit latency p50 %.2f ms, p99 %.2f ms; "
                     + "%d batches, mean %.0f transfers, mean commit %.1f ms; ledger %@",
                     name, database.dialect.rawValue, count, seconds, rate, Double(p50) / 1000, Double(p99) / 1000,
                     batchCount, Double(batchEvents) / Double(max(batchCount, 1)), Double(commitNanoseconds) / 1e6 / Double(max(batchCount, 1)),
                     report.isHealthy ? "healthy" : "UNHEALTHY: \(report)"))
        await ledger.shutdown()
        await scratch.drop()
        return rate
    }
}

/// Batches the ledger committed during a bench run: how many, their transfers, their commit time.
final class BatchTally: Sendable {
    private let state = Mutex((count: 0, events: 0, nanoseconds: Int64(0)))

    func add(events: Int, nanoseconds: Int64) {
        state.withLock { $0.count += 1; $0.events += events; $0.nanoseconds += nanoseconds }
    }

    var totals: (count: Int, events: Int, nanoseconds: Int64) { state.withLock { $0 } }
}
