import ArgumentParser
import BankKit
import Foundation
import Ledger
import Logging
import RongServer
import Storage
import Synchronization

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
        let db = try await Database.open(database.url ?? Database.defaultURL(), logger: logger)
        try await Migrator(RongPlatform.migrations).migrate(db)
        let ids = IDGenerator.live
        let ledger = try Ledger(database: db, clock: .live, ids: ids, logger: logger)
        let bank = RongID.derived("load", "bank")
        let customers = (0..<20).map { RongID.derived("load", "customer", $0) }
        _ = try await ledger.createAccounts([NewAccount(id: bank, asset: .cny, chartCode: ChartOfAccounts.dueFromCentralBank, ownerRef: "load")]
            + customers.map { NewAccount(id: $0, asset: .cny, chartCode: ChartOfAccounts.customerDemandDeposits, ownerRef: "load", flags: [.debitsMustNotExceedCredits]) })
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
        let db = try await Database.open(database.url ?? Database.defaultURL(), logger: logger)
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
