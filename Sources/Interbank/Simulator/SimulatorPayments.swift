import BankKit
import Storage

/// Debits and credits at the other banks: checks, balance movement and the `MsgId` journal.
extension InterbankSimulator {
    /// ibps.103 → ibps.104: takes the money from the debtor's account at its bank.
    func settle(_ debit: OnlineDebit, from request: InterbankEnvelope) async throws -> String {
        let instruction = debit.instruction
        let fingerprint = Self.fingerprint(.onlineDebit, debit.creditorBankCode, instruction.bankCode, instruction.debtorAccountNumber,
                                           instruction.debtorName, instruction.creditorAccountNumber, instruction.creditorName,
                                           instruction.amountFen, instruction.remittanceInfo)
        return try await record(instruction.messageID, type: .onlineDebit, fingerprint: fingerprint, request: request) { tx in
            let account = try await DirectoryAccounts.locked(instruction.bankCode, instruction.debtorAccountNumber, tx)
            if let refusal = try await refusal(for: account, bankCode: instruction.bankCode, name: instruction.debtorName, tx) {
                return refusal
            }
            guard let account, account.balanceFen >= instruction.amountFen else { return Self.rejection(ReasonCode.insufficientFunds) }
            try await tx.execute(
                "UPDATE interbank_sim_accounts SET balance_fen = balance_fen - ? WHERE bank_code = ? AND account_number = ?",
                [.int(instruction.amountFen), .text(account.bankCode), .text(account.accountNumber)])
            return .accepted
        }
    }

    /// ibps.101 → ibps.102: puts the money into the creditor's account at its bank.
    func settle(_ credit: OnlineCredit, from request: InterbankEnvelope) async throws -> String {
        let instruction = credit.instruction
        let fingerprint = Self.fingerprint(.onlineCredit, credit.debtorBankCode, instruction.bankCode, instruction.creditorAccountNumber,
                                           instruction.creditorName, instruction.debtorAccountNumber, instruction.debtorName,
                                           instruction.amountFen, instruction.remittanceInfo)
        return try await record(instruction.messageID, type: .onlineCredit, fingerprint: fingerprint, request: request) { tx in
            let account = try await DirectoryAccounts.locked(instruction.bankCode, instruction.creditorAccountNumber, tx)
            if let refusal = try await refusal(for: account, bankCode: instruction.bankCode, name: instruction.creditorName, tx) {
                return refusal
            }
            guard let account, account.balanceFen <= Int64.max - instruction.amountFen else {
                return Self.rejection(ReasonCode.amountNotAllowed)
            }
            try await tx.execute(
                "UPDATE interbank_sim_accounts SET balance_fen = balance_fen + ? WHERE bank_code = ? AND account_number = ?",
                [.int(instruction.amountFen), .text(account.bankCode), .text(account.accountNumber)])
            return .accepted
        }
    }

    /// Why the bank refuses to post to `account`, checked in this order: unknown bank (`RC01`),
    /// no such account (`AC01`), closed (`AC04`), frozen (`AG01`), holder name differs (`RR01`).
    private func refusal(for account: SimulatedAccount?, bankCode: String, name: String,
                         _ tx: any SQLSession) async throws -> InterbankReceipt.Status? {
        guard try await participant(bankCode, in: tx) != nil else { return Self.rejection(ReasonCode.bankIdentifierIncorrect) }
        guard let account else { return Self.rejection(ReasonCode.accountNumberInvalid) }
        switch account.status {
        case .closed: return Self.rejection(ReasonCode.accountClosed)
        case .frozen: return Self.rejection(ReasonCode.transactionForbidden)
        case .open: break
        }
        guard account.holderName == name else { return Self.rejection(ReasonCode.nameMismatch) }
        return nil
    }

    /// Runs `decide` once per `MsgId`, in one transaction with recording its reply.
    ///
    /// - The `MsgId` was processed with the same fingerprint: the stored reply, nothing moves.
    /// - It was processed with another fingerprint: a fresh `AM05` rejection, not stored.
    /// - Otherwise `decide` checks and moves the balance, and the reply is stored with it.
    private func record(_ messageID: RongID, type: CNAPSMessageType, fingerprint: String, request: InterbankEnvelope,
                        decide: (any SQLSession) async throws -> InterbankReceipt.Status) async throws -> String {
        var attempt = 1
        while true {
            do {
                return try await database.transaction { tx in
                    if let row = try await tx.first("SELECT fingerprint, reply_xml FROM interbank_sim_messages WHERE msg_id = ?",
                                                    [.id(messageID)]) {
                        if row.text("fingerprint") == fingerprint {
                            logger.debug("repeated message", metadata: ["msg_id": "\(messageID)"])
                            return row.text("reply_xml")
                        }
                        logger.info("message id reused for another instruction", metadata: ["msg_id": "\(messageID)"])
                        return try receiptXML(request, type: type, replyID: RongID.derived("interbank_sim.duplicate", messageID),
                                              status: Self.rejection(ReasonCode.duplication))
                    }
                    let status = try await decide(tx)
                    let now = clock.now()
                    let reply = try receiptXML(request, type: type, replyID: RongID.derived("interbank_sim.receipt", messageID),
                                               status: status, at: now)
                    try await tx.execute("""
                        INSERT INTO interbank_sim_messages (msg_id, msg_type, fingerprint, reply_xml, processed_at)
                        VALUES (?, ?, ?, ?, ?)
                        """, [.id(messageID), .text(type.rawValue), .text(fingerprint), .text(reply), .time(now)])
                    logger.debug("settled", metadata: ["msg_id": "\(messageID)", "type": "\(type.rawValue)", "status": "\(status)"])
                    return reply
                }
            } catch let error as StorageError where error.kind == .uniqueViolation && attempt < Self.recordAttemptsMax {
                // Another node recorded this MsgId first; its transaction moved the money. Read its reply.
                attempt += 1
            }
        }
    }

    private func receiptXML(_ request: InterbankEnvelope, type: CNAPSMessageType, replyID: RongID,
                            status: InterbankReceipt.Status, at time: Timestamp? = nil) throws -> String {
        let time = time ?? clock.now()
        let originalID: RongID
        switch request.message {
        case .onlineDebit(let debit): originalID = debit.instruction.messageID
        case .onlineCredit(let credit): originalID = credit.instruction.messageID
        default: preconditionFailure("receipts answer debits and credits only")
        }
        let report = PaymentStatusReport(messageID: replyID, createdAt: time, originalMessageID: originalID, status: status, processedAt: time)
        let message: InterbankMessage = type == .onlineDebit ? .onlineDebitReceipt(report) : .onlineCreditReceipt(report)
        return try InterbankCodec.encode(replyEnvelope(to: request, message))
    }

    static func rejection(_ code: String) -> InterbankReceipt.Status {
        .rejected(reasonCode: code, reason: ReasonCode.text(code))
    }

    /// The instruction's business content, independent of when it was sent.
    static func fingerprint(_ type: CNAPSMessageType, _ parts: any CustomStringConvertible...) -> String {
        ([type.rawValue] + parts.map(\.description)).joined(separator: "\u{1F}")
    }
}
