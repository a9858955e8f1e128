import BankKit

/// Flags of a ledger account (TigerBeetle's model).
public struct AccountFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// A liability held for a customer: it may never go below zero.
    public static let debitsMustNotExceedCredits = AccountFlags(rawValue: 1)
    /// An asset-side account that may never go above zero from the bank's view.
    public static let creditsMustNotExceedDebits = AccountFlags(rawValue: 2)
    /// No transfer may touch a closed account.
    public static let closed = AccountFlags(rawValue: 4)

    public var names: [String] {
        var names: [String] = []
        if contains(.debitsMustNotExceedCredits) { names.append("debits_must_not_exceed_credits") }
        if contains(.creditsMustNotExceedDebits) { names.append("credits_must_not_exceed_debits") }
        if contains(.closed) { names.append("closed") }
        return names
    }

    public static func parse(_ names: [String]) throws(DomainError) -> AccountFlags {
        var flags: AccountFlags = []
        for name in names {
            switch name {
            case "debits_must_not_exceed_credits": flags.insert(.debitsMustNotExceedCredits)
            case "credits_must_not_exceed_debits": flags.insert(.creditsMustNotExceedDebits)
            default: throw DomainError(.invalidRequest, "Unknown account flag '\(name.prefix(40))'.", status: 422)
            }
        }
        return flags
    }
}

/// Flags of a transfer.
public struct TransferFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// Commits or fails together with the next transfer of the same submission.
    public static let linked = TransferFlags(rawValue: 1)
    /// Reserves the amount (a hold) until posted, voided or expired.
    public static let pending = TransferFlags(rawValue: 2)
    /// Posts (all or part of) the pending transfer named by `pendingID`.
    public static let postPending = TransferFlags(rawValue: 4)
    /// Releases the pending transfer named by `pendingID`.
    public static let voidPending = TransferFlags(rawValue: 8)
    /// Marks the expiry sweep's void of a hold whose timeout has passed (only with `voidPending`).
    public static let expired = TransferFlags(rawValue: 16)

    public var names: [String] {
        var names: [String] = []
        if contains(.linked) { names.append("linked") }
        if contains(.pending) { names.append("pending") }
        if contains(.postPending) { names.append("post_pending") }
        if contains(.voidPending) { names.append("void_pending") }
        if contains(.expired) { names.append("expired") }
        return names
    }

    public static func parse(_ names: [String]) throws(DomainError) -> TransferFlags {
        var flags: TransferFlags = []
        for name in names {
            switch name {
            case "linked": flags.insert(.linked)
            case "pending": flags.insert(.pending)
            case "post_pending": flags.insert(.postPending)
            case "void_pending": flags.insert(.voidPending)
            default: throw DomainError(.invalidRequest, "Unknown transfer flag '\(name.prefix(40))'.", status: 422)
            }
        }
        return flags
    }
}

/// Balances of one account, in the asset's minor unit.
public struct AccountBalance: Sendable, Hashable, Codable {
    public var debitsPending: Int64
    public var debitsPosted: Int64
    public var creditsPending: Int64
    public var creditsPosted: Int64

    public init(debitsPending: Int64 = 0, debitsPosted: Int64 = 0, creditsPending: Int64 = 0, creditsPosted: Int64 = 0) {
        self.debitsPending = debitsPending
        self.debitsPosted = debitsPosted
        self.creditsPending = creditsPending
        self.creditsPosted = creditsPosted
    }

    /// Posted balance on the credit side (what a customer deposit account "holds").
    public var postedCreditBalance: Int64 { creditsPosted &- debitsPosted }
    /// Posted balance on the debit side (what a loan or receivable account is owed).
    public var postedDebitBalance: Int64 { debitsPosted &- creditsPosted }
    /// What a credit-normal account can still spend: posted minus outgoing holds.
    public var availableCreditBalance: Int64 { creditsPosted &- debitsPosted &- debitsPending }
}

/// A new account to open.
public struct NewAccount: Sendable, Hashable, Codable {
    public var id: RongID
    public var asset: String
    /// Chart-of-accounts code, e.g. `2011` customer demand deposits, `1002` due from central bank.
    public var chartCode: String
    /// Who or what the account belongs to, e.g. `customer:0190…` (opaque to the ledger).
    public var ownerRef: String
    public var flags: AccountFlags

    public init(id: RongID, asset: Asset, chartCode: String, ownerRef: String, flags: AccountFlags = []) {
        self.id = id
        self.asset = asset.code
        self.chartCode = chartCode
        self.ownerRef = ownerRef
        self.flags = flags
    }
}

/// An account as stored, with its balances.
public struct LedgerAccount: Sendable, Hashable {
    public let id: RongID
    public let asset: String
    public let chartCode: String
    public let ownerRef: String
    public let flags: AccountFlags
    public let balance: AccountBalance
    public let createdAt: Timestamp
}

/// A transfer to submit. Fields not used by a kind of transfer stay nil.
public struct TransferRequest: Sendable, Hashable {
    /// Chosen by the client; submitting the same id again is idempotent.
    public var id: RongID
    public var debitAccountID: RongID?
    public var creditAccountID: RongID?
    /// Minor units; nil on a post means "the whole pending amount".
    public var amount: Int64?
    public var asset: String?
    /// Business reason code (1–65535), chosen by the module (e.g. 1001 deposit, 2001 e-Pay capture).
    public var code: Int
    public var flags: TransferFlags
    public var pendingID: RongID?
    /// Pending transfers only: seconds until the hold voids itself; 0 = no expiry.
    public var timeoutSeconds: Int64
    /// Small free-form text (JSON by convention), at most `LedgerLimits.metadataBytesMax`.
    public var metadata: String?

    public init(id: RongID, debitAccountID: RongID? = nil, creditAccountID: RongID? = nil, amount: Int64? = nil,
                asset: String? = nil, code: Int = 1, flags: TransferFlags = [], pendingID: RongID? = nil,
                timeoutSeconds: Int64 = 0, metadata: String? = nil) {
        self.id = id
        self.debitAccountID = debitAccountID
        self.creditAccountID = creditAccountID
        self.amount = amount
        self.asset = asset
        self.code = code
        self.flags = flags
        self.pendingID = pendingID
        self.timeoutSeconds = timeoutSeconds
        self.metadata = metadata
    }

    /// A plain posted transfer.
    public static func posted(id: RongID, from debit: RongID, to credit: RongID, amount: Int64, asset: Asset = .cny,
                              code: Int = 1, linked: Bool = false, metadata: String? = nil) -> TransferRequest {
        TransferRequest(id: id, debitAccountID: debit, creditAccountID: credit, amount: amount, asset: asset.code,
                        code: code, flags: linked ? [.linked] : [], metadata: metadata)
    }
}

/// A committed transfer, with each side's posted balance right after it.
public struct StoredTransfer: Sendable, Hashable {
    public let id: RongID
    public let debitAccountID: RongID
    public let creditAccountID: RongID
    public let amount: Int64
    public let asset: String
    public let code: Int
    public let flags: TransferFlags
    public let pendingID: RongID?
    public let timeoutSeconds: Int64
    public let metadata: String?
    /// Commit order: unique, increasing nanoseconds.
    public let timestamp: Timestamp
    /// Debit account's credits minus debits posted after this transfer.
    public let debitBalanceAfter: Int64
    /// Credit account's credits minus debits posted after this transfer.
    public let creditBalanceAfter: Int64
}

/// The outcome of one transfer: a stable code, the transfer, and both accounts' balances after it.
public struct TransferResult: Sendable, Hashable {
    public let id: RongID
    public let status: TransferStatus
    public let transfer: StoredTransfer?
    public let debitBalance: AccountBalance?
    public let creditBalance: AccountBalance?

    public var isSuccess: Bool { status == .ok || status == .exists }
}

/// Result codes of a transfer, as the API writes them.
public enum TransferStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case ok
    case exists
    case existsWithDifferentFields = "exists_with_different_fields"
    case linkedEventFailed = "linked_event_failed"
    case linkedEventChainOpen = "linked_event_chain_open"
    case idMustNotBeZero = "id_must_not_be_zero"
    case flagsAreMutuallyExclusive = "flags_are_mutually_exclusive"
    case amountMustBePositive = "amount_must_be_positive"
    case accountsMustBeDifferent = "accounts_must_be_different"
    case debitAccountRequired = "debit_account_required"
    case creditAccountRequired = "credit_account_required"
    case debitAccountNotFound = "debit_account_not_found"
    case creditAccountNotFound = "credit_account_not_found"
    case unknownAsset = "unknown_asset"
    case accountsMustHaveSameAsset = "accounts_must_have_same_asset"
    case transferAssetMismatch = "transfer_asset_mismatch"
    case debitAccountClosed = "debit_account_closed"
    case creditAccountClosed = "credit_account_closed"
    case exceedsCredits = "exceeds_credits"
    case exceedsDebits = "exceeds_debits"
    case overflow
    case codeOutOfRange = "code_out_of_range"
    case metadataTooLarge = "metadata_too_large"
    case timeoutReservedForPendingTransfer = "timeout_reserved_for_pending_transfer"
    case timeoutTooLong = "timeout_too_long"
    case pendingIDRequired = "pending_id_required"
    case pendingIDMustBeEmpty = "pending_id_must_be_empty"
    case pendingTransferNotFound = "pending_transfer_not_found"
    case pendingTransferNotPending = "pending_transfer_not_pending"
    case pendingTransferAlreadyPosted = "pending_transfer_already_posted"
    case pendingTransferAlreadyVoided = "pending_transfer_already_voided"
    case pendingTransferExpired = "pending_transfer_expired"
    case pendingTransferNotExpired = "pending_transfer_not_expired"
    case pendingTransferHasDifferentAccounts = "pending_transfer_has_different_accounts"
    case pendingTransferHasDifferentAsset = "pending_transfer_has_different_asset"
    case exceedsPendingTransferAmount = "exceeds_pending_transfer_amount"
}

/// The outcome of opening one account.
public enum AccountCreateStatus: String, Sendable, Hashable, Codable {
    case ok
    case exists
    case existsWithDifferentFields = "exists_with_different_fields"
    case idMustNotBeZero = "id_must_not_be_zero"
    case unknownAsset = "unknown_asset"
    case flagsAreMutuallyExclusive = "flags_are_mutually_exclusive"
    case chartCodeInvalid = "chart_code_invalid"
    case ownerRefTooLong = "owner_ref_too_long"
}

/// Limits of the ledger, named next to the code that needs them.
public enum LedgerLimits {
    /// Transfers in one submission (TigerBeetle's batch size).
    public static let eventsPerSubmissionMax = 8190
    /// Transfers committed in one database transaction: up to four full submissions. A larger
    /// batch rewrites each account it touches once for more transfers (with 10,000 accounts,
    /// a batch of 8,190 updates about 8,000 of them).
    public static let eventsPerBatchMax = 4 * 8190
    /// Transfers waiting for the writer before submissions are refused (backpressure).
    public static let queuedEventsMax = 1_000_000
    public static let metadataBytesMax = 1024
    /// A hold may last at most 30 days.
    public static let pendingTimeoutSecondsMax: Int64 = 30 * 86_400
    public static let chartCodeLengthMax = 16
    public static let ownerRefLengthMax = 128
    /// Statement page size.
    public static let statementPageMax = 500
    /// SQLite: transfers not yet in `ledger_entries` before the writer catches up even under
    /// load (it also catches up whenever it is idle). Statements scan at most this many extra rows.
    public static let unindexedTransfersMax = 65_536
    /// Expired holds voided per sweep.
    public static let expirySweepMax = 1000
}

/// Chart-of-accounts codes Rong uses (after the PRC bank chart: 1xxx assets, 2xxx liabilities).
/// Modules add theirs here so a code means one thing everywhere.
public enum ChartOfAccounts {
    /// 存放中央银行款项: the bank's clearing position, the funding side of deposits.
    public static let dueFromCentralBank = "1003"
    /// 活期存款 (个人): customer demand deposits.
    public static let customerDemandDeposits = "2011"
    /// 活期存款 (单位): merchant settlement accounts.
    public static let merchantSettlement = "2012"
}
