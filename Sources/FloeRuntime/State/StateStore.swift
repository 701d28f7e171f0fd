import FloeContract
import FloeEngine

import Foundation

/// floe's own tables in the warehouse, in the namespace's schema:
/// - `_floe_node_state`: per node, its last successful build: the plan's fingerprint, the content
///   version it left the relation at, and the versions of the inputs it read (``NodeState``);
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
                unique_id text primary key, fingerprint text not null, relation text, built_at text not null, run_id text not null,
                version text, inputs text);
            create table if not exists \(table("_floe_runs")) (
                run_id text primary key, command text not null, started_at text not null, completed_at text,
                status text not null, inputs_sha256 text, built integer, up_to_date integer, errors integer,
                skipped integer, tests_passed integer, tests_warned integer, tests_failed integer);
            create table if not exists \(table("_floe_run_nodes")) (
                run_id text not null, unique_id text not null, status text not null, started_at text,
                execution_time real, rows_affected integer, failures integer, message text,
                primary key (run_id, unique_id))
            """)
        try Snapshots.createTable(connection, namespace: namespace, dialect: dialect)
        // Warehouses written before content versions existed: their rows get none, so every node
        // is rebuilt once and recorded in full.
        let stateColumns = Set(try connection.columns(of: Relation(schema: namespace, name: "_floe_node_state")).map(\.name))
        for column in ["version", "inputs"] where !stateColumns.contains(column) {
            try connection.execute(dialect.addColumn(Relation(schema: namespace, name: "_floe_node_state"), column: column, type: "text"))
        }
    }

    /// unique_id → its last successful build. A row without a content version (written by an
    /// older floe) is left out: such a node is not known to be up to date.
    func nodeStates(_ connection: any EngineConnection) throws -> [String: NodeState] {
        let rows = try connection.query("select unique_id, fingerprint, version, inputs from \(table("_floe_node_state"))").rows
        var result: [String: NodeState] = [:]
        for row in rows {
            guard let id = row[0].displayText, let fingerprint = row[1].displayText, let version = row[2].displayText,
                  let inputs = NodeState.decodeInputs(row[3].displayText ?? "") else { continue }
            result[id] = NodeState(fingerprint: fingerprint, version: version, inputs: inputs)
        }
        return result
    }

    func recordBuild(_ connection: any EngineConnection, id: String, state: NodeState, relation: Relation?,
                     at time: String, runID: String) throws {
        try connection.execute("""
            insert into \(table("_floe_node_state")) (unique_id, fingerprint, relation, built_at, run_id, version, inputs)
            values (\(text(id)), \(text(state.fingerprint)), \(text(relation?.description)), \(text(time)), \(text(runID)),
                \(text(state.version)), \(text(state.encodedInputs)))
            on conflict (unique_id) do update set fingerprint = excluded.fingerprint, relation = excluded.relation,
                built_at = excluded.built_at, run_id = excluded.run_id, version = excluded.version, inputs = excluded.inputs
            """)
    }

    func forget(_ connection: any EngineConnection, id: String) throws {
        try connection.execute("delete from \(table("_floe_node_state")) where unique_id = \(text(id))")
    }

    /// Records the run as `running`. Called with the namespace's lock held, so a `running` row
    /// left by an earlier run means that process died (killed, power lost): it is marked `interrupted`.
    func startRun(_ connection: any EngineConnection, runID: String, command: String, at time: String, inputs: String) throws {
        try connection.execute("update \(table("_floe_runs")) set status = 'interrupted' where status = 'running'")
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
                    status = \(text(results.cancelledBy != nil ? "cancelled" : results.success ? "success" : "failed")),
                    built = \(counts.built),
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

/// What a node's last successful build left in the warehouse.
struct NodeState: Equatable, Sendable {
    /// The plan's fingerprint of the node (its SQL, config and upstream definitions).
    var fingerprint: String
    /// The content version of its relation: a new one each time a model's relation is written;
    /// for seeds and synthetic tables, whose content their definition decides, the fingerprint.
    var version: String
    /// unique_id → the version of each input the build read, as it was then (``NodeStates``).
    var inputs: [String: String]

    /// JSON, keys sorted: stable text for the same inputs.
    var encodedInputs: String {
        let data = (try? JSONSerialization.data(withJSONObject: inputs, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeInputs(_ text: String) -> [String: String]? {
        guard !text.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String]
    }
}
