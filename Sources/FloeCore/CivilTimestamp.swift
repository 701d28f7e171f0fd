/// A wall-clock timestamp as databases write it in text — `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`,
/// `YYYY-MM-DD HH:MM:SS[.fff…]`, with `T` or a space between — as seconds since 1970-01-01
/// 00:00:00 and milliseconds, without a calendar or a time zone (``CivilDate``).
public struct CivilTimestamp: Sendable, Hashable, Comparable {
    public var seconds: Int64
    public var milliseconds: Int

    public init(seconds: Int64, milliseconds: Int = 0) {
        self.seconds = seconds
        self.milliseconds = milliseconds
    }

    /// nil unless the whole text is one of the spellings above (a trailing `Z` is allowed).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + digits] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += digits
            return value
        }
        func skip(_ separator: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == separator else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip(45), let month = number(2), skip(45), let day = number(2),
              let days = CivilDate.days("\(year)-\(month)-\(day)") else { return nil }
        var clock: Int64 = 0
        var millisecond = 0
        if skip(84) || skip(32) {
            guard let hour = number(2), hour < 24, skip(58), let minute = number(2), minute < 60 else { return nil }
            clock = hour * 3600 + minute * 60
            if skip(58) {
                guard let second = number(2), second < 60 else { return nil }
                clock += second
                if skip(46) {
                    var scale = 100
                    let start = index
                    while index < bytes.count, (48...57).contains(bytes[index]) {
                        millisecond += Int(bytes[index] - 48) * scale
                        scale /= 10
                        index += 1
                    }
                    guard index > start else { return nil }
                }
            }
        }
        _ = skip(90)
        guard index == bytes.count else { return nil }
        seconds = days * 86_400 + clock
        milliseconds = millisecond
    }

    /// `YYYY-MM-DDTHH:MM:SS.SSS` (Cube's spelling of a time value); `separator` between date and time.
    public func text(separator: String = "T") -> String {
        let digits = String(milliseconds)
        return CivilDate.timestamp(seconds: seconds, separator: separator) + "." + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    /// Days since 1970-01-01 of its date.
    public var days: Int64 { CivilDate.days(containing: seconds) }

    public func adding(seconds delta: Int64) -> CivilTimestamp {
        CivilTimestamp(seconds: seconds + delta, milliseconds: milliseconds)
    }

    public static func < (lhs: CivilTimestamp, rhs: CivilTimestamp) -> Bool {
        (lhs.seconds, lhs.milliseconds) < (rhs.seconds, rhs.milliseconds)
    }
}
