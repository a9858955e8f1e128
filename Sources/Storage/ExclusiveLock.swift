#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PostgresNIO

extension Database {
    /// Runs `body` only if no other process holds the lock `key` (try-lock, not wait).
    ///
    /// PostgreSQL: a session advisory lock on a connection held for the duration, so one
    /// node of many runs the job. SQLite: an exclusive `flock` on `<db>.lock-<key>`.
    /// Returns nil when someone else holds the lock.
    public func withExclusiveLock<T: Sendable>(key: Int64, _ body: () async throws -> T) async throws -> T? {
        if let path = sqlitePath {
            let lockPath = "\(path).lock-\(key)"
            let fd = Glibc.open(lockPath, O_CREAT | O_RDWR, 0o644)
            guard fd >= 0 else { throw StorageError(.other, "cannot open \(lockPath)") }
            defer { Glibc.close(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return nil }
            defer { flock(fd, LOCK_UN) }
            return try await body()
        }
        return try await postgres!.withConnection { connection in
            let session = PostgresSession(connection: connection, logger: logger)
            let row = try await session.first("SELECT pg_try_advisory_lock(?) AS locked", [.int(key)])
            guard row?.bool("locked") == true else { return nil }
            do {
                let value = try await body()
                _ = try await session.query("SELECT pg_advisory_unlock(?) AS unlocked", [.int(key)])
                return value
            } catch {
                _ = try? await session.query("SELECT pg_advisory_unlock(?) AS unlocked", [.int(key)])
                throw error
            }
        }
    }
}
