import BankKit

/// Amounts used against a limit per owner, rule and period (`2026-11-23`, `2026-11`, `2026`),
/// in a module's own table of shape `(<owner column>, rule, period, used_fen)`.
///
/// A reservation is one conditional `UPDATE … WHERE used_fen + amount <= limit` in the
/// caller's transaction, so it is exact across connections and nodes: exactly the limit
/// passes, and a refusal changes nothing.
public struct UsageCounters: Sendable {
    let table: String
    let ownerColumn: String

    /// `table` and `ownerColumn` are the module's own constants, never input.
    public init(table: String, ownerColumn: String) {
        self.table = table
        self.ownerColumn = ownerColumn
    }

    /// Adds `amount` when the result stays within `limit`; otherwise returns what is already used.
    /// One statement: the period's first use inserts the row, later ones add to it only while the
    /// sum stays within the limit (a refused upsert changes no row).
    public func reserve(_ tx: any SQLSession, owner: RongID, rule: String, period: String, amount: Int64, limit: Int64) async throws -> Int64? {
        guard amount <= limit else { return try await used(tx, owner: owner, rule: rule, period: period) }
        let changed = try await tx.execute(
            """
            INSERT INTO \(table) (\(ownerColumn), rule, period, used_fen) VALUES (?, ?, ?, ?)
            ON CONFLICT (\(ownerColumn), rule, period) DO UPDATE SET used_fen = \(table).used_fen + excluded.used_fen
            WHERE \(table).used_fen + excluded.used_fen <= ?
            """, [.id(owner), .text(rule), .text(period), .int(amount), .int(limit)])
        return changed == 1 ? nil : try await used(tx, owner: owner, rule: rule, period: period)
    }

    /// Gives back a reservation (never below zero).
    public func release(_ tx: any SQLSession, owner: RongID, rule: String, period: String, amount: Int64) async throws {
        try await tx.execute("UPDATE \(table) SET used_fen = used_fen - ? WHERE \(ownerColumn) = ? AND rule = ? AND period = ? AND used_fen >= ?",
                             [.int(amount), .id(owner), .text(rule), .text(period), .int(amount)])
    }

    public func used(_ session: any SQLSession, owner: RongID, rule: String, period: String) async throws -> Int64 {
        try await session.first("SELECT used_fen FROM \(table) WHERE \(ownerColumn) = ? AND rule = ? AND period = ?",
                                [.id(owner), .text(rule), .text(period)])?.int("used_fen") ?? 0
    }
}
