import BankKit
import Dispatch
import Foundation
import Ledger
import Synchronization
import Testing
@testable import Storage

/// `WALSyncer`: SQLite commits made durable after the write gate is given back, many per sync,
/// and nobody told of a commit before a sync that covers it has finished.
@Suite("WAL syncer")
struct WALSyncerTests {
    /// A disk whose syncs the test lets finish one at a time.
    final class HeldDisk: Sendable {
        let started = DispatchSemaphore(value: 0)
        let finish = DispatchSemaphore(value: 0)
        let syncs = Mutex(0)
        func sync(_: WALSyncer) {
            started.signal()
            finish.wait()
            syncs.withLock { $0 += 1 }
        }
    }

    @Test("A commit is reported only after a sync that started after it; one sync covers every commit written before it")
    func reportsAfterCoveringSync() async throws {
        let disk = HeldDisk()
        let syncer = WALSyncer(walPath: "/nonexistent-wal") { disk.sync($0) }
        let reported = Mutex<[UInt64]>([])

        let first = syncer.committed()
        syncer.whenDurable(first) { reported.withLock { $0.append(first) } }
        disk.started.wait()  // the first sync is running
        // Written while the first sync runs: it must wait for a second one.
        let second = syncer.committed()
        let third = syncer.committed()
        syncer.whenDurable(second) { reported.withLock { $0.append(second) } }
        syncer.whenDurable(third) { reported.withLock { $0.append(third) } }
        #expect(reported.withLock { $0 }.isEmpty, "nothing is reported before its sync finished")

        disk.finish.signal()
        disk.started.wait()  // the second sync started: the first one has reported
        #expect(reported.withLock { $0 } == [first])
        #expect(syncer.lastDurable == first)

        disk.finish.signal()
        try await waitUntil { reported.withLock { $0.count } == 3 }
        #expect(reported.withLock { $0 } == [first, second, third])
        #expect(disk.syncs.withLock { $0 } == 2, "the second sync covered both commits written during the first")
        #expect(syncer.syncCount == 2 && syncer.lastDurable == third)

        // Already durable: reported at once, no new sync.
        let now = Mutex(false)
        syncer.whenDurable(second) { now.withLock { $0 = true } }
        #expect(now.withLock { $0 })
        #expect(syncer.syncCount == 2)
    }

    @Test("Many concurrent commits share syncs and each waiter resumes once")
    func concurrentCommitsShareSyncs() async throws {
        let syncer = WALSyncer(walPath: "/nonexistent-wal") { _ in usleep(500) }
        let resumed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<500 {
                group.addTask {
                    let ticket = syncer.committed()
                    await syncer.durable(ticket)
                    return syncer.lastDurable >= ticket
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(resumed == 500, "every waiter resumed once, after its ticket was durable")
        #expect(syncer.syncCount < 500, "commits waiting together share a sync (\(syncer.syncCount) syncs)")
        #expect(syncer.lastDurable == syncer.lastCommitted)
    }

    @Test("A module transaction, a batched one and a ledger transfer each return only after a sync covering their commit", .enabled(if: !TestDatabase.isPostgres, "SQLite's own commit path"))
    func transactionsReturnOnlyWhenSynced() async throws {
        let t = try await TestLedger.make()
        let database = t.db.database
        let syncer = try #require(database.walSyncer)
        try await database.execute("CREATE TABLE ws_items (id INTEGER PRIMARY KEY)", [])

        // A module transaction, a batched one and a ledger transfer each return after a sync
        // that covers their commit.
        var syncs = syncer.syncCount
        _ = try await database.transaction { try await $0.execute("INSERT INTO ws_items (id) VALUES (1)", []) }
        #expect(syncer.syncCount > syncs && syncer.lastDurable == syncer.lastCommitted)
        syncs = syncer.syncCount
        _ = try await database.batchedTransaction { try await $0.execute("INSERT INTO ws_items (id) VALUES (2)", []) }
        #expect(syncer.syncCount > syncs && syncer.lastDurable == syncer.lastCommitted)

        let bank = try await t.account(chart: "1002", owner: "bank"), customer = try await t.account(.debitsMustNotExceedCredits)
        syncs = syncer.syncCount
        let committedBefore = syncer.lastCommitted
        #expect(try await t.ledger.submit(.posted(id: t.ids.next(), from: bank, to: customer, amount: 100, asset: .cny)).status == .ok)
        // The transfer's commit is the first after `committedBefore`; the ledger writer's idle
        // catch-up of statement entries may commit right after it, before this line runs.
        #expect(syncer.syncCount > syncs && syncer.lastDurable >= committedBefore + 1)

        // Under concurrency many commits share a sync, and every one is durable when it returns.
        // (Counted from a quiet syncer: a sync still running for an earlier commit is not this part's.)
        try await waitUntil { syncer.lastDurable == syncer.lastCommitted }
        let before = (commits: syncer.lastCommitted, syncs: syncer.syncCount)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<300 {
                group.addTask { () async throws -> Void in
                    let insert = "INSERT INTO ws_items (id) VALUES (?)", binds: [SQLValue] = [.int(Int64(100 + n))]
                    if n % 2 == 0 {
                        _ = try await database.transaction { try await $0.execute(insert, binds) }
                    } else {
                        _ = try await database.batchedTransaction { try await $0.execute(insert, binds) }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(syncer.lastDurable == syncer.lastCommitted)
        #expect(syncer.syncCount - before.syncs <= Int(syncer.lastCommitted - before.commits))
        #expect(try await database.query("SELECT COUNT(*) AS n FROM ws_items", []).first?.int("n") == 302)
        try await t.finish()
    }

    @Test("The WAL is copied into the database off the writers' path, and started again so it stays bounded", .enabled(if: !TestDatabase.isPostgres, "SQLite's WAL"))
    func checkpointsInTheBackground() async throws {
        let t = try await TestLedger.make()
        let database = t.db.database
        let checkpointer = try #require(database.walCheckpointer)
        // A copy every 50 pages, a RESTART past 200 (instead of 1,000 and 4,096): the same logic
        // after a few hundred pages.
        checkpointer.setThresholds(pagesPerCheckpoint: 50, restartPages: 200)
        let walPath = try #require(database.walSyncer?.walPath)
        try await database.execute("CREATE TABLE wc_items (id INTEGER PRIMARY KEY, body BLOB NOT NULL)", [])
        let bank = try await t.account(chart: "1002", owner: "bank"), customer = try await t.account(.debitsMustNotExceedCredits)
        func write(_ batches: Range<Int>) async throws {
            for batch in batches {
                try await database.transaction { tx in
                    for n in 0..<30 {
                        try await tx.execute("INSERT INTO wc_items (id, body) VALUES (?, ?)", [.int(Int64(batch * 30 + n)), .blob([UInt8](repeating: UInt8(n), count: 3_000))])
                    }
                }
                if batch % 10 == 0 {
                    #expect(try await t.ledger.submit(.posted(id: t.ids.next(), from: bank, to: customer, amount: 100, asset: .cny)).status == .ok)
                }
            }
        }
        // About 3,500 pages through the WAL from both writers (module transactions of 30 rows of
        // 3 KB, ledger transfers between them).
        var walBytesMax: Int64 = 0
        for part in 0..<10 {
            try await write(part * 10..<part * 10 + 10)
            walBytesMax = max(walBytesMax, (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int64) ?? 0)
        }
        try await waitUntil { checkpointer.counts.walStarts >= 1 }
        #expect(checkpointer.counts.passive >= 3)
        // Bounded: started again from its beginning instead of growing to ~14 MB.
        #expect(walBytesMax < 1_000 * 4_096, "WAL reached \(walBytesMax) bytes")

        // A reader that stays in the WAL keeps it from being copied and started again: the RESTART
        // gives up (holding writers at most 20 ms) instead of waiting; once the reader leaves and
        // the WAL has grown by another 200 pages, it is copied and started again.
        let reader = try SQLiteConnection(path: try #require(database.sqlitePath))
        try reader.exec("BEGIN")
        _ = try reader.query("SELECT COUNT(*) AS n FROM wc_items")
        try await write(100..<120)
        try await waitUntil { checkpointer.counts.restartsBusy >= 1 }
        try reader.exec("COMMIT")
        let starts = checkpointer.counts.walStarts
        try await write(120..<140)
        try await waitUntil { checkpointer.counts.walStarts > starts }
        #expect(try await database.query("SELECT COUNT(*) AS n FROM wc_items", []).first?.int("n") == 4_200)
        try await t.finish()
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(nanoseconds: 2_000_000) }
        #expect(condition())
    }
}
