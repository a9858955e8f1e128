import AsyncHTTPClient
import BankKit
import Foundation
import NIOCore

/// A `ClearingConnection` to `rong clearing-house` over HTTP (`POST /iso20022`,
/// `GET /inbound/{bank}`, `GET /recon/{date}`; docs/clearing-house.md): the clearing house as its
/// own process. A bank's CNAPS front-end processor would be another `ClearingConnection`.
///
/// A request that times out or loses its connection after being sent is `clearing_timeout`
/// (the document may have arrived: the caller asks with a pacs.028 before sending again); one
/// that could not connect is `clearing_unavailable`; a problem document from the clearing house
/// keeps its code and status.
public final class HTTPClearingConnection: ClearingConnection {
    public let baseURL: String
    public let timeoutSeconds: Int64
    /// Largest answer read: a pacs.002 is a few KiB, the inbound queue and a day's file more.
    public static let responseBytesMax = 8 * 1024 * 1024
    private let client: HTTPClient

    /// - Parameter baseURL: e.g. `http://127.0.0.1:8090` (no trailing slash needed).
    public init(baseURL: String, timeoutSeconds: Int64 = 10, connectTimeoutSeconds: Int64 = 3) throws(DomainError) {
        guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw DomainError(.invalidRequest, "The clearing house URL must be http(s)://host[:port]; got '\(baseURL.prefix(80))'.", status: 422)
        }
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeoutSeconds = timeoutSeconds
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                            configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(connectTimeoutSeconds))))
    }

    /// Stops the HTTP client (call before the process ends; AsyncHTTPClient requires it).
    public func shutdown() async {
        try? await client.shutdown()
    }

    public func handle(_ xml: String) async throws -> String {
        var request = HTTPClientRequest(url: baseURL + "/iso20022")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/xml; charset=utf-8")
        request.body = .bytes(ByteBuffer(string: xml))
        return try await send(request, sent: true)
    }

    public func inbound(bankCode: String, limit: Int) async throws -> [String] {
        guard bankCode.count == 3, bankCode.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw DomainError.invalid("A bank code is 3 digits.") }
        let text = try await send(HTTPClientRequest(url: baseURL + "/inbound/\(bankCode)?limit=\(min(max(limit, 1), 1000))"), sent: false)
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let documents = object["documents"] as? [String] else {
            throw DomainError(.interbankReplyInvalid, "The clearing house's inbound answer is not {\"documents\": [...]}.", status: 502)
        }
        return documents
    }

    public func reconciliationFile(bankCode: String, date: BusinessDate) async throws -> String {
        guard bankCode.count == 3, bankCode.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw DomainError.invalid("A bank code is 3 digits.") }
        return try await send(HTTPClientRequest(url: baseURL + "/recon/\(date.iso)?bank=\(bankCode)"), sent: false)
    }

    /// Executes `request` and returns the body text of a 200; `sent`: whether a lost answer may
    /// mean the clearing house acted on it (a POST), so it is a timeout, not "unavailable".
    private func send(_ request: HTTPClientRequest, sent: Bool) async throws -> String {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(timeoutSeconds))
        } catch let error as HTTPClientError where error == .connectTimeout {
            throw DomainError(.clearingUnavailable, "The clearing house at \(baseURL) cannot be reached: \(error).", status: 503)
        } catch {
            if !sent { throw DomainError(.clearingUnavailable, "The clearing house at \(baseURL) did not answer: \(error).", status: 503) }
            throw DomainError(.clearingTimeout, "No answer from the clearing house at \(baseURL) (\(error)); ask for the status before sending again.", status: 504)
        }
        let body = try await response.body.collect(upTo: HTTPClearingConnection.responseBytesMax)
        let text = String(buffer: body)
        guard response.status == .ok else {
            if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let code = object["code"] as? String {
                throw DomainError(ErrorCode(rawValue: code), object["detail"] as? String ?? "The clearing house refused the request.", status: Int(response.status.code))
            }
            throw DomainError(.clearingUnavailable, "The clearing house answered HTTP \(response.status.code).", status: 503)
        }
        return text
    }
}
