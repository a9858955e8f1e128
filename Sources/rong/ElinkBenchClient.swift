import Foundation
import Identity
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// `rong bench im`'s simulated users: one WebSocket per user, each a NIO channel handler on an
/// event loop — it reads `hello`, then in each phase sends its share of messages (scheduled on
/// its event loop) and counts the bench messages of others it receives, with their latency.
///
/// The load generator shares the machine's two cores with the server it measures, so it is
/// kept to what a WebSocket client must do: NIO's own HTTP upgrade and frame codec, no task or
/// async stream per connection. (HummingbirdWSClient, which it replaced, spent about 48 µs of
/// CPU per delivered 1:1 message — a third of what the server spent — mostly in the task
/// hand-offs of its async inbound and outbound streams.)
final class BenchSocket: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: every var is touched only on `channel.eventLoop` (the handler's methods, and
    // `start`/`stop`, which hop there first).
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let index: Int
    let state: BenchState
    private var context: ChannelHandlerContext?
    private var greeted = false
    /// Bumped by each `start`, so sends scheduled for an earlier phase stop.
    private var phase = 0

    init(index: Int, state: BenchState) {
        self.index = index
        self.state = state
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            guard greeted else {
                // The first frame is `hello`: this user is connected.
                greeted = true
                state.connected.add(1)
                return
            }
            let found = frame.data.withUnsafeReadableBytes { raw in
                BenchClient.benchMessage(in: UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count))
            }
            guard let (sender, sent) = found, sender != index else { return }
            state.delivered.add(1)
            state.record(DispatchTime.now().uptimeNanoseconds &- sent)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            context.close(promise: nil)
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Sends `plan` from this user: message k at phase start + offset + k × interval.
    /// Called on the channel's event loop (`BenchConnection.start`).
    func start(_ plan: SendPlan, at begin: UInt64) {
        phase += 1
        schedule(plan, k: 0, begin: begin, phase: phase)
    }

    private func schedule(_ plan: SendPlan, k: Int, begin: UInt64, phase: Int) {
        guard k < plan.count, phase == self.phase, let context else { return }
        let due = begin + plan.offsetNanos + UInt64(k) * plan.intervalNanos
        context.eventLoop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(due)) {
            guard phase == self.phase, let context = self.context else { return }
            let json = #"{"type":"send","conversation_id":"\#(plan.conversation)","text":"b|\#(self.index)|\#(DispatchTime.now().uptimeNanoseconds)"}"#
            var buffer = context.channel.allocator.buffer(capacity: json.utf8.count)
            buffer.writeString(json)
            context.writeAndFlush(self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)), promise: nil)
            self.schedule(plan, k: k + 1, begin: begin, phase: phase)
        }
    }

    /// Says goodbye (a close frame) and closes the socket. Called on the channel's event loop.
    func stop() {
        phase += 1
        guard let context else { return }
        var reason = context.channel.allocator.buffer(capacity: 2)
        reason.write(webSocketErrorCode: .normalClosure)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reason)))
            .whenComplete { _ in context.close(promise: nil) }
    }
}

/// One connected bench user: its handler and its channel (whose event loop the handler lives on).
struct BenchConnection: Sendable {
    let socket: BenchSocket
    let channel: any Channel

    func start(_ plan: SendPlan, at begin: UInt64) { channel.eventLoop.execute { socket.start(plan, at: begin) } }
    func stop() { channel.eventLoop.execute { socket.stop() } }

    enum Upgrade: Sendable { case upgraded(any Channel), refused }

    /// Opens the WebSocket of a user at `ws://127.0.0.1:port/v1/elink/ws` with `socket` on it.
    static func open(port: Int, token: String, socket: BenchSocket, group: any EventLoopGroup) async throws -> BenchConnection {
        let upgrade: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 1 << 16) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(socket)
                            return .upgraded(channel)
                        }
                    }
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: "127.0.0.1:\(port)")
                    headers.add(name: "Content-Length", value: "0")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/v1/elink/ws?token=\(token)", headers: headers)
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration(upgradeRequestHead: head, upgraders: [upgrader],
                                                                               notUpgradingCompletionHandler: { $0.eventLoop.makeSucceededFuture(.refused) })
                    // The server's `hello` may come in the same read as its 101 response: keep those bytes.
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                }
            }
        guard case .upgraded(let channel) = try await upgrade.get() else { throw BenchSocketError.upgradeRefused }
        return BenchConnection(socket: socket, channel: channel)
    }
}

enum BenchSocketError: Error, CustomStringConvertible {
    case upgradeRefused
    var description: String { "the server did not upgrade the connection to a WebSocket" }
}
