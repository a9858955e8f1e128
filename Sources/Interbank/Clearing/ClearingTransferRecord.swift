import BankKit
import Storage

/// One row of `clearing_house_transfers`: a pacs.008 as the clearing house knows it.
struct ClearingTransferRecord: Sendable, Hashable {
    enum State: String, Sendable {
        /// Accepted for the large-value window (`ACSP`).
        case queued
        /// Settled (`ACSC`).
        case settled
        /// Refused, nothing moved (`RJCT`).
        case rejected
        /// Settled, then sent back by a pacs.004 (`ACSC` + `RETURNED`).
        case returned
    }

    var transfer: CustomerCreditTransfer
    var fingerprint: String
    var path: ClearingPath
    var state: State
    /// The rejection's or the return's ISO reason.
    var reasonCode: String?
    var reason: String?
    var receivedAt: Timestamp
    /// When `state` last changed.
    var statusAt: Timestamp
    var settledAt: Timestamp?
    var returnedAt: Timestamp?
    var returnMessageID: RongID?

    var messageID: RongID { transfer.messageID }

    /// The business content of a transfer, independent of when it was sent (`CreDtTm`).
    static func fingerprint(_ transfer: CustomerCreditTransfer) -> String {
        [ISO20022MessageName.customerCreditTransfer.rawValue, transfer.endToEndID, transfer.transactionID,
         transfer.debtor.bankCode, transfer.debtor.accountNumber, transfer.debtor.name,
         transfer.creditor.bankCode, transfer.creditor.accountNumber, transfer.creditor.name,
         String(transfer.amountFen), transfer.remittanceInfo].joined(separator: "\u{1F}")
    }

    static let columns = """
        msg_id, fingerprint, end_to_end_id, tx_id, debtor_bank, debtor_account, debtor_name, creditor_bank, creditor_account,
        creditor_name, amount_fen, remittance, path, state, reason_code, reason, received_at, status_at, settled_at, returned_at,
        return_msg_id
        """

    /// The row, locked for the transaction on PostgreSQL (SQLite's writer is already exclusive).
    static func load(_ messageID: RongID, in session: any SQLSession, lock: Bool = false) async throws -> ClearingTransferRecord? {
        let suffix = lock && session.dialect == .postgres ? " FOR UPDATE" : ""
        return try await session.first("SELECT \(columns) FROM clearing_house_transfers WHERE msg_id = ?\(suffix)",
                                       [.id(messageID)]).map(Self.init(row:))
    }

    init(transfer: CustomerCreditTransfer, path: ClearingPath, state: State, reasonCode: String? = nil, reason: String? = nil,
         receivedAt: Timestamp, statusAt: Timestamp, settledAt: Timestamp? = nil) {
        self.transfer = transfer
        self.fingerprint = Self.fingerprint(transfer)
        self.path = path
        self.state = state
        self.reasonCode = reasonCode
        self.reason = reason
        self.receivedAt = receivedAt
        self.statusAt = statusAt
        self.settledAt = settledAt
    }

    init(row: SQLRow) {
        let id = row.id("msg_id")
        transfer = CustomerCreditTransfer(
            messageID: id, createdAt: row.time("received_at"), endToEndID: row.text("end_to_end_id"), transactionID: row.text("tx_id"),
            amountFen: row.int("amount_fen"),
            debtor: ClearingParty(name: row.text("debtor_name"), accountNumber: row.text("debtor_account"), bankCode: row.text("debtor_bank")),
            creditor: ClearingParty(name: row.text("creditor_name"), accountNumber: row.text("creditor_account"),
                                    bankCode: row.text("creditor_bank")),
            remittanceInfo: row.text("remittance"))
        fingerprint = row.text("fingerprint")
        guard let path = ClearingPath(rawValue: row.text("path")), let state = State(rawValue: row.text("state")) else {
            preconditionFailure("clearing_house_transfers.path and .state are constrained by CHECK")
        }
        self.path = path
        self.state = state
        reasonCode = row.optionalText("reason_code")
        reason = row.optionalText("reason")
        receivedAt = row.time("received_at")
        statusAt = row.time("status_at")
        settledAt = row.optionalInt("settled_at").map(Timestamp.init(nanosecondsSinceEpoch:))
        returnedAt = row.optionalInt("returned_at").map(Timestamp.init(nanosecondsSinceEpoch:))
        returnMessageID = row.optionalID("return_msg_id")
    }

    func insert(in session: any SQLSession) async throws {
        let t = transfer
        try await session.execute("""
            INSERT INTO clearing_house_transfers (\(Self.columns))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.id(t.messageID), .text(fingerprint), .text(t.endToEndID), .text(t.transactionID),
                  .text(t.debtor.bankCode), .text(t.debtor.accountNumber), .text(t.debtor.name),
                  .text(t.creditor.bankCode), .text(t.creditor.accountNumber), .text(t.creditor.name),
                  .int(t.amountFen), .text(t.remittanceInfo), .text(path.rawValue), .text(state.rawValue),
                  .text(reasonCode), .text(reason), .time(receivedAt), .time(statusAt),
                  .int(settledAt?.nanosecondsSinceEpoch), .int(returnedAt?.nanosecondsSinceEpoch), .id(returnMessageID)])
    }

    /// Writes the state columns back.
    func update(in session: any SQLSession) async throws {
        try await session.execute("""
            UPDATE clearing_house_transfers SET state = ?, reason_code = ?, reason = ?, status_at = ?, settled_at = ?,
                returned_at = ?, return_msg_id = ? WHERE msg_id = ?
            """, [.text(state.rawValue), .text(reasonCode), .text(reason), .time(statusAt),
                  .int(settledAt?.nanosecondsSinceEpoch), .int(returnedAt?.nanosecondsSinceEpoch), .id(returnMessageID),
                  .id(messageID)])
    }
}
