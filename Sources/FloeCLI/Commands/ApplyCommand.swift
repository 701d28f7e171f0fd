import ArgumentParser
import FloeContract
import FloeRuntime

/// Seed 001's DemoConfig as flags, over floe.yaml's `demo:` (the Helm chart's demo values).
struct DemoOverrides: ParsableArguments {
    @Option(help: ArgumentHelp("New rows per synthetic table per batch, instead of demo.batch_size.", valueName: "n"))
    var batchSize: Int?

    @Option(help: ArgumentHelp("Share of null values injected into a batch (0 to 1), instead of demo.data_quality.null_rate.", valueName: "rate"))
    var nullRate: Double?

    @Option(help: ArgumentHelp("Share of duplicate rows (0 to 1), instead of demo.data_quality.duplicate_rate.", valueName: "rate"))
    var duplicateRate: Double?

    @Option(help: ArgumentHelp("Share of late-arriving rows (0 to 1), instead of demo.data_quality.late_arrival_rate.", valueName: "rate"))
    var lateArrivalRate: Double?

    var any: Bool { batchSize != nil || nullRate != nil || duplicateRate != nil || lateArrivalRate != nil }

    func validate() throws {
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        for (flag, rate) in [("--null-rate", nullRate), ("--duplicate-rate", duplicateRate), ("--late-arrival-rate", lateArrivalRate)] {
            if let rate, !(0...1).contains(rate) { throw ValidationError("\(flag) must be from 0 to 1") }
        }
    }

    /// Over floe.yaml's `demo:` section; a plan without one stays without (and is refused as usual).
    func apply(to plan: inout CompiledArtifacts) {
        guard var demo = plan.product.demo else { return }
        if let batchSize { demo.batchSize = batchSize }
        if nullRate != nil || duplicateRate != nil || lateArrivalRate != nil {
            var quality = demo.dataQuality ?? DataQualityDefects(nullRate: 0, duplicateRate: 0, lateArrivalRate: 0)
            if let nullRate { quality.nullRate = nullRate }
            if let duplicateRate { quality.duplicateRate = duplicateRate }
            if let lateArrivalRate { quality.lateArrivalRate = lateArrivalRate }
            demo.dataQuality = quality
        }
        plan.product.demo = demo
    }
}

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

    @OptionGroup var demo: DemoOverrides

    func run() throws {
        if vars != nil {
            // Every model of a plan is rendered by `floe compile` today, vars included: a var given
            // now could not change any SQL, and silently ignoring it would run something else than asked.
            Console.standardError.line("error: --vars: this plan's models were all rendered when it was compiled, so vars cannot change them now\n"
                + "  hint: compile with the vars (`floe compile --vars '…'`), or compile and apply in one step with `floe run --vars '…'`")
            throw FloeExit(.usage)
        }
        let path = artifacts ?? ProjectLocator.defaultPlan()
        var plan = try PlanFile.load(path)
        if demo.any {
            guard batch else {
                Console.standardError.line("error: --batch-size and the rate flags change the batch --batch appends; add --batch")
                throw FloeExit(.usage)
            }
            demo.apply(to: &plan)
        }
        try ApplyExecution.run(plan, planPath: path, flags: flags, mode: .build, fullRefresh: fullRefresh,
                               command: batch ? "apply --batch" : "apply", batch: batch)
    }
}
