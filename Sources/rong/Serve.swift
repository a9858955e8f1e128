import ArgumentParser
import BankKit
import Foundation
import Hummingbird
import Interbank
import Logging
import RongServer
import Storage

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server (graceful shutdown on SIGINT/SIGTERM).")

    @Option(help: "Address to bind (default: $RONG_HOST or 127.0.0.1)") var host: String?
    @Option(help: "Port (default: $RONG_PORT or 8080)") var port: Int?
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Seed demo customers, merchants and balances (idempotent)") var demo = false
    @Flag(help: "Do not run end-of-day at 00:05 Asia/Shanghai from this node") var noEndOfDay = false
    @Option(help: "Clear transfers to other banks through `rong clearing-house` at this URL, e.g. http://127.0.0.1:8090 (default: $RONG_CLEARING_HOUSE_URL, else in-process)")
    var clearingHouseURL: String?
    @Option(help: "Directory for e-Link uploads (images, voice); several nodes need the same shared one (default: $RONG_BLOB_DIRECTORY, else blobs/ beside the SQLite file, else ./data/blobs)")
    var blobDirectory: String?

    func run() async throws {
        var config = RongConfig.fromEnvironment()
        if let host { config.host = host }
        if let port { config.port = port }
        if let url = database.url { config.databaseURL = url }
        config.demo = demo
        config.devPages = demo
        config.scheduleEndOfDay = !noEndOfDay
        let logger = RongLogging.bootstrap(level: config.logLevel)
        let secret = try SigningSecret.load(config.signingSecret)
        var security = RongPlatform.Security(signingSecret: secret)
        security.allowPrivateNotifyURLs = demo
        security.blobDirectory = blobDirectory ?? ProcessInfo.processInfo.environment["RONG_BLOB_DIRECTORY"].flatMap { $0.isEmpty ? nil : $0 }
        if let url = clearingHouseURL ?? config.clearingHouseURL {
            security.clearingConnection = try HTTPClearingConnection(baseURL: url)
            print("Transfers to other banks clear through \(url)")
        }
        let platform = try await Serve.startPlatform(config: config, security: security, logger: logger)
        if demo {
            let seeded = try await platform.seedDemo()
            logger.info("demo data ready", metadata: ["new_customers": "\(seeded.customers)"])
            for key in seeded.merchantKeys {
                print("Merchant API key of \(key.merchant) (shown once): \(key.apiKey)")
            }
            print("Demo sign-ins (development only; text-message codes appear at /dev/sms):")
            for credential in RongPlatform.demoCredentials {
                print("  \(credential.role): \(credential.mobile) / \(credential.password)")
            }
        }
        var apiKey = config.ledgerAPIKey ?? ""
        if apiKey.isEmpty {
            var random = SystemRandomNumberGenerator()
            apiKey = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
            print("Ledger API key for this run (set RONG_LEDGER_API_KEY to fix it): \(apiKey)")
        }
        try await Serve.serve(platform: platform, config: config, ledgerAPIKey: apiKey)
    }

    // Kept out of line: the release compiler (Swift 6.3.1) crashed splitting `run` as one coroutine
    // ("While splitting coroutine $s4rong5ServeV3runyyYaKF", signal 11) once Wealth joined the platform.
    @inline(never)
    static func startPlatform(config: RongConfig, security: RongPlatform.Security, logger: Logger) async throws -> RongPlatform {
        try await RongPlatform.start(databaseURL: config.databaseURL, calendar: try config.loadCalendar(), security: security, logger: logger)
    }

    @inline(never)
    static func serve(platform: RongPlatform, config: RongConfig, ledgerAPIKey: String) async throws {
        let app = try await buildApplication(platform: platform, config: config, ledgerAPIKey: ledgerAPIKey)
        print("融 Rong is listening on http://\(config.host):\(config.port)/  (database: \(platform.database.location); \(Allocator.name))")
        do {
            try await app.runService()
        } catch {
            await platform.shutdown()
            throw error
        }
        await platform.shutdown()
    }
}
