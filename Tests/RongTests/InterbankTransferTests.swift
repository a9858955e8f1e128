import Accounts
import BankKit
import Foundation
import Identity
import Interbank
import Ledger
import Payments
import Storage
import Testing

/// Transfers to other banks through the simulated clearing house: settle, reject, return,
/// timeouts answered by a status query, the large-value window, incoming credits, timing
/// options and the daily reconciliation — each ending with the ledger invariant.
@Suite struct InterbankTransferTests {
    /// CCB account of 周强 in the simulator's directory, created by each test.
    static let creditor = ClearingParty(name: "周强", accountNumber: Cards.ccb(777_001), bankCode: "105")

    /// A customer with a Class II e-account holding ¥20,000 and a Class I account holding `classIFen`.
    func sender(_ t: TestPlatform, classIFen: Int64 = 0) async throws -> (Principal, EAccount, EAccount?) {
        try await t.platform.interbankSimulator.addTestAccount(SimulatedAccount(
            bankCode: "105", accountNumber: Self.creditor.accountNumber, holderName: Self.creditor.name,
            idNumber: ResidentIDs.make(birth: "19850101", sequence: 21), mobile: "13922223333", status: .open, balanceFen: 0))
        let (principal, account) = try await t.customerWithEAccount(.classII, name: "韩梅梅", idNumber: ResidentIDs.make(birth: "19920202", sequence: 62),
                                                                    mobile: "13811110000", cardNumber: Cards.ccb(62))
        _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: 20_000_00, idempotencyKey: "fund", address: "test")
        var classI: EAccount?
        if classIFen > 0 {
            let customer = try await t.accounts.customer(of: principal)
            classI = try await t.accounts.openClassIAccount(by: t.operatorPrincipal, customerID: customer.id, cashDepositFen: classIFen, idempotencyKey: "class-i", address: "test")
        }
        return (principal, account, classI)
    }

    func send(_ t: TestPlatform, _ principal: Principal, from account: EAccount, amountFen: Int64, key: String,
              timing: TransferTiming = .realTime, creditor: ClearingParty = creditor) async throws -> InterbankTransfer {
        do {
            return try await t.payments.transferToOtherBank(principal, accountID: account.id, creditor: creditor, amountFen: amountFen, timing: timing,
                                                            memo: "房租", otpChallengeID: nil, otpCode: nil, idempotencyKey: key, address: "test")
        } catch let error as DomainError where error.code == .stepUpRequired {
            t.clock.advance(seconds: OTPService.resendIntervalSeconds + 1)
            let challenge = try await t.payments.requestPayeeCode(principal, creditor: creditor)
            return try await t.payments.transferToOtherBank(principal, accountID: account.id, creditor: creditor, amountFen: amountFen, timing: timing,
                                                            memo: "房租", otpChallengeID: challenge.id, otpCode: try await t.lastCode("13811110000"),
                                                            idempotencyKey: key, address: "test")
        }
    }

    func balance(_ t: TestPlatform, _ id: RongID) async throws -> Int64 { try await t.ledger.account(id)!.balance.postedCreditBalance }
    func bank(_ t: TestPlatform, _ party: ClearingParty = creditor) async throws -> Int64? {
        try await t.platform.interbankSimulator.balance(bankCode: party.bankCode, accountNumber: party.accountNumber)
    }

    @Test("Real-time: a new payee needs a code, the transfer settles, the payee is saved, the key is idempotent")
    func realTimeSettles() async throws {
        let t = try await TestPlatform.make()
        let (principal, account, _) = try await sender(t)
        do {
            _ = try await t.payments.transferToOtherBank(principal, accountID: account.id, creditor: Self.creditor, amountFen: 1_000_00, timing: .realTime,
                                                         memo: nil, otpChallengeID: nil, otpCode: nil, idempotencyKey: "k0", address: "test")
            Issue.record("a new payee without a code")
        } catch let error as DomainError { #expect(error.code == .stepUpRequired) }
        let transfer = try await send(t, principal, from: account, amountFen: 1_000_00, key: "k1")
        #expect(transfer.status == .settled)
        #expect(transfer.path == .realTime)
        #expect(try await balance(t, account.id) == 19_000_00)
        #expect(try await bank(t) == 1_000_00)
        #expect(try await t.payments.payees(principal).map(\.accountNumber) == [Self.creditor.accountNumber])
        // Same key: the same transfer, nothing moves again; another body: 409.
        #expect(try await send(t, principal, from: account, amountFen: 1_000_00, key: "k1").id == transfer.id)
        #expect(try await bank(t) == 1_000_00)
        await #expect(throws: DomainError.self) { _ = try await send(t, principal, from: account, amountFen: 999_00, key: "k1") }
        // A saved payee needs no code.
        let second = try await t.payments.transferToOtherBank(principal, accountID: account.id, creditor: Self.creditor, amountFen: 1_00, timing: .realTime,
                                                              memo: nil, otpChallengeID: nil, otpCode: nil, idempotencyKey: "k2", address: "test")
        #expect(second.status == .settled)
        try await t.finish()
    }

    @Test("Rejected by the other bank: the hold is released and the limit given back")
    func rejectedReleases() async throws {
        let t = try await TestPlatform.make()
        let (principal, account, _) = try await sender(t)
        let nobody = ClearingParty(name: "无此人", accountNumber: Cards.ccb(999_999), bankCode: "105")
        let transfer = try await send(t, principal, from: account, amountFen: 10_000_00, key: "r1", creditor: nobody)
        #expect(transfer.status == .rejected)
        #expect(transfer.failureCode == "AC01")
        #expect(try await balance(t, account.id) == 20_000_00)
        let available = try await t.ledger.account(account.id)!.balance.availableCreditBalance
        #expect(available == 20_000_00)
        // The day's ¥10,000 non-bound allowance is whole again.
        #expect(try await send(t, principal, from: account, amountFen: 10_000_00, key: "r2").status == .settled)
        try await t.finish()
    }

    @Test("A lost reply: the transfer waits as sent, the status query settles it, money moves once")
    func timeoutThenQuery() async throws {
        let t = try await TestPlatform.make()
        let (principal, account, _) = try await sender(t)
        t.platform.clearingHouse.dropReplies(1)
        let transfer = try await send(t, principal, from: account, amountFen: 2_000_00, key: "t1")
        #expect(transfer.status == .sent)
        #expect(try await t.ledger.account(account.id)!.balance.availableCreditBalance == 18_000_00, "held while unconfirmed")
        t.clock.advance(seconds: 10)
        _ = try await t.payments.checkTransfers()
        #expect(try await t.payments.interbankTransfer(id: transfer.id)?.status == .settled)
        #expect(try await bank(t) == 2_000_00, "credited once")
        #expect(try await balance(t, account.id) == 18_000_00)
        try await t.finish()
    }

    @Test("Over ¥50,000 after 17:00 queues for the large-value window and settles at 08:30 the next business day")
    func largeValueWindow() async throws {
        let t = try await TestPlatform.make(at: "2026-11-23T17:30:00")
        let (principal, _, classI) = try await sender(t, classIFen: 200_000_00)
        let account = try #require(classI)
        let exact = try await send(t, principal, from: account, amountFen: 50_000_00, key: "lv0")
        #expect(exact.status == .settled && exact.path == .realTime, "exactly ¥50,000 goes real-time")
        let transfer = try await send(t, principal, from: account, amountFen: 50_000_01, key: "lv1")
        #expect(transfer.status == .sent)
        t.clock.advance(seconds: 10)
        _ = try await t.payments.checkTransfers()
        #expect(try await t.payments.interbankTransfer(id: transfer.id)?.path == .largeValue)
        t.clock.set(try BusinessDate(iso: "2026-11-24").instant(hour: 8, minute: 30))
        #expect(try await t.platform.clearingHouse.processQueue() == 1)
        _ = try await t.payments.checkTransfers()
        #expect(try await t.payments.interbankTransfer(id: transfer.id)?.status == .settled)
        #expect(try await bank(t) == 100_000_01)
        try await t.finish()
    }

    @Test("A settled transfer sent back by the other bank is credited back")
    func returned() async throws {
        let t = try await TestPlatform.make()
        let (principal, account, _) = try await sender(t)
        let transfer = try await send(t, principal, from: account, amountFen: 3_000_00, key: "ret")
        #expect(transfer.status == .settled)
        try await t.platform.clearingHouse.injectReturn(messageID: transfer.id, reasonCode: "AC04")
        t.clock.advance(seconds: 60)
        _ = try await t.payments.checkTransfers()
        #expect(try await t.payments.interbankTransfer(id: transfer.id)?.status == .settled, "a settled transfer is asked about every 10 minutes, not every pass")
        t.clock.advance(seconds: 600)
        _ = try await t.payments.checkTransfers()
        let after = try #require(try await t.payments.interbankTransfer(id: transfer.id))
        #expect(after.status == .returned)
        #expect(after.failureCode == "AC04")
        #expect(try await balance(t, account.id) == 20_000_00)
        try await t.finish()
    }

    @Test("Two hours later: held now, sent when its time comes")
    func twoHoursLater() async throws {
        let t = try await TestPlatform.make()
        let (principal, account, _) = try await sender(t)
        let transfer = try await send(t, principal, from: account, amountFen: 500_00, key: "later", timing: .twoHours)
        #expect(transfer.status == .accepted)
        #expect(try await t.ledger.account(account.id)!.balance.availableCreditBalance == 19_500_00)
        t.clock.advance(seconds: 7199)
        _ = try await t.payments.checkTransfers()
        #expect(try await t.payments.interbankTransfer(id: transfer.id)?.status == .accepted)
        t.clock.advance(seconds: 1)
        _ = try await t.payments.checkTransfers()
        #expect(try await t.payments.interbankTransfer(id: transfer.id)?.status == .settled)
        try await t.finish()
    }

    @Test("Incoming credits: to a real account credited; to an unknown or misnamed one returned")
    func incoming() async throws {
        let t = try await TestPlatform.make()
        let (_, account, _) = try await sender(t)
        let payer = ClearingParty(name: "张伟", accountNumber: InterbankSimulator.demoZhangWei.accountNumber, bankCode: "105")
        let before = try #require(try await bank(t, payer))
        _ = try await t.platform.clearingHouse.originateIncoming(from: payer, to: ClearingParty(name: "韩梅梅", accountNumber: account.accountNumber,
                                                                                                 bankCode: ThisBank.bankCode), amountFen: 800_00, remittance: "还款")
        _ = try await t.platform.clearingHouse.originateIncoming(from: payer, to: ClearingParty(name: "李四", accountNumber: account.accountNumber,
                                                                                                 bankCode: ThisBank.bankCode), amountFen: 100_00, remittance: "错名")
        _ = try await t.platform.clearingHouse.originateIncoming(from: payer, to: ClearingParty(name: "韩梅梅", accountNumber: "6238880000000000000",
                                                                                                 bankCode: ThisBank.bankCode), amountFen: 200_00, remittance: "错号")
        #expect(try await t.payments.processIncoming() == 3)
        #expect(try await t.payments.processIncoming() == 0)
        #expect(try await balance(t, account.id) == 20_800_00)
        #expect(try await bank(t, payer) == before - 800_00, "the two returned credits went back to the payer")
        try await t.finish()
    }

    @Test("Reconciliation: a clean day matches; an injected break is listed and resolved by an operator")
    func reconciliation() async throws {
        let t = try await TestPlatform.make()
        let (principal, account, _) = try await sender(t)
        _ = try await send(t, principal, from: account, amountFen: 1_234_56, key: "a")
        let rejected = try await send(t, principal, from: account, amountFen: 1_00, key: "b",
                                      creditor: ClearingParty(name: "无此人", accountNumber: Cards.ccb(123_456), bankCode: "105"))
        #expect(rejected.status == .rejected)
        _ = try await t.platform.clearingHouse.originateIncoming(
            from: ClearingParty(name: "张伟", accountNumber: InterbankSimulator.demoZhangWei.accountNumber, bankCode: "105"),
            to: ClearingParty(name: "韩梅梅", accountNumber: account.accountNumber, bankCode: ThisBank.bankCode), amountFen: 50_00, remittance: "红包")
        _ = try await t.payments.processIncoming()
        let today = BusinessDate(at: t.clock.now)
        let clean = try await t.payments.reconcile(date: today)
        #expect(clean.breaks.isEmpty, "\(clean.breaks)")
        #expect(clean.matched == 2)
        // Rong loses the record of the incoming credit: a break the next run lists, once.
        try await t.platform.database.execute("DELETE FROM payments_incoming")
        let broken = try await t.payments.reconcile(date: today)
        #expect(broken.breaks.map(\.kind) == [.missingInRong])
        #expect(try await t.payments.reconcile(date: today).breaks.count == 1)
        let resolved = try await t.payments.resolveBreak(by: t.operatorPrincipal, id: broken.breaks[0].id, resolution: "补记入账：核对网银流水后手工补记",
                                                         address: "test")
        #expect(resolved.status == "resolved")
        #expect(try await t.payments.reconciliationBreaks().isEmpty, "no open breaks left")
        try await t.finish()
    }
}
