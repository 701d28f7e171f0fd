import FloeConnect
import FloeContract
import FloeEngine
import Foundation

/// Writing floe's state tables: creating them, recording builds and runs (the reading and the
/// layout are in FloeConnect's ``StateStore``).
extension StateStore {
    package func createTables(_ connection: any EngineConnection) throws {
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
                execution_time real, rows_affected integer, failures integer, message text, failed_sql text,
                primary key (run_id, unique_id))
            """)
        try Snapshots.createTable(connection, namespace: namespace, dialect: dialect)
        // Warehouses written before content versions existed: their rows get none, so every node
        // is rebuilt once and recorded in full.
        try addMissingColumns(["version", "inputs"], to: "_floe_node_state", connection)
        try addMissingColumns(["failed_sql"], to: "_floe_run_nodes", connection)
    }

    /// Text columns added since a warehouse's state tables were made: added to them, empty.
    private func addMissingColumns(_ columns: [String], to table: String, _ connection: any EngineConnection) throws {
        let present = Set(try connection.columns(of: relation(table)).map { $0.name.lowercased() })
        for column in columns where !present.contains(column) {
            try connection.execute(dialect.addColumn(relation(table), column: column, type: dialect.typeName(for: .text)))
        }
    }

    /// The state tables as plain tables of the engine's types, for the log (see the type's doc).
    private func createLogTables(_ connection: any EngineConnection) throws {
        for (name, columns) in [("_floe_node_state", Self.nodeStateColumns), ("_floe_runs", Self.runColumns),
                                ("_floe_run_nodes", Self.runNodeColumns)] {
            try Self.createPlainTable(relation(name), columns: columns, connection: connection, dialect: dialect)
        }
        try addMissingColumns(["failed_sql"], to: "_floe_run_nodes", connection)
        try Snapshots.createTable(connection, namespace: namespace, dialect: dialect)
    }

    /// Creates `relation` with `columns` in the engine's types, without keys or constraints,
    /// unless it exists: floe's own tables where statements have no transactions.
    package static func createPlainTable(_ relation: Relation, columns: [(String, ValueKind)], connection: any EngineConnection,
                                 dialect: any SQLDialect) throws {
        guard try connection.relationKind(relation) == nil else { return }
        try connection.execute(dialect.createTable(relation, columns: columns.map { ColumnSpec(name: $0.0, type: dialect.typeName(for: $0.1)) }))
    }

    package func recordBuild(_ connection: any EngineConnection, id: String, state: NodeState, relation: Relation?,
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

    package func forget(_ connection: any EngineConnection, id: String) throws {
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
    package func startRun(_ connection: any EngineConnection, runID: String, command: String, at time: String, inputs: String) throws {
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
}
