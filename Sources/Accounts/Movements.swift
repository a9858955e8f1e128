import BankKit
import Identity
import Interbank
import Ledger
import Storage

/// Funding from and withdrawal to the bound account, and transfers to other accounts of this bank.
///
/// Every movement is a row keyed by (account, Idempotency-Key) written before any money moves:
/// the same key and body answer with the stored result, another body with 409, and a movement
/// cut off half-way (a crash between the interbank leg and the ledger leg) resumes on the
/// retry — the interbank message id and the ledger transfer ids are derived from the movement
/// id, so neither leg can happen twice.
extension AccountsService {
    /// A bound-account hold voids itself after this long if the process dies before settling it.
    static let withdrawalHoldSeconds: Int64 = 3600

    public func fund(_ principal: Principal, accountID: RongID, amountFen: Int64, idempotencyKey: String?, address: String) async throws -> Movement {
        try await boundMovement(principal, accountID: accountID, kind: .funding, amountFen: amountFen, idempotencyKey: idempotencyKey) { account in
            guard account.status != "closed" else { throw AccountsService.closed }
            try await self.checkBalanceCap(account, incomingFen: amountFen)
        } perform: { id, account, bound, name in
            try await self.performFunding(id, account: account, bound: bound, amountFen: amountFen, customerName: name)
        }
    }

    public func withdraw(_ principal: Principal, accountID: RongID, amountFen: Int64, idempotencyKey: String?, address: String) async throws -> Movement {
        try await boundMovement(principal, accountID: accountID, kind: .withdrawal, amountFen: amountFen, idempotencyKey: idempotencyKey) { account in
            try AccountsService.checkCanSend(account)
        } perform: { id, account, bound, name in
            try await self.performWithdrawal(id, account: account, bound: bound, amountFen: amountFen, customerName: name)
        }
    }

    /// A movement with the bound account: validate, then under the account's lock answer a
    /// finished movement again, or check (`precheck`) and record a new one, then run its legs.
    private func boundMovement(_ principal: Principal, accountID: RongID, kind: Movement.Kind, amountFen: Int64, idempotencyKey: String?,
                               precheck: @escaping @Sendable (EAccount) async throws -> Void,
                               perform: @escaping @Sendable (RongID, EAccount, BoundAccount, String) async throws -> Movement) async throws -> Movement {
        let (account, bound) = try await onlineAccountAndBound(principal, accountID)
        try AccountsService.validateAmount(amountFen)
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        let id = RongID.derived("accounts.movement", account.id.description, key)
        let hash = Array("\(kind.rawValue)|\(amountFen)".utf8)
        let customerName = try await customer(of: principal).name
        return try await locks.withLock([account.id]) {
            if let existing = try await existingMovement(id, hash: hash), existing.status != .pending { return try AccountsService.outcome(existing) }
            else if try await movement(id) == nil {
                try await precheck(account)
                try await database.transaction { tx in
                    try await insertMovement(tx, id: id, account: account, kind: kind, hash: hash, amountFen: amountFen,
                                             counterparty: (bound.accountNumber, "", bound.bankCode))
                }
            }
            return try await perform(id, account, bound, customerName)
        }
    }

    /// The funding's money legs, once its row exists (first call, client retry, or recovery).
    func performFunding(_ id: RongID, account: EAccount, bound: BoundAccount, amountFen: Int64, customerName: String) async throws -> Movement {
        let transferID = RongID.derived("accounts.movement.ledger", id.description)
        let memo = "绑定账户转入 from \(bound.bankName) \(AccountNumberFormat.masked(bound.accountNumber))"
        if bound.isThisBank {
            guard let source = try await eAccount(number: bound.accountNumber) else { return try await fail(id, .boundAccountNotFound, "The bound account no longer exists.") }
            guard source.status == "active" else { return try await fail(id, .accountFrozen, "The bound account cannot send money now.") }
            let result = try await ledger.submit([.posted(id: transferID, from: source.id, to: account.id, amount: amountFen,
                                                          code: AccountsTransferCode.fundingThisBank, metadata: AccountsService.memo(memo))])[0]
            return try await settle(id, result, transferID)
        }
        let receipt = try await interbank.debit(DebitInstruction(
            messageID: id, bankCode: bound.bankCode, debtorAccountNumber: bound.accountNumber, debtorName: customerName,
            creditorAccountNumber: account.accountNumber, creditorName: customerName, amountFen: amountFen, remittanceInfo: "融e行账户充值"))
        if case .rejected(let reasonCode, let reason) = receipt.status {
            return try await fail(id, .interbankRejected, "\(bound.bankName) refused the debit: \(reason) (\(reasonCode)).")
        }
        let result = try await ledger.submit([.posted(id: transferID, from: AccountsService.clearingAccountID, to: account.id, amount: amountFen,
                                                      code: AccountsTransferCode.fundingInterbank, metadata: AccountsService.memo(memo))])[0]
        return try await settle(id, result, transferID)
    }

    /// The withdrawal's money legs, once its row exists (first call, client retry, or recovery).
    func performWithdrawal(_ id: RongID, account: EAccount, bound: BoundAccount, amountFen: Int64, customerName: String) async throws -> Movement {
        let transferID = RongID.derived("accounts.movement.ledger", id.description)
        let memo = "转出至绑定账户 to \(bound.bankName) \(AccountNumberFormat.masked(bound.accountNumber))"
        if try await ledger.transfer(transferID) == nil { await coverShortfall(account, amountFen: amountFen) }
        if bound.isThisBank {
            guard let target = try await eAccount(number: bound.accountNumber) else { return try await fail(id, .boundAccountNotFound, "The bound account no longer exists.") }
            let result = try await ledger.submit([.posted(id: transferID, from: account.id, to: target.id, amount: amountFen,
                                                          code: AccountsTransferCode.withdrawalThisBank, metadata: AccountsService.memo(memo))])[0]
            return try await settle(id, result, transferID)
        }
        // Hold the money, pay it out through the network, then post or void the hold.
        let holdID = RongID.derived("accounts.movement.hold", id.description)
        let hold = try await ledger.submit([TransferRequest(id: holdID, debitAccountID: account.id, creditAccountID: AccountsService.clearingAccountID,
                                                            amount: amountFen, asset: "CNY", code: AccountsTransferCode.withdrawalInterbank,
                                                            flags: [.pending], timeoutSeconds: AccountsService.withdrawalHoldSeconds,
                                                            metadata: AccountsService.memo(memo))])[0]
        guard hold.isSuccess else { return try await settle(id, hold, holdID) }
        let receipt = try await interbank.credit(CreditInstruction(
            messageID: id, bankCode: bound.bankCode, creditorAccountNumber: bound.accountNumber, creditorName: customerName,
            debtorAccountNumber: account.accountNumber, debtorName: customerName, amountFen: amountFen, remittanceInfo: "融e行账户提现"))
        if case .rejected(let reasonCode, let reason) = receipt.status {
            _ = try await ledger.submit([TransferRequest(id: RongID.derived("accounts.movement.void", id.description), code: AccountsTransferCode.withdrawalInterbank,
                                                         flags: [.voidPending], pendingID: holdID)])
            return try await fail(id, .interbankRejected, "\(bound.bankName) refused the credit: \(reason) (\(reasonCode)).")
        }
        let post = try await ledger.submit([TransferRequest(id: transferID, code: AccountsTransferCode.withdrawalInterbank, flags: [.postPending],
                                                            pendingID: holdID)])[0]
        return try await settle(id, post, transferID)
    }

    /// Pays another account of this bank by number and holder name (户名校验). A payee never paid
    /// before needs a step-up code (`new_payee`); limits count on both sides unless the payee is
    /// the payer's own bound account (or the other way round).
    public func transfer(_ principal: Principal, accountID: RongID, payeeAccountNumber: String, payeeName: String, amountFen: Int64,
                         memo: String?, otpChallengeID: RongID?, otpCode: String?, idempotencyKey: String?, address: String) async throws -> Movement {
        let customer = try await customer(of: principal)
        let account = try await ownedAccount(accountID, of: customer)
        try AccountsService.validateAmount(amountFen)
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        let note = try AccountsService.validateMemo(memo)
        guard let payee = try await eAccount(number: payeeAccountNumber), payee.status != "closed",
              let payeeCustomer = try await self.customer(id: payee.customerID) else {
            throw DomainError(.payeeNotFound, "No open account with this number at this bank.", status: 422, extensions: ["field": .string("payee_account_number")])
        }
        guard payeeCustomer.name == payeeName.trimmingCharacters(in: .whitespaces) else {
            throw DomainError(.payeeNameMismatch, "The payee name does not match the account.", status: 422, extensions: ["field": .string("payee_name")])
        }
        guard payee.id != account.id else {
            throw DomainError(.invalidRequest, "Payer and payee are the same account.", status: 422, extensions: ["field": .string("payee_account_number")])
        }
        let id = RongID.derived("accounts.movement", account.id.description, key)
        let hash = Array("transfer|\(amountFen)|\(payee.accountNumber)|\(payeeCustomer.name)|\(note)".utf8)
        let (outCategory, inCategory) = try await transferCategories(account, payee)
        // Refusals that need no code come first, so they do not waste the customer's code.
        if try await movement(id) == nil { try AccountsService.checkCanSend(account) }
        if try await movement(id) == nil, outCategory == .nonBound, try await !hasPaid(customer, payee.accountNumber) {
            guard let otpChallengeID, let otpCode else {
                throw DomainError(.stepUpRequired, "A new payee needs a verification code: request one with purpose new_payee.", status: 403,
                                  extensions: ["purpose": .string(OTPPurpose.newPayee.rawValue)])
            }
            try await identity.verifyStepUp(principal, purpose: .newPayee, challengeID: otpChallengeID, code: otpCode, context: "payee:\(payee.accountNumber)")
        }
        let charges = charges(account, outCategory, .outbound) + charges(payee, inCategory, .inbound)
        return try await locks.withLock([account.id, payee.id]) {
            if let existing = try await existingMovement(id, hash: hash), existing.status != .pending { return try AccountsService.outcome(existing) }
            else if try await movement(id) == nil {
                try AccountsService.checkCanSend(account)
                try await checkBalanceCap(payee, incomingFen: amountFen)
                try await database.transaction { tx in
                    try await reserve(tx, charges, amountFen: amountFen, on: clock.businessDate())
                    try await insertMovement(tx, id: id, account: account, kind: .transferOut, hash: hash, amountFen: amountFen,
                                             counterparty: (payee.accountNumber, payeeCustomer.name, ThisBank.bankCode))
                }
            }
            let transferID = RongID.derived("accounts.movement.ledger", id.description)
            if try await ledger.transfer(transferID) == nil { await coverShortfall(account, amountFen: amountFen) }
            let text = note.isEmpty ? "转账 \(customer.name) → \(payeeCustomer.name)" : note
            let result = try await ledger.submit([.posted(id: transferID, from: account.id, to: payee.id, amount: amountFen,
                                                          code: AccountsTransferCode.transferThisBank, metadata: AccountsService.memo(text))])[0]
            let movement = try await settle(id, result, transferID, releasing: charges)
            return movement
        }
    }

    /// Sends the step-up code for a new payee (bound to the payee's account number).
    public func requestNewPayeeCode(_ principal: Principal, payeeAccountNumber: String) async throws -> OTPChallenge {
        _ = try await customer(of: principal)
        return try await identity.requestStepUp(principal, purpose: .newPayee, context: "payee:\(payeeAccountNumber)")
    }

    /// Recent movements of an account, newest first.
    public func movements(_ principal: Principal, accountID: RongID, limit: Int = 50) async throws -> [Movement] {
        let account = try await ownedAccount(accountID, of: customer(of: principal))
        return try await database.query("SELECT \(AccountsService.movementColumns) FROM accounts_movements WHERE e_account_id = ? ORDER BY created_at DESC LIMIT ?",
                                        [.id(account.id), .int(max(1, min(limit, 200)))]).map(AccountsService.movement)
    }

    // MARK: Steps

    func onlineAccountAndBound(_ principal: Principal, _ accountID: RongID) async throws -> (EAccount, BoundAccount) {
        let account = try await ownedAccount(accountID, of: customer(of: principal))
        guard account.accountClass != .classI, let boundID = account.boundAccountID, let bound = try await boundAccount(id: boundID) else {
            throw DomainError(.invalidRequest, "Only Class II and III e-accounts move money with a bound account.", status: 422)
        }
        return (account, bound)
    }

    /// Refuses a frozen or closed account as the payer.
    public static func checkCanSend(_ account: EAccount) throws(DomainError) {
        try checkCanSend(status: account.status)
    }

    static func checkCanSend(status: String) throws(DomainError) {
        switch status {
        case "frozen": throw DomainError(.accountFrozen, "The account is frozen and cannot send money.", status: 422)
        case "closed": throw closed
        default: break
        }
    }

    static let closed = DomainError(.accountClosed, "The account is closed.", status: 422)

    static func validateMemo(_ memo: String?) throws(DomainError) -> String {
        let text = memo ?? ""
        guard text.count <= 60, !text.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw DomainError(.invalidRequest, "The memo is at most 60 characters.", status: 422, extensions: ["field": .string("memo")])
        }
        return text
    }

    func hasPaid(_ customer: Customer, _ accountNumber: String) async throws -> Bool {
        try await database.first(
            """
            SELECT m.id FROM accounts_movements m JOIN accounts_e_accounts a ON a.id = m.e_account_id
            WHERE a.customer_id = ? AND m.kind = 'transfer_out' AND m.status = 'completed' AND m.counterparty_account = ? LIMIT 1
            """, [.id(customer.id), .text(accountNumber)]) != nil
    }

    static let movementColumns = """
        id, e_account_id, kind, amount_fen, counterparty_account, counterparty_name, counterparty_bank, status, failure_code, failure_detail,
        ledger_transfer_id, created_at, completed_at
        """

    static func movement(_ row: SQLRow) -> Movement {
        Movement(id: row.id("id"), eAccountID: row.id("e_account_id"), kind: Movement.Kind(rawValue: row.text("kind")) ?? .funding,
                 amountFen: row.int("amount_fen"), counterpartyAccount: row.text("counterparty_account"), counterpartyName: row.text("counterparty_name"),
                 counterpartyBank: row.text("counterparty_bank"), status: Movement.Status(rawValue: row.text("status")) ?? .pending,
                 failureCode: row.optionalText("failure_code"), failureDetail: row.optionalText("failure_detail"),
                 ledgerTransferID: row.optionalID("ledger_transfer_id"), createdAt: row.time("created_at"),
                 completedAt: row.optionalInt("completed_at").map { Timestamp(nanosecondsSinceEpoch: $0) })
    }

    func movement(_ id: RongID) async throws -> Movement? {
        try await database.first("SELECT \(AccountsService.movementColumns) FROM accounts_movements WHERE id = ?", [.id(id)]).map(AccountsService.movement)
    }

    /// The stored movement for this id; 409 when the same key came with another body.
    func existingMovement(_ id: RongID, hash: [UInt8]) async throws -> Movement? {
        guard let row = try await database.first("SELECT request_hash FROM accounts_movements WHERE id = ?", [.id(id)]) else { return nil }
        guard case .blob(let stored) = row["request_hash"], stored == hash else {
            throw DomainError(.idempotencyConflict, "This Idempotency-Key was used with a different request.", status: 409)
        }
        return try await movement(id)
    }

    func insertMovement(_ tx: any SQLSession, id: RongID, account: EAccount, kind: Movement.Kind, hash: [UInt8], amountFen: Int64,
                        counterparty: (account: String, name: String, bank: String)) async throws {
        try await tx.execute(
            """
            INSERT INTO accounts_movements (id, e_account_id, kind, request_hash, amount_fen, counterparty_account, counterparty_name, counterparty_bank,
                                            status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
            """,
            [.id(id), .id(account.id), .text(kind.rawValue), .blob(hash), .int(amountFen), .text(counterparty.account), .text(counterparty.name),
             .text(counterparty.bank), .time(clock.now())])
    }

    /// Records the ledger's answer: completed, or failed with the customer-facing code (limits given back).
    func settle(_ id: RongID, _ result: TransferResult, _ transferID: RongID, releasing charges: [LimitCharge] = []) async throws -> Movement {
        if result.isSuccess {
            try await database.execute("UPDATE accounts_movements SET status = 'completed', ledger_transfer_id = ?, completed_at = ? WHERE id = ? AND status = 'pending'",
                                       [.id(transferID), .time(clock.now()), .id(id)])
            return try await movement(id)!
        }
        let refusal = AccountsService.refusal(result.status)
        return try await fail(id, refusal.code, refusal.detail, releasing: charges)
    }

    func fail(_ id: RongID, _ code: ErrorCode, _ detail: String, releasing charges: [LimitCharge] = []) async throws -> Movement {
        if let movement = try await movement(id), movement.status == .pending {
            try await release(charges, amountFen: movement.amountFen, on: BusinessDate(at: movement.createdAt))
            try await database.execute("UPDATE accounts_movements SET status = 'failed', failure_code = ?, failure_detail = ?, completed_at = ? WHERE id = ? AND status = 'pending'",
                                       [.text(code.rawValue), .text(detail), .time(clock.now()), .id(id)])
        }
        return try AccountsService.outcome(try await movement(id)!)
    }

    /// A completed movement, or its stored failure as the error it was the first time.
    static func outcome(_ movement: Movement) throws -> Movement {
        if movement.status == .failed {
            let code = ErrorCode(rawValue: movement.failureCode ?? "internal_error")
            throw DomainError(code, movement.failureDetail ?? "The movement failed.", status: code == .internalError ? 500 : 422,
                              extensions: ["movement_id": .string(movement.id.description)])
        }
        return movement
    }
}

extension AccountsService {
    /// Movements older than this still pending were cut off (a crash, a lost connection) and are resumed.
    public static let resumeAfterSeconds: Int64 = 60

    /// Finishes movements a crash left half-way, so a customer who never retries is not left with
    /// money paid out at the other bank and a hold that would void itself (or a debit never
    /// credited). Every leg is idempotent on ids derived from the movement, so resuming a
    /// movement another request is also finishing moves nothing twice. Bounded; returns how many
    /// it looked at.
    public func resumePendingMovements(limit: Int = 100) async throws -> Int {
        let rows = try await database.query(
            "SELECT \(AccountsService.movementColumns) FROM accounts_movements WHERE status = 'pending' AND created_at <= ? ORDER BY created_at LIMIT ?",
            [.time(clock.now().adding(seconds: -AccountsService.resumeAfterSeconds)), .int(limit)])
        for movement in rows.map(AccountsService.movement) {
            guard let account = try await eAccount(id: movement.eAccountID), let customer = try await customer(id: account.customerID) else { continue }
            do {
                try await locks.withLock([account.id]) {
                    guard try await self.movement(movement.id)?.status == .pending else { return }
                    switch movement.kind {
                    case .funding, .withdrawal:
                        guard let boundID = account.boundAccountID, let bound = try await boundAccount(id: boundID) else {
                            _ = try? await fail(movement.id, .boundAccountNotFound, "The bound account no longer exists.")
                            return
                        }
                        _ = movement.kind == .funding
                            ? try await performFunding(movement.id, account: account, bound: bound, amountFen: movement.amountFen, customerName: customer.name)
                            : try await performWithdrawal(movement.id, account: account, bound: bound, amountFen: movement.amountFen, customerName: customer.name)
                    case .transferOut:
                        // One ledger leg: it either happened (complete) or not (fail and give the limits back).
                        let transferID = RongID.derived("accounts.movement.ledger", movement.id.description)
                        if try await ledger.transfer(transferID) != nil {
                            try await database.execute(
                                "UPDATE accounts_movements SET status = 'completed', ledger_transfer_id = ?, completed_at = ? WHERE id = ? AND status = 'pending'",
                                [.id(transferID), .time(clock.now()), .id(movement.id)])
                        } else if let payee = try await eAccount(number: movement.counterpartyAccount) {
                            let charges = try await transferCharges(account, payee)
                            _ = try? await fail(movement.id, .unavailable, "The transfer was interrupted and has been cancelled; nothing moved.", releasing: charges)
                        }
                    }
                }
            } catch {
                logger.warning("resuming a movement failed; it will be tried again", metadata: ["movement": "\(movement.id)", "error": "\(error)"])
            }
        }
        return rows.count
    }

    /// How a transfer between two accounts of this bank counts on each side: with the bound
    /// account when the other side is one's own bound Class I account, else non-bound.
    func transferCategories(_ account: EAccount, _ payee: EAccount) async throws -> (out: MovementCategory, in: MovementCategory) {
        func isBound(_ owner: EAccount, to other: EAccount) async throws -> Bool {
            guard let boundID = owner.boundAccountID, let bound = try await boundAccount(id: boundID) else { return false }
            return bound.isThisBank && bound.accountNumber == other.accountNumber
        }
        return (try await isBound(account, to: payee) ? .bound : .nonBound, try await isBound(payee, to: account) ? .bound : .nonBound)
    }

    /// The limits a transfer between two accounts of this bank counted against.
    func transferCharges(_ account: EAccount, _ payee: EAccount) async throws -> [LimitCharge] {
        let (outCategory, inCategory) = try await transferCategories(account, payee)
        return charges(account, outCategory, .outbound) + charges(payee, inCategory, .inbound)
    }
}
