import ArgumentParser
import FloeRuntime

/// `floe seed`: compile, then load the CSV seeds only.
struct SeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Compile, then load the project's CSV seeds (only those --select names, if given).",
        discussion: "A seed whose file is unchanged since it was loaded is up to date; --full-refresh reloads it.")

    @OptionGroup var project: ProjectOptions
    @OptionGroup var flags: ApplyFlags

    @Flag(help: "Reload every selected seed.")
    var fullRefresh = false

    @Option(name: [.short, .customLong("output")],
            help: ArgumentHelp("Where to write the plan (default: target/artifacts.json beside the spec).", valueName: "file"))
    var output: String?

    func run() throws {
        try RunCommand.compileAndApply(project, flags: flags, output: output, mode: .seed, fullRefresh: fullRefresh, command: "seed")
    }
}
