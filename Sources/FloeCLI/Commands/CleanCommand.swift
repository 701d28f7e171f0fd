import ArgumentParser
import FloeCompiler
import Foundation

/// `floe clean`: removes what compiles and runs write beside floe.yaml, as dbt clean does.
struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Remove target/ (the plan, compiled SQL, run results, floe.log) beside the nearest floe.yaml.",
        discussion: "The warehouse (for SQLite, the files under .floe/) is data, not a build product: clean leaves it alone.")

    @Option(help: ArgumentHelp("The data product's floe.yaml (default: the nearest floe.yaml here or in a directory above).",
                               valueName: "file"))
    var spec: String?

    func run() throws {
        guard let spec = spec ?? ProjectLocator.nearestSpec() else {
            Console.standardError.line("error: no floe.yaml here or in a directory above\n  hint: run in a data product's directory, or pass --spec PATH")
            throw FloeExit(.fileNotFound)
        }
        let target = URL(fileURLWithPath: CompileCommand.defaultOutput(forSpec: spec)).deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: target.path) else {
            Console.standardOutput.line("nothing to clean: \(RelativePath.shown(target)) does not exist")
            return
        }
        do {
            try FileManager.default.removeItem(at: target)
        } catch {
            Console.standardError.line("error: cannot remove \(RelativePath.shown(target)): \(error.localizedDescription)")
            throw FloeExit(.failed)
        }
        Console.standardOutput.line("removed \(RelativePath.shown(target))/")
    }
}
