import Accounts
import BankKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Identity
import Interbank
import Logging
import Payments
import RongServer
import Testing

/// Transfers to other banks through the clearing house as its own server (`rong clearing-house`),
/// reached by `HTTPClearingConnection` on loopback: the same ISO 20022 documents over HTTP.
@Suite struct ClearingHTTPTests {
    static let creditor = ClearingParty(name: "周强", accountNumber: Cards.ccb(777_002), bankCode: "105")

    @Test("A transfer settles through the clearing house over HTTP; its daily file comes back the same way; a dead address is unavailable")
    func transferOverHTTP() async throws {
        var logger = Logger(label: "test.clearing-http")
        logger.logLevel = .critical
        // The clearing house: its own database, directory of other banks and clock.
        let houseDB = try await TestDatabase.make(migrations: InterbankSimulator.migrations + ClearingHouse.migrations)
        let houseClock = ManualClock(shanghai: "2026-11-23T10:00:00")
        let directory = InterbankSimulator(database: houseDB.database, clock: houseClock.clock, logger: logger)
        try await directory.seedDirectory()
        try await directory.addTestAccount(SimulatedAccount(
            bankCode: "105", accountNumber: Self.creditor.accountNumber, holderName: Self.creditor.name,
            idNumber: ResidentIDs.make(birth: "19850101", sequence: 22), mobile: "13922224444", status: .open, balanceFen: 0))
        let house = ClearingHouse(database: houseDB.database, clock: houseClock.clock, calendar: .china, directory: directory, logger: logger,
                                  memberBankCodes: [ThisBank.bankCode])
        let app = Application(router: ClearingHouseHTTP.router(house), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)

        try await app.test(.live) { client in
            let port = try #require(client.port)
            let connection = try HTTPClearingConnection(baseURL: "http://127.0.0.1:\(port)/")
            let t = try await TestPlatform.make(clearingConnection: connection)
            let mobile = "13811112222"
            let (principal, account) = try await t.customerWithEAccount(.classII, name: "韩梅梅", idNumber: ResidentIDs.make(birth: "19920202", sequence: 63),
                                                                        mobile: mobile, cardNumber: Cards.ccb(63))
            _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 20_000_00, idempotencyKey: "fund", address: "test")
            let challenge = try await t.payments.requestPayeeCode(principal, creditor: Self.creditor)
            let transfer = try await t.payments.transferToOtherBank(principal, accountID: account.id, creditor: Self.creditor, amountFen: 1_000_00,
                                                                    timing: .realTime, memo: "房租", otpChallengeID: challenge.id,
                                                                    otpCode: try await t.lastCode(mobile), idempotencyKey: "k1", address: "test")
            #expect(transfer.status == .settled && transfer.path == .realTime)
            #expect(try await t.ledger.account(account.id)!.balance.postedCreditBalance == 19_000_00)
            #expect(try await directory.balance(bankCode: "105", accountNumber: Self.creditor.accountNumber) == 1_000_00)

            // The day's file over HTTP matches Rong's records.
            let file = try await connection.reconciliationFile(bankCode: ThisBank.bankCode, date: try BusinessDate(iso: "2026-11-23"))
            #expect(file.contains("SETTLED") && file.contains("1000.00"))
            t.clock.set(try BusinessDate(iso: "2026-11-24").instant(hour: 0, minute: 5))
            let reconciled = try await t.payments.reconcile(date: try BusinessDate(iso: "2026-11-23"))
            #expect(reconciled.matched == 1 && reconciled.breaks.isEmpty)
            #expect(try await connection.inbound(bankCode: ThisBank.bankCode, limit: 10).isEmpty)

            // Nobody listening: unavailable, and a bad URL is refused up front.
            let dead = try HTTPClearingConnection(baseURL: "http://127.0.0.1:1", timeoutSeconds: 2, connectTimeoutSeconds: 1)
            do {
                _ = try await dead.inbound(bankCode: ThisBank.bankCode, limit: 1)
                Issue.record("a dead clearing house answered")
            } catch let error as DomainError {
                #expect(error.code == .clearingUnavailable)
            }
            #expect(throws: DomainError.self) { _ = try HTTPClearingConnection(baseURL: "ftp://clearing") }
            await dead.shutdown()
            try await t.finish()
            await connection.shutdown()
        }
        await houseDB.cleanup()
    }
}
