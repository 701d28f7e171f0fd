import Foundation

/// Plan nodes that come by the thousand (models, tests, input files) write their canonical JSON
/// themselves, straight to bytes, instead of through `encode(to:)` and a ``JSONTree``: on a
/// 10,000-model plan that tree was most of the encoding time. Arrays of them are written on every
/// core once they are long enough.
///
/// A conformance must write exactly what its `Encodable` conformance would, keys in UTF-8 byte
/// order and absent optionals left out; `CanonicalJSONEncoderTests` holds the two together with
/// every field set and unset, and debug builds check the key order as it is written.
protocol CanonicalJSONWritable: Encodable, Sendable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int)
}

/// An array the encoder keeps as it is, to write its elements directly when the tree is written.
protocol DirectlyWrittenArray: Sendable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int)
}

extension Array: DirectlyWrittenArray where Element: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        writer.writeArray(count: count, depth: depth) { writer in
            if count >= 1024 {
                writeConcurrently(to: &writer, depth: depth)
            } else {
                for index in indices { Self.writeItem(self[index], at: index, to: &writer, depth: depth) }
            }
        }
    }

    private static func writeItem(_ item: Element, at index: Int, to writer: inout CanonicalJSONWriter, depth: Int) {
        writer.startItem(index, depth: depth)
        item.write(to: &writer, depth: depth + 1)
    }

    /// The items in runs, each written by its own writer on its own thread, then joined in order.
    private func writeConcurrently(to writer: inout CanonicalJSONWriter, depth: Int) {
        let runs = concurrentRuns(over: count)
        let pieces = TakeOnceSlots<(bytes: [UInt8], flagged: Bool)>(count: runs.count)
        let start = writer.pieceWriter()
        DispatchQueue.concurrentPerform(iterations: runs.count) { run in
            var piece = start
            // About 900 bytes a model; reserving spares most of the regrowth copies.
            piece.bytes.reserveCapacity(runs[run].count * 1024)
            for index in runs[run] { Self.writeItem(self[index], at: index, to: &piece, depth: depth) }
            pieces.put((piece.allBytes, piece.flagged), at: run)
        }
        let written = runs.indices.map { pieces.take($0) ?? ([], false) }
        writer.append(pieces: written.map(\.bytes), flagged: written.contains { $0.flagged })
    }
}

/// One object being written: its fields must come in UTF-8 byte order of their keys.
struct CanonicalObject {
    let depth: Int
    var fields = 0
    #if DEBUG
    var lastKey = ""
    #endif
}

extension CanonicalJSONWriter {
    mutating func openObject(depth: Int) -> CanonicalObject {
        bytes.append(0x7B)
        return CanonicalObject(depth: depth)
    }

    mutating func close(_ object: CanonicalObject) {
        if object.fields == 0 {
            closeEmpty(depth: object.depth, with: 0x7D)
        } else {
            newline(object.depth)
            bytes.append(0x7D)
        }
    }

    /// Starts a field: the separator, the indentation and `"key" : `. The value is written next.
    mutating func key(_ key: StaticString, in object: inout CanonicalObject) {
        #if DEBUG
        let text = key.description
        assert(object.fields == 0 || Self.precedes(object.lastKey, text), "'\(text)' written after '\(object.lastKey)'")
        object.lastKey = text
        #endif
        if object.fields > 0 { bytes.append(0x2C) }
        object.fields += 1
        newline(object.depth + 1)
        bytes.append(0x22)
        key.withUTF8Buffer {
            noteKey($0)
            bytes.append(contentsOf: $0)
        }
        Self.afterKey.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private static let afterKey: StaticString = "\" : "

    mutating func field(_ key: StaticString, _ value: String, in object: inout CanonicalObject) {
        self.key(key, in: &object)
        writeString(value)
    }

    /// Left out when nil, as `encodeIfPresent` does.
    mutating func field(_ key: StaticString, _ value: String?, in object: inout CanonicalObject) {
        guard let value else { return }
        field(key, value, in: &object)
    }

    /// An integer as `JSONEncoder` writes it; nothing when nil.
    mutating func field(_ key: StaticString, _ value: Int?, in object: inout CanonicalObject) {
        guard let value else { return }
        self.key(key, in: &object)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// `true` or `false`; nothing when nil.
    mutating func field(_ key: StaticString, _ value: Bool?, in object: inout CanonicalObject) {
        guard let value else { return }
        self.key(key, in: &object)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func field<Value: CanonicalJSONWritable>(_ key: StaticString, _ value: Value, in object: inout CanonicalObject) {
        self.key(key, in: &object)
        value.write(to: &self, depth: object.depth + 1)
    }

    mutating func field<Element: CanonicalJSONWritable>(_ key: StaticString, _ values: [Element], in object: inout CanonicalObject) {
        self.key(key, in: &object)
        values.write(to: &self, depth: object.depth + 1)
    }
}

/// So that lists of strings (`depends_on`, `tags`, hooks) are written by the same array code.
extension String: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        writer.writeString(self)
    }
}

extension InputFile: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("path", path, in: &object)
        writer.field("sha256", sha256, in: &object)
        writer.close(object)
    }
}
