import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Builds a dbt snapshot: the history of its SELECT's rows, a version per change. The first build
/// stores every row as its first version; each later one, inside the build's transaction, closes
/// the current version of every row that changed (and, with `hard_deletes`, of every row gone) and
/// adds the new versions. The SELECT's rows and the changes found are held in work tables beside
/// the snapshot, dropped before the transaction commits.
struct SnapshotBuild {
    static let suffixes = (source: "__floe_snap", changes: "__floe_snap_changes", additions: "__floe_snap_new", deletions: "__floe_snap_gone")

    let connection: any EngineConnection
    let dialect: any SQLDialect
    /// The run's time: when a check-strategy version begins and a deleted row's version ends.
    let now: Date

    func build(_ model: CompiledModel) throws -> ModelBuilder.Outcome {
        guard let config = model.snapshot else {
            throw ExecutorError(.build, "snapshot '\(model.name)' has no snapshot strategy in the plan", node: model.uniqueID)
        }
        guard dialect.rowLevelChanges else {
            throw ExecutorError(.build, "snapshot '\(model.name)' closes versions with UPDATE, which \(dialect.name) tables of this file format do not take; "
                + "use a file_format with row-level changes (delta, iceberg, hudi)", node: model.uniqueID)
        }
        let sql = SnapshotSQL(dialect: dialect, config: config, uniqueKey: model.uniqueKey, now: Self.utc(now))
        switch try connection.relationKind(model.relation) {
        case nil:
            try connection.execute(sql.create(model.relation, from: model.sql))
            let rows = try count(model.relation)
            return ModelBuilder.Outcome(rowsAffected: rows, message: "snapshot, first build, \(rows) row\(rows == 1 ? "" : "s")", compiledSQL: model.sql)
        case .table?:
            return try update(model, sql: sql)
        case let kind?:
            throw ExecutorError(.build, "snapshot '\(model.name)' would replace the \(kind.rawValue) \(dialect.relation(model.relation)), which is no snapshot",
                                node: model.uniqueID)
        }
    }

    private func update(_ model: CompiledModel, sql: SnapshotSQL) throws -> ModelBuilder.Outcome {
        func work(_ suffix: String) -> Relation { model.relation.suffixed(suffix, for: dialect) }
        let source = work(Self.suffixes.source), changes = work(Self.suffixes.changes)
        let additions = work(Self.suffixes.additions), deletions = work(Self.suffixes.deletions)
        for table in [source, changes, additions, deletions] { try connection.dropIfExists(table, dialect: dialect) }
        try connection.execute(dialect.createTable(source, as: model.sql))
        let columns = try sourceColumns(model, source: source, meta: Set(sql.metaColumns))

        try connection.execute(sql.changedRows(source, model.relation, into: changes, columns: columns))
        try connection.execute(sql.newRows(source, model.relation, into: additions))
        let tracked = model.snapshot?.hardDeletes ?? "ignore"
        if tracked != "ignore" { try connection.execute(sql.deletedRows(source, model.relation, into: deletions)) }

        try connection.execute(sql.close(model.relation, matching: changes, endingNow: false))
        if tracked != "ignore" { try connection.execute(sql.close(model.relation, matching: deletions, endingNow: true)) }
        try connection.execute(sql.insertVersions(model.relation, from: changes, columns: columns))
        try connection.execute(sql.insertVersions(model.relation, from: additions, columns: columns))
        if tracked == "new_record" {
            try connection.execute(sql.insertVersions(model.relation, from: deletions, columns: columns, deletionMarkers: true))
        }
        let changed = try count(changes), added = try count(additions)
        let deleted = tracked == "ignore" ? 0 : try count(deletions)
        for table in [source, changes, additions, deletions] { try connection.dropIfExists(table, dialect: dialect) }
        var parts = ["\(changed) changed", "\(added) new"]
        if tracked != "ignore" { parts.append("\(deleted) deleted") }
        return ModelBuilder.Outcome(rowsAffected: changed + added + deleted, message: "snapshot, " + parts.joined(separator: ", "),
                                    compiledSQL: model.sql)
    }

    /// The SELECT's columns, each one the snapshot does not have yet added to it (as dbt does).
    private func sourceColumns(_ model: CompiledModel, source: Relation, meta: Set<String>) throws -> [String] {
        let incoming = try connection.columns(of: source)
        let existing = Set(try connection.columns(of: model.relation).map(\.name))
        for column in incoming where !existing.contains(column.name) && !meta.contains(column.name) {
            try connection.execute(dialect.addColumn(model.relation, column: column.name, type: column.type ?? ""))
        }
        return incoming.map(\.name).filter { !meta.contains($0) }
    }

    private func count(_ relation: Relation) throws -> Int {
        try connection.count("select count(*) from \(dialect.relation(relation))")
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff` in UTC: microseconds, as dbt's `current_timestamp` has, so
    /// two runs in one second begin two versions.
    static func utc(_ date: Date) -> String {
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        // Floor division, so an instant before 1970 keeps a fraction from 0 up.
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let fraction = String(microseconds - seconds * 1_000_000)
        return CivilDate.timestamp(seconds: seconds) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
