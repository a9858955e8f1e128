import NIOCore
import NIOHTTP1
import NIOPosix

/// A bench's HTTP/1.1 client: one keep-alive connection, one request at a time, nothing else
/// (no pool, no redirects, no TLS) — the load generator `wrk` would be. The bench shares the
/// machine's cores with the server it measures; AsyncHTTPClient's pool and state machines had
/// been a fifth of the process's CPU in `rong bench pay` (the switch gained a few percent: the
/// server's SQLite write path, not the client, is that bench's limit).
struct LoopbackHTTPConnection: ~Copyable {
    typealias Channel = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    struct Response {
        let status: HTTPResponseStatus
        let body: ByteBuffer
    }

    static let maxBodyBytes = 1 << 20

    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    private var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private let host: String

    /// Connects to 127.0.0.1:`port`, runs `body` with the connection, then closes it.
    static func with<T: Sendable>(port: Int, _ body: (inout LoopbackHTTPConnection) async throws -> T) async throws -> T {
        let channel: Channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try Channel(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = LoopbackHTTPConnection(outbound: outbound, inbound: inbound.makeAsyncIterator(), host: "127.0.0.1:\(port)")
            return try await body(&connection)
        }
    }

    /// Sends one request and reads its whole response (at most `maxBodyBytes`).
    mutating func request(_ method: HTTPMethod, _ path: String, json: String? = nil, authorization: String? = nil) async throws -> Response {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: host)
        if let authorization { head.headers.add(name: "Authorization", value: authorization) }
        if let json {
            let body = ByteBuffer(string: json)
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(body.readableBytes))
            try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(body)), .end(nil)])
        } else {
            try await outbound.write(contentsOf: [.head(head), .end(nil)])
        }
        var status: HTTPResponseStatus?
        var collected = ByteBuffer()
        while let part = try await inbound.next() {
            switch part {
            case .head(let responseHead):
                status = responseHead.status
            case .body(var chunk):
                guard collected.readableBytes + chunk.readableBytes <= Self.maxBodyBytes else { throw LoopbackHTTPError.bodyTooLarge }
                collected.writeBuffer(&chunk)
            case .end:
                guard let status else { throw LoopbackHTTPError.noResponseHead }
                return Response(status: status, body: collected)
            }
        }
        throw LoopbackHTTPError.closed
    }
}

enum LoopbackHTTPError: Error, CustomStringConvertible {
    case closed, noResponseHead, bodyTooLarge

    var description: String {
        switch self {
        case .closed: "the server closed the connection before the response ended"
        case .noResponseHead: "a response ended without a status line"
        case .bodyTooLarge: "a response body was larger than \(LoopbackHTTPConnection.maxBodyBytes) bytes"
        }
    }
}
