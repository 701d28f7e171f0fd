import FloeCore
import FloeJinja
import FloeTemplates
import FloeYAML
import Foundation

/// `--vars '{key: value}'`: a YAML (or JSON) mapping given on the command line.
enum CommandLineVars {
    static func parse(_ text: String?) -> (vars: [String: ConfigInput], diagnostics: [Diagnostic]) {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return ([:], []) }
        let (value, diagnostics) = YAMLLoader().load(data: Data(text.utf8), displayPath: "--vars")
        guard !diagnostics.hasErrors else { return ([:], diagnostics) }
        guard let entries = value?.entries else {
            return ([:], [.error(at: .file("--vars"), "expected a mapping of var names to values, got \(value?.kindDescription ?? "nothing")",
                                 hint: "--vars '{start_date: \"2024-01-01\", regions: [EMEA]}'")])
        }
        var vars: [String: ConfigInput] = [:]
        for entry in entries { vars[entry.key] = ConfigInput(entry.value) }
        return (vars, [])
    }
}
