import Accounts
import BankKit
import Foundation
import Identity
import Ledger
import Testing

/// Class I accounts opened at the counter with a cash deposit: a money-moving request, so
/// idempotent on its key.
@Suite struct CounterAccountTests {
    @Test("Opening a Class I account again with the same key answers the same account and deposits once")
    func classIIdempotent() async throws {
        let t = try await TestPlatform.make()
        let (customer, _) = try await t.register(name: "周敏", idNumber: ResidentIDs.make(birth: "19870606", sequence: 35), mobile: "13644445555")
        let first = try await t.accounts.openClassIAccount(by: t.operatorPrincipal, customerID: customer.id, cashDepositFen: 5_000_00,
                                                           idempotencyKey: "counter-1", address: "test")
        let again = try await t.accounts.openClassIAccount(by: t.operatorPrincipal, customerID: customer.id, cashDepositFen: 5_000_00,
                                                           idempotencyKey: "counter-1", address: "test")
        #expect(again.id == first.id)
        #expect(again.accountClass == .classI)
        #expect(try await t.ledger.account(first.id)?.balance.postedCreditBalance == 5_000_00)
        do {
            _ = try await t.accounts.openClassIAccount(by: t.operatorPrincipal, customerID: customer.id, cashDepositFen: 6_000_00,
                                                       idempotencyKey: "counter-1", address: "test")
            Issue.record("the same key with another deposit was accepted")
        } catch let error as DomainError { #expect(error.code == .idempotencyConflict && error.status == 409) }
        await #expect(throws: DomainError.self) {
            _ = try await t.accounts.openClassIAccount(by: t.operatorPrincipal, customerID: customer.id, cashDepositFen: 1, idempotencyKey: nil, address: "test")
        }
        #expect(try await t.accounts.accounts(of: customer).filter { $0.account.accountClass == .classI }.count == 1)
        try await t.finish()
    }
}
