import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// Per-request state: the request id (also in every log line and problem document).
public struct RongRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by a route that upgrades to a WebSocket (`/v1/elink/ws`).
    public let webSocket = WebSocketHandlerReference<RongRequestContext>()
    /// Assigned by `ObservabilityMiddleware`; echoes a well-formed incoming `X-Request-Id`.
    public var requestID: String = ""
    /// The caller's IP address, for the audit log.
    public let clientAddress: String
    /// The connection the request came on (an e-Link WebSocket writes its frames to it).
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
        channel = source.channel
    }

    /// Request bodies are small JSON documents; anything larger is refused with 413.
    public var maxUploadSize: Int { RongLimits.requestBodyBytesMax }

    public var requestDecoder: JSONDecoder { RongRequestContext.decoder }

    public var responseEncoder: JSONEncoder { RongRequestContext.encoder }

    /// One configured coder for every request: Foundation's JSON coders are safe to share
    /// (their options sit behind a lock) and are never reconfigured after this.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// Limits at the HTTP edge.
public enum RongLimits {
    /// 1 MiB.
    public static let requestBodyBytesMax = 1 << 20
    public static let requestIDLengthMax = 64
}
