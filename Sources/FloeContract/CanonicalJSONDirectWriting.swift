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

extension Relation: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("name", name, in: &object)
        writer.field("schema", schema, in: &object)
        writer.close(object)
    }
}

extension ColumnSpec: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("description", description, in: &object)
        writer.field("name", name, in: &object)
        writer.field("type", type, in: &object)
        writer.close(object)
    }
}

extension ModelIndex: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("columns", columns, in: &object)
        writer.field("unique", unique, in: &object)
        writer.close(object)
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

extension CompiledModel: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("columns", columns, in: &object)
        writer.field("depends_on", dependsOn, in: &object)
        writer.field("description", description, in: &object)
        writer.field("fingerprint", fingerprint, in: &object)
        writer.field("incremental_sql", incrementalSQL, in: &object)
        writer.field("incremental_strategy", incrementalStrategy?.rawValue, in: &object)
        if let indexes { writer.field("indexes", indexes, in: &object) }
        writer.field("materialized", materialized.rawValue, in: &object)
        if let microbatch { writer.field("microbatch", microbatch, in: &object) }
        writer.field("name", name, in: &object)
        writer.field("on_schema_change", onSchemaChange, in: &object)
        writer.field("path", path, in: &object)
        writer.field("post_hooks", postHooks, in: &object)
        writer.field("pre_hooks", preHooks, in: &object)
        writer.field("relation", relation, in: &object)
        writer.field("render_at_apply", renderAtApply, in: &object)
        if let snapshot { writer.field("snapshot", snapshot, in: &object) }
        writer.field("sql", sql, in: &object)
        writer.field("tags", tags, in: &object)
        writer.field("unique_id", uniqueID, in: &object)
        writer.field("unique_key", uniqueKey, in: &object)
        writer.close(object)
    }
}

extension MicrobatchConfig: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("batch_size", batchSize, in: &object)
        writer.field("begin", begin, in: &object)
        writer.field("event_time", eventTime, in: &object)
        writer.field("lookback", lookback, in: &object)
        writer.close(object)
    }
}

extension DbtSnapshotConfig: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        if let checkColumns { writer.field("check_cols", checkColumns, in: &object) }
        writer.field("column_names", columnNames, in: &object)
        writer.field("hard_deletes", hardDeletes, in: &object)
        writer.field("strategy", strategy, in: &object)
        writer.field("updated_at", updatedAt, in: &object)
        writer.field("valid_to_current", validToCurrent, in: &object)
        writer.close(object)
    }
}

extension DbtSnapshotConfig.ColumnNames: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("dbt_is_deleted", isDeleted, in: &object)
        writer.field("dbt_scd_id", scdID, in: &object)
        writer.field("dbt_updated_at", updatedAt, in: &object)
        writer.field("dbt_valid_from", validFrom, in: &object)
        writer.field("dbt_valid_to", validTo, in: &object)
        writer.close(object)
    }
}

extension CompiledTest: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("attached_node", attachedNode, in: &object)
        writer.field("column", column, in: &object)
        writer.field("depends_on", dependsOn, in: &object)
        writer.field("error_if", errorIf, in: &object)
        writer.field("limit", limit, in: &object)
        writer.field("name", name, in: &object)
        writer.field("render_at_apply", renderAtApply, in: &object)
        writer.field("severity", severity.rawValue, in: &object)
        writer.field("sql", sql, in: &object)
        writer.field("store_failures", storeFailures, in: &object)
        writer.field("tags", tags, in: &object)
        writer.field("test_name", testName, in: &object)
        writer.field("unique_id", uniqueID, in: &object)
        writer.field("warn_if", warnIf, in: &object)
        writer.close(object)
    }
}
