/// Something that runs SQL: a transaction, or the database itself in autocommit mode.
///
/// SQL is written with `?` placeholders; PostgreSQL handles rewrite them to `$1…$n`.
public protocol SQLSession: Sendable {
    var dialect: SQLDialect { get }
    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int
    /// Runs a query and returns every row (callers bound the row count with LIMIT).
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

extension SQLSession {
    @discardableResult
    public func execute(_ sql: String) async throws -> Int { try await execute(sql, []) }

    public func query(_ sql: String) async throws -> [SQLRow] { try await query(sql, []) }

    /// The first row, or nil.
    public func first(_ sql: String, _ binds: [SQLValue] = []) async throws -> SQLRow? {
        try await query(sql, binds).first
    }
}

/// Column lists for joins.
public enum SQLColumns {
    /// `"a, b"` as `"t.a, t.b"` — or, with `renamedWith`, `"t.a AS p_a, t.b AS p_b"` so two tables'
    /// columns of the same name can be read from one row.
    public static func qualified(_ columns: String, table: String, renamedWith prefix: String? = nil) -> String {
        columns.split(separator: ",").map { column in
            let name = column.filter { !$0.isWhitespace }
            return prefix.map { "\(table).\(name) AS \($0)\(name)" } ?? "\(table).\(name)"
        }.joined(separator: ", ")
    }
}
