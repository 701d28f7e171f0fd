import ArgumentParser
import FloeRuntime
import Foundation

/// `floe restore MODEL --snapshot K`: an earlier version of a table back in place.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put an earlier version of a table or incremental model back (floe.yaml's snapshots: {keep: N}).",
        discussion: "Atomic; the version replaced becomes snapshot 1, so a restore can be undone the same way. "
            + "`floe show MODEL --snapshot K` shows a snapshot first. Exit 1 when there is no such snapshot.")

    @Argument(help: ArgumentHelp("[artifacts.json] MODEL: the plan (default: target/artifacts.json beside the nearest floe.yaml), then the model.",
                                 valueName: "artifacts.json] [model"))
    var arguments: [String] = []

    @Option(help: ArgumentHelp("Which snapshot: 1 is the version before the current one.", valueName: "k"))
    var snapshot: Int

    @Option(help: ArgumentHelp("Seconds to wait for an apply on the namespace to finish (default 0).", valueName: "seconds"))
    var lockTimeout: Double = 0

    func validate() throws {
        guard (1...2).contains(arguments.count) else { throw ValidationError("name the model: floe restore [artifacts.json] MODEL --snapshot K") }
        if snapshot < 1 { throw ValidationError("--snapshot must be 1 or more") }
    }

    func run() throws {
        let path = arguments.count == 2 ? arguments[0] : ProjectLocator.defaultPlan()
        let plan = try PlanFile.load(path)
        do {
            let message = try SnapshotRestore.restore(arguments.last ?? "", snapshot: snapshot, in: plan,
                                                      projectDirectory: PlanFile.projectDirectory(forPlan: path),
                                                      environment: ProcessInfo.processInfo.environment, lockTimeout: lockTimeout)
            Console.standardOutput.line(message)
        } catch {
            Console.standardError.line("error: \(error.description)")
            throw FloeExit(FloeExitCode(error))
        }
    }
}
