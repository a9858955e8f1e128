import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import Storage
import Logging

/// Turns every failure into an RFC 9457 problem document (`application/problem+json`) with a
/// stable `code` and the request id. Unknown errors become a logged 500 `internal_error`
/// whose detail reveals nothing internal.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = RongRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem.from(error, request: request)
            if problem.status >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return problem.response(requestID: context.requestID, instance: request.uri.path)
        }
    }
}

/// An RFC 9457 problem document.
struct Problem: Sendable {
    let status: Int
    let code: String
    let detail: String
    let extensions: [String: ProblemValue]

    init(status: Int, code: ErrorCode, detail: String, extensions: [String: ProblemValue] = [:]) {
        self.status = status
        self.code = code.rawValue
        self.detail = detail
        self.extensions = extensions
    }

    static func from(_ error: any Error, request: Request) -> Problem {
        switch error {
        case let error as DomainError:
            return Problem(status: error.status, code: error.code, detail: error.detail, extensions: error.extensions)
        case let error as DecodingError:
            return Problem.decoding(error)
        case let error as StorageError where error.kind == .uniqueViolation:
            // A race two requests lost to each other at a unique constraint: a conflict, not a fault.
            return Problem(status: 409, code: .conflict, detail: "The request conflicts with one made at the same time; retry it.")
        case let error as StorageError where error.kind == .busy:
            return Problem(status: 503, code: .unavailable, detail: "The database is busy; retry the request.")
        case let error as any HTTPResponseError:
            // Hummingbird's own errors: HTTPError (unknown route, …) and NIOTooManyBytesError
            // (a body over `maxUploadSize`, from every body collection, not only ours).
            let message = (error as? HTTPError)?.body
            switch error.status.code {
            case 404: return Problem(status: 404, code: .routeNotFound, detail: "No route \(request.method) \(request.uri.path).")
            case 405: return Problem(status: 405, code: .methodNotAllowed, detail: "Method \(request.method) is not allowed here.")
            case 413: return Problem(status: 413, code: .payloadTooLarge, detail: "Request body is larger than \(RongLimits.requestBodyBytesMax) bytes.")
            case 400: return Problem(status: 400, code: .invalidRequest, detail: message ?? "Bad request.")
            case 401: return Problem(status: 401, code: .unauthorized, detail: message ?? "Authentication required.")
            default:
                return Problem(status: error.status.code, code: error.status.code >= 500 ? .internalError : .invalidRequest,
                               detail: message ?? error.status.reasonPhrase)
            }
        default:
            return Problem(status: 500, code: .internalError, detail: "An internal error occurred; it has been logged with the request id.")
        }
    }

    static func decoding(_ error: DecodingError) -> Problem {
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }.joined(separator: ".")
            return path.isEmpty ? "body" : path.replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let reason = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
            return Problem(status: 400, code: .invalidJSON, detail: "The body is not valid JSON: \(reason.prefix(200))")
        case .dataCorrupted(let context):
            return Problem(status: 422, code: .invalidRequest, detail: "\(path(context)): \(context.debugDescription)",
                           extensions: ["field": .string(path(context))])
        case .keyNotFound(let key, let context):
            let field = (path(context) == "body" ? "" : path(context) + ".") + key.stringValue
            return Problem(status: 422, code: .invalidRequest, detail: "\(field) is required.", extensions: ["field": .string(field)])
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return Problem(status: 422, code: .invalidRequest, detail: "\(path(context)) must be \(Problem.typeName(type)).",
                           extensions: ["field": .string(path(context))])
        @unknown default:
            return Problem(status: 400, code: .invalidJSON, detail: "The body could not be decoded.")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "a boolean"
        default: "of type \(type)"
        }
    }

    func response(requestID: String, instance: String) -> Response {
        var object: [String: Any] = [
            "type": "https://rong.dev/problems/\(code)",
            "title": DomainError.title(forStatus: status),
            "status": status,
            "code": code,
            "detail": detail,
            "instance": instance,
            "request_id": requestID,
        ]
        for (key, value) in extensions where object[key] == nil {
            switch value {
            case .string(let string): object[key] = string
            case .int(let int): object[key] = int
            case .bool(let bool): object[key] = bool
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
