import ArgumentParser
import FloeCompiler
import FloeContract
import FloeCore
import FloeRuntime
import Foundation

/// `floe debug`: what floe found and whether it can run, as dbt debug says it. Secret values are
/// never shown: only where each secret would be read from.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Show versions, files found, profiles resolved, secrets resolvable and whether the engine can be reached.",
        discussion: "Secret values are never shown. Exit 0 when every check passes, 4 when the project does not compile, "
            + "5 when a secret cannot be resolved, 6 when the engine cannot be reached.")

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
        out.line("compile:       ok: \(plan.models.count) models, \(plan.seeds.count) seeds, \(plan.sources.count) sources, "
            + "\(plan.tests.count) tests, \(plan.synthetic.count) synthetic tables")
        for transform in plan.transforms { out.line("project:       \(transform.type) at \(transform.path)") }
        out.line("namespace:     \(plan.environment.namespace)")
        out.line("profiles:")
        for (role, profile) in [("compute", plan.profiles.compute), ("storage", plan.profiles.storage), ("catalog", plan.profiles.catalog)] {
            out.line("  \(role.padding(toLength: 8, withPad: " ", startingAt: 0)) \(profile.logicalName) → \(profile.name) (\(profile.type))")
        }
        var failure: FloeExitCode?
        let environment = ProcessInfo.processInfo.environment
        let secrets = SecretResolver(settings: plan.secrets, environment: environment)
        out.line("secrets:" + (plan.secretReferences.isEmpty ? " none referenced" : ""))
        // Only the compute profile's secrets stop an apply; the others are reported for what needs them.
        let users: [(String, [SecretReference])] = [
            ("the compute profile, for floe apply", plan.profiles.compute.secretReferences),
            ("the storage profile", plan.profiles.storage.secretReferences),
            ("the catalog profile", plan.profiles.catalog.secretReferences),
            ("the query API, for floe serve", plan.semantic?.apiSecret.map { [$0] } ?? []),
        ]
        for reference in plan.secretReferences {
            let user = users.first { $0.1.contains(reference) }?.0 ?? "the plan"
            do {
                out.line("  \(reference): ok, from the \(try secrets.source(of: reference)) (used by \(user))")
            } catch {
                out.line("  \(reference): MISSING (used by \(user)): looked for the environment variable "
                    + "\(error.environmentVariable) and the file \(error.filePath)")
                if plan.profiles.compute.secretReferences.contains(reference) { failure = failure ?? .secretNotResolvable }
            }
        }
        let directory = (options.specPath as NSString).deletingLastPathComponent
        do {
            let engine = try EngineFactory.engine(for: plan, projectDirectory: directory.isEmpty ? "." : directory, secrets: secrets)
            out.line("engine:        ok: \(try engine.check(namespace: plan.environment.namespace).summary)")
        } catch let error as ExecutorError {
            if error.kind != .secret { out.line("engine:        \(error.message)") }
            failure = failure ?? FloeExitCode(error)
        } catch {
            out.line("engine:        cannot be reached: \(error)")
            failure = failure ?? .engineUnreachable
        }
        if let failure {
            out.line("Some checks failed.")
            throw FloeExit(failure)
        }
        out.line("All checks passed.")
    }
}

