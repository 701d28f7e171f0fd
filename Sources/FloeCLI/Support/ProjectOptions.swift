import ArgumentParser
import FloeCompiler
import FloeCore
import Foundation

/// `--spec`, `--platform`, `--env`, `--vars`: which product, which platform, which environment.
struct ProjectOptions: ParsableArguments {
    @Option(name: .customLong("spec"),
            help: ArgumentHelp("The data product's floe.yaml (default: the nearest floe.yaml here or in a directory above).",
                               valueName: "file"))
    var explicitSpec: String?

    /// `--spec`, else the nearest floe.yaml at or above the working directory, else `floe.yaml`
    /// (which then is reported missing).
    var spec: String { explicitSpec ?? ProjectLocator.nearestSpec() ?? "floe.yaml" }

    @Option(help: ArgumentHelp(
        "The platform.yaml (default: $FLOE_PLATFORM_FILE, else platform.yaml or platform/platform.yaml beside or above the spec).",
        valueName: "file"))
    var platform: String?

    @Option(help: ArgumentHelp("The environment to compile for (default: $FLOE_ENV, else dev).", valueName: "name"))
    var env: String?

    @Option(help: ArgumentHelp("Vars for the dbt project, as a YAML mapping; they override floe.yaml's and dbt_project.yml's.",
                               valueName: "yaml"))
    var vars: String?

    @Flag(name: .customLong("write-json"), inversion: .prefixedNo,
          help: "Write dbt's manifest.json (and semantic_manifest.json) to target/ beside the plan, as dbt's --write-json does.")
    var writeJSON = true

    var environmentName: String {
        if let env { return env }
        if let fromEnvironment = ProcessInfo.processInfo.environment["FLOE_ENV"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "dev"
    }

    /// Compile options for these flags, or an exit after saying which file is missing.
    /// `command` is what dbt's `flags.WHICH` says while templates render.
    func compileOptions(command: String = "compile", fullRefresh: Bool = false) throws -> CompileOptions {
        let environment = ProcessInfo.processInfo.environment
        guard FileManager.default.fileExists(atPath: spec) else {
            Console.standardError.report([.error(
                at: .file(spec), "file not found",
                hint: "run in the directory of floe.yaml, pass --spec PATH, or create one with `floe init`")])
            throw FloeExit(.fileNotFound)
        }
        let platformPath: String
        switch PlatformLocator.locate(explicit: platform, environment: environment, specPath: spec) {
        case .found(let path):
            platformPath = path
        case .missing(let path):
            Console.standardError.report([.error(at: .file(path), "file not found",
                                                 hint: "check the path given by --platform or FLOE_PLATFORM_FILE")])
            throw FloeExit(.fileNotFound)
        case .notFound(let searched):
            Console.standardError.report([.error(
                at: .file(spec), "no platform.yaml found for this spec",
                hint: "looked in \(searched.joined(separator: ", ")); pass --platform PATH or set FLOE_PLATFORM_FILE")])
            throw FloeExit(.fileNotFound)
        }
        let compiledAt: Date
        switch CompileTimestamp.fromEnvironment(environment) {
        case .success(let date): compiledAt = date ?? Date()
        case .failure(let invalid):
            Console.standardError.line("error: SOURCE_DATE_EPOCH must be a whole number of seconds, got '\(invalid.text)'")
            throw FloeExit(.usage)
        }
        return CompileOptions(specPath: spec, platformPath: platformPath, environment: environmentName,
                              compiledAt: compiledAt, processEnvironment: environment, vars: vars, command: command,
                              fullRefresh: fullRefresh)
    }
}
