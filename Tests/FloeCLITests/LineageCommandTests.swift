import Foundation
import Testing

/// `floe lineage` on a small project: a column's graph upstream and downstream through models,
/// an ephemeral model and a cube, what decides its rows, the JSON form, and the warning for SQL
/// the analysis cannot see through.
struct LineageCommandTests {
    static func project() throws -> URL {
        try FloeBinary.project([
            "platform.yaml": """
                version: "1"
                compute: { default: { type: sqlite, path: ".floe/{environment}.db" } }
                storage: { default: { type: local, path: .floe/storage } }
                catalogs: { default: { type: none } }
                environments: { dev: { namespace: shop } }
                """,
            "floe.yaml": "name: shop\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\nsemantic: {path: cubes}\n",
            "dbt/dbt_project.yml": "name: shop\n",
            "dbt/seeds/orders.csv": "id,customer_id,amount_cents,status\n1,1,1000,done\n",
            "dbt/seeds/customers.csv": "id,name,region\n1,ada,EMEA\n",
            "dbt/models/stg_orders.sql": """
                {{ config(materialized='ephemeral') }}
                select id as order_id, customer_id, amount_cents / 100.0 as amount, status from {{ ref('orders') }}
                """,
            "dbt/models/revenue.sql": """
                {{ config(materialized='table') }}
                select c.region, sum(o.amount) as revenue,
                       sum(case when o.status = 'done' then o.amount else 0 end) as done_revenue
                from {{ ref('stg_orders') }} o join {{ ref('customers') }} c on c.id = o.customer_id
                where o.amount > 0
                group by c.region
                """,
            "dbt/models/unreadable.sql": "select * from {{ source('ext', 'events') }}\n",
            "dbt/models/sources.yml": "version: 2\nsources:\n  - name: ext\n    tables: [{name: events}]\n",
            "cubes/revenue.yml": """
                cubes:
                  - name: Revenue
                    sql_table: "{{ ref('revenue') }}"
                    dimensions:
                      - { name: region, sql: region, type: string, primary_key: true }
                    measures:
                      - { name: total, sql: revenue, type: sum }
                """,
        ])
    }

    @Test func aColumnsGraphUpstreamAndDownstream() throws {
        let directory = try Self.project()
        let up = try FloeBinary.run(["lineage", "revenue.revenue"], in: directory)
        #expect(up.status == 0, "\(up.all)")
        #expect(up.stdout == """
            revenue.revenue
              from:
                ← orders.amount_cents  AGGREGATION
              into:
                → Revenue.total  AGGREGATION
              rows decided by:
                customers.id  JOIN
                customers.region  GROUP_BY
                orders.amount_cents  FILTER
                orders.customer_id  JOIN

            """)
        #expect(up.stderr.contains("target/compiled/dbt/models/unreadable.sql: warning: no column lineage for model.shop.unreadable: "
            + "cannot expand * over events: not all of its columns are known"), "\(up.stderr)")

        let down = try FloeBinary.run(["lineage", "orders.amount_cents", "--downstream"], in: directory)
        #expect(down.stdout == """
            orders.amount_cents
              into:
                → revenue.revenue  AGGREGATION
                  → Revenue.total  AGGREGATION
                → revenue.done_revenue  AGGREGATION
                → stg_orders.amount  TRANSFORMATION

            """, "\(down.stdout)")

        let json = try FloeBinary.run(["lineage", "revenue.done_revenue", "--upstream", "--format", "json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["column"] as? String == "revenue.done_revenue")
        let decided = try #require(object["decided_by"] as? [[String: Any]])
        #expect(decided.contains { $0["column"] as? String == "orders.status" && $0["edges"] as? [String] == ["CONDITIONAL"] })
        #expect(object["downstream"] == nil)
    }

    /// A run that sends lineage says which models' outputs carry no column lineage, and why, in floe.log.
    @Test func aRunSendingLineageNamesTheModelsWithoutColumnLineage() throws {
        let directory = try Self.project()
        let seed = try FloeBinary.run(["seed", "--lineage", "file:events.jsonl"], in: directory)
        #expect(seed.status == 0, "\(seed.all)")
        #expect(seed.stderr.contains("warning: 1 model sends no column lineage (their SQL could not be analysed: `floe lineage` shows why)"),
                "\(seed.stderr)")
        let log = try String(contentsOf: directory.appendingPathComponent("target/floe.log"), encoding: .utf8)
        #expect(log.contains("warn no_column_lineage message=\"target/compiled/dbt/models/unreadable.sql: warning: no column lineage for model.shop.unreadable"),
                "\(log)")
        let quiet = try FloeBinary.run(["seed", "--lineage", "off"], in: directory)
        #expect(!quiet.stderr.contains("column lineage"))
    }

    @Test func anUnknownColumnIsAUsageError() throws {
        let directory = try Self.project()
        let wrong = try FloeBinary.run(["lineage", "stg_order.amount"], in: directory)
        #expect(wrong.status == 2)
        #expect(wrong.stderr.hasSuffix("error: 'stg_order.amount' is not a column of the project: expected NODE.COLUMN; did you mean 'stg_orders'?\n"),
                "\(wrong.stderr)")
    }
}
