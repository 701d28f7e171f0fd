import Foundation

/// Puts ephemeral models into the SQL of the nodes that use them as CTEs, as dbt does:
/// `with __dbt__cte__name as (…)` ahead of the query, merged into its own `with` if it has one.
public enum EphemeralInliner {
    public static func cteName(_ model: String) -> String { "__dbt__cte__" + model }

    public static func inline(_ sql: String, ctes: [(name: String, sql: String)]) -> String {
        guard !ctes.isEmpty else { return sql }
        let definitions = ctes.map { "\(cteName($0.name)) as (\n\($0.sql.trimmingCharacters(in: .whitespacesAndNewlines))\n)" }
            .joined(separator: ", ")
        guard let keywordEnd = leadingWith(sql) else {
            return "with \(definitions)\n" + sql
        }
        let head = sql[..<keywordEnd]
        let rest = sql[keywordEnd...]
        return head + " " + definitions + "," + rest
    }

    /// Where the query's leading `with` (or `with recursive`) keyword ends, skipping blanks and comments.
    static func leadingWith(_ sql: String) -> String.Index? {
        var index = skipTrivia(sql, from: sql.startIndex)
        guard let afterWith = keyword("with", in: sql, at: index) else { return nil }
        index = afterWith
        let next = skipTrivia(sql, from: index)
        if let afterRecursive = keyword("recursive", in: sql, at: next) { return afterRecursive }
        return index
    }

    private static func keyword(_ word: String, in sql: String, at index: String.Index) -> String.Index? {
        guard let end = sql.index(index, offsetBy: word.count, limitedBy: sql.endIndex),
              sql[index..<end].lowercased() == word else { return nil }
        if end < sql.endIndex, sql[end].isLetter || sql[end].isNumber || sql[end] == "_" { return nil }
        return end
    }

    private static func skipTrivia(_ sql: String, from start: String.Index) -> String.Index {
        var index = start
        while index < sql.endIndex {
            if sql[index].isWhitespace {
                index = sql.index(after: index)
            } else if sql[index...].hasPrefix("--") {
                index = sql[index...].firstIndex(of: "\n") ?? sql.endIndex
            } else if sql[index...].hasPrefix("/*") {
                index = sql[sql.index(index, offsetBy: 2)...].range(of: "*/")?.upperBound ?? sql.endIndex
            } else {
                break
            }
        }
        return index
    }
}
