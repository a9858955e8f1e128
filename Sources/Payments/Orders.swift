import BankKit
import Foundation
import Storage

/// An e-Pay order as the merchant and the customer see it.
public struct PaymentOrder: Sendable, Hashable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case created, confirming, paid, partiallyRefunded = "partially_refunded", refunded, closed, expired
    }
    public let id: RongID
    public let merchantID: RongID
    public let orderNumber: String
    public let amountFen: Int64
    public let description: String
    public let status: Status
    public let expiresAt: Timestamp
    public let customerID: RongID?
    public let eAccountID: RongID?
    public let capturedFen: Int64
    public let refundedFen: Int64
    public let createdAt: Timestamp
    public let paidAt: Timestamp?
    public let closedAt: Timestamp?
}

extension PaymentOrder {
    /// The order as the capture leaves it (what a re-read after the commit would return).
    func paid(at time: Timestamp) -> PaymentOrder {
        PaymentOrder(id: id, merchantID: merchantID, orderNumber: orderNumber, amountFen: amountFen, description: description, status: .paid,
                     expiresAt: expiresAt, customerID: customerID, eAccountID: eAccountID, capturedFen: amountFen, refundedFen: refundedFen,
                     createdAt: createdAt, paidAt: time, closedAt: closedAt)
    }
}

extension PaymentsService {
    /// Order and refund numbers: the merchant's own, 1–32 characters of `0-9 A-Z a-z _ -`.
    public static let orderNumberLengthMax = 32
    /// The same rule as a JSON Schema pattern (the OpenAPI document).
    public static let orderNumberPattern = "^[0-9A-Za-z_-]{1,\(orderNumberLengthMax)}$"

    public static func isValidOrderNumber(_ text: String) -> Bool {
        PlainToken.isValid(text, lengthMax: orderNumberLengthMax)
    }
    public static let defaultExpirySeconds: Int64 = 30 * 60
    public static let expirySecondsMax: Int64 = 24 * 3600
    public static let descriptionMaxLength = 128
    /// e-Pay amounts: 1 fen to ¥10,000.00 (the highest per-transaction limit a customer can have).
    public static let orderAmountMaxFen: Int64 = 10_000_00

    static let orderColumns = """
        id, merchant_id, order_number, amount_fen, description, status, expires_at, customer_id, e_account_id, captured_fen, refunded_fen,
        created_at, paid_at, closed_at
        """

    static func order(_ row: SQLRow) -> PaymentOrder {
        PaymentOrder(id: row.id("id"), merchantID: row.id("merchant_id"), orderNumber: row.text("order_number"), amountFen: row.int("amount_fen"),
                     description: row.text("description"), status: PaymentOrder.Status(rawValue: row.text("status")) ?? .created,
                     expiresAt: row.time("expires_at"), customerID: row.optionalID("customer_id"), eAccountID: row.optionalID("e_account_id"),
                     capturedFen: row.int("captured_fen"), refundedFen: row.int("refunded_fen"), createdAt: row.time("created_at"),
                     paidAt: row.optionalInt("paid_at").map(Timestamp.init(nanosecondsSinceEpoch:)),
                     closedAt: row.optionalInt("closed_at").map(Timestamp.init(nanosecondsSinceEpoch:)))
    }

    /// Creates an order, idempotent on the merchant's order number: the same parameters return
    /// the same order; other parameters fail with `order_number_conflict`.
    public func createOrder(merchant: Merchant, orderNumber: String, amountFen: Int64, description: String,
                            expiresInSeconds: Int64?) async throws -> PaymentOrder {
        guard PaymentsService.isValidOrderNumber(orderNumber) else {
            throw DomainError(.invalidRequest, "order_number is 1–32 characters of 0-9 A-Z a-z _ -.", status: 422, extensions: ["field": .string("order_number")])
        }
        guard amountFen > 0, amountFen <= PaymentsService.orderAmountMaxFen else {
            throw DomainError(.invalidAmount, "amount_fen is 1 to 1,000,000 (¥10,000.00).", status: 422, extensions: ["field": .string("amount_fen")])
        }
        let description = description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !description.isEmpty, description.count <= PaymentsService.descriptionMaxLength,
              !description.unicodeScalars.contains(where: { $0.value < 0x20 || "<>".unicodeScalars.contains($0) }) else {
            throw DomainError(.invalidRequest, "description is 1–128 characters without control characters or <>.", status: 422,
                              extensions: ["field": .string("description")])
        }
        let expiry = expiresInSeconds ?? PaymentsService.defaultExpirySeconds
        guard expiry >= 60, expiry <= PaymentsService.expirySecondsMax else {
            throw DomainError(.invalidRequest, "expires_in_seconds is 60 to 86,400.", status: 422, extensions: ["field": .string("expires_in_seconds")])
        }
        let hash = Array("\(amountFen)|\(description)|\(expiry)".utf8)
        let now = clock.now()
        let order = PaymentOrder(id: ids.next(), merchantID: merchant.id, orderNumber: orderNumber, amountFen: amountFen, description: description,
                                 status: .created, expiresAt: now.adding(seconds: expiry), customerID: nil, eAccountID: nil, capturedFen: 0,
                                 refundedFen: 0, createdAt: now, paidAt: nil, closedAt: nil)
        do {
            try await database.execute(
                """
                INSERT INTO payments_orders (id, merchant_id, order_number, request_hash, amount_fen, description, status, expires_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, 'created', ?, ?)
                """,
                [.id(order.id), .id(merchant.id), .text(orderNumber), .blob(hash), .int(amountFen), .text(description),
                 .time(order.expiresAt), .time(now)])
        } catch let error as StorageError where error.kind == .uniqueViolation {
            // The order number is taken: a repeat (or one sent at the same moment) gets that order.
            if let existing = try await existingOrder(merchant.id, orderNumber, hash: hash) { return existing }
            throw error
        }
        return order
    }


    private func existingOrder(_ merchantID: RongID, _ orderNumber: String, hash: [UInt8]) async throws -> PaymentOrder? {
        guard let row = try await database.first("SELECT id, request_hash FROM payments_orders WHERE merchant_id = ? AND order_number = ?",
                                                 [.id(merchantID), .text(orderNumber)]) else { return nil }
        guard case .blob(let stored) = row["request_hash"], stored == hash else {
            throw DomainError(.orderNumberConflict, "This order number was used with different parameters.", status: 409,
                              extensions: ["field": .string("order_number")])
        }
        return try await order(id: row.id("id"))
    }

    public func order(id: RongID) async throws -> PaymentOrder? {
        try await database.first("SELECT \(PaymentsService.orderColumns) FROM payments_orders WHERE id = ?", [.id(id)]).map(PaymentsService.order)
    }

    /// The merchant's own order (another merchant's answers 404).
    public func order(id: RongID, of merchant: Merchant) async throws -> PaymentOrder {
        guard let order = try await order(id: id), order.merchantID == merchant.id else { throw DomainError.notFound("Order") }
        return order
    }

    public func order(number: String, of merchant: Merchant) async throws -> PaymentOrder {
        guard let row = try await database.first("SELECT \(PaymentsService.orderColumns) FROM payments_orders WHERE merchant_id = ? AND order_number = ?",
                                                 [.id(merchant.id), .text(number)]) else { throw DomainError.notFound("Order") }
        return PaymentsService.order(row)
    }

    public func orders(of merchant: Merchant, limit: Int = 50) async throws -> [PaymentOrder] {
        try await database.query("SELECT \(PaymentsService.orderColumns) FROM payments_orders WHERE merchant_id = ? ORDER BY created_at DESC LIMIT ?",
                                 [.id(merchant.id), .int(max(1, min(limit, 200)))]).map(PaymentsService.order)
    }

    /// Closes an unpaid order (the merchant changed its mind); a paid order cannot be closed.
    public func closeOrder(id: RongID, merchant: Merchant) async throws -> PaymentOrder {
        let order = try await order(id: id, of: merchant)
        if order.status == .closed { return order }
        try await database.transaction { tx in
            let changed = try await tx.execute("UPDATE payments_orders SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'created'",
                                               [.time(clock.now()), .id(id)])
            guard changed == 1 else {
                throw DomainError(.orderNotPayable, "Only an unpaid order can be closed (it is \(order.status.rawValue)).", status: 409)
            }
            try await enqueueEvent(tx, orderID: id, type: "order.closed")
        }
        return try await self.order(id: id)!
    }

    /// Marks unpaid orders past their expiry as expired (nothing was taken, so nothing is released).
    /// Bounded per call; returns how many expired.
    public func expireOrders(limit: Int = 1000) async throws -> Int {
        let due = try await database.query("SELECT id FROM payments_orders WHERE status = 'created' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
                                           [.time(clock.now()), .int(limit)])
        var expired = 0
        for row in due {
            let id = row.id("id")
            try await database.transaction { tx in
                if try await tx.execute("UPDATE payments_orders SET status = 'expired', closed_at = ? WHERE id = ? AND status = 'created'",
                                        [.time(clock.now()), .id(id)]) == 1 {
                    try await enqueueEvent(tx, orderID: id, type: "order.expired")
                    expired += 1
                }
            }
        }
        return expired
    }

    /// Queues the webhook for an order's new state, in the transaction that changed it.
    func enqueueEvent(_ tx: any SQLSession, orderID: RongID, type: String) async throws {
        guard let row = try await tx.first("SELECT \(PaymentsService.orderColumns) FROM payments_orders WHERE id = ?", [.id(orderID)]) else { return }
        try await enqueueEvent(tx, order: PaymentsService.order(row), type: type)
    }

    /// Queues the webhook for `order` as the transaction has just written it.
    func enqueueEvent(_ tx: any SQLSession, order: PaymentOrder, type: String) async throws {
        let eventID = ids.next()
        let payload = OrderEventData(order).payload(eventID: eventID, type: type, createdAt: clock.now())
        _ = try await webhooks.enqueue(tx, merchantID: order.merchantID, eventType: type, payload: payload, eventID: eventID)
    }
}

/// The order inside a webhook (`data`).
struct OrderEventData: Encodable, Sendable {
    let object = "payment_order"
    let id: String
    let orderNumber: String
    let amountFen: Int64
    let currency = "CNY"
    let status: String
    let capturedFen: Int64
    let refundedFen: Int64
    let paidAt: String?

    init(_ order: PaymentOrder) {
        id = order.id.description
        orderNumber = order.orderNumber
        amountFen = order.amountFen
        status = order.status.rawValue
        capturedFen = order.capturedFen
        refundedFen = order.refundedFen
        paidAt = order.paidAt?.description
    }
}

extension OrderEventData {
    /// `WebhookOutbox.makePayload(eventID:type:createdAt:data: self)` written by hand, byte for
    /// byte (a test holds the two equal): every paid order sends one, and `JSONEncoder` with
    /// snake_case keys was 2% of the pay path's CPU.
    func payload(eventID: RongID, type: String, createdAt: Timestamp) -> String {
        var data = JSONObjectText()
        data.int("amount_fen", amountFen)
        data.int("captured_fen", capturedFen)
        data.string("currency", currency)
        data.string("id", id)
        data.string("object", object)
        data.string("order_number", orderNumber)
        if let paidAt { data.string("paid_at", paidAt) }
        data.int("refunded_fen", refundedFen)
        data.string("status", status)
        var envelope = JSONObjectText()
        envelope.string("created", createdAt.rfc3339)
        envelope.raw("data", data.finish())
        envelope.string("id", eventID.description)
        envelope.string("type", type)
        return envelope.finish()
    }
}
