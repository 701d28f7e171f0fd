import FloeEngine
import Foundation

/// Rows as an aligned text table, RFC 4180 CSV, or a JSON array of objects.
enum RowFormatter {
    static func table(_ rows: ResultSet) -> String {
        let cells = rows.rows.map { $0.map { $0.displayText ?? "null" } }
        var widths = rows.columns.map(\.count)
        for row in cells {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ values: [String], numeric: [Bool]) -> String {
            values.enumerated().map { index, value in
                let padding = String(repeating: " ", count: widths[index] - value.count)
                return numeric[index] ? padding + value : value + padding
            }.joined(separator: " | ")
        }
        let numeric = rows.columns.indices.map { index in
            !rows.rows.isEmpty && rows.rows.allSatisfy {
                switch $0[index] { case .integer, .real, .null: true; default: false }
            }
        }
        var output = [line(rows.columns, numeric: Array(repeating: false, count: widths.count)),
                      widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")]
        output += cells.map { line($0, numeric: numeric) }
        output.append("(\(rows.rows.count) row\(rows.rows.count == 1 ? "" : "s"))")
        return output.joined(separator: "\n") + "\n"
    }

    static func csv(_ rows: ResultSet) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let lines = [rows.columns.map(field).joined(separator: ",")]
            + rows.rows.map { $0.map { field($0.displayText ?? "") }.joined(separator: ",") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ rows: ResultSet) -> String {
        func literal(_ value: SQLValue) -> String {
            switch value {
            case .null: return "null"
            case .integer(let number): return String(number)
            case .real(let number): return number.isFinite ? String(number) : "null"
            case .text(let text): return quoted(text)
            case .blob: return quoted(value.displayText ?? "")
            }
        }
        let objects = rows.rows.map { row in
            "  {" + zip(rows.columns, row).map { "\(quoted($0)): \(literal($1))" }.joined(separator: ", ") + "}"
        }
        return objects.isEmpty ? "[]\n" : "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    private static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data()
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}
