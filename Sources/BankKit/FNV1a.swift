/// FNV-1a, 64-bit: a fast, stable, non-cryptographic hash for Rong's own keys
/// (migration checksums, derived ids). Stable across runs and platforms, unlike `Hasher`.
public struct FNV1a: Sendable {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x100_0000_01b3

    public private(set) var value: UInt64

    public init(offsetBasis: UInt64 = FNV1a.offsetBasis) { value = offsetBasis }

    public mutating func combine(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* FNV1a.prime
    }

    public mutating func combine(_ text: String) {
        for byte in text.utf8 { combine(byte) }
    }

    /// The hash of `text` in one call.
    public static func hash(_ text: String) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(text)
        return hasher.value
    }
}
