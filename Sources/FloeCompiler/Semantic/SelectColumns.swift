/// The columns a model's SELECT gives, read from its rendered SQL where that is certain: the
/// first top-level SELECT's list (after any `with …` definitions, before any UNION) when every
/// item is a plain column (`status`, `o.status`) or ends in `as name`. nil when any item is
/// `*` or an expression without `as`, or the SQL cannot be read this way: then nothing is claimed.
enum SelectColumns {
    static func of(_ sql: String) -> [String]? {
        let tokens = tokenize(sql)
        var depth = 0
        var start: Int?
        for (index, token) in tokens.enumerated() {
            if token == "(" { depth += 1 } else if token == ")" { depth -= 1 }
            else if depth == 0, token.lowercased() == "select" { start = index + 1; break }
        }
        guard var position = start else { return nil }
        if position < tokens.count, ["distinct", "all"].contains(tokens[position].lowercased()) { position += 1 }
        var items: [[String]] = [[]]
        depth = 0
        while position < tokens.count {
            let token = tokens[position]
            if token == "(" { depth += 1 } else if token == ")" { depth -= 1 }
            if depth == 0, token == "," {
                items.append([])
            } else if depth == 0, ["from", "union", "where", "group", "order", "limit", "having", "intersect", "except"].contains(token.lowercased()) {
                break
            } else if depth < 0 {
                return nil
            } else {
                items[items.count - 1].append(token)
            }
            position += 1
        }
        var columns: [String] = []
        for item in items {
            // `*` and `t.*` give columns this cannot see.
            guard let last = item.last, last != "*" else { return nil }
            if item.count >= 2, item[item.count - 2].lowercased() == "as" {
                columns.append(unquoted(last))
            } else if item.count == 1, isName(last) {
                columns.append(unquoted(last))
            } else if item.count == 3, item[1] == ".", isName(item[2]) {
                columns.append(unquoted(item[2]))
            } else {
                return nil
            }
        }
        return columns.isEmpty ? nil : columns
    }

    private static func isName(_ token: String) -> Bool {
        guard let first = token.first else { return false }
        return first == "\"" || first.isLetter || first == "_"
    }

    private static func unquoted(_ token: String) -> String {
        token.hasPrefix("\"") && token.hasSuffix("\"") && token.count >= 2 ? String(token.dropFirst().dropLast()) : token
    }

    /// Words, quoted names, string literals, numbers and single punctuation; comments dropped.
    private static func tokenize(_ sql: String) -> [String] {
        var tokens: [String] = []
        let characters = Array(sql)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace { index += 1; continue }
            if character == "-", index + 1 < characters.count, characters[index + 1] == "-" {
                while index < characters.count, characters[index] != "\n" { index += 1 }
                continue
            }
            if character == "/", index + 1 < characters.count, characters[index + 1] == "*" {
                index += 2
                while index + 1 < characters.count, !(characters[index] == "*" && characters[index + 1] == "/") { index += 1 }
                index += 2
                continue
            }
            if character == "'" || character == "\"" {
                var end = index + 1
                while end < characters.count {
                    if characters[end] == character {
                        if end + 1 < characters.count, characters[end + 1] == character { end += 2; continue }
                        break
                    }
                    end += 1
                }
                tokens.append(String(characters[index...min(end, characters.count - 1)]))
                index = end + 1
                continue
            }
            if character.isLetter || character == "_" || character.isNumber {
                var end = index
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" || characters[end] == "$" { end += 1 }
                tokens.append(String(characters[index..<end]))
                index = end
                continue
            }
            tokens.append(String(character))
            index += 1
        }
        return tokens
    }
}
