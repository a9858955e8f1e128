import Accounts
import BankKit
import Identity
import Interbank
import Ledger
import Logging
import Storage

/// e-Pay (工银e支付-style quick pay): merchants create orders; a customer confirms with the
/// reserved mobile, the last six digits of an account and an SMS code bound to the order's
/// amount and payee; the amount is held, then captured; refunds go back to the same account.
/// Every state change is a webhook to the merchant.
///
/// Files: `Merchants.swift`, `MerchantCache.swift`, `Orders.swift`, `Confirmation.swift`, `Refunds.swift`,
/// `EPayLimits.swift`, `Webhooks/`.
public final class PaymentsService: Sendable {
    public let database: Database
    public let ledger: Ledger
    public let identity: IdentityService
    public let accounts: AccountsService
    public let webhooks: WebhookOutbox
    /// The clearing system for transfers to other banks.
    public let clearing: any ClearingNetwork
    public let clock: BankClock
    public let ids: IDGenerator
    public let random: SecureRandom
    /// Development only: let merchants' notification URLs point at loopback and private addresses.
    public let allowPrivateNotifyURLs: Bool
    let logger: Logger
    /// Told of every completed purchase (逸贷 offers after a capture); installed by Lending.
    public let purchaseObserver = InstalledSlot<any PurchaseObserving>()
    /// Merchants and API-key checks remembered between requests (see `MerchantCache`).
    let merchantCache = MerchantCache()

    public init(database: Database, ledger: Ledger, identity: IdentityService, accounts: AccountsService, webhooks: WebhookOutbox,
                clearing: any ClearingNetwork, clock: BankClock, ids: IDGenerator, random: SecureRandom, allowPrivateNotifyURLs: Bool = false,
                logger: Logger) {
        self.clearing = clearing
        self.allowPrivateNotifyURLs = allowPrivateNotifyURLs
        self.database = database
        self.ledger = ledger
        self.identity = identity
        self.accounts = accounts
        self.webhooks = webhooks
        self.clock = clock
        self.ids = ids
        self.random = random
        self.logger = logger
    }
}

extension ErrorCode {
    public static let orderNumberConflict: ErrorCode = "order_number_conflict"
    public static let orderExpired: ErrorCode = "order_expired"
    public static let orderNotPayable: ErrorCode = "order_not_payable"
    public static let orderBeingConfirmed: ErrorCode = "order_being_confirmed"
    public static let payerVerificationFailed: ErrorCode = "payer_verification_failed"
    public static let refundExceedsCaptured: ErrorCode = "refund_exceeds_captured"
    public static let refundNumberConflict: ErrorCode = "refund_number_conflict"
    public static let orderNotRefundable: ErrorCode = "order_not_refundable"
}
