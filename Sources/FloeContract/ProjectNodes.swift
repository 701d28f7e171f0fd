/// A table in the warehouse: a schema (the namespace, or namespace plus a custom schema) and a name.
public struct Relation: Codable, Sendable, Hashable, CustomStringConvertible {
    public var schema: String
    public var name: String

    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    public var description: String { "\(schema).\(name)" }
}

/// A column name and, where known, its SQL type.
public struct ColumnSpec: Codable, Sendable, Equatable {
    public var name: String
    public var type: String?
    public var description: String?

    public init(name: String, type: String? = nil, description: String? = nil) {
        self.name = name
        self.type = type
        self.description = description
    }
}

/// A CSV file loaded as a table.
public struct CompiledSeed: Codable, Sendable, Equatable {
    public var uniqueID: String
    public var name: String
    /// Relative to the directory of floe.yaml.
    public var path: String
    public var relation: Relation
    public var columns: [ColumnSpec]
    public var sha256: String
    public var tags: [String]

    public init(
        uniqueID: String, name: String, path: String, relation: Relation, columns: [ColumnSpec],
        sha256: String, tags: [String] = []
    ) {
        self.uniqueID = uniqueID
        self.name = name
        self.path = path
        self.relation = relation
        self.columns = columns
        self.sha256 = sha256
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case uniqueID = "unique_id"
        case name, path, relation, columns, sha256, tags
    }
}

/// A table that exists before the run (loaded by someone else, or generated synthetic data).
public struct CompiledSource: Codable, Sendable, Equatable {
    public var uniqueID: String
    public var sourceName: String
    public var name: String
    public var relation: Relation
    public var columns: [ColumnSpec]

    public init(uniqueID: String, sourceName: String, name: String, relation: Relation, columns: [ColumnSpec] = []) {
        self.uniqueID = uniqueID
        self.sourceName = sourceName
        self.name = name
        self.relation = relation
        self.columns = columns
    }

    enum CodingKeys: String, CodingKey {
        case uniqueID = "unique_id"
        case sourceName = "source_name"
        case name, relation, columns
    }
}

/// How a model's result is kept.
public enum Materialization: String, Codable, Sendable, CaseIterable {
    case view, table, incremental, ephemeral
    /// Since 2.1: a dbt snapshot, the history of its SELECT's rows (``DbtSnapshotConfig``).
    case snapshot
}

/// How an incremental model takes its new rows (dbt's `incremental_strategy`).
public enum IncrementalStrategy: String, Codable, Sendable, CaseIterable {
    case append
    case merge
    case deleteInsert = "delete+insert"
    /// The partitions the new rows fall in are replaced (the plan's unique key: the partition columns).
    case insertOverwrite = "insert_overwrite"
    /// Since 2.1: built one window of `event_time` at a time (``MicrobatchConfig``).
    case microbatch
}

/// Since 2.1: dbt's `microbatch` strategy: the model is built one window of `event_time` at a
/// time, reading only that window of the inputs that have an `event_time`.
public struct MicrobatchConfig: Codable, Sendable, Equatable {
    /// The model's own column that tells which batch a row belongs to.
    public var eventTime: String
    /// `hour`, `day`, `month` or `year`.
    public var batchSize: String
    /// Where the first build starts (`YYYY-MM-DD[ HH:MM:SS]`).
    public var begin: String
    /// How many batches before the current one a later build redoes.
    public var lookback: Int

    public init(eventTime: String, batchSize: String, begin: String, lookback: Int = 1) {
        self.eventTime = eventTime
        self.batchSize = batchSize
        self.begin = begin
        self.lookback = lookback
    }

    /// As a model's fingerprint feeds it (docs/contract.md): `microbatch ` and its four values
    /// joined by `,`.
    public var fingerprintPart: String { "microbatch \(eventTime),\(batchSize),\(begin),\(lookback)" }

    enum CodingKeys: String, CodingKey {
        case eventTime = "event_time"
        case batchSize = "batch_size"
        case begin, lookback
    }
}

/// Since 2.1: how a dbt snapshot keeps the history of its SELECT's rows, a version per change
/// (type 2 slowly changing dimension), keyed by the model's `unique_key`.
public struct DbtSnapshotConfig: Codable, Sendable, Equatable {
    /// `timestamp`: a row changed when its `updated_at` is newer than its current version's;
    /// `check`: when any of `check_cols` differs from it.
    public var strategy: String
    public var updatedAt: String?
    /// The columns compared by the `check` strategy; nil for every column (`check_cols: all`).
    public var checkColumns: [String]?
    /// Rows gone from the SELECT: `ignore` (kept current), `invalidate` (their version closed), or
    /// `new_record` (closed, and a row marking the deletion added).
    public var hardDeletes: String
    /// `dbt_valid_to_current`: what current versions hold in `dbt_valid_to`; nil for null.
    public var validToCurrent: String?
    /// The meta columns' names (`snapshot_meta_column_names`).
    public var columnNames: ColumnNames

    public struct ColumnNames: Codable, Sendable, Equatable {
        public var scdID: String
        public var updatedAt: String
        public var validFrom: String
        public var validTo: String
        public var isDeleted: String

        public init(scdID: String = "dbt_scd_id", updatedAt: String = "dbt_updated_at", validFrom: String = "dbt_valid_from",
                    validTo: String = "dbt_valid_to", isDeleted: String = "dbt_is_deleted") {
            self.scdID = scdID
            self.updatedAt = updatedAt
            self.validFrom = validFrom
            self.validTo = validTo
            self.isDeleted = isDeleted
        }

        enum CodingKeys: String, CodingKey {
            case scdID = "dbt_scd_id"
            case updatedAt = "dbt_updated_at"
            case validFrom = "dbt_valid_from"
            case validTo = "dbt_valid_to"
            case isDeleted = "dbt_is_deleted"
        }
    }

    public init(strategy: String, updatedAt: String? = nil, checkColumns: [String]? = nil, hardDeletes: String = "ignore",
                validToCurrent: String? = nil, columnNames: ColumnNames = ColumnNames()) {
        self.strategy = strategy
        self.updatedAt = updatedAt
        self.checkColumns = checkColumns
        self.hardDeletes = hardDeletes
        self.validToCurrent = validToCurrent
        self.columnNames = columnNames
    }

    enum CodingKeys: String, CodingKey {
        case updatedAt = "updated_at"
        case checkColumns = "check_cols"
        case hardDeletes = "hard_deletes"
        case validToCurrent = "valid_to_current"
        case columnNames = "column_names"
        case strategy
    }
}

/// A SQL model, rendered for the plan's dialect.
public struct CompiledModel: Codable, Sendable, Equatable {
    public var uniqueID: String
    public var name: String
    public var path: String
    public var materialized: Materialization
    public var relation: Relation
    /// The SELECT that builds the model from scratch.
    public var sql: String
    /// For incremental models: the SELECT rendered with `is_incremental()` true.
    public var incrementalSQL: String?
    public var uniqueKey: [String]
    public var incrementalStrategy: IncrementalStrategy?
    public var onSchemaChange: String?
    public var dependsOn: [String]
    public var tags: [String]
    public var preHooks: [String]
    public var postHooks: [String]
    public var columns: [ColumnSpec]
    public var description: String?
    /// Since 1.2: dbt's `indexes` config, created after each build of a table or incremental
    /// model; nil when the model has none.
    public var indexes: [ModelIndex]?
    /// Hash of the rendered SQL, the config and the upstream fingerprints: unchanged means up to date.
    public var fingerprint: String
    /// Since 2.0: true when the model's template queries the database, so it is rendered at apply
    /// time from the plan's ``TemplateLibrary``; `sql` is then what dbt's parse renders
    /// (`execute` false), kept to show, never run. Nil otherwise.
    public var renderAtApply: Bool?
    /// Since 2.1: set exactly when `materialized` is `snapshot`.
    public var snapshot: DbtSnapshotConfig?
    /// Since 2.1: set exactly when `incremental_strategy` is `microbatch`.
    public var microbatch: MicrobatchConfig?

    public init(
        uniqueID: String, name: String, path: String, materialized: Materialization, relation: Relation,
        sql: String, incrementalSQL: String? = nil, uniqueKey: [String] = [], incrementalStrategy: IncrementalStrategy? = nil,
        onSchemaChange: String? = nil, dependsOn: [String] = [], tags: [String] = [], preHooks: [String] = [],
        postHooks: [String] = [], columns: [ColumnSpec] = [], description: String? = nil, indexes: [ModelIndex]? = nil,
        fingerprint: String, renderAtApply: Bool? = nil, snapshot: DbtSnapshotConfig? = nil, microbatch: MicrobatchConfig? = nil
    ) {
        self.snapshot = snapshot
        self.microbatch = microbatch
        self.renderAtApply = renderAtApply
        self.indexes = indexes
        self.uniqueID = uniqueID
        self.name = name
        self.path = path
        self.materialized = materialized
        self.relation = relation
        self.sql = sql
        self.incrementalSQL = incrementalSQL
        self.uniqueKey = uniqueKey
        self.incrementalStrategy = incrementalStrategy
        self.onSchemaChange = onSchemaChange
        self.dependsOn = dependsOn
        self.tags = tags
        self.preHooks = preHooks
        self.postHooks = postHooks
        self.columns = columns
        self.description = description
        self.fingerprint = fingerprint
    }

    enum CodingKeys: String, CodingKey {
        case uniqueID = "unique_id"
        case incrementalSQL = "incremental_sql"
        case uniqueKey = "unique_key"
        case incrementalStrategy = "incremental_strategy"
        case onSchemaChange = "on_schema_change"
        case dependsOn = "depends_on"
        case preHooks = "pre_hooks"
        case postHooks = "post_hooks"
        case renderAtApply = "render_at_apply"
        case name, path, materialized, relation, sql, tags, columns, description, indexes, fingerprint, snapshot, microbatch
    }
}

/// A secondary index on a model's table: its columns in order, and whether it is unique.
public struct ModelIndex: Codable, Sendable, Equatable {
    public var columns: [String]
    public var unique: Bool

    public init(columns: [String], unique: Bool = false) {
        self.columns = columns
        self.unique = unique
    }

    /// A model's indexes as its fingerprint feeds them (docs/contract.md): `indexes `, then each
    /// index (`unique ` when unique, its columns joined by `,`) joined by `;`.
    public static func fingerprintPart(_ indexes: [ModelIndex]) -> String {
        "indexes " + indexes.map { ($0.unique ? "unique " : "") + $0.columns.joined(separator: ",") }.joined(separator: ";")
    }
}

/// A data test: SQL that returns the failing rows.
public struct CompiledTest: Codable, Sendable, Equatable {
    public enum Severity: String, Codable, Sendable, CaseIterable {
        case error, warn
    }

    public var uniqueID: String
    public var name: String
    /// `not_null`, `unique`, `accepted_values`, `relationships`, or `singular`.
    public var testName: String
    /// The node the test is attached to, and the column, when it is a column test.
    public var attachedNode: String?
    public var column: String?
    public var severity: Severity
    public var sql: String
    public var dependsOn: [String]
    public var tags: [String]
    /// dbt's `warn_if` and `error_if`: a comparison with the number of failing rows (`>10`,
    /// `!=0`); nil is dbt's default, `!=0`.
    public var warnIf: String?
    public var errorIf: String?
    /// dbt's `limit`: at most this many failing rows are counted and stored.
    public var limit: Int?
    /// dbt's `store_failures`: true keeps the failing rows of every run in the audit schema,
    /// false never; nil (floe's default) keeps them when the test fails or warns.
    public var storeFailures: Bool?
    /// Since 2.0: true when the test's template queries the database, so it is rendered at apply
    /// time from the plan's ``TemplateLibrary`` (`sql` is its parse rendering, not run). Nil otherwise.
    public var renderAtApply: Bool?

    public init(
        uniqueID: String, name: String, testName: String, attachedNode: String?, column: String?,
        severity: Severity, sql: String, dependsOn: [String], tags: [String] = [], warnIf: String? = nil,
        errorIf: String? = nil, limit: Int? = nil, storeFailures: Bool? = nil, renderAtApply: Bool? = nil
    ) {
        self.renderAtApply = renderAtApply
        self.warnIf = warnIf
        self.errorIf = errorIf
        self.limit = limit
        self.storeFailures = storeFailures
        self.uniqueID = uniqueID
        self.name = name
        self.testName = testName
        self.attachedNode = attachedNode
        self.column = column
        self.severity = severity
        self.sql = sql
        self.dependsOn = dependsOn
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case uniqueID = "unique_id"
        case testName = "test_name"
        case attachedNode = "attached_node"
        case dependsOn = "depends_on"
        case warnIf = "warn_if"
        case errorIf = "error_if"
        case storeFailures = "store_failures"
        case renderAtApply = "render_at_apply"
        case name, column, severity, sql, tags, limit
    }
}

/// A generated source table, as floe.yaml's `synthetic:` section describes it.
public struct SyntheticTable: Codable, Sendable, Equatable {
    public var name: String
    /// Rows before `FLOE_DEMO_SEED_SCALE` is applied.
    public var rows: Int
    /// Same seed, same rows.
    public var seed: Int
    public var columns: [SyntheticColumn]
    public var quality: DataQualityDefects
    /// Since 1.1: child rows made for each row of another synthetic table (an order has 1–5
    /// items) instead of `rows` of them.
    public var perParent: PerParent?

    public init(name: String, rows: Int, seed: Int, columns: [SyntheticColumn], quality: DataQualityDefects,
                perParent: PerParent? = nil) {
        self.name = name
        self.rows = rows
        self.seed = seed
        self.columns = columns
        self.quality = quality
        self.perParent = perParent
    }

    /// Every table this one's rows are made from: those its `reference` and `parent` columns
    /// read, and its `per_parent` table; sorted, each once, itself left out.
    public var tablesDrawnFrom: [String] {
        var names = Set(columns.compactMap { column in
            column.generator == "reference" ? column.options["table"]?.stringValue : nil
        })
        if let parent = perParent?.table { names.insert(parent) }
        names.remove(name)
        return names.sorted()
    }

    enum CodingKeys: String, CodingKey {
        case perParent = "per_parent"
        case name, rows, seed, columns, quality
    }
}

/// `per_parent: {table: orders, min: 1, max: 5}`: each row of `table` gets `min` to `max` rows.
public struct PerParent: Codable, Sendable, Equatable {
    public var table: String
    public var min: Int
    public var max: Int

    public init(table: String, min: Int, max: Int) {
        self.table = table
        self.min = min
        self.max = max
    }
}

/// One generated column: a generator name and its options.
public struct SyntheticColumn: Codable, Sendable, Equatable {
    public var name: String
    public var generator: String
    public var options: [String: ConfigValue]

    public init(name: String, generator: String, options: [String: ConfigValue]) {
        self.name = name
        self.generator = generator
        self.options = options
    }
}

/// Deliberate defects so the pipeline's cleaning is exercised: nulls, duplicate rows, late rows.
public struct DataQualityDefects: Codable, Sendable, Equatable {
    public var nullRate: Double
    public var duplicateRate: Double
    public var lateArrivalRate: Double
    /// Since 1.1: the columns `null_rate` applies to; nil: every column but the keys.
    public var nullColumns: [String]?
    /// Since 1.1: how many days late a late row can be (nil: 7, seed 001's figure).
    public var maxLateDays: Int?

    public init(nullRate: Double = 0, duplicateRate: Double = 0, lateArrivalRate: Double = 0, nullColumns: [String]? = nil,
                maxLateDays: Int? = nil) {
        self.nullRate = nullRate
        self.duplicateRate = duplicateRate
        self.lateArrivalRate = lateArrivalRate
        self.nullColumns = nullColumns
        self.maxLateDays = maxLateDays
    }

    enum CodingKeys: String, CodingKey {
        case nullRate = "null_rate"
        case duplicateRate = "duplicate_rate"
        case lateArrivalRate = "late_arrival_rate"
        case nullColumns = "null_columns"
        case maxLateDays = "max_late_days"
    }
}
