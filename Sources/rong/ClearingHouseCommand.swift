import Accounts
import ArgumentParser
import BankKit
import Foundation
import Hummingbird
import Interbank
import Logging
import RongServer
import Storage

/// `rong clearing-house`: the CNAPS-like clearing house simulator as its own HTTP server,
/// with its own database (the other banks' directory and the clearing house's tables).
struct ClearingHouseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clearing-house",
        abstract: "Run the ISO 20022 clearing house simulator (POST /iso20022, GET /recon/{date}, GET /inbound/{bank}).")

    @Option(help: "Address to bind") var host = "127.0.0.1"
    @Option(help: "Port") var port = 8090
    @Option(name: .customLong("database"), help: "sqlite:PATH or postgres://… (default: sqlite:data/clearing-house.sqlite)")
    var databaseURL = "sqlite:data/clearing-house.sqlite"
    @Option(help: "Member bank codes, comma-separated (banks that connect themselves; default 888, Rong Bank)")
    var members = ThisBank.bankCode
    @Option(help: "Holiday calendar file ('holiday YYYY-MM-DD' / 'workday YYYY-MM-DD' lines; default: China 2025–2026)")
    var holidays: String?

    func run() async throws {
        let logger = RongLogging.bootstrap(level: .info)
        let calendar = try holidays.map { try BusinessCalendar.parse(String(contentsOfFile: $0, encoding: .utf8)) } ?? .china
        let memberCodes = Set(members.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        let database = try await Database.open(databaseURL, logger: logger)
        _ = try await Migrator(InterbankSimulator.migrations + ClearingHouse.migrations).migrate(database)
        let directory = InterbankSimulator(database: database, clock: .live, logger: logger)
        try await directory.seedDirectory()
        let clearingHouse = ClearingHouse(database: database, clock: .live, calendar: calendar, directory: directory,
                                          logger: logger, memberBankCodes: memberCodes)
        let app = ClearingHouseHTTP.buildApplication(clearingHouse: clearingHouse, host: host, port: port, logger: logger)
        print("Clearing house listening on http://\(host):\(port)/iso20022  (members: \(memberCodes.sorted().joined(separator: ",")); database: \(database.location))")
        do {
            try await app.runService()
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}
