import Accounts
import BankKit
import Foundation
import Identity
import Ledger
@testable import Payments
import Storage
import Testing

/// e-Pay confirmations interrupted half-way (a crash, a failed final write) are finished or
/// undone from the ledger's record a minute after their claim — never left `confirming`, never
/// paid twice, never payable again once the money moved. Each scenario ends with the ledger
/// invariant.
@Suite struct ConfirmationRecoveryTests {
    static let mobile = "13811112222"

    /// The e-Pay scenarios' payer (a funded Class II account) and balances.
    let payments = PaymentsTests()

    /// A platform with a merchant, the funded payer (principal, account, its last six digits) and
    /// an unpaid order of `amountFen`.
    func scenario(_ orderNumber: String, amountFen: Int64) async throws
        -> (TestPlatform, Merchant, Principal, EAccount, String, PaymentOrder) {
        let t = try await TestPlatform.make()
        let merchant = try await t.merchant().merchant
        let (principal, account, last6) = try await payments.payer(t)
        let order = try await t.payments.createOrder(merchant: merchant, orderNumber: orderNumber, amountFen: amountFen, description: "明前龙井礼盒",
                                                     expiresInSeconds: nil)
        return (t, merchant, principal, account, last6, order)
    }

    /// What the payer has used today of every limit (class and e-Pay).
    func usage(_ t: TestPlatform, _ account: EAccount) async throws -> [Int64] {
        let rows = try await t.db.database.query("SELECT used_fen FROM accounts_limit_usage WHERE e_account_id = ?", [.id(account.id)])
            + t.db.database.query("SELECT used_fen FROM payments_limit_usage WHERE customer_id = ?", [.id(account.customerID)])
        return rows.map { $0.int("used_fen") }
    }

    /// Makes the order's final write fail, as a full disk or a crash right after the ledger's commit would.
    func failFinalWrites(_ database: Database) async throws {
        if database.dialect == .postgres {
            try await database.execute("CREATE FUNCTION fail_paid() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql", [])
            try await database.execute("CREATE TRIGGER fail_paid BEFORE UPDATE ON payments_orders FOR EACH ROW WHEN (NEW.status = 'paid') EXECUTE FUNCTION fail_paid()", [])
        } else {
            try await database.execute("CREATE TRIGGER fail_paid BEFORE UPDATE OF status ON payments_orders WHEN NEW.status = 'paid' BEGIN SELECT RAISE(ABORT, 'disk full'); END", [])
        }
    }

    func allowFinalWrites(_ database: Database) async throws {
        try await database.execute(database.dialect == .postgres ? "DROP TRIGGER fail_paid ON payments_orders" : "DROP TRIGGER fail_paid", [])
    }

    @Test("Money captured but the final write failed: the order stays confirming, then is marked paid once, with its webhook")
    func capturedThenResumed() async throws {
        let (t, merchant, _, account, last6, order) = try await scenario("X1", amountFen: 1_288_00)
        try await failFinalWrites(t.db.database)
        let challenge = try await t.payments.requestPaymentCode(orderID: order.id, mobile: Self.mobile, accountLast6: last6, address: "test")
        let code = try await t.lastCode(Self.mobile)
        await #expect(throws: (any Error).self) {
            _ = try await t.payments.confirm(orderID: order.id, challengeID: challenge.id, code: code, address: "test")
        }
        // The money moved; the order is not payable again (before: it went back to `created`).
        #expect(try await t.payments.order(id: order.id)?.status == .confirming)
        #expect(try await payments.balance(t, merchant.settlementAccountID) == 1_288_00)
        do {
            _ = try await t.payments.confirm(orderID: order.id, challengeID: challenge.id, code: code, address: "test")
            Issue.record("a confirming order was confirmed again")
        } catch let error as DomainError { #expect(error.code == .orderBeingConfirmed) }
        // Not taken over while a confirmation could still be running.
        try await allowFinalWrites(t.db.database)
        t.clock.advance(seconds: 30)
        #expect(try await t.payments.resumeConfirmations() == 0)
        t.clock.advance(seconds: 31)
        #expect(try await t.payments.resumeConfirmations() == 1)
        let paid = try #require(try await t.payments.order(id: order.id))
        #expect(paid.status == .paid && paid.capturedFen == 1_288_00 && paid.paidAt != nil)
        #expect(try await t.payments.resumeConfirmations() == 0)
        #expect(try await payments.balance(t, merchant.settlementAccountID) == 1_288_00, "captured once")
        #expect(try await payments.balance(t, account.id) == 20_000_00 - 1_288_00)
        #expect(try await usage(t, account).allSatisfy { $0 == 1_288_00 }, "counted once against every limit")
        let deliveries = try await t.payments.webhooks.deliveries(merchantID: merchant.id, limit: 10, before: nil)
        #expect(deliveries.map(\.eventType) == ["order.paid"])
        try await t.finish()
    }

    @Test("The ledger failed (not refused) during confirmation: the order stays confirming, then its limits are given back")
    func ledgerFailureThenUndone() async throws {
        let (t, merchant, _, account, last6, order) = try await scenario("X3", amountFen: 2_000_00)
        let database = t.db.database
        // Every ledger write fails, as an unreachable ledger or a full disk would.
        if database.dialect == .postgres {
            try await database.execute("CREATE FUNCTION fail_ledger() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql", [])
            try await database.execute("CREATE TRIGGER fail_ledger BEFORE INSERT ON ledger_transfers FOR EACH ROW EXECUTE FUNCTION fail_ledger()", [])
        } else {
            try await database.execute("CREATE TRIGGER fail_ledger BEFORE INSERT ON ledger_transfers BEGIN SELECT RAISE(ABORT, 'disk full'); END", [])
        }
        let challenge = try await t.payments.requestPaymentCode(orderID: order.id, mobile: Self.mobile, accountLast6: last6, address: "test")
        let code = try await t.lastCode(Self.mobile)
        do {
            _ = try await t.payments.confirm(orderID: order.id, challengeID: challenge.id, code: code, address: "test")
            Issue.record("paid while the ledger failed")
        } catch let error as DomainError { #expect(error.code == .unavailable && error.status == 503) }
        // Before: the order went back to `created` with the limits still reserved (used twice if paid again).
        // Whether money moved is the ledger's to say: not payable again until it has been asked.
        #expect(try await t.payments.order(id: order.id)?.status == .confirming)
        try await database.execute(database.dialect == .postgres ? "DROP TRIGGER fail_ledger ON ledger_transfers" : "DROP TRIGGER fail_ledger", [])
        t.clock.advance(seconds: 61)
        #expect(try await t.payments.resumeConfirmations() == 1)
        #expect(try await t.payments.order(id: order.id)?.status == .created)
        #expect(try await usage(t, account).allSatisfy { $0 == 0 })
        #expect(try await payments.balance(t, merchant.settlementAccountID) == 0)
        try await t.finish()
    }

    @Test("Claimed but nothing reached the ledger: the limits are given back and the order can be paid with a new code")
    func claimedThenUndone() async throws {
        let (t, merchant, principal, account, last6, order) = try await scenario("X2", amountFen: 3_000_00)
        // The claim's transaction as `confirm` commits it (order claimed, limits reserved), then a crash.
        let customer = try await t.accounts.customer(of: principal)
        let date = t.clock.clock.businessDate()
        try await t.db.database.transaction { tx in
            #expect(try await tx.execute("UPDATE payments_orders SET status = 'confirming', confirming_at = ?, customer_id = ?, e_account_id = ? WHERE id = ?",
                                         [.time(t.clock.now), .id(customer.id), .id(account.id), .id(order.id)]) == 1)
            try await t.accounts.reserveSpending(tx, account, amountFen: 3_000_00, on: date)
            let limits = try await PaymentsService.limits(tx, customerID: customer.id)
            try await t.payments.reserveEPay(tx, customer: customer, amountFen: 3_000_00, limits: limits, on: date)
        }
        #expect(try await usage(t, account).allSatisfy { $0 == 3_000_00 })
        t.clock.advance(seconds: 61)
        #expect(try await t.payments.resumeConfirmations() == 1)
        #expect(try await t.payments.order(id: order.id)?.status == .created)
        #expect(try await usage(t, account).allSatisfy { $0 == 0 }, "no money moved, so no limit is used")
        #expect(try await payments.balance(t, merchant.settlementAccountID) == 0)
        let challenge = try await t.payments.requestPaymentCode(orderID: order.id, mobile: Self.mobile, accountLast6: last6, address: "test")
        let paid = try await t.payments.confirm(orderID: order.id, challengeID: challenge.id, code: try await t.lastCode(Self.mobile), address: "test")
        #expect(paid.status == .paid)
        #expect(try await payments.balance(t, merchant.settlementAccountID) == 3_000_00)
        #expect(try await usage(t, account).allSatisfy { $0 == 3_000_00 })
        try await t.finish()
    }
}
