import ArgumentParser
import FloeArtifacts
import FloeCompiler
import FloeConnect
import FloeContract
import FloeCore
import FloeRuntime
import FloeSemantic
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

    @Option(name: [.short, .long], parsing: .upToNextOption,
            help: ArgumentHelp("Also write these models' SQL to target/compiled/<path> (dbt's selection syntax).", valueName: "selector"))
    var select: [String] = []

    @Flag(help: "Print the SQL of the one model --select names, instead of the summary.")
    var show = false

    func validate() throws {
        if show && select.isEmpty { throw ValidationError("--show needs --select naming one model: floe compile --select MODEL --show") }
    }

    func run() throws {
        let destination = output ?? Self.defaultOutput(forSpec: project.spec)
        let artifacts = try Self.compileAndWrite(project, to: destination)
        if let analyses = artifacts.analyses {
            // Compiled, never run, as dbt's: their SQL is written where dbt users look for it.
            let target = URL(fileURLWithPath: destination).standardizedFileURL.deletingLastPathComponent().path
            _ = CompiledSQLFiles(targetDirectory: target).writeAnalyses(analyses)
        }
        if !select.isEmpty {
            try writeSelected(artifacts, destination: destination)
        } else {
            Console.standardOutput.line(
                "compiled \(artifacts.product.name) \(artifacts.product.version) for \(artifacts.environment.name) "
                    + "(namespace \(artifacts.environment.namespace)) → \(destination)")
        }
        BackgroundRelease.release(consume artifacts)
    }

    /// `--select`: the selected models' SQL to target/compiled/, or printed with `--show`.
    private func writeSelected(_ plan: CompiledArtifacts, destination: String) throws {
        let listing: (nodes: [PlanListing.Node], warnings: [String])
        do {
            listing = try PlanListing.nodes(in: RunnablePlan(withRollupsOf: plan), select: select, exclude: [])
        } catch {
            Console.standardError.line("error: \(error.description)")
            throw FloeExit(.usage)
        }
        for warning in listing.warnings { Console.standardError.line("warning: \(warning)") }
        let ids = Set(listing.nodes.map(\.uniqueID))
        let models = plan.models.filter { ids.contains($0.uniqueID) }
        if show {
            guard models.count == 1, let model = models.first else {
                Console.standardError.line("error: --show prints one model's SQL, and --select picked \(models.count): "
                    + (models.isEmpty ? "name a model" : models.map(\.name).joined(separator: ", ")))
                throw FloeExit(.usage)
            }
            Console.standardOutput.line(CompiledSQLFiles.shown(model))
            return
        }
        guard !models.isEmpty else {
            Console.standardOutput.line("wrote no SQL: --select picked no model")
            return
        }
        let target = URL(fileURLWithPath: destination).standardizedFileURL.deletingLastPathComponent().path
        for file in CompiledSQLFiles(targetDirectory: target).writeCompiled(models) { Console.standardOutput.line("wrote \(file)") }
    }

    /// Compiles, reports the diagnostics and writes the plan: exit 4 when it does not compile, 1 when it cannot be written.
    /// Compiles and writes the plan to `destination`, unless the plan there is the same one but
    /// for its compile time: then the file is left as it is, so a server following it (floe
    /// serve) reloads only on a real change. With SOURCE_DATE_EPOCH set, the time is part of
    /// what was asked for, and only identical bytes are left.
    static func compileAndWrite(_ project: ProjectOptions, to destination: String, command: String = "compile",
                                fullRefresh: Bool = false) throws -> CompiledArtifacts {
        try compileAndWriteProject(project, to: destination, command: command, fullRefresh: fullRefresh).plan
    }

    /// ``compileAndWrite(_:to:command:fullRefresh:)``, with the dbt projects' macros, docs blocks
    /// and semantic definitions (for the docs site).
    static func compileAndWriteProject(_ project: ProjectOptions, to destination: String, command: String = "compile",
                                       fullRefresh: Bool = false) throws -> (plan: CompiledArtifacts, dbt: DbtProjectDescription?) {
        let result = ProjectCompiler.compile(try project.compileOptions(command: command, fullRefresh: fullRefresh))
        Console.standardError.report(result.diagnostics)
        guard let artifacts = result.artifacts, let encoded = result.encoded else { throw FloeExit(.invalidConfiguration) }
        let existing = FileManager.default.contents(atPath: destination)
        let pinnedTime = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] != nil
        if existing.map({ pinnedTime ? $0 != encoded.data : !Self.samePlan($0, encoded.data) }) ?? true {
            do {
                try AtomicFile.write(encoded, to: destination)
            } catch {
                Console.standardError.line("error: cannot write \(destination): \(error.localizedDescription)")
                throw FloeExit(.failed)
            }
        }
        if project.writeJSON {
            writeManifests(artifacts, project: result.dbt, in: (defaultOutput(forSpec: project.spec) as NSString).deletingLastPathComponent,
                           projectDirectory: (project.spec as NSString).deletingLastPathComponent)
        }
        let dbt = result.dbt
        BackgroundRelease.release(result)
        return (artifacts, dbt)
    }

    /// dbt's `manifest.json` (and `semantic_manifest.json` for a project with a semantic layer) in
    /// the project's `target/` (wherever `-o` puts the plan, as dbt keeps its artifacts in its
    /// target path), for the tools that read dbt's artifacts. A file that cannot be written is a
    /// warning: the plan is what runs.
    static func writeManifests(_ plan: CompiledArtifacts, project: DbtProjectDescription?, in directory: String, projectDirectory: String) {
        let manifest = DbtManifest.data(plan, project: project, projectDirectory: projectDirectory.isEmpty ? "." : projectDirectory,
                                        generatedAt: plan.metadata.compiledAt, invocationID: UUID().uuidString.lowercased())
        var files = [("manifest.json", manifest)]
        if let project, let semantic = SemanticManifest.data(plan, project: project) { files.append(("semantic_manifest.json", semantic)) }
        for (name, bytes) in files {
            let path = directory + "/" + name
            do {
                try AtomicFile.write(Data(bytes), to: path)
            } catch {
                Console.standardError.line("warning: cannot write \(path): \(error.localizedDescription)")
            }
        }
    }

    /// Whether two plans' bytes are equal but for the value of their (first) `compiled_at`.
    static func samePlan(_ old: Data, _ new: Data) -> Bool {
        guard old.count == new.count else { return false }
        guard let oldValue = compileTimeRange(in: old), let newValue = compileTimeRange(in: new),
              oldValue.lowerBound - old.startIndex == newValue.lowerBound - new.startIndex,
              oldValue.upperBound - old.startIndex == newValue.upperBound - new.startIndex else { return old == new }
        return old[..<oldValue.lowerBound] == new[..<newValue.lowerBound] && old[oldValue.upperBound...] == new[newValue.upperBound...]
    }

    /// Where the text of the first `"compiled_at" : "…"` value lies in a plan's bytes.
    private static func compileTimeRange(in plan: Data) -> Range<Data.Index>? {
        guard let key = plan.firstRange(of: Array(#""compiled_at""#.utf8))?.upperBound,
              let open = plan[key...].prefix(8).firstIndex(of: UInt8(ascii: "\"")),
              let close = plan[(open + 1)...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return (open + 1)..<close
    }

    /// `target/artifacts.json` in the directory of floe.yaml, as dbt keeps `target/` in its project.
    static func defaultOutput(forSpec spec: String) -> String {
        let directory = (spec as NSString).deletingLastPathComponent
        return directory.isEmpty ? "target/artifacts.json" : "\(directory)/target/artifacts.json"
    }
}
