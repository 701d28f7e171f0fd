import FloeContract
import FloeRuntime
import Foundation

/// Reads a plan for the executor commands: exit 3 when the file is missing, 4 when it is not a
/// plan this floe can run.
enum PlanFile {
    static func load(_ path: String) throws -> CompiledArtifacts {
        do {
            return try PlanLoader.load(path)
        } catch .notFound {
            Console.standardError.line("\(path): error: file not found\n  hint: write a plan with `floe compile`, or run `floe run` to compile and apply in one step")
            throw FloeExit(.fileNotFound)
        } catch .unreadable(let reason) {
            Console.standardError.line("\(path): error: \(reason)\n  hint: \(recompile)")
            throw FloeExit(.invalidConfiguration)
        } catch .invalid(let problems) {
            for problem in problems {
                Console.standardError.line("\(path): error: \(problem.path): \(problem.message)")
            }
            Console.standardError.line("  hint: \(recompile)\n\(problems.count) error\(problems.count == 1 ? "" : "s")")
            throw FloeExit(.invalidConfiguration)
        }
    }

    static let recompile = "write the plan again with `floe compile` (a plan is only ever written by it, whole)"

    /// The directory of floe.yaml for a plan: the parent of its `target/` directory, as
    /// `floe compile` writes it, else the current directory.
    static func projectDirectory(forPlan path: String) -> String {
        let directory = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        if directory.lastPathComponent == "target" { return directory.deletingLastPathComponent().path }
        return FileManager.default.currentDirectoryPath
    }
}
