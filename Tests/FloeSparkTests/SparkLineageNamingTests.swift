import FloeContract
import FloeSpark
import FloeTestSupport
import Testing

/// OpenLineage's naming of Hive tables: `hive://host:port` of the metastore and `database.table`.
@Suite struct SparkLineageNamingTests {
    @Test func tablesAreNamedByTheirMetastore() throws {
        let adapter = SparkAdapter()
        let plan = try DemoProduct.stubPlan(namespace: "floe_dev")
        let thrift: [String: ConfigValue] = ["host": .string("spark.internal"), "port": .integer(10001)]
        #expect(adapter.lineageNamespace(settings: thrift, plan: plan, projectDirectory: "/p") == "hive://spark.internal:10001",
                "without a metastore, the Thrift server's address")
        var withMetastore = thrift
        withMetastore["metastore"] = .string("thrift://metastore.internal:9083")
        #expect(adapter.lineageNamespace(settings: withMetastore, plan: plan, projectDirectory: "/p") == "hive://metastore.internal:9083")
        #expect(adapter.lineageName(of: Relation(schema: "floe_dev", name: "orders"), settings: thrift) == "floe_dev.orders")
    }
}
