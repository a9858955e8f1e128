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
