import Foundation

/// Encodes floe's files (the plan, run results) as canonical JSON: pretty-printed with two
/// spaces, `"key" : value`, object keys sorted by their UTF-8 bytes, `/` unescaped. These are the
/// bytes Foundation's `JSONEncoder` writes with `[.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes]` (a test holds the two together), written faster: plans of large
/// projects are megabytes.
///
/// Values encode through their `Encodable` conformances into a small tree, which is then written
/// out once; arrays of the nodes a plan holds by the thousand skip the tree and write themselves
/// (``CanonicalJSONWritable``). `Data` encodes as Base64, `Date` as seconds since 2001 and `URL` as its text, as
/// `JSONEncoder` does by default; NaN and infinities are refused.
public struct CanonicalJSONEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> Data {
        try encode(value, trailingNewline: false, inspecting: nil).document.data
    }

    /// The bytes, with a line break after them when `trailingNewline` is set (as files end). Runs
    /// `inspector`, if any, over every string value as it is written (on whichever thread writes
    /// it), and says whether it flagged any: a check of the whole document that costs no second
    /// pass over its text.
    public func encode<T: Encodable>(_ value: T, trailingNewline: Bool,
                                     inspecting inspector: JSONStringInspector?) throws -> (document: EncodedDocument, flagged: Bool) {
        var writer = CanonicalJSONWriter()
        writer.inspector = inspector
        writer.write(try TreeEncoder.tree(for: value, parent: nil, key: nil), depth: 0)
        if trailingNewline { writer.bytes.append(0x0A) }
        return (writer.document, writer.flagged)
    }
}

/// A check run over the string values of a document as it is encoded.
public struct JSONStringInspector: Sendable {
    /// Values of these keys are not checked (hashes the writer of the document made itself).
    let skippedKeys: [[UInt8]]
    /// True for a string to flag; it gets the string's UTF-8 bytes, unescaped.
    let flags: @Sendable (UnsafeBufferPointer<UInt8>) -> Bool

    /// Bit n set when a skipped key is n bytes long (n < 64): most keys are rejected by length.
    let skippedLengths: UInt64

    public init(skippingKeys: Set<String>, flags: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> Bool) {
        skippedKeys = skippingKeys.sorted().map { Array($0.utf8) }
        skippedLengths = skippedKeys.reduce(0) { $1.count < 64 ? $0 | (1 << UInt64($1.count)) : $0 }
        self.flags = flags
    }

    /// Runs for every key written, so it compares lengths before bytes.
    func skips(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        if key.count < 64, skippedLengths & (1 << UInt64(key.count)) == 0 { return false }
        for skipped in skippedKeys where skipped.count == key.count {
            if skipped.withUnsafeBufferPointer({ memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }) { return true }
        }
        return false
    }
}

/// An encoded value before it is written. Objects and arrays are classes: a container handed out
/// by an encoder keeps filling the same node after the call that made it has returned.
enum JSONTree {
    case null
    case bool(Bool)
    /// A number, already formatted.
    case number(String)
    case string(String)
    case array(JSONArrayNode)
    case object(JSONObjectNode)
    /// Models, tests and other nodes written straight to bytes (see ``CanonicalJSONWritable``).
    case direct(any DirectlyWrittenArray)
}

final class JSONArrayNode {
    var items: [JSONTree] = []
}

final class JSONObjectNode {
    var entries: [(key: String, value: JSONTree)] = []
}

/// Writes a ``JSONTree`` in the canonical layout.
struct CanonicalJSONWriter {
    /// What is being written now; it follows `chunks`.
    var bytes: [UInt8] = []
    /// Checks each string value written, until one is flagged.
    var inspector: JSONStringInspector?
    private(set) var flagged = false
    /// Whether the key just written is one whose value the inspector skips.
    private var skippingValue = false
    /// What was written before `bytes`, in order: the pieces written on other threads stay as
    /// they are, so that a 12 MB plan is not copied at every join (``EncodedDocument`` writes
    /// them to the file one after another). Fresh memory costs a page fault per page, which on a
    /// VM was a third of encoding a plan.
    private var chunks: [[UInt8]] = []

    /// Adds pieces written by other writers after what this one has written.
    mutating func append(pieces: [[UInt8]], flagged piecesFlagged: Bool) {
        if !bytes.isEmpty { chunks.append(bytes) }
        chunks += pieces
        bytes = []
        flagged = flagged || piecesFlagged
    }

    /// A writer for a piece of this one's output, written on another thread: it inspects the same way.
    func pieceWriter() -> CanonicalJSONWriter {
        var writer = CanonicalJSONWriter()
        writer.inspector = inspector
        return writer
    }

    /// Called with each key as it is written, so the inspector knows whether its value is skipped.
    mutating func noteKey(_ key: UnsafeBufferPointer<UInt8>) {
        // Through the optional, not bound to a copy: a copy retains the inspector's parts, which
        // every writing thread shares.
        if let skips = inspector?.skips(key) { skippingValue = skips }
    }

    /// Everything written, as one array (for a piece that another writer takes in).
    var allBytes: [UInt8] {
        chunks.isEmpty ? bytes : chunks.reduce(into: []) { $0 += $1 } + bytes
    }

    /// Everything written, in the pieces it was written in.
    var document: EncodedDocument {
        EncodedDocument(pieces: chunks + [bytes])
    }

    mutating func write(_ tree: JSONTree, depth: Int) {
        switch tree {
        case .null: append("null")
        case .bool(let value): append(value ? "true" : "false")
        case .number(let text): append(text)
        case .string(let text): writeString(text)
        case .array(let node):
            writeArray(count: node.items.count, depth: depth) { writer in
                for index in node.items.indices {
                    writer.startItem(index, depth: depth)
                    writer.write(node.items[index], depth: depth + 1)
                }
            }
        case .object(let node):
            bytes.append(0x7B)
            let entries = Self.sorted(node.entries)
            if entries.isEmpty {
                closeEmpty(depth: depth, with: 0x7D)
                return
            }
            for index in entries.indices {
                if index > 0 { bytes.append(0x2C) }
                newline(depth + 1)
                var key = entries[index].key
                key.withUTF8 {
                    noteKey($0)
                    writeEscaped($0)
                }
                bytes.append(0x20)
                bytes.append(0x3A)
                bytes.append(0x20)
                write(entries[index].value, depth: depth + 1)
            }
            newline(depth)
            bytes.append(0x7D)
        case .direct(let array):
            array.write(to: &self, depth: depth)
        }
    }

    /// Keys in UTF-8 byte order; a key encoded twice keeps its last value. Objects are small, so
    /// a stable insertion sort in place.
    private static func sorted(_ entries: [(key: String, value: JSONTree)]) -> [(key: String, value: JSONTree)] {
        var ordered = entries
        var index = 1
        while index < ordered.count {
            var position = index
            while position > 0, precedes(ordered[index].key, ordered[position - 1].key) { position -= 1 }
            if position < index {
                let entry = ordered.remove(at: index)
                ordered.insert(entry, at: position)
            }
            index += 1
        }
        index = ordered.count - 1
        while index > 0 {
            if ordered[index - 1].key == ordered[index].key { ordered.remove(at: index - 1) }
            index -= 1
        }
        return ordered
    }

    /// Byte order of the UTF-8 texts.
    static func precedes(_ first: String, _ second: String) -> Bool {
        var first = first, second = second
        return first.withUTF8 { a in
            second.withUTF8 { b in
                let common = min(a.count, b.count)
                if common > 0, let left = a.baseAddress, let right = b.baseAddress {
                    let order = memcmp(left, right, common)
                    if order != 0 { return order < 0 }
                }
                return a.count < b.count
            }
        }
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func newline(_ depth: Int) {
        let width = depth * 2
        Self.lineStart.withUTF8Buffer { line in
            if width < line.count {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: line[...width]))
            } else {
                bytes.append(0x0A)
                bytes.append(contentsOf: repeatElement(0x20, count: width))
            }
        }
    }

    /// A line break and the spaces of the deepest indentation plans reach, to slice from
    /// (a static string: slicing it retains nothing).
    private static let lineStart: StaticString = "\n                                "

    /// An array of `count` items: `[`, what `writeItems` writes (each item begun with
    /// ``startItem(_:depth:)``), then `]` on its own line; an empty array as `closeEmpty` writes it.
    mutating func writeArray(count: Int, depth: Int, _ writeItems: (inout CanonicalJSONWriter) -> Void) {
        bytes.append(0x5B)
        guard count > 0 else {
            closeEmpty(depth: depth, with: 0x5D)
            return
        }
        writeItems(&self)
        newline(depth)
        bytes.append(0x5D)
    }

    /// The comma after the previous item, and the new item's line one level below the array's.
    mutating func startItem(_ index: Int, depth: Int) {
        if index > 0 { bytes.append(0x2C) }
        newline(depth + 1)
    }

    /// `[]` and `{}` as JSONEncoder pretty-prints them: an empty line, then the closing bracket.
    mutating func closeEmpty(depth: Int, with bracket: UInt8) {
        bytes.append(0x0A)
        newline(depth)
        bytes.append(bracket)
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// A string value: checked by the inspector, if any, then written.
    mutating func writeString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            if inspector != nil, !flagged {
                if skippingValue {
                    skippingValue = false
                } else {
                    flagged = inspector?.flags(utf8) ?? false
                }
            }
            writeEscaped(utf8)
        }
    }

    /// A string in quotes, escaped as JSON requires.
    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(0x22)
        var start = 0
        var index = 0
        let count = utf8.count
        while index < count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else {
                index += 1
                continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
            bytes.append(0x5C)
            switch byte {
            case 0x22, 0x5C: bytes.append(byte)
            case 0x0A: bytes.append(0x6E)
            case 0x0D: bytes.append(0x72)
            case 0x09: bytes.append(0x74)
            case 0x08: bytes.append(0x62)
            case 0x0C: bytes.append(0x66)
            default:
                append("u00")
                Self.hexDigits.withUTF8Buffer { digits in
                    bytes.append(digits[Int(byte >> 4)])
                    bytes.append(digits[Int(byte & 0xF)])
                }
            }
            index += 1
            start = index
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<count]))
        bytes.append(0x22)
    }
}

/// `0..<count` cut into about two runs per core, none shorter than 256 items.
func concurrentRuns(over count: Int) -> [Range<Int>] {
    let runs = max(1, min(ProcessInfo.processInfo.activeProcessorCount * 2, count / 256))
    return (0..<runs).map { ($0 * count / runs)..<(($0 + 1) * count / runs) }
}

/// The `Encoder` values encode themselves into. One per nested value; the coding path is kept as
/// a parent link and only put together when somebody asks for it.
final class TreeEncoder: Encoder {
    let parent: TreeEncoder?
    let key: (any CodingKey)?
    /// The path above the root encoder, for an element of an array encoded on another thread.
    let prefix: [any CodingKey]
    var result: JSONTree?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(parent: TreeEncoder?, key: (any CodingKey)?, prefix: [any CodingKey] = []) {
        self.parent = parent
        self.key = key
        self.prefix = prefix
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var encoder: TreeEncoder? = self
        var root = self
        while let current = encoder {
            if let key = current.key { path.append(key) }
            root = current
            encoder = current.parent
        }
        return root.prefix + path.reversed()
    }

    /// The tree for `value`: scalars directly, everything else through its `encode(to:)`.
    static func tree<T: Encodable>(for value: T, parent: TreeEncoder?, key: (any CodingKey)?) throws -> JSONTree {
        // Type comparisons, not `as?` casts: this runs for every value of a 12 MB plan.
        if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return .number(String(unsafeBitCast(value, to: Int.self))) }
        if T.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
        if T.self == Double.self { return try format(unsafeBitCast(value, to: Double.self), parent: parent, key: key) }
        if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
        if T.self == Date.self { return try format((value as! Date).timeIntervalSinceReferenceDate, parent: parent, key: key) }
        if T.self == URL.self { return .string((value as! URL).absoluteString) }
        if let array = directlyWritten(value) { return .direct(array) }
        #if DEBUG
        // Every array that writes itself must be in `directlyWritten`'s list.
        assert(!(value is any DirectlyWrittenArray), "\(T.self) writes itself: add it to TreeEncoder.directlyWritten")
        #endif
        let encoder = TreeEncoder(parent: parent, key: key)
        try value.encode(to: encoder)
        return encoder.result ?? .object(JSONObjectNode())
    }

    /// The value as an array that writes itself, found by comparing types: an `as?` cast to the
    /// protocol searched the whole binary's conformance records once for every type encoded,
    /// which was a tenth of compiling a small project.
    static func directlyWritten<T>(_ value: T) -> (any DirectlyWrittenArray)? {
        if T.self == [CompiledModel].self { return value as! [CompiledModel] }
        if T.self == [CompiledTest].self { return value as! [CompiledTest] }
        if T.self == [InputFile].self { return value as! [InputFile] }
        if T.self == [ColumnSpec].self { return value as! [ColumnSpec] }
        if T.self == [Relation].self { return value as! [Relation] }
        if T.self == [String].self { return value as! [String] }
        return nil
    }

    /// Swift's shortest round-tripping text, without a trailing `.0`, as JSONEncoder writes it.
    static func format(_ number: Double, parent: TreeEncoder?, key: (any CodingKey)?) throws -> JSONTree {
        guard number.isFinite else {
            var path = parent?.codingPath ?? []
            if let key { path.append(key) }
            throw EncodingError.invalidValue(number, EncodingError.Context(
                codingPath: path, debugDescription: "\(number) is not a valid JSON number"))
        }
        var text = number.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object(let node)? = result { return KeyedEncodingContainer(KeyedContainer(encoder: self, node: node)) }
        let node = JSONObjectNode()
        result = .object(node)
        return KeyedEncodingContainer(KeyedContainer(encoder: self, node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array(let node)? = result { return UnkeyedContainer(encoder: self, node: node) }
        let node = JSONArrayNode()
        result = .array(node)
        return UnkeyedContainer(encoder: self, node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: TreeEncoder
        let node: JSONObjectNode
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil(forKey key: Key) throws { node.entries.append((key.stringValue, .null)) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { node.entries.append((key.stringValue, .bool(value))) }
        mutating func encode(_ value: String, forKey key: Key) throws { node.entries.append((key.stringValue, .string(value))) }
        mutating func encode(_ value: Int, forKey key: Key) throws { node.entries.append((key.stringValue, .number(String(value)))) }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            node.entries.append((key.stringValue, try TreeEncoder.tree(for: value, parent: encoder, key: key)))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let child = JSONObjectNode()
            node.entries.append((key.stringValue, .object(child)))
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: TreeEncoder(parent: encoder, key: key), node: child))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = JSONArrayNode()
            node.entries.append((key.stringValue, .array(child)))
            return UnkeyedContainer(encoder: TreeEncoder(parent: encoder, key: key), node: child)
        }

        mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            let child = ReferencingEncoder(parent: encoder, key: key) { [node] tree in node.entries.append((key.stringValue, tree)) }
            return child
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let encoder: TreeEncoder
        let node: JSONArrayNode
        var codingPath: [any CodingKey] { encoder.codingPath }
        var count: Int { node.items.count }

        private var nextKey: IndexKey { IndexKey(intValue: node.items.count) }

        mutating func encodeNil() throws { node.items.append(.null) }
        mutating func encode(_ value: Bool) throws { node.items.append(.bool(value)) }
        mutating func encode(_ value: String) throws { node.items.append(.string(value)) }
        mutating func encode(_ value: Int) throws { node.items.append(.number(String(value))) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            node.items.append(try TreeEncoder.tree(for: value, parent: encoder, key: nextKey))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = JSONObjectNode()
            let key = nextKey
            node.items.append(.object(child))
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: TreeEncoder(parent: encoder, key: key), node: child))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = JSONArrayNode()
            let key = nextKey
            node.items.append(.array(child))
            return UnkeyedContainer(encoder: TreeEncoder(parent: encoder, key: key), node: child)
        }

        mutating func superEncoder() -> any Encoder {
            let position = node.items.count
            node.items.append(.null)
            return ReferencingEncoder(parent: encoder, key: IndexKey(intValue: position)) { [node] tree in node.items[position] = tree }
        }
    }

    struct SingleValueContainer: SingleValueEncodingContainer {
        let encoder: TreeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil() throws { encoder.result = .null }
        mutating func encode(_ value: Bool) throws { encoder.result = .bool(value) }
        mutating func encode(_ value: String) throws { encoder.result = .string(value) }
        mutating func encode(_ value: Int) throws { encoder.result = .number(String(value)) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            encoder.result = try TreeEncoder.tree(for: value, parent: encoder.parent, key: encoder.key)
        }
    }

    struct IndexKey: CodingKey {
        var intValue: Int?
        var stringValue: String { "Index \(intValue ?? 0)" }
        init(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { nil }
    }
}

/// The encoder `superEncoder()` hands out: whatever is encoded into it lands in its parent's
/// container when it is done, which is when it goes away.
final class ReferencingEncoder: Encoder {
    private let inner: TreeEncoder
    private let store: (JSONTree) -> Void

    init(parent: TreeEncoder, key: any CodingKey, store: @escaping (JSONTree) -> Void) {
        inner = TreeEncoder(parent: parent, key: key)
        self.store = store
    }

    deinit { store(inner.result ?? .object(JSONObjectNode())) }

    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> { inner.container(keyedBy: type) }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { inner.unkeyedContainer() }
    func singleValueContainer() -> any SingleValueEncodingContainer { inner.singleValueContainer() }
}
