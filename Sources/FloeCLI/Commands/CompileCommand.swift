import ArgumentParser
import FloeCompiler
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
        let options = try project.compileOptions()
        let result = ProjectCompiler.compile(options)
        Console.standardError.report(result.diagnostics)
        guard let artifacts = result.artifacts, let json = result.json else { throw FloeExit(.invalidConfiguration) }
        let destination = output ?? Self.defaultOutput(forSpec: project.spec)
        do {
            try AtomicFile.write(json, to: destination)
        } catch {
            Console.standardError.line("error: cannot write \(destination): \(error.localizedDescription)")
            throw FloeExit(.failed)
        }
        Console.standardOutput.line(
            "compiled \(artifacts.product.name) \(artifacts.product.version) for \(artifacts.environment.name) "
                + "(namespace \(artifacts.environment.namespace)) → \(destination)")
    }

    /// `target/artifacts.json` in the directory of floe.yaml, as dbt keeps `target/` in its project.
    static func defaultOutput(forSpec spec: String) -> String {
        let directory = (spec as NSString).deletingLastPathComponent
        return directory.isEmpty ? "target/artifacts.json" : "\(directory)/target/artifacts.json"
    }
}

/// Writes through a temporary file and a rename, so a reader never sees half a plan.
enum AtomicFile {
    static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }
}
