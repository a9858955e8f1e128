import BankKit
import Storage
import Synchronization
import Testing

private struct StorageTestRollback: Error {}

/// Storage: migrations, transactions and SQL values, the same on SQLite and PostgreSQL.
@Suite("Storage")
struct StorageTests {
    private static func itemsV1(_ sql: String? = nil) -> Migration {
        Migration(module: "storagetest", version: 1, name: "items") { d in
            [sql ?? "CREATE TABLE st_items (id \(d.bigint) PRIMARY KEY, v \(d.bigint) NOT NULL, label TEXT)"]
        }
    }

    private static let itemsV2 = Migration(module: "storagetest", version: 2, name: "index") { _ in
        ["CREATE INDEX st_items_v ON st_items (v)"]
    }

    @Test("A migration applies once; later versions apply alone")
    func migrateOnce() async throws {
        let db = try await TestDatabase.make(migrations: [])
        let clock = ManualClock(shanghai: "2026-11-23T10:00:00").clock
        #expect(try await Migrator([Self.itemsV1()]).migrate(db.database, clock: clock) == ["storagetest v1 items"])
        #expect(try await Migrator([Self.itemsV1()]).migrate(db.database, clock: clock) == [])
        #expect(try await Migrator([Self.itemsV1(), Self.itemsV2]).migrate(db.database, clock: clock) == ["storagetest v2 index"])
        #expect(try await Migrator([Self.itemsV1(), Self.itemsV2]).migrate(db.database, clock: clock) == [])
        let rows = try await db.database.query("SELECT module, version, name, applied_at FROM rong_migrations WHERE module = ? ORDER BY version",
                                               [.text("storagetest")])
        #expect(rows.map { $0.int("version") } == [1, 2])
        #expect(rows.map { $0.text("name") } == ["items", "index"])
        #expect(rows.allSatisfy { $0.time("applied_at") == clock.now() })
        // The table exists and works.
        #expect(try await db.database.execute("INSERT INTO st_items (id, v) VALUES (?, ?)", [.int(1), .int(10)]) == 1)
        await db.cleanup()
    }

    @Test("A migration changed after it was applied is refused")
    func changedMigration() async throws {
        let db = try await TestDatabase.make(migrations: [])
        try await Migrator([Self.itemsV1()]).migrate(db.database)
        let changed = Self.itemsV1("CREATE TABLE st_items_other (id \(SQLDialect.sqlite.bigint) PRIMARY KEY)")
        let error = await #expect(throws: StorageError.self) { try await Migrator([changed]).migrate(db.database) }
        #expect(error?.message.contains("changed after it was applied") == true)
        // Nothing of the changed migration ran.
        await #expect(throws: (any Error).self) { try await db.database.query("SELECT * FROM st_items_other") }
        await db.cleanup()
    }

    @Test("A failing migration leaves nothing behind and can be fixed")
    func failingMigration() async throws {
        let db = try await TestDatabase.make(migrations: [])
        let broken = Migration(module: "storagetest", version: 1, name: "broken") { d in
            ["CREATE TABLE st_half (id \(d.bigint) PRIMARY KEY)", "THIS IS NOT SQL"]
        }
        await #expect(throws: (any Error).self) { try await Migrator([broken]).migrate(db.database) }
        #expect(try await db.database.query("SELECT module FROM rong_migrations").isEmpty)
        await #expect(throws: (any Error).self) { try await db.database.query("SELECT * FROM st_half") }
        #expect(try await Migrator([Self.itemsV1()]).migrate(db.database) == ["storagetest v1 items"])
        await db.cleanup()
    }

    @Test("Concurrent transactions (grouped into shared commits on SQLite) each commit or roll back alone, visible when they return")
    func concurrentTransactionsCommitAlone() async throws {
        let db = try await TestDatabase.make(migrations: [Self.itemsV1()])
        let database = db.database
        // 200 transactions at once: every third one fails after writing (its savepoint rolls back);
        // every other one inserts two rows and, once it returns, a reader connection sees them.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<200 {
                group.addTask {
                    do {
                        _ = try await database.transaction { tx -> Int in
                            try await tx.execute("INSERT INTO st_items (id, v) VALUES (?, ?), (?, ?)", [.int(Int64(2 * n)), .int(1), .int(Int64(2 * n + 1)), .int(1)])
                            if n % 3 == 0 { throw StorageTestRollback() }
                            return n
                        }
                        let seen = try await database.query("SELECT COUNT(*) AS n FROM st_items WHERE id IN (?, ?)", [.int(Int64(2 * n)), .int(Int64(2 * n + 1))])
                        #expect(seen.first?.int("n") == 2, "transaction \(n) is visible once it returned")
                    } catch is StorageTestRollback {
                        #expect(n % 3 == 0)
                    }
                }
                // Autocommit statements join the groups too.
                if n % 50 == 0 {
                    group.addTask { try await database.execute("INSERT INTO st_items (id, v) VALUES (?, ?)", [.int(Int64(10_000 + n)), .int(2)]) }
                }
            }
            try await group.waitForAll()
        }
        let committed = try await database.query("SELECT COUNT(*) AS n FROM st_items WHERE v = 1").first?.int("n")
        #expect(committed == Int64(2 * (200 - 67)), "133 transactions of two rows; the 67 failed ones left nothing")
        #expect(try await database.query("SELECT COUNT(*) AS n FROM st_items WHERE v = 2").first?.int("n") == 4)
        await db.cleanup()
    }

    @Test("Batched transactions: one that fails leaves nothing of its own and the rest of its batch stands")
    func batchedMembersFailAlone() async throws {
        let db = try await TestDatabase.make(migrations: [Self.itemsV1()])
        let database = db.database
        // Members refused before writing: their batches need nothing undone and run once.
        func run(_ count: Int, offset: Int64, failing: @escaping @Sendable (Int) -> (beforeWriting: Bool, afterWriting: Bool)) async throws -> Int {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for n in 0..<count {
                    group.addTask {
                        do {
                            return try await database.batchedTransaction { tx -> Int in
                                if failing(n).beforeWriting { throw StorageTestRollback() }
                                try await tx.execute("INSERT INTO st_items (id, v) VALUES (?, ?), (?, ?)",
                                                     [.int(offset + Int64(2 * n)), .int(offset), .int(offset + Int64(2 * n + 1)), .int(offset)])
                                try await tx.execute("UPDATE st_items SET label = 'x' WHERE id = ?", [.int(offset + Int64(2 * n))])
                                if failing(n).afterWriting { throw StorageTestRollback() }
                                return 1
                            }
                        } catch is StorageTestRollback {
                            #expect(failing(n).beforeWriting || failing(n).afterWriting)
                            return 0
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        let before = database.batchesRunAgain
        #expect(try await run(150, offset: 0) { (beforeWriting: $0 % 3 == 0, afterWriting: false) } == 100)
        #expect(database.batchesRunAgain == before, "a refusal before writing undoes nothing")
        #expect(try await database.query("SELECT COUNT(*) AS n FROM st_items WHERE v = 0").first?.int("n") == 200)

        // Members failing after writing (every fourth) and before (every fifth) among successes.
        let succeeded = try await run(200, offset: 1_000) { (beforeWriting: $0 % 5 == 0, afterWriting: $0 % 4 == 0 && $0 % 5 != 0) }
        #expect(succeeded == 200 - 40 - 40)
        let rows = try await database.query("SELECT id, label FROM st_items WHERE v = 1000 ORDER BY id")
        var expected: [Int64] = []
        for n in 0..<200 where n % 5 != 0 && n % 4 != 0 { expected += [1_000 + Int64(2 * n), 1_000 + Int64(2 * n + 1)] }
        #expect(rows.map { $0.int("id") } == expected, "exactly the successful members' rows")
        #expect(rows.filter { $0.optionalText("label") == "x" }.count == 120)
        if database.dialect == .sqlite { #expect(database.batchesRunAgain > before, "a failure after writing redid its batch with savepoints") }
        await db.cleanup()
    }

    @Test("A transaction that throws is rolled back")
    func transactionRollback() async throws {
        let db = try await TestDatabase.make(migrations: [Self.itemsV1()])
        await #expect(throws: StorageTestRollback.self) {
            try await db.database.transaction { tx -> Int in
                try await tx.execute("INSERT INTO st_items (id, v) VALUES (?, ?)", [.int(1), .int(1)])
                try await tx.execute("INSERT INTO st_items (id, v) VALUES (?, ?)", [.int(2), .int(2)])
                #expect(try await tx.query("SELECT id FROM st_items").count == 2)
                throw StorageTestRollback()
            }
        }
        #expect(try await db.database.query("SELECT id FROM st_items").isEmpty)
        // A database error inside the transaction rolls back too.
        await #expect(throws: StorageError.self) {
            try await db.database.transaction { tx -> Int in
                try await tx.execute("INSERT INTO st_items (id, v) VALUES (?, ?)", [.int(3), .int(3)])
                return try await tx.execute("INSERT INTO st_items (id, v) VALUES (?, ?)", [.int(3), .int(4)])
            }
        }
        #expect(try await db.database.query("SELECT id FROM st_items").isEmpty)
        // And a transaction that returns commits.
        let count = try await db.database.transaction { tx in
            try await tx.execute("INSERT INTO st_items (id, v) VALUES (?, ?), (?, ?)", [.int(5), .int(5), .int(6), .int(6)])
        }
        #expect(count == 2)
        #expect(try await db.database.query("SELECT id FROM st_items ORDER BY id").map { $0.int("id") } == [5, 6])
        await db.cleanup()
    }

    @Test("execute returns the rows changed")
    func rowsChanged() async throws {
        let db = try await TestDatabase.make(migrations: [Self.itemsV1()])
        let database = db.database
        #expect(try await database.execute("INSERT INTO st_items (id, v) VALUES (?, ?), (?, ?), (?, ?)",
                                           [.int(1), .int(1), .int(2), .int(2), .int(3), .int(3)]) == 3)
        #expect(try await database.execute("UPDATE st_items SET v = v + 10 WHERE v < ?", [.int(3)]) == 2)
        #expect(try await database.execute("update st_items set label = 'x' where id = ?", [.int(3)]) == 1)
        #expect(try await database.execute("\n  UPDATE st_items SET v = 0 WHERE id = ?", [.int(99)]) == 0)
        #expect(try await database.execute("DELETE FROM st_items WHERE v > ?", [.int(10)]) == 2)
        #expect(try await database.execute("UPDATE st_items SET v = 7 WHERE id = ? RETURNING id", [.int(3)]) == 1)
        let inTx = try await database.transaction { tx in
            try await tx.execute("UPDATE st_items SET v = v + 1", [])
        }
        #expect(inTx == 1)
        #expect(try await database.query("SELECT v, label FROM st_items").map { "\($0.int("v")) \($0.text("label"))" } == ["8 x"])
        await db.cleanup()
    }

    @Test("Unique violations are classified")
    func uniqueViolation() async throws {
        let db = try await TestDatabase.make(migrations: [Self.itemsV1()])
        try await db.database.execute("INSERT INTO st_items (id, v) VALUES (?, ?)", [.int(1), .int(1)])
        let error = await #expect(throws: StorageError.self) {
            try await db.database.execute("INSERT INTO st_items (id, v) VALUES (?, ?)", [.int(1), .int(2)])
        }
        #expect(error?.kind == .uniqueViolation)
        await db.cleanup()
    }

    @Test("SQL values round-trip on both databases")
    func valuesRoundTrip() async throws {
        let table = Migration(module: "storagetest", version: 1, name: "values") { d in
            ["CREATE TABLE st_values (k \(d.bigint) PRIMARY KEY, i \(d.bigint), t TEXT, b \(d.blob))"]
        }
        let db = try await TestDatabase.make(migrations: [table])
        let id = try RongID("0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f")
        let date = try BusinessDate(iso: "2026-11-23")
        let time = try Timestamp(rfc3339: "2026-11-23T09:00:00.123456789+08:00")
        let rows: [(Int64, SQLValue, SQLValue, SQLValue)] = [
            (1, .int(Int64.max), .text("融e行 'quoted' ?"), .id(id)),
            (2, .int(Int64.min), .date(date), .blob([])),
            (3, .time(time), .text(nil), .id(nil)),
            (4, .null, .text(""), .blob([0, 255, 0])),
        ]
        for row in rows {
            try await db.database.execute("INSERT INTO st_values (k, i, t, b) VALUES (?, ?, ?, ?)", [.int(row.0), row.1, row.2, row.3])
        }
        let read = try await db.database.query("SELECT k, i, t, b FROM st_values ORDER BY k")
        #expect(read.count == 4)
        #expect(read[0].int("i") == Int64.max)
        #expect(read[0].text("t") == "融e行 'quoted' ?")
        #expect(read[0].id("b") == id)
        #expect(read[1].int("i") == Int64.min)
        #expect(read[1].date("t") == date)
        #expect(read[1]["b"] == .blob([]) || read[1]["b"] == .null)
        #expect(read[2].time("i") == time)
        #expect(read[2].optionalText("t") == nil)
        #expect(read[2].optionalID("b") == nil)
        #expect(read[3].optionalInt("i") == nil)
        #expect(read[3].text("t") == "")
        #expect(read[3]["b"] == .blob([0, 255, 0]))
        // Placeholders inside quoted text are not parameters.
        let quoted = try await db.database.query("SELECT k FROM st_values WHERE t <> '?' AND k = ?", [.int(1)])
        #expect(quoted.map { $0.int("k") } == [1])
        // Blob comparison is byte order, which is id order.
        let later = try RongID("0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e60")
        let ordered = try await db.database.query("SELECT k FROM st_values WHERE b > ? AND k = 1", [.id(later)])
        #expect(ordered.isEmpty)
        #expect(try await db.database.query("SELECT k FROM st_values WHERE b < ? AND k = 1", [.id(later)]).count == 1)
        #expect(await db.database.isReachable())
        await db.cleanup()
    }

    @Test("A pool hands each resource to one task at a time; 200 tasks over 2 resources all finish")
    func poolIsExclusive() async throws {
        let pool = AsyncPool([0, 1])
        final class Watch: Sendable {
            let inUse = Mutex<[Int: Int]>([:])
            let overlaps = Mutex(0)
        }
        let watch = Watch()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    _ = try? await pool.with { resource in
                        let holders = watch.inUse.withLock { $0[resource, default: 0] += 1; return $0[resource]! }
                        if holders > 1 { watch.overlaps.withLock { $0 += 1 } }
                        await Task.yield()
                        watch.inUse.withLock { $0[resource]! -= 1 }
                    }
                }
            }
        }
        #expect(watch.overlaps.withLock { $0 } == 0)
        #expect(!pool.hasWaiters)
        // Both resources are back: two acquires return at once.
        let first = await pool.acquire()
        let second = await pool.acquire()
        #expect(Set([first, second]) == [0, 1])
    }
}
