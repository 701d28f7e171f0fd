import ArgumentParser
import FloeRuntime

/// `floe snapshot`: compile, then build the dbt project's snapshots only.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Compile, then build the project's snapshots (only those --select names, if given).",
        discussion: "Each run records what changed in the snapshots' SELECTs since the last: a snapshot is never up to date. "
            + "`floe build` and `floe apply` build snapshots too, in the graph's order; `floe run` does not, as dbt's run does not.")

    @OptionGroup var options: CompileAndApplyOptions

    func run() throws {
        try RunCommand.compileAndApply(options, mode: .snapshot, command: "snapshot")
    }
}
