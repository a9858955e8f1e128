import AsyncHTTPClient
import Logging
import NIOCore

/// The seam between the webhook outbox and the network: one HTTP POST, answering the status.
///
/// The live implementation is `HTTPWebhookTransport`; tests script statuses and failures.
/// A thrown error counts as a failed attempt (its description is recorded), as does any
/// status outside 200…299.
public protocol WebhookTransport: Sendable {
    /// POSTs `body` to `url` with `headers` and returns the response's HTTP status code.
    ///
    /// Implementations give up after `timeoutSeconds` and throw.
    func post(url: String, headers: [(String, String)], body: [UInt8], timeoutSeconds: Int64) async throws -> Int
}

/// Why a webhook could not be sent at all (no HTTP status to record).
public struct WebhookTransportError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The live transport: AsyncHTTPClient with an owned client that never follows redirects.
///
/// A merchant's endpoint answers with a status; its body is read and thrown away (at most
/// `responseBodyLimit` bytes are read, then the connection is dropped). Only `http://` and
/// `https://` URLs are accepted. Call `shutdown()` once when the server stops.
public final class HTTPWebhookTransport: WebhookTransport {
    /// Bytes of a response body read (and discarded) before giving up on the rest.
    public let responseBodyLimit: Int
    private let client: HTTPClient

    /// - Parameters:
    ///   - connectTimeoutSeconds: how long to wait for a TCP (and TLS) connection.
    ///   - responseBodyLimit: bytes of a response body read before the rest is abandoned.
    public init(connectTimeoutSeconds: Int64 = 5, responseBodyLimit: Int = 16 * 1024) {
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(connectTimeoutSeconds)))
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.responseBodyLimit = responseBodyLimit
    }

    /// POSTs once; a redirect is returned as its 3xx status (never followed).
    public func post(url: String, headers: [(String, String)], body: [UInt8], timeoutSeconds: Int64) async throws -> Int {
        try HTTPWebhookTransport.checkURL(url)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(body)
        let response = try await client.execute(request, timeout: .seconds(timeoutSeconds))
        // Read and discard the body, up to the limit, so a keep-alive connection can be reused.
        var read = 0
        for try await chunk in response.body {
            read += chunk.readableBytes
            if read > responseBodyLimit { break }
        }
        return Int(response.status.code)
    }

    /// Closes the client's connections. Call once, after the last `post`.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Refuses anything but an absolute `http://` or `https://` URL with a host.
    public static func checkURL(_ url: String) throws(WebhookTransportError) {
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = url.dropFirst("https://".count)
        } else if lower.hasPrefix("http://") {
            rest = url.dropFirst("http://".count)
        } else {
            throw WebhookTransportError("notify_url must be an http:// or https:// URL")
        }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty, !url.contains(where: { $0 == " " || $0 == "\n" || $0 == "\r" }) else {
            throw WebhookTransportError("notify_url has no host or contains whitespace")
        }
    }
}
