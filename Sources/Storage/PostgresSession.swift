import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Statements on one leased PostgreSQL connection (inside or outside a transaction).
public struct PostgresSession: SQLSession, @unchecked Sendable {
    // PostgresConnection is Sendable; the session is only used inside the lease's closure.
    public let connection: PostgresConnection
    let logger: Logger
    public var dialect: SQLDialect { .postgres }

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    @discardableResult
    public func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        // PostgresNIO's async API does not surface the command tag's row count, so a data change
        // without RETURNING is wrapped in a data-modifying CTE that counts the rows it touched.
        let head = sql.drop { $0 == " " || $0 == "\n" }.prefix(7).uppercased()
        let counts = (head.hasPrefix("INSERT") || head.hasPrefix("UPDATE") || head.hasPrefix("DELETE")) && !sql.uppercased().contains("RETURNING")
        let text = counts ? "WITH rong_changed AS (\(sql) RETURNING 1) SELECT count(*) AS n FROM rong_changed" : sql
        do {
            let rows = try await connection.query(PostgresSession.makeQuery(text, binds), logger: logger)
            var count = 0
            for try await row in rows {
                if counts, let cell = row.first { count = Int(try cell.decode(Int64.self)) } else { count += 1 }
            }
            return count
        } catch let error as PSQLError {
            throw PostgresSession.classify(error)
        }
    }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        do {
            let rows = try await connection.query(PostgresSession.makeQuery(sql, binds), logger: logger)
            var result: [SQLRow] = []
            for try await row in rows {
                var columns: [String] = []
                var values: [SQLValue] = []
                for cell in row {
                    columns.append(cell.columnName)
                    values.append(try PostgresSession.value(cell))
                }
                result.append(SQLRow(columns: columns, values: values))
            }
            return result
        } catch let error as PSQLError {
            throw PostgresSession.classify(error)
        }
    }

    /// Rewrites `?` placeholders to `$n` (outside quoted text) and binds the values.
    public static func makeQuery(_ sql: String, _ binds: [SQLValue]) -> PostgresQuery {
        var text = ""
        text.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var inQuote = false
        for character in sql {
            if character == "'" { inQuote.toggle() }
            if character == "?" && !inQuote {
                number += 1
                text += "$\(number)"
            } else {
                text.append(character)
            }
        }
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .int(let int): bindings.append(int)
            case .text(let string): bindings.append(string)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard let bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .int(try cell.decode(Int64.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea: return .blob(Array(bytes.readableBytesView))
        case .numeric:
            // SUM(bigint) is numeric on PostgreSQL: whole numbers come back as integers, as on SQLite.
            let decimal = try cell.decode(Decimal.self)
            let text = "\(decimal)"
            if let whole = Int64(text) { return .int(whole) }
            return .text(text)
        default: return .text(try cell.decode(String.self))
        }
    }

    static func classify(_ error: PSQLError) -> StorageError {
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? String(reflecting: error)
        switch state {
        case "23505": return StorageError(.uniqueViolation, message)
        case "23503": return StorageError(.foreignKeyViolation, message)
        case "40001", "40P01", "55P03": return StorageError(.busy, message)
        default: return StorageError(.other, "postgres \(state): \(message)")
        }
    }
}

extension Database {
    /// Runs a PostgresNIO transaction call, surfacing the body's own error (a DomainError, a
    /// unique violation) instead of PostgresNIO's wrapper, so callers see the same error as on SQLite.
    public static func unwrapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            throw StorageError(.other, String(reflecting: error))
        }
    }
}
