import Foundation

/// Timestamps as floe writes them everywhere (run results, the run state, the log, lineage
/// events): ISO 8601 in UTC with milliseconds, `2026-12-07T19:32:00.123Z`.
public enum Timestamp {
    public static func string(_ date: Date = Date()) -> String {
        formatter().string(from: date)
    }

    /// The time a timestamp names, with or without its fraction of a second.
    public static func date(_ timestamp: String) -> Date? {
        formatter().date(from: timestamp) ?? formatter(fractional: false).date(from: timestamp)
    }

    private static func formatter(fractional: Bool = true) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = fractional ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter
    }
}
