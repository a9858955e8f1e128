import Accounts
import BankKit
import Identity
import Ledger
import Logging
import Storage

/// Deposits and wealth (e-Bank): the rate table, demand interest, time and 节节高 deposits, the
/// 聚财宝 sweep, wealth products with NAVs, and the suitability questionnaire.
///
/// Files: `Rates.swift`, `InterestMath.swift`, `DemandInterest.swift`, `Deposits.swift`,
/// `Sweep.swift`, `Products/` (catalogue, orders, holdings, suitability), `WealthEndOfDay.swift`.
/// Every balance is a ledger account; these tables hold terms, rates and sub-fen accruals.
public final class WealthService: Sendable {
    public let database: Database
    public let ledger: Ledger
    public let identity: IdentityService
    public let accounts: AccountsService
    public let clock: BankClock
    public let ids: IDGenerator
    public let calendar: BusinessCalendar
    let logger: Logger
    let usage = UsageCounters(table: "wealth_usage", ownerColumn: "account_id")

    public init(database: Database, ledger: Ledger, identity: IdentityService, accounts: AccountsService, clock: BankClock, ids: IDGenerator,
                calendar: BusinessCalendar, logger: Logger) {
        self.database = database
        self.ledger = ledger
        self.identity = identity
        self.accounts = accounts
        self.clock = clock
        self.ids = ids
        self.calendar = calendar
        self.logger = logger
    }

    /// Seeds the 2015-10-24 rate table and opens the bank's own accounts (idempotent).
    public func prepare() async throws {
        for (product, micros) in WealthSchema.seedRates {
            try await database.execute(
                "INSERT INTO wealth_rates (product, effective_from, rate_micros, published_by, published_at) VALUES (?, ?, ?, 'seed:pboc-2015-10-24', 0) ON CONFLICT DO NOTHING",
                [.text(product.rawValue), .text(WealthSchema.seedDate), .int(micros)])
        }
        _ = try await ledger.createAccounts([
            NewAccount(id: WealthLedgerAccounts.interestPayable, asset: .cny, chartCode: WealthChart.interestPayable, ownerRef: "bank:interest-payable"),
            NewAccount(id: WealthLedgerAccounts.interestExpense, asset: .cny, chartCode: WealthChart.interestExpense, ownerRef: "bank:interest-expense"),
            NewAccount(id: WealthLedgerAccounts.sweepFundIncome, asset: .cny, chartCode: WealthChart.fundIncome, ownerRef: "fund:sweep-mmf"),
        ])
        accounts.shortfallCover.install(self)
        accounts.closingHook.install(self)
    }

    /// Today in Asia/Shanghai.
    var today: BusinessDate { BusinessDate(at: clock.now()) }

    /// End-of-day work for `date` runs only once that day has ended (after midnight Asia/Shanghai):
    /// run earlier, it would accrue on a balance still moving and never look again, and pay out
    /// deposits maturing after `date` before their day.
    func requireDayEnded(_ date: BusinessDate) throws(DomainError) {
        guard date < today else {
            throw DomainError(.invalidDate, "End of day for \(date) runs once that day has ended (Asia/Shanghai); today is \(today).", status: 422,
                              extensions: ["field": .string("date")])
        }
    }

    /// One of the customer's own accounts at this bank that may hold deposits and buy products:
    /// Class I or II (a Class III account is for small payments only).
    func investingAccount(_ principal: Principal, id: RongID) async throws -> (Customer, EAccount) {
        let customer = try await accounts.customer(of: principal)
        let view = try await accounts.accountView(principal, id: id)
        guard view.account.accountClass != .classIII else {
            throw DomainError(.accountClassNotAllowed, "A Class III account cannot hold deposits or buy wealth products; use a Class I or II account.",
                              status: 422, extensions: ["account_class": .string(view.account.accountClass.rawValue)])
        }
        try AccountsService.checkCanSend(view.account)
        return (customer, view.account)
    }
}
