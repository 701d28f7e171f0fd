import ArgumentParser
import FloeConnect
import FloeContract
import FloeRuntime
import FloeSemantic
import Foundation

/// `floe demo`: live demo mode, one line per cycle, until Ctrl-C (or `--cycles`).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Live demo: append a batch of synthetic rows, build what changed, run the tests; again on floe.yaml's demo schedule.",
        discussion: """
            Cycles come on demo.schedule.cron (UTC), or back to back at demo.burst_mode.records_per_second. \
            Runs until SIGINT/SIGTERM (exit 130/143), which stops between steps or rolls back the step in flight, \
            or until --cycles have run (exit 0, or 1 when a cycle failed).
            """)

    @Argument(help: ArgumentHelp("A plan floe compile wrote (default: the project compiled first, into target/artifacts.json).",
                                 valueName: "artifacts.json"))
    var artifacts: String?

    @OptionGroup var project: ProjectOptions
    @OptionGroup var flags: ApplyFlags

    @OptionGroup var overrides: DemoOverrides

    @Option(help: ArgumentHelp("Stop after this many cycles (default: until interrupted).", valueName: "n"))
    var cycles: Int?

    @Option(help: ArgumentHelp("Burst mode: cycles back to back, each batch at this many rows a second (floe.yaml's demo.burst_mode, without editing it).",
                               valueName: "rows/s"))
    var burst: Int?

    func validate() throws {
        if let cycles, cycles < 1 { throw ValidationError("--cycles must be at least 1") }
        if let burst, burst < 1 { throw ValidationError("--burst must be at least 1 row a second") }
    }

    func run() throws {
        let loaded = try CurrentPlan.load(named: artifacts, project: project, command: "demo")
        var plan = loaded.plan
        let path = loaded.path
        overrides.apply(to: &plan)
        if let burst {
            var demo = plan.product.demo ?? DemoSettings(cron: "*/5 * * * *", batchSize: 100)
            demo.burstRecordsPerSecond = burst
            plan.product.demo = demo
        }
        let options = ApplyExecution.options(planPath: path, flags: flags, mode: .build, fullRefresh: false, command: "demo", batch: true)
        let session = try LoopSession(plan: plan, flags: flags, options: options, stopping: "the demo")
        defer { session.finish() }
        let log = session.log
        if let demo = plan.product.demo {
            let pace = demo.burstRecordsPerSecond.map { "burst mode, \($0) rows/s" } ?? "schedule \(demo.cron) (UTC)"
            Console.standardOutput.line("floe demo: \(plan.product.name), \(demo.batchSize) rows a table per batch, \(pace); Ctrl-C stops")
        }
        var failed = false
        do {
            let loop = DemoLoop(plan: session.runnable, options: session.options, observer: session.observer)
            _ = try loop.run(cycles: cycles, stop: session.stop) { cycle in
                failed = failed || !cycle.results.success
                log.finishedRun(cycle.results)
                let time = String(cycle.results.metadata.startedAt.dropFirst(11).prefix(8))
                var line = "cycle \(cycle.number)  \(time)  +\(cycle.rowsAdded) rows; \(LoopSession.summary(cycle.results))"
                if let reason = cycle.results.cancelledBy { line += " (cancelled by \(reason))" }
                Console.standardOutput.line(line)
            }
        } catch {
            Console.standardError.line("error: \(error.description)")
            throw FloeExit(FloeExitCode(error))
        }
        try session.exit(failed: failed)
    }
}
