import FloeConnect
import FloeContract
import FloeEngine

/// Builds a rollup kept in partitions (``RollupPartitioning``) inside the caller's
/// write transaction: the first build, a full refresh or a rollup without recorded partitions
/// builds the whole table; later builds rebuild only the partitions whose source rows changed,
/// appeared or went away. Either way the partitions' signatures are recorded beside the rollup.
struct RollupPartitionBuild {
    let connection: any EngineConnection
    let dialect: any SQLDialect
    let partitioning: RollupPartitioning

    /// `fullBuild` builds the whole table (the model's table materialization).
    func build(_ model: CompiledModel, fullRefresh: Bool, fullBuild: () throws -> ModelBuilder.Outcome) throws -> ModelBuilder.Outcome {
        let fresh = dialect.relation(partitioning.fresh), recorded = dialect.relation(partitioning.signatures)
        let changed = dialect.relation(partitioning.changed)
        try connection.dropIfExists(partitioning.fresh, dialect: dialect)
        try connection.execute(dialect.createTable(partitioning.fresh, as: partitioning.signatureSelect))
        let total = try connection.count("select count(*) from \(fresh)")
        let built = try connection.relationKind(model.relation) == .table
        let recordedBefore = try connection.relationKind(partitioning.signatures) == .table
        let incremental = !fullRefresh && built && recordedBefore
        var outcome: ModelBuilder.Outcome
        if incremental {
            try connection.dropIfExists(partitioning.changed, dialect: dialect)
            let same = { (left: String, right: String) in dialect.nullSafeEqual(left, right) }
            try connection.execute("""
                create table \(changed) as
                select n.floe_partition from \(fresh) as n
                where not exists (select 1 from \(recorded) as o where \(same("o.floe_partition", "n.floe_partition"))
                                  and o.floe_rows = n.floe_rows and o.floe_signature = n.floe_signature)
                union all
                select o.floe_partition from \(recorded) as o
                where not exists (select 1 from \(fresh) as n where \(same("n.floe_partition", "o.floe_partition")))
                """)
            let rebuilt = try connection.count("select count(*) from \(changed)")
            let rollup = dialect.relation(model.relation)
            let partition = dialect.dateTrunc(partitioning.granularity, "\(rollup).\(dialect.quoteIdentifier(partitioning.timeColumn))")
            let deleted = try connection.deleteRows(
                from: model.relation, where: "exists (select 1 from \(changed) as c where \(same("c.floe_partition", partition)))", dialect: dialect)
            let columns = try connection.columns(of: model.relation).map(\.name)
            let inserted = try connection.execute(
                "insert into \(rollup) (\(dialect.columnList(columns)))\nselect \(dialect.columnList(columns)) from (\n\(partitioning.changedSelect)\n) as floe_partitions")
            try connection.execute(dialect.drop(partitioning.changed, kind: .table))
            outcome = ModelBuilder.Outcome(
                rowsAffected: inserted,
                message: "rollup, \(rebuilt) of \(total) partition\(total == 1 ? "" : "s") rebuilt (\(deleted) rows out, \(inserted) in)",
                compiledSQL: partitioning.changedSelect)
        } else {
            outcome = try fullBuild()
            outcome.message += ", \(total) partition\(total == 1 ? "" : "s")"
        }
        try connection.dropIfExists(partitioning.signatures, dialect: dialect)
        try connection.execute(dialect.rename(partitioning.fresh, kind: .table, to: partitioning.signatures.name))
        return outcome
    }
}
