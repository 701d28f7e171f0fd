import Crypto
import FloeContract
import FloeCore
import Foundation

/// SHA-256 of input files, and the one combined hash the plan records.
enum InputHasher {
    static func sha256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    static func sha256(_ text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String { Hex.string(digest) }

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

    /// `url` as messages show it: relative to the working directory.
    public static func shown(_ url: URL) -> String {
        from(directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath), to: url)
    }
}

/// The plan's timestamp: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now, to the second.
public enum CompileTimestamp {
    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC, fractions of a second dropped. Worked out by hand
    /// (``CivilDate``): a `DateFormatter` cost half a millisecond to set up on every compile.
    public static func iso8601(_ date: Date) -> String {
        CivilDate.timestamp(seconds: Int64(date.timeIntervalSince1970.rounded(.down)), separator: "T") + "Z"
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
