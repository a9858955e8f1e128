import Foundation
import Synchronization

/// A counter shared by concurrent tasks.
final class SharedCounter: Sendable {
    private let state = Mutex(0)
    var value: Int { state.withLock { $0 } }
    /// Adds and returns the new value.
    func increment(by amount: Int = 1) -> Int { state.withLock { $0 += amount; return $0 } }
}

/// A file appended to by concurrent tasks, one write at a time.
final class SharedFile: Sendable {
    private let handle: Mutex<FileHandle>
    init(_ handle: FileHandle) { self.handle = Mutex(handle) }
    func write(_ data: Data) { handle.withLock { $0.write(data) } }
}
