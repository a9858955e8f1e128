import BankKit
import Foundation
import Ledger
import Logging
import RongServer
import Storage
import Testing

/// A `rong ledger load` child process is killed with SIGKILL under load; after a restart every
/// transfer it acknowledged is present, nothing is half-written and the invariants hold.
@Suite struct CrashSafetyTests {
    @Test(.enabled(if: !TestDatabase.isPostgres, "SQLite file durability; PostgreSQL durability is the server's"))
    func killedWriterLosesNothingAcknowledged() async throws {
        let binary = FileManager.default.currentDirectoryPath + "/.build/debug/rong"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the rong executable first (swift build)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rong-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let databaseURL = "sqlite:" + directory.appendingPathComponent("crash.sqlite").path
        let ackFile = directory.appendingPathComponent("acks.txt").path

        for round in 1...2 {
            let process = try ChildProcess.spawn(binary, ["ledger", "load", "--database", databaseURL, "--ack-file", ackFile + ".\(round)",
                                                          "--concurrency", "8", "--per-request", "50"])
            // Wait for "ready", then let it write for a while.
            var ready = false
            for _ in 0..<200 {
                if String(decoding: process.output.availableData, as: UTF8.self).contains("ready") { ready = true; break }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            #expect(ready)
            try await Task.sleep(nanoseconds: 1_500_000_000)
            process.kill(SIGKILL)
            #expect(process.wait().signal == SIGKILL)
        }

        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let database = try await Database.open(databaseURL, logger: logger)
        let ledger = try Ledger(database: database, clock: .live, ids: .live)
        var acknowledged = 0
        for round in 1...2 {
            let text = (try? String(contentsOfFile: ackFile + ".\(round)", encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.count == 36 {
                acknowledged += 1
                let transfer = try await ledger.transfer(try RongID(String(line)))
                #expect(transfer != nil, "acknowledged transfer \(line) is missing after the crash")
            }
        }
        #expect(acknowledged > 1000, "the load ran long enough to mean something (\(acknowledged) acknowledged)")
        let report = try await ledger.checkInvariants()
        #expect(report.isHealthy, "\(report)")
        await ledger.shutdown()
        await database.close()
    }
}
