import BankKit
@testable import Ledger
import Storage
import Testing

/// Statement entries packed in runs (`StatementRun`), and the SQLite writer rebuilding runs
/// from the stored transfers (what migration ledger v4 asks of it).
@Suite("Statement runs")
struct StatementRunTests {
    @Test("A run packs 25 bytes per entry and unpacks to the same entries; a torn blob is refused")
    func packAndUnpack() {
        let entries = [
            StatementRun.Entry(ts: 1, id: RongID(high: 0x0102_0304_0506_0708, low: 0xFFFF_FFFF_FFFF_FFFF), isDebit: true),
            StatementRun.Entry(ts: Int64.max, id: RongID(high: 0, low: 1), isDebit: false),
            StatementRun.Entry(ts: -5, id: .zero, isDebit: true),
        ]
        let packed = StatementRun.pack(entries)
        #expect(packed.count == 3 * StatementRun.entryBytes)
        #expect(Array(packed.prefix(8)) == [0, 0, 0, 0, 0, 0, 0, 1])
        #expect(StatementRun.unpack(packed) == entries)
        #expect(StatementRun.unpack(Array(packed.dropLast())) == nil)
        #expect(StatementRun.unpack([]) == [])
    }

    @Test("Runs group a stretch's entries by account, each in commit order")
    func runsByAccount() {
        let a = RongID(high: 1, low: 1), b = RongID(high: 1, low: 2), c = RongID(high: 1, low: 3)
        let stretch = [TailTransfer(ts: 10, id: a, debitNum: 7, creditNum: 3),
                       TailTransfer(ts: 11, id: b, debitNum: 3, creditNum: 9),
                       TailTransfer(ts: 12, id: c, debitNum: 9, creditNum: 7)]
        var buffer: [(account: Int64, entry: StatementRun.Entry)] = []
        let runs = StatementRun.runs(of: stretch, buffer: &buffer)
        #expect(runs.map(\.accountNum) == [3, 7, 9])
        #expect(runs.map(\.lastTS) == [11, 12, 12])
        #expect(StatementRun.unpack(runs[0].packed) == [.init(ts: 10, id: a, isDebit: false), .init(ts: 11, id: b, isDebit: true)])
        #expect(StatementRun.unpack(runs[1].packed) == [.init(ts: 10, id: a, isDebit: true), .init(ts: 12, id: c, isDebit: false)])
        #expect(StatementRun.unpack(runs[2].packed) == [.init(ts: 11, id: b, isDebit: false), .init(ts: 12, id: c, isDebit: true)])
    }

    @Test("With its runs gone and indexed_upto at 0, statements read the tail and the SQLite writer rebuilds the runs")
    func rebuildFromTransfers() async throws {
        var t = try await TestLedger.make()
        let bank = try await t.account(chart: "1003", owner: "bank"), customer = try await t.account(owner: "c")
        var expected: [Int64] = []
        for round in 0..<3 {
            let batch = (1...30).map { TransferRequest.posted(id: t.ids.next(), from: bank, to: customer, amount: Int64(round * 30 + $0)) }
            #expect(try await t.ledger.submit(batch).allSatisfy { $0.status == .ok })
            for transfer in batch { expected.append((expected.last ?? 0) + (transfer.amount ?? 0)) }
            t = try await t.restarted()
        }
        func balances() async throws -> [Int64] {
            try await t.ledger.allStatementEntries(account: customer, limit: 7, max: expected.count).map(\.balanceAfter)
        }
        #expect(try await balances() == expected)
        // The state migration v4 leaves on SQLite: no runs, everything after indexed_upto 0.
        t = try await t.restarted { database in
            try await database.execute("DELETE FROM ledger_entry_runs", [])
            try await database.execute("UPDATE ledger_index_state SET indexed_upto = 0 WHERE id = 1", [])
        }
        let database = t.db.database
        #expect(try await balances() == expected)
        t = try await t.restarted()  // SQLite: catches up from the stored transfers on the way out
        let runs = try await database.query("SELECT COUNT(*) AS n FROM ledger_entry_runs", []).first?.int("n") ?? -1
        let upto = try await database.query("SELECT indexed_upto FROM ledger_index_state WHERE id = 1", []).first?.int("indexed_upto") ?? -1
        let newest = try await database.query("SELECT MAX(ts) AS ts FROM ledger_transfers", []).first?.int("ts") ?? -2
        if database.dialect == .sqlite {
            #expect(runs == 2)  // one stretch, two accounts
            #expect(upto == newest)
        }
        #expect(try await balances() == expected)
        try await t.finish()
    }
}
