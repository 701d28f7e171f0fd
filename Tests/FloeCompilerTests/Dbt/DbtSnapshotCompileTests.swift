@testable import FloeCompiler
import FloeContract
import FloeCore
import Foundation
import Testing

/// dbt snapshots compile into plan models materialized as `snapshot`, with their strategy.
@Suite struct DbtSnapshotCompileTests {
    static func snapshot(_ name: String = "orders_snapshot", _ config: String, file: String? = nil) -> [String: String] {
        [
            "models/orders.sql": "select 1 as id, 'placed' as status, '2024-01-01' as updated_at",
            "snapshots/\(file ?? name).sql": "{% snapshot \(name) %}\n{{ config(\(config)) }}\nselect * from {{ ref('orders') }}\n{% endsnapshot %}\n",
        ]
    }

    @Test func aSnapshotIsAModelWithItsStrategy() throws {
        let project = try TestProject.dbt(
            Self.snapshot("orders_snapshot", "strategy='check', check_cols='all', unique_key=['id', 'status'], invalidate_hard_deletes=true, "
                          + "snapshot_meta_column_names={'dbt_valid_from': 'valid_from'}"),
            projectExtra: "snapshots:\n  shop:\n    +target_schema: history\n")
        let output = project.compile()
        #expect(output.diagnostics.isEmpty)
        let node = try #require(output.artifacts?.models.first { $0.name == "orders_snapshot" })
        #expect(node.uniqueID == "snapshot.shop.orders_snapshot")
        #expect(node.materialized == .snapshot)
        #expect(node.relation == Relation(schema: "history", name: "orders_snapshot"))
        #expect(node.uniqueKey == ["id", "status"])
        #expect(node.dependsOn == ["model.shop.orders"])
        #expect(node.sql.trimmingCharacters(in: .whitespacesAndNewlines) == "select * from \"floe-dev\".\"orders\"")
        #expect(node.snapshot == DbtSnapshotConfig(strategy: "check", checkColumns: nil, hardDeletes: "invalidate",
                                                   columnNames: .init(validFrom: "valid_from")))
    }

    @Test func mistakesNameTheSnapshotAndTheConfigKey() throws {
        var files = Self.snapshot("no_strategy", "unique_key='id'")
        files.merge(Self.snapshot("no_updated_at", "unique_key='id', strategy='timestamp'")) { first, _ in first }
        files.merge(Self.snapshot("no_columns", "unique_key='id', strategy='check'")) { first, _ in first }
        files.merge(Self.snapshot("keyed_by_expression", "unique_key='id || status', strategy='check', check_cols='all'")) { first, _ in first }
        files["models/as_snapshot.sql"] = "{{ config(materialized='snapshot') }}\nselect 1 as id"
        let project = try TestProject.dbt(files)
        #expect(project.messages() == [
            "dbt/models/as_snapshot.sql:1:1: error: config.materialized: a model cannot be materialized as a snapshot\n"
                + "  hint: write a snapshot in the snapshot paths (`snapshots/`) with {% snapshot name %}…{% endsnapshot %}",
            "dbt/snapshots/keyed_by_expression.sql:2:4: error: config.unique_key: snapshot 'keyed_by_expression': unique_key 'id || status' is not a column name\n"
                + "  hint: floe keys a snapshot by columns: select the expression as a column and name it, or give a list of columns",
            "dbt/snapshots/no_columns.sql:2:4: error: config.check_cols: snapshot 'no_columns': the check strategy needs check_cols\n"
                + "  hint: check_cols=['status', 'amount'], or check_cols='all'",
            "dbt/snapshots/no_strategy.sql:2:4: error: config.strategy: snapshot 'no_strategy': needs a strategy\n"
                + "  hint: strategy='timestamp' with updated_at='…', or strategy='check' with check_cols=[…]",
            "dbt/snapshots/no_updated_at.sql:2:4: error: config.updated_at: snapshot 'no_updated_at': the timestamp strategy needs updated_at\n"
                + "  hint: updated_at='updated_at' names the column that tells a row's version",
        ])
    }

    /// dbt 1.9's snapshots defined in YAML: `relation:` is the SELECT, `config:` the strategy.
    @Test func aSnapshotDefinedInYAMLReadsItsRelation() throws {
        let project = try TestProject.dbt([
            "models/orders.sql": "select 1 as id, 'placed' as status",
            "snapshots/history.yml": """
                snapshots:
                  - name: orders_history
                    relation: ref('orders')
                    description: Every status each order had.
                    config: {unique_key: id, strategy: check, check_cols: [status]}
                  - name: broken_history
                    relation: ref('orders')
                    config: {unique_key: id, strategy: timestamp}

                """,
        ])
        #expect(project.messages() == [
            "dbt/snapshots/history.yml:8:26: error: config.updated_at: snapshot 'broken_history': the timestamp strategy needs updated_at\n"
                + "  hint: updated_at='updated_at' names the column that tells a row's version",
        ])
        let fixed = try TestProject.dbt([
            "models/orders.sql": "select 1 as id, 'placed' as status",
            "snapshots/history.yml": "snapshots:\n  - name: orders_history\n    relation: ref('orders')\n    config: {unique_key: id, strategy: check, check_cols: [status]}\n",
        ])
        let node = try #require(fixed.compile().artifacts?.models.first { $0.name == "orders_history" })
        #expect(node.uniqueID == "snapshot.shop.orders_history" && node.materialized == .snapshot && node.dependsOn == ["model.shop.orders"])
        #expect(node.sql == "select * from \"floe-dev\".\"orders\"")
        #expect(node.snapshot?.checkColumns == ["status"])
    }

    /// A snapshot is named by its block, whatever its file is called, as in dbt.
    @Test func aSnapshotIsNamedByItsBlockNotItsFile() throws {
        let project = try TestProject.dbt(Self.snapshot("misnamed", "unique_key='id', strategy='check', check_cols='all'", file: "other_name"))
        let output = project.compile()
        #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
        let node = try #require(output.artifacts?.models.first { $0.materialized == .snapshot })
        #expect(node.name == "misnamed" && node.uniqueID == "snapshot.shop.misnamed" && node.path.hasSuffix("snapshots/other_name.sql"))
    }
}
