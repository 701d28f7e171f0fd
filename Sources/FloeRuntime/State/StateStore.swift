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
///
/// On an engine without transactions (Spark), where a build and its record cannot commit
/// together and a parquet table takes no UPDATE, `_floe_node_state` is a log: each record is
/// one appended row with a rising `sequence`, a forgotten node a row without a fingerprint, and
/// the newest row of a node is its state. The record follows the build, so a build whose record
/// is lost is built again, never called up to date. The log is compacted when a run starts,
/// under the namespace's lock, and appends from the run's threads take turns, as one table's
/// files take one writer at a time.
struct StateStore {
    let namespace: String
    let dialect: any SQLDialect
    /// Serializes the log's appends (a class: every copy of the store shares it).
    private let appends = StateLog()

    init(namespace: String, dialect: any SQLDialect) {
        self.namespace = namespace
        self.dialect = dialect
    }

    private var isLog: Bool { !dialect.hasTransactions }
    private func table(_ name: String) -> String { dialect.relation(schema: namespace, name: name) }
    private func relation(_ name: String) -> Relation { Relation(schema: namespace, name: name) }
    private func text(_ value: String?) -> String { value.map(dialect.stringLiteral) ?? "null" }

    private static let nodeStateColumns: [(String, ValueKind)] = [
        ("unique_id", .text), ("fingerprint", .text), ("relation", .text), ("built_at", .text), ("run_id", .text),
        ("version", .text), ("inputs", .text), ("sequence", .integer),
    ]
    private static let runColumns: [(String, ValueKind)] = [
        ("run_id", .text), ("command", .text), ("started_at", .text), ("completed_at", .text), ("status", .text),
        ("inputs_sha256", .text), ("built", .integer), ("up_to_date", .integer), ("errors", .integer), ("skipped", .integer),
        ("tests_passed", .integer), ("tests_warned", .integer), ("tests_failed", .integer),
    ]
    private static let runNodeColumns: [(String, ValueKind)] = [
        ("run_id", .text), ("unique_id", .text), ("status", .text), ("started_at", .text), ("execution_time", .real),
        ("rows_affected", .integer), ("failures", .integer), ("message", .text),
    ]

    func createTables(_ connection: any EngineConnection) throws {
        guard !isLog else { return try createLogTables(connection) }
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

    /// The state tables as plain tables of the engine's types, for the log (see the type's doc).
    private func createLogTables(_ connection: any EngineConnection) throws {
        for (name, columns) in [("_floe_node_state", Self.nodeStateColumns), ("_floe_runs", Self.runColumns),
                                ("_floe_run_nodes", Self.runNodeColumns)] {
            try Self.createPlainTable(relation(name), columns: columns, connection: connection, dialect: dialect)
        }
        try Snapshots.createTable(connection, namespace: namespace, dialect: dialect)
    }

    /// Creates `relation` with `columns` in the engine's types, without keys or constraints,
    /// unless it exists: floe's own tables where statements have no transactions.
    static func createPlainTable(_ relation: Relation, columns: [(String, ValueKind)], connection: any EngineConnection,
                                 dialect: any SQLDialect) throws {
        guard try connection.relationKind(relation) == nil else { return }
        try connection.execute(dialect.createTable(relation, columns: columns.map { ColumnSpec(name: $0.0, type: dialect.typeName(for: $0.1)) }))
    }

    /// unique_id → its last successful build. A row without a content version (written by an
    /// older floe) is left out: such a node is not known to be up to date.
    func nodeStates(_ connection: any EngineConnection) throws -> [String: NodeState] {
        let rows = try connection.query("select unique_id, fingerprint, version, inputs from \(table("_floe_node_state"))"
            + (isLog ? " order by sequence" : "")).rows
        var result: [String: NodeState] = [:]
        for row in rows {
            guard let id = row[0].displayText else { continue }
            guard let fingerprint = row[1].displayText, let version = row[2].displayText,
                  let inputs = NodeState.decodeInputs(row[3].displayText ?? "") else {
                result[id] = nil
                continue
            }
            result[id] = NodeState(fingerprint: fingerprint, version: version, inputs: inputs)
        }
        return result
    }

    func recordBuild(_ connection: any EngineConnection, id: String, state: NodeState, relation: Relation?,
                     at time: String, runID: String) throws {
        let values = "\(text(id)), \(text(state.fingerprint)), \(text(relation?.description)), \(text(time)), \(text(runID)), "
            + "\(text(state.version)), \(text(state.encodedInputs))"
        guard !isLog else { return try append(connection, values) }
        try connection.execute("""
            insert into \(table("_floe_node_state")) (unique_id, fingerprint, relation, built_at, run_id, version, inputs)
            values (\(values))
            on conflict (unique_id) do update set fingerprint = excluded.fingerprint, relation = excluded.relation,
                built_at = excluded.built_at, run_id = excluded.run_id, version = excluded.version, inputs = excluded.inputs
            """)
    }

    func forget(_ connection: any EngineConnection, id: String) throws {
        guard !isLog else { return try append(connection, "\(text(id)), null, null, \(text(Clock.timestamp())), null, null, null") }
        try connection.execute("delete from \(table("_floe_node_state")) where unique_id = \(text(id))")
    }

    /// Appends one row (`values`, SQL literals for every column but `sequence`) to the node state
    /// log, after every row before it: one statement, as a record follows every build.
    private func append(_ connection: any EngineConnection, _ values: String) throws {
        try appends.serialized { sequence in
            try connection.execute("insert into \(table("_floe_node_state")) (\(dialect.columnList(Self.nodeStateColumns.map(\.0))))"
                + " values (\(values), \(sequence))")
        }
    }

    /// Keeps only each node's newest row of the log, once the log holds more than twice as many.
    private func compactLog(_ connection: any EngineConnection) throws {
        let log = table("_floe_node_state")
        let counts = try connection.query("select count(*), count(distinct unique_id) from \(log)").rows.first ?? []
        guard case .integer(let rows)? = counts.first, case .integer(let nodes)? = counts.last, rows > 2 * nodes + 100 else { return }
        try connection.deleteRows(from: relation("_floe_node_state"), where: "fingerprint is null or sequence < "
            + "(select max(newer.sequence) from \(log) as newer where newer.unique_id = \(log).unique_id)", dialect: dialect)
    }

    /// Records the run as `running`. Called with the namespace's lock held, so a `running` row
    /// left by an earlier run means that process died (killed, power lost): it is marked `interrupted`.
    func startRun(_ connection: any EngineConnection, runID: String, command: String, at time: String, inputs: String) throws {
        if isLog {
            try compactLog(connection)
            let names = Self.runColumns.map(\.0)
            let dead = try connection.query("select \(dialect.columnList(names)) from \(table("_floe_runs")) where status = 'running'").rows
            if !dead.isEmpty {
                try connection.deleteRows(from: relation("_floe_runs"), where: "status = 'running'", dialect: dialect)
                let status = names.firstIndex(of: "status")!
                try connection.insert(into: relation("_floe_runs"), columns: names,
                                      rows: dead.map { row in var row = row; row[status] = .text("interrupted"); return row })
            }
        } else {
            try connection.execute("update \(table("_floe_runs")) set status = 'interrupted' where status = 'running'")
        }
        try connection.execute("""
            insert into \(table("_floe_runs")) (run_id, command, started_at, status, inputs_sha256)
            values (\(text(runID)), \(text(command)), \(text(time)), 'running', \(text(inputs)))
            """)
    }

    func finishRun(_ connection: any EngineConnection, _ results: RunResults) throws {
        let counts = results.counts
        let runID = results.metadata.invocationID
        let status = results.cancelledBy != nil ? "cancelled" : results.success ? "success" : "failed"
        try connection.inWriteTransaction {
            if isLog {
                try connection.deleteRows(from: relation("_floe_runs"), where: "run_id = \(text(runID))", dialect: dialect)
                let metadata = results.metadata
                try connection.insert(into: relation("_floe_runs"), columns: Self.runColumns.map(\.0), rows: [[
                    .text(runID), .text(metadata.command), .text(metadata.startedAt), .text(metadata.completedAt), .text(status),
                    .null, .integer(Int64(counts.built)), .integer(Int64(counts.upToDate)), .integer(Int64(counts.errors)),
                    .integer(Int64(counts.skipped)), .integer(Int64(counts.passed)), .integer(Int64(counts.warned)),
                    .integer(Int64(counts.failed)),
                ]])
            } else {
                try connection.execute("""
                    update \(table("_floe_runs")) set completed_at = \(text(results.metadata.completedAt)), status = \(text(status)),
                        built = \(counts.built),
                        up_to_date = \(counts.upToDate), errors = \(counts.errors), skipped = \(counts.skipped),
                        tests_passed = \(counts.passed), tests_warned = \(counts.warned), tests_failed = \(counts.failed)
                    where run_id = \(text(runID))
                    """)
            }
            try connection.insert(into: relation("_floe_run_nodes"), columns: Self.runNodeColumns.map(\.0), rows: results.results.map { node in
                [.text(runID), .text(node.uniqueID), .text(node.status.rawValue), node.startedAt.map(SQLValue.text) ?? .null,
                 .real(node.executionTime), node.rowsAffected.map { .integer(Int64($0)) } ?? .null,
                 node.failures.map { .integer(Int64($0)) } ?? .null, node.message.map(SQLValue.text) ?? .null]
            })
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

/// The node state log's turn-taking and its sequence: microseconds since 1970, rising strictly
/// within the process, so a later record sorts after an earlier one.
final class StateLog: @unchecked Sendable {
    private let lock = NSLock()
    private var last: Int64 = 0

    func serialized(_ body: (Int64) throws -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        last = max(last + 1, Int64(Date().timeIntervalSince1970 * 1_000_000))
        try body(last)
    }
}
