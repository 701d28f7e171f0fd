import FloeContract
import FloeRunTracing
import FloeRuntime
import FloeTelemetry
import Foundation

/// A run's trace and metrics over OTLP, when `--otlp`, OpenTelemetry's environment variables or
/// platform.yaml's `observability.otlp` ask for them; and the warning when some were not delivered.
struct RunTracing {
    let tracer: RunTracer?
    private let exporter: OTLPExporter?

    init(plan: CompiledArtifacts, flag: String?, options: ApplyOptions, compile: DateInterval?, log: RunLog) {
        let destination = OTLPDestination.resolve(configured: plan.observability.otlp?.endpoint, serviceName: plan.observability.otlp?.serviceName,
                                                  flag: flag, environment: options.environment)
        exporter = destination?.exporter()
        tracer = exporter.map { RunTracer(plan: plan, exporter: $0, compile: compile) }
        tracer?.onTrace = { identity in log.setTrace(identity.traceHex, span: identity.spanHex) }
    }

    /// Drains what is queued; says on stderr and in floe.log what was not delivered.
    func finish(log: RunLog, structured: Bool) {
        guard let warning = exporter?.close() else { return }
        if !structured { Console.standardError.line("warning: \(warning)") }
        log.write("warn", "otlp_not_delivered", [("message", warning)], message: "warning: \(warning)")
    }
}
