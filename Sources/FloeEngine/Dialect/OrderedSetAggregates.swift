/// floe's SQLite connections register `median(x)`, `percentile_cont(x, p)` and
/// `percentile_disc(x, p)` as plain aggregates; PostgreSQL spells them as ordered-set aggregates.
/// This rewrites the SQLite spelling into PostgreSQL's, so a model written against the embedded
/// engine runs unchanged on the server:
///
/// - `median(x)` → `percentile_cont(0.5) within group (order by x)`
/// - `percentile_cont(x, p)` → `percentile_cont(p) within group (order by x)` (and `percentile_disc`)
///
/// Calls inside string literals, quoted identifiers and comments are left alone, as are calls
/// already in PostgreSQL's form (one argument, `within group` after them) and qualified names
/// (`schema.median(x)`, a function of the user's own).
public enum OrderedSetAggregates {
    public static func rewrite(_ sql: String) -> String {
        // Most SQL has none: a byte search finds that quickly.
        guard mentionsAny(sql) else { return sql }
        return String(decoding: rewrite(Array(sql.utf8)), as: UTF8.self)
    }

    private static func mentionsAny(_ sql: String) -> Bool {
        let lowered = sql.lowercased()
        return lowered.contains("median") || lowered.contains("percentile_")
    }

    private static func rewrite(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 64)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                let end = StatementSplitter.skipQuoted(bytes, from: index, quote: byte)
                output.append(contentsOf: bytes[index..<end])
                index = end
                continue
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                var end = index
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                output.append(contentsOf: bytes[index..<end])
                index = end
                continue
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                let end = StatementSplitter.skipBlockComment(bytes, from: index)
                output.append(contentsOf: bytes[index..<end])
                index = end
                continue
            case UInt8(ascii: "$"):
                if let end = StatementSplitter.skipDollarQuoted(bytes, from: index) {
                    output.append(contentsOf: bytes[index..<end])
                    index = end
                    continue
                }
            default:
                if isIdentifierStart(byte), index == 0 || !isIdentifierByte(bytes[index - 1]) && bytes[index - 1] != UInt8(ascii: ".") {
                    var end = index
                    while end < bytes.count && isIdentifierByte(bytes[end]) { end += 1 }
                    if let (replacement, after) = call(bytes, name: index..<end) {
                        output.append(contentsOf: replacement)
                        index = after
                    } else {
                        output.append(contentsOf: bytes[index..<end])
                        index = end
                    }
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    /// The PostgreSQL form of the call whose name is at `name`, and where the call ends; nil
    /// when it is not one to rewrite.
    private static func call(_ bytes: [UInt8], name: Range<Int>) -> ([UInt8], Int)? {
        let function = String(decoding: bytes[name], as: UTF8.self).lowercased()
        guard function == "median" || function == "percentile_cont" || function == "percentile_disc" else { return nil }
        var open = name.upperBound
        while open < bytes.count && isSpace(bytes[open]) { open += 1 }
        guard open < bytes.count, bytes[open] == UInt8(ascii: "("), let (arguments, close) = arguments(bytes, open: open) else { return nil }
        if followedByWithinGroup(bytes, from: close + 1) { return nil }
        let rewritten = arguments.map { rewrite(Array($0)) }
        let value: [UInt8], fraction: [UInt8]
        switch (function, rewritten.count) {
        case ("median", 1): (value, fraction) = (rewritten[0], Array("0.5".utf8))
        case ("percentile_cont", 2), ("percentile_disc", 2): (value, fraction) = (rewritten[0], rewritten[1])
        default: return nil
        }
        let spelled = function == "median" ? "percentile_cont" : function
        let text = Array("\(spelled)(".utf8) + trimmed(fraction) + Array(") within group (order by ".utf8) + trimmed(value) + [UInt8(ascii: ")")]
        return (text, close + 1)
    }

    /// The top-level arguments of the call whose `(` is at `open`, and the index of its `)`.
    private static func arguments(_ bytes: [UInt8], open: Int) -> ([ArraySlice<UInt8>], Int)? {
        var depth = 0, index = open + 1, start = open + 1
        var parts: [ArraySlice<UInt8>] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                index = StatementSplitter.skipQuoted(bytes, from: index, quote: byte)
                continue
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                if depth == 0 {
                    parts.append(bytes[start..<index])
                    return (parts, index)
                }
                depth -= 1
            case UInt8(ascii: ",") where depth == 0:
                parts.append(bytes[start..<index])
                start = index + 1
            default: break
            }
            index += 1
        }
        return nil
    }

    private static func followedByWithinGroup(_ bytes: [UInt8], from start: Int) -> Bool {
        var index = start
        while index < bytes.count && isSpace(bytes[index]) { index += 1 }
        let rest = String(decoding: bytes[index..<min(bytes.count, index + 6)], as: UTF8.self).lowercased()
        return rest == "within"
    }

    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var slice = bytes[...]
        while let first = slice.first, isSpace(first) { slice.removeFirst() }
        while let last = slice.last, isSpace(last) { slice.removeLast() }
        return Array(slice)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "$")
    }
}
