import BankKit
import Testing

/// BankKit: money, assets, ids, timestamps, business dates and the business calendar.
@Suite("BankKit")
struct BankKitTests {
    // MARK: Money.parse

    @Test("Money.parse accepts strict decimal text", arguments: [
        ("12.34", Int64(1234)),
        ("0.01", 1),
        ("1000", 100_000),
        ("-5.5", -550),
        ("0", 0),
        ("7.1", 710),
        ("92233720368547758.07", Int64.max),
    ])
    func moneyParseGood(_ text: String, _ fen: Int64) throws {
        let money = try Money.parse(text)
        #expect(money.minorUnits == fen)
        #expect(money.asset == .cny)
    }

    @Test("Money.parse refuses anything else with invalid_amount", arguments: [
        "", "1,000", "1.234", "+1", " 1", "1 ", "1e3", ".5", "5.", "abc", "-", "--5", "-.5", "1.2.3", "１２",
        "92233720368547758.08", "99999999999999999999", "123456789012345678901234567890123",
    ])
    func moneyParseBad(_ text: String) {
        let error = #expect(throws: DomainError.self) { try Money.parse(text) }
        #expect(error?.code == .invalidAmount)
        #expect(error?.status == 422)
    }

    @Test("Money.parse uses the asset's minor unit")
    func moneyParseAssets() throws {
        #expect(try Money.parse("12.345", asset: .goldMilligram).minorUnits == 12_345)
        #expect(try Money.parse("12.3", asset: .goldMilligram).minorUnits == 12_300)
        #expect(try Money.parse("250", asset: .points).minorUnits == 250)
        #expect(throws: DomainError.self) { try Money.parse("12.3456", asset: .goldMilligram) }
        #expect(throws: DomainError.self) { try Money.parse("1.0", asset: .points) }
    }

    @Test("Money formats as a Chinese bank prints it", arguments: [
        (Money.fen(123_456), "¥1,234.56"),
        (Money.fen(-5), "-¥0.05"),
        (Money.fen(0), "¥0.00"),
        (Money.fen(100), "¥1.00"),
        (Money.fen(100_000_000), "¥1,000,000.00"),
        (Money.fen(Int64.min), "-¥92,233,720,368,547,758.08"),
        (Money(minorUnits: 12_345, asset: .goldMilligram), "12.345 g"),
        (Money(minorUnits: 5, asset: .goldMilligram), "0.005 g"),
    ])
    func moneyFormatting(_ money: Money, _ text: String) {
        #expect(money.formatted == text)
        #expect(money.description == text)
    }

    @Test("decimalString round-trips through parse", arguments: [Int64(0), 1, -1, 99, 123_456, -550, Int64.max])
    func moneyDecimalRoundTrip(_ fen: Int64) throws {
        let money = Money.fen(fen)
        #expect(try Money.parse(money.decimalString) == money)
    }

    @Test("Checked arithmetic refuses overflow")
    func moneyOverflow() throws {
        #expect(try Money.fen(1).adding(.fen(2)) == .fen(3))
        #expect(try Money.fen(1).subtracting(.fen(2)) == .fen(-1))
        #expect(try Money.fen(150).multiplied(by: 3) == .fen(450))
        let add = #expect(throws: DomainError.self) { try Money.fen(Int64.max).adding(.fen(1)) }
        #expect(add?.code == .overflow)
        let sub = #expect(throws: DomainError.self) { try Money.fen(Int64.min).subtracting(.fen(1)) }
        #expect(sub?.code == .overflow)
        let mul = #expect(throws: DomainError.self) { try Money.fen(Int64.max / 2 + 1).multiplied(by: 2) }
        #expect(mul?.code == .overflow)
    }

    @Test("Combining different assets is refused")
    func moneyAssetMismatch() {
        let gold = Money(minorUnits: 1, asset: .goldMilligram)
        let add = #expect(throws: DomainError.self) { try Money.fen(1).adding(gold) }
        #expect(add?.code == .assetMismatch)
        let sub = #expect(throws: DomainError.self) { try Money.fen(1).subtracting(gold) }
        #expect(sub?.code == .assetMismatch)
    }

    @Test("Asset lookup")
    func assetLookup() throws {
        #expect(Asset.named("CNY") == .cny)
        #expect(Asset.named("XAU_MG") == .goldMilligram)
        #expect(Asset.named("cny") == nil)
        let error = #expect(throws: DomainError.self) { try Asset.require("DOGE") }
        #expect(error?.code == .unknownAsset)
    }

    // MARK: RongID

    @Test("RongID text round-trips", arguments: [
        "0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f",
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ])
    func rongIDRoundTrip(_ text: String) throws {
        let id = try RongID(text)
        #expect(id.description == text)
        #expect(try RongID(text.uppercased()) == id)
        #expect(RongID(bytes: id.bytes) == id)
        #expect(id.bytes.count == 16)
    }

    @Test("RongID parse refuses non-UUID text with invalid_id", arguments: [
        "", "0190f7a2", "0190f7a28c4e7b1a9d3f2a6b8c1d4e5f", "0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5", "0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f0",
        "0190f7a2_8c4e_7b1a_9d3f_2a6b8c1d4e5f", "0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5g", "0190f7a-28c4e-7b1a-9d3f-2a6b8c1d4e5f",
        " 190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e5f", "{0190f7a2-8c4e-7b1a-9d3f-2a6b8c1d4e}",
    ])
    func rongIDInvalid(_ text: String) {
        let error = #expect(throws: DomainError.self) { try RongID(text) }
        #expect(error?.code == .invalidID)
    }

    @Test("RongID bytes are big-endian and ordered like the id")
    func rongIDBytes() throws {
        let id = try RongID("01020304-0506-0708-090a-0b0c0d0e0f10")
        #expect(id.bytes == Array(1...16))
        #expect(RongID(bytes: [UInt8](repeating: 0, count: 15)) == nil)
        #expect(RongID(bytes: [UInt8](repeating: 0, count: 17)) == nil)
        let a = try RongID("00000000-0000-0001-0000-000000000000")
        let b = try RongID("00000000-0000-0000-ffff-ffffffffffff")
        #expect(b < a)
        #expect(b.bytes.lexicographicallyPrecedes(a.bytes))
    }

    @Test("Generated ids are strictly increasing v7 ids even when the clock stands still")
    func generatedIDsIncrease() {
        let clock = ManualClock(shanghai: "2026-11-23T10:00:00")
        let ids = IDGenerator.deterministic(clock: clock.clock)
        var previous = ids.next()
        var ok = true
        for _ in 0..<10_000 {
            let id = ids.next()
            if !(previous < id) || (id.high >> 12) & 0xF != 7 || id.low >> 62 != 0b10 { ok = false }
            previous = id
        }
        #expect(ok)
        #expect((previous.high >> 12) & 0xF == 7)
        // The timestamp of a v7 id is the clock's millisecond (plus borrowed milliseconds).
        let first = IDGenerator.deterministic(clock: clock.clock).next()
        #expect(first.unixMilliseconds == clock.now.millisecondsSinceEpoch)
        #expect(previous.unixMilliseconds >= clock.now.millisecondsSinceEpoch)
        #expect(previous.unixMilliseconds < clock.now.millisecondsSinceEpoch + 10)
    }

    @Test("Deterministic generators with the same seed give the same ids")
    func deterministicIDs() {
        let clock = ManualClock(shanghai: "2026-11-23T10:00:00")
        let a = IDGenerator.deterministic(clock: clock.clock)
        let b = IDGenerator.deterministic(clock: clock.clock)
        let c = IDGenerator.deterministic(clock: clock.clock, seed: 7)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }

    @Test("RongID.derived is deterministic, version 8, and differs for different parts")
    func derivedIDs() {
        let date = BusinessDate(daysSinceEpoch: 20_000)
        let a = RongID.derived("wealth.accrual", date, 42)
        #expect(a == RongID.derived("wealth.accrual", date, 42))
        #expect(a != RongID.derived("wealth.accrual", date, 43))
        #expect(a != RongID.derived("wealth.accrual", date.adding(days: 1), 42))
        #expect(RongID.derived("ab", "c") != RongID.derived("a", "bc"))
        #expect(RongID.derived("ab") != RongID.derived("a", "b"))
        #expect((a.high >> 12) & 0xF == 8)
        #expect(a.low >> 62 == 0b10)
        #expect(a != .zero)
    }

    // MARK: Timestamp

    @Test("Timestamp parses RFC 3339 with Z, offsets and fractions", arguments: [
        ("2026-11-23T09:00:00Z", Int64(1_795_424_400) * 1_000_000_000),
        ("2026-11-23T17:00:00+08:00", Int64(1_795_424_400) * 1_000_000_000),
        ("2026-11-23t09:00:00z", Int64(1_795_424_400) * 1_000_000_000),
        ("2026-11-23T04:30:00-04:30", Int64(1_795_424_400) * 1_000_000_000),
        ("2026-11-23T09:00:00.5Z", Int64(1_795_424_400) * 1_000_000_000 + 500_000_000),
        ("2026-11-23T17:00:00.123456789+08:00", Int64(1_795_424_400) * 1_000_000_000 + 123_456_789),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.5Z", -500_000_000),
    ])
    func timestampParse(_ text: String, _ nanos: Int64) throws {
        #expect(try Timestamp(rfc3339: text).nanosecondsSinceEpoch == nanos)
    }

    @Test("Timestamp refuses malformed text with invalid_date", arguments: [
        "", "2026-11-23", "2026-11-23T09:00:00", "2026-11-23 09:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T09:60:00Z",
        "2026-11-23T09:00:60Z", "2026-02-30T09:00:00Z", "2026-11-23T09:00:00.Z", "2026-11-23T09:00:00.1234567890Z",
        "2026-11-23T09:00:00+0800", "2026-11-23T09:00:00+08:00:00", "2026-11-23T09:00:00Zjunk", "2026-11-23T9:00:00Z",
        "2026-11-23T09:00:00*08:00", "2026-11-23T09:00:00+24:00", "abcdefghijklmnopqrstuvwxyz",
    ])
    func timestampBad(_ text: String) {
        let error = #expect(throws: DomainError.self) { try Timestamp(rfc3339: text) }
        #expect(error?.code == .invalidDate)
    }

    @Test("Timestamp prints UTC with milliseconds and round-trips")
    func timestampPrint() throws {
        let t = try Timestamp(rfc3339: "2026-11-23T09:02:03.456+08:00")
        #expect(t.rfc3339 == "2026-11-23T01:02:03.456Z")
        #expect(try Timestamp(rfc3339: t.rfc3339) == t)
        let before1970 = try Timestamp(rfc3339: "1969-12-31T23:59:59.5Z")
        #expect(before1970.rfc3339 == "1969-12-31T23:59:59.500Z")
        #expect(before1970.secondsSinceEpoch == -1)
    }

    // MARK: BusinessDate

    @Test("BusinessDate parses ISO dates strictly", arguments: [
        ("2024-02-29", true), ("2026-02-29", false), ("2000-02-29", true), ("1900-02-29", false), ("2026-12-31", true),
        ("2026-13-01", false), ("2026-00-10", false), ("2026-04-31", false), ("2026-1-01", false), ("20261101", false),
        ("2026/11/23", false), ("", false), ("2026-11-2a", false), (" 2026-11-23", false), ("1899-12-31", false),
    ])
    func businessDateParse(_ text: String, _ valid: Bool) throws {
        if valid {
            #expect(try BusinessDate(iso: text).iso == text)
        } else {
            let error = #expect(throws: DomainError.self) { try BusinessDate(iso: text) }
            #expect(error?.code == .invalidDate)
        }
    }

    @Test("ISO weekday", arguments: [
        ("2026-11-23", 1), ("2026-11-24", 2), ("2026-11-28", 6), ("2026-11-29", 7), ("1970-01-01", 4), ("2026-10-10", 6),
    ])
    func weekday(_ text: String, _ weekday: Int) throws {
        let date = try BusinessDate(iso: text)
        #expect(date.isoWeekday == weekday)
        #expect(date.isWeekend == (weekday >= 6))
    }

    @Test("adding(months:) clamps to the month's end", arguments: [
        ("2026-01-31", 1, "2026-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-01-15", -1, "2025-12-15"),
        ("2026-11-30", 3, "2027-02-28"),
        ("2026-05-31", 1, "2026-06-30"),
        ("2026-11-23", 12, "2027-11-23"),
        ("2026-11-23", 0, "2026-11-23"),
    ])
    func addingMonths(_ start: String, _ months: Int, _ expected: String) throws {
        #expect(try BusinessDate(iso: start).adding(months: months).iso == expected)
    }

    @Test("BusinessDate(at:) is the Asia/Shanghai date")
    func businessDateAtInstant() throws {
        #expect(BusinessDate(at: try Timestamp(rfc3339: "2026-11-22T16:30:00Z")).iso == "2026-11-23")
        #expect(BusinessDate(at: try Timestamp(rfc3339: "2026-11-22T15:59:59Z")).iso == "2026-11-22")
        #expect(BusinessDate(at: try Timestamp(rfc3339: "2026-11-23T00:00:00+08:00")).iso == "2026-11-23")
        let date = try BusinessDate(iso: "2026-11-23")
        #expect(date.startInstant == (try Timestamp(rfc3339: "2026-11-23T00:00:00+08:00")))
        #expect(date.instant(hour: 9, minute: 30) == (try Timestamp(rfc3339: "2026-11-23T01:30:00Z")))
        #expect(BusinessDate(at: date.startInstant.adding(nanoseconds: -1)) == date.adding(days: -1))
        let clock = ManualClock(shanghai: "2026-11-23T00:10:00")
        #expect(clock.clock.businessDate() == date)
    }

    @Test("BusinessDate components, ordering and day arithmetic")
    func businessDateArithmetic() throws {
        let a = try BusinessDate(iso: "2026-11-23")
        let b = try BusinessDate(iso: "2027-01-05")
        #expect(a < b)
        #expect(a.days(until: b) == 43)
        #expect(a.adding(days: 43) == b)
        #expect(a.year == 2026 && a.month == 11 && a.day == 23)
        #expect(try BusinessDate(year: 2026, month: 11, day: 23) == a)
        #expect(throws: DomainError.self) { try BusinessDate(year: 2026, month: 2, day: 29) }
    }

    // MARK: BusinessCalendar

    @Test("China calendar 2026", arguments: [
        ("2026-10-01", false), ("2026-10-07", false), ("2026-10-08", true), ("2026-10-10", true), ("2026-10-11", false),
        ("2026-11-23", true), ("2026-11-22", false), ("2026-02-14", true), ("2026-02-16", false), ("2026-01-01", false),
        ("2026-01-04", true), ("2025-10-11", true), ("2025-10-08", false),
    ])
    func chinaCalendar(_ text: String, _ isBusinessDay: Bool) throws {
        #expect(BusinessCalendar.china.isBusinessDay(try BusinessDate(iso: text)) == isBusinessDay)
    }

    @Test("2026-10-10 is a Saturday make-up workday")
    func makeUpWorkday() throws {
        let date = try BusinessDate(iso: "2026-10-10")
        #expect(date.isWeekend)
        #expect(BusinessCalendar.china.isBusinessDay(date))
        #expect(!BusinessCalendar.weekendsOnly.isBusinessDay(date))
    }

    @Test("nextBusinessDay jumps over National Day and weekends")
    func nextBusinessDay() throws {
        let china = BusinessCalendar.china
        #expect(china.nextBusinessDay(after: try BusinessDate(iso: "2026-09-30")).iso == "2026-10-08")
        #expect(china.nextBusinessDay(after: try BusinessDate(iso: "2026-10-09")).iso == "2026-10-10")
        #expect(china.nextBusinessDay(after: try BusinessDate(iso: "2026-10-10")).iso == "2026-10-12")
        #expect(china.nextBusinessDay(after: try BusinessDate(iso: "2026-11-20")).iso == "2026-11-23")
        #expect(china.businessDayOnOrAfter(try BusinessDate(iso: "2026-11-23")).iso == "2026-11-23")
        #expect(china.businessDayOnOrAfter(try BusinessDate(iso: "2026-10-03")).iso == "2026-10-08")
        #expect(china.adding(businessDays: 2, to: try BusinessDate(iso: "2026-09-29")).iso == "2026-10-08")
        #expect(china.adding(businessDays: 0, to: try BusinessDate(iso: "2026-10-03")).iso == "2026-10-03")
    }

    @Test("Calendar files parse ranges and comments")
    func calendarParse() throws {
        let calendar = try BusinessCalendar.parse("""
            # test calendar

            holiday 2030-01-01..2030-01-03   # new year
            workday 2030-01-05
              holiday 2030-02-01
            """)
        #expect(calendar.holidays.count == 4)
        #expect(calendar.makeUpWorkdays == [try BusinessDate(iso: "2030-01-05")])
        #expect(!calendar.isBusinessDay(try BusinessDate(iso: "2030-01-02")))
        #expect(calendar.isBusinessDay(try BusinessDate(iso: "2030-01-05")))
    }

    @Test("Calendar files refuse bad lines", arguments: [
        ("holiday", ErrorCode.invalidRequest),
        ("vacation 2026-10-01", .invalidRequest),
        ("holiday 2026-10-01 2026-10-02", .invalidRequest),
        ("holiday 2026-13-01", .invalidDate),
        ("workday 2026-02-30", .invalidDate),
        ("holiday 2026-10-07..2026-10-01", .invalidDate),
        ("holiday 2026-01-01..2026-06-01", .invalidDate),
        ("holiday 2026-10-01..2026-10-03..2026-10-05", .invalidDate),
    ])
    func calendarParseErrors(_ text: String, _ code: ErrorCode) {
        let error = #expect(throws: DomainError.self) { try BusinessCalendar.parse(text) }
        #expect(error?.code == code)
    }

    // MARK: Clock

    @Test("ManualClock moves only when told")
    func manualClock() throws {
        let manual = ManualClock(shanghai: "2026-11-23T09:30:00")
        let clock = manual.clock
        let start = clock.now()
        #expect(start == (try Timestamp(rfc3339: "2026-11-23T01:30:00Z")))
        #expect(clock.now() == start)
        manual.advance(seconds: 61)
        #expect(clock.now() == start.adding(seconds: 61))
        manual.advance(nanoseconds: 5)
        #expect(clock.now().nanosecondsSinceEpoch == start.nanosecondsSinceEpoch + 61_000_000_005)
        manual.set(start)
        #expect(clock.now() == start)
    }
}
