import ArgumentParser
import FloeCompiler
import FloeContract
import FloeCore
import FloePreflight
import FloeRuntime
import Foundation

/// `floe debug`: what floe found and whether it can run, as dbt debug says it. Secret values are
/// never shown: only where each secret would be read from.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Show versions, files found, profiles resolved, and floe preflight's checks of secrets, engine, storage and catalog.",
        discussion: "Secret values are never shown. The checks and the verdict are floe preflight's. Exit 0 when no check "
            + "is an error, 4 when the project does not compile, 5 when a secret cannot be resolved, 6 when the engine "
            + "cannot be reached, 1 when another check fails.")

    /// How long each check may take.
    static let timeout = 5.0

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let out = Console.standardOutput
        out.line("floe \(FloeVersion.current)")
        out.line("working directory: \(FileManager.default.currentDirectoryPath)")
        let options = try project.compileOptions()
        out.line("floe.yaml:     \(options.specPath)")
        out.line("platform.yaml: \(options.platformPath)")
        out.line("environment:   \(options.environment)")
        let compiled = ProjectCompiler.compile(options)
        guard let plan = compiled.artifacts else {
            out.line("compile:       \(compiled.diagnostics.errorCount) error(s); `floe validate` lists them")
            throw FloeExit(.invalidConfiguration)
        }
        out.line("compile:       ok: \(counted(plan.models.count, "model")), \(counted(plan.seeds.count, "seed")), "
            + "\(counted(plan.sources.count, "source")), \(counted(plan.tests.count, "test")), \(counted(plan.synthetic.count, "synthetic table"))")
        for transform in plan.transforms { out.line("project:       \(transform.type) at \(transform.path)") }
        out.line("namespace:     \(plan.environment.namespace)")
        out.line("profiles:")
        for (role, profile) in [("compute", plan.profiles.compute), ("storage", plan.profiles.storage), ("catalog", plan.profiles.catalog)] {
            out.line("  \(role.padding(toLength: 8, withPad: " ", startingAt: 0)) \(profile.logicalName) → \(profile.name) (\(profile.type))")
        }
        // The checks are floe preflight's, run the same way: one implementation, one verdict.
        let directory = (options.specPath as NSString).deletingLastPathComponent
        let checks = PreflightChecks.all(for: plan, projectDirectory: directory.isEmpty ? "." : directory,
                                         environment: ProcessInfo.processInfo.environment, timeout: Self.timeout)
        let results = PreflightRunner.run(checks, timeout: Self.timeout, failFast: false)
        let users: [(String, [SecretReference])] = [
            ("the compute profile, for floe apply", plan.profiles.compute.secretReferences),
            ("the storage profile", plan.profiles.storage.secretReferences),
            ("the catalog profile", plan.profiles.catalog.secretReferences),
            ("the query API, for floe serve", plan.semantic?.apiSecret.map { [$0] } ?? []),
        ]
        out.line("checks (as floe preflight runs them):")
        for result in results {
            var line = "  \(result.service.padding(toLength: 13, withPad: " ", startingAt: 0)) \(result.status.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0)) \(result.message)"
            if let reference = result.details["reference"], let user = users.first(where: { $0.1.contains { $0.description == reference } }) {
                line += " (used by \(user.0))"
            }
            out.line(line)
            if result.status != .ok, let remediation = result.remediation { out.line("                        fix: \(remediation)") }
        }
        let report = PreflightReport(timestamp: "", environment: plan.environment.name, checks: results)
        guard report.passed else {
            out.line("Some checks failed.")
            let failed = results.filter { $0.status == .error }.map(\.service)
            throw FloeExit(failed.contains("secret") ? .secretNotResolvable : failed.contains("compute") ? .engineUnreachable : .failed)
        }
        out.line("All checks passed.")
    }
}

