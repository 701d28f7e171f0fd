import FloeContract
import FloeEngine
@testable import FloeRuntime
import FloeSemantic
import FloeTestSupport
import Foundation
import Testing

/// Every demo product builds on the loopback Spark cluster with `--env spark` (the demo platform
/// maps its compute to the `cluster` profile), its tests pass, and every table and view it builds
/// holds the same rows as the SQLite build of the same product; its cubes answer the same.
/// One product at a time: the cluster is one worker.
@Suite(.serialized, .enabled(if: SparkTestServer.available, SparkTestServer.skipReason))
struct SparkDemoTests {
    static let products = ["customer-360", "data-playground", "ecommerce", "field-service", "financial-risk", "iot-telemetry"]

    @Test(arguments: products)
    func buildsAsOnSQLite(product name: String) throws {
        let product = try SparkProduct(name)
        defer { product.remove() }
        let demo = product.product
        let tasksBefore = SparkWorkerLog.tasksStarted(clusterDirectory: SparkTestServer.environment["FLOE_TEST_SPARK_DIR"])
        let onSpark = try demo.apply(environment: "spark")
        #expect(onSpark.success, "\(onSpark.results.filter { ![.success, .pass].contains($0.status) }.map { ($0.name, $0.message ?? "") })")
        // The work ran on the cluster's worker, not in the Thrift server alone.
        if let before = tasksBefore { #expect(try #require(SparkWorkerLog.tasksStarted(clusterDirectory: SparkTestServer.environment["FLOE_TEST_SPARK_DIR"])) > before) }
        let onSQLite = try demo.apply(environment: "dev")
        #expect(onSQLite.success)

        for difference in try DemoComparison(demo, left: ("dev", "SQLite"), right: ("spark", "Spark")).differences(name: name) {
            Issue.record(Comment(rawValue: difference))
        }

        // A second run finds every model up to date, as on SQLite.
        let again = try demo.apply(environment: "spark", mode: .build)
        #expect(again.results.filter { $0.resourceType == .model }.allSatisfy { $0.status == .upToDate },
                "\(again.results.filter { $0.status != .upToDate }.map { ($0.name, $0.status) })")
    }
}
