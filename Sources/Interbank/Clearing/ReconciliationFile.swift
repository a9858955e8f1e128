import BankKit
import Storage

/// The daily reconciliation file a member bank downloads (format: `docs/clearing-house.md`).
///
/// One line per money movement of the Asia/Shanghai day 00:00:00–23:59:59 touching the bank: a
/// settlement (`SETTLED`, at its settlement time) and, separately, a return (`RETURNED`, at
/// its return time, in the opposite direction). Amounts in yuan; every field of a data line
/// starts with a backtick so spreadsheets keep ids and amounts as text (DOMAIN §8).
extension ClearingHouse {
    /// Most movements in one file (a day of a small bank); past it the file says it is truncated.
    public static let reconciliationLinesMax = 100_000

    public func reconciliationFile(bankCode: String, date: BusinessDate) async throws -> String {
        try MessageFields.checkBankCode(bankCode)
        let start = date.startInstant
        let end = date.adding(days: 1).startInstant
        let rows = try await database.query("""
            SELECT \(ClearingTransferRecord.columns) FROM clearing_house_transfers
            WHERE (debtor_bank = ? OR creditor_bank = ?)
              AND ((settled_at >= ? AND settled_at < ?) OR (returned_at >= ? AND returned_at < ?))
            ORDER BY msg_id LIMIT \(Self.reconciliationLinesMax + 1)
            """, [.text(bankCode), .text(bankCode), .time(start), .time(end), .time(start), .time(end)])
        var movements: [ReconciliationMovement] = []
        for record in rows.map(ClearingTransferRecord.init(row:)) {
            let outgoing = record.transfer.debtor.bankCode == bankCode
            let counterparty = outgoing ? record.transfer.creditor : record.transfer.debtor
            if let settledAt = record.settledAt, settledAt >= start, settledAt < end {
                movements.append(ReconciliationMovement(outgoing: outgoing, record: record, counterparty: counterparty,
                                                        status: "SETTLED", time: settledAt, reasonCode: ""))
            }
            if let returnedAt = record.returnedAt, returnedAt >= start, returnedAt < end {
                movements.append(ReconciliationMovement(outgoing: !outgoing, record: record, counterparty: counterparty,
                                                        status: "RETURNED", time: returnedAt, reasonCode: record.reasonCode ?? ""))
            }
        }
        movements.sort { ($0.time, $0.record.messageID, $0.status) < ($1.time, $1.record.messageID, $1.status) }
        var lines = [
            "# Rong clearing house reconciliation file",
            "bank_code,date,generated_at,time_zone",
            Self.fields([bankCode, date.iso, Self.shanghaiText(clock.now()), "Asia/Shanghai"]),
            "direction,msg_id,amount_yuan,counterparty_bank,counterparty_account,status,time,path,reason_code",
        ]
        var totals: [Bool: (count: Int, fen: Int64)] = [true: (0, 0), false: (0, 0)]
        for movement in movements.prefix(Self.reconciliationLinesMax) {
            lines.append(Self.fields([
                movement.outgoing ? "OUT" : "IN", MessageFields.messageIDText(movement.record.messageID),
                YuanAmount.text(fen: movement.record.transfer.amountFen), movement.counterparty.bankCode,
                movement.counterparty.accountNumber, movement.status, Self.shanghaiText(movement.time),
                movement.record.path.rawValue, movement.reasonCode,
            ]))
            totals[movement.outgoing, default: (0, 0)].count += 1
            totals[movement.outgoing, default: (0, 0)].fen += movement.record.transfer.amountFen
        }
        if movements.count > Self.reconciliationLinesMax {
            lines.append("# truncated after \(Self.reconciliationLinesMax) movements")
        }
        let incoming = totals[false] ?? (0, 0)
        let outgoing = totals[true] ?? (0, 0)
        let net = incoming.fen - outgoing.fen
        lines += [
            "direction,count,total_yuan",
            Self.fields(["IN", String(incoming.count), YuanAmount.text(fen: incoming.fen)]),
            Self.fields(["OUT", String(outgoing.count), YuanAmount.text(fen: outgoing.fen)]),
            Self.fields(["NET", String(incoming.count + outgoing.count), (net < 0 ? "-" : "") + YuanAmount.text(fen: Int64(net.magnitude))]),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A data line: each field prefixed with a backtick, comma-separated (no field holds a comma).
    static func fields(_ values: [String]) -> String {
        values.map { "`" + $0 }.joined(separator: ",")
    }

    /// `2026-11-23 10:00:00` in Asia/Shanghai.
    static func shanghaiText(_ time: Timestamp) -> String {
        let date = BusinessDate(at: time)
        let second = time.secondsSinceEpoch - date.startInstant.secondsSinceEpoch
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(date.iso) \(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))"
    }
}

/// One line of the reconciliation file.
struct ReconciliationMovement {
    /// Money leaving the bank (`OUT`) or reaching it (`IN`).
    var outgoing: Bool
    var record: ClearingTransferRecord
    var counterparty: ClearingParty
    var status: String
    var time: Timestamp
    var reasonCode: String
}
