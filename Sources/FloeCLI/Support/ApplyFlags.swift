import ArgumentParser
import FloeRuntime
import Foundation

extension IndirectSelection: ExpressibleByArgument {}

/// The flags `apply`, `run` and `test` share.
struct ApplyFlags: ParsableArguments {
    @Option(name: [.short, .long], parsing: .upToNextOption,
            help: ArgumentHelp("Nodes to run, in dbt's syntax: name, +name, name+, tag:x, path:x; space = union, ',' = intersection.",
                               valueName: "selector"))
    var select: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Nodes to leave out, same syntax.", valueName: "selector"))
    var exclude: [String] = []

    @Option(help: ArgumentHelp("Which tests of the selected nodes run without being selected: eager (any node they test is selected), cautious (all are), buildable (all are selected or upstream of the selection), empty (none).",
                               valueName: "mode"))
    var indirectSelection: IndirectSelection = .eager

    @Option(help: ArgumentHelp("Worker threads (default: the compute profile's threads, else 4).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("Where to write floe's run results (default: floe_run_results.json beside the plan; dbt's run_results.json is written beside the plan too).", valueName: "file"))
    var results: String?

    @Option(help: ArgumentHelp("Where the run writes its files (floe_run_results.json, run_results.json, floe.log, compiled/, run/) (default: the plan's directory), as dbt's --target-path; for a plan on a read-only file system.",
                               valueName: "dir"))
    var targetPath: String?

    @Option(help: ArgumentHelp("The directory of floe.yaml, where seed files are found (default: the parent of the plan's target/ directory, else the current one).",
                               valueName: "dir"))
    var projectDir: String?

    @Option(help: ArgumentHelp("Seconds to wait for another apply on the same namespace before refusing.",
                               valueName: "seconds"))
    var lockTimeout: Double = 0

    @Flag(help: "Stop at the first model error or failing test; what runs is interrupted and rolled back.")
    var failFast = false

    @Option(help: ArgumentHelp("Where this run's OpenLineage events go: off, console, file:PATH or an http(s):// URL "
                               + "(default: platform.yaml's observability.lineage; also FLOE_LINEAGE).", valueName: "destination"))
    var lineage: String?

    @Option(help: ArgumentHelp("Where this run's trace and metrics go: an OTLP/HTTP collector's URL (http://jaeger:4318), or off "
                               + "(default: platform.yaml's observability.otlp; also OTEL_EXPORTER_OTLP_ENDPOINT).", valueName: "url"))
    var otlp: String?

    @Option(help: "text: a summary for people; json: the run results on stdout.")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "text: progress lines on stderr and text lines in target/floe.log; json: one JSON object per event in both, shaped like dbt's JSON logs.")
    var logFormat: LogFormat = .text

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if lockTimeout < 0 { throw ValidationError("--lock-timeout must not be negative") }
    }
}
