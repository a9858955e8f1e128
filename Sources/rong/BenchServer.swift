import RongServer

/// The server a bench drives, in this process on loopback: warnings only, no end-of-day timer,
/// no background workers (the bench measures requests, not them).
enum BenchServer {
    /// The ledger API key of bench servers (in this process or a child `rong serve`).
    static let ledgerAPIKey = "bench-ledger-key-0123456789abcdef"

    /// Starts serving `platform` on 127.0.0.1:`port`; cancel the task to stop.
    static func start(_ platform: RongPlatform, port: Int) async throws -> Task<Void, any Error> {
        var config = RongConfig()
        config.port = port
        config.logLevel = .warning
        config.scheduleEndOfDay = false
        let app = try await buildApplication(platform: platform, config: config, ledgerAPIKey: ledgerAPIKey, backgroundServices: false)
        return Task { try await app.runService(gracefulShutdownSignals: []) }
    }
}
