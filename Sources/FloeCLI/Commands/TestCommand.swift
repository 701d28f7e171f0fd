import ArgumentParser
import FloeRuntime

/// `floe test`: only the data tests of a plan, against the tables as they are.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a plan's data tests against the built tables.",
        discussion: "Exit 1 when an error-severity test fails or a test cannot run; warnings do not fail.")

    @Argument(help: ArgumentHelp("A plan floe compile wrote (default: the project compiled first, into target/artifacts.json).",
                                 valueName: "artifacts.json"))
    var artifacts: String?

    @OptionGroup var project: ProjectOptions
    @OptionGroup var flags: ApplyFlags

    func run() throws {
        let (plan, path) = try CurrentPlan.load(named: artifacts, project: project, command: "test")
        try ApplyExecution.run(plan, planPath: path, flags: flags, mode: .test, fullRefresh: false, command: "test")
    }
}
