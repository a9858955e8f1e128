/// A calendar date in the bank's time zone (Asia/Shanghai, UTC+8, no daylight saving since 1991).
///
/// The business date decides which day interest accrues for, which daily limit applies and
/// which end-of-day run a transfer belongs to. It is a plain value: year, month, day.
public struct BusinessDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let daysSinceEpoch: Int64

    /// Asia/Shanghai is UTC+8 all year.
    public static let shanghaiOffsetSeconds: Int64 = 8 * 3600

    public init(daysSinceEpoch: Int64) { self.daysSinceEpoch = daysSinceEpoch }

    /// The Asia/Shanghai date at an instant.
    public init(at instant: Timestamp) {
        self.init(daysSinceEpoch: (instant.secondsSinceEpoch + BusinessDate.shanghaiOffsetSeconds).floorDiv(86_400))
    }

    /// Builds a date, refusing impossible ones (2026-02-30) with `invalid_date`.
    public init(year: Int, month: Int, day: Int) throws(DomainError) {
        guard (1900...9999).contains(year), (1...12).contains(month),
              (1...BusinessDate.daysIn(month: month, year: year)).contains(day) else {
            throw DomainError(.invalidDate, "Invalid date \(year)-\(month)-\(day).", status: 422)
        }
        self.init(daysSinceEpoch: BusinessDate.days(year: year, month: month, day: day))
    }

    /// Parses `YYYY-MM-DD` strictly.
    public init(iso text: String) throws(DomainError) {
        let bytes = Array(text.utf8)
        let bad = DomainError(.invalidDate, "Invalid date '\(text.prefix(40))': expected YYYY-MM-DD.", status: 422)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { throw bad }
        func number(_ range: Range<Int>) throws(DomainError) -> Int {
            var value = 0
            for i in range {
                guard bytes[i] >= 48, bytes[i] <= 57 else { throw bad }
                value = value * 10 + Int(bytes[i] - 48)
            }
            return value
        }
        do {
            try self.init(year: try number(0..<4), month: try number(5..<7), day: try number(8..<10))
        } catch { throw bad }
    }

    public var components: (year: Int, month: Int, day: Int) {
        // Howard Hinnant's civil_from_days.
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    public var year: Int { components.year }
    public var month: Int { components.month }
    public var day: Int { components.day }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        Int(((daysSinceEpoch % 7) + 7 + 3) % 7) + 1
    }

    public var isWeekend: Bool { isoWeekday >= 6 }

    public func adding(days: Int) -> BusinessDate { BusinessDate(daysSinceEpoch: daysSinceEpoch + Int64(days)) }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(until other: BusinessDate) -> Int { Int(other.daysSinceEpoch - daysSinceEpoch) }

    /// The same day `months` later, clamped to the month's end (Jan 31 + 1 month = Feb 28/29).
    public func adding(months: Int) -> BusinessDate {
        let (y, m, d) = components
        let total = y * 12 + (m - 1) + months
        let year = total / 12
        let month = total % 12 + 1
        let day = min(d, BusinessDate.daysIn(month: month, year: year))
        return BusinessDate(daysSinceEpoch: BusinessDate.days(year: year, month: month, day: day))
    }

    /// Midnight at the start of this date in Asia/Shanghai.
    public var startInstant: Timestamp {
        Timestamp(secondsSinceEpoch: daysSinceEpoch * 86_400 - BusinessDate.shanghaiOffsetSeconds)
    }

    /// An instant on this date at a Shanghai wall time.
    public func instant(hour: Int, minute: Int, second: Int = 0) -> Timestamp {
        startInstant.adding(seconds: Int64(hour * 3600 + minute * 60 + second))
    }

    public var iso: String {
        let (y, m, d) = components
        return "\(pad(Int64(y), 4))-\(pad(Int64(m)))-\(pad(Int64(d)))"
    }

    public var description: String { iso }

    public static func < (lhs: BusinessDate, rhs: BusinessDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func days(year: Int, month: Int, day: Int) -> Int64 {
        // Howard Hinnant's days_from_civil.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(iso: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.detail))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}
