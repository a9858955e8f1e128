/// A fixed set of resources (connections) handed out one task at a time, first come first served.
///
/// Waiting is bounded by the pool size: callers suspend, never spin. The ledger's
/// writer thread does not use this; module transactions and reads do.
public actor AsyncPool<Resource: Sendable> {
    private var idle: [Resource]
    private var waiters: [CheckedContinuation<Resource, Never>] = []

    public init(_ resources: [Resource]) {
        precondition(!resources.isEmpty, "a pool needs at least one resource")
        idle = resources
    }

    public func acquire() async -> Resource {
        if let resource = idle.popLast() { return resource }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// True when a task is waiting for a resource.
    public var hasWaiters: Bool { !waiters.isEmpty }

    public func release(_ resource: Resource) {
        if waiters.isEmpty {
            idle.append(resource)
        } else {
            waiters.removeFirst().resume(returning: resource)
        }
    }

    /// Runs `body` with a resource held exclusively.
    public nonisolated func with<T: Sendable>(_ body: (Resource) async throws -> T) async throws -> T {
        let resource = await acquire()
        do {
            let value = try await body(resource)
            await release(resource)
            return value
        } catch {
            await release(resource)
            throw error
        }
    }
}
