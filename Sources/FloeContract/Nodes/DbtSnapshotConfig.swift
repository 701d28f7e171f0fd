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

extension DbtSnapshotConfig: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        if let checkColumns { writer.field("check_cols", checkColumns, in: &object) }
        writer.field("column_names", columnNames, in: &object)
        writer.field("hard_deletes", hardDeletes, in: &object)
        writer.field("strategy", strategy, in: &object)
        writer.field("updated_at", updatedAt, in: &object)
        writer.field("valid_to_current", validToCurrent, in: &object)
        writer.close(object)
    }
}

extension DbtSnapshotConfig.ColumnNames: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("dbt_is_deleted", isDeleted, in: &object)
        writer.field("dbt_scd_id", scdID, in: &object)
        writer.field("dbt_updated_at", updatedAt, in: &object)
        writer.field("dbt_valid_from", validFrom, in: &object)
        writer.field("dbt_valid_to", validTo, in: &object)
        writer.close(object)
    }
}
