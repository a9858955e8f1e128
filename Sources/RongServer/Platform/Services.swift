import BankKit
import EndOfDay
import Interbank
import Logging
import Payments
import ServiceLifecycle

/// Runs end-of-day at 00:05 Asia/Shanghai for the day that just ended. On PostgreSQL only
/// one node runs it (advisory lock); the others find the lock taken and skip.
struct EndOfDayScheduler: Service {
    let platform: RongPlatform

    func run() async throws {
        let logger = platform.logger
        while !Task.isCancelledOrShuttingDown {
            let next = EndOfDayRunner.nextScheduledRun(after: platform.clock.now())
            let waitNanoseconds = max(0, next.at.nanosecondsSinceEpoch - platform.clock.now().nanosecondsSinceEpoch)
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(nanoseconds: UInt64(waitNanoseconds)) }
            } catch {
                return
            }
            do {
                let report = try await platform.endOfDay.run(date: next.businessDate)
                logger.info("end-of-day finished", metadata: ["date": "\(report.date)", "steps": "\(report.steps.count)"])
            } catch let error as DomainError where error.code == .conflict {
                logger.info("end-of-day running on another node", metadata: ["date": "\(next.businessDate)"])
            } catch {
                logger.error("end-of-day failed; it resumes at the failed step on the next run", metadata: ["date": "\(next.businessDate)", "error": "\(error)"])
            }
        }
    }
}

/// Voids expired holds every second.
struct ExpirySweeper: Service {
    let platform: RongPlatform

    func run() async throws {
        let platform = platform
        await cancelWhenGracefulShutdown { await platform.ledger.runExpirySweeper(logger: platform.logger) }
    }
}

/// Every second: delivers due webhooks, expires unpaid e-Pay orders, finishes e-Pay
/// confirmations a crash interrupted, releases and checks
/// transfers to other banks, answers credits from them, and resumes interrupted movements.
struct PaymentsWorker: Service {
    let platform: RongPlatform

    func run() async throws {
        let platform = platform
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await WebhookDeliveryService(outbox: platform.payments.webhooks, logger: platform.logger).run(every: .seconds(1))
                }
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            _ = try await platform.payments.expireOrders()
                            _ = try await platform.payments.resumeConfirmations()
                            // The simulated clearing house drains its large-value queue when the window is open.
                            _ = try await platform.clearingHouse.processQueue()
                            _ = try await platform.payments.checkTransfers()
                            _ = try await platform.payments.processIncoming()
                            _ = try await platform.accounts.resumePendingMovements()
                        } catch {
                            platform.logger.error("payments worker pass failed", metadata: ["error": "\(error)"])
                        }
                        try? await Task.sleep(for: .seconds(1))
                    }
                }
            }
        }
    }
}

extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
