import FloeConnect
import FloeContract
import FloeCore
import FloeRuntime
import FloeTelemetry
import Foundation

/// A run as an OpenTelemetry trace: a root span for the command (`floe build`), a span per phase
/// (`compile`, `on-run-start`, `synthetic`, `build`, `tests`, `on-run-end`) and one per node under
/// its phase, with the node's attributes (`floe.node`, `floe.materialization`, `floe.engine`,
/// `floe.rows`, `floe.statements`, `floe.up_to_date`) and, on a failing node, the engine's error
/// and the statement that failed. At the run's end its totals go out as OTLP metrics. Spans are
/// recorded into an ``OTLPExporter``, which never makes the run wait.
public final class RunTracer: ApplyObserver, @unchecked Sendable {
    private let plan: CompiledArtifacts
    private let exporter: OTLPExporter
    private let lock = NSLock()
    private var root: (identity: TraceIdentity, start: Date, command: String, runID: String)?
    private var phases: [(name: String, identity: TraceIdentity, start: Date)] = []
    private var compile: DateInterval?
    /// Told the trace and root span of each run as it starts (for the log's trace ids).
    public var onTrace: (@Sendable (TraceIdentity) -> Void)?

    /// `compile` is when the command compiled the plan it runs (run, build, seed, snapshot).
    public init(plan: CompiledArtifacts, exporter: OTLPExporter, compile: DateInterval? = nil) {
        self.plan = plan
        self.exporter = exporter
        self.compile = compile
    }

    /// The trace of the run now, when one runs.
    public var currentTrace: TraceIdentity? { lock.withLock { root?.identity } }

    public func runStarting(runID: String, command: String, at start: Date, nominalStart: Date?) {
        let identity = TraceIdentity.newTrace()
        let compiled = lock.withLock {
            root = (identity, compile?.start ?? start, command, runID)
            phases = []
            defer { compile = nil }
            return compile
        }
        if let compiled {
            exporter.record(SpanData(identity: identity.child(), parentSpanID: identity.spanID, name: "compile",
                                     start: compiled.start, end: compiled.end, attributes: [("floe.phase", .string("compile"))]))
        }
        onTrace?(identity)
    }

    public func phase(_ name: String, began: Bool) {
        guard let root = lock.withLock({ root }) else { return }
        if began {
            lock.withLock { phases.append((name, root.identity.child(), Date())) }
            return
        }
        guard let phase = lock.withLock({ phases.lastIndex { $0.name == name }.map { phases.remove(at: $0) } }) else { return }
        exporter.record(SpanData(identity: phase.identity, parentSpanID: root.identity.spanID, name: name, start: phase.start, end: Date(),
                                 attributes: [("floe.phase", .string(name))]))
    }

    public func began(_ description: String) {}
    public func started(_ name: String, id: String, type: NodeResult.ResourceType, index: Int, total: Int) {}

    public func finished(_ result: NodeResult, index: Int, total: Int) {
        guard let (root, parent) = lock.withLock({ root.map { ($0, phases.last?.identity ?? $0.identity) } }) else { return }
        let start = result.startedAt.flatMap(Timestamp.date) ?? Date().addingTimeInterval(-result.executionTime)
        var attributes: [(String, TelemetryValue)] = [
            ("floe.node", .string(result.uniqueID)), ("floe.node.name", .string(result.name)),
            ("floe.resource_type", .string(result.resourceType.rawValue)), ("floe.status", .string(result.status.rawValue)),
            ("floe.engine", .string(plan.profiles.compute.type)), ("db.system.name", .string(plan.profiles.compute.type)),
            ("floe.up_to_date", .bool(result.status == .upToDate)),
        ]
        if let materialized = result.materialized { attributes.append(("floe.materialization", .string(materialized))) }
        if let relation = result.relation { attributes.append(("floe.relation", .string(relation))) }
        if let rows = result.rowsAffected { attributes.append(("floe.rows", .int(Int64(rows)))) }
        if let statements = result.statements { attributes.append(("floe.statements", .int(Int64(statements)))) }
        if let failures = result.failures { attributes.append(("floe.failures", .int(Int64(failures)))) }
        let failed = [.error, .fail, .cancelled].contains(result.status)
        var events: [(name: String, time: Date, attributes: [(String, TelemetryValue)])] = []
        if failed {
            var exception: [(String, TelemetryValue)] = [("exception.type", .string(result.status == .fail ? "TestFailure" : "EngineError")),
                                                       ("exception.message", .string(result.message ?? result.status.rawValue))]
            if let sql = result.failedSQL { exception.append(("db.query.text", .string(sql))) }
            events.append(("exception", start.addingTimeInterval(result.executionTime), exception))
        }
        exporter.record(SpanData(identity: root.identity.child(), parentSpanID: parent.spanID, name: "\(result.resourceType.rawValue) \(result.name)",
                                 start: start, end: start.addingTimeInterval(result.executionTime), attributes: attributes,
                                 error: failed ? (result.message ?? result.status.rawValue) : nil, events: events))
    }

    public func runEnded(_ results: RunResults) {
        guard let root = lock.withLock({ root }) else { return }
        let counts = results.counts
        var attributes = rootAttributes(root)
        attributes += [("floe.success", .bool(results.success)), ("floe.built", .int(Int64(counts.built))),
                       ("floe.up_to_date_count", .int(Int64(counts.upToDate))), ("floe.errors", .int(Int64(counts.errors))),
                       ("floe.tests_failed", .int(Int64(counts.failed)))]
        if let reason = results.cancelledBy { attributes.append(("floe.cancelled_by", .string(reason))) }
        let end = Date()
        exporter.record(SpanData(identity: root.identity, parentSpanID: nil, name: "floe \(root.command)", start: root.start, end: end,
                                 attributes: attributes, error: results.success ? nil : (results.cancelledBy.map { "cancelled by \($0)" } ?? "the run failed")))
        exporter.record(RunMetricsExport.metrics(results, plan: plan), start: root.start, time: end)
        exporter.flush()
    }

    public func runRefused(_ error: ExecutorError) {
        guard let root = lock.withLock({ root }) else { return }
        exporter.record(SpanData(identity: root.identity, parentSpanID: nil, name: "floe \(root.command)", start: root.start, end: Date(),
                                 attributes: rootAttributes(root), error: error.description))
        exporter.flush()
    }

    private func rootAttributes(_ root: (identity: TraceIdentity, start: Date, command: String, runID: String)) -> [(String, TelemetryValue)] {
        [("floe.command", .string(root.command)), ("floe.invocation_id", .string(root.runID)), ("floe.product", .string(plan.product.name)),
         ("floe.environment", .string(plan.environment.name)), ("floe.namespace", .string(plan.environment.namespace)),
         ("floe.engine", .string(plan.profiles.compute.type))]
    }
}

/// A run's totals as OTLP metrics: its duration, its nodes by status, the rows it wrote, the
/// statements it sent, and each node's duration.
enum RunMetricsExport {
    static func metrics(_ results: RunResults, plan: CompiledArtifacts) -> [OTLPEncoding.Metric] {
        let common: [(String, TelemetryValue)] = [("floe.product", .string(plan.product.name)), ("floe.environment", .string(plan.environment.name)),
                                                 ("floe.command", .string(results.metadata.command))]
        let totals = results.metrics ?? RunMetrics(results.results)
        return [
            OTLPEncoding.Metric(name: "floe.run.duration", description: "How long the run took.", unit: "s", monotonicSum: false,
                                points: [.init(attributes: common, value: results.elapsedTime)]),
            OTLPEncoding.Metric(name: "floe.run.nodes", description: "The run's nodes by status.", unit: "{node}", monotonicSum: true,
                                points: totals.nodesByStatus.sorted { $0.key < $1.key }.map {
                                    .init(attributes: common + [("floe.status", .string($0.key))], value: Double($0.value))
                                }),
            OTLPEncoding.Metric(name: "floe.run.rows", description: "Rows the run's nodes wrote.", unit: "{row}", monotonicSum: true,
                                points: [.init(attributes: common, value: Double(totals.rowsAffected))]),
            OTLPEncoding.Metric(name: "floe.run.statements", description: "Statements the run sent to the engine.", unit: "{statement}",
                                monotonicSum: true, points: [.init(attributes: common, value: Double(totals.statements))]),
            OTLPEncoding.Metric(name: "floe.node.duration", description: "How long each node took.", unit: "s", monotonicSum: false,
                                points: results.results.map {
                                    .init(attributes: common + [("floe.node", .string($0.uniqueID)), ("floe.status", .string($0.status.rawValue))],
                                          value: $0.executionTime)
                                }),
        ]
    }
}
