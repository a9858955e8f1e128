import BankKit
import HummingbirdWebSocket
import Identity
import Messaging
import NIOCore
import NIOWebSocket
import Synchronization

/// Runs one e-Link WebSocket: the `hello` frame, then until the client goes, client frames into
/// `ElinkConnection.receive` and a heartbeat that keeps presence fresh. Hub events reach the
/// connection on the publisher's thread (`ElinkConnection.bind(emit:)`); the connection hands
/// each frame to the socket's writer (`ElinkFrameWriter`) as it decides it, so frames leave in
/// the order it made them.
enum ElinkWebSocket {
    /// A WebSocket message larger than this closes the connection (frames between
    /// `ElinkConnection.frameBytesMax` and this get an error frame and the connection stays open).
    static let messageBytesMax = 64 * 1_024

    static func serve(messaging: MessagingService, principal: Principal, inbound: WebSocketInboundStream, channel: any Channel) async throws {
        let (connection, hello) = try await ElinkConnection.open(service: messaging, principal: principal)
        let writer = ElinkFrameWriter(channel: channel)
        let emit: ElinkConnection.Emit = { frames in writer.write(frames) }
        writer.write([hello])
        connection.bind(emit: emit)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: .seconds(ElinkConnection.heartbeatSeconds)) } catch { return }
                    await connection.heartbeat()
                }
            }
            do {
                for try await message in inbound.messages(maxSize: messageBytesMax) {
                    switch message {
                    case .text(let text):
                        await connection.receive(text, emit: emit)
                    case .binary:
                        writer.write([ElinkFrames.error(DomainError(.invalidFrame, "e-Link frames are JSON text frames.", status: 400), ref: nil)])
                    }
                }
            } catch {
                // A message over `messageBytesMax` or a broken connection ends the session.
            }
            group.cancelAll()
        }
        await connection.close()
    }
}

/// Writes e-Link's server frames straight to the WebSocket's channel: one hop to its event
/// loop per batch and one flush, from whichever thread the connection's actor runs on.
///
/// Hummingbird's `WebSocketOutboundWriter` is async (it waits while the socket is not writable),
/// which had made every frame a hand-off to a writer task per connection; NIO keeps the order
/// of writes handed to one event loop from one caller, and the connection's actor is that one
/// caller. A client that stops reading is bounded here instead: once the socket has not been
/// writable for `unwritableFramesMax` frames in a row the connection is closed (the client
/// reconnects and syncs; every message is in the database).
final class ElinkFrameWriter: Sendable {
    /// Frames written while the socket's buffer is over NIO's high-water mark, before closing.
    static let unwritableFramesMax = 8_192

    let channel: any Channel
    private let unwritableFrames = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)

    init(channel: any Channel) { self.channel = channel }

    func write(_ frames: [String]) {
        guard !frames.isEmpty, !closed.load(ordering: .relaxed) else { return }
        if channel.isWritable {
            unwritableFrames.store(0, ordering: .relaxed)
        } else if unwritableFrames.add(frames.count, ordering: .relaxed).newValue > ElinkFrameWriter.unwritableFramesMax {
            close(reason: "slow consumer; reconnect and sync",
                  lastFrame: ElinkFrames.error(DomainError(.slowConsumer, "Too many messages waiting; reconnect and sync.", status: 429), ref: nil))
            return
        }
        let channel = self.channel
        channel.eventLoop.execute {
            for frame in frames {
                channel.write(WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(string: frame)), promise: nil)
            }
            channel.flush()
        }
    }

    /// Sends `lastFrame` (if any) and a close frame (policy violation), and closes the socket.
    func close(reason: String, lastFrame: String? = nil) {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        let channel = self.channel
        channel.eventLoop.execute {
            if let lastFrame { channel.write(WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(string: lastFrame)), promise: nil) }
            var data = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
            data.write(webSocketErrorCode: .policyViolation)
            data.writeString(reason)
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
