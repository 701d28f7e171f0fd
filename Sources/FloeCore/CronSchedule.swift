/// A five-field cron expression (`minute hour day-of-month month day-of-week`), as crontab(5)
/// reads it: `*`, numbers, lists (`1,15`), ranges (`9-17`), steps (`*/5`, `0-30/10`), month and
/// day names (`jan`, `mon-fri`), 7 as Sunday, and the rule that when both day fields are
/// restricted a day matches either. Times are UTC minutes.
public struct CronSchedule: Sendable, Equatable {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var description: String { "\(field): \(message)" }
    }

    public let minutes: Set<Int>
    public let hours: Set<Int>
    public let daysOfMonth: Set<Int>
    public let months: Set<Int>
    public let daysOfWeek: Set<Int>
    private let dayOfMonthRestricted: Bool
    private let dayOfWeekRestricted: Bool

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(_ text: String) throws(ParseError) {
        let fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(field: "cron", message: "expected five fields (minute hour day-of-month month day-of-week), got \(fields.count)")
        }
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [])
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [])
        daysOfMonth = try Self.field(fields[2], name: "day of month", range: 1...31, names: [])
        months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, firstName: 1)
        // 7 is Sunday too.
        daysOfWeek = Set(try Self.field(fields[4], name: "day of week", range: 0...7, names: Self.dayNames).map { $0 % 7 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    /// The first minute strictly after `seconds` (since 1970, UTC) that the schedule names, as
    /// seconds since 1970; nil when none comes within about eight years (`0 0 30 2 *`).
    public func next(after seconds: Int64) -> Int64? {
        var minute = (seconds / 60 + 1) * 60
        let limit = minute + 8 * 366 * 86_400
        while minute < limit {
            let days = minute >= 0 ? minute / 86_400 : (minute - 86_399) / 86_400
            let date = CivilDate.text(days: days).split(separator: "-").compactMap { Int($0) }
            guard date.count == 3 else { return nil }
            let (month, day) = (date[1], date[2])
            // 1970-01-01 was a Thursday (4).
            let weekday = Int(((days % 7) + 11) % 7)
            guard months.contains(month) else {
                minute = (days + 1) * 86_400
                continue
            }
            let dayMatches = dayOfMonthRestricted && dayOfWeekRestricted
                ? daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
                : daysOfMonth.contains(day) && daysOfWeek.contains(weekday)
            guard dayMatches else {
                minute = (days + 1) * 86_400
                continue
            }
            let secondOfDay = minute - days * 86_400
            let (hour, minuteOfHour) = (Int(secondOfDay / 3600), Int(secondOfDay / 60 % 60))
            if hours.contains(hour), minutes.contains(minuteOfHour) { return minute }
            minute += hours.contains(hour) ? 60 : 3600 - Int64(minuteOfHour) * 60
        }
        return nil
    }

    private static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String],
                              firstName: Int = 0) throws(ParseError) -> Set<Int> {
        var values: Set<Int> = []
        for part in text.lowercased().split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else {
                throw ParseError(field: name, message: "'\(part)' is not a value, range or step")
            }
            var step = 1
            if pieces.count == 2 {
                guard let number = Int(pieces[1]), number > 0 else {
                    throw ParseError(field: name, message: "the step in '\(part)' must be a whole number above 0")
                }
                step = number
            }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" {
                bounds = range
            } else {
                let ends = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(ends.count) else {
                    throw ParseError(field: name, message: "'\(part)' is not a value, range or step")
                }
                let low = try value(String(ends[0]), name: name, range: range, names: names, firstName: firstName)
                let high = ends.count == 2 ? try value(String(ends[1]), name: name, range: range, names: names, firstName: firstName)
                    : (pieces.count == 2 ? range.upperBound : low)
                guard low <= high else { throw ParseError(field: name, message: "the range '\(part)' runs backwards") }
                bounds = low...high
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    private static func value(_ text: String, name: String, range: ClosedRange<Int>, names: [String],
                              firstName: Int) throws(ParseError) -> Int {
        if let index = names.firstIndex(of: text) { return index + firstName }
        guard let number = Int(text), range.contains(number) else {
            let named = names.isEmpty ? "" : " or a name (\(names.first!)…\(names.last!))"
            throw ParseError(field: name, message: "'\(text)' is not \(range.lowerBound)–\(range.upperBound)\(named)")
        }
        return number
    }
}
