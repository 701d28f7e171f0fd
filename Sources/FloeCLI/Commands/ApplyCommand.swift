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

    @Argument(help: ArgumentHelp("The plan floe compile wrote (default: target/artifacts.json beside the nearest floe.yaml).",
                                 valueName: "artifacts.json"))
    var artifacts: String?

    @OptionGroup var flags: ApplyFlags

    @Flag(help: "Rebuild everything selected; incremental models from scratch.")
    var fullRefresh = false

    @Option(help: ArgumentHelp("Vars for models the plan renders at apply time (see docs/cli.md).", valueName: "yaml"))
    var vars: String?

    @Flag(help: "Append one batch of new rows to the synthetic tables (floe.yaml's demo:) instead of loading them.")
    var batch = false

    func run() throws {
        if vars != nil {
            // Every model of a plan is rendered by `floe compile` today, vars included: a var given
            // now could not change any SQL, and silently ignoring it would run something else than asked.
            Console.standardError.line("error: --vars: this plan's models were all rendered when it was compiled, so vars cannot change them now\n"
                + "  hint: compile with the vars (`floe compile --vars '…'`), or compile and apply in one step with `floe run --vars '…'`")
            throw FloeExit(.usage)
        }
        let path = artifacts ?? ProjectLocator.defaultPlan()
        let plan = try PlanFile.load(path)
        try ApplyExecution.run(plan, planPath: path, flags: flags, mode: .build, fullRefresh: fullRefresh,
                               command: batch ? "apply --batch" : "apply", batch: batch)
    }
}
