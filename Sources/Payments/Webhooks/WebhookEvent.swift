import BankKit
import Foundation

/// The event types Rong sends to merchants. Webhooks are not limited to these (the outbox takes
/// any `lower.dotted_name`), but every type sent must be listed here and in `docs/webhooks.md`.
public enum WebhookEventType {
    /// An e-Pay order was paid: the customer confirmed and the money was captured.
    public static let orderPaid = "order.paid"
    /// An order reached its `expires_at` unpaid; it can no longer be paid.
    public static let orderExpired = "order.expired"
    /// The merchant (or an operator) closed an unpaid order.
    public static let orderClosed = "order.closed"
    /// A refund was completed: the money is back in the customer's account.
    public static let refundSucceeded = "refund.succeeded"
    /// A refund could not be completed; `failure_code` says why.
    public static let refundFailed = "refund.failed"

    /// Every type above, in the order the documentation lists them.
    public static let all = [orderPaid, orderExpired, orderClosed, refundSucceeded, refundFailed]

    /// True for `lower.dotted_name` of at most 64 bytes: letters, digits, `_` and `.`.
    public static func isWellFormed(_ type: String) -> Bool {
        let bytes = Array(type.utf8)
        guard !bytes.isEmpty, bytes.count <= 64, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }
}

/// The envelope every webhook body has:
/// `{"created": "2026-11-23T02:00:00.000Z", "data": {…}, "id": "<event id>", "type": "order.paid"}`.
///
/// `data` is the resource the event is about (the order, the refund), encoded with
/// snake_case keys; keys are sorted so the same event always has the same bytes.
public struct WebhookEvent<Payload: Encodable>: Encodable {
    /// The event id; also sent as the `Rong-Event-Id` header. Redeliveries keep it.
    public let id: RongID
    /// One of `WebhookEventType`.
    public let type: String
    /// When the event happened (RFC 3339, UTC, milliseconds).
    public let created: Timestamp
    /// The resource the event is about.
    public let data: Payload

    public init(id: RongID, type: String, created: Timestamp, data: Payload) {
        self.id = id
        self.type = type
        self.created = created
        self.data = data
    }

    /// The JSON text of the envelope: snake_case keys, sorted, `/` not escaped.
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Builds the body a merchant receives, e.g.
    /// `WebhookEvent.makePayload(eventID: id, type: WebhookEventType.orderPaid, createdAt: now, data: order)`.
    ///
    /// Event data is plain values (ids, integers of fen, text, timestamps), which always
    /// encode; a `data` whose `encode(to:)` throws is a programmer error and stops the process.
    public static func makePayload(eventID: RongID, type: String, createdAt: Timestamp, data: Payload) -> String {
        do {
            return try WebhookEvent(id: eventID, type: type, created: createdAt, data: data).encoded()
        } catch {
            preconditionFailure("webhook data for \(type) does not encode: \(error)")
        }
    }
}
