import Accounts
import BankKit
import Foundation
import Identity
import Ledger
import Logging
import Payments
import Storage

/// Financing (DOMAIN.md §5): 逸贷 consumer instalment loans offered after a purchase, merchant
/// 逸贷 revolving lines sized from acquiring turnover, and 网贷通 SME revolving loans.
///
/// Files: `Decisioning.swift` (scorecard inputs from the bank's books), `EasyLoanOffers.swift`
/// (offer after a purchase, quote, accept and disburse), `Loans.swift` (views, billing,
/// penalty, automatic debit), `Repayments.swift`, `CreditLines.swift` (merchant 逸贷, 网贷通),
/// `LoanBook.swift` (operators: book, delinquency, write-off), `LendingEndOfDay.swift`.
///
/// Every balance is a ledger account: each loan and line has a principal account (its own id,
/// chart 1303) and a receivable account (chart 1132) for interest, fees and penalty due. Both
/// are debit-normal and flagged so that more can never be repaid than is owed.
public final class LendingService: Sendable {
    public let database: Database
    public let ledger: Ledger
    public let identity: IdentityService
    public let accounts: AccountsService
    public let payments: PaymentsService
    public let clock: BankClock
    public let ids: IDGenerator
    public let scorecard: Scorecard
    let logger: Logger
    /// Serialises checks and movements per loan or line within this process.
    let locks = KeyedLock()

    public init(database: Database, ledger: Ledger, identity: IdentityService, accounts: AccountsService, payments: PaymentsService,
                clock: BankClock, ids: IDGenerator, scorecard: Scorecard = .consumer, logger: Logger) {
        self.database = database
        self.ledger = ledger
        self.identity = identity
        self.accounts = accounts
        self.payments = payments
        self.clock = clock
        self.ids = ids
        self.scorecard = scorecard
        self.logger = logger
    }

    /// Opens the bank's income and loss accounts and listens for purchases (idempotent).
    public func prepare() async throws {
        _ = try await ledger.createAccounts([
            NewAccount(id: LendingLedgerAccounts.interestIncome, asset: .cny, chartCode: LendingChart.interestIncome, ownerRef: "bank:loan-interest-income"),
            NewAccount(id: LendingLedgerAccounts.penaltyIncome, asset: .cny, chartCode: LendingChart.penaltyIncome, ownerRef: "bank:loan-penalty-income"),
            NewAccount(id: LendingLedgerAccounts.feeIncome, asset: .cny, chartCode: LendingChart.feeIncome, ownerRef: "bank:loan-fee-income"),
            NewAccount(id: LendingLedgerAccounts.writeOffLoss, asset: .cny, chartCode: LendingChart.writeOffLoss, ownerRef: "bank:loan-write-off"),
        ])
        payments.purchaseObserver.install(self)
    }

    /// Today in Asia/Shanghai.
    var today: BusinessDate { clock.businessDate() }

    /// Opens the principal and receivable accounts of a new loan or line.
    func openLedgerAccounts(for id: RongID, ownerRef: String) async throws {
        for status in try await ledger.createAccounts([
            NewAccount(id: id, asset: .cny, chartCode: LendingChart.loanPrincipal, ownerRef: ownerRef, flags: [.creditsMustNotExceedDebits]),
            NewAccount(id: LendingLedgerAccounts.receivable(of: id), asset: .cny, chartCode: LendingChart.interestReceivable, ownerRef: ownerRef,
                       flags: [.creditsMustNotExceedDebits]),
        ]) where status != .ok && status != .exists {
            throw DomainError(.internalError, "Could not open the loan's ledger accounts (\(status.rawValue)).", status: 500)
        }
    }

    /// The debit balance of a debit-normal account (principal or receivable).
    func debitBalance(_ id: RongID) async throws -> Int64 {
        try await ledger.account(id)?.balance.postedDebitBalance ?? 0
    }

    /// Posts one transfer whose amount was worked out from state that may since have moved on: a
    /// transfer already booked under `id` (an interrupted run) stands, whatever amount it had.
    /// Returns the amount booked.
    func postOnce(id: RongID, from debit: RongID, to credit: RongID, amountFen: Int64, code: Int, memo: String) async throws -> Int64 {
        if let existing = try await ledger.transfer(id) { return existing.amount }
        guard amountFen > 0 else { return 0 }
        try await accounts.post([.posted(id: id, from: debit, to: credit, amount: amountFen, code: code, metadata: AccountsService.memo(memo))])
        return amountFen
    }
}
