import FloeJinja
import FloeCore
import Foundation

/// A use of `ref()` or `source()`: which slot, and where the call is.
public struct SlotUse: Sendable {
    public init(slot: SlotID, location: SourceLocation) {
        self.slot = slot
        self.location = location
    }

    public var slot: SlotID
    public var location: SourceLocation
}

/// What rendering one template produced: text with relation placeholders, what it referred to,
/// and the `config()` calls it made.
public struct RenderOutcome: Sendable {
    public init(text: String = "", refs: [SlotUse] = [], sources: [SlotUse] = [], config: [ConfigEntry] = [], error: TemplateError? = nil, warnings: [TemplateError] = []) {
        self.text = text
        self.refs = refs
        self.sources = sources
        self.config = config
        self.error = error
        self.warnings = warnings
    }

    public var text = ""
    public var refs: [SlotUse] = []
    public var sources: [SlotUse] = []
    public var config: [ConfigEntry] = []
    public var error: TemplateError?
    /// What rendered but may not be what was meant (an undefined name printed as nothing).
    public var warnings: [TemplateError] = []
    /// The template calls the database (`run_query`, `statement`, `adapter.get_columns_in_relation`…):
    /// at compile it cannot be rendered, and is rendered at apply time instead.
    public var needsDatabase = false
    /// The environment variables `env_var()` read, with their values: what a model rendered at
    /// apply time is given again.
    public var environmentRead: [String: String] = [:]

    /// The error and the warnings, as diagnostics.
    public var diagnostics: [Diagnostic] {
        warnings.map(\.warning) + (error.map { [$0.diagnostic] } ?? [])
    }
}

/// Relations are not known while models render (a model's `config(schema=…)` decides its own),
/// so `ref()` and `this` print placeholders, `\u{1}<part><slot>\u{1}`, that are replaced once
/// every config is known.
public enum RelationPlaceholder {
    public enum Part: Character {
        case relation = "R", schema = "S", identifier = "I"

        var byte: UInt8 { rawValue.asciiValue! }

        init?(byte: UInt8) {
            switch byte {
            case UInt8(ascii: "R"): self = .relation
            case UInt8(ascii: "S"): self = .schema
            case UInt8(ascii: "I"): self = .identifier
            default: return nil
            }
        }
    }

    /// `\u{1}R42\u{1}`: written from bytes (it fits a small string, so nothing is allocated);
    /// interpolation cost more than the rest of a ref() call.
    public static func text(_ slot: SlotID, _ part: Part) -> String {
        var digits = 1
        var rest = slot.index / 10
        while rest > 0 { digits += 1; rest /= 10 }
        return String(unsafeUninitializedCapacity: digits + 3) { buffer in
            buffer[0] = 1
            buffer[1] = part.byte
            var value = slot.index
            for position in stride(from: digits + 1, through: 2, by: -1) {
                buffer[position] = UInt8(48 + value % 10)
                value /= 10
            }
            buffer[digits + 2] = 1
            return digits + 3
        }
    }

    /// Slots are graph positions; nine digits is far beyond any project.
    public static let maximumDigits = 9

    /// Replaces every placeholder in `text` with what `resolve` gives for it; one whose slot
    /// `resolve` does not know (nil) stays as it is. Works on UTF-8 bytes: it runs over every
    /// model's SQL, copying the runs between placeholders whole.
    public static func substitute(_ text: String, _ resolve: (SlotID, Part) -> String?) -> String {
        var text = text
        return text.withUTF8 { bytes -> String in
            let count = bytes.count
            /// Where the next placeholder marker is at or after `index`, or the end.
            func nextMarker(from index: Int) -> Int {
                guard index < count, let found = memchr(bytes.baseAddress! + index, 1, count - index) else { return count }
                return bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            var index = nextMarker(from: 0)
            guard index < count else { return String(decoding: bytes, as: UTF8.self) }
            var output: [UInt8] = []
            output.reserveCapacity(count + 256)
            var copied = 0
            while index < count {
                // `bytes[index]` is a marker: a placeholder when a part, digits and a marker follow.
                // At most `maximumDigits` digits, so the slot cannot overflow whatever the text holds.
                guard index + 2 < count, let part = Part(byte: bytes[index + 1]) else {
                    index = nextMarker(from: index + 1)
                    continue
                }
                var end = index + 2
                var slot = 0
                while end < count, end - index - 2 < Self.maximumDigits, bytes[end] >= 48, bytes[end] <= 57 {
                    slot = slot * 10 + Int(bytes[end] - 48)
                    end += 1
                }
                guard end > index + 2, end < count, bytes[end] == 1, let replacement = resolve(SlotID(slot), part) else {
                    index = nextMarker(from: index + 1)
                    continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<index]))
                output.append(contentsOf: replacement.utf8)
                copied = end + 1
                index = nextMarker(from: copied)
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<count]))
            return String(decoding: output, as: UTF8.self)
        }
    }
}
