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
            InitCommand.self, ValidateCommand.self, CompileCommand.self, RunCommand.self, BuildCommand.self, SeedCommand.self,
            ApplyCommand.self, TestCommand.self, ShowCommand.self, LsCommand.self, DebugCommand.self, CleanCommand.self,
            SchemaCommand.self,
        ]
    )

    public init() {}

    /// Runs `floe` with `arguments` (without the program name) and returns the exit code.
    /// Usage errors exit 2, not ArgumentParser's 64, as the documented codes say.
    public static func main(arguments: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return FloeExitCode.ok.rawValue
        } catch let exit as FloeExit {
            return exit.code.rawValue
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                Console.standardOutput.line(message)
                return FloeExitCode.ok.rawValue
            }
            Console.standardError.line(message)
            return FloeExitCode.usage.rawValue
        }
    }
}
