import Logging

/// Runs `WebhookOutbox.deliverDue` in a loop until its task is cancelled.
///
/// Every node of the server runs one; claims in the outbox keep two nodes from sending the
/// same webhook. When a pass finds a full batch it runs the next one at once (a backlog drains
/// without waiting); otherwise it sleeps `interval`. Errors (the database away for a moment)
/// are logged and the loop carries on.
public struct WebhookDeliveryService: Sendable {
    let outbox: WebhookOutbox
    let batchSize: Int
    let logger: Logger

    /// - Parameters:
    ///   - batchSize: webhooks taken per `deliverDue` pass.
    public init(outbox: WebhookOutbox, batchSize: Int = 100, logger: Logger) {
        precondition(batchSize > 0, "batchSize must be positive")
        self.outbox = outbox
        self.batchSize = batchSize
        self.logger = logger
    }

    /// Delivers due webhooks every `interval` until the calling task is cancelled; then returns.
    public func run(every interval: Duration = .seconds(1)) async {
        logger.info("webhook delivery started", metadata: ["interval": "\(interval)"])
        while !Task.isCancelled {
            var fullBatch = false
            do {
                fullBatch = try await outbox.deliverDue(limit: batchSize) >= batchSize
            } catch is CancellationError {
                break
            } catch {
                logger.error("webhook delivery pass failed", metadata: ["error": "\(error)"])
            }
            if fullBatch { continue }
            do { try await Task.sleep(for: interval) } catch { break }
        }
        logger.info("webhook delivery stopped")
    }
}
