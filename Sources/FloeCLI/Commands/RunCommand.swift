import ArgumentParser
import FloeRuntime
import Foundation

/// `floe run`: compile and apply in one step.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Compile platform.yaml and floe.yaml, write the plan, and apply it.",
        discussion: "Exit codes as `floe compile` for bad input (3, 4), then as `floe apply`.")

    @OptionGroup var options: CompileAndApplyOptions

    func run() throws {
        try Self.compileAndApply(options, mode: .run, command: "run")
    }

    /// What `run`, `build` and `seed` share: compile, write the plan, apply it in `mode`.
    static func compileAndApply(_ options: CompileAndApplyOptions, mode: ApplyOptions.Mode, command: String) throws {
        let spec = options.project.spec
        let destination = options.output ?? CompileCommand.defaultOutput(forSpec: spec)
        let compileStart = Date()
        let plan = try CompileCommand.compileAndWrite(options.project, to: destination, command: command, fullRefresh: options.fullRefresh)
        let compile = DateInterval(start: compileStart, end: Date())
        var flags = options.flags
        if flags.projectDir == nil {
            let directory = (spec as NSString).deletingLastPathComponent
            flags.projectDir = directory.isEmpty ? "." : directory
        }
        try ApplyExecution.run(plan, planPath: destination, flags: flags, mode: mode, fullRefresh: options.fullRefresh, command: command,
                               compile: compile)
    }
}
