import Crypto
import FloeContract
import Foundation

/// SHA-256 of input files, and the one combined hash the plan records.
enum InputHasher {
    static func sha256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    static func sha256(_ text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)))
    }

    /// Lower-case hex, written directly into the string's storage: thousands of hashes are
    /// printed per compile, and `String(format:)` per byte or an array per call showed up in profiles.
    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let bytes = Array(digest)
        return String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            for (index, byte) in bytes.enumerated() {
                buffer[2 * index] = hexDigits[Int(byte >> 4)]
                buffer[2 * index + 1] = hexDigits[Int(byte & 0x0f)]
            }
            return bytes.count * 2
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Over the sorted `path:sha256` lines, so it changes when any input's path or content does.
    static func combined(_ inputs: [InputFile]) -> String {
        var lines: [UInt8] = []
        lines.reserveCapacity(inputs.reduce(0) { $0 + $1.path.utf8.count + $1.sha256.utf8.count + 2 })
        for input in inputs.sorted(by: { $0.path < $1.path }) {
            lines.append(contentsOf: input.path.utf8)
            lines.append(UInt8(ascii: ":"))
            lines.append(contentsOf: input.sha256.utf8)
            lines.append(UInt8(ascii: "\n"))
        }
        return lines.withUnsafeBytes { hex(SHA256.hash(data: $0)) }
    }
}

/// Paths as the plan records them: relative to the directory of floe.yaml, with `/` separators.
public enum RelativePath {
    public static func from(directory: URL, to file: URL) -> String {
        let base = directory.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        let target = file.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        var common = 0
        while common < base.count, common < target.count, base[common] == target[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        let parts = ups + target[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}

/// The plan's timestamp: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now, to the second.
public enum CompileTimestamp {
    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC, fractions of a second dropped. Worked out by hand (the
    /// proleptic Gregorian calendar from days since 1970): a `DateFormatter` cost half a
    /// millisecond to set up on every compile.
    public static func iso8601(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Days to year, month and day, in 400-year eras that start on 1 March.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(abs(value))
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))T\(padded(secondOfDay / 3_600, 2)):"
            + "\(padded(secondOfDay / 60 % 60, 2)):\(padded(secondOfDay % 60, 2))Z"
    }

    /// Nil when the variable is unset; throws the text back when it is set but not a whole number.
    public static func fromEnvironment(_ environment: [String: String]) -> Result<Date?, InvalidEpoch> {
        guard let text = environment["SOURCE_DATE_EPOCH"], !text.isEmpty else { return .success(nil) }
        guard let seconds = Int(text), seconds >= 0 else { return .failure(InvalidEpoch(text: text)) }
        return .success(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    public struct InvalidEpoch: Error {
        public var text: String
    }
}
