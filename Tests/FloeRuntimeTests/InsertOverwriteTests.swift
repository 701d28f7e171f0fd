import FloeContract
import FloeRuntime
import Foundation
import Testing

/// `incremental_strategy: insert_overwrite`: the partitions the new rows fall in are replaced;
/// without `partition_by`, the whole table is.
@Suite struct InsertOverwriteTests {
    func workspace(partitionBy: String?) throws -> Workspace {
        let workspace = try Workspace(empty: ())
        try workspace.write("floe.yaml", "name: parts\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\nvars: {batch: 1}\n")
        try workspace.write("platform.yaml", "version: \"1\"\ncompute: { default: { type: sqlite, path: \".floe/{environment}.db\" } }\n")
        try workspace.write("dbt/dbt_project.yml", "name: parts\n")
        let partition = partitionBy.map { ", partition_by=\($0)" } ?? ""
        try workspace.write("dbt/models/daily.sql", """
            {{ config(materialized='incremental', incremental_strategy='insert_overwrite'\(partition)) }}
            select day, 'batch {{ var('batch') }}' as loaded from (select '2024-01-01' as day union all select '2024-01-02')
            {% if is_incremental() %} where day = '2024-01-02' {% endif %}
            """)
        return workspace
    }

    @Test func thePartitionsOfTheNewRowsAreReplaced() throws {
        let workspace = try workspace(partitionBy: "{'field': 'day', 'data_type': 'date'}")
        let plan = try workspace.compile()
        #expect(plan.models.first?.incrementalStrategy == .insertOverwrite)
        #expect(plan.models.first?.uniqueKey == ["day"])
        try workspace.apply()
        try workspace.write("floe.yaml", "name: parts\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\nvars: {batch: 2}\n")
        let second = try workspace.apply()
        #expect(second.result("daily")?.message == "incremental insert_overwrite, 1 new row")
        #expect(try workspace.rows("select day, loaded from daily order by day") == [["2024-01-01", "batch 1"], ["2024-01-02", "batch 2"]])
    }

    @Test func withoutPartitionsTheWholeTableIsReplaced() throws {
        let workspace = try workspace(partitionBy: nil)
        try workspace.apply()
        try workspace.write("floe.yaml", "name: parts\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\nvars: {batch: 2}\n")
        try workspace.apply()
        #expect(try workspace.rows("select day, loaded from daily order by day") == [["2024-01-02", "batch 2"]])
    }
}
