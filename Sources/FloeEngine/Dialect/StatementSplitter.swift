import FloeSQL
import Foundation

/// Splits SQL text holding several statements (hooks, `floe query --sql`, the state tables) into
/// one string per statement, for drivers whose protocol runs one statement at a time (PostgreSQL's
/// extended protocol, Spark's Thrift server). A `;` ends a statement only where FloeSQL's
/// tokenizer reads it as one: not inside string literals, quoted names, dollar-quoted bodies or
/// comments. Statements that hold nothing but whitespace and comments are left out.
public enum StatementSplitter {
    public static func split(_ sql: String, flavor: SQLFlavor = .postgres) -> [String] {
        var statements: [String] = []
        var current = "", hasCode = false
        for piece in SQLLexer.pieces(sql, flavor: flavor) {
            if piece.punctuation == ";" {
                if hasCode { statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines)) }
                current = ""
                hasCode = false
                continue
            }
            current += piece.text
            if !piece.isTrivia { hasCode = true }
        }
        if hasCode { statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return statements
    }
}
