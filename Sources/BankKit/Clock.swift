import Synchronization

/// Where "now" comes from. Domain code never reads the system clock itself.
///
/// `live` reads the machine's clock; tests use `ManualClock` so scenarios are
/// deterministic and end-of-day can run for any date.
public struct BankClock: Sendable {
    private let read: @Sendable () -> Timestamp

    public init(_ read: @escaping @Sendable () -> Timestamp) { self.read = read }

    public func now() -> Timestamp { read() }

    /// The business date (Asia/Shanghai) at this moment.
    public func businessDate() -> BusinessDate { BusinessDate(at: now()) }

    public static let live = BankClock { Timestamp.systemNow() }

    /// A clock frozen at `manual`'s current time, moved only by `advance`/`set`.
    public static func manual(_ manual: ManualClock) -> BankClock { BankClock { manual.now } }
}

/// A clock for tests and replays: starts where told and moves only when told.
public final class ManualClock: Sendable {
    private let state: Mutex<Timestamp>

    public init(_ start: Timestamp) { state = Mutex(start) }

    /// Starts at a wall time in Asia/Shanghai, e.g. `ManualClock(shanghai: "2026-11-23T09:30:00")`.
    public convenience init(shanghai text: String) {
        self.init(try! Timestamp(rfc3339: text + "+08:00"))
    }

    public var now: Timestamp { state.withLock { $0 } }

    public func advance(seconds: Int64) { state.withLock { $0 = $0.adding(seconds: seconds) } }
    public func advance(nanoseconds: Int64) { state.withLock { $0 = $0.adding(nanoseconds: nanoseconds) } }
    public func set(_ timestamp: Timestamp) { state.withLock { $0 = timestamp } }

    public var clock: BankClock { .manual(self) }
}
