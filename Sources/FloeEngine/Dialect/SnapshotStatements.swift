import FloeContract

/// The SQL of a dbt snapshot's build, as dbt's snapshot materialization writes it, in standard
/// SQL that SQLite and PostgreSQL share. ``SnapshotSQL`` holds what every statement needs: the
/// snapshot's strategy and key, and the run's time.
public struct SnapshotSQL: Sendable {
    public let dialect: any SQLDialect
    public let config: DbtSnapshotConfig
    public let uniqueKey: [String]
    /// The run's time, UTC `YYYY-MM-DD HH:MM:SS.ffffff`, as a value of the engine's timestamp type.
    public let now: String

    public init(dialect: any SQLDialect, config: DbtSnapshotConfig, uniqueKey: [String], now: String) {
        self.dialect = dialect
        self.config = config
        self.uniqueKey = uniqueKey
        self.now = dialect.timestampParameter(dialect.stringLiteral(now))
    }

    private func quote(_ name: String) -> String { dialect.quoteIdentifier(name) }
    private var names: DbtSnapshotConfig.ColumnNames { config.columnNames }
    private var tracksDeletes: Bool { config.hardDeletes == "new_record" }

    /// When a version of a row of `alias` begins: its `updated_at` (timestamp), or now (check).
    public func updated(_ alias: String) -> String {
        config.updatedAt.map { "\(alias).\(quote($0))" } ?? now
    }

    /// What a current version holds in `dbt_valid_to`: `dbt_valid_to_current`, or a null of the
    /// type the version's start has.
    private func openEnd(_ alias: String) -> String {
        config.validToCurrent ?? "nullif(\(updated(alias)), \(updated(alias)))"
    }

    /// dbt's `dbt_scd_id`: the md5 of the key and the version's start.
    private func scdID(_ alias: String, updated: String) -> String {
        let parts = (uniqueKey.map { "\(alias).\(quote($0))" } + [updated]).map { "coalesce(\(dialect.cast($0, as: "varchar")), '')" }
        let separated = parts.enumerated().flatMap { index, part in index == 0 ? [part] : ["'|'", part] }
        return dialect.hash(dialect.concat(separated))
    }

    /// The meta columns' values for new versions of the rows of `alias` (a deletion marker when
    /// `deleted`, which begins now).
    private func metaValues(_ alias: String, deleted: Bool = false) -> [String] {
        let start = deleted ? now : updated(alias)
        var values = [scdID(alias, updated: start), start, start, config.validToCurrent ?? "nullif(\(start), \(start))"]
        if tracksDeletes { values.append(deleted ? "'True'" : "'False'") }
        return values
    }

    public var metaColumns: [String] {
        [names.scdID, names.updatedAt, names.validFrom, names.validTo] + (tracksDeletes ? [names.isDeleted] : [])
    }

    /// The first build: every row of `select`, each its first version.
    public func create(_ target: Relation, from select: String) -> String {
        let meta = zip(metaValues("floe_source"), metaColumns).map { "\($0) as \(quote($1))" }
        return dialect.createTable(target, as: "select floe_source.*, \(meta.joined(separator: ", "))\nfrom (\n\(select)\n) as floe_source")
    }

    /// `alias` is a current version.
    public func isCurrent(_ alias: String) -> String {
        let end = "\(alias).\(quote(names.validTo))"
        return config.validToCurrent.map { "(\(end) is null or \(end) = \($0))" } ?? "\(end) is null"
    }

    public func keysMatch(_ left: String, _ right: String) -> String {
        uniqueKey.map { "\(left).\(quote($0)) = \(right).\(quote($0))" }.joined(separator: " and ")
    }

    /// The row `source` differs from its current version `target`: a newer `updated_at`, or a
    /// checked column that differs (nulls equal); a deletion marker always differs.
    public func changed(_ source: String, _ target: String, columns: [String]) -> String {
        var conditions: [String]
        if let updatedAt = config.updatedAt {
            conditions = ["\(target).\(quote(names.updatedAt)) < \(source).\(quote(updatedAt))"]
        } else {
            conditions = (config.checkColumns ?? columns).map {
                "not (\(dialect.nullSafeEqual("\(source).\(quote($0))", "\(target).\(quote($0))")))"
            }
        }
        if tracksDeletes { conditions.append("\(target).\(quote(names.isDeleted)) = 'True'") }
        return conditions.map { "(\($0))" }.joined(separator: " or ")
    }

    /// Rows of `staging` whose current version in `target` they changed, kept in `changes`.
    public func changedRows(_ staging: Relation, _ target: Relation, into changes: Relation, columns: [String]) -> String {
        dialect.createTable(changes, as: """
            select floe_source.* from \(dialect.relation(staging)) as floe_source
            join \(dialect.relation(target)) as floe_target on \(keysMatch("floe_source", "floe_target")) and \(isCurrent("floe_target"))
            where \(changed("floe_source", "floe_target", columns: columns))
            """)
    }

    /// Rows of `staging` with no current version in `target`, kept in `additions`.
    public func newRows(_ staging: Relation, _ target: Relation, into additions: Relation) -> String {
        dialect.createTable(additions, as: """
            select floe_source.* from \(dialect.relation(staging)) as floe_source
            where not exists (select 1 from \(dialect.relation(target)) as floe_target
                              where \(keysMatch("floe_source", "floe_target")) and \(isCurrent("floe_target")))
            """)
    }

    /// Current versions in `target` whose key is gone from `staging`, kept in `deletions`.
    public func deletedRows(_ staging: Relation, _ target: Relation, into deletions: Relation) -> String {
        let live = tracksDeletes ? " and floe_target.\(quote(names.isDeleted)) = 'False'" : ""
        return dialect.createTable(deletions, as: """
            select floe_target.* from \(dialect.relation(target)) as floe_target
            where \(isCurrent("floe_target"))\(live)
              and not exists (select 1 from \(dialect.relation(staging)) as floe_source where \(keysMatch("floe_source", "floe_target")))
            """)
    }

    /// Ends the current version of each row in `rows`: when the new version begins (`changes`),
    /// or now (`deletions`).
    public func close(_ target: Relation, matching rows: Relation, endingNow: Bool) -> String {
        let table = quote(target.name)
        let end = endingNow ? now
            : "(select \(updated("floe_change")) from \(dialect.relation(rows)) as floe_change where \(keysMatch("floe_change", table)))"
        return """
            update \(dialect.relation(target)) set \(quote(names.validTo)) = \(end)
            where \(isCurrent(table)) and exists (select 1 from \(dialect.relation(rows)) as floe_change where \(keysMatch("floe_change", table)))
            """
    }

    /// Adds a version for each row of `rows`: its values in `columns`, then the meta columns.
    public func insertVersions(_ target: Relation, from rows: Relation, columns: [String], deletionMarkers: Bool = false) -> String {
        let values = columns.map { "floe_row.\(quote($0))" } + metaValues("floe_row", deleted: deletionMarkers)
        return "insert into \(dialect.relation(target)) (\(dialect.columnList(columns + metaColumns)))\n"
            + "select \(values.joined(separator: ", ")) from \(dialect.relation(rows)) as floe_row"
    }
}
