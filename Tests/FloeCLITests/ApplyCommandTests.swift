import Foundation
import Testing

/// `floe run`, `apply`, `test` and `show` on a copy of the e-commerce demo.
@Suite struct ApplyCommandTests {
    /// A copy of demo/ in a temporary directory; returns the directory of its floe.yaml.
    static func demoCopy() throws -> URL {
        let root = try FloeBinary.temporaryDirectory()
        try FileManager.default.copyItem(at: FloeBinary.repositoryRoot.appendingPathComponent("demo"),
                                         to: root.appendingPathComponent("demo"))
        let product = root.appendingPathComponent("demo/data_engineering/ecommerce")
        try? FileManager.default.removeItem(at: product.appendingPathComponent(".floe"))
        try? FileManager.default.removeItem(at: product.appendingPathComponent("target"))
        return product
    }

    @Test func runBuildsTheDemoAndTheCommandsReadIt() throws {
        let demo = try Self.demoCopy()
        let run = try FloeBinary.run(["run"], in: demo)
        #expect(run.status == 0, "\(run.all)")
        #expect(run.stderr.contains("model mart_revenue"))
        #expect(run.stderr.contains("Done in"))
        #expect(run.stderr.contains("13 built; tests: 22 pass, 0 warn, 0 fail"), "\(run.stderr)")
        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent("target/floe_run_results.json")))
        let nodes = try #require((results as? [String: Any])?["results"] as? [[String: Any]])
        #expect(nodes.count == 35, "34 nodes of the dbt project and the Orders cube's rollup")
        #expect(nodes.allSatisfy { ["success", "pass"].contains($0["status"] as? String) })

        let again = try FloeBinary.run(["apply", "target/artifacts.json", "--format", "json"], in: demo)
        #expect(again.status == 0)
        let statuses = try #require((try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["results"] as? [[String: Any]])
            .map { $0["status"] as? String ?? "" }
        #expect(statuses.filter { $0 == "up_to_date" }.count == 13)

        let csv = try FloeBinary.run(["show", "target/artifacts.json", "mart_revenue", "--format", "csv", "--limit", "2"], in: demo)
        #expect(csv.status == 0)
        #expect(csv.stdout.split(separator: "\n").first
            == "order_month,revenue_na,revenue_emea,revenue_apac,revenue_latam,revenue_total,order_count,units_sold")
        #expect(csv.stdout.split(separator: "\n").count == 3)
        let all = try FloeBinary.run(["show", "target/artifacts.json", "stg_customers", "--limit", "0", "--format", "json"], in: demo)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1000, "duplicates removed")
        let table = try FloeBinary.run(["show", "target/artifacts.json", "order_statuses"], in: demo)
        #expect(table.stdout.contains("counts_as_revenue") && table.stdout.hasSuffix("(5 rows)\n"))
        let unknown = try FloeBinary.run(["show", "target/artifacts.json", "mart_revenu"], in: demo)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("did you mean 'mart_revenue'?"))

        let tests = try FloeBinary.run(["test", "target/artifacts.json", "--select", "mart_revenue"], in: demo)
        #expect(tests.status == 0)
        #expect(tests.stderr.contains("tests: 3 pass, 0 warn, 0 fail"), "\(tests.stderr)")
        #expect(!tests.stderr.contains("model "))
    }

    /// The warehouse is an ordinary SQLite file: the sqlite3 CLI and Python's sqlite3 open it
    /// alone and query every model, views included (docs/apply.md, "The SQLite engine").
    @Test func theWarehouseOpensInOrdinaryTools() throws {
        let demo = try Self.demoCopy()
        let run = try FloeBinary.run(["run"], in: demo)
        #expect(run.status == 0, "\(run.all)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent("target/artifacts.json")))
            as? [String: Any])
        let models = try #require(plan["models"] as? [[String: Any]]).filter { $0["materialized"] as? String != "ephemeral" }
        #expect(models.count == 7)
        let database = demo.appendingPathComponent(".floe/dev.db").path
        for model in models {
            let name = try #require(model["name"] as? String)
            let cli = try FloeBinary.run(program: URL(fileURLWithPath: "/usr/bin/sqlite3"),
                                         [database, "select count(*) > 0 from \"\(name)\""])
            #expect(cli.status == 0 && cli.stdout == "1\n", "sqlite3 on \(name): \(cli.all)")
            let python = try FloeBinary.run(program: URL(fileURLWithPath: "/usr/bin/python3"), [
                "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])",
                database, "select count(*) > 0 from \"\(name)\"",
            ])
            #expect(python.status == 0 && python.stdout == "1\n", "python3 on \(name): \(python.all)")
        }
    }

    @Test func exitCodes() throws {
        let demo = try Self.demoCopy()
        let missing = try FloeBinary.run(["apply", "nope.json"], in: demo)
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("nope.json: error: file not found"))
        try Data("{}".utf8).write(to: demo.appendingPathComponent("bad.json"))
        #expect(try FloeBinary.run(["apply", "bad.json"], in: demo).status == 4)
        #expect(try FloeBinary.run(["run", "--select", "colour:red"], in: demo).status == 2)
        // prod runs on PostgreSQL, whose password is a secret reference nobody set.
        let prod = try FloeBinary.run(["run", "--env", "prod"], in: demo)
        #expect(prod.status == 5, "\(prod.all)")
        #expect(prod.stderr.contains("FLOE_SECRET_WAREHOUSE_DB_PASSWORD"))
        // With the secret, the PostgreSQL adapter tries the demo's host, which does not exist here.
        let unreachable = try FloeBinary.run(["run", "--env", "prod"], in: demo, environment: ["FLOE_SECRET_WAREHOUSE_DB_PASSWORD": "pw-never-shown"])
        #expect(unreachable.status == 6, "\(unreachable.all)")
        #expect(unreachable.stderr.contains("cannot reach PostgreSQL at db.internal:5432"), "\(unreachable.stderr)")
        #expect(!unreachable.all.contains("pw-never-shown"))
        // A failing model makes exit 1 and the summary names it. (It keeps the columns the
        // Products cube reads, or compile would warn about them too.)
        let broken = "select product_id, category, product_name, units_sold, revenue from nowhere"
        try Data(broken.utf8)
            .write(to: demo.appendingPathComponent("dbt/models/marts/mart_product_analytics.sql"))
        let failed = try FloeBinary.run(["run"], in: demo)
        #expect(failed.status == 1)
        // It names the model's file, the engine's message, the statement that failed and where the
        // SQL is written, as dbt's target/ keeps it.
        #expect(failed.stderr.contains("""
              ERROR model mart_product_analytics (dbt/models/marts/mart_product_analytics.sql): no such table: nowhere
                failed SQL, at line 1:
                    | create table "floe-dev"."mart_product_analytics__floe_tmp" as
                > 1 | select product_id, category, product_name, units_sold, revenue from nowhere
                compiled: target/compiled/dbt/models/marts/mart_product_analytics.sql; as run: target/run/dbt/models/marts/mart_product_analytics.sql
            """), "\(failed.stderr)")
        #expect(failed.stderr.contains("SKIP test unique_mart_product_analytics_product_id"))
        let compiled = try String(contentsOf: demo.appendingPathComponent("target/compiled/dbt/models/marts/mart_product_analytics.sql"), encoding: .utf8)
        #expect(compiled == broken + "\n")
        let ran = try String(contentsOf: demo.appendingPathComponent("target/run/dbt/models/marts/mart_product_analytics.sql"), encoding: .utf8)
        #expect(ran.hasSuffix("create table \"floe-dev\".\"mart_product_analytics__floe_tmp\" as\n\(broken);\n"), "\(ran)")
    }
}
