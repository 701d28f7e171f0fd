import FloeCompiler
import FloeContract
import Foundation

/// The plan a command that reads the project runs (`test`, `show`, `demo`, `query`, `serve`), never
/// a stale one: without a plan named, the project is compiled first, as dbt's commands parse the
/// project first (compiling is fast, and a plan equal to the one in target/ is not rewritten);
/// a plan named is refused when a file it was compiled from has changed since.
enum CurrentPlan {
    static func load(named: String?, project: ProjectOptions, command: String) throws -> (plan: CompiledArtifacts, path: String) {
        guard let named else {
            let path = CompileCommand.defaultOutput(forSpec: project.spec)
            return (try CompileCommand.compileAndWrite(project, to: path, command: command), path)
        }
        let plan = try PlanFile.load(named)
        let changed = PlanFreshness.changedInputs(of: plan, projectDirectory: PlanFile.projectDirectory(forPlan: named))
        guard changed.isEmpty else {
            let shown = changed.prefix(5).joined(separator: ", ") + (changed.count > 5 ? " and \(changed.count - 5) more" : "")
            Console.standardError.line("\(named): error: the plan is stale: \(shown) changed since it was compiled\n"
                + "  hint: compile it again (floe compile), or name no plan and floe \(command) compiles the project first")
            throw FloeExit(.invalidConfiguration)
        }
        return (plan, named)
    }
}
