import ArgumentParser
import FloeRuntime

/// `floe test`: only the data tests of a plan, against the tables as they are.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a plan's data tests against the built tables.",
        discussion: "Exit 1 when an error-severity test fails or a test cannot run; warnings do not fail.")

    @Argument(help: ArgumentHelp("The plan floe compile wrote (default: target/artifacts.json beside the nearest floe.yaml).",
                                 valueName: "artifacts.json"))
    var artifacts: String?

    @OptionGroup var flags: ApplyFlags

    func run() throws {
        let path = artifacts ?? ProjectLocator.defaultPlan()
        let plan = try PlanFile.load(path)
        try ApplyExecution.run(plan, planPath: path, flags: flags, mode: .test, fullRefresh: false, command: "test")
    }
}
