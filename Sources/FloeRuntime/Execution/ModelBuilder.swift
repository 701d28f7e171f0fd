import FloeConnect
import FloeContract
import FloeEngine
import Foundation

/// Builds one model on one connection, in one write transaction that also records its state:
/// pre-hooks, the materialization, post-hooks, then the fingerprint. Any failure rolls all of it back.
struct ModelBuilder {
    struct Outcome {
        var rowsAffected: Int?
        var message: String
        /// The SELECT the build ran: the incremental one for an incremental run, else the full one.
        var compiledSQL: String
    }

    static let stagingSuffix = "__floe_incr"

    let connection: any EngineConnection
    let dialect: any SQLDialect
    let state: StateStore
    let runID: String
    /// floe.yaml's retention, applied to tables and incremental models after they are built.
    var retention: RetentionStep?
    /// floe.yaml's snapshots, and the state of the version this build replaces.
    var snapshots: Snapshots?
    var previous: NodeState?
    /// For a rollup kept in partitions: rebuild only the partitions whose source rows changed.
    var partitioning: RollupPartitioning?
    /// For a model rendered at apply time whose post-hooks query the database: renders them once
    /// the model is built, as dbt renders post-hooks after the model's statement (a hook that
    /// reads `this` reads the new table).
    var renderPostHooks: ((any EngineConnection) throws -> [String])?

    /// Builds `model` and records `recording` as its state in the same transaction.
    func build(_ model: CompiledModel, recording: NodeState, fullRefresh: Bool, at time: String) throws -> Outcome {
        try connection.inWriteTransaction {
            for hook in model.preHooks { try connection.execute(hook) }
            var outcome: Outcome
            switch model.materialized {
            case .view: outcome = try view(model)
            case .table:
                if let partitioning {
                    outcome = try RollupPartitionBuild(connection: connection, dialect: dialect, partitioning: partitioning)
                        .build(model, fullRefresh: fullRefresh) { try table(model, message: "rollup") }
                } else {
                    outcome = try table(model, message: "table")
                }
            case .incremental: outcome = try incremental(model, fullRefresh: fullRefresh)
            case .ephemeral: outcome = Outcome(rowsAffected: nil, message: "ephemeral (inlined)", compiledSQL: model.sql)
            case .snapshot: outcome = try SnapshotBuild(connection: connection, dialect: dialect, now: Date()).build(model)
            }
            for hook in try renderPostHooks?(connection) ?? model.postHooks { try connection.execute(hook) }
            if let retention, model.materialized == .table || model.materialized == .incremental {
                let deleted = try retention.apply(to: model.relation, connection: connection, dialect: dialect)
                if deleted > 0 { outcome.message += "; " + retention.describe(deleted) }
            }
            try state.recordBuild(connection, id: model.uniqueID, state: recording, relation: model.relation, at: time, runID: runID)
            return outcome
        }
    }

    private func view(_ model: CompiledModel) throws -> Outcome {
        try ContractCheck(connection: connection, dialect: dialect).verify(model, select: model.sql)
        try connection.dropIfExists(model.relation, dialect: dialect)
        let create = dialect.createView(model.relation, as: model.sql)
        try connection.execute(create)
        // SQLite checks a view's columns only when it is read: read it now, in the build's
        // transaction, so a view over a missing column fails here and the old view stays. The
        // failure names the view's definition, where the mistake is.
        do {
            _ = try connection.query("select * from \(dialect.relation(model.relation))", limit: 0)
        } catch let error as EngineError {
            throw EngineError(error.kind, error.message, sql: create)
        }
        return Outcome(rowsAffected: nil, message: "view", compiledSQL: model.sql)
    }

    private func table(_ model: CompiledModel, message: String) throws -> Outcome {
        let retire: (() throws -> Void)? = snapshots.flatMap { snapshots in
            previous.map { previous in { try snapshots.take(model, current: previous, move: true, connection: connection, runID: runID) } }
        }
        try ContractCheck(connection: connection, dialect: dialect).verify(model, select: model.sql)
        try TableSwap(connection: connection, dialect: dialect).replace(model.relation, retire: retire) { temporary in
            if let contract = model.contract {
                // The contract's columns, types and constraints: a row that breaks one fails the build.
                try connection.execute(dialect.createTable(temporary, contract: contract))
                try connection.execute(dialect.insertContracted(into: temporary, columns: contract.columns.map(\.name), select: model.sql))
                try ContractCheck(connection: connection, dialect: dialect).verifyNotNull(model, in: temporary)
            } else {
                try connection.execute(dialect.createTable(temporary, as: model.sql, partitionedBy: Self.partitions(of: model)))
            }
        }
        try IndexCreation(connection: connection, dialect: dialect).create(for: model, replacing: true)
        let rows = try connection.count("select count(*) from \(dialect.relation(model.relation))")
        return Outcome(rowsAffected: rows, message: "\(message), \(rows) row\(rows == 1 ? "" : "s")", compiledSQL: model.sql)
    }

    private func incremental(_ model: CompiledModel, fullRefresh: Bool) throws -> Outcome {
        if model.incrementalStrategy == .microbatch {
            return try MicrobatchBuild(connection: connection, dialect: dialect, now: Date()).build(model, fullRefresh: fullRefresh)
        }
        let existing = try connection.relationKind(model.relation)
        guard existing == .table, !fullRefresh else {
            return try table(model, message: fullRefresh && existing != nil ? "incremental, full refresh" : "incremental, first build")
        }
        if let snapshots, let previous {
            try snapshots.take(model, current: previous, move: false, connection: connection, runID: runID)
        }
        try ContractCheck(connection: connection, dialect: dialect).verify(model, select: model.incrementalSQL ?? model.sql)
        let staging = model.relation.suffixed(Self.stagingSuffix, for: dialect)
        try connection.dropIfExists(staging, dialect: dialect)
        try connection.execute(dialect.createTable(staging, as: model.incrementalSQL ?? model.sql))
        try ContractCheck(connection: connection, dialect: dialect).verifyNotNull(model, in: staging)
        let columns = try reconcileColumns(model, staging: staging)
        let strategy = model.incrementalStrategy ?? (model.uniqueKey.isEmpty ? .append : .deleteInsert)
        let source = dialect.relation(staging)
        let statements: [String]
        switch strategy {
        case .append:
            statements = [dialect.insert(into: model.relation, from: source, columns: columns)]
        case .deleteInsert, .merge:
            guard !model.uniqueKey.isEmpty else {
                throw ExecutorError(.build, "incremental_strategy '\(strategy.rawValue)' needs a unique_key", node: model.uniqueID)
            }
            statements = strategy == .merge
                ? dialect.merge(into: model.relation, from: source, columns: columns, uniqueKey: model.uniqueKey)
                : dialect.deleteInsert(into: model.relation, from: source, columns: columns, uniqueKey: model.uniqueKey)
        case .insertOverwrite:
            // The partitions (the unique key's values) the new rows fall in are replaced; with no
            // partition columns, the whole table is.
            statements = dialect.overwrite(model.relation, from: source, columns: columns, partitions: model.uniqueKey)
        case .microbatch:
            // Built a window at a time before this point; a plan that gets here is malformed.
            throw ExecutorError(.build, "a microbatch model needs its microbatch config in the plan", node: model.uniqueID)
        }
        for statement in statements { try connection.execute(statement) }
        try IndexCreation(connection: connection, dialect: dialect).create(for: model, replacing: false)
        let rows = try connection.count("select count(*) from \(source)")
        try connection.execute(dialect.drop(staging, kind: .table))
        return Outcome(rowsAffected: rows, message: "incremental \(strategy.rawValue), \(rows) new row\(rows == 1 ? "" : "s")",
                       compiledSQL: model.incrementalSQL ?? model.sql)
    }

    /// The columns an insert_overwrite model's table is partitioned by (dbt's `partition_by`,
    /// which the plan carries as its unique key); none for other models.
    static func partitions(of model: CompiledModel) -> [String] {
        model.materialized == .incremental && model.incrementalStrategy == .insertOverwrite ? model.uniqueKey : []
    }

    /// dbt's `on_schema_change`: `ignore` (default) keeps the target's columns, `fail` stops,
    /// `append_new_columns` adds new ones, `sync_all_columns` also drops the ones that went away.
    /// Returns the columns to write.
    private func reconcileColumns(_ model: CompiledModel, staging: Relation) throws -> [String] {
        let target = try connection.columns(of: model.relation)
        let incoming = try connection.columns(of: staging)
        let targetNames = Set(target.map(\.name)), incomingNames = Set(incoming.map(\.name))
        let added = incoming.filter { !targetNames.contains($0.name) }
        let removed = target.filter { !incomingNames.contains($0.name) }
        switch model.onSchemaChange ?? "ignore" {
        case "fail" where !added.isEmpty || !removed.isEmpty:
            throw ExecutorError(.build, "the incremental model's columns changed (added: \(names(added)); removed: \(names(removed))) "
                + "and on_schema_change is 'fail'; run with --full-refresh or change on_schema_change")
        case "append_new_columns", "sync_all_columns":
            for column in added {
                try connection.execute(dialect.addColumn(model.relation, column: column.name, type: column.type ?? ""))
            }
            if model.onSchemaChange == "sync_all_columns" {
                for column in removed { try connection.execute(dialect.dropColumn(model.relation, column: column.name)) }
                return incoming.map(\.name)
            }
            return target.map(\.name).filter(incomingNames.contains) + added.map(\.name)
        default:
            return target.map(\.name).filter(incomingNames.contains)
        }
    }

    private func names(_ columns: [ColumnSpec]) -> String {
        columns.isEmpty ? "none" : columns.map(\.name).joined(separator: ", ")
    }
}
