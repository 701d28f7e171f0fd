import Foundation

/// Python's `re` syntax in ICU's (NSRegularExpression) spelling, where the two differ in ways dbt
/// packages rely on: a `{` or `}` that is no repetition (`{{\s*ref`) is a literal in Python and a
/// syntax error in ICU; named groups are `(?P<name>…)` and `(?P=name)`; `\Z` ends the text.
enum PythonRegex {
    static func compile(_ pattern: String) throws -> NSRegularExpression {
        try NSRegularExpression(pattern: icuPattern(pattern))
    }

    static func icuPattern(_ pattern: String) -> String {
        let characters = Array(pattern)
        var output = "", index = 0, inSet = false
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\\" where index + 1 < characters.count:
                let next = characters[index + 1]
                output += next == "Z" && !inSet ? "\\z" : "\\" + String(next)
                index += 2
                continue
            case "[" where !inSet:
                inSet = true
                output.append(character)
                // `[]…]` and `[^]…]`: a `]` first in a set is a member.
                if index + 1 < characters.count, characters[index + 1] == "^" { output.append("^"); index += 1 }
                if index + 1 < characters.count, characters[index + 1] == "]" { output += "\\]"; index += 1 }
            case "]" where inSet:
                inSet = false
                output.append(character)
            case "(" where !inSet && starts(characters, at: index, with: "(?P<"):
                output += "(?<"
                index += 4
                continue
            case "(" where !inSet && starts(characters, at: index, with: "(?P="):
                let close = characters[(index + 4)...].firstIndex(of: ")") ?? characters.count
                output += "\\k<" + String(characters[(index + 4)..<close]) + ">"
                index = close + 1
                continue
            case "{" where !inSet:
                if let end = repetitionEnd(characters, from: index) {
                    output += String(characters[index...end])
                    index = end + 1
                    continue
                }
                output += "\\{"
            case "}" where !inSet:
                output += "\\}"
            default:
                output.append(character)
            }
            index += 1
        }
        return output
    }

    private static func starts(_ characters: [Character], at index: Int, with prefix: String) -> Bool {
        index + prefix.count <= characters.count && String(characters[index..<(index + prefix.count)]) == prefix
    }

    /// The index of the `}` closing a repetition `{m}`, `{m,}`, `{,n}` or `{m,n}` that starts at `start`.
    private static func repetitionEnd(_ characters: [Character], from start: Int) -> Int? {
        var index = start + 1, digits = 0, commas = 0
        while index < characters.count {
            let character = characters[index]
            if character.isASCII && character.isNumber { digits += 1 }
            else if character == "," { commas += 1; if commas > 1 { return nil } }
            else if character == "}" { return digits > 0 ? index : nil }
            else { return nil }
            index += 1
        }
        return nil
    }
}
