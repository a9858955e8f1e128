import ArgumentParser
import Logging
import RongServer
import Storage

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply every module's pending migrations and exit.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = RongLogging.bootstrap(level: .warning)
        let db = try await Database.open(database.url ?? Database.defaultURL(), logger: logger)
        let applied = try await Migrator(RongPlatform.migrations).migrate(db)
        print(applied.isEmpty ? "Schema is up to date (\(db.location))." : "Applied to \(db.location):\n  " + applied.joined(separator: "\n  "))
        await db.close()
    }
}
