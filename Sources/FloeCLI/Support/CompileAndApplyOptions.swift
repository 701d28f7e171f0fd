import ArgumentParser

/// What `run`, `build` and `seed` take: the project to compile, where the plan goes, and how to apply it.
struct CompileAndApplyOptions: ParsableArguments {
    @OptionGroup var project: ProjectOptions
    @OptionGroup var flags: ApplyFlags

    @Flag(help: "Rebuild everything selected: incremental models from scratch, seeds reloaded.")
    var fullRefresh = false

    @Option(name: [.short, .customLong("output")],
            help: ArgumentHelp("Where to write the plan (default: target/artifacts.json beside the spec).", valueName: "file"))
    var output: String?
}
