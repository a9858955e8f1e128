/// A stable, machine-readable error code (`insufficient_funds`, `limit_exceeded`, …).
///
/// Codes are part of the public API: once published they never change meaning.
/// Modules add their own with `extension ErrorCode { static let … }`.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let invalidAmount: ErrorCode = "invalid_amount"
    public static let invalidID: ErrorCode = "invalid_id"
    public static let invalidDate: ErrorCode = "invalid_date"
    public static let invalidRequest: ErrorCode = "invalid_request"
    public static let invalidJSON: ErrorCode = "invalid_json"
    public static let unknownAsset: ErrorCode = "unknown_asset"
    public static let assetMismatch: ErrorCode = "asset_mismatch"
    public static let overflow: ErrorCode = "overflow"
    public static let notFound: ErrorCode = "not_found"
    public static let routeNotFound: ErrorCode = "route_not_found"
    public static let methodNotAllowed: ErrorCode = "method_not_allowed"
    public static let unauthorized: ErrorCode = "unauthorized"
    public static let forbidden: ErrorCode = "forbidden"
    public static let payloadTooLarge: ErrorCode = "payload_too_large"
    public static let unsupportedMediaType: ErrorCode = "unsupported_media_type"
    public static let batchTooLarge: ErrorCode = "batch_too_large"
    public static let idempotencyConflict: ErrorCode = "idempotency_key_reused"
    public static let conflict: ErrorCode = "conflict"
    public static let unavailable: ErrorCode = "service_unavailable"
    public static let internalError: ErrorCode = "internal_error"
}

/// A JSON value for error extension members (`limit`, `levels`, …).
public enum ProblemValue: Sendable, Hashable, Codable {
    case string(String)
    case int(Int64)
    case bool(Bool)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) { self = .int(value) }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else { self = .string(try container.decode(String.self)) }
    }
}

/// An operating error of the bank's domain: bad input, a refused movement, a missing resource.
///
/// Every `DomainError` becomes an RFC 9457 problem document at the HTTP edge with its
/// `code`, its HTTP `status`, a human `detail` and optional extension members.
/// Programmer errors are `precondition`s instead, never a `DomainError`.
public struct DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: ErrorCode
    public let status: Int
    public let detail: String
    /// Extra members of the problem document, e.g. `["limit": .string("class_ii_daily_out")]`.
    public let extensions: [String: ProblemValue]

    public init(_ code: ErrorCode, _ detail: String, status: Int = 422, extensions: [String: ProblemValue] = [:]) {
        self.code = code
        self.detail = detail
        self.status = status
        self.extensions = extensions
    }

    /// Short English title for the status, used as the problem's `title`.
    public var title: String { DomainError.title(forStatus: status) }

    public var description: String { "\(code.rawValue): \(detail)" }

    public static func notFound(_ what: String) -> DomainError {
        DomainError(.notFound, "\(what) not found.", status: 404)
    }

    public static func invalid(_ detail: String, code: ErrorCode = .invalidRequest) -> DomainError {
        DomainError(code, detail, status: 422)
    }

    public static func title(forStatus status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 423: "Locked"
        case 429: "Too Many Requests"
        case 503: "Service Unavailable"
        default: status >= 500 ? "Internal Server Error" : "Error"
        }
    }
}
