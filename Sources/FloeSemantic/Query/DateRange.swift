import FloeCore
import FloeEngine
import Foundation

/// A time dimension's `dateRange`: two dates or timestamps, or one of Cube's relative phrases.
public enum DateRange: Sendable, Equatable {
    case absolute(String, String)
    case relative(String)

    /// The range as the query gave it, for the response's `query`.
    var json: JSONValue {
        switch self {
        case .absolute(let from, let to): .array([.string(from), .string(to)])
        case .relative(let phrase): .string(phrase)
        }
    }

    /// The first and last instants, inclusive, as wall-clock times in the query's time zone.
    /// `now` is the current wall-clock time there. A date alone as the end means the end of
    /// that day, as in Cube.
    func bounds(now: CivilTimestamp) throws(SemanticError) -> (from: CivilTimestamp, to: CivilTimestamp) {
        switch self {
        case .absolute(let fromText, let toText):
            guard let from = CivilTimestamp(fromText) else { throw .badQuery("dateRange: '\(fromText)' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)") }
            guard var to = CivilTimestamp(toText) else { throw .badQuery("dateRange: '\(toText)' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)") }
            if !toText.contains(":") { to = CalendarMath.endOf(.day, to) }
            guard from <= to else { throw .badQuery("dateRange: '\(fromText)' is after '\(toText)'") }
            return (from, to)
        case .relative(let phrase):
            guard let bounds = RelativeDateRange.bounds(of: phrase, now: now) else {
                throw .badQuery("dateRange: cannot read '\(phrase)'; expected today, yesterday, tomorrow, this|last|next day|week|month|quarter|year, last|next N days|weeks|months|quarters|years, or from <time> to <time> (N days ago, now, today, a date)")
            }
            return bounds
        }
    }
}

/// Cube's relative date phrases, read case-insensitively:
/// - `today`, `yesterday`, `tomorrow`: that whole day;
/// - `this|last|next <unit>`: the whole unit holding now, the one before, the one after;
/// - `last N <units>`: the N whole units before the current one (`last 7 days` ends yesterday);
///   `next N <units>`: the N whole units after it;
/// - `from <point> to <point>`, where a point is `now`, `today`, `yesterday`, `tomorrow`,
///   `N <units> ago`, `N <units> from now` or a date: from the start of the first day (the exact
///   instant for `now` and units below a day) to the end of the last.
enum RelativeDateRange {
    static func bounds(of phrase: String, now: CivilTimestamp) -> (from: CivilTimestamp, to: CivilTimestamp)? {
        let words = phrase.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        func whole(_ part: DatePart, _ time: CivilTimestamp) -> (CivilTimestamp, CivilTimestamp) {
            (CalendarMath.startOf(part, time), CalendarMath.endOf(part, time))
        }
        switch words.count {
        case 1:
            switch words[0] {
            case "today": return whole(.day, now)
            case "yesterday": return whole(.day, CalendarMath.adding(-1, .day, now))
            case "tomorrow": return whole(.day, CalendarMath.adding(1, .day, now))
            default: return nil
            }
        case 2:
            guard let part = DatePart(text: words[1]) else { return nil }
            switch words[0] {
            case "this": return whole(part, now)
            case "last": return whole(part, CalendarMath.adding(-1, part, now))
            case "next": return whole(part, CalendarMath.adding(1, part, now))
            default: return nil
            }
        case 3:
            guard let count = Int64(words[1]), count > 0, count < 100_000, let part = DatePart(text: words[2]) else { return nil }
            switch words[0] {
            case "last":
                return (CalendarMath.startOf(part, CalendarMath.adding(-count, part, now)), CalendarMath.endOf(part, CalendarMath.adding(-1, part, now)))
            case "next":
                return (CalendarMath.startOf(part, CalendarMath.adding(1, part, now)), CalendarMath.endOf(part, CalendarMath.adding(count, part, now)))
            default: return nil
            }
        default:
            guard words.first == "from", let to = words.firstIndex(of: "to"), to > 1, to < words.count - 1,
                  let start = point(Array(words[1..<to]), now: now, end: false),
                  let end = point(Array(words[(to + 1)...]), now: now, end: true), start <= end else { return nil }
            return (start, end)
        }
    }

    /// One end of `from … to …`; `end` picks the end of a day rather than its start.
    private static func point(_ words: [String], now: CivilTimestamp, end: Bool) -> CivilTimestamp? {
        func day(_ time: CivilTimestamp) -> CivilTimestamp { end ? CalendarMath.endOf(.day, time) : CalendarMath.startOf(.day, time) }
        switch words.count {
        case 1:
            switch words[0] {
            case "now": return now
            case "today": return day(now)
            case "yesterday": return day(CalendarMath.adding(-1, .day, now))
            case "tomorrow": return day(CalendarMath.adding(1, .day, now))
            default:
                guard let date = CivilTimestamp(words[0]) else { return nil }
                return words[0].contains(":") ? date : day(date)
            }
        case 3, 4:
            guard let count = Int64(words[0]), count >= 0, count < 100_000, let part = DatePart(text: words[1]) else { return nil }
            let moved: CivilTimestamp
            if words.count == 3, words[2] == "ago" {
                moved = CalendarMath.adding(-count, part, now)
            } else if words.count == 4, words[2] == "from", words[3] == "now" {
                moved = CalendarMath.adding(count, part, now)
            } else {
                return nil
            }
            return [.second, .minute, .hour].contains(part) ? moved : day(moved)
        default:
            return nil
        }
    }
}

extension TimeDimensionQuery {
    /// Its date range as Cube labels a compareDateRange result's rows: the first and last instants
    /// in the query's time zone, `2024-01-01T00:00:00.000 - 2024-01-31T23:59:59.999`. nil without
    /// a date range.
    public func dateRangeLabel(timezone: String, now: Date = Date()) throws(SemanticError) -> String? {
        guard let dateRange else { return nil }
        let zone = TimeZone(identifier: timezone) ?? TimeZone(secondsFromGMT: 0)!
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let bounds = try dateRange.bounds(now: CivilTimestamp(seconds: seconds + Int64(zone.secondsFromGMT(for: now))))
        return bounds.from.text() + " - " + bounds.to.text()
    }
}
