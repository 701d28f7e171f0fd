import FloeSQL
import Foundation

/// PostgreSQL's cast operator, `expression::type`, written as the standard `cast(expression as
/// type)` for engines that lack the operator (SQLite), so a model written against PostgreSQL
/// (jaffle-shop's `cents_to_dollars` writes `(x / 100)::numeric(16, 2)`) runs unchanged:
///
/// - `amount::int` → `cast(amount as int)`, `o.total::numeric(16, 2)` → `cast(o.total as numeric(16, 2))`
/// - `(a + b)::text`, `round(x, 2)::text`, `'2024-01-01'::date` and chains (`x::text::int`)
/// - multi-word types: `double precision`, `character varying(10)`, `timestamp with time zone`
///
/// What `::` follows is the nearest whole operand: a name (qualified or quoted), a literal, a
/// parenthesized expression or a call. Text inside string literals, quoted identifiers and
/// comments is left alone.
public enum PostgresCasts {
    public static func rewrite(_ sql: String) -> String {
        // Most SQL has none: a byte search finds that quickly.
        guard mentionsCastOperator(sql) else { return sql }
        var tokens = tokenize(sql)
        var index = 0
        while index < tokens.count {
            guard tokens[index].kind == .castOperator, let start = operandStart(tokens, before: index),
                  let (type, end) = typeName(tokens, after: index)
            else {
                index += 1
                continue
            }
            let operand = tokens[start..<index].flatMap(\.bytes).trimmedSpaces()
            let cast = Array("cast(".utf8) + operand + Array(" as ".utf8) + type + [UInt8(ascii: ")")]
            tokens.replaceSubrange(start..<end, with: [Token(kind: .primary, bytes: cast)])
            index = start + 1
        }
        return String(decoding: tokens.flatMap(\.bytes), as: UTF8.self)
    }

    /// Whether `sql` has `::` anywhere: a scan of its bytes in place, as most SQL has none.
    static func mentionsCastOperator(_ sql: String) -> Bool {
        var sql = sql
        return sql.withUTF8 { bytes in
            guard bytes.count > 1 else { return false }
            for index in 0..<(bytes.count - 1) where bytes[index] == 0x3A && bytes[index + 1] == 0x3A { return true }
            return false
        }
    }

    struct Token {
        enum Kind { case space, comment, word, string, quoted, open, close, dot, castOperator, other, primary }
        var kind: Kind
        var bytes: [UInt8]
    }

    /// The text as FloeSQL's tokenizer cuts it, in the kinds the rewrite needs.
    static func tokenize(_ sql: String) -> [Token] {
        SQLLexer.pieces(sql).map { piece in
            let kind: Token.Kind = switch piece.kind {
            case .space: .space
            case .comment: .comment
            case .unreadable: .other
            case .token(let token):
                switch token {
                case .identifier(_, quoted: false), .number, .parameter: .word
                case .identifier(_, quoted: true): .quoted
                case .string: .string
                case .op("::"): .castOperator
                case .punctuation("("): .open
                case .punctuation(")"): .close
                case .punctuation("."): .dot
                default: .other
                }
            }
            return Token(kind: kind, bytes: Array(piece.text.utf8))
        }
    }

    /// Where the operand `::` at `cast` applies to begins; nil when there is none to find.
    static func operandStart(_ tokens: [Token], before cast: Int) -> Int? {
        var index = cast - 1
        while index >= 0 && tokens[index].kind == .space { index -= 1 }
        guard index >= 0 else { return nil }
        switch tokens[index].kind {
        case .close:
            var depth = 0
            while index >= 0 {
                if tokens[index].kind == .close { depth += 1 }
                if tokens[index].kind == .open {
                    depth -= 1
                    if depth == 0 { break }
                }
                index -= 1
            }
            guard index >= 0 else { return nil }
            // A call: its name (and what qualifies it) belongs to the operand.
            if index > 0, [.word, .quoted].contains(tokens[index - 1].kind) { return qualifiedStart(tokens, from: index - 1) }
            return index
        case .word, .quoted: return qualifiedStart(tokens, from: index)
        case .string, .primary: return index
        default: return nil
        }
    }

    /// The first token of `schema.table.column` ending at `index`.
    private static func qualifiedStart(_ tokens: [Token], from index: Int) -> Int {
        var start = index
        while start >= 2, tokens[start - 1].kind == .dot, [.word, .quoted].contains(tokens[start - 2].kind) { start -= 2 }
        return start
    }

    static let continuations: [String: [[String]]] = [
        "double": [["precision"]],
        "character": [["varying"]],
        "timestamp": [["with", "time", "zone"], ["without", "time", "zone"]],
        "time": [["with", "time", "zone"], ["without", "time", "zone"]],
    ]

    /// The type after `::` at `cast`, and the index after it; nil when no type name follows.
    static func typeName(_ tokens: [Token], after cast: Int) -> ([UInt8], Int)? {
        var index = cast + 1
        while index < tokens.count && tokens[index].kind == .space { index += 1 }
        guard index < tokens.count, [.word, .quoted].contains(tokens[index].kind) else { return nil }
        var type = tokens[index].bytes
        index += 1
        let first = String(decoding: type, as: UTF8.self).lowercased()
        for words in continuations[first] ?? [] {
            var probe = index, matched: [UInt8] = []
            for word in words {
                while probe < tokens.count && tokens[probe].kind == .space { probe += 1 }
                guard probe < tokens.count, tokens[probe].kind == .word,
                      String(decoding: tokens[probe].bytes, as: UTF8.self).lowercased() == word else { matched = []; break }
                matched += [UInt8(ascii: " ")] + tokens[probe].bytes
                probe += 1
            }
            if !matched.isEmpty {
                type += matched
                index = probe
                break
            }
        }
        // Precision and scale: `numeric(16, 2)`, `varchar(10)`.
        var probe = index
        while probe < tokens.count && tokens[probe].kind == .space { probe += 1 }
        if probe < tokens.count, tokens[probe].kind == .open,
           let close = tokens[probe...].firstIndex(where: { $0.kind == .close }) {
            type += tokens[probe...close].flatMap(\.bytes)
            index = close + 1
        }
        // An array type: `int[]`.
        if index + 1 < tokens.count, tokens[index].bytes == [UInt8(ascii: "[")], tokens[index + 1].bytes == [UInt8(ascii: "]")] {
            type += Array("[]".utf8)
            index += 2
        }
        return (type, index)
    }

}

/// SQLite's `cast(x as date)` and `cast(x as timestamp)` give a number (the type names have
/// NUMERIC affinity, so `cast('2024-05-01 10:00' as date)` is 2024), which no SQL written for
/// another engine means: they become `date(x)` and `datetime(x)`, SQLite's own date and time of
/// a value (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`). dbt_date's `today()` is
/// `cast(now() as date)`.
public enum SQLiteTemporalCasts {
    static let functions: [String: String] = [
        "date": "date", "timestamp": "datetime", "datetime": "datetime", "timestamptz": "datetime",
        "timestamp without time zone": "datetime", "timestamp with time zone": "datetime",
    ]

    public static func rewrite(_ sql: String) -> String {
        guard mentionsCast(sql) else { return sql }
        let tokens = PostgresCasts.tokenize(sql)
        return String(decoding: rewrite(tokens[...]), as: UTF8.self)
    }

    /// Whether `sql` has the word `cast` in any case: a byte scan, as most SQL has none.
    static func mentionsCast(_ sql: String) -> Bool {
        var sql = sql
        return sql.withUTF8 { bytes in
            guard bytes.count > 3 else { return false }
            for index in 0..<(bytes.count - 3) where bytes[index] | 0x20 == 0x63 && bytes[index + 1] | 0x20 == 0x61
                && bytes[index + 2] | 0x20 == 0x73 && bytes[index + 3] | 0x20 == 0x74 {
                return true
            }
            return false
        }
    }

    private static func rewrite(_ tokens: ArraySlice<PostgresCasts.Token>) -> [UInt8] {
        var output: [UInt8] = []
        var index = tokens.startIndex
        while index < tokens.endIndex {
            let token = tokens[index]
            guard token.kind == .word, String(decoding: token.bytes, as: UTF8.self).lowercased() == "cast",
                  let (function, expression, end) = temporalCast(tokens, at: index) else {
                output += token.bytes
                index += 1
                continue
            }
            output += Array("\(function)(".utf8) + rewrite(expression).trimmedSpaces() + [UInt8(ascii: ")")]
            index = end
        }
        return output
    }

    /// For `cast(expression as date)` starting at `index`: the SQLite function, the expression's
    /// tokens and the index after the `)`; nil for any other cast.
    private static func temporalCast(_ tokens: ArraySlice<PostgresCasts.Token>, at index: Int)
        -> (String, ArraySlice<PostgresCasts.Token>, Int)? {
        var open = index + 1
        while open < tokens.endIndex && tokens[open].kind == .space { open += 1 }
        guard open < tokens.endIndex, tokens[open].kind == .open else { return nil }
        var depth = 0, lastAs: Int?, close: Int?
        for position in open..<tokens.endIndex {
            switch tokens[position].kind {
            case .open: depth += 1
            case .close:
                depth -= 1
                if depth == 0 { close = position }
            case .word where depth == 1 && String(decoding: tokens[position].bytes, as: UTF8.self).lowercased() == "as":
                lastAs = position
            default: break
            }
            if close != nil { break }
        }
        guard let close, let lastAs else { return nil }
        let type = tokens[(lastAs + 1)..<close].filter { $0.kind == .word }
            .map { String(decoding: $0.bytes, as: UTF8.self).lowercased() }.joined(separator: " ")
        guard let function = functions[type] else { return nil }
        return (function, tokens[(open + 1)..<lastAs], close + 1)
    }
}

private extension Array where Element == UInt8 {
    func trimmedSpaces() -> [UInt8] {
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return [] }
        return Array(self[first...last])
    }
}
