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
    /// Since 2.2: dbt's enforced contract; nil when the model has none (or does not enforce it).
    public var contract: ModelContract?

    public init(
        uniqueID: String, name: String, path: String, materialized: Materialization, relation: Relation,
        sql: String, incrementalSQL: String? = nil, uniqueKey: [String] = [], incrementalStrategy: IncrementalStrategy? = nil,
        onSchemaChange: String? = nil, dependsOn: [String] = [], tags: [String] = [], preHooks: [String] = [],
        postHooks: [String] = [], columns: [ColumnSpec] = [], description: String? = nil, indexes: [ModelIndex]? = nil,
        fingerprint: String, renderAtApply: Bool? = nil, snapshot: DbtSnapshotConfig? = nil, microbatch: MicrobatchConfig? = nil,
        contract: ModelContract? = nil
    ) {
        self.contract = contract
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
        case name, path, materialized, relation, sql, tags, columns, description, indexes, fingerprint, snapshot, microbatch, contract
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

extension CompiledModel: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("columns", columns, in: &object)
        if let contract { writer.field("contract", contract, in: &object) }
        writer.field("depends_on", dependsOn, in: &object)
        writer.field("description", description, in: &object)
        writer.field("fingerprint", fingerprint, in: &object)
        writer.field("incremental_sql", incrementalSQL, in: &object)
        writer.field("incremental_strategy", incrementalStrategy?.rawValue, in: &object)
        if let indexes { writer.field("indexes", indexes, in: &object) }
        writer.field("materialized", materialized.rawValue, in: &object)
        if let microbatch { writer.field("microbatch", microbatch, in: &object) }
        writer.field("name", name, in: &object)
        writer.field("on_schema_change", onSchemaChange, in: &object)
        writer.field("path", path, in: &object)
        writer.field("post_hooks", postHooks, in: &object)
        writer.field("pre_hooks", preHooks, in: &object)
        writer.field("relation", relation, in: &object)
        writer.field("render_at_apply", renderAtApply, in: &object)
        if let snapshot { writer.field("snapshot", snapshot, in: &object) }
        writer.field("sql", sql, in: &object)
        writer.field("tags", tags, in: &object)
        writer.field("unique_id", uniqueID, in: &object)
        writer.field("unique_key", uniqueKey, in: &object)
        writer.close(object)
    }
}

extension ModelIndex: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("columns", columns, in: &object)
        writer.field("unique", unique, in: &object)
        writer.close(object)
    }
}

extension MicrobatchConfig: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("batch_size", batchSize, in: &object)
        writer.field("begin", begin, in: &object)
        writer.field("event_time", eventTime, in: &object)
        writer.field("lookback", lookback, in: &object)
        writer.close(object)
    }
}
