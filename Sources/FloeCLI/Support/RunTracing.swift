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

    /// Drains what is queued: the warning when something was not delivered.
    func close() -> String? { exporter?.close() }
}
