// Where a live connection plugs in
// --------------------------------
// This type speaks ISO 20022 to a `ClearingConnection`: the in-process `ClearingHouse`
// simulator, `HTTPClearingConnection` to `rong clearing-house` over HTTP (docs/clearing-house.md),
// or a connection to the bank's CNAPS front-end processor written against the same protocol.
// On a timeout it never resends: it asks with a pacs.028 (`status(messageID:)`), and sends
// again only when that answers `.unknown`, with the same `MsgId`.

import BankKit

/// `ClearingNetwork` over a `ClearingConnection`: each call is encoded as the ISO 20022 document
/// the clearing house takes, exchanged, and its pacs.002 decoded.
///
/// | call | sends | gets |
/// | --- | --- | --- |
/// | `send` | pacs.008 | pacs.002 on it |
/// | `status` | pacs.028 | pacs.002 on the transfer (`NOTFOUND` → `.unknown`) |
/// | `incoming` | – (reads the clearing house's inbound queue) | pacs.008 each |
/// | `acknowledge(.credited)` | pacs.002 `ACSC` | pacs.002 on it |
/// | `acknowledge(.returned)` | pacs.028 (for the amount), then pacs.004 | pacs.002 on each |
/// | `reconciliationFile` | – | the day's file |
///
/// Errors of the clearing house (`clearing_unavailable`, `clearing_timeout`) pass through, so
/// callers see a timeout as a timeout and query the status before retrying.
public struct ISO20022ClearingNetwork: ClearingNetwork {
    /// Where the documents go: the in-process simulator or a connection to a clearing house.
    public let connection: any ClearingConnection
    /// Stamps `CreDtTm` on outgoing documents.
    public let clock: BankClock
    /// Makes the `MsgId` of status requests (transfers bring their own; answers derive theirs).
    public let ids: IDGenerator
    /// This bank's participant code: the debtor agent of what it sends, the asker of its queries.
    public let ownBankCode: String

    public init(clearingHouse: any ClearingConnection, clock: BankClock, ids: IDGenerator = .live,
                ownBankCode: String = SimulatedInterbankNetwork.defaultOwnBankCode) {
        self.connection = clearingHouse
        self.clock = clock
        self.ids = ids
        self.ownBankCode = ownBankCode
    }

    /// Sends a pacs.008 and reads the pacs.002. The debtor's bank must be this bank.
    public func send(_ instruction: CreditTransferInstruction) async throws -> ClearingReport {
        guard instruction.debtor.bankCode == ownBankCode else {
            throw DomainError.invalid("The debtor's bank must be this bank (\(ownBankCode)), not \(instruction.debtor.bankCode).")
        }
        let transfer = CustomerCreditTransfer(instruction, createdAt: clock.now())
        let report = try await exchange(.creditTransfer(transfer), answering: instruction.messageID, .customerCreditTransfer)
        return try report.clearingReport()
    }

    /// Sends a pacs.028 and reads the pacs.002 on the transfer.
    public func status(messageID: RongID) async throws -> ClearingReport {
        let request = TransferStatusRequest(messageID: ids.next(), createdAt: clock.now(), requesterBankCode: ownBankCode,
                                            instructedBankCode: ClearingHouse.bankCode, originalMessageID: messageID)
        let report = try await exchange(.statusRequest(request), answering: messageID, .customerCreditTransfer)
        return try report.clearingReport()
    }

    /// The credits waiting for this bank, oldest first (at most `ClearingHouse.inboundBatchMax`).
    public func incoming(limit: Int) async throws -> [IncomingCredit] {
        try await connection.inbound(bankCode: ownBankCode, limit: limit).map { xml in
            guard case .creditTransfer(let transfer) = try Self.decodeReply(xml) else {
                throw DomainError(.interbankReplyInvalid, "The clearing house delivered something other than a pacs.008.", status: 502)
            }
            return IncomingCredit(messageID: transfer.messageID, amountFen: transfer.amountFen, debtor: transfer.debtor,
                                  creditor: transfer.creditor, remittanceInfo: transfer.remittanceInfo, receivedAt: transfer.createdAt)
        }
    }

    /// Credited: a pacs.002 `ACSC` on the incoming pacs.008. Returned: a pacs.004 for the whole
    /// amount (read from a pacs.028 first). Answering again the same way changes nothing;
    /// answering the other way throws `conflict`; an unknown id throws `not_found`.
    public func acknowledge(_ messageID: RongID, outcome: IncomingOutcome) async throws {
        let now = clock.now()
        switch outcome {
        case .credited:
            let answer = TransferStatusReport(
                messageID: RongID.derived("clearing.credited", messageID), createdAt: now, instructingBankCode: ownBankCode,
                instructedBankCode: ClearingHouse.bankCode, originalMessageID: messageID, originalMessageName: .customerCreditTransfer,
                status: .acceptedSettlementCompleted, statusAt: now)
            let report = try await exchange(.statusReport(answer), answering: answer.messageID, .paymentStatusReport)
            try Self.check(report, answering: messageID)
        case .returned(let code, let reason):
            // The return carries the whole amount and goes back to the debtor's bank: ask first.
            let request = TransferStatusRequest(messageID: ids.next(), createdAt: now, requesterBankCode: ownBankCode,
                                                instructedBankCode: ClearingHouse.bankCode, originalMessageID: messageID)
            let current = try await exchange(.statusRequest(request), answering: messageID, .customerCreditTransfer)
            guard try current.clearingReport().status != .unknown, current.creditorBankCode == ownBankCode else {
                throw DomainError.notFound("Incoming transfer \(messageID)")
            }
            guard let amountFen = current.originalAmountFen, let debtorBank = current.debtorBankCode else {
                throw DomainError(.interbankReplyInvalid, "The clearing house did not say the transfer's amount and debtor bank.", status: 502)
            }
            let paymentReturn = TransferReturn(
                messageID: RongID.derived("clearing.returned", messageID), createdAt: now, returningBankCode: ownBankCode,
                receivingBankCode: debtorBank, originalMessageID: messageID, originalEndToEndID: current.originalEndToEndID,
                originalAmountFen: amountFen, returnedAmountFen: amountFen, reasonCode: code,
                reason: String(reason.prefix(MessageFields.reasonCharactersMax)))
            let report = try await exchange(.paymentReturn(paymentReturn), answering: paymentReturn.messageID, .paymentReturn)
            try Self.check(report, answering: messageID)
        }
    }

    /// The clearing house's file for this bank on `date`.
    public func reconciliationFile(for date: BusinessDate) async throws -> String {
        try await connection.reconciliationFile(bankCode: ownBankCode, date: date)
    }

    // MARK: Exchange

    /// Encodes (a bad field throws before anything is sent), exchanges, decodes, and checks the
    /// reply is a pacs.002 on the message sent.
    private func exchange(_ document: ISO20022Document, answering messageID: RongID,
                          _ name: ISO20022MessageName) async throws -> TransferStatusReport {
        let reply = try Self.decodeReply(try await connection.handle(ISO20022Codec.encode(document)))
        guard case .statusReport(let report) = reply, report.originalMessageID == messageID, report.originalMessageName == name else {
            throw DomainError(.interbankReplyInvalid, "Expected a pacs.002 on \(name.rawValue) \(messageID).", status: 502)
        }
        return report
    }

    private static func decodeReply(_ xml: String) throws -> ISO20022Document {
        do {
            return try ISO20022Codec.decode(xml)
        } catch let error as DomainError {
            throw DomainError(.interbankReplyInvalid, "The clearing house's reply could not be read: \(error.detail)", status: 502)
        }
    }

    /// An answer the clearing house refused becomes an error.
    private static func check(_ report: TransferStatusReport, answering messageID: RongID) throws {
        guard report.status == .rejected else { return }
        switch report.reasons.first?.code {
        case .proprietary(ClearingReasonCode.notFound)?:
            throw DomainError.notFound("Incoming transfer \(messageID)")
        case .proprietary(ClearingReasonCode.answered)?:
            throw DomainError(.conflict, "Incoming transfer \(messageID) was already answered the other way.", status: 409)
        default:
            throw DomainError(.clearingRefused, "The clearing house refused the answer: \(report.reasons.first?.additionalInfo ?? "rejected").",
                              status: 409)
        }
    }
}

extension TransferStatusReport {
    /// The `ClearingNetwork` view of a report on a pacs.008:
    ///
    /// - `ACSC` → `.settled`; `ACSC` with `Prtry RETURNED` → `.returned` with the next reason's `Cd`;
    /// - `ACSP`, `PDNG` → `.pending`;
    /// - `RJCT` with `Prtry NOTFOUND` → `.unknown` (nothing known, safe to send with the same id);
    ///   any other `RJCT` → `.rejected` with its ISO code.
    ///
    /// `at` is `AccptncDtTm`; the path is `ClrChanl` (`RTGS` large-value, else real-time).
    public func clearingReport() throws -> ClearingReport {
        let status: ClearingStatus
        switch self.status {
        case .acceptedSettlementInProcess, .pending:
            status = .pending
        case .acceptedSettlementCompleted:
            if reasons.first?.code == .proprietary(ClearingReasonCode.returned) {
                guard reasons.count >= 2, case .iso(let code) = reasons[1].code else {
                    throw DomainError(.interbankReplyInvalid, "A returned transfer's report carries no return reason.", status: 502)
                }
                status = .returned(reasonCode: code, reason: reasons[1].additionalInfo ?? ReasonCode.text(code))
            } else {
                status = .settled
            }
        case .rejected:
            switch reasons.first?.code {
            case .proprietary(ClearingReasonCode.notFound)?:
                status = .unknown
            case .iso(let code)?:
                status = .rejected(reasonCode: code, reason: reasons.first?.additionalInfo ?? ReasonCode.text(code))
            case .proprietary(let code)?:
                status = .rejected(reasonCode: code, reason: reasons.first?.additionalInfo ?? "Rejected")
            case nil:
                throw DomainError(.interbankReplyInvalid, "A rejection carries no reason.", status: 502)
            }
        }
        return ClearingReport(messageID: originalMessageID, status: status, path: path ?? .realTime, at: statusAt)
    }
}
