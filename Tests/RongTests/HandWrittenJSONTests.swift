import BankKit
import Foundation
@testable import Payments
@testable import RongServer
import Testing

/// The e-Pay bodies written by hand with `JSONObjectText` (an order's response, its webhook) are
/// byte for byte what `JSONEncoder` writes with Rong's settings, for plain and awkward values.
@Suite("Hand-written JSON")
struct HandWrittenJSONTests {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func orders() -> [PaymentOrder] {
        let at = Timestamp(nanosecondsSinceEpoch: 1_764_000_000_123_456_789)
        let texts = ["压测订单", "quote \" back\\slash / tab\t nl\n cr\r", "\u{1}\u{8}\u{c}\u{1f}\u{7f}", "emoji 🏦 \u{2028} é", ""]
        return texts.enumerated().flatMap { n, text in
            PaymentOrder.Status.allCases.map { status in
                PaymentOrder(id: RongID.derived("json-test", "\(n)-\(status)"), merchantID: RongID.derived("json-test", "merchant"),
                             orderNumber: n == 1 ? "ORD/\"\(n)\"" : "ORD-\(n)", amountFen: Int64(n) * 123_456 + 1, description: text, status: status,
                             expiresAt: at, customerID: nil, eAccountID: nil, capturedFen: status == .created ? 0 : 1_288,
                             refundedFen: status == .refunded ? 1_288 : 0, createdAt: at,
                             paidAt: status == .paid || status == .refunded ? Timestamp(nanosecondsSinceEpoch: 1_764_000_100_000_000_000) : nil,
                             closedAt: nil)
            }
        }
    }

    @Test("An order's response body is what the response encoder writes")
    func orderBody() throws {
        let encoder = RongRequestContext.encoder
        for order in Self.orders() {
            let body = OrderBody(order)
            #expect(body.jsonBytes == Array(try encoder.encode(body)), "\(order.status) \(order.description)")
        }
    }

    @Test("An order's webhook body is what WebhookOutbox.makePayload writes")
    func orderWebhook() throws {
        let created = Timestamp(nanosecondsSinceEpoch: 1_764_000_200_987_000_000)
        for order in Self.orders() {
            let eventID = RongID.derived("json-test", "event-\(order.id)")
            for type in WebhookEventType.all {
                let expected = WebhookOutbox.makePayload(eventID: eventID, type: type, createdAt: created, data: OrderEventData(order))
                #expect(OrderEventData(order).payload(eventID: eventID, type: type, createdAt: created) == expected)
            }
        }
    }
}
