import ArgumentParser
import FloeCompiler
import Foundation

/// `floe schema`: write the JSON Schemas of platform.yaml, floe.yaml and the plan.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Write the JSON Schemas (draft 2020-12) of platform.yaml, floe.yaml and artifacts.json.",
        discussion: "Point your editor's YAML language server at them for completion and checking as you type.")

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The directory to write to.", valueName: "dir"))
    var output: String = "schemas"

    func run() throws {
        for (file, schema) in SchemaCatalog.all() {
            let path = (output as NSString).appendingPathComponent(file)
            do {
                try AtomicFile.write(schema.prettyData(), to: path)
            } catch {
                Console.standardError.line("error: cannot write \(path): \(error.localizedDescription)")
                throw FloeExit(.failed)
            }
            Console.standardOutput.line("wrote \(path)")
        }
    }
}
