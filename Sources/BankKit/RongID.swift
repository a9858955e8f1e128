import Synchronization

/// A 128-bit identifier, time-ordered when generated here (UUIDv7, RFC 9562).
///
/// Stored as 16 big-endian bytes (so byte order is time order) and written in the API as
/// the canonical lowercase UUID text `0190f7a2-…`. Clients may choose their own ids for
/// idempotency (transfer ids); any UUID text is accepted, but only v7 ids insert in order.
public struct RongID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses canonical UUID text (36 characters with hyphens at 8-13-18-23), case-insensitive.
    public init(_ text: String) throws(DomainError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { throw RongID.invalid(text) }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var nibbles = 0
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { throw RongID.invalid(text) }
                continue
            }
            let value: UInt64
            switch byte {
            case 48...57: value = UInt64(byte - 48)
            case 97...102: value = UInt64(byte - 87)
            case 65...70: value = UInt64(byte - 55)
            default: throw RongID.invalid(text)
            }
            if nibbles < 16 { high = high << 4 | value } else { low = low << 4 | value }
            nibbles += 1
        }
        self.init(high: high, low: low)
    }

    private static func invalid(_ text: String) -> DomainError {
        DomainError(.invalidID, "Invalid id '\(text.prefix(40))': expected a UUID such as 0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f.", status: 422)
    }

    /// The 16 big-endian bytes, as stored in SQLite and PostgreSQL (`bytea`/`uuid`).
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        return out
    }

    /// Rebuilds an id from 16 stored bytes. Inlinable, so each caller's collection type is
    /// specialised (every row read decodes ids; the generic path was a measurable cost).
    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var index = 0
        for byte in bytes {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            index += 1
        }
        self.init(high: high, low: low)
    }

    public var description: String {
        // Written straight into the string's storage: every message frame and order body carries
        // several ids.
        String(unsafeUninitializedCapacity: 36) { out in
            var j = 0
            for i in 0..<32 {
                if i == 8 || i == 12 || i == 16 || i == 20 {
                    out[j] = UInt8(ascii: "-")
                    j += 1
                }
                let word = i < 16 ? high : low
                let nibble = UInt8(truncatingIfNeeded: (word >> UInt64(60 - 4 * (i % 16))) & 0xF)
                out[j] = nibble < 10 ? nibble + UInt8(ascii: "0") : nibble - 10 + UInt8(ascii: "a")
                j += 1
            }
            return 36
        }
    }

    /// Milliseconds since the Unix epoch for a UUIDv7; meaningless for other versions.
    public var unixMilliseconds: Int64 { Int64(high >> 16) }

    public static func < (lhs: RongID, rhs: RongID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.detail))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The all-zero id, never generated; used as a sentinel "none".
    public static let zero = RongID(high: 0, low: 0)
}
