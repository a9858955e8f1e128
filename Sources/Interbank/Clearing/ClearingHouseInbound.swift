import BankKit
import Storage

/// Credits for member banks, their answers, returns, and the test hooks that start them.
extension ClearingHouse {
    /// The settled transfers waiting for `bankCode`'s answer, oldest first, as the pacs.008
    /// documents the clearing house forwards (`CreDtTm` = when it settled). Each stays here
    /// until the member credits it (pacs.002 `ACSC`) or returns it (pacs.004).
    public func inbound(bankCode: String, limit: Int) async throws -> [String] {
        guard memberBankCodes.contains(bankCode) else { throw DomainError.notFound("Member bank \(bankCode)") }
        let count = max(0, min(limit, Self.inboundBatchMax))
        let rows = try await database.query("""
            SELECT t.* FROM clearing_house_inbound i JOIN clearing_house_transfers t ON t.msg_id = i.msg_id
            WHERE i.bank_code = ? AND i.state = 'waiting' ORDER BY i.queued_at, i.msg_id LIMIT \(count)
            """, [.text(bankCode)])
        return try rows.map { row in
            var transfer = ClearingTransferRecord(row: row).transfer
            transfer.createdAt = row.optionalInt("settled_at").map(Timestamp.init(nanosecondsSinceEpoch:)) ?? transfer.createdAt
            return try ISO20022Codec.encode(.creditTransfer(transfer))
        }
    }

    /// A member's pacs.002 `ACSC` on an incoming transfer: it credited its customer.
    func applyCredited(_ answer: TransferStatusReport) async throws -> TransferStatusReport {
        guard answer.originalMessageName == .customerCreditTransfer, let bank = answer.instructingBankCode,
              memberBankCodes.contains(bank) else {
            throw DomainError(.interbankMessageUnexpected,
                              "A pacs.002 sent to the clearing house answers a pacs.008 and names its member bank in GrpHdr/InstgAgt.",
                              status: 422)
        }
        guard answer.status == .acceptedSettlementCompleted else {
            throw DomainError(.interbankMessageUnexpected,
                              "An incoming transfer has settled: credit it (ACSC) or send it back with a pacs.004.", status: 422)
        }
        return try await database.transaction { tx in
            let lock = tx.dialect == .postgres ? " FOR UPDATE" : ""
            guard let row = try await tx.first("""
                SELECT state, answered_at FROM clearing_house_inbound WHERE msg_id = ? AND bank_code = ?\(lock)
                """, [.id(answer.originalMessageID), .text(bank)]) else {
                return answerReport(on: answer.messageID, .paymentStatusReport, to: bank, at: clock.now(),
                                    refusal: .init(.proprietary(ClearingReasonCode.notFound), "No incoming transfer with this id"))
            }
            switch row.text("state") {
            case "waiting":
                let now = clock.now()
                try await tx.execute("""
                    UPDATE clearing_house_inbound SET state = 'credited', answered_at = ?, answer_msg_id = ? WHERE msg_id = ?
                    """, [.time(now), .id(answer.messageID), .id(answer.originalMessageID)])
                logger.info("incoming transfer credited", metadata: ["msg_id": "\(answer.originalMessageID)", "bank": "\(bank)"])
                return answerReport(on: answer.messageID, .paymentStatusReport, to: bank, at: now)
            case "credited":
                return answerReport(on: answer.messageID, .paymentStatusReport, to: bank, at: row.time("answered_at"))
            default:
                return answerReport(on: answer.messageID, .paymentStatusReport, to: bank, at: clock.now(),
                                    refusal: .init(.proprietary(ClearingReasonCode.answered), "The transfer was already returned"))
            }
        }
    }

    /// pacs.004 → pacs.002 on the return: the creditor's bank sends a settled transfer back in
    /// full. A member returns an incoming transfer it has not answered yet (the money goes back
    /// to the debtor's directory account); `injectReturn` has a directory bank return one of a
    /// member's transfers (the money leaves the creditor's directory account). Idempotent on
    /// the return's `MsgId` (the reason's free text aside); another body under the same `MsgId` is
    /// refused with `AM05`.
    func applyReturn(_ paymentReturn: TransferReturn, fromMember: Bool) async throws -> TransferStatusReport {
        let returning = paymentReturn.returningBankCode
        guard memberBankCodes.contains(returning) == fromMember else {
            throw DomainError(.interbankMessageUnexpected,
                              "pacs.004 must come from a member bank (\(memberBankCodes.sorted().joined(separator: ", "))).", status: 422)
        }
        // The free-text AddtlInf is not part of it: a resend may word the reason differently.
        let fingerprint = [paymentReturn.originalMessageID.description, returning, paymentReturn.receivingBankCode,
                           String(paymentReturn.returnedAmountFen), paymentReturn.reasonCode].joined(separator: "\u{1F}")
        func refuse(_ code: TransferStatusReport.Reason.Code, _ text: String) -> TransferStatusReport {
            answerReport(on: paymentReturn.messageID, .paymentReturn, to: returning, at: clock.now(), refusal: .init(code, text))
        }
        return try await recording {
            try await database.transaction { tx in
                if let row = try await tx.first("SELECT fingerprint, returned_at FROM clearing_house_returns WHERE return_msg_id = ?",
                                                [.id(paymentReturn.messageID)]) {
                    guard row.text("fingerprint") == fingerprint else {
                        return refuse(.iso(ReasonCode.duplication), ReasonCode.text(ReasonCode.duplication))
                    }
                    return answerReport(on: paymentReturn.messageID, .paymentReturn, to: returning, at: row.time("returned_at"))
                }
                guard var record = try await ClearingTransferRecord.load(paymentReturn.originalMessageID, in: tx, lock: true),
                      record.transfer.creditor.bankCode == returning,
                      record.transfer.debtor.bankCode == paymentReturn.receivingBankCode else {
                    return refuse(.proprietary(ClearingReasonCode.notFound), "The original transfer is not known")
                }
                switch record.state {
                case .settled: break
                case .returned: return refuse(.proprietary(ClearingReasonCode.answered), "The transfer was already returned")
                case .queued, .rejected: return refuse(.proprietary(ClearingReasonCode.notSettled), "The transfer has not settled")
                }
                guard paymentReturn.returnedAmountFen == record.transfer.amountFen else {
                    return refuse(.iso(ClearingReasonCode.wrongAmount), "Only the whole amount can be returned")
                }
                let transfer = record.transfer
                if fromMember {
                    let lock = tx.dialect == .postgres ? " FOR UPDATE" : ""
                    let state = try await tx.first("SELECT state FROM clearing_house_inbound WHERE msg_id = ?\(lock)",
                                                   [.id(record.messageID)])?.text("state")
                    guard state == "waiting" else {
                        return refuse(.proprietary(ClearingReasonCode.answered), "The transfer was already credited")
                    }
                }
                if try await isDirectoryBank(transfer.creditor.bankCode, tx) {
                    let account = try await DirectoryAccounts.locked(transfer.creditor.bankCode, transfer.creditor.accountNumber, tx)
                    guard let account, account.balanceFen >= transfer.amountFen else {
                        return refuse(.iso(ReasonCode.insufficientFunds), ReasonCode.text(ReasonCode.insufficientFunds))
                    }
                    try await DirectoryAccounts.add(-transfer.amountFen, to: transfer.creditor, tx)
                }
                if try await isDirectoryBank(transfer.debtor.bankCode, tx),
                   try await DirectoryAccounts.locked(transfer.debtor.bankCode, transfer.debtor.accountNumber, tx) != nil {
                    try await DirectoryAccounts.add(transfer.amountFen, to: transfer.debtor, tx)
                }
                let now = clock.now()
                record.state = .returned
                record.reasonCode = paymentReturn.reasonCode
                record.reason = paymentReturn.reason
                record.returnedAt = now
                record.statusAt = now
                record.returnMessageID = paymentReturn.messageID
                try await record.update(in: tx)
                if fromMember {
                    try await tx.execute("""
                        UPDATE clearing_house_inbound SET state = 'returned', answered_at = ?, answer_msg_id = ? WHERE msg_id = ?
                        """, [.time(now), .id(paymentReturn.messageID), .id(record.messageID)])
                }
                try await tx.execute("""
                    INSERT INTO clearing_house_returns (return_msg_id, original_msg_id, fingerprint, returning_bank, amount_fen,
                        reason_code, reason, returned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, [.id(paymentReturn.messageID), .id(record.messageID), .text(fingerprint), .text(returning),
                          .int(paymentReturn.returnedAmountFen), .text(paymentReturn.reasonCode), .text(paymentReturn.reason), .time(now)])
                logger.info("transfer returned", metadata: ["msg_id": "\(record.messageID)", "reason": "\(paymentReturn.reasonCode)"])
                return answerReport(on: paymentReturn.messageID, .paymentReturn, to: returning, at: now)
            }
        }
    }

    // MARK: Test hooks

    /// Another bank pays someone at a member bank: `from` (an open directory account with the
    /// money) to `to` (an account at a member, e.g. Rong's `999`). Goes through the same routing
    /// as any transfer — real-time settles at once, debiting `from`'s directory balance and
    /// queuing the credit for the member; large-value outside the window waits for
    /// `processQueue()`. Returns the transfer's `MsgId`. Throws `clearing_refused` when `from`'s
    /// bank would not send it (unknown, closed, frozen account, other name, not enough money).
    @discardableResult
    public func originateIncoming(from debtor: ClearingParty, to creditor: ClearingParty, amountFen: Int64,
                                  remittance: String) async throws -> RongID {
        guard memberBankCodes.contains(creditor.bankCode) else {
            throw DomainError.invalid("The creditor's bank \(creditor.bankCode) is not a member of the clearing house.")
        }
        let transfer = CustomerCreditTransfer(messageID: ids.next(), createdAt: clock.now(), amountFen: amountFen,
                                              debtor: debtor, creditor: creditor, remittanceInfo: remittance)
        // Through the codec, so a field out of format fails here as it would on the wire.
        guard case .creditTransfer(let checked) = try ISO20022Codec.decode(ISO20022Codec.encode(.creditTransfer(transfer))) else {
            preconditionFailure("a pacs.008 decodes as a pacs.008")
        }
        let debtorRefusal = try await database.transaction { tx -> String? in
            guard try await isDirectoryBank(debtor.bankCode, tx) else { return ReasonCode.bankIdentifierIncorrect }
            let account = try await DirectoryAccounts.locked(debtor.bankCode, debtor.accountNumber, tx)
            if let refusal = try await refusal(for: account, party: debtor, tx) { return refusal }
            return (account?.balanceFen ?? 0) >= amountFen ? nil : ReasonCode.insufficientFunds
        }
        if let debtorRefusal { throw Self.refused(debtorRefusal) }
        let report = try await receive(checked)
        if report.status == .rejected, case .iso(let code)? = report.reasons.first?.code { throw Self.refused(code) }
        return checked.messageID
    }

    /// The creditor's bank (a directory bank) sends a settled transfer back with `reasonCode`
    /// (an ISO return reason such as `AC04`): a pacs.004 from that bank, through the codec and
    /// the same path as a member's return. The money leaves the creditor's directory account and
    /// the transfer's status becomes returned. Throws `not_found` for an unknown transfer and
    /// `clearing_refused` when it cannot be returned (not settled, already returned, the
    /// creditor's balance too low, or the creditor's bank is a member: it returns by pacs.004).
    public func injectReturn(messageID: RongID, reasonCode: String) async throws {
        guard let record = try await ClearingTransferRecord.load(messageID, in: database) else {
            throw DomainError.notFound("Transfer \(messageID)")
        }
        guard try await isDirectoryBank(record.transfer.creditor.bankCode, database) else {
            throw DomainError(.clearingRefused, "The creditor's bank \(record.transfer.creditor.bankCode) is a member: it returns by pacs.004.",
                              status: 409)
        }
        let paymentReturn = TransferReturn(
            messageID: RongID.derived("clearing_house.injected_return", messageID), createdAt: clock.now(),
            returningBankCode: record.transfer.creditor.bankCode, receivingBankCode: record.transfer.debtor.bankCode,
            originalMessageID: messageID, originalEndToEndID: record.transfer.endToEndID, originalAmountFen: record.transfer.amountFen,
            returnedAmountFen: record.transfer.amountFen, reasonCode: reasonCode, reason: ReasonCode.text(reasonCode))
        guard case .paymentReturn(let checked) = try ISO20022Codec.decode(ISO20022Codec.encode(.paymentReturn(paymentReturn))) else {
            preconditionFailure("a pacs.004 decodes as a pacs.004")
        }
        let report = try await applyReturn(checked, fromMember: false)
        if report.status == .rejected {
            throw DomainError(.clearingRefused, "The return was refused: \(report.reasons.first?.additionalInfo ?? "rejected").", status: 409)
        }
    }

    static func refused(_ code: String) -> DomainError {
        DomainError(.clearingRefused, "The transfer was refused: \(code) \(ReasonCode.text(code)).", status: 422,
                    extensions: ["reason_code": .string(code)])
    }
}
