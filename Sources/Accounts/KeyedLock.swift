import BankKit

/// Serialises work per key within one process (an e-account's movements), so a check of
/// its balance or usage and the movement that depends on it cannot interleave.
///
/// Keys are taken in sorted order, so two transfers between the same accounts cannot deadlock.
/// Across several nodes the limit counters are still exact (conditional SQL updates); the
/// Class III balance cap relies on this lock, so run one node per customer shard.
public final class KeyedLock: Sendable {
    private let state = KeyedLockState()
    public init() {}

    public func withLock<T: Sendable>(_ keys: [RongID], _ body: @Sendable () async throws -> T) async throws -> T {
        let ordered = Array(Set(keys)).sorted()
        for key in ordered { await state.lock(key) }
        do {
            let value = try await body()
            for key in ordered.reversed() { await state.unlock(key) }
            return value
        } catch {
            for key in ordered.reversed() { await state.unlock(key) }
            throw error
        }
    }
}

private actor KeyedLockState {
    private var waiters: [RongID: [CheckedContinuation<Void, Never>]] = [:]

    func lock(_ key: RongID) async {
        if waiters[key] == nil {
            waiters[key] = []
            return
        }
        await withCheckedContinuation { waiters[key]!.append($0) }
    }

    func unlock(_ key: RongID) {
        guard var queue = waiters[key] else { return }
        if queue.isEmpty {
            waiters[key] = nil
        } else {
            let next = queue.removeFirst()
            waiters[key] = queue
            next.resume()
        }
    }
}
