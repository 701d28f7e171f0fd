import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Rows written as a JSON Lines file that Spark reads in one statement: a temporary view over
/// the file with every column as text, then one `insert … select` casting each to the table's
/// type. JSON keeps a null apart from an empty string, and a line break inside a value, which
/// CSV does not. The directory must be where the cluster's executors see it under the same path
/// (on one machine, any local directory).
struct SparkStage: Sendable {
    let directory: String

    /// Loads `rows` into `relation`'s `columns` (name and Spark type); returns how many there were.
    /// `execute` runs a statement on the caller's session.
    func load(_ rows: some Sequence<[SQLValue]>, into relation: Relation, columns: [(name: String, type: String)],
              dialect: SparkDialect, execute: (String) throws -> Void) throws -> Int {
        let name = "floe_stage_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let file = URL(fileURLWithPath: directory).appendingPathComponent(name + ".json")
        let count: Int
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            count = try Self.write(rows, columns: columns.count, to: file)
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.statement, "cannot stage rows for \(relation) in \(directory): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: file) }
        guard count > 0 else { return 0 }
        let view = dialect.quoteIdentifier(name)
        let fields = columns.indices.map { "c\($0) string" }.joined(separator: ", ")
        try execute("create or replace temporary view \(view) (\(fields)) using json options (path \(dialect.stringLiteral(file.path)))")
        defer { try? execute("drop view if exists \(view)") }
        let values = columns.enumerated().map { index, column in
            let lowered = column.type.lowercased()
            return lowered == "string" ? "c\(index)" : lowered == "binary" ? "unhex(c\(index))" : "cast(c\(index) as \(column.type))"
        }
        try execute("insert into \(dialect.relation(relation)) (\(dialect.columnList(columns.map(\.name))))\n"
            + "select \(values.joined(separator: ", ")) from \(view)")
        return count
    }

    /// Writes one JSON object per row, its values as strings under the keys `c0`, `c1`, …;
    /// returns the number of rows.
    private static func write(_ rows: some Sequence<[SQLValue]>, columns: Int, to file: URL) throws -> Int {
        guard FileManager.default.createFile(atPath: file.path, contents: nil), let handle = try? FileHandle(forWritingTo: file) else {
            throw EngineError(.statement, "cannot create the staging file \(file.path)")
        }
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var count = 0
        for row in rows {
            buffer.append(UInt8(ascii: "{"))
            for (index, value) in row.prefix(columns).enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                buffer += Array("\"c\(index)\":".utf8)
                switch value {
                case .null: buffer += Array("null".utf8)
                case .integer(let number): appendString(String(number), to: &buffer)
                case .real(let number): appendString(number.isFinite ? "\(number)" : number.isNaN ? "NaN" : number > 0 ? "Infinity" : "-Infinity", to: &buffer)
                case .text(let text): appendString(text, to: &buffer)
                case .blob(let bytes): appendString(Hex.string(bytes), to: &buffer)
                }
            }
            buffer += Array("}\n".utf8)
            count += 1
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
        return count
    }

    /// A JSON string: quotes, backslashes and control characters escaped.
    private static func appendString(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\\"): buffer += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\n"): buffer += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): buffer += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): buffer += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: buffer += Array(String(format: "\\u%04x", Int(byte)).utf8)
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
