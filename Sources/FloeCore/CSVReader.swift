/// RFC 4180 CSV: comma-separated, `"` quotes with `""` inside, CRLF or LF line ends.
/// Used by the compiler to infer seed types and by the executor to load them.
public enum CSVReader {
    public enum Failure: Error, Equatable {
        case empty
        case unterminatedQuote(line: Int)
    }

    public static func rows(_ text: String) throws(Failure) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var quoteLine = 1
        let bytes = Array(text.utf8)
        var index = 0
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    inQuotes = true
                    quoteLine = line
                case UInt8(ascii: ","):
                    endField()
                case UInt8(ascii: "\r"):
                    break
                case UInt8(ascii: "\n"):
                    endField()
                    rows.append(row)
                    row.removeAll(keepingCapacity: true)
                    line += 1
                default:
                    field.append(byte)
                }
            }
            index += 1
        }
        if inQuotes { throw .unterminatedQuote(line: quoteLine) }
        if !field.isEmpty || !row.isEmpty {
            endField()
            rows.append(row)
        }
        if rows.isEmpty { throw .empty }
        return rows
    }
}
