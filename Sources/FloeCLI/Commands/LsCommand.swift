import ArgumentParser
import FloeCompiler
import FloeConnect
import FloeContract
import FloeCore
import FloeRuntime
import FloeSemantic
import Foundation

/// `floe ls`: the project's nodes, as dbt ls lists them.
struct LsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the project's nodes (compiled from the files as they are now), with --select and --exclude.",
        discussion: "floe list is the same command, as dbt has both. Exit 4 when the project does not compile, 2 for a bad selector.",
        aliases: ["list"])

    enum Output: String, ExpressibleByArgument, CaseIterable {
        /// Type, name, materialization, tags and path in aligned columns.
        case text
        case name, path
        /// One JSON object per line, as dbt ls --output json.
        case json
    }

    @OptionGroup var project: ProjectOptions

    @Option(name: [.short, .long], parsing: .upToNextOption,
            help: ArgumentHelp("Nodes to list, in dbt's selection syntax.", valueName: "selector"))
    var select: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Nodes to leave out, same syntax.", valueName: "selector"))
    var exclude: [String] = []

    @Option(help: ArgumentHelp("Which tests of the listed nodes are listed without being selected: eager, cautious, buildable or empty (as floe build).",
                               valueName: "mode"))
    var indirectSelection: IndirectSelection = .eager

    @Option(help: "text: a table; name or path: one per line; json: one object per line.")
    var output: Output = .text

    /// `schedule: */10 * * * * (UTC); next 2026-…Z; last slot …: success`: the product's schedule,
    /// its next slot, and the last slot `floe schedule` ended here (target/floe_schedule.json).
    private func scheduleLine(_ plan: CompiledArtifacts) -> String? {
        guard let schedule = plan.product.schedule, let (cron, zone) = try? ScheduleLoop.schedule(of: plan) else { return nil }
        var line = "schedule: \(schedule.cron) (\(schedule.timezone))"
        if let next = cron.next(after: Int64(Date().timeIntervalSince1970), in: zone) {
            line += "; next \(Timestamp.string(Date(timeIntervalSince1970: TimeInterval(next))))"
        }
        if let last = ScheduleStatusFile.lastSlot(beside: CompileCommand.defaultOutput(forSpec: project.spec)) { line += "; \(last)" }
        return line
    }

    func run() throws {
        let compiled = ProjectCompiler.compile(try project.compileOptions(command: "list"))
        Console.standardError.report(compiled.diagnostics.filter { $0.severity == .error })
        guard let plan = compiled.artifacts else { throw FloeExit(.invalidConfiguration) }
        let listing: (nodes: [PlanListing.Node], warnings: [String])
        do {
            listing = try PlanListing.nodes(in: RunnablePlan(withRollupsOf: plan), select: select, exclude: exclude, indirect: indirectSelection)
        } catch {
            Console.standardError.line("error: \(error.description)")
            throw FloeExit(.usage)
        }
        for warning in listing.warnings { Console.standardError.line("warning: \(warning)") }
        let nodes = listing.nodes
        switch output {
        case .name:
            for node in nodes { Console.standardOutput.line(node.name) }
        case .path:
            for path in nodes.compactMap(\.path) { Console.standardOutput.line(path) }
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for node in nodes {
                Console.standardOutput.line(String(decoding: (try? encoder.encode(node)) ?? Data(), as: UTF8.self))
            }
        case .text:
            let rows = [["TYPE", "NAME", "MATERIALIZED", "TAGS", "PATH"]] + nodes.map {
                [$0.resourceType, $0.name, ($0.materialized ?? "") + ($0.renderAtApply == true ? " (rendered at apply)" : ""),
                 $0.tags.joined(separator: ","), $0.path ?? ""]
            }
            let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let padded = row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                Console.standardOutput.line(padded.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
            if let line = scheduleLine(plan) { Console.standardOutput.line("\n" + line) }
        }
    }
}
