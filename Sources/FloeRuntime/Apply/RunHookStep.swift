import FloeConnect
import FloeContract
import FloeEngine
import Foundation

/// Runs dbt_project.yml's `on-run-start` or `on-run-end` statements, in order, on the run's own
/// connection, each reported as an `operation`. The first that fails stops the rest, which are
/// reported skipped.
struct RunHookStep {
    let context: Context
    /// `on-run-start` or `on-run-end`.
    let kind: String
    let product: String

    /// The result id of the statement at `index`, as dbt names operations.
    static func id(product: String, kind: String, index: Int) -> String {
        "operation.\(product).\(kind).\(index)"
    }

    /// Runs the statements; returns whether every one succeeded. A statement the plan leaves
    /// empty is a hook rendered now (``TemplateRendering/render(runHook:results:invocationID:command:on:)``);
    /// `results` are what an on-run-end hook sees.
    func run(_ statements: [String], on connection: any EngineConnection, results: () -> [NodeResult]? = { nil }) -> Bool {
        var failed = false
        for (index, sql) in statements.enumerated() {
            let name = "\(kind)-\(index + 1)"
            let start = Date()
            var result = NodeResult(uniqueID: Self.id(product: product, kind: kind, index: index), name: name, resourceType: .operation,
                                    status: .success, relation: nil, materialized: nil, startedAt: Clock.timestamp(start), executionTime: 0)
            result.compiledCode = sql
            if failed || context.cancellation.isCancelled {
                result.status = .skipped
                result.message = "skipped: an earlier \(kind) statement failed"
                context.collector.record(result)
                continue
            }
            context.collector.started(name, id: result.uniqueID, type: .operation)
            do {
                var sql = sql
                if sql.isEmpty {
                    let rendering = try TemplateRendering.required(context.rendering, for: result.uniqueID)
                    sql = try rendering.render(runHook: RunHooks.templateKey(kind, index: index), results: results(),
                                               invocationID: context.runID, command: context.options.command, on: connection)
                    result.compiledCode = sql
                }
                if !sql.isEmpty { _ = try connection.execute(sql) }
                result.message = kind
            } catch {
                failed = true
                result.status = .error
                result.message = context.message(error)
                result.failedSQL = (error as? EngineError)?.sql ?? (error as? ExecutorError)?.sql ?? sql
            }
            result.executionTime = Date().timeIntervalSince(start)
            context.collector.record(result)
        }
        return !failed
    }
}
