import ArgumentParser
import FloeRuntime

/// `floe seed`: compile, then load the CSV seeds only.
struct SeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Compile, then load the project's CSV seeds (only those --select names, if given).",
        discussion: "A seed whose file is unchanged since it was loaded is up to date; --full-refresh reloads it.")

    @OptionGroup var options: CompileAndApplyOptions

    func run() throws {
        try RunCommand.compileAndApply(options, mode: .seed, command: "seed")
    }
}
