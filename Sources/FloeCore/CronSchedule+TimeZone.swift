import Foundation

extension CronSchedule {
    /// The first time strictly after `seconds` (since 1970) at which the schedule's wall-clock
    /// minutes come round in `zone`, as seconds since 1970; nil when none comes within about
    /// eight years. Across a daylight-saving change it behaves as cron does: a minute that does
    /// not exist that day (the hour skipped in spring) is skipped, and a minute that happens
    /// twice (the hour repeated in autumn) runs the first time only.
    public func next(after seconds: Int64, in zone: TimeZone) -> Int64? {
        var localCursor = seconds + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        for _ in 0..<10_000 {
            guard let local = next(after: localCursor) else { return nil }
            localCursor = local
            // The offsets either side of the candidate: equal except near a change.
            let before = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local - 86_400))))
            let after = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local + 86_400))))
            // The earlier instant first, so a repeated minute resolves to its first occurrence.
            let instants = Set([local - max(before, after), local - min(before, after)]).sorted()
            let existing = instants.filter { instant in
                Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))) == local - instant
            }
            guard let first = existing.first else { continue }  // the skipped hour: no such minute
            if first > seconds { return first }
            // The first occurrence of a repeated minute has passed: its second is not a new run.
        }
        return nil
    }
}
