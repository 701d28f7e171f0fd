import FloeCompiler
import FloeContract
import FloeEngine
@testable import FloeRuntime
@testable import FloeSpark
import FloeTestSupport
import Foundation
import Testing

/// Materializations on Spark's parquet tables, which take no UPDATE, DELETE or MERGE: incremental
/// strategies give what a build from scratch gives, seeds are staged as files and read back
/// exactly, retention writes the kept rows again, a view over a rebuilt table follows it, and
/// the run state (a log there) says "up to date" only when it is.
@Suite(.enabled(if: SparkTestServer.available, SparkTestServer.skipReason))
struct SparkMaterializationTests {
    /// A project on the test cluster under a namespace of its own (dropped on `remove()`).
    static func project() throws -> ScratchProject {
        SparkProduct.adapters
        let namespace = "floe_m_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let platform = """
            version: "1"
            compute:
              default: { type: spark, host: \(SparkTestServer.host), port: \(SparkTestServer.port), threads: 2 }
            storage: { default: { type: local, path: .floe/storage } }
            catalogs: { default: { type: none } }
            environments: { dev: { namespace: \(namespace) } }
            """
        return try ScratchProject(platform: platform, namespace: namespace, cleanup: {
            let connection = try? SparkConnection(host: SparkTestServer.host, port: SparkTestServer.port, user: "floe")
            _ = try? connection?.execute("drop database if exists `\(namespace)` cascade")
        })
    }

    /// A contract's `not_null` on Spark, whose parquet tables take a NULL into a `not null`
    /// column: floe counts the NULLs of the table it built before putting it in place, so a NULL
    /// fails the build and the previous table stays; the other constraints are warned about.
    @Test func aContractsNotNullHoldsOnSpark() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/models/scores.sql", "select cast(id as int) as id, kind from {{ ref('events') }}")
        try project.write("dbt/models/schema.yml", """
            models:
              - name: scores
                config: {materialized: table, contract: {enforced: true}}
                columns:
                  - {name: id, data_type: int, constraints: [{type: not_null}, {type: primary_key}]}
                  - {name: kind, data_type: string, constraints: [{type: not_null}]}

            """)
        try project.apply()
        #expect(try project.rows("select id, kind from `\(project.namespace)`.scores order by id") == [["1", "a"], ["2", "b"], ["3", "a"]])
        try project.write("dbt/seeds/events.csv", "id,kind,amount\n1,a,10\n2,,20\n3,c,30\n")
        let results = try project.apply(expectSuccess: false)
        let message = results.results.first { $0.name == "scores" }?.message ?? ""
        #expect(message == "model 'scores' breaks its contract: column kind is null in 1 row, which its not_null constraint refuses", "\(message)")
        #expect(try project.rows("select id, kind from `\(project.namespace)`.scores order by id") == [["1", "a"], ["2", "b"], ["3", "a"]])
    }

    @Test(arguments: ["merge", "delete+insert", "append", "insert_overwrite"])
    func incrementalRunsEqualABuildFromScratch(strategy: String) throws {
        let project = try Self.project()
        defer { project.remove() }
        let key = strategy == "append" ? "" : strategy == "insert_overwrite" ? ", partition_by=['id']" : ", unique_key='id'"
        try project.write("dbt/models/totals.sql", """
            {{ config(materialized='incremental', incremental_strategy='\(strategy)'\(key)) }}
            select id, kind, amount * {{ var('batch') }} as amount, {{ var('batch') }} as batch from {{ ref('events') }}
            {% if is_incremental() %} where id >= {{ var('batch') }} {% endif %}
            """)
        try project.apply()
        try project.apply(vars: "{batch: 2}")
        try project.apply(vars: "{batch: 3}")
        let ns = project.namespace
        let incremental = try project.rows("select id, kind, amount, batch from `\(ns)`.totals order by id, batch")
        switch strategy {
        case "append":
            #expect(incremental.count == 3 + 2 + 1)
        default:
            #expect(incremental == [["1", "a", "10", "1"], ["2", "b", "40", "2"], ["3", "a", "90", "3"]])
        }
        if strategy != "append" {
            try project.apply(vars: "{batch: 3}", fullRefresh: true)
            #expect(try project.rows("select id from `\(ns)`.totals order by id") == incremental.map { [$0[0]] })
        }
        // Nothing is left beside the table: no staging or kept-rows tables.
        #expect(try project.rows("show tables in `\(ns)` like 'totals_*'").isEmpty)
        if strategy == "insert_overwrite" {
            // partition_by makes a partitioned table, as dbt-spark's does.
            #expect(try project.rows("show partitions `\(ns)`.totals") == [["id=1"], ["id=2"], ["id=3"]])
        }
    }

    /// A microbatch model on parquet: each window is read alone, and a later run's lookback
    /// replaces its windows (the kept rows written beside); rows outside them stay as they were.
    @Test func microbatchReplacesItsWindows() throws {
        let project = try Self.project()
        defer { project.remove() }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM"
        let thisMonth = formatter.string(from: Date())
        try project.write("dbt/dbt_project.yml", "name: shop\nvars: { batch: 1 }\nseeds:\n  shop:\n    visits:\n      +event_time: seen_at\n")
        try project.write("dbt/seeds/visits.csv", "seen_at,page\n2025-03-15 12:00:00,old\n\(thisMonth)-01 00:00:01,new\n")
        try project.write("dbt/models/monthly.sql", """
            {{ config(materialized='incremental', incremental_strategy='microbatch', event_time='seen_at',
                      batch_size='month', begin='2025-02-01', lookback=1) }}
            select seen_at, page, {{ var('batch') }} as batch from {{ ref('visits') }}
            """)
        try project.apply()
        let second = try project.apply(vars: "{batch: 2}")
        #expect(second.results.first { $0.name == "monthly" }?.message?.hasPrefix("incremental microbatch, 2 batches") == true,
                "\(second.results.first { $0.name == "monthly" }?.message ?? "")")
        #expect(try project.rows("select page, batch from `\(project.namespace)`.monthly order by page") == [["new", "2"], ["old", "1"]])
    }

    /// An unpartitioned insert_overwrite replaces the whole table with the new rows.
    @Test func insertOverwriteWithoutPartitionsReplacesTheTable() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/models/latest.sql", """
            {{ config(materialized='incremental', incremental_strategy='insert_overwrite') }}
            select id, {{ var('batch') }} as batch from {{ ref('events') }}
            {% if is_incremental() %} where id > {{ var('batch') }} {% endif %}
            """)
        try project.apply()
        try project.apply(vars: "{batch: 2}")
        #expect(try project.rows("select id, batch from `\(project.namespace)`.latest") == [["3", "2"]])
    }

    /// Seeds travel as JSON files: quotes, backslashes, line breaks, empty text and nulls arrive as
    /// they left, each column in the seed's inferred type.
    @Test func seedsAreStagedAsFilesAndArriveExactly() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/seeds/odd.csv", "id,note,price,day,flag\n1,\"it's \"\"quoted\"\"\",1.5,2024-02-29,true\n2,\"two\nlines \\\\ slash\",,2024-03-01,false\n3,,2,,\n")
        try project.apply()
        let rows = try project.rows("select id, note, price, cast(day as string), flag, typeof(price), typeof(day) from `\(project.namespace)`.odd order by id")
        #expect(rows == [
            ["1", "it's \"quoted\"", "1.5", "2024-02-29", "1", "double", "date"],
            ["2", "two\nlines \\\\ slash", "null", "2024-03-01", "0", "double", "date"],
            ["3", "null", "2.0", "null", "null", "double", "date"],
        ])
        let stage = project.directory.appendingPathComponent(".floe/storage/_floe_stage")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: stage.path))?.isEmpty ?? true, "staged files are removed once loaded")
    }

    /// "Up to date" on the state log: a second run builds nothing, a changed input rebuilds what
    /// reads it, and a dropped table is rebuilt.
    @Test func upToDateIsTrueOnTheStateLog() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/models/base.sql", "{{ config(materialized='table') }}\nselect id, amount * {{ var('batch') }} as amount from {{ ref('events') }}")
        try project.write("dbt/models/doubled.sql", "{{ config(materialized='view') }}\nselect id, amount * 2 as doubled from {{ ref('base') }}")
        try project.apply()
        let again = try project.apply()
        #expect(again.results.filter { $0.resourceType == .model }.allSatisfy { $0.status == .upToDate })
        let changed = try project.apply(vars: "{batch: 2}")
        #expect(changed.results.first { $0.name == "base" }?.status == .success)
        #expect(try project.rows("select sum(doubled) from `\(project.namespace)`.doubled") == [["240"]])
        _ = try project.connection().execute("drop table `\(project.namespace)`.base")
        let rebuilt = try project.apply(vars: "{batch: 2}")
        #expect(rebuilt.results.first { $0.name == "base" }?.status == .success)
        let runs = try project.rows("select status, count(*) from `\(project.namespace)`.`_floe_runs` group by status")
        #expect(runs == [["success", "4"]])
    }

    /// floe.yaml's retention on Spark: the expired rows go (the kept rows are written to a table
    /// made like it, partitions and all), and the count says how many; the partitioned table
    /// still takes insert_overwrite's partition replacement afterwards.
    @Test func retentionDropsExpiredRowsAndKeepsPartitions() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("floe.yaml", """
            name: shop
            version: "1.0.0"
            transforms: [{type: dbt, path: dbt}]
            retention: { max_age: 30d, column: seen_at }
            """)
        try project.write("dbt/models/visits.sql", """
            {{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by=['id']) }}
            select 1 as id, cast('2001-01-01 00:00:00' as timestamp) as seen_at, {{ var('batch') }} as batch
            union all select 2, current_timestamp(), {{ var('batch') }}
            """)
        let results = try project.apply()
        #expect(results.results.first { $0.name == "visits" }?.message?.contains("retention deleted 1 row") == true)
        let ns = project.namespace
        #expect(try project.rows("select id from `\(ns)`.visits") == [["2"]])
        #expect(try project.rows("show partitions `\(ns)`.visits") == [["id=2"]])
        try project.apply(vars: "{batch: 2}")
        #expect(try project.rows("select id, batch from `\(ns)`.visits") == [["2", "2"]])
        #expect(try project.rows("show partitions `\(ns)`.visits") == [["id=2"]])
    }

    /// floe.yaml's `snapshots: {keep}` on Spark: a rebuilt table's previous version is kept
    /// beside it, and `floe restore` puts it back.
    @Test func earlierVersionsAreKeptAndRestored() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("floe.yaml", "name: shop\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\nsnapshots: { keep: 2 }\n")
        try project.write("dbt/models/base.sql", "{{ config(materialized='table') }}\nselect id, amount * {{ var('batch') }} as amount from {{ ref('events') }}")
        try project.apply()
        try project.apply(vars: "{batch: 2}")
        let ns = project.namespace
        #expect(try project.rows("select sum(amount) from `\(ns)`.base") == [["120"]])
        #expect(try project.rows("select sum(amount) from `\(ns)`.base__floe_snapshot_1") == [["60"]])
        let message = try SnapshotRestore.restore("base", snapshot: 1, in: project.plan(vars: "{batch: 2}"),
                                                  projectDirectory: project.directory.path, environment: [:])
        #expect(message.hasPrefix("restored base to snapshot 1"))
        #expect(try project.rows("select sum(amount) from `\(ns)`.base") == [["60"]])
        #expect(try project.rows("select sum(amount) from `\(ns)`.base__floe_snapshot_1") == [["120"]])
    }

    /// A dbt snapshot closes versions with UPDATE: on parquet it is refused, naming the way out.
    @Test func aSnapshotOnParquetIsRefusedWithTheReason() throws {
        let project = try Self.project()
        defer { project.remove() }
        try project.write("dbt/snapshots/events_history.sql", """
            {% snapshot events_history %}
            {{ config(unique_key='id', strategy='check', check_cols=['amount']) }}
            select * from {{ ref('events') }}
            {% endsnapshot %}
            """)
        let results = try project.apply(expectSuccess: false)
        let failure = results.results.first { $0.name == "events_history" }
        #expect(failure?.status == .error)
        #expect(failure?.message?.contains("file_format with row-level changes (delta, iceberg, hudi)") == true)
    }
}
