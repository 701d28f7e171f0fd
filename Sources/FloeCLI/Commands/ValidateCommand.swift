import ArgumentParser
import FloeCompiler
import FloeContract
import FloeCore
import Foundation

/// `floe validate`: every check compile makes, nothing written.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check platform.yaml, floe.yaml and the project; write nothing.",
        discussion: "Reports every problem of every file at once. Exit 0 when valid, 4 when not, 3 when a file is missing.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var project: ProjectOptions

    @Option(help: "text for people, json for editors and CI.")
    var format: Format = .text

    func run() throws {
        let output = ProjectCompiler.compile(try project.compileOptions(command: "parse"))
        switch format {
        case .text:
            Console.standardError.report(output.diagnostics)
            if !output.diagnostics.hasErrors {
                Console.standardOutput.line("\(project.spec): valid (environment \(project.environmentName))")
            }
        case .json:
            Console.standardOutput.write(DiagnosticJSON.document(output.diagnostics).prettyData())
        }
        if output.diagnostics.hasErrors { throw FloeExit(.invalidConfiguration) }
    }
}

/// Diagnostics as JSON: `{"valid", "errors", "warnings", "diagnostics": [{file, line, column, …}]}`.
enum DiagnosticJSON {
    static func document(_ diagnostics: [Diagnostic]) -> JSONDocument {
        .object([
            "valid": .bool(!diagnostics.hasErrors),
            "errors": .integer(diagnostics.errorCount),
            "warnings": .integer(diagnostics.warningCount),
            "diagnostics": .array(diagnostics.sortedByLocation().map { diagnostic in
                var entry: [String: JSONDocument] = [
                    "file": .string(diagnostic.location.file),
                    "line": .integer(diagnostic.location.line),
                    "column": .integer(diagnostic.location.column),
                    "severity": .string(diagnostic.severity.rawValue),
                    "path": .string(diagnostic.path),
                    "message": .string(diagnostic.message),
                ]
                if let hint = diagnostic.hint { entry["hint"] = .string(hint) }
                return .object(entry)
            }),
        ])
    }
}
