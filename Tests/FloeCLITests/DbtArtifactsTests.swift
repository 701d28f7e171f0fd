import Foundation
import Testing

/// floe's dbt artifacts read by the dbt ecosystem's own code from PyPI: `target/manifest.json`
/// parsed as dbt's manifest v12 by dbt-artifacts-parser (strictly) and turned into asset specs by
/// dagster-dbt; `semantic_manifest.json` parsed and validated by MetricFlow's
/// dbt-semantic-interfaces; `run_results.json` as run-results v6, `catalog.json` as catalog v1.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FLOE_TEST_DBT_ARTIFACTS_PYTHON"] != nil,
                "no dbt-artifacts-parser or dagster-dbt: ./scripts/test.sh installs them from PyPI and sets FLOE_TEST_DBT_ARTIFACTS_PYTHON"))
struct DbtArtifactsTests {
    @Test func theManifestIsDbtsAndDagsterBuildsAssetsFromIt() throws {
        let python = try #require(ProcessInfo.processInfo.environment["FLOE_TEST_DBT_ARTIFACTS_PYTHON"])
        let demo = try ApplyCommandTests.demoCopy()
        let compile = try FloeBinary.run(["compile"], in: demo)
        #expect(compile.status == 0, "\(compile.all)")
        let script = FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeCLITests/Clients/dbt_artifacts.py")
        let read = try FloeBinary.run(program: URL(fileURLWithPath: python), [script.path, "manifest", demo.appendingPathComponent("target/manifest.json").path])
        try #require(read.status == 0, "\(read.stderr)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
        #expect(found["project_name"] as? String == "ecommerce" && found["adapter_type"] as? String == "sqlite")

        let nodes = try #require(found["nodes"] as? [String: [String: Any]])
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent("target/artifacts.json"))) as? [String: Any])
        let planIDs = Set((["models", "seeds", "tests"] as [String]).flatMap { (plan[$0] as? [[String: Any]] ?? []).compactMap { $0["unique_id"] as? String } })
        #expect(Set(nodes.keys) == planIDs, "every model, seed and test of the plan, and nothing else")
        let mart = try #require(nodes["model.ecommerce.mart_revenue"])
        #expect(mart["fqn"] as? [String] == ["ecommerce", "marts", "mart_revenue"])
        #expect(mart["original_file_path"] as? String == "models/marts/mart_revenue.sql" && mart["path"] as? String == "marts/mart_revenue.sql")
        #expect(mart["materialized"] as? String == "incremental" && mart["has_raw_code"] as? Bool == true)
        #expect(mart["depends_on"] as? [String] == ["model.ecommerce.int_order_items_enriched"])
        #expect((found["sources"] as? [String])?.contains("source.ecommerce.raw.raw_orders") == true, "\(found["sources"] ?? "")")
        let parents = try #require(found["parent_map"] as? [String: [String]])
        let children = try #require(found["child_map"] as? [String: [String]])
        #expect(parents["model.ecommerce.mart_revenue"] == ["model.ecommerce.int_order_items_enriched"])
        #expect(children["model.ecommerce.int_order_items_enriched"]?.contains("model.ecommerce.mart_revenue") == true)

        // Dagster's assets: the models and seeds with tables (not the ephemeral ones), their
        // dependencies seen through the ephemeral models, as dagster-dbt resolves them.
        let assets = try #require(found["assets"] as? [String: [String]])
        #expect(assets["mart_revenue"]?.contains("stg_orders") == true, "\(assets)")
        #expect(assets["stg_orders"] == ["raw/raw_orders"], "\(assets)")
        #expect(assets["int_order_items_enriched"] == nil)
        // The project's macros, each block its own entry.
        #expect((found["macros"] as? [String])?.contains("macro.ecommerce.clean_text") == true, "\(found["macros"] ?? "")")
        #expect(!FileManager.default.fileExists(atPath: demo.appendingPathComponent("target/semantic_manifest.json").path),
                "no semantic layer of dbt's, no semantic manifest")
    }

    /// A project whose semantic layer is dbt's: its semantic models, metrics and saved queries in
    /// the manifest, and a semantic_manifest.json that MetricFlow's own validations accept.
    @Test func theSemanticLayerIsMetricFlows() throws {
        let python = try #require(ProcessInfo.processInfo.environment["FLOE_TEST_DBT_ARTIFACTS_PYTHON"])
        let project = try FloeBinary.temporaryDirectory().appendingPathComponent("metrics")
        try FileManager.default.copyItem(at: FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeSemanticTests/Fixtures/metrics"), to: project)
        try FileManager.default.copyItem(at: FloeBinary.repositoryRoot.appendingPathComponent("demo/platform/platform.yaml"),
                                         to: project.appendingPathComponent("platform.yaml"))
        let compile = try FloeBinary.run(["compile"], in: project)
        #expect(compile.status == 0, "\(compile.all)")
        let script = FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeCLITests/Clients/dbt_artifacts.py")
        let read = try FloeBinary.run(program: URL(fileURLWithPath: python), [
            script.path, "manifest", project.appendingPathComponent("target/manifest.json").path,
            project.appendingPathComponent("target/semantic_manifest.json").path,
        ])
        try #require(read.status == 0, "\(read.stderr)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
        let models = try #require(found["semantic_models"] as? [String: [String: Any]])
        let orders = try #require(models["semantic_model.metrics_shop.orders"], "\(models.keys)")
        #expect(orders["depends_on"] as? [String] == ["model.metrics_shop.orders"])
        #expect(orders["relation"] as? String == #""floe-dev"."orders""#)
        let metrics = try #require(found["metrics"] as? [String: [String: Any]])
        #expect(metrics.count >= 10, "\(metrics.keys.sorted())")
        let semantic = try #require(found["semantic_manifest"] as? [String: Any])
        #expect(semantic["errors"] as? [String] == [], "MetricFlow's validations: \(semantic["errors"] ?? "")")
        #expect(Set((semantic["metrics"] as? [String: String])?.keys.map { "metric.metrics_shop.\($0)" } ?? []) == Set(metrics.keys))
        #expect(semantic["saved_queries"] as? [String] == (found["saved_queries"] as? [String])?.map { String($0.split(separator: ".").last!) })
    }

    /// dbt's run_results.json beside floe's own: the nodes dbt knows (not floe's synthetic tables),
    /// with dbt's statuses (an unchanged model is `reused`), relation names and rows affected.
    @Test func runResultsAreDbtsV6() throws {
        let python = try #require(ProcessInfo.processInfo.environment["FLOE_TEST_DBT_ARTIFACTS_PYTHON"])
        let demo = try ApplyCommandTests.demoCopy()
        let script = FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeCLITests/Clients/dbt_artifacts.py")
        func read() throws -> [String: [String: Any]] {
            let read = try FloeBinary.run(program: URL(fileURLWithPath: python), [script.path, "run_results", demo.appendingPathComponent("target/run_results.json").path])
            try #require(read.status == 0, "\(read.stderr)")
            let found = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
            #expect(found["class"] as? String == "RunResultsV6")
            return try #require(found["results"] as? [String: [String: Any]])
        }
        let build = try FloeBinary.run(["build"], in: demo)
        #expect(build.status == 0, "\(build.all)")
        let first = try read()
        let own = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent("target/floe_run_results.json"))) as? [String: Any])
        let ownResults = try #require(own["results"] as? [[String: Any]])
        #expect(Set(first.keys) == Set(ownResults.filter { $0["resource_type"] as? String != "synthetic" }.compactMap { $0["unique_id"] as? String }))
        #expect(ownResults.contains { $0["resource_type"] as? String == "synthetic" }, "floe's own file keeps the synthetic tables")
        let mart = try #require(first["model.ecommerce.mart_revenue"])
        #expect(mart["status"] as? String == "success" && mart["relation_name"] as? String == #""floe-dev"."mart_revenue""#)
        #expect((mart["adapter_response"] as? [String: Any])?["rows_affected"] as? Int == 13 && mart["timing"] as? [String] == ["execute"])
        let test = try #require(first.first { $0.key.hasPrefix("test.") }?.value)
        #expect(test["status"] as? String == "pass" && test["failures"] as? Int == 0)

        let again = try FloeBinary.run(["build"], in: demo)
        #expect(again.status == 0, "\(again.all)")
        #expect(try read()["model.ecommerce.stg_orders"]?["status"] as? String == "reused", "an unchanged model is reused, as dbt says of it")

        // dbt's catalog.json from `floe docs generate`: the warehouse's tables and views, their
        // columns as the engine types them, row counts.
        let generate = try FloeBinary.run(["docs", "generate"], in: demo)
        try #require(generate.status == 0, "\(generate.all)")
        let catalogRead = try FloeBinary.run(program: URL(fileURLWithPath: python), [script.path, "catalog", demo.appendingPathComponent("target/catalog.json").path])
        try #require(catalogRead.status == 0, "\(catalogRead.stderr)")
        let catalog = try #require(try JSONSerialization.jsonObject(with: Data(catalogRead.stdout.utf8)) as? [String: Any])
        #expect(catalog["class"] as? String == "CatalogV1")
        let tables = try #require(catalog["nodes"] as? [String: [String: Any]])
        let stgOrders = try #require(tables["model.ecommerce.stg_orders"])
        #expect(stgOrders["type"] as? String == "VIEW" && (stgOrders["stats"] as? [String: Any])?["row_count"] as? Double == 5000)
        #expect((stgOrders["columns"] as? [String: String])?["order_id"] == "TEXT")
        #expect((tables["model.ecommerce.mart_revenue"]?["type"] as? String) == "BASE TABLE")
        #expect(tables["model.ecommerce.int_order_items_enriched"] == nil, "an ephemeral model has no relation")
        #expect((catalog["sources"] as? [String])?.count == 4)
    }
}
