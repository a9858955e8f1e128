import Foundation
import Logging

/// A throwaway database for tests and benchmarks: a new SQLite file in its own folder, or — when
/// `serverURL` is a `postgres://` URL — a new database created on that server. `drop()` removes it.
public struct ScratchDatabase: Sendable {
    public let database: Database
    /// Where it is, credentials included (for a child process that opens it too).
    public let url: String
    private let remove: @Sendable () async -> Void

    /// Closes the database and deletes it.
    public func drop() async { await remove() }

    /// - Parameters:
    ///   - serverURL: a PostgreSQL server to create the database on; nil (or a non-postgres URL) for SQLite.
    ///   - sqliteParent: the folder that receives the SQLite scratch folder.
    public static func create(serverURL: String?, sqliteParent: String, prefix: String, logger: Logger) async throws -> ScratchDatabase {
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        if let serverURL, serverURL.hasPrefix("postgres") {
            let name = "\(prefix)_\(suffix)"
            let admin = try await Database.open(serverURL, logger: logger)
            do {
                try await admin.execute("CREATE DATABASE \(name)", [])
                guard var components = URLComponents(string: serverURL) else { throw StorageError(.other, "bad PostgreSQL URL") }
                components.path = "/" + name
                let url = components.string ?? serverURL
                let database = try await Database.open(url, logger: logger)
                return ScratchDatabase(database: database, url: url) {
                    await database.close()
                    _ = try? await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", [])
                    await admin.close()
                }
            } catch {
                await admin.close()
                throw error
            }
        }
        let directory = (sqliteParent as NSString).appendingPathComponent("\(prefix)-\(suffix)")
        let url = "sqlite:" + (directory as NSString).appendingPathComponent("rong.sqlite")
        let database = try await Database.open(url, logger: logger)
        return ScratchDatabase(database: database, url: url) {
            await database.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
