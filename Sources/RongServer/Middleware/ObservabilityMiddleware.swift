import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Prometheus

/// Assigns the request id, writes one JSON access-log line per request and records
/// request counts and latencies for `/metrics`.
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = RongRequestContext
    let ids: IDGenerator
    let factory: PrometheusMetricsFactory
    let accessLog: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = ObservabilityMiddleware.acceptedID(request.headers[.requestID]) ?? ids.next().description
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // ProblemMiddleware sits inside this one; anything reaching here is a bug in it.
            response = Problem.from(error, request: request).response(requestID: context.requestID, instance: request.uri.path)
        }
        response.headers[.requestID] = context.requestID
        let elapsed = ContinuousClock.now - started
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        let route = context.endpointPath ?? "unmatched"
        let dimensions = [("method", request.method.rawValue), ("route", route), ("status", String(response.status.code))]
        Counter(label: "rong_http_requests_total", dimensions: dimensions, factory: factory).increment()
        Metrics.Timer(label: "rong_http_request_duration_seconds", dimensions: [("method", request.method.rawValue), ("route", route)], factory: factory)
            .recordNanoseconds(nanoseconds)
        accessLog.info("request", metadata: [
            "request_id": .string(context.requestID),
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "route": .string(route),
            "status": .stringConvertible(response.status.code),
            "duration_us": .stringConvertible(nanoseconds / 1000),
        ])
        return response
    }

    /// A client-chosen request id is kept when it is short and plain.
    static func acceptedID(_ value: String?) -> String? {
        guard let value, PlainToken.isValid(value, lengthMax: RongLimits.requestIDLengthMax) else { return nil }
        return value
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}
