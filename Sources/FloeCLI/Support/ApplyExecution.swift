import FloeArtifacts
import FloeConnect
import FloeContract
import FloeRuntime
import FloeSemantic
import Foundation

/// Runs a plan for `apply`, `run` and `test`: the runner, the exit codes, floe_run_results.json and
/// dbt's run_results.json, the summary.
enum ApplyExecution {
    /// `compile` is when the command compiled `plan` (`run`, `build`, `seed`, `snapshot`), for the trace.
    static func run(_ plan: CompiledArtifacts, planPath: String, flags: ApplyFlags, mode: ApplyOptions.Mode,
                    fullRefresh: Bool, command: String, batch: Bool = false, compile: DateInterval? = nil) throws {
        let options = self.options(planPath: planPath, flags: flags, mode: mode, fullRefresh: fullRefresh, command: command, batch: batch)
        try run(plan, planPath: planPath, options: options, flags: flags, compile: compile)
    }

    /// The runtime's options for these flags.
    static func options(planPath: String, flags: ApplyFlags, mode: ApplyOptions.Mode, fullRefresh: Bool, command: String,
                        batch: Bool) -> ApplyOptions {
        var options = ApplyOptions(
            mode: mode, select: flags.select, exclude: flags.exclude, fullRefresh: fullRefresh, threads: flags.threads,
            projectDirectory: flags.projectDir ?? PlanFile.projectDirectory(forPlan: planPath),
            environment: ProcessInfo.processInfo.environment, lockTimeout: flags.lockTimeout, command: command,
            failFast: flags.failFast,
            targetDirectory: flags.targetPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
                ?? URL(fileURLWithPath: planPath).standardizedFileURL.deletingLastPathComponent().path, batch: batch)
        options.indirectSelection = flags.indirectSelection
        return options
    }

    static func run(_ plan: CompiledArtifacts, planPath: String, options: ApplyOptions, flags: ApplyFlags, compile: DateInterval? = nil) throws {
        let command = options.command
        let structured = flags.logFormat == .json
        let reporter = RunReporter(quiet: flags.format == .json || structured)
        let log = RunLog(path: (options.targetDirectory ?? ".") + "/floe.log", format: flags.logFormat, mirror: .standardError)
        let runnable = RunnablePlan(withRollupsOf: plan)
        let telemetry = try RunTelemetry(plan: runnable.plan, flags: flags, options: options, compile: compile, log: log)
        let observers = telemetry.leadingObservers + [reporter, log] + telemetry.trailingObservers
        let runner = PlanRunner(plan: runnable, options: telemetry.lineage.adjusted(options), observer: ObserverGroup(observers))
        let signals = SignalForwarding(to: runner.cancellation) { reason in
            if !structured { reporter.cancelling(reason) }
            log.write("warn", "cancelling", [("signal", reason.rawValue)],
                      message: "floe: \(reason.rawValue) received: stopping; statements in flight roll back")
        }
        defer { signals.remove() }
        let results: RunResults
        do {
            results = try runner.run()
        } catch {
            log.write("error", "run_refused", [("command", command), ("message", error.description)], message: "error: \(error.description)")
            if !structured { Console.standardError.line("error: \(error.description)") }
            telemetry.finish(log: log, structured: structured)
            throw FloeExit(FloeExitCode(error))
        }
        telemetry.finish(log: log, structured: structured)
        log.finishedRun(results)
        let target = URL(fileURLWithPath: options.targetDirectory ?? URL(fileURLWithPath: planPath).deletingLastPathComponent().path)
        try? FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let document = (try? results.encoded()) ?? Data()
        // floe's record of the run, and dbt's run_results.json (v6) for the dbt ecosystem's tools.
        for (destination, bytes) in [
            (flags.results ?? target.appendingPathComponent("floe_run_results.json").path, document + Data([0x0A])),
            (target.appendingPathComponent("run_results.json").path, Data(DbtRunResults.data(results, plan: runnable.plan))),
        ] {
            do {
                try AtomicFile.write(bytes, to: destination)
            } catch {
                Console.standardError.line("warning: cannot write \(destination): \(error.localizedDescription)")
            }
        }
        switch flags.format {
        case .json: Console.standardOutput.write(document)
        case .text where !structured: Console.standardError.line(RunReporter.summary(results, useColor: Console.standardError.useColor))
        case .text: break
        }
        switch runner.cancellation.reason {
        case .interrupt?: throw FloeExit(.interrupted)
        case .terminate?: throw FloeExit(.terminated)
        case .request?, .failFast?, nil: if !results.success { throw FloeExit(.failed) }
        }
    }
}
