import BankKit

/// One forward-only schema change of one module. Never edit a migration once it has
/// shipped: add the next version. The recorded checksum catches accidental edits.
public struct Migration: Sendable {
    public let module: String
    public let version: Int
    public let name: String
    public let statements: @Sendable (SQLDialect) -> [String]

    public init(module: String, version: Int, name: String, statements: @escaping @Sendable (SQLDialect) -> [String]) {
        self.module = module
        self.version = version
        self.name = name
        self.statements = statements
    }

    func checksum(_ dialect: SQLDialect) -> Int64 {
        let hash = FNV1a.hash(statements(dialect).joined(separator: ";\n"))
        return Int64(bitPattern: hash & 0x7FFF_FFFF_FFFF_FFFF)
    }
}

/// Applies modules' migrations in order, each in its own transaction, recording each in
/// `rong_migrations`. On PostgreSQL an advisory lock keeps two nodes from migrating at once.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(_ migrations: [Migration]) {
        // Module order is the order given (lower modules first); versions ascend within a module.
        self.migrations = migrations
    }

    /// Applies what is missing; returns the names applied now.
    @discardableResult
    public func migrate(_ database: Database, clock: BankClock = .live) async throws -> [String] {
        try await database.execute("""
            CREATE TABLE IF NOT EXISTS rong_migrations (
                module TEXT NOT NULL, version \(database.dialect.bigint) NOT NULL, name TEXT NOT NULL,
                checksum \(database.dialect.bigint) NOT NULL, applied_at \(database.dialect.bigint) NOT NULL,
                PRIMARY KEY (module, version))
            """, [])
        var applied: [String] = []
        for migration in migrations {
            let didApply: Bool = try await database.transaction { tx in
                if tx.dialect == .postgres {
                    _ = try await tx.query("SELECT pg_advisory_xact_lock(7000001) IS NULL AS locked")
                }
                let checksum = migration.checksum(tx.dialect)
                if let row = try await tx.first(
                    "SELECT checksum FROM rong_migrations WHERE module = ? AND version = ?",
                    [.text(migration.module), .int(migration.version)]) {
                    guard row.int("checksum") == checksum else {
                        throw StorageError(.other, "migration \(migration.module) v\(migration.version) '\(migration.name)' changed after it was applied; add a new version instead")
                    }
                    return false
                }
                for statement in migration.statements(tx.dialect) { try await tx.execute(statement) }
                try await tx.execute(
                    "INSERT INTO rong_migrations (module, version, name, checksum, applied_at) VALUES (?, ?, ?, ?, ?)",
                    [.text(migration.module), .int(migration.version), .text(migration.name), .int(checksum), .time(clock.now())])
                return true
            }
            if didApply { applied.append("\(migration.module) v\(migration.version) \(migration.name)") }
        }
        return applied
    }
}
