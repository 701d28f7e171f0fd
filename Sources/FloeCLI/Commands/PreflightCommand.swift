import ArgumentParser
import FloeCompiler
import FloeCore
import FloePreflight
import FloeRuntime
import Foundation

/// `floe preflight`: before a deploy, checks that an environment's engine, storage, catalog,
/// secrets and observability endpoints answer (seed 001 §1). Secret values are never shown.
struct PreflightCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preflight",
        abstract: "Check that an environment's engine, storage, catalog, secrets and observability endpoints are ready.",
        discussion: "The checks run side by side, each waiting at most --timeout seconds. Observability endpoints "
            + "only warn. Exit 0 when no check is an error, 1 when one is, 4 when the project does not compile.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @OptionGroup var project: ProjectOptions

    @Option(help: "table: one line per check; json: seed 001's PreflightReport. (default: table on a terminal, else json)")
    var format: Format?

    @Option(help: ArgumentHelp("Seconds to wait for each check.", valueName: "seconds"))
    var timeout: Double = 10

    @Flag(help: "Run the checks one after another and stop at the first error.")
    var failFast = false

    func validate() throws {
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
    }

    func run() throws {
        let options = try project.compileOptions()
        let compiled = ProjectCompiler.compile(options)
        Console.standardError.report(compiled.diagnostics.filter { $0.severity == .error })
        guard let plan = compiled.artifacts else { throw FloeExit(.invalidConfiguration) }
        let directory = (options.specPath as NSString).deletingLastPathComponent
        let checks = PreflightChecks.all(for: plan, projectDirectory: directory.isEmpty ? "." : directory,
                                         environment: ProcessInfo.processInfo.environment, timeout: timeout)
        let report = PreflightReport(timestamp: Self.now(), environment: plan.environment.name,
                                     checks: PreflightRunner.run(checks, timeout: timeout, failFast: failFast))
        let out = Console.standardOutput
        switch format ?? (out.isCapableTerminal ? .table : .json) {
        case .json: out.line(report.json)
        case .table: out.write(Self.table(report, color: out.useColor))
        }
        if !report.passed { throw FloeExit(.failed) }
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    /// One line per check, its remediation under it, then the verdict.
    static func table(_ report: PreflightReport, color: Bool) -> String {
        func paint(_ status: PreflightResult.Status) -> String {
            let word = status.rawValue.uppercased()
            guard color else { return word.padding(toLength: 7, withPad: " ", startingAt: 0) }
            let code = switch status { case .ok: "32"; case .warning: "33"; case .error: "31" }
            return "\u{1B}[\(code)m\(word)\u{1B}[0m" + String(repeating: " ", count: 7 - word.count)
        }
        let width = max(7, report.checks.map(\.service.count).max() ?? 0)
        var text = "floe preflight: environment \(report.environment)\n"
        for check in report.checks {
            let time = "\(check.durationMS) ms".padding(toLength: 9, withPad: " ", startingAt: 0)
            text += "  \(check.service.padding(toLength: width, withPad: " ", startingAt: 0))  \(paint(check.status))  \(time)  \(check.message)\n"
            if let remediation = check.remediation, check.status != .ok {
                text += String(repeating: " ", count: width + 24) + "fix: \(remediation)\n"
            }
        }
        let errors = report.checks.filter { $0.status == .error }.count
        let warnings = report.checks.filter { $0.status == .warning }.count
        text += report.passed
            ? "PASS: \(report.checks.count) checks, \(warnings) warning\(warnings == 1 ? "" : "s")\n"
            : "FAIL: \(errors) of \(report.checks.count) checks failed, \(warnings) warning\(warnings == 1 ? "" : "s")\n"
        return text
    }
}
