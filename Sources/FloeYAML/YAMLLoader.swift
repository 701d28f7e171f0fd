import FloeCore
import Foundation
import Yams

/// Reads a YAML file into a ``YAMLValue`` tree, turning every failure into a located diagnostic.
///
/// Hostile input is refused before it can hurt: files over ``maximumBytes``, bytes that are not
/// UTF-8, nesting deeper than ``maximumDepth`` (a recursive parser would overflow its stack) and
/// alias expansion beyond ``maximumNodes`` nodes (the "billion laughs").
public struct YAMLLoader: Sendable {
    public var maximumBytes = 16 * 1024 * 1024
    public var maximumDepth = 512
    public var maximumNodes = 1_000_000
    /// A key written twice in one mapping: an error (floe's own files), or, as dbt 1.11 reads its
    /// files, a warning with the later value kept.
    public var duplicateKeysWarn = false

    public init(duplicateKeysWarn: Bool = false) {
        self.duplicateKeysWarn = duplicateKeysWarn
    }

    /// Stands in for an earlier duplicate key while Yams composes the document (it refuses
    /// duplicates), so the later value wins; ``Converter`` drops the entries it names.
    static let duplicatePrefix = "__floe_duplicate_key_"

    /// Parsing resolves no tags: Yams would run its regular expressions over every key (to check
    /// for duplicates) and every value, which was most of the time of reading a properties file.
    /// ``Converter`` types plain scalars itself (``YAMLScalarTyping``), where a cheap look says
    /// one could be other than a string. Timestamps stay strings: `2024-01-01` means the text, as
    /// JSON Schema sees it.
    static let resolver = Resolver.basic
    /// Made once: Yams' `Constructor.default` builds its tables anew at every use. Composing a
    /// node tree never calls it, but the parser wants one.
    /// Immutable after it is made, so sharing it between threads parsing at once is safe.
    nonisolated(unsafe) static let constructor = Constructor.default

    /// Loads `path`; `displayPath` is how messages name it. A missing file is reported by the caller.
    public func load(contentsOf url: URL, displayPath: String) -> (value: YAMLValue?, bytes: Data?, diagnostics: [Diagnostic]) {
        let data: Data
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
            if size > maximumBytes {
                return (nil, nil, [.error(
                    at: .file(displayPath),
                    "the file is too large (\(size / 1_048_576) MiB; the limit is \(maximumBytes / 1_048_576) MiB)",
                    hint: "a configuration file is a few kilobytes; check that this is the right file")])
            }
            data = try Data(contentsOf: url)
        } catch {
            return (nil, nil, [.error(at: .file(displayPath), "cannot read the file",
                                      hint: "check that it exists and is readable")])
        }
        let (value, diagnostics) = load(data: data, displayPath: displayPath)
        return (value, data, diagnostics)
    }

    /// Parses `data` as one YAML document. Returns nil for an empty document (no diagnostic: the
    /// caller knows what the file should have held and says so).
    public func load(data: Data, displayPath: String) -> (YAMLValue?, [Diagnostic]) {
        if data.count > maximumBytes {
            return (nil, [.error(at: .file(displayPath), "the file is too large (the limit is \(maximumBytes / 1_048_576) MiB)")])
        }
        guard var text = String(data: data, encoding: .utf8) else {
            return (nil, [.error(at: .file(displayPath), "the file is not UTF-8 text",
                                 hint: "save it as UTF-8; it may be a binary file given by mistake")])
        }
        if let nul = Self.firstControlCharacter(in: text) {
            return (nil, [.error(at: SourceLocation(file: displayPath, line: nul.line, column: nul.column),
                                 "the file contains a control character (U+\(String(nul.code, radix: 16, uppercase: true)))",
                                 hint: "YAML files are plain text; this may be a binary file given by mistake")])
        }
        if let deep = Self.deepestNesting(in: text, limit: maximumDepth) {
            return (nil, [.error(at: SourceLocation(file: displayPath, line: deep, column: 1),
                                 "the document is nested too deeply (more than \(maximumDepth) levels)")])
        }
        var node: Node?
        var duplicates: [Diagnostic] = []
        while true {
            do {
                // The encoding given, not defaulted: Yams' default reads the whole process environment
                // (for YAMS_DEFAULT_ENCODING) at every parse.
                node = try Yams.compose(yaml: text, Self.resolver, Self.constructor, .utf8)
                break
            } catch let error as YamlError {
                if duplicateKeysWarn, case .duplicatedKeysInMapping(let keys, let context) = error, duplicates.count < 64,
                   let renamed = Self.renamingKey(at: context.mark, in: text, to: Self.duplicatePrefix + String(duplicates.count)) {
                    text = renamed
                    duplicates.append(.warning(
                        at: SourceLocation(file: displayPath, line: max(1, context.mark.line), column: max(1, context.mark.column)),
                        "duplicate key '\(keys.first ?? "")' in a mapping: the later value is used, as dbt does",
                        hint: "remove or merge the repeated key; dbt 1.11 warns about it too"))
                    continue
                }
                return (nil, [Self.diagnostic(for: error, file: displayPath)])
            } catch {
                return (nil, [.error(at: .file(displayPath), "the file is not valid YAML")])
            }
        }
        guard let node else { return (nil, duplicates) }
        var converter = Converter(file: displayPath, budget: maximumNodes)
        converter.diagnostics = duplicates
        let value = converter.convert(node)
        if converter.exhausted {
            return (nil, [.error(at: .file(displayPath),
                                 "the document expands to more than \(maximumNodes) nodes (aliases that refer to aliases?)",
                                 hint: "remove the repeated aliases; a configuration file never needs this many values")])
        }
        return (value, converter.diagnostics)
    }

    /// `text` with the mapping key at `mark` (Yams' 1-based line and column) replaced by
    /// `replacement`; nil when no key is found there.
    static func renamingKey(at mark: Mark, in text: String, to replacement: String) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let line = Array(lines[mark.line - 1])
        let start = mark.column - 1
        guard start >= 0, start < line.count else { return nil }
        var end = start
        if line[start] == "\"" || line[start] == "'" {
            end = start + 1
            while end < line.count && line[end] != line[start] { end += 1 }
            end += 1
        } else {
            while end < line.count, !(line[end] == ":" && (end + 1 == line.count || line[end + 1] == " ")) { end += 1 }
        }
        guard end <= line.count, end > start else { return nil }
        lines[mark.line - 1] = String(line[..<start]) + replacement + String(line[end...])
        return lines.joined(separator: "\n")
    }

    // MARK: Guards

    /// The first C0 control character other than tab, newline and carriage return.
    static func firstControlCharacter(in text: String) -> (line: Int, column: Int, code: UInt32)? {
        var line = 1, column = 1
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" || scalar.value == 0x7F {
                return (line, column, scalar.value)
            }
            if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return nil
    }

    /// The line at which nesting first exceeds `limit`, by a conservative estimate: indentation,
    /// plus `- `/`? ` markers starting a line, plus open flow brackets. Nil when the file is shallow.
    /// Reads UTF-8 bytes: every character it looks for is ASCII, which no multi-byte character contains.
    static func deepestNesting(in text: String, limit: Int) -> Int? {
        var lineNumber = 0
        var flowDepth = 0
        for line in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var indent = 0
            var markers = 0
            var index = line.startIndex
            var atLineStart = true
            var quote: UInt8?
            scan: while index < line.endIndex {
                let byte = line[index]
                let next = line.index(after: index)
                if let open = quote {
                    if byte == open { quote = nil }
                } else if atLineStart && byte == 0x20 {
                    indent += 1
                } else if atLineStart && (byte == 0x2D || byte == 0x3F), next == line.endIndex || line[next] == 0x20 {
                    markers += 1
                } else {
                    atLineStart = false
                    switch byte {
                    case 0x23: break scan
                    case 0x22, 0x27: quote = byte
                    case 0x5B, 0x7B:
                        flowDepth += 1
                        if flowDepth > limit { return lineNumber }
                    case 0x5D, 0x7D: flowDepth = max(0, flowDepth - 1)
                    default: break
                    }
                }
                index = next
            }
            if indent + markers + flowDepth > limit * 4 || markers + flowDepth > limit { return lineNumber }
        }
        return nil
    }

    static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: file, line: max(1, mark.line), column: max(1, mark.column))
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at \(context.mark.line):\(context.mark.column))" }
            return .error(at: at(mark), message, hint: hint(forProblem: problem))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .error(at: at(context.mark), "duplicate key '\(duplicates.joined(separator: "', '"))' in a mapping",
                          hint: "each key may appear once; remove or merge the repeated one")
        case .reader(let problem, _, _, _):
            return .error(at: .file(file), "unreadable YAML: \(problem)")
        default:
            return .error(at: .file(file), "the file is not valid YAML")
        }
    }

    private static func hint(forProblem problem: String) -> String? {
        if problem.contains("tab") { return "indent with spaces; YAML does not allow tabs for indentation" }
        if problem.contains("mapping values are not allowed") {
            return "a value containing ': ' must be quoted, or a key is indented wrongly"
        }
        if problem.contains("undefined alias") { return "define the anchor (&name) before using the alias (*name)" }
        if problem.contains("expected a single document") { return "a file holds one document; remove the extra `---`" }
        return nil
    }
}

/// Converts Yams nodes into ``YAMLValue``s, applying `<<` merge keys and counting nodes so that
/// alias expansion cannot run away.
private struct Converter {
    let file: String
    var budget: Int
    var exhausted = false
    var diagnostics: [Diagnostic] = []

    init(file: String, budget: Int) {
        self.file = file
        self.budget = budget
    }

    func location(_ mark: Mark?) -> SourceLocation {
        guard let mark else { return .file(file) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    mutating func convert(_ node: Node) -> YAMLValue {
        budget -= 1
        if budget < 0 {
            exhausted = true
            return YAMLValue(.null, at: location(node.mark))
        }
        switch node {
        case .scalar(let scalar):
            return YAMLValue(Self.scalarKind(scalar), at: location(scalar.mark))
        case .sequence(let sequence):
            var items: [YAMLValue] = []
            items.reserveCapacity(sequence.count)
            for item in sequence where !exhausted { items.append(convert(item)) }
            return YAMLValue(.sequence(items), at: location(sequence.mark))
        case .mapping(let mapping):
            var entries: [YAMLEntry] = []
            var merged: [YAMLEntry] = []
            for (key, value) in mapping where !exhausted {
                // `<<`, plain: parsing resolved no tags, so the merge key is recognised by its text.
                if case .scalar(let keyScalar) = key, keyScalar.string == "<<", keyScalar.style == .plain || keyScalar.style == .any {
                    merged += mergeEntries(convert(value))
                    continue
                }
                let keyText: String
                switch key {
                case .scalar(let keyScalar) where keyScalar.string.hasPrefix(YAMLLoader.duplicatePrefix): continue
                case .scalar(let keyScalar): keyText = keyScalar.string
                default:
                    diagnostics.append(.error(at: location(key.mark), "a mapping key must be a plain value, not a list or mapping"))
                    continue
                }
                entries.append(YAMLEntry(key: keyText, keyLocation: location(key.mark), value: convert(value)))
            }
            // Keys written in the mapping win over merged ones, as YAML's merge key specifies.
            let own = Set(entries.map(\.key))
            var seen = Set<String>()
            for entry in merged where !own.contains(entry.key) && seen.insert(entry.key).inserted {
                entries.append(entry)
            }
            return YAMLValue(.mapping(entries), at: location(mapping.mark))
        case .alias(let alias):
            return YAMLValue(.null, at: location(alias.mark))
        }
    }

    /// `<<: *a` or `<<: [*a, *b]`: the entries to merge, earlier sources first.
    mutating func mergeEntries(_ value: YAMLValue) -> [YAMLEntry] {
        switch value.kind {
        case .mapping(let entries): return entries
        case .sequence(let items): return items.flatMap { $0.entries ?? [] }
        default:
            diagnostics.append(.error(at: value.location, "a merge key (<<) needs a mapping or a list of mappings"))
            return []
        }
    }

    static func scalarKind(_ scalar: Node.Scalar) -> YAMLValue.Kind {
        let text = scalar.string
        let typed: Node.Scalar
        if scalar.tag.description == Tag.Name.implicit.rawValue {
            // Untagged: quoted text is a string; plain text is typed as YAML 1.1 types it.
            guard scalar.style == .plain || scalar.style == .any, mayBeTyped(text) else { return .string(text) }
            typed = Node.Scalar(text, Tag(YAMLScalarTyping.tagName(of: text), YAMLLoader.resolver, YAMLLoader.constructor), .plain)
        } else {
            typed = scalar
        }
        switch Node.scalar(typed).tag.rawValue {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue: return .bool(Bool.construct(from: typed) ?? false)
        case Tag.Name.int.rawValue:
            if let value = Int.construct(from: typed) { return .integer(value) }
            return .string(text)
        case Tag.Name.float.rawValue:
            if let value = Double.construct(from: typed) { return .number(value) }
            return .string(text)
        default:
            return .string(text)
        }
    }

    /// Whether plain text could be a null, a boolean or a number: empty, or starting as one of
    /// them does (`~`, `null`, `yes`/`no`/`on`/`off`/`true`/`false`, a digit, a sign or a dot).
    static func mayBeTyped(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return true }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "~"),
             UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "t"), UInt8(ascii: "T"),
             UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            return true
        default:
            return false
        }
    }
}
