import BankKit
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Identity
import Logging
import ServiceLifecycle

/// Builds the HTTP application on a started platform. Shared by `rong serve` and the tests
/// (which run the same app in memory with HummingbirdTesting).
public func buildApplication(platform: RongPlatform, config: RongConfig, ledgerAPIKey: String,
                             backgroundServices: Bool = true) async throws -> some ApplicationProtocol {
    let router = Router(context: RongRequestContext.self)
    var accessLog = Logger(label: "rong.access") { JSONLogHandler(label: $0, level: config.logLevel) }
    accessLog.logLevel = config.logLevel
    router.add(middleware: ObservabilityMiddleware(ids: platform.ids, factory: platform.metricsFactory, accessLog: accessLog))
    router.add(middleware: ProblemMiddleware())
    try await registerRoutes(on: router, platform: platform, ledgerAPIKey: ledgerAPIKey, config: config)

    var app = Application(
        router: router,
        // The same router answers WebSocket upgrades (`/v1/elink/ws`); see ElinkWebSocket for the limits.
        server: .http1WebSocketUpgrade(webSocketRouter: router, configuration: .init(ws: .init(
            maxFrameSize: ElinkWebSocket.messageBytesMax, autoPing: .enabled(timePeriod: .seconds(30))))),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "rong"),
        logger: platform.logger)
    if backgroundServices {
        app.addServices(ExpirySweeper(platform: platform))
        app.addServices(PaymentsWorker(platform: platform))
        app.addServices(MessagingWorker(platform: platform))
        if config.scheduleEndOfDay { app.addServices(EndOfDayScheduler(platform: platform)) }
    }
    return app
}

/// Every module's routes, in one place: the application and the OpenAPI check both use it.
func registerRoutes(on router: Router<RongRequestContext>, platform: RongPlatform, ledgerAPIKey: String, config: RongConfig) async throws {
    HomePage(platform: platform, templates: try await HomePage.loadTemplates()).register(on: router)
    PlatformRoutes(platform: platform).register(on: router)
    LedgerRoutes(platform: platform, apiKey: ledgerAPIKey).register(on: router)
    EndOfDayRoutes(platform: platform, apiKey: ledgerAPIKey).register(on: router)
    let auth = Authenticator(identity: platform.identity)
    IdentityRoutes(platform: platform, auth: auth).register(on: router)
    CustomerRoutes(platform: platform, auth: auth).register(on: router)
    StaffRoutes(platform: platform, auth: auth).register(on: router)
    PaymentRoutes(platform: platform, auth: auth).register(on: router)
    TransferRoutes(platform: platform, auth: auth).register(on: router)
    WealthRoutes(platform: platform, auth: auth).register(on: router)
    ClearingRoutes(platform: platform, auth: auth).register(on: router)
    WealthProductRoutes(platform: platform, auth: auth).register(on: router)
    LendingRoutes(platform: platform, auth: auth).register(on: router)
    MessagingRoutes(platform: platform, auth: auth).register(on: router)
    try await SitePages.register(on: router, platform: platform, config: config)
}

/// The routes the application registers, as "METHOD /path/{param}" (for the OpenAPI check).
public func registeredRoutes(platform: RongPlatform) async throws -> [String] {
    let router = Router(context: RongRequestContext.self)
    var config = RongConfig()
    config.devPages = true
    try await registerRoutes(on: router, platform: platform, ledgerAPIKey: "unused", config: config)
    return router.routes.map { route in
        let path = "/" + route.path.description.split(separator: "/").map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }.joined(separator: "/")
        return "\(route.method.rawValue) \(path)"
    }
}

/// The documented routes, in the same form.
public func documentedRoutes() -> [String] {
    OpenAPIDocument.operations.map { "\($0.method.uppercased()) \($0.path)" }
}

/// Each documented user-facing route with the roles it admits (nil: public or service-key).
public func documentedAccess() -> [(method: String, path: String, roles: Set<String>?)] {
    OpenAPIDocument.operations.map { op in
        (op.method.uppercased(), op.path, op.access.map { Set(($0.allowedRoles ?? Set(Role.allCases)).map(\.rawValue)) })
    }
}
