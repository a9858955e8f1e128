import BankKit
import Storage

/// Receiving transfers, routing them by amount and settling them against the directory.
extension ClearingHouse {
    /// pacs.008 → pacs.002: records the transfer once per `MsgId` and settles, queues or refuses it.
    func receive(_ transfer: CustomerCreditTransfer) async throws -> TransferStatusReport {
        guard transfer.debtor.bankCode != transfer.creditor.bankCode else {
            throw DomainError(.interbankMessageUnexpected, "Debtor and creditor agent are the same bank: an on-us transfer never reaches clearing.",
                              status: 422)
        }
        let fingerprint = ClearingTransferRecord.fingerprint(transfer)
        return try await recording {
            try await database.transaction { tx in
                if let existing = try await ClearingTransferRecord.load(transfer.messageID, in: tx) {
                    if existing.fingerprint == fingerprint {
                        logger.debug("repeated transfer", metadata: ["msg_id": "\(transfer.messageID)"])
                        return report(on: existing, to: transfer.debtor.bankCode)
                    }
                    logger.info("MsgId reused for another transfer", metadata: ["msg_id": "\(transfer.messageID)"])
                    return duplicateReport(transfer)
                }
                let now = clock.now()
                let path = Self.path(forAmountFen: transfer.amountFen)
                var record = ClearingTransferRecord(transfer: transfer, path: path, state: .queued, receivedAt: now, statusAt: now)
                if let refusal = try await creditorRefusal(transfer, tx) {
                    record.reject(refusal, at: now)
                } else if path == .realTime || isLargeValueWindowOpen(at: now) {
                    try await settle(&record, at: now, tx)
                }
                try await record.insert(in: tx)
                try await deliverIfMember(record, tx)
                logger.info("transfer received", metadata: ["msg_id": "\(transfer.messageID)", "path": "\(path.rawValue)",
                                                            "state": "\(record.state.rawValue)", "reason": "\(record.reasonCode ?? "")"])
                return report(on: record, to: transfer.debtor.bankCode)
            }
        }
    }

    /// Settles the queue while the large-value window is open; returns how many queued transfers
    /// were decided (settled, or refused because an account changed meanwhile). Outside the
    /// window it does nothing and returns 0. At most `queueDrainMax` per call, oldest first.
    public func processQueue() async throws -> Int {
        var decided = 0
        while decided < Self.queueDrainMax, isLargeValueWindowOpen(at: clock.now()) {
            let batch = try await database.query("""
                SELECT msg_id FROM clearing_house_transfers WHERE state = 'queued' ORDER BY received_at, msg_id LIMIT \(Self.queueBatchMax)
                """, []).map { $0.id("msg_id") }
            if batch.isEmpty { break }
            for messageID in batch where decided < Self.queueDrainMax {
                let changed = try await database.transaction { tx -> Bool in
                    guard var record = try await ClearingTransferRecord.load(messageID, in: tx, lock: true), record.state == .queued else {
                        return false
                    }
                    let now = clock.now()
                    if let refusal = try await creditorRefusal(record.transfer, tx) {
                        record.reject(refusal, at: now)
                    } else {
                        try await settle(&record, at: now, tx)
                    }
                    try await record.update(in: tx)
                    try await deliverIfMember(record, tx)
                    logger.info("queued transfer decided", metadata: ["msg_id": "\(messageID)", "state": "\(record.state.rawValue)"])
                    return true
                }
                if changed { decided += 1 }
            }
        }
        return decided
    }

    /// Moves the money: debits the debtor's directory account (when the debtor's bank is
    /// simulated) and credits the creditor's (when the creditor's bank is simulated); a
    /// member's side is its own books. Refusals leave the record rejected and nothing moved.
    func settle(_ record: inout ClearingTransferRecord, at now: Timestamp, _ tx: any SQLSession) async throws {
        let transfer = record.transfer
        if try await isDirectoryBank(transfer.debtor.bankCode, tx) {
            let account = try await DirectoryAccounts.locked(transfer.debtor.bankCode, transfer.debtor.accountNumber, tx)
            if let refusal = try await refusal(for: account, party: transfer.debtor, tx) {
                return record.reject(refusal, at: now)
            }
            guard let account, account.balanceFen >= transfer.amountFen else {
                return record.reject(ReasonCode.insufficientFunds, at: now)
            }
        }
        if let refusal = try await creditorRefusal(transfer, tx) {
            return record.reject(refusal, at: now)
        }
        if try await isDirectoryBank(transfer.debtor.bankCode, tx) {
            try await DirectoryAccounts.add(-transfer.amountFen, to: transfer.debtor, tx)
        }
        if try await isDirectoryBank(transfer.creditor.bankCode, tx) {
            try await DirectoryAccounts.add(transfer.amountFen, to: transfer.creditor, tx)
        }
        record.state = .settled
        record.settledAt = now
        record.statusAt = now
    }

    /// Why the creditor's side refuses the transfer, if it does: an unknown bank (`RC01`), or for
    /// a directory bank an unknown (`AC01`), closed (`AC04`), frozen (`AG01`) account or another
    /// holder name (`BE01`). A member's accounts are checked by the member when it answers.
    func creditorRefusal(_ transfer: CustomerCreditTransfer, _ tx: any SQLSession) async throws -> String? {
        let bank = transfer.creditor.bankCode
        if memberBankCodes.contains(bank) { return nil }
        guard try await isDirectoryBank(bank, tx) else { return ReasonCode.bankIdentifierIncorrect }
        let account = try await DirectoryAccounts.locked(bank, transfer.creditor.accountNumber, tx)
        return try await refusal(for: account, party: transfer.creditor, tx)
    }

    /// The directory's refusal of a party's account: `AC01`, `AC04`, `AG01` or `BE01`.
    func refusal(for account: SimulatedAccount?, party: ClearingParty, _ tx: any SQLSession) async throws -> String? {
        guard let account else { return ReasonCode.accountNumberInvalid }
        switch account.status {
        case .closed: return ReasonCode.accountClosed
        case .frozen: return ReasonCode.transactionForbidden
        case .open: break
        }
        return account.holderName == party.name ? nil : ReasonCode.partyMismatch
    }

    /// A participant of the simulator's directory (not a member).
    func isDirectoryBank(_ bankCode: String, _ tx: any SQLSession) async throws -> Bool {
        guard !memberBankCodes.contains(bankCode) else { return false }
        return try await directory.participant(bankCode, in: tx) != nil
    }

    /// A settled transfer to a member waits in `clearing_house_inbound` for its answer.
    func deliverIfMember(_ record: ClearingTransferRecord, _ tx: any SQLSession) async throws {
        guard record.state == .settled, memberBankCodes.contains(record.transfer.creditor.bankCode) else { return }
        try await tx.execute("""
            INSERT INTO clearing_house_inbound (msg_id, bank_code, state, queued_at) VALUES (?, ?, 'waiting', ?)
            ON CONFLICT (msg_id) DO NOTHING
            """, [.id(record.messageID), .text(record.transfer.creditor.bankCode), .time(record.settledAt ?? record.statusAt)])
    }

    /// Runs `body` again when it lost a race to insert the same key (PostgreSQL, several nodes):
    /// the second attempt finds the winner's row.
    func recording<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as StorageError where error.kind == .uniqueViolation && attempt < Self.recordAttemptsMax {
                attempt += 1
            }
        }
    }
}

extension ClearingTransferRecord {
    /// Marks the transfer refused with an ISO reason; nothing moved.
    mutating func reject(_ code: String, at now: Timestamp) {
        state = .rejected
        reasonCode = code
        reason = ReasonCode.text(code)
        statusAt = now
    }
}
