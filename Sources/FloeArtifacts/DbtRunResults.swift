import FloeContract
import FloeRuntime

/// dbt's `run_results.json` (schema v6) for one apply, for the tools that read dbt's artifacts
/// (dagster-dbt, Elementary, dbt Cloud's importers). floe's own, richer record of the run — the
/// synthetic tables, the defects injected, the failed SQL's line, the run's metrics — is
/// `floe_run_results.json` beside it (``RunResults``); this one holds only what dbt's schema
/// defines, which forbids other fields.
public enum DbtRunResults {
    public static let schemaVersion = "https://schemas.getdbt.com/dbt/run-results/v6.json"

    public static func data(_ results: RunResults, plan: CompiledArtifacts) -> [UInt8] {
        let database = plan.profiles.compute.string("database") ?? ""
        var relations: [String: Relation] = [:]
        for model in plan.models where model.materialized != .ephemeral { relations[model.uniqueID] = model.relation }
        for seed in plan.seeds { relations[seed.uniqueID] = seed.relation }
        let entries: [JSONDocument] = results.results.compactMap { result in
            guard let status = status(result) else { return nil }
            var adapterResponse: [String: JSONDocument] = ["_message": .string(result.message ?? status)]
            if let rows = result.rowsAffected { adapterResponse["rows_affected"] = .integer(rows) }
            let timing: [JSONDocument] = result.timing.map {
                ["name": .string($0.name), "started_at": .string($0.startedAt), "completed_at": .string($0.completedAt)]
            }
            return [
                "unique_id": .string(result.uniqueID), "status": .string(status), "timing": .array(timing),
                "thread_id": .string(result.threadID ?? "Thread-1"), "execution_time": .number(result.executionTime),
                "adapter_response": .object(adapterResponse), "message": result.message.map(JSONDocument.string) ?? .null,
                "failures": result.failures.map(JSONDocument.integer) ?? .null,
                "compiled": result.compiledCode == nil ? .null : true,
                "compiled_code": result.compiledCode.map(JSONDocument.string) ?? .null,
                "relation_name": relations[result.uniqueID].map { .string(DbtRelationName.of($0, database: database)) } ?? .null,
                "batch_results": .null,
            ]
        }
        let document: JSONDocument = [
            "metadata": [
                "dbt_schema_version": .string(schemaVersion), "dbt_version": .string(DbtManifest.dbtVersion),
                "generated_at": .string(results.metadata.completedAt), "invocation_id": .string(results.metadata.invocationID),
                "invocation_started_at": .string(results.metadata.startedAt), "env": [:],
            ],
            "results": .array(entries),
            "elapsed_time": .number(results.elapsedTime),
            "args": [
                "which": .string(results.metadata.command), "target": .string(results.metadata.environment),
                "floe_version": .string(results.metadata.floeVersion), "engine": .string(results.metadata.engine),
            ],
        ]
        var output: [UInt8] = []
        JSONBytes.write(document, into: &output)
        output.append(0x0A)
        return output
    }

    /// dbt's status for a node's; nil for what dbt has no node for (floe's synthetic tables).
    static func status(_ result: NodeResult) -> String? {
        if result.resourceType == .synthetic { return nil }
        switch result.status {
        case .success: return "success"
        // Nothing changed upstream and the table is there: the previous build is reused.
        case .upToDate: return "reused"
        case .error: return "error"
        case .skipped, .cancelled: return "skipped"
        case .pass: return "pass"
        case .warn: return "warn"
        case .fail: return "fail"
        }
    }
}

/// A relation as dbt's artifacts name it: `"database"."schema"."table"`, without the database
/// part where the engine has none.
enum DbtRelationName {
    static func of(_ relation: Relation, database: String) -> String {
        ((database.isEmpty ? [] : [database]) + [relation.schema, relation.name]).map { "\"\($0)\"" }.joined(separator: ".")
    }
}
