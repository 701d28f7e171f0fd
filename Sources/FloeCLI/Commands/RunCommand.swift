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
        let destination = output ?? CompileCommand.defaultOutput(forSpec: project.spec)
        let plan = try CompileCommand.compileAndWrite(project, to: destination)
        var flags = flags
        if flags.projectDir == nil {
            let directory = (project.spec as NSString).deletingLastPathComponent
            flags.projectDir = directory.isEmpty ? "." : directory
        }
        try ApplyExecution.run(plan, planPath: destination, flags: flags, mode: .build, fullRefresh: fullRefresh, command: "run")
    }
}
