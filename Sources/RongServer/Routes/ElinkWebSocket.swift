import BankKit
import HummingbirdWebSocket
import Identity
import Messaging
import NIOWebSocket

/// Runs one e-Link WebSocket: the `hello` frame, then three loops until the client goes —
/// client frames into `ElinkConnection.receive`, hub events through `ElinkConnection.deliver`,
/// and a heartbeat that keeps presence fresh. One writer task owns the socket's outbound side;
/// the connection's actor queues frames for it in the order it makes them.
enum ElinkWebSocket {
    /// A WebSocket message larger than this closes the connection (frames between
    /// `ElinkConnection.frameBytesMax` and this get an error frame and the connection stays open).
    static let messageBytesMax = 64 * 1_024
    /// Frames queued for a client that is not reading; past this the connection is closed.
    static let outboundQueueMax = 8_192

    static func serve(messaging: MessagingService, principal: Principal, inbound: WebSocketInboundStream,
                      outbound: WebSocketOutboundWriter) async throws {
        let (connection, hello) = try await ElinkConnection.open(service: messaging, principal: principal)
        let (frames, sink) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(outboundQueueMax))
        @Sendable func send(_ frame: String) {
            if case .dropped = sink.yield(frame) { sink.finish() }
        }
        let emit: @Sendable ([String]) -> Void = { frames in for frame in frames { send(frame) } }
        send(hello)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames {
                    do { try await outbound.write(.text(frame)) } catch { return }
                }
                // The queue ended without the reader going away: the client is too slow; close it.
                if !Task.isCancelled { try? await outbound.close(.policyViolation, reason: "slow consumer; reconnect and sync") }
            }
            group.addTask {
                for await event in connection.subscription.events { await connection.deliver(event, emit: emit) }
                if connection.subscription.overflowed {
                    send(ElinkFrames.error(DomainError(.slowConsumer, "Too many messages waiting; reconnect and sync.", status: 429), ref: nil))
                    sink.finish()
                }
            }
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
                        send(ElinkFrames.error(DomainError(.invalidFrame, "e-Link frames are JSON text frames.", status: 400), ref: nil))
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
