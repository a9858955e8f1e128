import Accounts
import BankKit
import Foundation
import Identity
import Interbank
import Ledger
import Logging
import Payments
import RongServer
import Storage

/// The whole platform on a fresh database, with a manual clock (2026-11-23 10:00 Shanghai),
/// deterministic ids and randomness, bcrypt at its minimum cost, and SMS into the outbox.
struct TestPlatform {
    let db: TestDatabase
    let platform: RongPlatform
    let clock: ManualClock
    /// e-Link uploads of this platform (a folder of its own: PostgreSQL tests share no SQLite folder).
    let blobDirectory: String

    static let signingSecret = Array("rong-test-signing-secret-0123456789abcdef".utf8)

    /// `privateNotifyURLs`: as `rong serve --demo` (the demo seed's merchants notify 127.0.0.1).
    static func make(at time: String = "2026-11-23T10:00:00", privateNotifyURLs: Bool = true,
                     clearingConnection: (any ClearingConnection)? = nil) async throws -> TestPlatform {
        let db = try await TestDatabase.make(migrations: RongPlatform.migrations)
        let clock = ManualClock(shanghai: time)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        var security = RongPlatform.Security(signingSecret: signingSecret, bcryptCost: 4, smsSink: LogSMSSink(logger: logger))
        security.allowPrivateNotifyURLs = privateNotifyURLs
        security.clearingConnection = clearingConnection
        let blobDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("rong-blobs-\(UUID().uuidString)").path
        security.blobDirectory = blobDirectory
        let platform = try await RongPlatform.start(
            database: db.database, clock: clock.clock, ids: .deterministic(clock: clock.clock), random: .deterministic(seed: 11),
            security: security, logger: logger)
        return TestPlatform(db: db, platform: platform, clock: clock, blobDirectory: blobDirectory)
    }

    var accounts: AccountsService { platform.accounts }
    var identity: IdentityService { platform.identity }
    var ledger: Ledger { platform.ledger }
    var payments: PaymentsService { platform.payments }

    /// An operator, as the console would act for one.
    var operatorPrincipal: Principal {
        Principal(userID: RongID.derived("test", "operator"), role: .operator, sessionID: RongID.derived("test", "operator-session"), displayName: "运营")
    }

    /// A merchant onboarded by an operator, with a Luhn-valid credit code from `serial`.
    func merchant(_ name: String = "杭州西湖龙井茶庄", serial: Int = 1) async throws -> MerchantCredentials {
        let first17 = "91330100MA2" + String(format: "%06d", serial)
        let licence = first17 + String(CreditCode.checkCharacter(for: first17)!)
        return try await payments.onboardMerchant(by: operatorPrincipal, name: name, licenceNumber: licence,
                                                  notifyURL: "https://merchant.example.com/rong/notify", address: "127.0.0.1")
    }

    /// The code in the newest text message sent to `mobile`.
    func lastCode(_ mobile: String) async throws -> String {
        let messages = try await identity.sms.recent(mobile: mobile, limit: 1)
        guard let body = messages.first?.body, let code = OTPService.code(inMessage: body) else {
            throw TestFailure("no code sent to \(mobile)")
        }
        return code
    }

    /// Registers a customer through the real flow (code by SMS) and returns their session.
    func register(name: String, idNumber: String, mobile: String, password: String = "Rong2026pass") async throws -> (Customer, SessionTokens) {
        let challenge = try await accounts.requestRegistrationCode(mobile: mobile, address: "127.0.0.1")
        let code = try await lastCode(mobile)
        return try await accounts.register(RegistrationRequest(mobile: mobile, otpChallengeID: challenge.id, otpCode: code, name: name,
                                                               idNumber: idNumber, password: password, termsAccepted: true), address: "127.0.0.1")
    }

    /// Binds an account at another bank with a step-up code.
    func bind(_ principal: Principal, bankCode: String, accountNumber: String) async throws -> BoundAccount {
        let challenge = try await accounts.requestBindCode(principal, bankCode: bankCode, accountNumber: accountNumber)
        let mobile = try await accounts.customer(of: principal).mobile
        return try await accounts.bindAccount(principal, bankCode: bankCode, accountNumber: accountNumber, otpChallengeID: challenge.id,
                                              otpCode: try await lastCode(mobile), address: "127.0.0.1")
    }

    /// A registered customer with a test account at China Construction Bank holding `bankBalanceFen`,
    /// bound, and an e-account of `accountClass` opened on it.
    func customerWithEAccount(_ accountClass: AccountClass, name: String, idNumber: String, mobile: String, cardNumber: String,
                              bankBalanceFen: Int64 = 1_000_000_00) async throws -> (Principal, EAccount) {
        try await platform.interbankSimulator.addTestAccount(SimulatedAccount(
            bankCode: "105", accountNumber: cardNumber, holderName: name, idNumber: idNumber, mobile: mobile, status: .open, balanceFen: bankBalanceFen))
        let (_, session) = try await register(name: name, idNumber: idNumber, mobile: mobile)
        let bound = try await bind(session.principal, bankCode: "105", accountNumber: cardNumber)
        let account = try await accounts.openEAccount(session.principal, accountClass: accountClass, boundAccountID: bound.id, address: "127.0.0.1")
        return (session.principal, account)
    }

    /// Ends a scenario: the ledger invariant must hold; then releases everything.
    func finish() async throws {
        let report = try await ledger.checkInvariants()
        await platform.shutdown()
        await db.cleanup()
        try? FileManager.default.removeItem(atPath: blobDirectory)
        if !report.isHealthy { throw InvariantFailure(report: report) }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Valid resident ID numbers for tests: `ResidentIDs.make(birth: "19900307", sequence: 451)`.
enum ResidentIDs {
    static func make(region: String = "110101", birth: String, sequence: Int) -> String {
        let first17 = region + birth + String(format: "%03d", sequence)
        return first17 + String(ResidentID.checkCharacter(for: first17))
    }
}

/// Luhn-valid card numbers for tests at China Construction Bank (BIN 621700).
enum Cards {
    static func ccb(_ serial: Int) -> String {
        let payload = "621700" + String(format: "%012d", serial)
        return payload + String(Luhn.checkDigit(for: payload))
    }
}
