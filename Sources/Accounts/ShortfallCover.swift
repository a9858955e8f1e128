import BankKit
import Logging
import Synchronization

/// Money a customer keeps beside an account that can be brought into it at once when a payment
/// needs more than the account holds: the 聚财宝 sweep fund (module Wealth installs it).
/// Accounts stays below Wealth: it only knows this protocol.
public protocol ShortfallCovering: Sendable {
    /// Brings up to `shortfallFen` into `account` now; returns how much came in (0 when none).
    func cover(_ account: EAccount, shortfallFen: Int64) async throws -> Int64
}

/// A service a higher module installs once at start-up (the sweep's cover, the closing hook).
public final class InstalledSlot<Value: Sendable>: Sendable {
    private let slot = Mutex<Value?>(nil)
    public init() {}
    public func install(_ value: Value) { slot.withLock { $0 = value } }
    public var current: Value? { slot.withLock { $0 } }
}

extension AccountsService {
    /// Before money leaves `account`: when its available balance is short of `amountFen`, asks the
    /// installed cover to bring the difference in; returns true when something came in. A failing
    /// cover is logged; the movement then fails for lack of funds as it would have without one.
    @discardableResult
    func coverShortfall(_ account: EAccount, amountFen: Int64) async -> Bool {
        guard let cover = shortfallCover.current else { return false }
        do {
            guard let balance = try await ledger.account(account.id)?.balance else { return false }
            let shortfall = amountFen - balance.availableCreditBalance
            guard shortfall > 0 else { return false }
            return try await cover.cover(account, shortfallFen: shortfall) > 0
        } catch {
            logger.warning("shortfall cover failed", metadata: ["account": "\(account.id)", "error": "\(error)"])
            return false
        }
    }
}
