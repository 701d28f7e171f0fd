import Foundation

/// Splits SQL text holding several statements (hooks, `floe query --sql`, the state tables) into
/// one string per statement, for drivers whose protocol runs one statement at a time (PostgreSQL's
/// extended protocol). A `;` ends a statement only outside string literals (`'…'`), quoted
/// identifiers (`"…"`), dollar-quoted bodies (`$tag$…$tag$`) and comments (`--`, `/* */`).
/// Statements that hold nothing but whitespace and comments are left out.
public enum StatementSplitter {
    public static func split(_ sql: String) -> [String] {
        let bytes = Array(sql.utf8)
        var statements: [String] = []
        var start = 0, index = 0, hasCode = false

        func finish(at end: Int) {
            if hasCode {
                let text = String(decoding: bytes[start..<end], as: UTF8.self)
                statements.append(text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            start = end + 1
            hasCode = false
        }

        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                index = skipQuoted(bytes, from: index, quote: byte)
                hasCode = true
                continue
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                index = skipBlockComment(bytes, from: index)
                continue
            case UInt8(ascii: "$"):
                if let end = skipDollarQuoted(bytes, from: index) {
                    index = end
                    hasCode = true
                    continue
                }
                hasCode = true
            case UInt8(ascii: ";"):
                finish(at: index)
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                break
            default:
                hasCode = true
            }
            index += 1
        }
        finish(at: bytes.count)
        return statements
    }

    /// The index after the closing quote; a doubled quote inside is part of the text.
    static func skipQuoted(_ bytes: [UInt8], from start: Int, quote: UInt8) -> Int {
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == quote {
                if index + 1 < bytes.count && bytes[index + 1] == quote { index += 2; continue }
                return index + 1
            }
            index += 1
        }
        return index
    }

    /// The index after `*/`; block comments nest, as in PostgreSQL.
    static func skipBlockComment(_ bytes: [UInt8], from start: Int) -> Int {
        var depth = 0, index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "/") && bytes[index + 1] == UInt8(ascii: "*") {
                depth += 1; index += 2
            } else if bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/") {
                depth -= 1; index += 2
                if depth == 0 { return index }
            } else {
                index += 1
            }
        }
        return bytes.count
    }

    /// The index after a `$tag$…$tag$` body, or nil when the `$` at `start` opens none (a
    /// positional parameter such as `$1`).
    static func skipDollarQuoted(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "$") {
            let byte = bytes[index]
            let isTagByte = byte == UInt8(ascii: "_") || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte >= 0x80 || (index > start + 1 && byte >= 0x30 && byte <= 0x39)
            guard isTagByte else { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let tag = Array(bytes[start...index])
        var cursor = index + 1
        while cursor + tag.count <= bytes.count {
            if bytes[cursor] == UInt8(ascii: "$") && Array(bytes[cursor..<cursor + tag.count]) == tag {
                return cursor + tag.count
            }
            cursor += 1
        }
        return bytes.count
    }
}
