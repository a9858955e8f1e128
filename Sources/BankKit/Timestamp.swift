#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant as integer nanoseconds since the Unix epoch (UTC). No floating point.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }
    public init(secondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = secondsSinceEpoch * 1_000_000_000 }

    public var millisecondsSinceEpoch: Int64 { nanosecondsSinceEpoch / 1_000_000 }
    public var secondsSinceEpoch: Int64 { nanosecondsSinceEpoch.floorDiv(1_000_000_000) }

    public func adding(seconds: Int64) -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: nanosecondsSinceEpoch + seconds * 1_000_000_000)
    }

    public func adding(nanoseconds: Int64) -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: nanosecondsSinceEpoch + nanoseconds)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// RFC 3339 in UTC with milliseconds: `2026-11-23T01:02:03.456Z`.
    public var rfc3339: String {
        let seconds = secondsSinceEpoch
        let millis = (nanosecondsSinceEpoch - seconds * 1_000_000_000) / 1_000_000
        let date = BusinessDate(daysSinceEpoch: seconds.floorDiv(86_400))
        let secondOfDay = seconds - date.daysSinceEpoch * 86_400
        let (year, month, day) = date.components
        guard (0...9_999).contains(year) else {
            return "\(date.iso)T\(pad(secondOfDay / 3600))" + ":\(pad(secondOfDay / 60 % 60)):\(pad(secondOfDay % 60)).\(pad(millis, 3))Z"
        }
        // yyyy-MM-ddTHH:mm:ss.SSSZ written in place (every e-Link message and e-Pay body has one).
        return String(unsafeUninitializedCapacity: 24) { out in
            func digits(_ value: Int64, _ width: Int, at start: Int) {
                var value = value
                for k in stride(from: start + width - 1, through: start, by: -1) {
                    out[k] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
                    value /= 10
                }
            }
            digits(Int64(year), 4, at: 0)
            out[4] = UInt8(ascii: "-")
            digits(Int64(month), 2, at: 5)
            out[7] = UInt8(ascii: "-")
            digits(Int64(day), 2, at: 8)
            out[10] = UInt8(ascii: "T")
            digits(secondOfDay / 3600, 2, at: 11)
            out[13] = UInt8(ascii: ":")
            digits(secondOfDay / 60 % 60, 2, at: 14)
            out[16] = UInt8(ascii: ":")
            digits(secondOfDay % 60, 2, at: 17)
            out[19] = UInt8(ascii: ".")
            digits(millis, 3, at: 20)
            out[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// Parses RFC 3339 (`2026-11-23T09:00:00Z`, `…+08:00`, optional fraction up to 9 digits).
    public init(rfc3339 text: String) throws(DomainError) {
        let bad = DomainError(.invalidDate, "Invalid timestamp '\(text.prefix(40))': expected RFC 3339 such as 2026-11-23T09:00:00+08:00.", status: 422)
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") else { throw bad }
        guard let date = try? BusinessDate(iso: String(decoding: bytes[0..<10], as: UTF8.self)) else { throw bad }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for i in range { guard bytes[i] >= 48, bytes[i] <= 57 else { return nil }; value = value * 10 + Int64(bytes[i] - 48) }
            return value
        }
        guard bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              hour < 24, minute < 60, second < 60 else { throw bad }
        var index = 19
        var nanos: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                guard digits < 9 else { throw bad }
                nanos = nanos * 10 + Int64(bytes[index] - 48)
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw bad }
            for _ in digits..<9 { nanos *= 10 }
        }
        guard index < bytes.count else { throw bad }
        var offsetSeconds: Int64 = 0
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            guard index + 1 == bytes.count else { throw bad }
        } else {
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let offsetHour = number(index + 1..<index + 3), let offsetMinute = number(index + 4..<index + 6),
                  offsetHour < 24, offsetMinute < 60 else { throw bad }
            let sign: Int64
            switch bytes[index] {
            case UInt8(ascii: "+"): sign = 1
            case UInt8(ascii: "-"): sign = -1
            default: throw bad
            }
            offsetSeconds = sign * (offsetHour * 3600 + offsetMinute * 60)
        }
        let seconds = date.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        self.init(nanosecondsSinceEpoch: seconds * 1_000_000_000 + nanos)
    }

    public var description: String { rfc3339 }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(rfc3339: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.detail))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rfc3339)
    }

    /// The wall clock of this machine; only `BankClock.live` calls it.
    static func systemNow() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }
}

func pad(_ value: Int64, _ width: Int = 2) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

extension Int64 {
    /// Division rounding toward negative infinity (for dates before 1970).
    func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
