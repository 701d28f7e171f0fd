import FloeContract
import FloePostgres
import FloeTestSupport
import Testing

/// OpenLineage's naming of PostgreSQL datasets: `postgres://host:port` and `database.schema.table`.
@Suite struct PostgresLineageNamingTests {
    @Test func datasetsAreNamedAsTheNamingSpecSays() throws {
        let adapter = PostgresAdapter()
        let plan = try DemoProduct.stubPlan(namespace: "floe-prod")
        let settings: [String: ConfigValue] = ["host": .string("db.internal"), "port": .integer(5433), "database": .string("analytics"),
                                               "user": .string("floe")]
        #expect(adapter.lineageNamespace(settings: settings, plan: plan, projectDirectory: "/p") == "postgres://db.internal:5433")
        #expect(adapter.lineageName(of: Relation(schema: "floe-prod_marts", name: "orders"), settings: settings) == "analytics.floe-prod_marts.orders")
        #expect(adapter.lineageNamespace(settings: ["database": .string("d")], plan: plan, projectDirectory: "/p") == "postgres://localhost:5432",
                "PostgreSQL's defaults")
    }
}
