import Accounts
import BankKit
import Foundation
import Storage

/// A refund of (part of) a captured order, back to the account that paid.
public struct Refund: Sendable, Hashable {
    public enum Status: String, Sendable, Codable { case pending, succeeded, failed }
    public let id: RongID
    public let orderID: RongID
    public let refundNumber: String
    public let amountFen: Int64
    public let reason: String
    public let status: Status
    public let failureCode: String?
    public let createdAt: Timestamp
    public let completedAt: Timestamp?
}

extension PaymentsService {
    static let refundColumns = "id, order_id, refund_number, amount_fen, reason, status, failure_code, created_at, completed_at"

    static func refund(_ row: SQLRow) -> Refund {
        Refund(id: row.id("id"), orderID: row.id("order_id"), refundNumber: row.text("refund_number"), amountFen: row.int("amount_fen"),
               reason: row.text("reason"), status: Refund.Status(rawValue: row.text("status")) ?? .pending, failureCode: row.optionalText("failure_code"),
               createdAt: row.time("created_at"), completedAt: row.optionalInt("completed_at").map(Timestamp.init(nanosecondsSinceEpoch:)))
    }

    /// Refunds part or all of a paid order. Idempotent on the merchant's refund number; several
    /// refunds may follow one another but never total more than was captured — the total is
    /// raised in one conditional update, so racing refunds cannot over-refund.
    public func refund(orderID: RongID, merchant: Merchant, refundNumber: String, amountFen: Int64, reason: String) async throws -> Refund {
        let order = try await order(id: orderID, of: merchant)
        guard PaymentsService.isValidOrderNumber(refundNumber) else {
            throw DomainError(.invalidRequest, "refund_number is 1–32 characters of 0-9 A-Z a-z _ -.", status: 422, extensions: ["field": .string("refund_number")])
        }
        guard amountFen > 0, amountFen <= PaymentsService.orderAmountMaxFen else {
            throw DomainError(.invalidAmount, "amount_fen must be positive and at most the order amount.", status: 422, extensions: ["field": .string("amount_fen")])
        }
        let reason = String(reason.trimmingCharacters(in: .whitespacesAndNewlines).prefix(80))
        if let existing = try await existingRefund(orderID, refundNumber) {
            guard existing.amountFen == amountFen else {
                throw DomainError(.refundNumberConflict, "This refund number was used with another amount.", status: 409, extensions: ["field": .string("refund_number")])
            }
            return existing
        }
        guard [.paid, .partiallyRefunded].contains(order.status) else {
            throw DomainError(.orderNotRefundable, "Only a paid order can be refunded (it is \(order.status.rawValue)).", status: 409)
        }
        let id = ids.next()
        do {
            try await database.transaction { tx in
                let raised = try await tx.execute(
                    "UPDATE payments_orders SET refunded_fen = refunded_fen + ? WHERE id = ? AND status IN ('paid', 'partially_refunded') AND refunded_fen + ? <= captured_fen",
                    [.int(amountFen), .id(orderID), .int(amountFen)])
                guard raised == 1 else {
                    throw DomainError(.refundExceedsCaptured, "Refunds would exceed the captured \(Money.fen(order.capturedFen).formatted).",
                                      status: 422, extensions: ["field": .string("amount_fen"), "refundable_fen": .int(order.capturedFen - order.refundedFen)])
                }
                try await tx.execute(
                    "INSERT INTO payments_refunds (id, order_id, refund_number, amount_fen, reason, status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
                    [.id(id), .id(orderID), .text(refundNumber), .int(amountFen), .text(reason), .time(clock.now())])
            }
        } catch let error as StorageError where error.kind == .uniqueViolation {
            // The same refund number at the same moment: the winner's refund is the answer.
            if let existing = try await existingRefund(orderID, refundNumber), existing.amountFen == amountFen { return existing }
            throw DomainError(.refundNumberConflict, "This refund number was used with another amount.", status: 409, extensions: ["field": .string("refund_number")])
        }
        return try await completeRefund(id, order: order, merchant: merchant)
    }

    private func completeRefund(_ id: RongID, order: PaymentOrder, merchant: Merchant) async throws -> Refund {
        let refund = try await refund(id: id)!
        var failure: DomainError?
        do {
            guard let accountID = order.eAccountID, let account = try await accounts.eAccount(id: accountID) else {
                throw DomainError(.internalError, "The paying account of order \(order.id) is gone.", status: 500)
            }
            try await accounts.refundSpending(account, fromAccountID: merchant.settlementAccountID, amountFen: refund.amountFen,
                                              refundID: RongID.derived("payments.refund", id.description),
                                              memo: "退款 \(merchant.name) \(order.orderNumber)")
        } catch let error as DomainError {
            failure = error
        }
        try await database.transaction { tx in
            if let failure {
                try await tx.execute("UPDATE payments_refunds SET status = 'failed', failure_code = ?, completed_at = ? WHERE id = ? AND status = 'pending'",
                                     [.text(failure.code.rawValue), .time(clock.now()), .id(id)])
                try await tx.execute("UPDATE payments_orders SET refunded_fen = refunded_fen - ? WHERE id = ?", [.int(refund.amountFen), .id(order.id)])
            } else {
                try await tx.execute("UPDATE payments_refunds SET status = 'succeeded', transfer_id = ?, completed_at = ? WHERE id = ? AND status = 'pending'",
                                     [.id(RongID.derived("payments.refund", id.description)), .time(clock.now()), .id(id)])
                try await tx.execute(
                    "UPDATE payments_orders SET status = CASE WHEN refunded_fen = captured_fen THEN 'refunded' ELSE 'partially_refunded' END WHERE id = ?",
                    [.id(order.id)])
            }
            let eventID = ids.next()
            let type = failure == nil ? "refund.succeeded" : "refund.failed"
            let stored = PaymentsService.refund(try await tx.first("SELECT \(PaymentsService.refundColumns) FROM payments_refunds WHERE id = ?", [.id(id)])!)
            _ = try await webhooks.enqueue(tx, merchantID: merchant.id, eventType: type,
                                           payload: WebhookOutbox.makePayload(eventID: eventID, type: type, createdAt: clock.now(), data: RefundEventData(stored)))
        }
        if let failure { throw failure }
        return try await self.refund(id: id)!
    }

    public func refund(id: RongID) async throws -> Refund? {
        try await database.first("SELECT \(PaymentsService.refundColumns) FROM payments_refunds WHERE id = ?", [.id(id)]).map(PaymentsService.refund)
    }

    public func refunds(orderID: RongID, merchant: Merchant) async throws -> [Refund] {
        _ = try await order(id: orderID, of: merchant)
        return try await database.query("SELECT \(PaymentsService.refundColumns) FROM payments_refunds WHERE order_id = ? ORDER BY created_at LIMIT 200",
                                        [.id(orderID)]).map(PaymentsService.refund)
    }

    private func existingRefund(_ orderID: RongID, _ number: String) async throws -> Refund? {
        try await database.first("SELECT \(PaymentsService.refundColumns) FROM payments_refunds WHERE order_id = ? AND refund_number = ?",
                                 [.id(orderID), .text(number)]).map(PaymentsService.refund)
    }
}

struct RefundEventData: Encodable, Sendable {
    let object = "refund"
    let id: String
    let orderId: String
    let refundNumber: String
    let amountFen: Int64
    let currency = "CNY"
    let status: String
    let failureCode: String?

    init(_ refund: Refund) {
        id = refund.id.description
        orderId = refund.orderID.description
        refundNumber = refund.refundNumber
        amountFen = refund.amountFen
        status = refund.status.rawValue
        failureCode = refund.failureCode
    }
}
