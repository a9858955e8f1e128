import BankKit
import Synchronization

/// Merchants and their API-key checks, remembered in this process: every e-Pay request names a
/// merchant (the key on create, the order's payee on code and confirm), and a merchant's row does
/// not change after onboarding except for its webhook signing secrets, which are not cached.
///
/// Keys are different: rotating revokes the old ones. This process forgets a merchant's keys when
/// it rotates them; another process sharing the database rechecks a cached key after
/// `keyRecheckSeconds`, so a key revoked on one node stops working everywhere within that time.
/// Anything added later that changes a merchant (suspension, a new name) must call `forget`.
final class MerchantCache: Sendable {
    /// How long a key check is trusted before the database is asked again.
    static let keyRecheckSeconds: Int64 = 5
    /// Entries kept at most (each table); when full, it starts again empty.
    static let entriesMax = 10_000

    struct KeyCheck: Sendable {
        let secretHash: [UInt8]
        let merchant: Merchant
        let checkedAt: Timestamp
    }

    private struct State {
        var merchants: [RongID: Merchant] = [:]
        var keys: [String: KeyCheck] = [:]
    }

    private let state = Mutex(State())

    func merchant(_ id: RongID) -> Merchant? {
        state.withLock { $0.merchants[id] }
    }

    func remember(_ merchant: Merchant) {
        state.withLock {
            if $0.merchants.count >= MerchantCache.entriesMax { $0.merchants.removeAll(keepingCapacity: true) }
            $0.merchants[merchant.id] = merchant
        }
    }

    /// The cached check of a key id, if it is recent enough at `now`.
    func key(_ keyID: String, at now: Timestamp) -> KeyCheck? {
        state.withLock { state in
            guard let check = state.keys[keyID] else { return nil }
            guard now < check.checkedAt.adding(seconds: MerchantCache.keyRecheckSeconds), now >= check.checkedAt else {
                state.keys[keyID] = nil
                return nil
            }
            return check
        }
    }

    func remember(key keyID: String, _ check: KeyCheck) {
        state.withLock {
            if $0.keys.count >= MerchantCache.entriesMax { $0.keys.removeAll(keepingCapacity: true) }
            $0.keys[keyID] = check
        }
    }

    /// Drops a merchant and every key check of it (its keys were rotated, or it changed).
    func forget(merchantID: RongID) {
        state.withLock { state in
            state.merchants[merchantID] = nil
            state.keys = state.keys.filter { $0.value.merchant.id != merchantID }
        }
    }
}
