import Accounts
import BankKit
import EndOfDay
import Identity
import Interbank
import Ledger
import Lending
import Logging
import Messaging
import Metrics
import Payments
import Prometheus
import Storage
import Wealth

/// Everything a Rong process runs on, built once and shared by the server, the CLI and tests:
/// the database, the ledger, the end-of-day runner, and the effect clients.
public final class RongPlatform: Sendable {
    public let database: Database
    public let ledger: Ledger
    public let endOfDay: EndOfDayRunner
    public let clock: BankClock
    public let ids: IDGenerator
    public let calendar: BusinessCalendar
    public let metricsRegistry: PrometheusCollectorRegistry
    public let metricsFactory: PrometheusMetricsFactory
    public let logger: Logger
    public let random: SecureRandom
    public let identity: IdentityService
    public let accounts: AccountsService
    public let payments: PaymentsService
    public let wealth: WealthService
    public let lending: LendingService
    /// e-Link messaging (its hub: in-process on SQLite, LISTEN/NOTIFY on PostgreSQL).
    public let messaging: MessagingService
    /// The other banks (a simulator until a live interbank adapter is configured).
    public let interbankSimulator: InterbankSimulator
    /// The clearing house (a simulator of CNAPS until a live adapter is configured).
    public let clearingHouse: ClearingHouse

    /// Every module's migrations, lower modules first.
    public static let migrations: [Migration] = LedgerSchema.migrations + EndOfDayRunner.migrations + InterbankSimulator.migrations
        + ClearingHouse.migrations + IdentitySchema.migrations + AccountsSchema.migrations + PaymentsSchema.migrations
        + WealthSchema.migrations + WealthProductsSchema.migrations + LendingSchema.migrations
        + MessagingSchema.migrations

    /// Secrets and costs that differ between production, development and tests.
    public struct Security: Sendable {
        /// Signs access tokens and keys OTP hashes; at least 32 bytes. Random per process when nil
        /// (development: tokens do not survive a restart).
        public var signingSecret: [UInt8]?
        /// bcrypt cost: 12 in production, 4 in tests.
        public var bcryptCost: UInt8 = 12
        /// Where text messages go; the log in development.
        public var smsSink: (any SMSSink)?
        /// How webhooks reach merchants; HTTP (AsyncHTTPClient) when nil.
        public var webhookTransport: (any WebhookTransport)?
        /// Development only (`--demo`): merchants' notification URLs may be loopback or private addresses.
        public var allowPrivateNotifyURLs = false
        /// Where transfers to other banks are cleared: the in-process simulator when nil, else e.g.
        /// `HTTPClearingConnection` to `rong clearing-house` (`rong serve --clearing-house-url`).
        public var clearingConnection: (any ClearingConnection)?
        /// e-Link fan-out; nil: `PostgresMessageHub` on PostgreSQL (run by `MessagingWorker`), else in-process.
        public var messageHub: (any MessageHub)?
        /// Where e-Link uploads are stored; nil: `blobs/` beside the SQLite file, or `./data/blobs`.
        public var blobDirectory: String?

        public init(signingSecret: [UInt8]? = nil, bcryptCost: UInt8 = 12, smsSink: (any SMSSink)? = nil,
                    webhookTransport: (any WebhookTransport)? = nil) {
            self.signingSecret = signingSecret
            self.bcryptCost = bcryptCost
            self.smsSink = smsSink
            self.webhookTransport = webhookTransport
        }
    }

    /// Opens the database, applies migrations and starts the ledger writer.
    public static func start(databaseURL: String, clock: BankClock = .live, ids: IDGenerator? = nil,
                             calendar: BusinessCalendar = .china, random: SecureRandom = .live, security: Security = Security(),
                             logger: Logger) async throws -> RongPlatform {
        let database = try await Database.open(databaseURL, logger: logger)
        return try await start(database: database, clock: clock, ids: ids ?? .live, calendar: calendar, random: random,
                               security: security, logger: logger)
    }

    /// Starts on an open database (tests pass their own, with a manual clock and seeded ids).
    public static func start(database: Database, clock: BankClock, ids: IDGenerator, calendar: BusinessCalendar = .china,
                             random: SecureRandom = .live, security: Security = Security(), logger: Logger) async throws -> RongPlatform {
        try await Migrator(migrations).migrate(database, clock: clock)
        let secret = security.signingSecret ?? random.bytes(32)
        let identity = await IdentityService(database: database, clock: clock, ids: ids, random: random,
                                             hasher: PasswordHasher(cost: security.bcryptCost), secret: secret,
                                             smsSink: security.smsSink ?? LogSMSSink(logger: logger))
        let platform = try RongPlatform(database: database, clock: clock, ids: ids, calendar: calendar, random: random,
                                        identity: identity, webhookTransport: security.webhookTransport ?? HTTPWebhookTransport.process,
                                        allowPrivateNotifyURLs: security.allowPrivateNotifyURLs, clearingConnection: security.clearingConnection,
                                        messaging: try MessagingSetup(database: database, security: security, ids: ids, logger: logger),
                                        logger: logger)
        try await platform.interbankSimulator.seedDirectory()
        try await platform.accounts.prepare()
        try await platform.wealth.prepare()
        try await platform.lending.prepare()
        try await platform.messaging.prepare()
        return platform
    }

    init(database: Database, clock: BankClock, ids: IDGenerator, calendar: BusinessCalendar, random: SecureRandom,
         identity: IdentityService, webhookTransport: any WebhookTransport, allowPrivateNotifyURLs: Bool,
         clearingConnection: (any ClearingConnection)? = nil, messaging: MessagingSetup, logger: Logger) throws {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        let ledger = try Ledger(database: database, clock: clock, ids: ids, metrics: LedgerMetrics(factory: factory), logger: logger)
        let simulator = InterbankSimulator(database: database, clock: clock)
        let clearingHouse = ClearingHouse(database: database, clock: clock, calendar: calendar, directory: simulator, logger: logger,
                                          memberBankCodes: [ThisBank.bankCode], ids: ids)
        self.interbankSimulator = simulator
        self.clearingHouse = clearingHouse
        self.random = random
        self.identity = identity
        let accounts = AccountsService(database: database, ledger: ledger, identity: identity,
                                        interbank: SimulatedInterbankNetwork(simulator: simulator, clock: clock, ids: ids, ownBankCode: ThisBank.bankCode),
                                        clock: clock, ids: ids, random: random, logger: logger)
        self.accounts = accounts
        self.payments = PaymentsService(database: database, ledger: ledger, identity: identity, accounts: accounts,
                                        webhooks: WebhookOutbox(database: database, clock: clock, ids: ids, transport: webhookTransport, logger: logger),
                                        clearing: ISO20022ClearingNetwork(clearingHouse: clearingConnection ?? clearingHouse, clock: clock, ids: ids,
                                                                          ownBankCode: ThisBank.bankCode),
                                        clock: clock, ids: ids, random: random, allowPrivateNotifyURLs: allowPrivateNotifyURLs, logger: logger)
        let wealth = WealthService(database: database, ledger: ledger, identity: identity, accounts: accounts, clock: clock, ids: ids,
                                   calendar: calendar, logger: logger)
        self.wealth = wealth
        let lending = LendingService(database: database, ledger: ledger, identity: identity, accounts: accounts, payments: payments, clock: clock,
                                     ids: ids, logger: logger)
        self.lending = lending
        self.messaging = MessagingService(database: database, identity: identity, accounts: accounts, hub: messaging.hub, blobs: messaging.blobs,
                                          clock: clock, ids: ids, logger: logger)
        self.database = database
        self.ledger = ledger
        self.clock = clock
        self.ids = ids
        self.calendar = calendar
        self.metricsRegistry = registry
        self.metricsFactory = factory
        self.logger = logger
        self.endOfDay = EndOfDayRunner(database: database, steps: RongPlatform.endOfDaySteps(ledger: ledger, payments: payments) + wealth.endOfDaySteps()
                                           + wealth.productEndOfDaySteps() + lending.endOfDaySteps(), calendar: calendar,
                                       clock: clock, logger: logger)
    }

    /// The end-of-day steps every module registers. Modules add theirs here as they arrive.
    static func endOfDaySteps(ledger: Ledger, payments: PaymentsService) -> [EODStep] {
        [
            EODStep(name: "payments.expire-orders", order: 200) { _ in
                var total = 0
                for _ in 0..<100 {
                    let count = try await payments.expireOrders()
                    total += count
                    if count == 0 { break }
                }
                return "expired \(total) unpaid orders"
            },
            EODStep(name: "payments.transfers", order: 300) { _ in
                let touched = try await payments.checkTransfers(limit: 1000)
                let incoming = try await payments.processIncoming(limit: 1000)
                return "released or checked \(touched) transfers, answered \(incoming) incoming credits"
            },
            EODStep(name: "payments.reconcile", order: 400) { context in
                let result = try await payments.reconcile(date: context.date)
                return "matched \(result.matched) clearing movements, \(result.breaks.filter { $0.status == "open" }.count) open breaks"
            },
            EODStep(name: "ledger.expire-holds", order: 100) { _ in
                var total = 0
                // Bounded: each sweep voids at most `expirySweepMax` holds.
                for _ in 0..<1000 {
                    let count = try await ledger.sweepExpired()
                    total += count
                    if count == 0 { break }
                }
                return "voided \(total) expired holds"
            },
            EODStep(name: "ledger.verify-invariants", order: 900) { _ in
                let report = try await ledger.checkInvariants()
                guard report.isHealthy else {
                    throw DomainError(.internalError, "Ledger invariant violated: \(report)", status: 500)
                }
                let totals = report.totals.map { "\($0.asset) \($0.debitsPosted)" }.joined(separator: ", ")
                return "debits equal credits for every asset (\(totals.isEmpty ? "no accounts" : totals))"
            },
        ]
    }

    /// Stops the ledger writer and closes the database.
    public func shutdown() async {
        await ledger.shutdown()
        await database.close()
    }
}

extension RongPlatform {
    /// Seeds the demo data (idempotent); returns how many customers were new and the API keys of
    /// merchants onboarded by this call.
    @discardableResult
    public func seedDemo() async throws -> (customers: Int, merchantKeys: [(merchant: String, apiKey: String)]) {
        let seeded = try await DemoSeed.seed(self)
        return (seeded.customers, seeded.merchantKeys.map { (merchant: $0.0, apiKey: $0.1) })
    }

    /// Demo staff credentials, for `rong serve --demo` to print (development only).
    public static var demoCredentials: [(role: String, mobile: String, password: String)] {
        DemoSeed.staff.map { ($0.role.rawValue, $0.mobile, $0.password) }
            + DemoSeed.people.prefix(2).map { ("customer \($0.name)", $0.mobile, DemoSeed.customerPassword) }
            + [("customer \(DemoSeed.people[3].name) (逸贷 offer)", DemoSeed.people[3].mobile, DemoSeed.customerPassword)]
            + DemoSeed.merchants.map { ("merchant \($0.name)", $0.contactMobile, DemoSeed.merchantPassword) }
    }
}

extension HTTPWebhookTransport {
    /// One HTTP client for the process: it lives as long as the process, so it is never torn
    /// down under a delivery in flight (AsyncHTTPClient requires a shutdown before deinit).
    static let process = HTTPWebhookTransport()
}
