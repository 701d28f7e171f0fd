import ArgumentParser
import FloeRuntime
import Foundation

/// `floe run`: compile and apply in one step.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Compile platform.yaml and floe.yaml, write the plan, and apply it.",
        discussion: "Exit codes as `floe compile` for bad input (3, 4), then as `floe apply`.")

    @OptionGroup var project: ProjectOptions
    @OptionGroup var flags: ApplyFlags

    @Flag(help: "Rebuild everything selected; incremental models from scratch.")
    var fullRefresh = false

    @Option(name: [.short, .customLong("output")],
            help: ArgumentHelp("Where to write the plan (default: target/artifacts.json beside the spec).", valueName: "file"))
    var output: String?

    func run() throws {
        try Self.compileAndApply(project, flags: flags, output: output, mode: .build, fullRefresh: fullRefresh, command: "run")
    }

    /// What `run`, `build` and `seed` share: compile, write the plan, apply it in `mode`.
    static func compileAndApply(_ project: ProjectOptions, flags: ApplyFlags, output: String?, mode: ApplyOptions.Mode,
                                fullRefresh: Bool, command: String) throws {
        let spec = project.spec
        let destination = output ?? CompileCommand.defaultOutput(forSpec: spec)
        let plan = try CompileCommand.compileAndWrite(project, to: destination)
        var flags = flags
        if flags.projectDir == nil {
            let directory = (spec as NSString).deletingLastPathComponent
            flags.projectDir = directory.isEmpty ? "." : directory
        }
        try ApplyExecution.run(plan, planPath: destination, flags: flags, mode: mode, fullRefresh: fullRefresh, command: command)
    }
}
