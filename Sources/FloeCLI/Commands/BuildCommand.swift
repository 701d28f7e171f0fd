import ArgumentParser
import FloeRuntime

/// `floe build`: dbt's build — compile, then seeds, models and tests in one dependency order.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Compile, then load seeds, build models and run tests in one dependency order.",
        discussion: """
            As dbt build: each test runs as soon as what it tests is built, and a failing test \
            (error severity) skips everything downstream of the nodes it tests. Exit codes as floe run.
            """)

    @OptionGroup var options: CompileAndApplyOptions

    func run() throws {
        try RunCommand.compileAndApply(options, mode: .buildWithTests, command: "build")
    }
}
