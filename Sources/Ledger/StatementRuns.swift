import BankKit

/// Statement entries, stored in runs: one `ledger_entry_runs` row per account per catch-up
/// (SQLite) or per batch (PostgreSQL), holding that account's entries of the stretch packed in
/// one blob, oldest first.
///
/// Why not one row per entry: rows keyed by account put each account's new entries on that
/// account's own page, so a catch-up touching 10,000 accounts rewrote 10,000 pages (40 MiB of
/// WAL for 65,536 transfers) and was half of the writer's time. Runs are appended at the end of
/// their table; only the narrow `(account_num, last_ts)` index is touched per account. Runs of
/// one account never overlap in time (each starts after the previous one's stretch), so a
/// statement reads them in `last_ts` order and decodes only those it shows.
struct StatementRun {
    /// One entry: the transfer, its commit time, and which side the account is on.
    struct Entry: Equatable {
        let ts: Int64
        let id: RongID
        let isDebit: Bool

        /// Where it stands in commit order (by `ts`, then by id); tuples compare in that order.
        var position: (ts: Int64, id: RongID) { (ts, id) }
    }

    let accountNum: Int64
    let lastTS: Int64
    /// `entryBytes` per entry: `ts` (8 bytes, big-endian), the id (16), 1 for a debit else 0.
    let packed: [UInt8]

    static let entryBytes = 25

    /// The runs of a stretch of stored transfers, given in commit order: both entries of each,
    /// one run per account. `entries` is a buffer the caller may keep across calls.
    ///
    /// Sorted as plain integers (account number above, position in the stretch below), which
    /// keeps each account's entries in commit order without comparing timestamps and ids.
    static func runs(of transfers: [TailTransfer], buffer entries: inout [(account: Int64, entry: Entry)]) -> [StatementRun] {
        entries.removeAll(keepingCapacity: true)
        entries.reserveCapacity(transfers.count * 2)
        let positionBits: UInt64 = 24
        let fits = transfers.count * 2 < 1 << positionBits
            && transfers.allSatisfy { $0.debitNum >= 0 && $0.creditNum >= 0 && ($0.debitNum | $0.creditNum) < 1 << (64 - positionBits) }
        if fits {
            var keys: [UInt64] = []
            keys.reserveCapacity(transfers.count * 2)
            for (index, t) in transfers.enumerated() {
                keys.append(UInt64(t.debitNum) << positionBits | UInt64(2 * index))
                keys.append(UInt64(t.creditNum) << positionBits | UInt64(2 * index + 1))
            }
            keys.sort()
            for key in keys {
                let position = Int(key & (1 << positionBits - 1))
                let t = transfers[position / 2]
                let isDebit = position % 2 == 0
                entries.append((isDebit ? t.debitNum : t.creditNum, Entry(ts: t.ts, id: t.id, isDebit: isDebit)))
            }
        } else {
            for t in transfers {
                entries.append((t.debitNum, Entry(ts: t.ts, id: t.id, isDebit: true)))
                entries.append((t.creditNum, Entry(ts: t.ts, id: t.id, isDebit: false)))
            }
            entries.sort { ($0.account, $0.entry.ts, $0.entry.id) < ($1.account, $1.entry.ts, $1.entry.id) }
        }
        return runs(sortedEntries: entries)
    }

    /// Runs from entries sorted by account, then commit order: one run per account.
    static func runs(sortedEntries entries: [(account: Int64, entry: Entry)]) -> [StatementRun] {
        var runs: [StatementRun] = []
        var start = 0
        while start < entries.count {
            let account = entries[start].account
            var end = start + 1
            while end < entries.count && entries[end].account == account { end += 1 }
            runs.append(StatementRun(accountNum: account, lastTS: entries[end - 1].entry.ts,
                                     packed: pack(entries[start..<end].lazy.map(\.entry))))
            start = end
        }
        return runs
    }

    static func pack(_ entries: some Collection<Entry>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * entryBytes)
        for entry in entries {
            append(UInt64(bitPattern: entry.ts), to: &bytes)
            append(entry.id.high, to: &bytes)
            append(entry.id.low, to: &bytes)
            bytes.append(entry.isDebit ? 1 : 0)
        }
        return bytes
    }

    /// The entries of a packed run, oldest first; nil when the blob is not a whole number of entries.
    static func unpack(_ bytes: [UInt8]) -> [Entry]? {
        guard bytes.count % entryBytes == 0 else { return nil }
        var entries: [Entry] = []
        entries.reserveCapacity(bytes.count / entryBytes)
        var offset = 0
        while offset < bytes.count {
            let ts = Int64(bitPattern: read(bytes, at: offset))
            let id = RongID(high: read(bytes, at: offset + 8), low: read(bytes, at: offset + 16))
            entries.append(Entry(ts: ts, id: id, isDebit: bytes[offset + 24] != 0))
            offset += entryBytes
        }
        return entries
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var shift = 56
        while shift >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }

    private static func read(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<(offset + 8) { value = value << 8 | UInt64(bytes[index]) }
        return value
    }
}

/// A stored transfer whose statement entries are not in a run yet (see `StatementRun.runs(of:)`).
struct TailTransfer {
    let ts: Int64
    let id: RongID
    let debitNum: Int64
    let creditNum: Int64
}
