import ArgumentParser
import FloeCore
import Foundation

/// The `floe` command: its subcommands and the process entry point.
public struct FloeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "floe",
        abstract: "Compile and run declarative data products.",
        discussion: """
            A platform team describes infrastructure in platform.yaml; a data team describes a data \
            product in floe.yaml. `floe compile` turns both into one secret-free plan \
            (artifacts.json) that the other commands run.

            Exit codes: 0 ok, 1 failed run or tests, 2 usage, 3 file not found, \
            4 invalid configuration, 5 secret not resolvable, 6 engine unreachable.
            """,
        version: "floe \(FloeVersion.current)",
        subcommands: [
            InitCommand.self, ValidateCommand.self, CompileCommand.self, RunCommand.self, BuildCommand.self, SeedCommand.self, SnapshotCommand.self, DeployCommand.self,
            ApplyCommand.self, DemoCommand.self, ScheduleCommand.self, TestCommand.self, ShowCommand.self, QueryCommand.self, ServeCommand.self, LsCommand.self, LineageCommand.self, DocsCommand.self, DebugCommand.self, PreflightCommand.self, DepsCommand.self, CleanCommand.self, RestoreCommand.self,
            SchemaCommand.self,
        ]
    )

    public init() {}

    /// Runs `floe` with `arguments` (without the program name) and returns the exit code.
    /// Usage errors exit 2, not ArgumentParser's 64, as the documented codes say.
    public static func main(arguments: [String]) -> Int32 {
        if let problem = unknownSubcommand(in: arguments) {
            Console.standardError.line(problem)
            return FloeExitCode.usage.rawValue
        }
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            return report(error, as: .usage)
        }
        do {
            try command.run()
            return FloeExitCode.ok.rawValue
        } catch let exit as FloeExit {
            return exit.code.rawValue
        } catch {
            // A usage error a command finds late is still a usage error; anything else that
            // reaches here was not foreseen, and is a failure (1), said in one line.
            let code = exitCode(for: error)
            if code == .validationFailure || code == .success { return report(error, as: .usage) }
            let path = (error as? CocoaError)?.filePath.map { "\($0): " } ?? ""
            Console.standardError.line("error: \(path)\(error.localizedDescription)")
            return FloeExitCode.failed.rawValue
        }
    }

    /// Prints what ArgumentParser says of `error` (`--help` and `--version` to standard output)
    /// and returns `code`, or 0 for those.
    private static func report(_ error: any Error, as code: FloeExitCode) -> Int32 {
        let message = fullMessage(for: error)
        if exitCode(for: error) == .success {
            Console.standardOutput.line(message)
            return FloeExitCode.ok.rawValue
        }
        // ArgumentParser writes `Error:`; floe's messages are `error:` everywhere.
        Console.standardError.line(message.hasPrefix("Error: ") ? "error: " + message.dropFirst(7) : message)
        return code.rawValue
    }

    /// `floe biuld` or `floe help biuld`: an unknown command, with the nearest one; nil when the
    /// first word is a command, an option, or absent.
    static func unknownSubcommand(in arguments: [String]) -> String? {
        let names = configuration.subcommands.flatMap { [$0.configuration.commandName].compactMap { $0 } + $0.configuration.aliases } + ["help"]
        var words = arguments[...]
        if words.first == "help" { words = words.dropFirst() }
        guard let word = words.first, !word.hasPrefix("-"), !names.contains(word) else { return nil }
        let suggestion = Suggestions.didYouMean(word, in: names).map { "\n  hint: \($0)" }
            ?? "\n  hint: `floe --help` lists the commands"
        return "error: unknown command '\(word)'" + suggestion
    }
}
