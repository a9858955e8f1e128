import BankKit
import Foundation
import Logging
import Storage

/// How a Rong process is set up: from flags, else the environment, else defaults.
public struct RongConfig: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// `sqlite:PATH` (default `sqlite:data/rong.sqlite`) or `postgres://…`.
    public var databaseURL: String = Database.defaultURL()
    /// Seed demo customers, merchants and accounts on start (idempotent).
    public var demo: Bool = false
    /// Development-only pages (`/dev/sms` shows the text messages the outbox sent). On with `--demo`.
    public var devPages: Bool = false
    /// Signs access tokens (≥ 32 bytes, `RONG_SIGNING_SECRET`); random per process when nil.
    public var signingSecret: String?
    /// Bearer key for the internal ledger API (`/v1/ledger/*`). Generated when not given.
    public var ledgerAPIKey: String?
    public var logLevel: Logger.Level = .info
    /// Run end-of-day at 00:05 Asia/Shanghai from the server.
    public var scheduleEndOfDay: Bool = true
    /// Holiday file (see `BusinessCalendar.parse`); the built-in China schedule when nil.
    public var holidaysFile: String?
    /// The clearing house for transfers to other banks (`rong clearing-house`); nil: in-process.
    public var clearingHouseURL: String?

    public init() {}

    /// Defaults overridden by `RONG_HOST`, `RONG_PORT`, `DATABASE_URL`, `RONG_LEDGER_API_KEY`,
    /// `RONG_LOG_LEVEL`, `RONG_HOLIDAYS_FILE`, `RONG_SIGNING_SECRET`, `RONG_CLEARING_HOUSE_URL`.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> RongConfig {
        var config = RongConfig()
        if let host = env["RONG_HOST"], !host.isEmpty { config.host = host }
        if let port = env["RONG_PORT"].flatMap(Int.init) { config.port = port }
        if let url = env["DATABASE_URL"], !url.isEmpty { config.databaseURL = url }
        if let key = env["RONG_LEDGER_API_KEY"], !key.isEmpty { config.ledgerAPIKey = key }
        if let level = env["RONG_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) { config.logLevel = level }
        if let file = env["RONG_HOLIDAYS_FILE"], !file.isEmpty { config.holidaysFile = file }
        if let secret = env["RONG_SIGNING_SECRET"], !secret.isEmpty { config.signingSecret = secret }
        if let url = env["RONG_CLEARING_HOUSE_URL"], !url.isEmpty { config.clearingHouseURL = url }
        return config
    }

    /// The business calendar: the holiday file when given, else China's published schedule.
    public func loadCalendar() throws -> BusinessCalendar {
        guard let holidaysFile else { return .china }
        return try BusinessCalendar.parse(try String(contentsOfFile: holidaysFile, encoding: .utf8))
    }
}
