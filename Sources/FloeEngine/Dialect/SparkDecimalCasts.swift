/// A cast to `numeric` or `decimal` with no precision, which PostgreSQL reads as an exact number
/// of any size and Spark as `decimal(10,0)`, a whole number (`round(cast(x as numeric), 2)` would
/// lose the cents): on Spark it becomes `decimal(38,10)`. Both spellings are rewritten,
/// `cast(x as numeric)` and `x::numeric`; a type with its precision, an alias named `numeric`
/// and text in literals, quoted names and comments are left alone.
public enum SparkDecimalCasts {
    public static let exactType = "decimal(38,10)"

    public static func rewrite(_ sql: String) -> String {
        guard mentionsDecimal(sql) else { return sql }
        let tokens = PostgresCasts.tokenize(sql)
        var output: [UInt8] = []
        output.reserveCapacity(sql.utf8.count + 16)
        for (index, token) in tokens.enumerated() {
            guard token.kind == .word, isDecimalWord(token.bytes), isCastType(tokens, at: index) else {
                output += token.bytes
                continue
            }
            output += Array(exactType.utf8)
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func mentionsDecimal(_ sql: String) -> Bool {
        let lowered = sql.lowercased()
        return lowered.contains("numeric") || lowered.contains("decimal")
    }

    private static func isDecimalWord(_ bytes: [UInt8]) -> Bool {
        let word = String(decoding: bytes, as: UTF8.self).lowercased()
        return word == "numeric" || word == "decimal"
    }

    /// After `::`, or after `as` and before the `)` that closes a `cast(`; never followed by `(`.
    private static func isCastType(_ tokens: [PostgresCasts.Token], at index: Int) -> Bool {
        func neighbour(_ start: Int, _ step: Int) -> PostgresCasts.Token? {
            var position = start + step
            while position >= 0, position < tokens.count, tokens[position].kind == .space || tokens[position].kind == .comment {
                position += step
            }
            return position >= 0 && position < tokens.count ? tokens[position] : nil
        }
        let next = neighbour(index, 1)
        if next?.kind == .open { return false }
        guard let previous = neighbour(index, -1) else { return false }
        if previous.kind == .castOperator { return true }
        return previous.kind == .word && String(decoding: previous.bytes, as: UTF8.self).lowercased() == "as" && next?.kind == .close
    }
}
