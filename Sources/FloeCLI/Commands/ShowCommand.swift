import ArgumentParser
import FloeConnect
import FloeEngine
import FloeRuntime
import FloeSemantic
import Foundation

/// `floe show`: a built model's rows.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the rows of a built model, seed or source, or a failing test's rows.",
        usage: "floe show [<artifacts.json>] <name> [--failures] [--snapshot <k>] [--limit <n>] [--format <format>] [--project-dir <dir>] [project flags]")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Argument(help: ArgumentHelp(
        "[artifacts.json] NAME: a plan (default: the project compiled first, into target/artifacts.json), then the model, seed or source to show; with --failures, a test.",
        valueName: "name"))
    var arguments: [String] = []

    /// The plan and the node: `show NAME` or `show PLAN NAME`.
    var artifacts: String? { arguments.count == 2 ? arguments[0] : nil }
    var model: String { arguments.last ?? "" }

    @Flag(help: "Show the failing rows the last run stored for the test named (dbt's store_failures).")
    var failures = false

    @Option(help: ArgumentHelp("Show an earlier version of the model: 1 is the one before the current (floe.yaml's snapshots).",
                               valueName: "k"))
    var snapshot: Int?

    @Option(help: "Rows to print; 0 = all.")
    var limit: Int = 10

    @Option(help: "table for people; csv or json for programs.")
    var format: Format = .table

    @Option(help: ArgumentHelp("The directory of floe.yaml (default: the parent of the plan's target/ directory).", valueName: "dir"))
    var projectDir: String?

    @OptionGroup var project: ProjectOptions

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (all) or more") }
        guard (1...2).contains(arguments.count) else {
            throw ValidationError("name the model to show: floe show [artifacts.json] NAME")
        }
    }

    func run() throws {
        let (plan, path) = try CurrentPlan.load(named: artifacts, project: project, command: "show")
        let rows: ResultSet
        do {
            rows = try RelationPreview.rows(
                of: model, failures: failures, snapshot: snapshot, in: RunnablePlan(withRollupsOf: plan), limit: limit == 0 ? nil : limit,
                projectDirectory: projectDir ?? PlanFile.projectDirectory(forPlan: path),
                environment: ProcessInfo.processInfo.environment)
        } catch {
            Console.standardError.line("error: \(error.description)")
            throw FloeExit(FloeExitCode(error))
        }
        switch format {
        case .table: Console.standardOutput.write(RowFormatter.table(rows))
        case .csv: Console.standardOutput.write(RowFormatter.csv(rows))
        case .json: Console.standardOutput.write(RowFormatter.json(rows))
        }
    }
}
