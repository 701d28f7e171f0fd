import FloeConnect
import FloeContract
import FloeEngine
@testable import FloeRuntime
import FloeSemantic
import FloeTestSupport
import Foundation
import Testing

/// Every demo product builds on PostgreSQL with `--env prod` (the demo platform maps prod's
/// compute to the `warehouse` profile), its tests pass, and every table and view it builds holds
/// the same rows as the SQLite build of the same product.
@Suite(.enabled(if: PostgresTestServer.available, PostgresTestServer.skipReason))
struct PostgresDemoTests {
    static let products = ["customer-360", "data-playground", "ecommerce", "field-service", "financial-risk", "iot-telemetry"]

    @Test(arguments: products)
    func buildsAsOnSQLite(product name: String) throws {
        let product = try PostgresProduct(name)
        defer { product.remove() }
        let onPostgres = try product.apply(environment: "prod")
        #expect(onPostgres.success, "\(onPostgres.results.filter { ![.success, .pass].contains($0.status) }.map { ($0.name, $0.message ?? "") })")
        let onSQLite = try product.apply(environment: "dev")
        #expect(onSQLite.success)

        for difference in try DemoComparison(product.product, left: ("dev", "SQLite"), right: ("prod", "PostgreSQL")).differences(name: name) {
            Issue.record(Comment(rawValue: difference))
        }
        let prod = try product.compile(environment: "prod")
        let postgres = try product.connection(environment: "prod")

        // `floe show` reads a mart as it reads one on SQLite.
        if let mart = prod.models.first(where: { $0.name.hasPrefix("mart_") }) {
            let shown = try RelationPreview.rows(of: mart.name, in: RunnablePlan(withRollupsOf: prod), limit: 5, projectDirectory: product.directory.path,
                                                 environment: product.environment)
            #expect(shown.rows.count == min(5, try postgres.query("select * from \(postgres.quoted(mart.relation))").rows.count))
            #expect(shown.columns == (try postgres.query("select * from \(postgres.quoted(mart.relation))", limit: 1).columns))
        }

        // A second run finds everything up to date, as on SQLite.
        let again = try product.apply(environment: "prod", mode: .build)
        #expect(again.results.filter { $0.resourceType == .model }.allSatisfy { $0.status == .upToDate },
                "\(again.results.filter { $0.status != .upToDate }.map { ($0.name, $0.status) })")
    }
}

/// A live demo on PostgreSQL under a short retention, replayed with the run's clock: the
/// e-commerce product's tests pass in every cycle, and no order lost its customer.
@Suite(.enabled(if: PostgresTestServer.available, PostgresTestServer.skipReason))
struct PostgresLiveRetentionTests {
    @Test func ecommerceStaysGreenUnderAShortRetention() throws {
        let product = try PostgresProduct("ecommerce")
        defer { product.remove() }
        let spec = product.directory.appendingPathComponent("floe.yaml")
        let text = try String(contentsOf: spec, encoding: .utf8).replacingOccurrences(of: "max_age: 7d", with: "max_age: 15m")
        try Data(text.utf8).write(to: spec)
        let plan = try product.compile(environment: "prod")
        let start = Date().addingTimeInterval(-300 * 6)
        var messages: [String] = []
        for cycle in 0..<6 {
            let options = ApplyOptions(mode: .buildWithTests, threads: 2, projectDirectory: product.directory.path,
                                       environment: product.environment, batch: true, now: start.addingTimeInterval(300 * Double(cycle)))
            let results = try PlanRunner(plan: RunnablePlan(withRollupsOf: plan), options: options).run()
            let failed = results.results.filter { ![.success, .pass, .upToDate].contains($0.status) }
            #expect(failed.isEmpty, "cycle \(cycle): \(failed.map { ($0.name, $0.message ?? "") })")
            messages.append(results.result(named: "raw_customers")?.message ?? "")
        }
        // From the fifth cycle the first load has aged out; orders drawn from it bring customers back.
        #expect(messages.contains { $0.contains("retention deleted") && $0.contains("made again") }, "\(messages)")
        let postgres = try product.connection(environment: "prod")
        let orphans = try postgres.query("""
            select count(*) from "floe-prod"."raw_orders" o where o.customer_id is not null
            and not exists (select 1 from "floe-prod"."raw_customers" c where c.customer_id = o.customer_id)
            """).rows.first?.first?.displayText
        #expect(orphans == "0")
    }
}

extension EngineConnection {
    func quoted(_ relation: Relation) -> String {
        "\"\(relation.schema)\".\"\(relation.name)\""
    }
}
