import BankKit
import Foundation
import Logging
import PostgresNIO

/// Rong's one database handle: an embedded SQLite file by default, PostgreSQL when a
/// `postgres://` URL is given (`DATABASE_URL`). Dialect differences stay in this module.
///
/// - SQLite: one writer connection (transactions, `BEGIN IMMEDIATE`) and a few reader
///   connections (WAL lets them read while the writer writes). Statements run on the
///   calling task; they are microseconds. A commit returns once `walSyncer` has synced it,
///   after the write lock was given back.
/// - PostgreSQL: a PostgresNIO connection pool, run by a task this handle owns until `close()`.
public final class Database: SQLSession, Sendable {
    public let dialect: SQLDialect
    /// Human-readable location, without credentials.
    public let location: String
    /// The SQLite file path (the ledger opens its own writer connection on it).
    public let sqlitePath: String?
    /// The PostgreSQL pool (the ledger runs its batches on it).
    public let postgres: PostgresClient?
    let logger: Logger
    private let writer: AsyncPool<SQLiteConnection>?
    /// Transactions waiting for the SQLite writer share one commit (see `GroupCommit`).
    private let group: GroupCommit
    /// SQLite: the turn to write, shared by modules' transactions and the ledger's writer.
    public let sqliteWriteGate = SQLiteWriteGate()
    /// SQLite: makes both writers' commits durable after they give the gate back (see `WALSyncer`).
    public let walSyncer: WALSyncer?
    /// SQLite: copies the WAL into the database off both writers' path (see `WALCheckpointer`).
    public let walCheckpointer: WALCheckpointer?
    /// SQLite: `batchedTransaction`'s queue (nil on PostgreSQL).
    let batched: BatchedTransactions?
    /// SQLite: batches of `batchedTransaction` run again with a savepoint per member because one
    /// failed after writing (0 on PostgreSQL).
    public var batchesRunAgain: Int { batched?.runAgain.load(ordering: .relaxed) ?? 0 }
    private let readers: AsyncPool<SQLiteConnection>?
    private let runTask: Task<Void, Never>?

    /// Reader connections for SQLite; reads never wait for the writer in WAL mode.
    static let sqliteReaderCount = 4

    /// Opens `url`: `sqlite:PATH`, a plain file path, or `postgres://user:pass@host:port/db`.
    public static func open(_ url: String, logger: Logger = Logger(label: "rong.storage")) async throws -> Database {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try await Database(postgresURL: url, logger: logger)
        }
        let path = url.hasPrefix("sqlite:") ? String(url.dropFirst("sqlite:".count)) : url
        return try Database(sqlitePath: path, logger: logger)
    }

    /// The default location: `DATABASE_URL` when set, else `./data/rong.sqlite`.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let url = environment["DATABASE_URL"], !url.isEmpty { return url }
        return "sqlite:data/rong.sqlite"
    }

    init(sqlitePath path: String, logger: Logger) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let writerConnection = try SQLiteConnection(path: path)
        // Commits are synced by `walSyncer` once the write gate is given back (see there).
        try writerConnection.exec("PRAGMA synchronous=NORMAL")
        var readerConnections: [SQLiteConnection] = []
        for _ in 0..<Database.sqliteReaderCount { readerConnections.append(try SQLiteConnection(path: path)) }
        dialect = .sqlite
        location = "sqlite:\(path)"
        sqlitePath = path
        postgres = nil
        writer = AsyncPool([writerConnection])
        readers = AsyncPool(readerConnections)
        runTask = nil
        self.logger = logger
        let syncer = WALSyncer(databasePath: path)
        walSyncer = syncer
        let checkpointer = try WALCheckpointer(path: path, gate: sqliteWriteGate)
        checkpointer.watch(writerConnection)
        walCheckpointer = checkpointer
        group = GroupCommit(gate: sqliteWriteGate, syncer: syncer)
        batched = BatchedTransactions()
    }

    init(postgresURL url: String, logger: Logger) async throws {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw StorageError(.other, "DATABASE_URL is not a valid postgres:// URL")
        }
        let user = components.user ?? "postgres"
        let database = components.path.isEmpty ? user : String(components.path.dropFirst())
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user,
            password: components.password, database: database, tls: .disable)
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        dialect = .postgres
        location = "postgres://\(host):\(components.port ?? 5432)/\(database)"
        sqlitePath = nil
        postgres = client
        writer = nil
        readers = nil
        runTask = Task { await client.run() }
        self.logger = logger
        walSyncer = nil
        walCheckpointer = nil
        group = GroupCommit(gate: sqliteWriteGate, syncer: nil)
        batched = nil
        // Fail fast when the server is not there.
        _ = try await query("SELECT 1 AS one")
    }

    /// Stops the PostgreSQL pool; SQLite connections close when released.
    public func close() async {
        runTask?.cancel()
        _ = await runTask?.value
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T: Sendable>(_ body: (any SQLSession) async throws -> T) async throws -> T {
        if writer != nil {
            let committed = try await sqliteTransaction(body)
            if let ticket = committed.ticket { await walSyncer?.durable(ticket) }
            return committed.value
        }
        guard let postgres else { preconditionFailure("database without backend") }
        return try await Database.unwrapping {
            try await postgres.withTransaction(logger: logger) { connection in
                try await body(PostgresSession(connection: connection, logger: logger))
            }
        }
    }

    /// SQLite: `transaction` returning once the commit is written, before it is on disk: a
    /// result with a ticket must not be reported before `walSyncer` says the ticket is durable.
    func sqliteTransaction<T: Sendable>(_ body: (any SQLSession) async throws -> T) async throws -> Committed<T> {
        try await sqliteTransaction(connection: { try await body($1) })
    }

    /// `sqliteTransaction` whose body also sees the writer connection itself.
    func sqliteTransaction<T: Sendable>(connection body: (SQLiteConnection, any SQLSession) async throws -> T) async throws -> Committed<T> {
        guard let writer else { preconditionFailure("sqliteTransaction on PostgreSQL") }
        let connection = await writer.acquire()
        return try await group.run(on: connection, handOver: { writer.hasWaiters }, release: { writer.release(connection) }) {
            try await body($0, SQLiteSession(connection: $0))
        }
    }

    /// Autocommit statement (its own transaction; on SQLite a batched one, see `batchedTransaction`).
    @discardableResult
    public func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        if batched != nil { return try await batchedTransaction { try await $0.execute(sql, binds) } }
        return try await postgres!.withConnection { connection in
            try await PostgresSession(connection: connection, logger: logger).execute(sql, binds)
        }
    }

    /// Reads on a reader connection (SQLite) or a pooled connection (PostgreSQL).
    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        if let readers {
            return try await readers.with { try $0.query(sql, binds) }
        }
        return try await postgres!.withConnection { connection in
            try await PostgresSession(connection: connection, logger: logger).query(sql, binds)
        }
    }

    /// True when the database answers a trivial query (`/readyz`).
    public func isReachable() async -> Bool {
        (try? await query("SELECT 1 AS one").first) != nil
    }
}

/// A SQLite transaction: statements on the held writer connection.
struct SQLiteSession: SQLSession {
    let connection: SQLiteConnection
    var dialect: SQLDialect { .sqlite }

    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int { try connection.execute(sql, binds) }
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] { try connection.query(sql, binds) }
}
