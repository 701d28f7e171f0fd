import FloeSQL
import Foundation

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
    static let functions: Set<String> = ["median", "percentile_cont", "percentile_disc"]

    public static func rewrite(_ sql: String) -> String {
        // Most SQL has none: a search of the text finds that quickly.
        guard mentionsAny(sql) else { return sql }
        return rewrite(SQLLexer.pieces(sql)[...])
    }

    private static func mentionsAny(_ sql: String) -> Bool {
        let lowered = sql.lowercased()
        return lowered.contains("median") || lowered.contains("percentile_")
    }

    private static func rewrite(_ pieces: ArraySlice<SQLPiece>) -> String {
        var output = ""
        var index = pieces.startIndex
        while index < pieces.endIndex {
            let piece = pieces[index]
            if let name = piece.word, functions.contains(name), !qualified(pieces, before: index),
               let (replacement, after) = call(pieces, name: name, at: index) {
                output += replacement
                index = after
                continue
            }
            output += piece.text
            index += 1
        }
        return output
    }

    /// The next piece after `index` that is not whitespace or a comment.
    private static func significant(_ pieces: ArraySlice<SQLPiece>, after index: Int) -> Int? {
        var position = index + 1
        while position < pieces.endIndex, pieces[position].isTrivia { position += 1 }
        return position < pieces.endIndex ? position : nil
    }

    /// `schema.median(x)`: a function of the user's own, left alone.
    private static func qualified(_ pieces: ArraySlice<SQLPiece>, before index: Int) -> Bool {
        var position = index - 1
        while position >= pieces.startIndex, pieces[position].isTrivia { position -= 1 }
        return position >= pieces.startIndex && pieces[position].punctuation == "."
    }

    /// The PostgreSQL form of the call whose name is at `index`, and the index after the call;
    /// nil when it is not one to rewrite.
    private static func call(_ pieces: ArraySlice<SQLPiece>, name: String, at index: Int) -> (String, Int)? {
        guard let open = significant(pieces, after: index), pieces[open].punctuation == "(" else { return nil }
        var depth = 0, start = open + 1, position = open + 1
        var arguments: [ArraySlice<SQLPiece>] = []
        var close: Int?
        scan: while position < pieces.endIndex {
            switch pieces[position].punctuation {
            case "(": depth += 1
            case ")" where depth == 0:
                arguments.append(pieces[start..<position])
                close = position
                break scan
            case ")": depth -= 1
            case "," where depth == 0:
                arguments.append(pieces[start..<position])
                start = position + 1
            default: break
            }
            position += 1
        }
        guard let close else { return nil }
        // Already PostgreSQL's form: `percentile_cont(0.5) within group (order by x)`.
        if let next = significant(pieces, after: close), pieces[next].word == "within" { return nil }
        let rewritten = arguments.map { rewrite($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        let value: String, fraction: String
        switch (name, rewritten.count) {
        case ("median", 1): (value, fraction) = (rewritten[0], "0.5")
        case ("percentile_cont", 2), ("percentile_disc", 2): (value, fraction) = (rewritten[0], rewritten[1])
        default: return nil
        }
        let spelled = name == "median" ? "percentile_cont" : name
        return ("\(spelled)(\(fraction)) within group (order by \(value))", close + 1)
    }
}
