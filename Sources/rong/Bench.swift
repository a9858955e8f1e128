import ArgumentParser
import BankKit
import Foundation
import Ledger
import Logging
import RongServer
import Storage
import Synchronization

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure Rong's throughput.", subcommands: [LedgerBench.self])
}

/// `rong bench ledger`: durable transfers per second through the batched writer, and the
/// same for the naive one-transaction-per-transfer mode.
struct LedgerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Benchmark the ledger's batched write path against the naive path.")

    @Option(help: "Transfers to submit in batched mode") var transfers = 1_000_000
    @Option(help: "Accounts the transfers move between") var accounts = 10_000
    @Option(help: "Concurrent submitters") var concurrency = 32
    @Option(help: "Transfers per submission (request)") var perRequest = 256
    @Flag(help: "10% of transfers touch one hot account") var hot = false
    @Option(help: "Transfers in naive mode (one transaction per transfer, one per request)") var naiveTransfers = 10_000
    @Flag(help: "Skip the naive mode") var skipNaive = false
    @Option(name: .customLong("database"), help: "postgres://… to bench PostgreSQL (default: $DATABASE_URL, else a fresh SQLite file in data/bench/)")
    var url: String?

    func validate() throws {
        guard transfers >= 1, transfers <= 100_000_000 else { throw ValidationError("--transfers must be 1…100,000,000") }
        guard accounts >= 2, accounts <= 10_000_000 else { throw ValidationError("--accounts must be 2…10,000,000") }
        guard concurrency >= 1, concurrency <= 10_000 else { throw ValidationError("--concurrency must be 1…10,000") }
        guard perRequest >= 1, perRequest <= LedgerLimits.eventsPerSubmissionMax else { throw ValidationError("--per-request must be 1…8190") }
        guard naiveTransfers >= 1, naiveTransfers <= 10_000_000 else { throw ValidationError("--naive-transfers must be 1…10,000,000") }
    }

    func run() async throws {
        var logger = Logger(label: "rong.bench")
        logger.logLevel = .warning
        let target = url ?? ProcessInfo.processInfo.environment["DATABASE_URL"]
        print("rong bench ledger: \(transfers) transfers, \(accounts) accounts, concurrency \(concurrency), \(perRequest) per request\(hot ? ", hot account" : ""); \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let batched = try await runMode(name: "batched", count: transfers, perRequest: perRequest, batchMax: LedgerLimits.eventsPerBatchMax, target: target, logger: logger)
        if skipNaive { return }
        let naive = try await runMode(name: "naive", count: naiveTransfers, perRequest: 1, batchMax: 1, target: target, logger: logger)
        print(String(format: "batched / naive: %.1f×", batched / naive))
    }

    /// Runs one mode on a fresh database; returns transfers per second.
    private func runMode(name: String, count: Int, perRequest: Int, batchMax: Int, target: String?, logger: Logger) async throws -> Double {
        let (database, cleanup) = try await freshDatabase(target: target, logger: logger)
        try await Migrator(RongPlatform.migrations).migrate(database)
        let ids = IDGenerator.live
        let ledger = try Ledger(database: database, clock: .live, ids: ids, batchEventsMax: batchMax, logger: logger)
        // Accounts, opened in submissions of 8,190.
        let accountIDs = (0..<accounts).map { _ in ids.next() }
        for chunk in stride(from: 0, to: accountIDs.count, by: LedgerLimits.eventsPerSubmissionMax) {
            let slice = accountIDs[chunk..<min(chunk + LedgerLimits.eventsPerSubmissionMax, accountIDs.count)]
            _ = try await ledger.createAccounts(slice.map { NewAccount(id: $0, asset: .cny, chartCode: "2011", ownerRef: "bench") })
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
        print(String(format: "%@ (%@): %d transfers in %.2f s = %.0f transfers/s; submit latency p50 %.2f ms, p99 %.2f ms; ledger %@",
                     name, database.dialect.rawValue, count, seconds, rate, Double(p50) / 1000, Double(p99) / 1000,
                     report.isHealthy ? "healthy" : "UNHEALTHY: \(report)"))
        await ledger.shutdown()
        await cleanup()
        return rate
    }

    private func freshDatabase(target: String?, logger: Logger) async throws -> (Database, () async -> Void) {
        if let target, target.hasPrefix("postgres") {
            let admin = try await Database.open(target, logger: logger)
            let name = "rong_bench_\(Int(Date().timeIntervalSince1970))_\(Int.random(in: 0..<1_000_000))"
            try await admin.execute("CREATE DATABASE \(name)", [])
            var components = URLComponents(string: target)!
            components.path = "/" + name
            let database = try await Database.open(components.string!, logger: logger)
            return (database, {
                await database.close()
                _ = try? await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", [])
                await admin.close()
            })
        }
        let directory = "data/bench/\(Int(Date().timeIntervalSince1970))-\(Int.random(in: 0..<1_000_000))"
        let database = try await Database.open("sqlite:\(directory)/bench.sqlite", logger: logger)
        return (database, {
            await database.close()
            try? FileManager.default.removeItem(atPath: directory)
        })
    }
}

/// `rong ledger load`: submits transfers until killed, appending each acknowledged transfer id
/// to a file. The crash-safety test kills it with SIGKILL and checks that every acknowledged
/// transfer survived and the ledger is intact.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Ledger tools.", subcommands: [LedgerLoad.self, LedgerVerify.self])
}

struct LedgerLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Submit transfers until killed; log acknowledged ids.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "File that receives one acknowledged transfer id per line") var ackFile: String
    @Option(help: "Concurrent submitters") var concurrency = 8
    @Option(help: "Transfers per submission") var perRequest = 50
    @Option(help: "Stop after this many transfers (0 = until killed)") var limit = 0

    func run() async throws {
        var logger = Logger(label: "rong.load")
        logger.logLevel = .warning
        let db = try await Database.open(database.url ?? Database.defaultURLString, logger: logger)
        try await Migrator(RongPlatform.migrations).migrate(db)
        let ids = IDGenerator.live
        let ledger = try Ledger(database: db, clock: .live, ids: ids, logger: logger)
        let bank = RongID.derived("load", "bank")
        let customers = (0..<20).map { RongID.derived("load", "customer", $0) }
        _ = try await ledger.createAccounts([NewAccount(id: bank, asset: .cny, chartCode: "1003", ownerRef: "load")]
            + customers.map { NewAccount(id: $0, asset: .cny, chartCode: "2011", ownerRef: "load", flags: [.debitsMustNotExceedCredits]) })
        _ = FileManager.default.createFile(atPath: ackFile, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: ackFile) else { throw ValidationError("cannot open \(ackFile)") }
        let output = SharedFile(handle)
        let submitted = SharedCounter()
        let (limit, perRequest, concurrency) = (self.limit, self.perRequest, self.concurrency)
        FileHandle.standardOutput.write(Data("ready\n".utf8))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var random = Xoshiro256(seed: UInt64(worker) + 1)
                    while true {
                        if limit > 0 && submitted.value >= limit { return }
                        var batch: [TransferRequest] = []
                        for _ in 0..<perRequest {
                            let customer = customers[Int(random.next() % UInt64(customers.count))]
                            // Deposits, withdrawals (some refused: debits must not exceed credits) and holds.
                            switch random.next() % 4 {
                            case 0, 1: batch.append(.posted(id: ids.next(), from: bank, to: customer, amount: Int64(1 + random.next() % 10_000)))
                            case 2: batch.append(.posted(id: ids.next(), from: customer, to: bank, amount: Int64(1 + random.next() % 10_000)))
                            default: batch.append(TransferRequest(id: ids.next(), debitAccountID: customer, creditAccountID: bank,
                                                                  amount: Int64(1 + random.next() % 1_000), asset: "CNY", flags: [.pending], timeoutSeconds: 3600))
                            }
                        }
                        let results = try await ledger.submit(batch)
                        let lines = results.filter { $0.status == .ok }.map { $0.id.description + "\n" }.joined()
                        output.write(Data(lines.utf8))
                        _ = submitted.increment(by: batch.count)
                    }
                }
            }
            try await group.waitForAll()
        }
        await ledger.shutdown()
        await db.close()
    }
}

struct LedgerVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check the ledger's invariants; exit 1 when broken.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "A file of transfer ids (one per line) that must all be present") var ackFile: String?

    func run() async throws {
        var logger = Logger(label: "rong.verify")
        logger.logLevel = .warning
        let db = try await Database.open(database.url ?? Database.defaultURLString, logger: logger)
        try await Migrator(RongPlatform.migrations).migrate(db)
        let ledger = try Ledger(database: db, clock: .live, ids: .live, logger: logger)
        let report = try await ledger.checkInvariants()
        var missing = 0
        var checked = 0
        if let ackFile {
            let text = try String(contentsOfFile: ackFile, encoding: .utf8)
            for line in text.split(separator: "\n") where line.count == 36 {
                checked += 1
                if try await ledger.transfer(try RongID(String(line))) == nil { missing += 1 }
            }
        }
        let transfers = try await db.first("SELECT COUNT(*) AS n FROM ledger_transfers")?.int("n") ?? 0
        print("transfers stored: \(transfers); acknowledged checked: \(checked); missing: \(missing); \(report)")
        await ledger.shutdown()
        await db.close()
        if missing > 0 || !report.isHealthy { throw ExitCode(1) }
    }
}

/// A counter shared by concurrent tasks.
final class SharedCounter: Sendable {
    private let state = Mutex(0)
    var value: Int { state.withLock { $0 } }
    /// Adds and returns the new value.
    func increment(by amount: Int = 1) -> Int { state.withLock { $0 += amount; return $0 } }
}

/// A file appended to by concurrent tasks, one write at a time.
final class SharedFile: Sendable {
    private let handle: Mutex<FileHandle>
    init(_ handle: FileHandle) { self.handle = Mutex(handle) }
    func write(_ data: Data) { handle.withLock { $0.write(data) } }
}
