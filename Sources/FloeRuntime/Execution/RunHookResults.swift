import FloeContract
import FloeJinja
import FloeTemplates

/// dbt's `results` in an on-run-end hook: one result per node the run reached, as dbt's
/// `RunResult` reads (`node`, `status`, `execution_time`, `thread_id`, `message`, `failures`,
/// `adapter_response`, `timing`), each `node` the node as `graph` has it.
enum RunHookResults {
    static func value(_ results: [NodeResult], graphNodes: [String: JinjaValue]) -> JinjaValue {
        .list(results.map { result in
            var response: [(String, JinjaValue)] = [("_message", .string(result.message ?? result.status.rawValue))]
            if let rows = result.rowsAffected { response.append(("rows_affected", .integer(rows))) }
            // dbt times a `compile` step before `execute`; floe compiled ahead of the run, so its
            // compile step is empty, at the start of the node's execution.
            let steps = result.timing.first.map { [NodeResult.Timing(name: "compile", startedAt: $0.startedAt, completedAt: $0.startedAt)] } ?? []
            let timing: [JinjaValue] = (steps + result.timing).map { step in
                .dict([("name", .string(step.name)), ("started_at", .string(step.startedAt)), ("completed_at", .string(step.completedAt))])
            }
            return .dict([
                ("node", graphNodes[result.uniqueID] ?? .dict([("unique_id", .string(result.uniqueID)), ("name", .string(result.name)),
                                                               ("resource_type", .string(result.resourceType.rawValue))])),
                ("unique_id", .string(result.uniqueID)),
                // floe's statuses are dbt's, with `up_to_date` (not rebuilt) and `cancelled` beside them.
                ("status", .string(result.status.rawValue)),
                ("execution_time", .number(result.executionTime)),
                ("thread_id", result.threadID.map(JinjaValue.string) ?? .string("main")),
                ("message", result.message.map(JinjaValue.string) ?? .none),
                ("failures", result.failures.map(JinjaValue.integer) ?? .none),
                ("adapter_response", .dict(response)),
                ("timing", .list(timing)),
            ])
        })
    }
}
