import FloeConnect
import FloeContract
import FloeEngine
import Foundation

/// Earlier versions of tables and incremental models (floe.yaml's `snapshots: {keep: N}`). When a
/// build replaces a table, the table it replaces is kept beside it as `<name>__floe_snapshot_<n>`
/// (renamed away, not copied; an incremental model's table is copied before it changes), with
/// the state it had (`_floe_snapshots`), and only the newest `keep` stay. All of it happens in
/// the build's transaction. ``restore(_:snapshot:connection:runID:)`` swaps one back.
struct Snapshots {
    let keep: Int
    let state: StateStore

    struct Entry {
        var sequence: Int
        var relation: Relation
        var state: NodeState
        var takenAt: String
    }

    private var namespace: String { state.namespace }
    private var dialect: any SQLDialect { state.dialect }
    private var table: String { dialect.relation(schema: namespace, name: "_floe_snapshots") }

    static func createTable(_ connection: any EngineConnection, namespace: String, dialect: any SQLDialect) throws {
        guard dialect.hasTransactions else {
            return try StateStore.createPlainTable(Relation(schema: namespace, name: "_floe_snapshots"), columns: [
                ("unique_id", .text), ("sequence", .integer), ("relation", .text), ("taken_at", .text), ("run_id", .text),
                ("fingerprint", .text), ("version", .text), ("inputs", .text),
            ], connection: connection, dialect: dialect)
        }
        try connection.execute("""
            create table if not exists \(dialect.relation(schema: namespace, name: "_floe_snapshots")) (
                unique_id text not null, sequence integer not null, relation text not null, taken_at text not null,
                run_id text not null, fingerprint text not null, version text not null, inputs text not null,
                primary key (unique_id, sequence))
            """)
    }

    /// Keeps what `model`'s relation holds now, whose state was `current`, as its newest
    /// snapshot: `move` renames the table away (it is being replaced), else it is copied (it is
    /// about to change in place). Then prunes to `keep`.
    func take(_ model: CompiledModel, current: NodeState, move: Bool, connection: any EngineConnection, runID: String) throws {
        guard try connection.relationKind(model.relation) == .table else { return }
        let sequence = (try entries(of: model, connection: connection).first?.sequence ?? 0) + 1
        let snapshot = Relation(schema: model.relation.schema, name: "\(model.relation.name)__floe_snapshot_\(sequence)")
        try connection.dropIfExists(snapshot, dialect: dialect)
        if move {
            try connection.execute(dialect.rename(model.relation, kind: .table, to: snapshot.name))
        } else {
            try connection.execute(dialect.createTable(snapshot, as: "select * from \(dialect.relation(model.relation))"))
        }
        try connection.execute("""
            insert into \(table) (unique_id, sequence, relation, taken_at, run_id, fingerprint, version, inputs)
            values (\(text(model.uniqueID)), \(sequence), \(text(snapshot.name)), \(text(Clock.timestamp())), \(text(runID)),
                \(text(current.fingerprint)), \(text(current.version)), \(text(current.encodedInputs)))
            """)
        for old in try entries(of: model, connection: connection).dropFirst(keep) { try forget(old, of: model, connection: connection) }
    }

    /// The model's snapshots, newest first.
    func entries(of model: CompiledModel, connection: any EngineConnection) throws -> [Entry] {
        try connection.query("""
            select sequence, relation, fingerprint, version, inputs, taken_at from \(table)
            where unique_id = \(text(model.uniqueID)) order by sequence desc
            """).rows.compactMap { row in
            guard case .integer(let sequence) = row[0], let name = row[1].displayText, let fingerprint = row[2].displayText,
                  let version = row[3].displayText, let inputs = NodeState.decodeInputs(row[4].displayText ?? "") else { return nil }
            return Entry(sequence: Int(sequence), relation: Relation(schema: model.relation.schema, name: name),
                         state: NodeState(fingerprint: fingerprint, version: version, inputs: inputs), takenAt: row[5].displayText ?? "")
        }
    }

    /// Puts snapshot `number` (1 = the newest) back in place of the model's table, which becomes
    /// the newest snapshot, so a restore can be undone the same way. Returns the state restored:
    /// the one the snapshot had, so the model is up to date only while its inputs still are.
    func restore(_ model: CompiledModel, snapshot number: Int, connection: any EngineConnection, runID: String) throws -> NodeState? {
        let all = try entries(of: model, connection: connection)
        guard number >= 1, number <= all.count else { return nil }
        let chosen = all[number - 1]
        let current = try state.nodeStates(connection)[model.uniqueID]
        // Out of the way first: the current version's snapshot may be given the chosen one's name.
        let restoring = model.relation.suffixed("__floe_restoring", for: state.dialect)
        try connection.dropIfExists(restoring, dialect: dialect)
        try connection.execute(dialect.rename(chosen.relation, kind: .table, to: restoring.name))
        try forgetEntry(chosen.sequence, of: model, connection: connection)
        if let current {
            try take(model, current: current, move: true, connection: connection, runID: runID)
        }
        try connection.dropIfExists(model.relation, dialect: dialect)
        try connection.execute(dialect.rename(restoring, kind: .table, to: model.relation.name))
        try state.recordBuild(connection, id: model.uniqueID, state: chosen.state, relation: model.relation,
                              at: Clock.timestamp(), runID: runID)
        return chosen.state
    }

    private func forget(_ entry: Entry, of model: CompiledModel, connection: any EngineConnection) throws {
        try connection.dropIfExists(entry.relation, dialect: dialect)
        try forgetEntry(entry.sequence, of: model, connection: connection)
    }

    private func forgetEntry(_ sequence: Int, of model: CompiledModel, connection: any EngineConnection) throws {
        try connection.deleteRows(from: Relation(schema: namespace, name: "_floe_snapshots"),
                                  where: "unique_id = \(text(model.uniqueID)) and sequence = \(sequence)", dialect: dialect)
    }

    private func text(_ value: String) -> String { dialect.stringLiteral(value) }
}
