import BankKit
import Storage

/// The pacs.002 reports the clearing house answers with.
///
/// | transfer | `TxSts` | `StsRsnInf` |
/// | --- | --- | --- |
/// | queued for the large-value window | `ACSP` | – |
/// | settled | `ACSC` | – (`FctvIntrBkSttlmDt/DtTm` = settlement time) |
/// | refused | `RJCT` | `Rsn/Cd` = ISO reason (`AC01`, `AC04`, `AG01`, `BE01`, `RC01`, `AM04`, `AM05`) |
/// | settled, then returned | `ACSC` | `Rsn/Prtry RETURNED`, then `Rsn/Cd` = the return's reason |
/// | never seen (for this bank) | `RJCT` | `Rsn/Prtry NOTFOUND` |
///
/// `AccptncDtTm` is when the transfer reached its status; `OrgnlTxRef` carries the amount and
/// the path (`ClrChanl` `RTNS` real-time, `RTGS` large-value).
extension ClearingHouse {
    /// pacs.028 → pacs.002 on the transfer it names. A bank that is neither the transfer's
    /// debtor nor creditor agent hears `NOTFOUND`, as for an id never seen.
    func answer(_ request: TransferStatusRequest) async throws -> TransferStatusReport {
        guard request.originalMessageName == .customerCreditTransfer else {
            throw DomainError(.interbankMessageUnexpected, "A status request must name a pacs.008.001.08.", status: 422)
        }
        let record = try await ClearingTransferRecord.load(request.originalMessageID, in: database)
        guard let record, [record.transfer.debtor.bankCode, record.transfer.creditor.bankCode].contains(request.requesterBankCode) else {
            return notFoundReport(request.originalMessageID, .customerCreditTransfer, to: request.requesterBankCode)
        }
        return report(on: record, to: request.requesterBankCode)
    }

    /// The status of a recorded transfer.
    func report(on record: ClearingTransferRecord, to bankCode: String) -> TransferStatusReport {
        var status = TransferStatusReport.TransactionStatus.acceptedSettlementCompleted
        var reasons: [TransferStatusReport.Reason] = []
        switch record.state {
        case .queued:
            status = .acceptedSettlementInProcess
        case .settled:
            break
        case .rejected:
            status = .rejected
            reasons = [Self.isoReason(record.reasonCode ?? ReasonCode.transactionForbidden, record.reason)]
        case .returned:
            reasons = [TransferStatusReport.Reason(.proprietary(ClearingReasonCode.returned)),
                       Self.isoReason(record.reasonCode ?? ReasonCode.accountNumberInvalid, record.reason)]
        }
        return TransferStatusReport(
            messageID: RongID.derived("clearing_house.report", record.messageID, record.state.rawValue, record.statusAt.nanosecondsSinceEpoch),
            createdAt: clock.now(), instructingBankCode: Self.bankCode, instructedBankCode: bankCode,
            originalMessageID: record.messageID, originalMessageName: .customerCreditTransfer,
            originalEndToEndID: record.transfer.endToEndID, status: status, reasons: reasons, statusAt: record.statusAt,
            settledAt: record.settledAt, originalAmountFen: record.transfer.amountFen, path: record.path,
            debtorBankCode: record.transfer.debtor.bankCode, creditorBankCode: record.transfer.creditor.bankCode)
    }

    /// `RJCT AM05` on a `MsgId` already used for another transfer; nothing is stored or changed.
    func duplicateReport(_ transfer: CustomerCreditTransfer) -> TransferStatusReport {
        let now = clock.now()
        return TransferStatusReport(
            messageID: RongID.derived("clearing_house.duplicate", transfer.messageID, now.nanosecondsSinceEpoch),
            createdAt: now, instructingBankCode: Self.bankCode, instructedBankCode: transfer.debtor.bankCode,
            originalMessageID: transfer.messageID, originalMessageName: .customerCreditTransfer,
            originalEndToEndID: transfer.endToEndID, status: .rejected,
            reasons: [Self.isoReason(ReasonCode.duplication, nil)], statusAt: now,
            originalAmountFen: transfer.amountFen, path: Self.path(forAmountFen: transfer.amountFen))
    }

    /// `RJCT` + `Prtry NOTFOUND` on a message the clearing house does not know (for this bank).
    func notFoundReport(_ messageID: RongID, _ name: ISO20022MessageName, to bankCode: String?) -> TransferStatusReport {
        let now = clock.now()
        return TransferStatusReport(
            messageID: RongID.derived("clearing_house.not_found", messageID, now.nanosecondsSinceEpoch),
            createdAt: now, instructingBankCode: Self.bankCode, instructedBankCode: bankCode,
            originalMessageID: messageID, originalMessageName: name, status: .rejected,
            reasons: [TransferStatusReport.Reason(.proprietary(ClearingReasonCode.notFound), "No message with this id is known")],
            statusAt: now)
    }

    /// A report on a member's pacs.002 or pacs.004: `ACSC` applied, or `RJCT` with a reason.
    func answerReport(on messageID: RongID, _ name: ISO20022MessageName, to bankCode: String, at time: Timestamp,
                      refusal: TransferStatusReport.Reason? = nil) -> TransferStatusReport {
        TransferStatusReport(
            messageID: RongID.derived("clearing_house.answer", messageID, refusal == nil ? "ACSC" : "RJCT", time.nanosecondsSinceEpoch),
            createdAt: clock.now(), instructingBankCode: Self.bankCode, instructedBankCode: bankCode,
            originalMessageID: messageID, originalMessageName: name,
            status: refusal == nil ? .acceptedSettlementCompleted : .rejected, reasons: refusal.map { [$0] } ?? [], statusAt: time)
    }

    static func isoReason(_ code: String, _ text: String?) -> TransferStatusReport.Reason {
        TransferStatusReport.Reason(.iso(code), text ?? ReasonCode.text(code))
    }
}
