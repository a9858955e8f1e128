import BankKit
import Foundation

/// A value bound into or read out of SQL, the same on SQLite and PostgreSQL.
///
/// Only the types Rong stores: 64-bit integers (money in minor units, nanosecond
/// timestamps, flags), text, and blobs (16-byte ids). There is no floating-point case.
public enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case text(String)
    case blob([UInt8])

    public static func id(_ id: RongID) -> SQLValue { .blob(id.bytes) }
    public static func id(_ id: RongID?) -> SQLValue { id.map { .blob($0.bytes) } ?? .null }
    public static func bool(_ value: Bool) -> SQLValue { .int(value ? 1 : 0) }
    public static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    public static func int(_ value: Int) -> SQLValue { .int(Int64(value)) }
    public static func int(_ value: Int64?) -> SQLValue { value.map { .int($0) } ?? .null }
    public static func date(_ value: BusinessDate) -> SQLValue { .text(value.iso) }
    public static func time(_ value: Timestamp) -> SQLValue { .int(value.nanosecondsSinceEpoch) }
}

/// One result row: values by column name.
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ name: String) -> SQLValue {
        guard let index = columns.firstIndex(of: name) else {
            preconditionFailure("no column '\(name)' in \(columns)")
        }
        return values[index]
    }

    public func int(_ name: String) -> Int64 {
        switch self[name] {
        case .int(let value): return value
        case .text(let text): return Int64(text) ?? 0
        default: preconditionFailure("column '\(name)' is not an integer: \(self[name])")
        }
    }

    public func optionalInt(_ name: String) -> Int64? {
        if case .null = self[name] { return nil }
        return int(name)
    }

    public func text(_ name: String) -> String {
        switch self[name] {
        case .text(let value): return value
        case .int(let value): return String(value)
        default: preconditionFailure("column '\(name)' is not text: \(self[name])")
        }
    }

    public func optionalText(_ name: String) -> String? {
        if case .null = self[name] { return nil }
        return text(name)
    }

    public func bool(_ name: String) -> Bool { int(name) != 0 }

    public func id(_ name: String) -> RongID {
        guard case .blob(let bytes) = self[name], let id = RongID(bytes: bytes) else {
            preconditionFailure("column '\(name)' is not a 16-byte id: \(self[name])")
        }
        return id
    }

    public func optionalID(_ name: String) -> RongID? {
        if case .null = self[name] { return nil }
        return id(name)
    }

    public func time(_ name: String) -> Timestamp { Timestamp(nanosecondsSinceEpoch: int(name)) }

    public func date(_ name: String) -> BusinessDate {
        guard let date = try? BusinessDate(iso: text(name)) else { preconditionFailure("column '\(name)' is not a date") }
        return date
    }
}

/// Which SQL dialect a handle speaks. Module SQL is written once with `?` placeholders;
/// the few type names that differ come from here.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    /// 64-bit integer column.
    public var bigint: String { self == .sqlite ? "INTEGER" : "BIGINT" }
    /// Byte string column (ids).
    public var blob: String { self == .sqlite ? "BLOB" : "BYTEA" }
    /// Auto-assigned 64-bit surrogate key.
    public var autoIncrementKey: String { self == .sqlite ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY" }
    /// Suffix for a table keyed only by its primary key.
    public var withoutRowID: String { self == .sqlite ? " WITHOUT ROWID" : "" }
}

/// A failure inside the database layer, classified so callers can react to constraint violations.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case uniqueViolation, foreignKeyViolation, busy, other }
    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "storage error (\(kind)): \(message)" }
}

extension SQLValue {
    /// One of Rong's own `Codable` values stored as JSON text (encoding those cannot fail).
    public static func json<T: Encodable>(_ value: T) -> SQLValue {
        .text(String(decoding: try! JSONEncoder().encode(value), as: UTF8.self))
    }
}

extension SQLRow {
    /// A JSON text column decoded as `type`; nil when NULL or not decodable.
    public func json<T: Decodable>(_ type: T.Type, _ name: String) -> T? {
        optionalText(name).flatMap { try? JSONDecoder().decode(type, from: Data($0.utf8)) }
    }
}
