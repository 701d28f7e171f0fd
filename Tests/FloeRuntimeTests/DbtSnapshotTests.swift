import FloeContract
import FloeRuntime
import Foundation
import Testing

/// dbt snapshots on SQLite: each run adds a version for every row of the snapshot's SELECT that
/// changed, closes the version it replaces, and (with `hard_deletes`) records rows that went away.
@Suite struct DbtSnapshotTests {
    static let orders = "id,status,updated_at\n1,placed,2024-01-01\n2,placed,2024-01-02\n3,shipped,2024-01-03\n"

    func workspace(_ config: String, select: String = "select * from {{ ref('orders') }}") throws -> Workspace {
        let workspace = try Workspace(empty: ())
        try workspace.write("floe.yaml", "name: snap\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try workspace.write("platform.yaml", "version: \"1\"\ncompute: { default: { type: sqlite, path: \".floe/{environment}.db\" } }\n")
        try workspace.write("dbt/dbt_project.yml", "name: snap\n")
        try workspace.write("dbt/seeds/orders.csv", Self.orders)
        try workspace.write("dbt/snapshots/orders_snapshot.sql", """
            {% snapshot orders_snapshot %}
            {{ config(unique_key='id', \(config)) }}
            \(select)
            {% endsnapshot %}
            """)
        try workspace.write("dbt/models/open_orders.sql", "select id, status from {{ ref('orders_snapshot') }} where dbt_valid_to is null")
        return workspace
    }

    @Test func theTimestampStrategyVersionsChangedRowsAndInvalidatesDeletedOnes() throws {
        let workspace = try workspace("strategy='timestamp', updated_at='updated_at', hard_deletes='invalidate'")
        let first = try workspace.apply()
        #expect(first.result("orders_snapshot")?.message == "snapshot, first build, 3 rows")
        #expect(first.result("orders_snapshot")?.resourceType == .snapshot)
        // Row 1 changes, row 3 goes, row 4 comes, and the SELECT gains a column.
        try workspace.write("dbt/seeds/orders.csv", "id,status,updated_at,channel\n1,shipped,2024-02-01,web\n2,placed,2024-01-02,shop\n4,placed,2024-02-02,web\n")
        let second = try workspace.apply()
        #expect(second.result("orders_snapshot")?.message == "snapshot, 1 changed, 1 new, 1 deleted")
        #expect(try workspace.rows("""
            select id, status, channel, dbt_valid_from, coalesce(dbt_valid_to, 'current'), dbt_updated_at
            from orders_snapshot where id <> 3 order by id, dbt_valid_from
            """) == [
            ["1", "placed", "null", "2024-01-01", "2024-02-01", "2024-01-01"],
            ["1", "shipped", "web", "2024-02-01", "current", "2024-02-01"],
            ["2", "placed", "null", "2024-01-02", "current", "2024-01-02"],
            ["4", "placed", "web", "2024-02-02", "current", "2024-02-02"],
        ])
        #expect(try workspace.rows("select count(*) from orders_snapshot where id = 3 and dbt_valid_to is not null") == [["1"]])
        // dbt's dbt_scd_id: md5 of the key and the version's start, joined by '|'.
        #expect(try workspace.scalar("select dbt_scd_id from orders_snapshot where id = 2") == "377731194b71142dd9b9d20b0ae21f68")
        #expect(try workspace.rows("select id, status from open_orders order by id") == [["1", "shipped"], ["2", "placed"], ["4", "placed"]])

        let third = try workspace.apply()
        #expect(third.result("orders_snapshot")?.message == "snapshot, 0 changed, 0 new, 0 deleted", "a snapshot is never up to date")
        #expect(try workspace.scalar("select count(*) from orders_snapshot") == "5")
    }

    @Test func theCheckStrategyComparesColumnsAndNewRecordMarksDeletions() throws {
        let workspace = try workspace("strategy='check', check_cols=['status'], hard_deletes='new_record'",
                                      select: "select id, status from {{ ref('orders') }}")
        try workspace.apply()
        try workspace.write("dbt/seeds/orders.csv", "id,status,updated_at\n1,shipped,2024-02-01\n2,placed,2024-03-01\n")
        #expect(try workspace.apply().result("orders_snapshot")?.message == "snapshot, 1 changed, 0 new, 1 deleted")
        // Row 2's updated_at moved but its status did not: no new version.
        #expect(try workspace.rows("select id, status, dbt_is_deleted, dbt_valid_to is null from orders_snapshot order by id, dbt_valid_from") == [
            ["1", "placed", "False", "0"], ["1", "shipped", "False", "1"], ["2", "placed", "False", "1"],
            ["3", "shipped", "False", "0"], ["3", "shipped", "True", "1"],
        ])
        // Row 3 comes back: its deletion marker is closed and a new version begins.
        try workspace.write("dbt/seeds/orders.csv", Self.orders)
        try workspace.apply()
        #expect(try workspace.rows("select status, dbt_is_deleted, dbt_valid_to is null from orders_snapshot where id = 3 order by dbt_valid_from, dbt_is_deleted") == [
            ["shipped", "False", "0"], ["shipped", "True", "0"], ["shipped", "False", "1"],
        ])
    }

    @Test func runLeavesSnapshotsAloneAndSnapshotBuildsOnlyThem() throws {
        let workspace = try workspace("strategy='timestamp', updated_at='updated_at'")
        try workspace.write("dbt/snapshots/snapshots.yml", "snapshots:\n  - name: orders_snapshot\n    columns:\n      - {name: id, data_tests: [not_null]}\n")
        let run = try workspace.apply(mode: .run)
        #expect(run.result("orders_snapshot") == nil && run.status("orders") == .success)
        #expect(run.result("not_null_orders_snapshot_id") == nil, "the snapshot's tests wait for the snapshot")
        let snapshot = try workspace.apply(mode: .snapshot)
        #expect(snapshot.results.map(\.name) == ["orders_snapshot"])
        #expect(try workspace.scalar("select count(*) from orders_snapshot") == "3")
        #expect(try workspace.apply(mode: .buildWithTests).status("not_null_orders_snapshot_id") == .pass)
    }

    /// A run that fails part way leaves the history as it was, and no work tables behind.
    @Test func aFailedRunChangesNothing() throws {
        let workspace = try workspace("strategy='timestamp', updated_at='updated_at'")
        try workspace.apply()
        let before = try workspace.rows("select * from orders_snapshot order by id")
        try workspace.write("dbt/seeds/orders.csv", "id,status,updated_at\n1,shipped,not a date\n")
        try workspace.write("dbt/snapshots/orders_snapshot.sql", """
            {% snapshot orders_snapshot %}
            {{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}
            select id, status, updated_at, 1 / (select count(*) from {{ ref('orders') }} where 0 = 1 and missing_column = 1) as x from {{ ref('orders') }}
            {% endsnapshot %}
            """)
        let failed = try workspace.apply()
        #expect(failed.status("orders_snapshot") == .error)
        #expect(try workspace.rows("select * from orders_snapshot order by id") == before)
        #expect(try workspace.rows("select name from sqlite_master where name like '%floe_snap%'") == [])
    }
}
