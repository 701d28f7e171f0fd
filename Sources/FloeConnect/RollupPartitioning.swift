import FloeContract
import FloeEngine

/// A rollup kept in partitions of its time dimension (cubes' `partition_granularity`), as the
/// semantic layer defines it and apply builds it. Each build works out every partition's
/// signature (its row count and ``FloeEngine/SQLDialect/rowSignature(_:)`` over the values
/// the rollup reads) into ``fresh``, compares them with ``signatures`` from the last build,
/// lists the partitions that differ, appeared or went away in ``changed``, deletes the
/// rollup's rows of those partitions, and inserts ``changedSelect``'s rows for them.
public struct RollupPartitioning: Sendable {
    public let granularity: DatePart
    /// `floe_partition, floe_rows, floe_signature` per partition of the source rows.
    public let signatureSelect: String
    /// The rollup's rows of the partitions listed in ``changed``.
    public let changedSelect: String
    /// Tables beside the rollup: the signatures of the last build, this build's, and the
    /// partitions to rebuild (each with a `floe_partition` column).
    public let signatures: Relation
    public let fresh: Relation
    public let changed: Relation
    /// The rollup's time column, whose value's partition says which partition a row is in.
    public let timeColumn: String

    public init(
        granularity: DatePart, signatureSelect: String, changedSelect: String, signatures: Relation, fresh: Relation, changed: Relation,
        timeColumn: String
    ) {
        self.granularity = granularity
        self.signatureSelect = signatureSelect
        self.changedSelect = changedSelect
        self.signatures = signatures
        self.fresh = fresh
        self.changed = changed
        self.timeColumn = timeColumn
    }
}
