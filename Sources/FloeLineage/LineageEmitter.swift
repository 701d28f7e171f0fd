import FloeConnect
import FloeContract
import FloeCore
import FloeRuntime
import FloeTelemetry
import Foundation

/// Turns a run into OpenLineage run events as it goes: the run is the parent (START, then
/// COMPLETE, FAIL, or ABORT when cancelled), each node a child run (START, then COMPLETE or FAIL)
/// with the `parent` facet. Events go to a ``DeliveryQueue``, so nothing here waits for the
/// destination; ``close()`` drains it and says what was not delivered.
public final class LineageEmitter: ApplyObserver, @unchecked Sendable {
    private let plan: CompiledArtifacts
    private let events: RunEventBuilder
    private let queue: DeliveryQueue
    private let lock = NSLock()
    private var parent: (runID: String, job: String, nominal: String?)?
    private var children: [String: String] = [:]

    /// `plan` is the plan as it runs (with the cubes' rollups as models: they are datasets too).
    public init(plan: CompiledArtifacts, destination: LineageDestination, projectDirectory: String) {
        self.plan = plan
        events = RunEventBuilder(plan: plan, namespace: destination.namespace, projectDirectory: projectDirectory)
        queue = DeliveryQueue(sink: destination.sink, workers: 1)
    }

    /// Why some models' outputs carry no column lineage (`file:line:col: warning: …`), leaving
    /// out models rendered at apply time: their lineage comes from the SQL the run renders.
    public var columnLineageWarnings: [String] {
        let late = Set(plan.models.filter { $0.renderAtApply == true }.map(\.uniqueID))
        return events.columns.warnings.filter { !late.contains($0.node) }.map(\.description)
    }

    /// Drains what is queued (see ``DeliveryQueue/close(stall:limit:)``): the warning to print
    /// when events were dropped, else nil.
    public func close() -> String? {
        queue.close().warning(what: "lineage event", destination: queue.sink.destination)
    }

    public func runStarting(runID: String, command: String, at start: Date, nominalStart: Date?) {
        let job = "\(plan.product.name).\(command)"
        let nominal = nominalStart.map(Timestamp.string)
        lock.withLock {
            parent = (runID, job, nominal)
            children = [:]
        }
        send(events.parentEvent("START", runID: runID, job: job, at: start, nominal: nominal))
    }

    public func runEnded(_ results: RunResults) {
        guard let parent = lock.withLock({ parent }) else { return }
        let type = switch results.cancelledBy {
        case RunCancellation.Reason.failFast.rawValue?: "FAIL"
        case .some: "ABORT"
        case nil: results.success ? "COMPLETE" : "FAIL"
        }
        let failed = results.results.filter { [.error, .fail].contains($0.status) }
        let message = failed.isEmpty ? nil : "\(failed.count) node\(failed.count == 1 ? "" : "s") failed: "
            + failed.prefix(5).map(\.name).joined(separator: ", ") + (failed.count > 5 ? ", …" : "")
        send(events.parentEvent(type, runID: parent.runID, job: parent.job, at: Date(), nominal: parent.nominal,
                                error: type == "FAIL" ? message.map { ($0, "floe") } : nil))
    }

    public func runRefused(_ error: ExecutorError) {
        guard let parent = lock.withLock({ parent }) else { return }
        send(events.parentEvent("FAIL", runID: parent.runID, job: parent.job, at: Date(), nominal: parent.nominal,
                                error: (error.description, "floe")))
    }

    public func began(_ description: String) {}

    public func started(_ name: String, id: String, type: NodeResult.ResourceType, index: Int, total: Int) {
        guard let parent = lock.withLock({ parent }) else { return }
        let runID = LineageClock.uuidV7()
        lock.withLock { children[id] = runID }
        send(events.nodeStart(id: id, name: name, type: type, runID: runID, parent: (parent.runID, parent.job), at: Date(),
                              nominal: parent.nominal))
    }

    public func finished(_ result: NodeResult, index: Int, total: Int) {
        guard let parent = lock.withLock({ parent }),
              let runID = lock.withLock({ children.removeValue(forKey: result.uniqueID) }) else { return }
        send(events.nodeEnd(result, runID: runID, parent: (parent.runID, parent.job), at: Date(), nominal: parent.nominal))
    }

    private func send(_ event: JSONDocument) {
        queue.enqueue(event.compactData())
    }
}
