import Foundation

/// The `{% macro name(args) %}…{% endmacro %}` and `{% test name(args) %}…{% endtest %}` blocks
/// of a macro file, as text, for the manifest's `macros` (the Jinja parser keeps no source ranges).
/// A file the Jinja parser accepted is well formed, so an unclosed block is simply not listed.
enum MacroBlocks {
    struct Block {
        var name: String
        var arguments: [String]
        var text: String
    }

    private static let opening = try! NSRegularExpression(
        pattern: #"\{%-?\s*(macro|test)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\((.*?)\)\s*-?%\}"#, options: [.dotMatchesLineSeparators])

    static func read(_ text: String) -> [Block] {
        let whole = text as NSString
        var blocks: [Block] = []
        var from = 0
        while from < whole.length,
              let match = opening.firstMatch(in: text, range: NSRange(location: from, length: whole.length - from)) {
            let kind = whole.substring(with: match.range(at: 1))
            let name = whole.substring(with: match.range(at: 2))
            let afterOpening = match.range.location + match.range.length
            let end = whole.range(of: #"\{%-?\s*end\#(kind)\s*-?%\}"#, options: .regularExpression,
                                  range: NSRange(location: afterOpening, length: whole.length - afterOpening))
            guard end.location != NSNotFound else { break }
            let stop = end.location + end.length
            blocks.append(Block(name: kind == "test" ? "test_" + name : name,
                                arguments: arguments(whole.substring(with: match.range(at: 3))),
                                text: whole.substring(with: NSRange(location: match.range.location, length: stop - match.range.location))))
            from = stop
        }
        return blocks
    }

    /// `a, b=none, c=[1, 2]` → `["a", "b", "c"]`: the names before each top-level `=`.
    static func arguments(_ text: String) -> [String] {
        var names: [String] = []
        var depth = 0
        var current = ""
        var quote: Character?
        for character in text + "," {
            if let open = quote {
                current.append(character)
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "'", "\"": quote = character; current.append(character)
            case "(", "[", "{": depth += 1; current.append(character)
            case ")", "]", "}": depth -= 1; current.append(character)
            case "," where depth == 0:
                let name = current.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
                if !name.isEmpty { names.append(name) }
                current = ""
            default: current.append(character)
            }
        }
        return names
    }
}
