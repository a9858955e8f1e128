import BankKit
import Identity
import Ledger
import Storage

/// The seam other modules pay through: e-Pay, and later the mall, the online cashier and bill
/// payment. A payment is spending for the class limits; a refund comes back exempt (it returns
/// the customer's own money) but still within a Class III balance cap.
extension AccountsService {
    /// The active customer holding the reserved `mobile` and their open account whose number ends
    /// with `last6` (quick-pay authentication), read together in one query.
    public func payer(mobile: String, accountEndingWith last6: String) async throws -> (customer: Customer, account: EAccount)? {
        guard last6.count == 6, last6.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let rows = try await database.query(
            "\(AccountsService.payerSelect) WHERE c.mobile = ? AND c.status = 'active' AND a.status <> 'closed' LIMIT 50", [.text(mobile)])
        return rows.lazy.map(AccountsService.payer).first { $0.account.accountNumber.hasSuffix(last6) }
    }

    /// A customer and one of their accounts, read together (the payer an order recorded);
    /// nil when either is gone or the account is not the customer's.
    public func payer(customerID: RongID, accountID: RongID) async throws -> (customer: Customer, account: EAccount)? {
        try await database.first("\(AccountsService.payerSelect) WHERE c.id = ? AND a.id = ?", [.id(customerID), .id(accountID)])
            .map(AccountsService.payer)
    }

    /// Customer columns as they are, account columns renamed `a_…` (both tables have `id` and `status`).
    static let payerSelect = """
        SELECT \(SQLColumns.qualified(customerColumns, table: "c")), \(SQLColumns.qualified(eAccountColumns, table: "a", renamedWith: "a_"))
        FROM accounts_customers c JOIN accounts_e_accounts a ON a.customer_id = c.id
        """

    static func payer(_ row: SQLRow) -> (customer: Customer, account: EAccount) {
        (AccountsService.customer(row), AccountsService.eAccount(row, prefix: "a_"))
    }

    /// The customer holding this reserved mobile (quick pay identifies the payer by it).
    public func customer(mobile: String) async throws -> Customer? {
        try await database.first("SELECT \(AccountsService.customerColumns) FROM accounts_customers WHERE mobile = ? AND status = 'active'", [.text(mobile)])
            .map(AccountsService.customer)
    }

    /// Reserves a payment's class limits (spending) inside the caller's transaction, after checking
    /// there that the account can send, so the caller commits the reservation with its own state
    /// change (e-Pay: the spent code and the order's claim). Then `holdReservedSpending`.
    public func reserveSpending(_ tx: any SQLSession, _ account: EAccount, amountFen: Int64, on date: BusinessDate) async throws {
        guard let row = try await tx.first("SELECT status FROM accounts_e_accounts WHERE id = ?", [.id(account.id)]) else {
            throw DomainError.notFound("Account")
        }
        try AccountsService.checkCanSend(status: row.text("status"))
        try await reserve(tx, charges(account, .spending, .outbound), amountFen: amountFen, on: date)
    }

    /// Holds `amountFen` on `account` for a payment to `payeeAccountID` whose limits the caller
    /// reserved with `reserveSpending`. Throws the refusal (funds, frozen); a refusal releases the
    /// class limits and runs `undoInTransaction` in the same transaction. With `captureID`, the
    /// hold's capture goes in the same ledger submission (one commit, not two); returns true when
    /// it was captured there. On a repeat (the ledger has the hold already) the new reservation is
    /// given back the same way; call `captureSpending` when it returns false.
    @discardableResult
    public func holdReservedSpending(_ account: EAccount, amountFen: Int64, payeeAccountID: RongID, holdID: RongID, timeoutSeconds: Int64,
                                     memo: String, on date: BusinessDate, captureID: RongID? = nil,
                                     undoInTransaction: (@Sendable (any SQLSession) async throws -> Void)? = nil) async throws -> Bool {
        let charges = charges(account, .spending, .outbound)
        return try await locks.withLock([account.id]) {
            let results = try await submitHold(account, charges: charges, amountFen: amountFen, payeeAccountID: payeeAccountID, holdID: holdID,
                                               code: AccountsTransferCode.spending, timeoutSeconds: timeoutSeconds, memo: memo, on: date,
                                               postID: captureID, undoInTransaction: undoInTransaction)
            if results[0].status == .exists { try await giveBack(charges, amountFen: amountFen, on: date, undoInTransaction: undoInTransaction) }
            return results.count == 2 && results[1].isSuccess
        }
    }

    /// Holds money leaving `account` (a transfer to another bank), counting it against the limits
    /// of `category` (reserved on `date`). Idempotent on `holdID`. With `postID` the hold is posted
    /// in full in the same ledger submission; returns true when it was.
    @discardableResult
    public func holdOutflow(_ account: EAccount, category: MovementCategory, amountFen: Int64, payeeAccountID: RongID, holdID: RongID,
                            code: Int, timeoutSeconds: Int64, memo: String, on date: BusinessDate, postID: RongID? = nil) async throws -> Bool {
        let charges = charges(account, category, .outbound)
        return try await locks.withLock([account.id]) {
            if try await ledger.transfer(holdID) != nil { return false }
            guard let current = try await eAccount(id: account.id) else { throw DomainError.notFound("Account") }
            try AccountsService.checkCanSend(current)
            try await database.batchedTransaction { [self] tx in try await reserve(tx, charges, amountFen: amountFen, on: date) }
            let results = try await submitHold(current, charges: charges, amountFen: amountFen, payeeAccountID: payeeAccountID, holdID: holdID,
                                               code: code, timeoutSeconds: timeoutSeconds, memo: memo, on: date, postID: postID, undoInTransaction: nil)
            return results.count == 2 && results[1].isSuccess
        }
    }

    /// The ledger half of a hold whose limits are reserved (called under the account's lock). When
    /// the balance is short, the shortfall cover (a money-fund redemption) runs and the hold is
    /// tried once more; a refusal then gives the limits back and throws.
    private func submitHold(_ account: EAccount, charges: [LimitCharge], amountFen: Int64, payeeAccountID: RongID, holdID: RongID, code: Int,
                            timeoutSeconds: Int64, memo: String, on date: BusinessDate, postID: RongID?,
                            undoInTransaction: (@Sendable (any SQLSession) async throws -> Void)?) async throws -> [TransferResult] {
        var transfers = [TransferRequest(id: holdID, debitAccountID: account.id, creditAccountID: payeeAccountID, amount: amountFen,
                                         asset: "CNY", code: code, flags: [.pending],
                                         timeoutSeconds: timeoutSeconds, metadata: AccountsService.memo(memo))]
        if let postID { transfers.append(TransferRequest(id: postID, code: code, flags: [.postPending], pendingID: holdID)) }
        var results = try await ledger.submit(transfers)
        if results[0].status == .exceedsCredits, await coverShortfall(account, amountFen: amountFen) {
            results = try await ledger.submit(transfers)
        }
        guard results[0].isSuccess else {
            try await giveBack(charges, amountFen: amountFen, on: date, undoInTransaction: undoInTransaction)
            throw AccountsService.refusal(results[0].status)
        }
        return results
    }

    /// Releases reserved limits and runs the caller's undo, in one transaction.
    private func giveBack(_ charges: [LimitCharge], amountFen: Int64, on date: BusinessDate,
                          undoInTransaction: (@Sendable (any SQLSession) async throws -> Void)?) async throws {
        try await database.batchedTransaction { [self] tx in
            try await release(tx, charges, amountFen: amountFen, on: date)
            try await undoInTransaction?(tx)
        }
    }

    /// Posts or voids an outflow hold; a void gives the limits of `category` back.
    public func settleOutflow(_ account: EAccount, category: MovementCategory, holdID: RongID, resultID: RongID, post: Bool, code: Int,
                              amountFen: Int64, reservedOn date: BusinessDate) async throws {
        let result = try await ledger.submit([TransferRequest(id: resultID, code: code, flags: post ? [.postPending] : [.voidPending], pendingID: holdID)])[0]
        guard result.isSuccess else { throw AccountsService.refusal(result.status) }
        if !post && result.status == .ok { try await release(charges(account, category, .outbound), amountFen: amountFen, on: date) }
    }

    /// Credits money from outside (another bank's customer) to `account`, within its inbound
    /// limits and Class III balance cap. Idempotent on `transferID`.
    public func creditInbound(_ account: EAccount, fromAccountID: RongID, amountFen: Int64, transferID: RongID, code: Int, memo: String,
                              on date: BusinessDate) async throws {
        let charges = charges(account, .nonBound, .inbound)
        try await locks.withLock([account.id]) {
            if try await ledger.transfer(transferID) != nil { return }
            guard account.status != "closed" else { throw AccountsService.closed }
            try await checkBalanceCap(account, incomingFen: amountFen)
            try await database.batchedTransaction { [self] tx in try await reserve(tx, charges, amountFen: amountFen, on: date) }
            let result = try await ledger.submit([.posted(id: transferID, from: fromAccountID, to: account.id, amount: amountFen, code: code,
                                                          metadata: AccountsService.memo(memo))])[0]
            guard result.isSuccess else {
                try await release(charges, amountFen: amountFen, on: date)
                throw AccountsService.refusal(result.status)
            }
        }
    }

    /// Gives back class limits reserved with `reserveSpending` for a payment that never reached the
    /// ledger, inside the caller's transaction (which returns the payment to its unpaid state).
    public func releaseReservedSpending(_ tx: any SQLSession, _ account: EAccount, amountFen: Int64, reservedOn date: BusinessDate) async throws {
        try await release(tx, charges(account, .spending, .outbound), amountFen: amountFen, on: date)
    }

    /// Posts a spending hold (the payment is captured).
    public func captureSpending(holdID: RongID, captureID: RongID) async throws {
        let result = try await ledger.submit([TransferRequest(id: captureID, code: AccountsTransferCode.spending, flags: [.postPending], pendingID: holdID)])[0]
        guard result.isSuccess else { throw AccountsService.refusal(result.status) }
    }

    /// Voids a spending hold and gives its limits back.
    public func releaseSpending(_ account: EAccount, holdID: RongID, voidID: RongID, amountFen: Int64, reservedOn date: BusinessDate) async throws {
        let result = try await ledger.submit([TransferRequest(id: voidID, code: AccountsTransferCode.spending, flags: [.voidPending], pendingID: holdID)])[0]
        if result.isSuccess { try await release(charges(account, .spending, .outbound), amountFen: amountFen, on: date) }
    }

    /// Returns money from a payee to the customer's account (a refund). Idempotent on `refundID`.
    public func refundSpending(_ account: EAccount, fromAccountID: RongID, amountFen: Int64, refundID: RongID, memo: String) async throws {
        try await creditFromBank(account, fromAccountID: fromAccountID, amountFen: amountFen, transferID: refundID,
                                 code: AccountsTransferCode.refund, memo: memo)
    }

    /// Credits `account` from one of the bank's own ledger accounts (a refund, a loan
    /// disbursement), within the Class III balance cap. Idempotent on `transferID`.
    public func creditFromBank(_ account: EAccount, fromAccountID: RongID, amountFen: Int64, transferID: RongID, code: Int,
                               memo: String) async throws {
        try await locks.withLock([account.id]) {
            if try await ledger.transfer(transferID) == nil {
                guard account.status != "closed" else { throw AccountsService.closed }
                try await checkBalanceCap(account, incomingFen: amountFen)
            }
            let result = try await ledger.submit([.posted(id: transferID, from: fromAccountID, to: account.id, amount: amountFen,
                                                          code: code, metadata: AccountsService.memo(memo))])[0]
            guard result.isSuccess else { throw AccountsService.refusal(result.status) }
        }
    }

    /// Submits transfers (a linked chain, or independent ones) and throws the refusal of the
    /// first that failed; repeats count as done. A failed chain reports the transfer that broke
    /// it, not its partners.
    public func post(_ transfers: [TransferRequest]) async throws {
        guard !transfers.isEmpty else { return }
        let results = try await ledger.submit(transfers)
        if let refused = results.first(where: { !$0.isSuccess && $0.status != .linkedEventFailed }) {
            throw AccountsService.refusal(refused.status)
        }
    }

    /// The customer-facing error for a ledger refusal of a movement (every module moving a
    /// customer's money maps refusals through this one).
    public static func refusal(_ status: TransferStatus) -> DomainError {
        switch status {
        case .exceedsCredits: DomainError(.insufficientFunds, "The account does not have enough available balance.", status: 422)
        case .debitAccountClosed, .creditAccountClosed: closed
        case .existsWithDifferentFields:
            DomainError(.idempotencyConflict, "This movement was already made with other details; it was not made again.", status: 409)
        default: DomainError(.internalError, "The ledger refused the movement (\(status.rawValue)).", status: 500)
        }
    }
}
