import FloeCore
import Foundation

/// The `{% docs name %}…{% enddocs %}` blocks of a project's markdown files, which descriptions
/// pull in with `{{ doc('name') }}`. The text between the tags is kept as written, trimmed of the
/// blank lines around it; the `{%-`/`-%}` forms are accepted.
enum DocsBlocks {
    /// Blocks by name, and errors for a block without its end or a name given twice.
    static func read(_ text: String, file: String) -> (blocks: [(name: String, text: String, location: SourceLocation)], diagnostics: [Diagnostic]) {
        var blocks: [(String, String, SourceLocation)] = []
        var diagnostics: [Diagnostic] = []
        var rest = Substring(text)
        while let open = rest.range(of: #"\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}"#, options: .regularExpression) {
            let tag = rest[open]
            let name = tag.replacingOccurrences(of: #"^\{%-?\s*docs\s+|\s*-?%\}$"#, with: "", options: .regularExpression)
            let line = text[..<open.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            let location = SourceLocation(file: file, line: line, column: 1)
            let after = rest[open.upperBound...]
            guard let close = after.range(of: #"\{%-?\s*enddocs\s*-?%\}"#, options: .regularExpression) else {
                diagnostics.append(.error(at: location, "docs block '\(name)' has no {% enddocs %}"))
                break
            }
            let body = after[..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            blocks.append((name, body, location))
            rest = after[close.upperBound...]
        }
        return (blocks, diagnostics)
    }
}
