@testable import FloeCore
import Foundation
import Testing

@Suite struct CronScheduleTests {
    /// Seconds since 1970 of a UTC date and time.
    func at(_ date: String, _ hour: Int64 = 0, _ minute: Int64 = 0) -> Int64 {
        (CivilDate.days(date) ?? 0) * 86_400 + hour * 3600 + minute * 60
    }

    @Test func everyFiveMinutesAndFixedTimes() throws {
        let five = try CronSchedule("*/5 * * * *")
        #expect(five.next(after: at("2024-03-01", 10, 2)) == at("2024-03-01", 10, 5))
        #expect(five.next(after: at("2024-03-01", 10, 5)) == at("2024-03-01", 10, 10), "strictly after")
        #expect(five.next(after: at("2024-03-01", 23, 58)) == at("2024-03-02"))
        let nightly = try CronSchedule("30 2 * * *")
        #expect(nightly.next(after: at("2024-03-01", 3)) == at("2024-03-02", 2, 30))
    }

    /// Wall-clock minutes in a time zone, across Europe/Berlin's changes of 2024 (clocks went
    /// forward 02:00 → 03:00 on 31 March and back 03:00 → 02:00 on 27 October).
    @Test func timeZonesAndDaylightSaving() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let nightly = try CronSchedule("30 2 * * *")
        // 02:30 in Berlin in winter is 01:30 UTC, in summer 00:30 UTC.
        #expect(nightly.next(after: at("2024-01-10"), in: berlin) == at("2024-01-10", 1, 30))
        #expect(nightly.next(after: at("2024-07-10"), in: berlin) == at("2024-07-10", 0, 30))
        // 31 March has no 02:30: that night is skipped, as cron skips it.
        #expect(nightly.next(after: at("2024-03-30", 12), in: berlin) == at("2024-04-01", 0, 30))
        // 27 October has 02:30 twice (00:30 and 01:30 UTC): it runs the first time only.
        #expect(nightly.next(after: at("2024-10-26", 12), in: berlin) == at("2024-10-27", 0, 30))
        #expect(nightly.next(after: at("2024-10-27", 0, 30), in: berlin) == at("2024-10-28", 1, 30))
        // Every 20 minutes keeps its wall-clock minutes through the spring change.
        let often = try CronSchedule("*/20 * * * *")
        #expect(often.next(after: at("2024-03-31", 0, 50), in: berlin) == at("2024-03-31", 1, 0), "03:00 CEST")
        let utc = try #require(TimeZone(identifier: "UTC"))
        #expect(nightly.next(after: at("2024-03-31"), in: utc) == nightly.next(after: at("2024-03-31")))
    }

    @Test func listsRangesStepsAndNames() throws {
        let office = try CronSchedule("0,30 9-17/4 * jan-mar mon-fri")
        #expect(office.minutes == [0, 30] && office.hours == [9, 13, 17] && office.months == [1, 2, 3] && office.daysOfWeek == [1, 2, 3, 4, 5])
        // 2024-03-02 is a Saturday: the next weekday slot is Monday 09:00.
        #expect(office.next(after: at("2024-03-01", 17, 30)) == at("2024-03-04", 9, 0))
        // After March, the next is January's first weekday.
        #expect(office.next(after: at("2024-03-29", 18)) == at("2025-01-01", 9, 0))
        #expect(try CronSchedule("0 0 * * 7").daysOfWeek == [0], "7 is Sunday")
        // Both day fields restricted: either matches (the 13th, or any Friday).
        let either = try CronSchedule("0 0 13 * fri")
        #expect(either.next(after: at("2024-03-02")) == at("2024-03-08"), "a Friday before the 13th")
        #expect(try CronSchedule("0 0 30 2 *").next(after: 0) == nil, "February never has a 30th")
    }

    @Test func mistakesNameTheField() {
        #expect(throws: CronSchedule.ParseError(field: "cron", message: "expected five fields (minute hour day-of-month month day-of-week), got 4")) {
            try CronSchedule("* * * *")
        }
        #expect(throws: CronSchedule.ParseError(field: "minute", message: "'60' is not 0–59")) { try CronSchedule("60 * * * *") }
        #expect(throws: CronSchedule.ParseError(field: "month", message: "'foo' is not 1–12 or a name (jan…dec)")) { try CronSchedule("* * * foo *") }
        #expect(throws: CronSchedule.ParseError(field: "hour", message: "the range '5-2' runs backwards")) { try CronSchedule("* 5-2 * * *") }
        #expect(throws: CronSchedule.ParseError(field: "minute", message: "the step in '*/0' must be a whole number above 0")) { try CronSchedule("*/0 * * * *") }
    }
}
