import FloeConnect
import FloeContract
import FloeEngine
import Foundation

/// Runs the selected data tests concurrently (they only read). A test whose node failed or was
/// skipped in this run is skipped too.
struct TestPhase {
    let context: Context
    let graph: PlanGraph

    func run(_ tests: [CompiledTest]) {
        guard !tests.isEmpty else { return }
        let scheduler = DAGScheduler<BuildPhase.Connection>(
            jobs: tests.map { _ in .init(parents: []) }, threads: context.threads, cancellation: context.cancellation)
        let engine = context.engine
        let connections = InterruptibleConnections(context.cancellation)
        defer { connections.release() }
        scheduler.run(
            connect: { connections.connect(engine) },
            execute: { index, connection in
                _ = execute(tests[index], connection: connection)
                return true
            },
            skip: { _, _ in })
    }

    /// Runs one test and records its result; returns whether it passed or only warned (in
    /// `floe build`, a failing test skips what is downstream of the nodes it tests).
    func execute(_ test: CompiledTest, connection: BuildPhase.Connection?) -> Bool {
        let start = Date()
        context.collector.started(test.name, id: test.uniqueID, type: .test)
        var ran = test.sql
        var result = outcome(test, connection: connection, start: start, ran: &ran)
        let completed = Date()
        result.executionTime = completed.timeIntervalSince(start)
        if result.status != .skipped {
            result.compiledCode = ran
            result.timing = [.init(name: "execute", startedAt: Clock.timestamp(start), completedAt: Clock.timestamp(completed))]
            result.threadID = Thread.current.name
        }
        context.collector.record(result)
        if context.options.failFast, [.fail, .error].contains(result.status) { context.cancellation.cancel(.failFast) }
        return [.pass, .warn].contains(result.status)
    }

    /// `ran` is set to the SQL the test ran (rendered now, for a test rendered at apply time).
    private func outcome(_ test: CompiledTest, connection: BuildPhase.Connection?, start: Date, ran: inout String) -> NodeResult {
        var result = NodeResult(uniqueID: test.uniqueID, name: test.name, resourceType: .test, status: .pass,
                                relation: nil, materialized: nil, startedAt: Clock.timestamp(start), executionTime: 0)
        if let failed = test.dependsOn.first(where: { [.error, .skipped, .cancelled].contains(context.collector.status(of: $0)) }) {
            result.status = .skipped
            result.message = "skipped: \(graph.byID[failed]?.name ?? failed) was not built"
            return result
        }
        do {
            guard case .success(let connection)? = connection else {
                if case .failure(let error)? = connection { throw error }
                throw EngineError(.unreachable, "no connection")
            }
            var test = test
            if test.renderAtApply == true {
                test = try TemplateRendering.required(context.rendering, for: test.uniqueID).render(test, on: connection)
                ran = test.sql
            }
            let runner = TestRunner(connection: connection, dialect: context.engine.dialect,
                                    namespace: context.state.namespace, state: context.state, runID: context.runID)
            let outcome = try runner.run(test, storedBefore: context.states.state(of: TestFailures.stateID(of: test)) != nil)
            result.status = outcome.status
            result.failures = outcome.failures
            let rows = "\(outcome.failures) failing row\(outcome.failures == 1 ? "" : "s")"
            result.message = switch (outcome.failures, outcome.stored) {
            case (0, _): "pass"
            case (_, let stored?): "\(rows); see them with `floe show --failures \(test.name)` (\(stored))"
            case (_, nil): rows
            }
        } catch {
            result.status = context.cancellation.isCancelled ? .cancelled : .error
            result.message = context.cancellation.isCancelled ? "cancelled" : context.message(error)
            result.failedSQL = (error as? EngineError)?.sql
            result.failedSQLLine = (error as? EngineError)?.line
        }
        return result
    }
}
