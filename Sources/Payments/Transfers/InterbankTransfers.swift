import Accounts
import BankKit
import Foundation
import Identity
import Interbank
import Ledger
import Storage

/// When an interbank transfer leaves (the anti-fraud choice of 银发〔2016〕261号).
public enum TransferTiming: String, Sendable, Codable, CaseIterable {
    case realTime = "real_time"
    /// "Normal": held now, sent two hours later (time to cancel a fraud).
    case twoHours = "two_hours"
    /// Held now, sent at the start of the next natural day (Asia/Shanghai).
    case nextDay = "next_day"
}

/// A transfer from an e-account to an account at another bank.
public struct InterbankTransfer: Sendable, Hashable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Held on the account, waiting for its release time.
        case accepted
        /// Handed to the clearing house (settled, queued, or not yet confirmed).
        case sent
        case settled
        /// Refused by the clearing house or the creditor's bank; the hold was released.
        case rejected
        /// Settled, then sent back by the creditor's bank; the money was credited back.
        case returned
        /// Refused here before anything was sent (funds, limits, frozen).
        case failed
    }
    public let id: RongID
    public let customerID: RongID
    public let eAccountID: RongID
    public let amountFen: Int64
    public let creditor: ClearingParty
    public let memo: String
    public let timing: TransferTiming
    public let status: Status
    public let releaseAt: Timestamp
    public let path: ClearingPath?
    public let failureCode: String?
    public let failureDetail: String?
    public let createdAt: Timestamp
    public let sentAt: Timestamp?
    public let settledAt: Timestamp?
}

/// A saved payee (收款人), added with a step-up code.
public struct Payee: Sendable, Hashable {
    public let id: RongID
    public let name: String
    public let accountNumber: String
    public let bankCode: String
    public let createdAt: Timestamp
}

extension PaymentsService {
    /// A hold for an interbank transfer outlives the longest large-value queue (a Spring Festival week).
    static let transferHoldSeconds: Int64 = 15 * 86_400
    /// How often an unconfirmed transfer's status is asked, and how long and how often a settled one is watched for a return.
    static let sentCheckSeconds: Int64 = 5
    static let settledCheckSeconds: Int64 = 600
    static let returnWatchSeconds: Int64 = 3 * 86_400

    static let transferColumns = """
        id, customer_id, e_account_id, amount_fen, creditor_name, creditor_account, creditor_bank_code, memo, timing, status, release_at,
        clearing_path, failure_code, failure_detail, reserved_on, created_at, sent_at, settled_at
        """

    static func transfer(_ row: SQLRow) -> InterbankTransfer {
        InterbankTransfer(id: row.id("id"), customerID: row.id("customer_id"), eAccountID: row.id("e_account_id"), amountFen: row.int("amount_fen"),
                          creditor: ClearingParty(name: row.text("creditor_name"), accountNumber: row.text("creditor_account"),
                                                  bankCode: row.text("creditor_bank_code")),
                          memo: row.text("memo"), timing: TransferTiming(rawValue: row.text("timing")) ?? .realTime,
                          status: InterbankTransfer.Status(rawValue: row.text("status")) ?? .accepted, releaseAt: row.time("release_at"),
                          path: row.optionalText("clearing_path").flatMap(ClearingPath.init(rawValue:)), failureCode: row.optionalText("failure_code"),
                          failureDetail: row.optionalText("failure_detail"), createdAt: row.time("created_at"),
                          sentAt: row.optionalInt("sent_at").map(Timestamp.init(nanosecondsSinceEpoch:)),
                          settledAt: row.optionalInt("settled_at").map(Timestamp.init(nanosecondsSinceEpoch:)))
    }

    public func interbankTransfer(id: RongID) async throws -> InterbankTransfer? {
        try await database.first("SELECT \(PaymentsService.transferColumns) FROM payments_transfers WHERE id = ?", [.id(id)]).map(PaymentsService.transfer)
    }

    /// The customer's own transfer (another customer's answers 404).
    public func interbankTransfer(_ principal: Principal, id: RongID) async throws -> InterbankTransfer {
        let customer = try await accounts.customer(of: principal)
        guard let transfer = try await interbankTransfer(id: id), transfer.customerID == customer.id else { throw DomainError.notFound("Transfer") }
        return transfer
    }

    public func interbankTransfers(_ principal: Principal, limit: Int = 50) async throws -> [InterbankTransfer] {
        let customer = try await accounts.customer(of: principal)
        return try await database.query("SELECT \(PaymentsService.transferColumns) FROM payments_transfers WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                                        [.id(customer.id), .int(max(1, min(limit, 200)))]).map(PaymentsService.transfer)
    }

    /// Sends money to an account at another bank. A payee not saved before needs a `new_payee`
    /// step-up code and is saved. The amount is held at once (counted against the account's
    /// non-bound outflow limits) and sent now, in two hours or tomorrow as `timing` says.
    /// Idempotent on the Idempotency-Key.
    public func transferToOtherBank(_ principal: Principal, accountID: RongID, creditor: ClearingParty, amountFen: Int64, timing: TransferTiming,
                                    memo: String?, otpChallengeID: RongID?, otpCode: String?, idempotencyKey: String?,
                                    address: String) async throws -> InterbankTransfer {
        let customer = try await accounts.customer(of: principal)
        let account = try await accounts.accountView(principal, id: accountID).account
        let key = try AccountsService.validateIdempotencyKey(idempotencyKey)
        try AccountsService.validateAmount(amountFen)
        let creditor = try await validateCreditor(creditor)
        let note = String((memo ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(60))
        let id = RongID.derived("payments.transfer", account.id.description, key)
        let hash = Array("\(amountFen)|\(creditor.bankCode)|\(creditor.accountNumber)|\(creditor.name)|\(timing.rawValue)|\(note)".utf8)
        if let row = try await database.first("SELECT request_hash FROM payments_transfers WHERE id = ?", [.id(id)]) {
            guard case .blob(let stored) = row["request_hash"], stored == hash else {
                throw DomainError(.idempotencyConflict, "This Idempotency-Key was used with a different request.", status: 409)
            }
            return try PaymentsService.outcome(try await interbankTransfer(id: id)!)
        }
        if try await !isSavedPayee(customer, creditor) {
            guard let otpChallengeID, let otpCode else {
                throw DomainError(.stepUpRequired, "A new payee needs a verification code: request one with purpose new_payee.", status: 403,
                                  extensions: ["purpose": .string(OTPPurpose.newPayee.rawValue)])
            }
            try await identity.verifyStepUp(principal, purpose: .newPayee, challengeID: otpChallengeID, code: otpCode,
                                            context: PaymentsService.payeeContext(creditor))
            _ = try await savePayee(customer, creditor, actor: principal.actorRef, address: address)
        }
        let now = clock.now()
        let date = clock.businessDate()
        let releaseAt: Timestamp = switch timing {
        case .realTime: now
        case .twoHours: now.adding(seconds: 7200)
        case .nextDay: date.adding(days: 1).startInstant
        }
        try await database.execute(
            """
            INSERT INTO payments_transfers (id, customer_id, e_account_id, request_hash, amount_fen, creditor_name, creditor_account, creditor_bank_code,
                                            memo, timing, status, release_at, reserved_on, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?, ?)
            """,
            [.id(id), .id(customer.id), .id(account.id), .blob(hash), .int(amountFen), .text(creditor.name), .text(creditor.accountNumber),
             .text(creditor.bankCode), .text(note), .text(timing.rawValue), .time(releaseAt), .date(date), .time(now)])
        do {
            try await accounts.holdOutflow(account, category: .nonBound, amountFen: amountFen, payeeAccountID: AccountsService.clearingAccountID,
                                           holdID: PaymentsService.holdID(id), code: AccountsTransferCode.interbankTransferOut,
                                           timeoutSeconds: PaymentsService.transferHoldSeconds,
                                           memo: "跨行转账 \(creditor.name) \(AccountNumberFormat.masked(creditor.accountNumber))", on: date)
        } catch let error as DomainError {
            try await database.execute("UPDATE payments_transfers SET status = 'failed', failure_code = ?, failure_detail = ?, completed_at = ? WHERE id = ?",
                                       [.text(error.code.rawValue), .text(error.detail), .time(clock.now()), .id(id)])
            throw error
        }
        try await identity.audit.record(actor: principal.actorRef, action: "transfer.interbank", target: "transfer:\(id)", address: address,
                                        detail: "amount=\(amountFen) bank=\(creditor.bankCode) timing=\(timing.rawValue)")
        if timing == .realTime { try await send(id) }
        return try PaymentsService.outcome(try await interbankTransfer(id: id)!)
    }

    /// Hands a released transfer to the clearing house and applies its answer. A call that
    /// fails or times out leaves the transfer `sent`; `checkTransfers` then asks the clearing
    /// house where it stands before anything is sent again — never a double debit.
    func send(_ id: RongID) async throws {
        let now = clock.now()
        let claimed = try await database.execute(
            "UPDATE payments_transfers SET status = 'sent', sent_at = ?, checked_at = ? WHERE id = ? AND status = 'accepted' AND release_at <= ?",
            [.time(now), .time(now), .id(id), .time(now)])
        guard claimed == 1, let transfer = try await interbankTransfer(id: id) else { return }
        try await transmit(transfer)
    }

    private func transmit(_ transfer: InterbankTransfer) async throws {
        guard let account = try await accounts.eAccount(id: transfer.eAccountID), let customer = try await accounts.customer(id: transfer.customerID) else { return }
        let instruction = CreditTransferInstruction(
            messageID: transfer.id, amountFen: transfer.amountFen,
            debtor: ClearingParty(name: customer.name, accountNumber: account.accountNumber, bankCode: ThisBank.bankCode),
            creditor: transfer.creditor, remittanceInfo: transfer.memo.isEmpty ? "转账" : transfer.memo)
        let report: ClearingReport
        do {
            report = try await clearing.send(instruction)
        } catch {
            logger.warning("clearing house did not answer; the transfer's status will be queried", metadata: ["transfer": "\(transfer.id)", "error": "\(error)"])
            return
        }
        try await apply(report, to: transfer)
    }

    /// Applies a status report: post the hold on settlement, release it on rejection, credit the
    /// money back on a return; a report of "unknown" means the message never arrived, so it is sent again.
    func apply(_ report: ClearingReport, to transfer: InterbankTransfer) async throws {
        guard let account = try await accounts.eAccount(id: transfer.eAccountID) else { return }
        let reservedOn = try await database.first("SELECT reserved_on FROM payments_transfers WHERE id = ?", [.id(transfer.id)])!.date("reserved_on")
        let now = clock.now()
        switch report.status {
        case .pending:
            try await database.execute("UPDATE payments_transfers SET clearing_path = ?, checked_at = ? WHERE id = ?",
                                       [.text(report.path.rawValue), .time(now), .id(transfer.id)])
        case .settled:
            guard transfer.status == .sent else { return }
            try await accounts.settleOutflow(account, category: .nonBound, holdID: PaymentsService.holdID(transfer.id), resultID: PaymentsService.postID(transfer.id),
                                             post: true, code: AccountsTransferCode.interbankTransferOut, amountFen: transfer.amountFen, reservedOn: reservedOn)
            try await database.execute(
                "UPDATE payments_transfers SET status = 'settled', clearing_path = ?, settled_at = ?, checked_at = ? WHERE id = ? AND status = 'sent'",
                [.text(report.path.rawValue), .time(report.at), .time(now), .id(transfer.id)])
        case .rejected(let code, let reason):
            guard transfer.status == .sent else { return }
            try await accounts.settleOutflow(account, category: .nonBound, holdID: PaymentsService.holdID(transfer.id), resultID: PaymentsService.voidID(transfer.id),
                                             post: false, code: AccountsTransferCode.interbankTransferOut, amountFen: transfer.amountFen, reservedOn: reservedOn)
            try await database.execute(
                """
                UPDATE payments_transfers SET status = 'rejected', clearing_path = ?, failure_code = ?, failure_detail = ?, completed_at = ?, checked_at = ?
                WHERE id = ? AND status = 'sent'
                """, [.text(report.path.rawValue), .text(code), .text(reason), .time(now), .time(now), .id(transfer.id)])
        case .returned(let code, let reason):
            guard transfer.status == .sent || transfer.status == .settled else { return }
            if transfer.status == .sent {
                try await accounts.settleOutflow(account, category: .nonBound, holdID: PaymentsService.holdID(transfer.id),
                                                 resultID: PaymentsService.postID(transfer.id), post: true, code: AccountsTransferCode.interbankTransferOut,
                                                 amountFen: transfer.amountFen, reservedOn: reservedOn)
            }
            try await accounts.refundSpending(account, fromAccountID: AccountsService.clearingAccountID, amountFen: transfer.amountFen,
                                              refundID: RongID.derived("payments.transfer.return", transfer.id.description),
                                              memo: "跨行转账退回 \(reason)")
            try await database.execute(
                """
                UPDATE payments_transfers SET status = 'returned', failure_code = ?, failure_detail = ?, completed_at = ?, checked_at = ?
                WHERE id = ? AND status IN ('sent', 'settled')
                """, [.text(code), .text(reason), .time(now), .time(now), .id(transfer.id)])
        case .unknown:
            try await database.execute("UPDATE payments_transfers SET checked_at = ? WHERE id = ?", [.time(now), .id(transfer.id)])
            try await transmit(transfer)
        }
    }

    /// Releases transfers whose time has come and asks about those not yet final (bounded).
    /// Runs every second in the server and as an end-of-day step. Returns how many it touched.
    public func checkTransfers(limit: Int = 100) async throws -> Int {
        let now = clock.now()
        let due = try await database.query("SELECT id FROM payments_transfers WHERE status = 'accepted' AND release_at <= ? ORDER BY release_at LIMIT ?",
                                           [.time(now), .int(limit)])
        for row in due { try await send(row.id("id")) }
        // Sent transfers not confirmed (asked every 5 s), and settled ones for three days, asked
        // every 10 minutes (a return may follow).
        let open = try await database.query(
            """
            SELECT \(PaymentsService.transferColumns) FROM payments_transfers
            WHERE (status = 'sent' AND (checked_at IS NULL OR checked_at <= ?))
               OR (status = 'settled' AND settled_at > ? AND (checked_at IS NULL OR checked_at <= ?))
            ORDER BY created_at LIMIT ?
            """, [.time(now.adding(seconds: -PaymentsService.sentCheckSeconds)), .time(now.adding(seconds: -PaymentsService.returnWatchSeconds)),
                  .time(now.adding(seconds: -PaymentsService.settledCheckSeconds)), .int(limit)])
        for row in open {
            let transfer = PaymentsService.transfer(row)
            do {
                try await apply(try await clearing.status(messageID: transfer.id), to: transfer)
            } catch {
                logger.warning("status query failed", metadata: ["transfer": "\(transfer.id)", "error": "\(error)"])
            }
        }
        return due.count + open.count
    }

    /// Credits from other banks: each goes to the named account when it exists, is open, the
    /// name matches and its limits allow; otherwise it goes back (pacs.004) with the reason.
    public func processIncoming(limit: Int = 100) async throws -> Int {
        let credits = try await clearing.incoming(limit: limit)
        for credit in credits {
            if let done = try await database.first("SELECT outcome, reason_code FROM payments_incoming WHERE message_id = ?", [.id(credit.messageID)]) {
                // Answered before but the acknowledgement may have been lost: answer the same again.
                let outcome: IncomingOutcome = done.text("outcome") == "credited" ? .credited
                    : .returned(reasonCode: done.optionalText("reason_code") ?? "NARR", reason: "returned")
                try await clearing.acknowledge(credit.messageID, outcome: outcome)
                continue
            }
            let outcome = await creditIncoming(credit)
            let (text, reason): (String, String?) = switch outcome {
            case .credited: ("credited", nil)
            case .returned(let code, _): ("returned", code)
            }
            try await database.execute(
                """
                INSERT INTO payments_incoming (message_id, amount_fen, creditor_account, debtor_name, debtor_account, debtor_bank_code, outcome, reason_code,
                                               received_at, processed_at, business_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.id(credit.messageID), .int(credit.amountFen), .text(credit.creditor.accountNumber), .text(credit.debtor.name),
                 .text(credit.debtor.accountNumber), .text(credit.debtor.bankCode), .text(text), .text(reason), .time(credit.receivedAt),
                 .time(clock.now()), .date(clock.businessDate())])
            try await clearing.acknowledge(credit.messageID, outcome: outcome)
        }
        return credits.count
    }

    private func creditIncoming(_ credit: IncomingCredit) async -> IncomingOutcome {
        do {
            guard let account = try await accounts.eAccount(number: credit.creditor.accountNumber) else {
                return .returned(reasonCode: "AC01", reason: "no such account")
            }
            guard account.status != "closed" else { return .returned(reasonCode: "AC04", reason: "account closed") }
            guard let holder = try await accounts.customer(id: account.customerID), holder.name == credit.creditor.name else {
                return .returned(reasonCode: "BE01", reason: "name does not match the account")
            }
            try await accounts.creditInbound(account, fromAccountID: AccountsService.clearingAccountID, amountFen: credit.amountFen,
                                             transferID: RongID.derived("payments.incoming", credit.messageID.description),
                                             code: AccountsTransferCode.interbankTransferIn,
                                             memo: "跨行转入 \(credit.debtor.name) \(credit.remittanceInfo)", on: clock.businessDate())
            return .credited
        } catch let error as DomainError where error.code == .limitExceeded {
            return .returned(reasonCode: "AG01", reason: "the account's limits do not allow it")
        } catch {
            return .returned(reasonCode: "NARR", reason: "could not be credited")
        }
    }

    // MARK: Payees

    public func payees(_ principal: Principal) async throws -> [Payee] {
        let customer = try await accounts.customer(of: principal)
        return try await database.query("SELECT id, name, account_number, bank_code, created_at FROM payments_payees WHERE customer_id = ? ORDER BY created_at LIMIT 200",
                                        [.id(customer.id)]).map {
            Payee(id: $0.id("id"), name: $0.text("name"), accountNumber: $0.text("account_number"), bankCode: $0.text("bank_code"), createdAt: $0.time("created_at"))
        }
    }

    /// Sends the step-up code for adding this payee.
    public func requestPayeeCode(_ principal: Principal, creditor: ClearingParty) async throws -> OTPChallenge {
        _ = try await accounts.customer(of: principal)
        return try await identity.requestStepUp(principal, purpose: .newPayee, context: PaymentsService.payeeContext(try await validateCreditor(creditor)))
    }

    /// Saves a payee with a step-up code (without sending money).
    public func addPayee(_ principal: Principal, creditor: ClearingParty, otpChallengeID: RongID, otpCode: String, address: String) async throws -> Payee {
        let customer = try await accounts.customer(of: principal)
        let creditor = try await validateCreditor(creditor)
        try await identity.verifyStepUp(principal, purpose: .newPayee, challengeID: otpChallengeID, code: otpCode, context: PaymentsService.payeeContext(creditor))
        return try await savePayee(customer, creditor, actor: principal.actorRef, address: address)
    }

    private func savePayee(_ customer: Customer, _ creditor: ClearingParty, actor: String, address: String) async throws -> Payee {
        let id = ids.next()
        try await database.transaction { tx in
            try await tx.execute(
                "INSERT INTO payments_payees (id, customer_id, name, account_number, bank_code, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [.id(id), .id(customer.id), .text(creditor.name), .text(creditor.accountNumber), .text(creditor.bankCode), .time(clock.now())])
            try await identity.audit.record(tx, actor: actor, action: "payee.add", target: "customer:\(customer.id)", address: address,
                                            detail: "bank=\(creditor.bankCode) account=\(AccountNumberFormat.masked(creditor.accountNumber))")
        }
        let row = try await database.first("SELECT id, name, account_number, bank_code, created_at FROM payments_payees WHERE customer_id = ? AND bank_code = ? AND account_number = ?",
                                           [.id(customer.id), .text(creditor.bankCode), .text(creditor.accountNumber)])!
        return Payee(id: row.id("id"), name: row.text("name"), accountNumber: row.text("account_number"), bankCode: row.text("bank_code"),
                     createdAt: row.time("created_at"))
    }

    private func isSavedPayee(_ customer: Customer, _ creditor: ClearingParty) async throws -> Bool {
        try await database.first("SELECT name FROM payments_payees WHERE customer_id = ? AND bank_code = ? AND account_number = ?",
                                  [.id(customer.id), .text(creditor.bankCode), .text(creditor.accountNumber)])?.text("name") == creditor.name
    }

    private func validateCreditor(_ creditor: ClearingParty) async throws -> ClearingParty {
        let name = try IdentityService.validateDisplayName(creditor.name, field: "payee_name")
        guard (12...19).contains(creditor.accountNumber.count), creditor.accountNumber.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DomainError(.invalidRequest, "The payee's account number is 12–19 digits.", status: 422, extensions: ["field": .string("payee_account_number")])
        }
        guard creditor.bankCode != ThisBank.bankCode else {
            throw DomainError(.invalidRequest, "For accounts at this bank, use an internal transfer.", status: 422, extensions: ["field": .string("payee_bank_code")])
        }
        guard try await accounts.interbank.participants().contains(where: { $0.bankCode == creditor.bankCode }) else {
            throw DomainError(.unknownBank, "No bank with code \(creditor.bankCode.prefix(8)) on the network.", status: 422,
                              extensions: ["field": .string("payee_bank_code")])
        }
        return ClearingParty(name: name, accountNumber: creditor.accountNumber, bankCode: creditor.bankCode)
    }

    static func payeeContext(_ creditor: ClearingParty) -> String { "payee:\(creditor.bankCode):\(creditor.accountNumber)" }
    static func holdID(_ id: RongID) -> RongID { RongID.derived("payments.transfer.hold", id.description) }
    static func postID(_ id: RongID) -> RongID { RongID.derived("payments.transfer.post", id.description) }
    static func voidID(_ id: RongID) -> RongID { RongID.derived("payments.transfer.void", id.description) }

    /// A transfer refused here answers its refusal again on a retry.
    static func outcome(_ transfer: InterbankTransfer) throws -> InterbankTransfer {
        if transfer.status == .failed {
            throw DomainError(ErrorCode(rawValue: transfer.failureCode ?? "internal_error"), transfer.failureDetail ?? "The transfer failed.", status: 422,
                              extensions: ["transfer_id": .string(transfer.id.description)])
        }
        return transfer
    }
}

extension PaymentsService {
    /// Every customer's transfers, newest first, optionally in one status (operators' clearing view).
    public func allInterbankTransfers(status: InterbankTransfer.Status?, limit: Int = 100) async throws -> [InterbankTransfer] {
        if let status {
            return try await database.query("SELECT \(PaymentsService.transferColumns) FROM payments_transfers WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                                            [.text(status.rawValue), .int(max(1, min(limit, 200)))]).map(PaymentsService.transfer)
        }
        return try await database.query("SELECT \(PaymentsService.transferColumns) FROM payments_transfers ORDER BY created_at DESC, id DESC LIMIT ?",
                                        [.int(max(1, min(limit, 200)))]).map(PaymentsService.transfer)
    }
}
