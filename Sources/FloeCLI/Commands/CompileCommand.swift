import ArgumentParser
import FloeCompiler
import FloeContract
import FloeCore
import Foundation

/// `floe compile`: validate, resolve and write the plan.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile platform.yaml and floe.yaml into a secret-free plan (artifacts.json).",
        discussion: """
            The plan is byte-identical for identical inputs when SOURCE_DATE_EPOCH is set. \
            It holds secret references, never secret values; compile refuses to write a plan \
            in which any string looks like a secret.
            """)

    @OptionGroup var project: ProjectOptions

    @Option(name: [.short, .customLong("output")],
            help: ArgumentHelp("Where to write the plan (default: target/artifacts.json beside the spec).", valueName: "file"))
    var output: String?

    func run() throws {
        let destination = output ?? Self.defaultOutput(forSpec: project.spec)
        let artifacts = try Self.compileAndWrite(project, to: destination)
        Console.standardOutput.line(
            "compiled \(artifacts.product.name) \(artifacts.product.version) for \(artifacts.environment.name) "
                + "(namespace \(artifacts.environment.namespace)) → \(destination)")
        BackgroundRelease.release(consume artifacts)
    }

    /// Compiles, reports the diagnostics and writes the plan: exit 4 when it does not compile, 1 when it cannot be written.
    static func compileAndWrite(_ project: ProjectOptions, to destination: String) throws -> CompiledArtifacts {
        let result = ProjectCompiler.compile(try project.compileOptions())
        Console.standardError.report(result.diagnostics)
        guard let artifacts = result.artifacts, let encoded = result.encoded else { throw FloeExit(.invalidConfiguration) }
        do {
            try AtomicFile.write(encoded, to: destination)
        } catch {
            Console.standardError.line("error: cannot write \(destination): \(error.localizedDescription)")
            throw FloeExit(.failed)
        }
        BackgroundRelease.release(result)
        return artifacts
    }

    /// `target/artifacts.json` in the directory of floe.yaml, as dbt keeps `target/` in its project.
    static func defaultOutput(forSpec spec: String) -> String {
        let directory = (spec as NSString).deletingLastPathComponent
        return directory.isEmpty ? "target/artifacts.json" : "\(directory)/target/artifacts.json"
    }
}
