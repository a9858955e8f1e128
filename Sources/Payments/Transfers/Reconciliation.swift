import BankKit
import Foundation
import Identity
import Interbank
import Storage

/// A difference between the clearing house's daily file and Rong's records.
public struct ReconciliationBreak: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The clearing house moved money Rong has no record of.
        case missingInRong = "missing_in_rong"
        /// Rong recorded a movement the clearing house did not settle that day.
        case missingAtClearing = "missing_at_clearing"
        /// Both sides have it with different amounts.
        case amountDiffers = "amount_differs"
    }
    public let id: RongID
    public let businessDate: BusinessDate
    public let kind: Kind
    /// The movement: `OUT/SETTLED/<msg id>`, `IN/RETURNED/<msg id>`, …
    public let movement: String
    public let rongAmountFen: Int64?
    public let clearingAmountFen: Int64?
    public let detail: String
    public let status: String
    public let resolution: String?
    public let resolvedBy: String?
    public let resolvedAt: Timestamp?
}

extension PaymentsService {
    public static let resolutionMaxLength = 200

    /// Matches the clearing house's file for `date` against Rong's transfers and incoming
    /// credits and records every break (idempotent: a re-run adds nothing new). Returns the
    /// number of lines matched and the breaks of the date.
    public func reconcile(date: BusinessDate) async throws -> (matched: Int, breaks: [ReconciliationBreak]) {
        let file = try await clearing.reconciliationFile(for: date)
        let theirs = try PaymentsService.parseReconciliation(file)
        let ours = try await rongMovements(on: date)
        var matched = 0
        var found: [(ReconciliationBreak.Kind, String, Int64?, Int64?, String)] = []
        for (key, amount) in theirs {
            if let mine = ours[key] {
                if mine == amount { matched += 1 } else {
                    found.append((.amountDiffers, key, mine, amount, "Rong \(mine) fen, clearing house \(amount) fen"))
                }
            } else {
                found.append((.missingInRong, key, nil, amount, "settled by the clearing house, not recorded by Rong"))
            }
        }
        for (key, amount) in ours where theirs[key] == nil {
            found.append((.missingAtClearing, key, amount, nil, "recorded by Rong, absent from the clearing house's file"))
        }
        for item in found {
            try await database.execute(
                """
                INSERT INTO payments_recon_breaks (id, business_date, kind, message_id, rong_amount_fen, clearing_amount_fen, detail, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'open') ON CONFLICT DO NOTHING
                """,
                [.id(ids.next()), .date(date), .text(item.0.rawValue), .text(item.1), .int(item.2), .int(item.3), .text(item.4)])
        }
        return (matched, try await reconciliationBreaks(date: date))
    }

    /// (direction/status/msg id) → amount in fen, from the file's data lines.
    static func parseReconciliation(_ file: String) throws -> [String: Int64] {
        var movements: [String: Int64] = [:]
        for line in file.split(separator: "\n") where line.hasPrefix("`") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0.dropFirst()) }
            guard fields.count == 9 else { continue }  // the header and summary lines have other shapes
            guard ["IN", "OUT"].contains(fields[0]), let amount = try? YuanAmount.fen(fields[2]) else {
                throw DomainError(.invalidRequest, "Unreadable reconciliation line: \(line.prefix(80))", status: 502)
            }
            movements["\(fields[0])/\(fields[5])/\(fields[1].lowercased())", default: 0] += amount
        }
        return movements
    }

    /// Rong's side for the same day, in the file's terms.
    func rongMovements(on date: BusinessDate) async throws -> [String: Int64] {
        let start = date.startInstant
        let end = date.adding(days: 1).startInstant
        func key(_ direction: String, _ status: String, _ id: RongID) -> String {
            "\(direction)/\(status)/\(id.description.filter { $0 != "-" }.lowercased())"
        }
        var movements: [String: Int64] = [:]
        for row in try await database.query(
            "SELECT id, amount_fen FROM payments_transfers WHERE settled_at >= ? AND settled_at < ? LIMIT 100000", [.time(start), .time(end)]) {
            movements[key("OUT", "SETTLED", row.id("id"))] = row.int("amount_fen")
        }
        for row in try await database.query(
            "SELECT id, amount_fen FROM payments_transfers WHERE status = 'returned' AND completed_at >= ? AND completed_at < ? LIMIT 100000",
            [.time(start), .time(end)]) {
            movements[key("IN", "RETURNED", row.id("id"))] = row.int("amount_fen")
        }
        for row in try await database.query(
            "SELECT message_id, amount_fen, outcome, received_at, processed_at FROM payments_incoming WHERE (received_at >= ? AND received_at < ?) OR (processed_at >= ? AND processed_at < ?) LIMIT 100000",
            [.time(start), .time(end), .time(start), .time(end)]) {
            let id = row.id("message_id")
            let received = row.time("received_at")
            if received >= start && received < end { movements[key("IN", "SETTLED", id)] = row.int("amount_fen") }
            let processed = row.time("processed_at")
            if row.text("outcome") == "returned", processed >= start, processed < end {
                movements[key("OUT", "RETURNED", id)] = row.int("amount_fen")
            }
        }
        return movements
    }

    static let breakColumns = "id, business_date, kind, message_id, rong_amount_fen, clearing_amount_fen, detail, status, resolution, resolved_by, resolved_at"

    static func reconciliationBreak(_ row: SQLRow) -> ReconciliationBreak {
        ReconciliationBreak(id: row.id("id"), businessDate: row.date("business_date"), kind: ReconciliationBreak.Kind(rawValue: row.text("kind")) ?? .amountDiffers,
                            movement: row.text("message_id"), rongAmountFen: row.optionalInt("rong_amount_fen"),
                            clearingAmountFen: row.optionalInt("clearing_amount_fen"), detail: row.text("detail"), status: row.text("status"),
                            resolution: row.optionalText("resolution"), resolvedBy: row.optionalText("resolved_by"),
                            resolvedAt: row.optionalInt("resolved_at").map(Timestamp.init(nanosecondsSinceEpoch:)))
    }

    /// Breaks of a date, or every open break when `date` is nil (the operators' list).
    public func reconciliationBreaks(date: BusinessDate? = nil, limit: Int = 200) async throws -> [ReconciliationBreak] {
        if let date {
            return try await database.query("SELECT \(PaymentsService.breakColumns) FROM payments_recon_breaks WHERE business_date = ? ORDER BY kind, message_id LIMIT ?",
                                            [.date(date), .int(limit)]).map(PaymentsService.reconciliationBreak)
        }
        return try await database.query("SELECT \(PaymentsService.breakColumns) FROM payments_recon_breaks WHERE status = 'open' ORDER BY business_date, kind LIMIT ?",
                                        [.int(limit)]).map(PaymentsService.reconciliationBreak)
    }

    /// An operator resolves a break with a recorded action (audited).
    public func resolveBreak(by staff: Principal, id: RongID, resolution: String, address: String) async throws -> ReconciliationBreak {
        try staff.requireOperator("Operators resolve breaks.")
        let text = resolution.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= PaymentsService.resolutionMaxLength else {
            throw DomainError(.invalidRequest, "Describe the resolution in 1–200 characters.", status: 422, extensions: ["field": .string("resolution")])
        }
        try await database.transaction { tx in
            let changed = try await tx.execute(
                "UPDATE payments_recon_breaks SET status = 'resolved', resolution = ?, resolved_by = ?, resolved_at = ? WHERE id = ? AND status = 'open'",
                [.text(text), .text(staff.actorRef), .time(clock.now()), .id(id)])
            guard changed == 1 else {
                throw try await tx.first("SELECT id FROM payments_recon_breaks WHERE id = ?", [.id(id)]) == nil
                    ? DomainError.notFound("Break") : DomainError(.conflict, "This break is already resolved.", status: 409)
            }
            try await identity.audit.record(tx, actor: staff.actorRef, action: "recon.resolve", target: "recon_break:\(id)", address: address, detail: text)
        }
        return try await database.first("SELECT \(PaymentsService.breakColumns) FROM payments_recon_breaks WHERE id = ?", [.id(id)])
            .map(PaymentsService.reconciliationBreak)!
    }
}
