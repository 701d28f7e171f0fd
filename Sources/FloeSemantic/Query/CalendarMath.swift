import FloeCore
import Foundation
import FloeEngine

/// Calendar arithmetic on wall-clock timestamps (no time zone: the caller has already moved to
/// the query's), for date ranges and for lining them up with rollup granularities. Weeks start
/// on Monday, as Cube's do.
enum CalendarMath {
    static func startOf(_ part: DatePart, _ time: CivilTimestamp) -> CivilTimestamp {
        let days = time.days
        let clock = time.seconds - days * 86_400
        switch part {
        case .second: return CivilTimestamp(seconds: time.seconds)
        case .minute: return CivilTimestamp(seconds: days * 86_400 + clock / 60 * 60)
        case .hour: return CivilTimestamp(seconds: days * 86_400 + clock / 3600 * 3600)
        case .day: return CivilTimestamp(seconds: days * 86_400)
        case .week:
            let sinceMonday = ((days + 3) % 7 + 7) % 7
            return CivilTimestamp(seconds: (days - sinceMonday) * 86_400)
        case .month, .quarter, .year:
            let (year, month, _) = ymd(days)
            let first = part == .month ? month : part == .quarter ? (month - 1) / 3 * 3 + 1 : 1
            return CivilTimestamp(seconds: dayNumber(year, first, 1) * 86_400)
        }
    }

    /// The last millisecond of the `part` that holds `time`.
    static func endOf(_ part: DatePart, _ time: CivilTimestamp) -> CivilTimestamp {
        let next = adding(1, part, startOf(part, time))
        return CivilTimestamp(seconds: next.seconds - 1, milliseconds: 999)
    }

    /// `time` moved by `count` parts; a month step keeps the day where the month has it and
    /// takes the month's last day where it does not (Jan 31 + 1 month = Feb 28 or 29).
    static func adding(_ count: Int64, _ part: DatePart, _ time: CivilTimestamp) -> CivilTimestamp {
        switch part {
        case .second: return time.adding(seconds: count)
        case .minute: return time.adding(seconds: count * 60)
        case .hour: return time.adding(seconds: count * 3600)
        case .day: return time.adding(seconds: count * 86_400)
        case .week: return time.adding(seconds: count * 7 * 86_400)
        case .month, .quarter, .year:
            let months = count * (part == .month ? 1 : part == .quarter ? 3 : 12)
            let days = time.days
            let clock = time.seconds - days * 86_400
            let (year, month, day) = ymd(days)
            let total = year * 12 + (month - 1) + months
            let newYear = total >= 0 ? total / 12 : (total - 11) / 12
            let newMonth = total - newYear * 12 + 1
            let lastDay = dayNumber(newMonth == 12 ? newYear + 1 : newYear, newMonth == 12 ? 1 : newMonth + 1, 1)
                - dayNumber(newYear, newMonth, 1)
            let newDays = dayNumber(newYear, newMonth, min(day, lastDay))
            return CivilTimestamp(seconds: newDays * 86_400 + clock, milliseconds: time.milliseconds)
        }
    }

    /// Whether `time` is the first instant of a `part`.
    static func isStart(of part: DatePart, _ time: CivilTimestamp) -> Bool { startOf(part, time) == time }

    /// Whether `time` is the last millisecond (or the last second) of a `part`.
    static func isEnd(of part: DatePart, _ time: CivilTimestamp) -> Bool {
        let end = endOf(part, time)
        return end == time || (time.seconds == end.seconds && time.milliseconds == 0)
    }

    private static func ymd(_ days: Int64) -> (Int64, Int64, Int64) {
        let parts = CivilDate.text(days: days).split(separator: "-", omittingEmptySubsequences: true).compactMap { Int64($0) }
        return (parts[0], parts[1], parts[2])
    }

    private static func dayNumber(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        CivilDate.days(String(format: "%04lld-%02lld-%02lld", year, month, day)) ?? 0
    }
}
