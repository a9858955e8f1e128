import Logging
import Messaging
import ServiceLifecycle

/// e-Link's background work: the LISTEN connection of the PostgreSQL hub (several nodes), and
/// every second a pass of the bank notification outbox (messages, with the SMS fallback).
struct MessagingWorker: Service {
    let platform: RongPlatform

    func run() async throws {
        let platform = platform
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                if let hub = platform.messaging.hub as? PostgresMessageHub {
                    group.addTask { await hub.run() }
                }
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            _ = try await platform.messaging.deliverNotifications()
                        } catch {
                            platform.logger.error("notification delivery pass failed", metadata: ["error": "\(error)"])
                        }
                        try? await Task.sleep(for: .seconds(1))
                    }
                }
            }
        }
    }
}
