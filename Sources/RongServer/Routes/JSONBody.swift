import BankKit
import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// Decodes a JSON body, refusing a wrong content type (415), a body over 1 MiB (413),
    /// malformed JSON (400 `invalid_json`) and wrong shapes (422 `invalid_request` naming the field).
    func decodeJSON<T: Decodable>(as type: T.Type, context: RongRequestContext) async throws -> T {
        let contentType = headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw DomainError(.unsupportedMediaType, "Send the body as application/json.", status: 415)
        }
        var copy = self
        let buffer = try await copy.collectBody(upTo: context.maxUploadSize)
        return try context.requestDecoder.decode(T.self, from: Data(buffer.readableBytesView))
    }
}

extension RongRequestContext {
    /// A path parameter parsed as an id (422 `invalid_id` when malformed).
    func id(_ name: String) throws -> RongID {
        try RongID(parameters.get(name) ?? "")
    }
}

/// Stripe-style list envelope.
struct ListBody<Item: Encodable & Sendable>: ResponseEncodable {
    let object = "list"
    let data: [Item]
    let hasMore: Bool
    let nextCursor: String?
}
