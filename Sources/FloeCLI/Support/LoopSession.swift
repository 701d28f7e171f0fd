import FloeConnect
import FloeContract
import FloeRuntime
import FloeSemantic
import Foundation

/// What `floe demo` and `floe schedule` set up around their loops of runs: the log, lineage and
/// traces, the observers every run reports to, and SIGINT/SIGTERM turned into a cancellation.
final class LoopSession {
    let log: RunLog
    let runnable: RunnablePlan
    /// The options with lineage's adjustments.
    let options: ApplyOptions
    let observer: ObserverGroup
    let stop = RunCancellation()
    private let telemetry: RunTelemetry
    private let structured: Bool
    private var signals: SignalForwarding?

    /// `stopping` completes "floe: SIGTERM received: stopping …" (`the demo`, `the schedule`).
    init(plan: CompiledArtifacts, flags: ApplyFlags, options: ApplyOptions, stopping: String) throws {
        let log = RunLog(path: (options.targetDirectory ?? ".") + "/floe.log", format: flags.logFormat, mirror: .standardError)
        self.log = log
        runnable = RunnablePlan(withRollupsOf: plan)
        telemetry = try RunTelemetry(plan: runnable.plan, flags: flags, options: options, compile: nil, log: log)
        self.options = telemetry.lineage.adjusted(options)
        observer = ObserverGroup(telemetry.leadingObservers + [log] + telemetry.trailingObservers)
        structured = flags.logFormat == .json
        signals = SignalForwarding(to: stop) { reason in
            Console.standardError.line("floe: \(reason.rawValue) received: stopping \(stopping)")
            log.write("warn", "cancelling", [("signal", reason.rawValue)])
        }
    }

    /// Stops forwarding signals and sends what telemetry still holds.
    func finish() {
        signals?.remove()
        signals = nil
        telemetry.finish(log: log, structured: structured)
    }

    /// One run of a loop in a line: `13 built, 2 up to date; tests 21 pass, 0 warn, 0 fail; 0.67s`
    /// (errors and skipped nodes only when there are some).
    static func summary(_ results: RunResults) -> String {
        let counts = results.counts
        var line = "\(counts.built) built, \(counts.upToDate) up to date"
        if counts.errors + counts.skipped > 0 { line += ", \(counts.errors) errors, \(counts.skipped) skipped" }
        line += "; tests \(counts.passed) pass, \(counts.warned) warn, \(counts.failed) fail"
        return line + String(format: "; %.2fs", results.elapsedTime)
    }

    /// The loop's exit: 130/143 when a signal stopped it, 1 when a run failed, else 0.
    func exit(failed: Bool) throws {
        switch stop.reason {
        case .interrupt?: throw FloeExit(.interrupted)
        case .terminate?: throw FloeExit(.terminated)
        default: if failed { throw FloeExit(.failed) }
        }
    }
}
