/// Days since 1970-01-01 to and from `YYYY-MM-DD`, without a calendar or a time zone
/// (Howard Hinnant's civil-from-days), so generated dates and the plan's timestamp never depend
/// on the machine.
public enum CivilDate {
    public static func days(_ text: String) -> Int64? {
        let parts = text.split(separator: "-").compactMap { Int64($0) }
        guard parts.count == 3 else { return nil }
        let (year, month, day) = (parts[0], parts[1], parts[2])
        // Within a million years the arithmetic below cannot overflow, whatever the text says.
        guard abs(year) <= maximumYear, (1...12).contains(month), (1...31).contains(day) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Dates beyond a million years either side of year 0 are not dates floe reads or writes.
    public static let maximumYear: Int64 = 1_000_000

    /// Days outside ±``maximumYear`` years are clamped to it, so no input traps.
    public static func text(days: Int64) -> String {
        let limit = maximumYear * 366
        let z = min(max(days, -limit), limit) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    /// The day (since 1970-01-01) the moment `seconds` after 1970-01-01 00:00:00 falls on: floor
    /// division, so moments before 1970 fall on the day before, not after.
    public static func days(containing seconds: Int64) -> Int64 {
        seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    }

    /// `YYYY-MM-DD HH:MM:SS` for seconds since 1970-01-01 00:00:00; `separator` goes between the
    /// date and the time (ISO 8601 writes `T`).
    public static func timestamp(seconds: Int64, separator: String = " ") -> String {
        let limit = maximumYear * 366 * 86_400
        let seconds = min(max(seconds, -limit), limit)
        let days = days(containing: seconds)
        let rest = seconds - days * 86_400
        return text(days: days) + separator + pad(rest / 3600, 2) + ":" + pad(rest / 60 % 60, 2) + ":" + pad(rest % 60, 2)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
