import Synchronization

/// A fixed set of resources (connections) handed out one task at a time, first come first served.
///
/// Waiting is bounded by the pool size: callers suspend, never spin. Taking an idle resource and
/// giving one back are a lock and a few instructions on the caller's own thread — no hop to an
/// actor, which a read paid twice (`rong bench pay` makes about eight reads per payment). The
/// ledger's writer thread does not use this; module transactions and reads do.
public final class AsyncPool<Resource: Sendable>: Sendable {
    private struct State {
        var idle: [Resource]
        var waiters: [CheckedContinuation<Resource, Never>] = []
    }
    private let state: Mutex<State>

    public init(_ resources: [Resource]) {
        precondition(!resources.isEmpty, "a pool needs at least one resource")
        state = Mutex(State(idle: resources))
    }

    public func acquire() async -> Resource {
        if let resource = state.withLock({ $0.idle.popLast() }) { return resource }
        return await withCheckedContinuation { continuation in
            // Released between the two looks: take it now rather than wait for the next release.
            let resource = state.withLock { state -> Resource? in
                if let resource = state.idle.popLast() { return resource }
                state.waiters.append(continuation)
                return nil
            }
            if let resource { continuation.resume(returning: resource) }
        }
    }

    /// True when a task is waiting for a resource.
    public var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    /// Gives `resource` to the longest waiter, or back to the idle set.
    public func release(_ resource: Resource) {
        let waiter = state.withLock { state -> CheckedContinuation<Resource, Never>? in
            if state.waiters.isEmpty {
                state.idle.append(resource)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: resource)
    }

    /// Runs `body` with a resource held exclusively.
    public func with<T: Sendable>(_ body: (Resource) async throws -> T) async throws -> T {
        let resource = await acquire()
        defer { release(resource) }
        return try await body(resource)
    }
}
