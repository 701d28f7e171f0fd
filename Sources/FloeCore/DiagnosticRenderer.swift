/// Turns diagnostics into the text a terminal user reads.
public struct DiagnosticRenderer: Sendable {
    /// ANSI colours; off when `NO_COLOR` is set or the output is not a terminal.
    public var useColor: Bool

    public init(useColor: Bool) {
        self.useColor = useColor
    }

    /// `file:line:col: error: path: message` and, on the next line, `  hint: …`.
    public func render(_ diagnostic: Diagnostic) -> String {
        let severity: String
        switch diagnostic.severity {
        case .error: severity = paint("error:", code: "1;31")
        case .warning: severity = paint("warning:", code: "1;33")
        }
        var text = "\(paint("\(diagnostic.location):", code: "1")) \(severity) \(diagnostic.headline)"
        if let hint = diagnostic.hint {
            text += "\n  \(paint("hint:", code: "36")) \(hint)"
        }
        return text
    }

    /// Every diagnostic in location order, then a count line such as `2 errors, 1 warning`.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        var lines = diagnostics.sortedByLocation().map(render)
        let summary = Self.summary(errors: diagnostics.errorCount, warnings: diagnostics.warningCount)
        if !summary.isEmpty { lines.append(summary) }
        return lines.joined(separator: "\n")
    }

    /// `3 errors, 1 warning`; empty when there is nothing to report.
    public static func summary(errors: Int, warnings: Int) -> String {
        var parts: [String] = []
        if errors > 0 { parts.append(errors == 1 ? "1 error" : "\(errors) errors") }
        if warnings > 0 { parts.append(warnings == 1 ? "1 warning" : "\(warnings) warnings") }
        return parts.joined(separator: ", ")
    }

    /// `text` in the ANSI style `code` (`1;31` bold red) when colour is on.
    public func paint(_ text: String, code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
