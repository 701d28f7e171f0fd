/// RFC 4180 CSV: comma-separated, `"` quotes with `""` inside, CRLF or LF line ends.
/// Used by the compiler to infer seed types and by the executor to load them.
public enum CSVReader {
    public enum Failure: Error, Equatable {
        case empty
        case unterminatedQuote(line: Int)
    }

    /// One record's fields, valid only during the callback that receives it: the bytes live in
    /// buffers reused from record to record, so reading a large file allocates almost nothing.
    public struct Record {
        fileprivate var bytes: [UInt8] = []
        fileprivate var ends: [Int] = []

        public var count: Int { ends.count }

        /// Field `index`, unquoted.
        public subscript(index: Int) -> ArraySlice<UInt8> {
            bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
        }

        /// A blank line reads as one empty field.
        public var isBlank: Bool { ends.count == 1 && ends[0] == 0 }
    }

    /// dbt's null values for seed fields (agate's `null_values=("null", "")`, compared trimmed
    /// and lower-cased): an empty or blank field, or `null` in any case. `NA` stays a value.
    public static func isNull(_ field: ArraySlice<UInt8>) -> Bool {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let start = field.firstIndex(where: { !blank($0) }), let end = field.lastIndex(where: { !blank($0) }) else {
            return true
        }
        let trimmed = field[start...end]
        return trimmed.count == 4 && trimmed.map { $0 | 0x20 }.elementsEqual("null".utf8)
    }

    /// Every record as strings.
    public static func rows(_ text: String) throws(Failure) -> [[String]] {
        var rows: [[String]] = []
        try forEachRecord(Array(text.utf8)) { record in
            rows.append((0..<record.count).map { String(decoding: record[$0], as: UTF8.self) })
        }
        if rows.isEmpty { throw .empty }
        return rows
    }

    /// Calls `body` with each record in order.
    public static func forEachRecord(_ bytes: [UInt8], _ body: (borrowing Record) -> Void) throws(Failure) {
        var record = Record()
        var inQuotes = false
        var line = 1
        var quoteLine = 1
        var fieldStarted = false
        // A UTF-8 byte order mark (spreadsheet exports write one) is not part of the first column's name.
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < count, bytes[index + 1] == UInt8(ascii: "\"") {
                        record.bytes.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    record.bytes.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    inQuotes = true
                    quoteLine = line
                    fieldStarted = true
                case UInt8(ascii: ","):
                    record.ends.append(record.bytes.count)
                    fieldStarted = true
                case UInt8(ascii: "\r"):
                    break
                case UInt8(ascii: "\n"):
                    record.ends.append(record.bytes.count)
                    body(record)
                    record.bytes.removeAll(keepingCapacity: true)
                    record.ends.removeAll(keepingCapacity: true)
                    fieldStarted = false
                    line += 1
                default:
                    record.bytes.append(byte)
                    fieldStarted = true
                }
            }
            index += 1
        }
        if inQuotes { throw .unterminatedQuote(line: quoteLine) }
        if fieldStarted || !record.bytes.isEmpty || !record.ends.isEmpty {
            record.ends.append(record.bytes.count)
            body(record)
        }
    }
}
