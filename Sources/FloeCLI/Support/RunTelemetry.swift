import FloeContract
import FloeRuntime
import FloeTelemetry
import Foundation

/// What a run sends to observability backends: its lineage and its trace, set up from the flags,
/// the environment and platform.yaml, and drained together when it ends.
struct RunTelemetry {
    let lineage: RunLineage
    let tracing: RunTracing

    init(plan: CompiledArtifacts, flags: ApplyFlags, options: ApplyOptions, compile: DateInterval?, log: RunLog) throws {
        lineage = try RunLineage(plan: plan, flag: flags.lineage, options: options)
        tracing = RunTracing(plan: plan, flag: flags.otlp, options: options, compile: compile, log: log)
        // Models whose SQL gets no column lineage: each in floe.log, one line on the terminal.
        let warnings = lineage.emitter?.columnLineageWarnings ?? []
        for warning in warnings { log.write("warn", "no_column_lineage", [("message", warning)], message: warning) }
        if !warnings.isEmpty, flags.logFormat == .text {
            Console.standardError.line("warning: \(warnings.count) model\(warnings.count == 1 ? " sends" : "s send") no column lineage "
                + "(their SQL could not be analysed: `floe lineage` shows why)")
        }
    }

    /// The observers to add around the run's own (the tracer first: the log's events carry its trace).
    var leadingObservers: [any ApplyObserver] { tracing.tracer.map { [$0] } ?? [] }
    var trailingObservers: [any ApplyObserver] { lineage.emitter.map { [$0] } ?? [] }

    /// Drains both at once; says on stderr (unless `structured`) and in floe.log what was not delivered.
    func finish(log: RunLog, structured: Bool) {
        let (lineage, tracing) = (lineage, tracing)
        let warnings = DeliveryQueue.closeTogether([
            { lineage.emitter?.close() },
            { tracing.close() },
        ])
        for (warning, event) in zip(warnings, ["lineage_not_delivered", "otlp_not_delivered"]) {
            guard let warning else { continue }
            if !structured { Console.standardError.line("warning: \(warning)") }
            log.write("warn", event, [("message", warning)], message: "warning: \(warning)")
        }
    }
}
