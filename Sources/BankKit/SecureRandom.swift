import Synchronization

/// A source of unpredictable bytes for secrets: OTP codes, refresh tokens, signing keys.
///
/// Domain code never calls a random generator itself: the live value reads the system's
/// cryptographic generator, tests inject a seeded one so every code and token is reproducible.
public struct SecureRandom: Sendable {
    private let fill: @Sendable (Int) -> [UInt8]

    public init(_ fill: @escaping @Sendable (Int) -> [UInt8]) { self.fill = fill }

    /// `count` random bytes.
    public func bytes(_ count: Int) -> [UInt8] {
        precondition(count > 0 && count <= 1024, "1–1024 random bytes at a time")
        return fill(count)
    }

    /// A uniformly random decimal string of `digits` digits (leading zeros kept), e.g. an OTP.
    public func digits(_ digits: Int) -> String {
        precondition(digits > 0 && digits <= 18)
        var bound: UInt64 = 1
        for _ in 0..<digits { bound *= 10 }
        // Rejection sampling: no modulo bias.
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let raw = bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if raw < limit {
                let text = String(raw % bound)
                return String(repeating: "0", count: digits - text.count) + text
            }
        }
    }

    /// The operating system's cryptographic generator.
    public static let live = SecureRandom { count in
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// A reproducible generator for tests (never for production secrets).
    public static func deterministic(seed: UInt64 = 7) -> SecureRandom {
        let state = Mutex(Xoshiro256(seed: seed))
        return SecureRandom { count in
            state.withLock { rng in (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &rng) } }
        }
    }
}
