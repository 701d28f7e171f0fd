/// The names of the columns a SELECT returns, read from its text when it names every one: the
/// outermost query's first SELECT list (after any CTEs; the first branch of a UNION), each item
/// a column (`o.id` → `id`) or aliased (`count(*) as n`, `count(*) n`). Nil when one cannot be
/// named without the engine (`*`, an expression without an alias): the contract is then checked
/// at apply, when the engine describes the query.
enum SelectListColumns {
    static func names(in sql: String) -> [String]? {
        let bytes = Array(sql.utf8)
        guard let list = outermostSelectList(bytes) else { return nil }
        var names: [String] = []
        for item in list {
            guard let name = name(of: item) else { return nil }
            names.append(name)
        }
        return names.isEmpty ? nil : names
    }

    /// The items of the first SELECT at depth 0, split at depth-0 commas, up to its FROM (or the end).
    private static func outermostSelectList(_ bytes: [UInt8]) -> [String]? {
        var depth = 0, index = 0
        var start: Int?
        var items: [String] = []
        var itemStart = 0
        func word(at position: Int) -> String? {
            guard position < bytes.count, isWordByte(bytes[position]), position == 0 || !isWordByte(bytes[position - 1]) else { return nil }
            var end = position
            while end < bytes.count, isWordByte(bytes[end]) { end += 1 }
            return String(decoding: bytes[position..<end], as: UTF8.self).lowercased()
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                index += 1
                while index < bytes.count, bytes[index] != byte { index += 1 }
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                index += 2
                while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/")) { index += 1 }
                index += 1
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"): depth -= 1
            case UInt8(ascii: ",") where depth == 0 && start != nil:
                items.append(String(decoding: bytes[itemStart..<index], as: UTF8.self))
                itemStart = index + 1
            default:
                guard depth == 0, let found = word(at: index) else { break }
                if start == nil, found == "select" {
                    start = index + 6
                    itemStart = start!
                    // `distinct` and `all` are not columns; `distinct on (...)` is not supported here.
                    var next = itemStart
                    while next < bytes.count, bytes[next] == 32 || bytes[next] == 10 || bytes[next] == 9 || bytes[next] == 13 { next += 1 }
                    if let modifier = word(at: next), modifier == "distinct" || modifier == "all" {
                        var after = next + modifier.count
                        while after < bytes.count, bytes[after] == 32 || bytes[after] == 10 || bytes[after] == 9 { after += 1 }
                        if word(at: after) == "on" { return nil }
                        itemStart = next + modifier.count
                    }
                } else if start != nil, ["from", "where", "union", "group", "order", "limit", "having", "except", "intersect", "window"].contains(found) {
                    items.append(String(decoding: bytes[itemStart..<index], as: UTF8.self))
                    return items
                }
                index += found.count - 1
            }
            index += 1
        }
        guard start != nil else { return nil }
        items.append(String(decoding: bytes[itemStart..<min(index, bytes.count)], as: UTF8.self))
        return items
    }

    private static let notAliases: Set<String> = ["end", "null", "true", "false", "and", "or", "not", "is", "in", "then", "else", "asc", "desc"]

    /// A select item's column name, or nil when it has none that text alone tells.
    private static func name(of item: String) -> String? {
        let text = item.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, !text.hasSuffix("*") else { return nil }
        let last = lastIdentifier(text)
        guard let last else { return nil }
        let before = text.dropLast(last.written.count).trimmingCharacters(in: .whitespacesAndNewlines)
        if before.isEmpty { return last.name }
        if before.lowercased().hasSuffix(" as") || before.lowercased() == "as" || before.hasSuffix(")as") { return last.name }
        // A qualified column (`o.id`): every part an identifier.
        if before.hasSuffix("."), before.dropLast().allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "\"" }) {
            return last.name
        }
        // An alias without AS (`count(*) n`): after a closing parenthesis, a literal or a word.
        guard !notAliases.contains(last.name.lowercased()), let previous = before.last,
              previous == ")" || previous == "'" || previous == "\"" || previous.isLetter || previous.isNumber || previous == "_",
              text.dropLast(last.written.count).last?.isWhitespace == true else { return nil }
        return last.name
    }

    /// The item's last identifier as written (quoted or not) and as a name (quotes removed).
    private static func lastIdentifier(_ text: String) -> (written: String, name: String)? {
        if text.hasSuffix("\"") {
            let body = text.dropLast()
            guard let open = body.lastIndex(of: "\"") else { return nil }
            let name = String(body[body.index(after: open)...])
            return ("\"" + name + "\"", name)
        }
        let tail = text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !tail.isEmpty, let first = tail.last, !first.isNumber else { return nil }
        let name = String(tail.reversed())
        return (name, name)
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57) || byte == 95
    }
}
