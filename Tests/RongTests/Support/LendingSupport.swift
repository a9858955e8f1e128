import Accounts
import BankKit
import Identity
import Lending
import Payments
import Testing
import RongServer

/// Builds 逸贷 scenarios: a customer with six months of history (so the scorecard approves a
/// line), a merchant, and a purchase that brings an offer.
struct LendingScenario {
    let t: TestPlatform
    let principal: Principal
    let account: EAccount
    let last6: String
    let mobile: String
    let merchant: MerchantCredentials

    var lending: LendingService { t.platform.lending }

    /// Registers on the platform's start date, funds ¥`fundFen` from the bound card and moves
    /// the clock 183 days on (10:00 Asia/Shanghai), so tenure, balance and inflow score.
    static func make(_ t: TestPlatform, fundFen: Int64 = 20_000_00, mobile: String = "13911112222", sequence: Int = 601,
                     accountClass: AccountClass = .classII, merchantSerial: Int = 41) async throws -> LendingScenario {
        let (principal, account) = try await t.customerWithEAccount(accountClass, name: "韩梅梅", idNumber: ResidentIDs.make(birth: "19880512", sequence: sequence),
                                                                    mobile: mobile, cardNumber: Cards.ccb(sequence))
        if fundFen > 0 {
            _ = try await t.accounts.fund(principal, accountID: account.id, amountFen: fundFen, idempotencyKey: "fund-\(sequence)", address: "test")
        }
        t.clock.advance(seconds: 183 * 86_400)
        let merchant = try await t.merchant("上海南京路百货", serial: merchantSerial)
        return LendingScenario(t: t, principal: principal, account: account, last6: String(account.accountNumber.suffix(6)), mobile: mobile, merchant: merchant)
    }

    /// Pays `amountFen` to the merchant with e-Pay (the capture calls Lending's purchase hook).
    @discardableResult
    func purchase(_ amountFen: Int64, number: String) async throws -> PaymentOrder {
        t.clock.advance(seconds: 61)   // one payment code a minute per mobile
        let order = try await t.payments.createOrder(merchant: merchant.merchant, orderNumber: number, amountFen: amountFen, description: "商品 \(number)",
                                                     expiresInSeconds: nil)
        let challenge = try await t.payments.requestPaymentCode(orderID: order.id, mobile: mobile, accountLast6: last6, address: "test")
        return try await t.payments.confirm(orderID: order.id, challengeID: challenge.id, code: try await t.lastCode(mobile), address: "test")
    }

    /// The offer the purchase brought.
    func offer(for order: PaymentOrder) async throws -> LoanOffer {
        guard let offer = try await lending.offers(principal).first(where: { $0.purchaseRef == "epay:\(order.id)" }) else {
            throw TestFailure("no 逸贷 offer for order \(order.orderNumber)")
        }
        return offer
    }

    func balance() async throws -> Int64 {
        try await t.ledger.account(account.id)!.balance.postedCreditBalance
    }

    /// Sets the clock to 00:05 Asia/Shanghai the day after `date` (end of day for `date` may run).
    func afterEndOf(_ date: BusinessDate) {
        t.clock.set(date.adding(days: 1).instant(hour: 0, minute: 5))
    }

    /// The lending steps of end of day for `date`, in the runner's order.
    func endOfDay(_ date: BusinessDate) async throws {
        afterEndOf(date)
        _ = try await lending.resolvePostingEvents()
        _ = try await lending.accruePenalties(for: date)
        _ = try await lending.billDueInstalments(through: date)
        _ = try await lending.autoDebit(on: date)
        _ = try await lending.accrueLines(for: date)
        _ = try await lending.sweepMerchantLines(on: date)
    }

    /// Principal on the loan's ledger account equals the instalments' unpaid principal.
    func checkLoanBooks(_ loanID: RongID) async throws {
        let view = try await lending.view(loanID)
        let unpaid = view.instalments.reduce(Int64(0)) { $0 + $1.principalFen - $1.paidPrincipalFen }
        #expect(view.outstandingPrincipalFen == (view.loan.status == .writtenOff ? 0 : unpaid))
    }
}

/// `BusinessDate` from text in tests.
func lendingDay(_ text: String) -> BusinessDate { try! BusinessDate(iso: text) }
