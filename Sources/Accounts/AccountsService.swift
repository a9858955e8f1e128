import BankKit
import Identity
import Interbank
import Ledger
import Logging
import Storage

/// Customers, their bound accounts and e-accounts, and every movement of an e-account.
///
/// Split by concern across files: `Registration.swift`, `Binding.swift`, `EAccounts.swift`,
/// `Movements.swift`, `Limits.swift`, `Controls.swift`.
public final class AccountsService: Sendable {
    public static let boundAccountsMax = 10
    public static let movementMaxFen: Int64 = 1_000_000_00
    public static let idempotencyKeyMaxLength = 64
    public static let termsVersion = "2026-01"

    public let database: Database
    public let ledger: Ledger
    public let identity: IdentityService
    public let interbank: any InterbankNetwork
    public let clock: BankClock
    public let ids: IDGenerator
    public let random: SecureRandom
    let logger: Logger
    let locks = KeyedLock()
    /// Brings swept money back when a payment needs it (installed by Wealth).
    public let shortfallCover = InstalledSlot<any ShortfallCovering>()
    /// Work before an account closes (installed by Wealth: interest to the day before, deposits).
    public let closingHook = InstalledSlot<any AccountClosingHook>()

    /// The bank's clearing position at the central bank (存放中央银行款项), the other side of interbank flows.
    public static let clearingAccountID = RongID.derived("system", "account", "interbank-clearing")
    /// Branch cash (库存现金), the other side of counter cash deposits.
    public static let cashAccountID = RongID.derived("system", "account", "branch-cash")

    public init(database: Database, ledger: Ledger, identity: IdentityService, interbank: any InterbankNetwork,
                clock: BankClock, ids: IDGenerator, random: SecureRandom, logger: Logger) {
        self.database = database
        self.ledger = ledger
        self.identity = identity
        self.interbank = interbank
        self.clock = clock
        self.ids = ids
        self.random = random
        self.logger = logger
    }

    /// Creates the bank's own ledger accounts this module moves money against (idempotent).
    public func prepare() async throws {
        _ = try await ledger.createAccounts([
            NewAccount(id: AccountsService.clearingAccountID, asset: .cny, chartCode: ChartOfAccounts.dueFromCentralBank, ownerRef: "bank:interbank-clearing"),
            NewAccount(id: AccountsService.cashAccountID, asset: .cny, chartCode: "1001", ownerRef: "bank:branch-cash"),
        ])
    }

    // MARK: Lookups

    static let customerColumns = "id, user_id, name, id_number, mobile, birth_date, branch_code, status, created_at"

    static func customer(_ row: SQLRow) -> Customer {
        Customer(id: row.id("id"), userID: row.id("user_id"), name: row.text("name"), idNumber: row.text("id_number"),
                 mobile: row.text("mobile"), birthDate: row.date("birth_date"), branchCode: row.text("branch_code"),
                 status: row.text("status"), createdAt: row.time("created_at"))
    }

    /// The customer record of a signed-in customer.
    public func customer(of principal: Principal) async throws -> Customer {
        guard principal.role == .customer,
              let row = try await database.first("SELECT \(AccountsService.customerColumns) FROM accounts_customers WHERE user_id = ?",
                                                 [.id(principal.userID)]) else {
            throw DomainError(.customerNotFound, "No customer profile belongs to this sign-in.", status: 404)
        }
        return AccountsService.customer(row)
    }

    public func customer(id: RongID) async throws -> Customer? {
        try await database.first("SELECT \(AccountsService.customerColumns) FROM accounts_customers WHERE id = ?", [.id(id)])
            .map(AccountsService.customer)
    }

    static let eAccountColumns = "id, customer_id, account_class, account_number, bound_account_id, status, opened_at, opened_channel"

    static func eAccount(_ row: SQLRow) -> EAccount { eAccount(row, prefix: "") }

    /// Maps an e-account read with its columns renamed `<prefix><column>` (a join with customers).
    static func eAccount(_ row: SQLRow, prefix: String) -> EAccount {
        EAccount(id: row.id(prefix + "id"), customerID: row.id(prefix + "customer_id"),
                 accountClass: AccountClass(rawValue: row.text(prefix + "account_class")) ?? .classII,
                 accountNumber: row.text(prefix + "account_number"), boundAccountID: row.optionalID(prefix + "bound_account_id"),
                 status: row.text(prefix + "status"), openedAt: row.time(prefix + "opened_at"), openedChannel: row.text(prefix + "opened_channel"))
    }

    public func eAccount(id: RongID) async throws -> EAccount? {
        try await database.first("SELECT \(AccountsService.eAccountColumns) FROM accounts_e_accounts WHERE id = ?", [.id(id)])
            .map(AccountsService.eAccount)
    }

    public func eAccount(number: String) async throws -> EAccount? {
        try await database.first("SELECT \(AccountsService.eAccountColumns) FROM accounts_e_accounts WHERE account_number = ?", [.text(number)])
            .map(AccountsService.eAccount)
    }

    /// An account of `customer`, or 404 — another customer's account is indistinguishable from a missing one.
    func ownedAccount(_ id: RongID, of customer: Customer) async throws -> EAccount {
        guard let account = try await eAccount(id: id), account.customerID == customer.id else { throw DomainError.notFound("Account") }
        return account
    }

    static let boundColumns = "id, customer_id, bank_code, bank_name, account_number, status, bound_at"

    static func bound(_ row: SQLRow) -> BoundAccount {
        BoundAccount(id: row.id("id"), customerID: row.id("customer_id"), bankCode: row.text("bank_code"), bankName: row.text("bank_name"),
                     accountNumber: row.text("account_number"), status: row.text("status"), boundAt: row.time("bound_at"))
    }

    public func boundAccount(id: RongID) async throws -> BoundAccount? {
        try await database.first("SELECT \(AccountsService.boundColumns) FROM accounts_bound_accounts WHERE id = ?", [.id(id)])
            .map(AccountsService.bound)
    }

    /// The ledger balances of an account.
    public func view(_ account: EAccount) async throws -> EAccountView {
        let balance = try await ledger.account(account.id)?.balance ?? AccountBalance()
        return EAccountView(account: account, balanceFen: balance.postedCreditBalance, availableFen: balance.availableCreditBalance)
    }

    /// The `Idempotency-Key` of a request that moves money: required, 1–64 printable characters.
    public static func validateIdempotencyKey(_ key: String?) throws(DomainError) -> String {
        guard let key, !key.isEmpty, key.count <= idempotencyKeyMaxLength,
              key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
            throw DomainError(.invalidRequest, "An Idempotency-Key header (1–64 printable characters) is required for requests that move money.",
                              status: 400, extensions: ["field": .string("Idempotency-Key")])
        }
        return key
    }

    /// An amount a customer may move in one request: 1 fen to ¥1,000,000.00.
    public static func validateAmount(_ amountFen: Int64) throws(DomainError) {
        guard amountFen > 0, amountFen <= movementMaxFen else {
            throw DomainError(.invalidAmount, "The amount must be between 1 fen and ¥1,000,000.00.", status: 422,
                              extensions: ["field": .string("amount_fen")])
        }
    }
}
