import FloeContract
import FloeEngine

/// floe's own tables in the warehouse, in the namespace's schema:
/// - `_floe_node_state`: per node, the fingerprint of its last successful build;
/// - `_floe_runs`: one row per apply, with its counts;
/// - `_floe_run_nodes`: one row per node per apply: status, timing, rows, failures, message.
/// Written through the same connection and transaction as the build it records, so a build and
/// its state commit together.
struct StateStore {
    let namespace: String
    let dialect: any SQLDialect

    private func table(_ name: String) -> String { dialect.relation(schema: namespace, name: name) }
    private func text(_ value: String?) -> String { value.map(dialect.stringLiteral) ?? "null" }

    func createTables(_ connection: any EngineConnection) throws {
        try connection.execute("""
            create table if not exists \(table("_floe_node_state")) (
                unique_id text primary key, fingerprint text not null, relation text, built_at text not null, run_id text not null);
            create table if not exists \(table("_floe_runs")) (
                run_id text primary key, command text not null, started_at text not null, completed_at text,
                status text not null, inputs_sha256 text, built integer, up_to_date integer, errors integer,
                skipped integer, tests_passed integer, tests_warned integer, tests_failed integer);
            create table if not exists \(table("_floe_run_nodes")) (
                run_id text not null, unique_id text not null, status text not null, started_at text,
                execution_time real, rows_affected integer, failures integer, message text,
                primary key (run_id, unique_id))
            """)
    }

    /// unique_id → fingerprint of the last successful build.
    func fingerprints(_ connection: any EngineConnection) throws -> [String: String] {
        let rows = try connection.query("select unique_id, fingerprint from \(table("_floe_node_state"))").rows
        var result: [String: String] = [:]
        for row in rows {
            if let id = row[0].displayText, let fingerprint = row[1].displayText { result[id] = fingerprint }
        }
        return result
    }

    func recordBuild(_ connection: any EngineConnection, id: String, fingerprint: String, relation: Relation?,
                     at time: String, runID: String) throws {
        try connection.execute("""
            insert into \(table("_floe_node_state")) (unique_id, fingerprint, relation, built_at, run_id)
            values (\(text(id)), \(text(fingerprint)), \(text(relation?.description)), \(text(time)), \(text(runID)))
            on conflict (unique_id) do update set fingerprint = excluded.fingerprint, relation = excluded.relation,
                built_at = excluded.built_at, run_id = excluded.run_id
            """)
    }

    func forget(_ connection: any EngineConnection, id: String) throws {
        try connection.execute("delete from \(table("_floe_node_state")) where unique_id = \(text(id))")
    }

    func startRun(_ connection: any EngineConnection, runID: String, command: String, at time: String, inputs: String) throws {
        try connection.execute("""
            insert into \(table("_floe_runs")) (run_id, command, started_at, status, inputs_sha256)
            values (\(text(runID)), \(text(command)), \(text(time)), 'running', \(text(inputs)))
            """)
    }

    func finishRun(_ connection: any EngineConnection, _ results: RunResults) throws {
        let counts = results.counts
        try connection.inWriteTransaction {
            try connection.execute("""
                update \(table("_floe_runs")) set completed_at = \(text(results.metadata.completedAt)),
                    status = \(text(results.success ? "success" : "failed")), built = \(counts.built),
                    up_to_date = \(counts.upToDate), errors = \(counts.errors), skipped = \(counts.skipped),
                    tests_passed = \(counts.passed), tests_warned = \(counts.warned), tests_failed = \(counts.failed)
                where run_id = \(text(results.metadata.invocationID))
                """)
            for node in results.results {
                try connection.execute("""
                    insert into \(table("_floe_run_nodes"))
                        (run_id, unique_id, status, started_at, execution_time, rows_affected, failures, message)
                    values (\(text(results.metadata.invocationID)), \(text(node.uniqueID)), \(text(node.status.rawValue)),
                        \(text(node.startedAt)), \(node.executionTime), \(node.rowsAffected.map(String.init) ?? "null"),
                        \(node.failures.map(String.init) ?? "null"), \(text(node.message)))
                    """)
            }
        }
    }
}
