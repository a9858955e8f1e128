/// Which dates are working days for the bank: weekends off, plus China's public holidays,
/// minus the weekend "make-up" working days (调休) the State Council announces each year.
///
/// The holiday lists are configuration, not code: `BusinessCalendar(holidays:makeUpWorkdays:)`
/// takes any set, and `rong` reads `RONG_HOLIDAYS_FILE` when given. `china` carries the
/// published schedules for 2025 and 2026 (国务院办公厅 notices); verify new years against the notice.
public struct BusinessCalendar: Sendable {
    public let holidays: Set<BusinessDate>
    public let makeUpWorkdays: Set<BusinessDate>

    public init(holidays: Set<BusinessDate>, makeUpWorkdays: Set<BusinessDate>) {
        self.holidays = holidays
        self.makeUpWorkdays = makeUpWorkdays
    }

    /// Only weekends are off.
    public static let weekendsOnly = BusinessCalendar(holidays: [], makeUpWorkdays: [])

    public func isBusinessDay(_ date: BusinessDate) -> Bool {
        if makeUpWorkdays.contains(date) { return true }
        if holidays.contains(date) { return false }
        return !date.isWeekend
    }

    /// The first business day strictly after `date`.
    public func nextBusinessDay(after date: BusinessDate) -> BusinessDate {
        var candidate = date.adding(days: 1)
        // Bounded: no Chinese holiday run is longer than a few weeks.
        for _ in 0..<60 where !isBusinessDay(candidate) { candidate = candidate.adding(days: 1) }
        return candidate
    }

    /// `date` itself when it is a business day, else the next one.
    public func businessDayOnOrAfter(_ date: BusinessDate) -> BusinessDate {
        isBusinessDay(date) ? date : nextBusinessDay(after: date)
    }

    /// Adds `count` business days (T+1 confirmation is `adding(businessDays: 1, to: t)`).
    public func adding(businessDays count: Int, to date: BusinessDate) -> BusinessDate {
        var result = date
        for _ in 0..<count { result = nextBusinessDay(after: result) }
        return result
    }

    /// Parses a calendar file: one entry per line, `holiday YYYY-MM-DD` or `workday YYYY-MM-DD`;
    /// `#` starts a comment. Ranges are written `holiday 2026-10-01..2026-10-07`.
    public static func parse(_ text: String) throws(DomainError) -> BusinessCalendar {
        var holidays = Set<BusinessDate>()
        var workdays = Set<BusinessDate>()
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if words.isEmpty { continue }
            guard words.count == 2, words[0] == "holiday" || words[0] == "workday" else {
                throw DomainError(.invalidRequest, "Calendar line \(number + 1): expected 'holiday DATE' or 'workday DATE'.", status: 422)
            }
            let bounds = words[1].split(separator: ".", omittingEmptySubsequences: true)
            guard bounds.count == 1 || bounds.count == 2 else {
                throw DomainError(.invalidDate, "Calendar line \(number + 1): bad date range.", status: 422)
            }
            let first = try BusinessDate(iso: String(bounds[0]))
            let last = bounds.count == 2 ? try BusinessDate(iso: String(bounds[1])) : first
            guard first <= last, first.days(until: last) < 60 else {
                throw DomainError(.invalidDate, "Calendar line \(number + 1): range reversed or longer than 60 days.", status: 422)
            }
            for offset in 0...first.days(until: last) {
                if words[0] == "holiday" { holidays.insert(first.adding(days: offset)) } else { workdays.insert(first.adding(days: offset)) }
            }
        }
        return BusinessCalendar(holidays: holidays, makeUpWorkdays: workdays)
    }

    /// China's published schedules for 2025 and 2026.
    public static let china: BusinessCalendar = try! parse(chinaSchedule)

    public static let chinaSchedule = """
    # 2025 (国办发明电〔2024〕12号)
    holiday 2025-01-01
    holiday 2025-01-28..2025-02-04   # 春节
    workday 2025-01-26
    workday 2025-02-08
    holiday 2025-04-04..2025-04-06   # 清明节
    holiday 2025-05-01..2025-05-05   # 劳动节
    workday 2025-04-27
    holiday 2025-05-31..2025-06-02   # 端午节
    holiday 2025-10-01..2025-10-08   # 国庆节、中秋节
    workday 2025-09-28
    workday 2025-10-11
    # 2026 (国办发明电〔2025〕 notice)
    holiday 2026-01-01..2026-01-03   # 元旦
    workday 2026-01-04
    holiday 2026-02-15..2026-02-23   # 春节
    workday 2026-02-14
    workday 2026-02-28
    holiday 2026-04-04..2026-04-06   # 清明节
    holiday 2026-05-01..2026-05-05   # 劳动节
    workday 2026-05-09
    holiday 2026-06-19..2026-06-21   # 端午节
    holiday 2026-09-25..2026-09-27   # 中秋节
    holiday 2026-10-01..2026-10-07   # 国庆节
    workday 2026-09-20
    workday 2026-10-10
    """
}
