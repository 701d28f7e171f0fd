import ArgumentParser
import FloeRuntime

/// `floe apply`: run a compiled plan.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Run a plan: synthetic data, seeds, models in dependency order, then tests.",
        discussion: """
            Models whose fingerprint and upstream are unchanged since their last successful build are \
            reported "up to date" and left alone. Exit 0 when everything built and no error-severity \
            test failed, 1 otherwise, 5 when a secret cannot be resolved, 6 when the engine cannot be reached.
            """)

    @Argument(help: ArgumentHelp("The plan floe compile wrote.", valueName: "artifacts.json"))
    var artifacts: String

    @OptionGroup var flags: ApplyFlags

    @Flag(help: "Rebuild everything selected; incremental models from scratch.")
    var fullRefresh = false

    func run() throws {
        let plan = try PlanFile.load(artifacts)
        try ApplyExecution.run(plan, planPath: artifacts, flags: flags, mode: .build, fullRefresh: fullRefresh, command: "apply")
    }
}
