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
        let tasksBefore = SparkTestServer.tasksRunOnWorkers()
        let onSpark = try demo.apply(environment: "spark")
        #expect(onSpark.success, "\(onSpark.results.filter { ![.success, .pass].contains($0.status) }.map { ($0.name, $0.message ?? "") })")
        // The work ran on the cluster's worker, not in the Thrift server alone.
        if let before = tasksBefore { #expect(try #require(SparkTestServer.tasksRunOnWorkers()) > before) }
        let onSQLite = try demo.apply(environment: "dev")
        #expect(onSQLite.success)

        let spark = try demo.compile(environment: "spark"), dev = try demo.compile(environment: "dev")
        let cluster = try demo.connection(environment: "spark"), sqlite = try demo.connection(environment: "dev")
        var pairs: [(name: String, sqlite: Relation, spark: Relation)] = spark.synthetic.map {
            ($0.name, $0.relation(in: dev.environment.namespace), $0.relation(in: spark.environment.namespace))
        }
        let devSeeds = Dictionary(uniqueKeysWithValues: dev.seeds.map { ($0.uniqueID, $0.relation) })
        pairs += try spark.seeds.map { ($0.name, try #require(devSeeds[$0.uniqueID]), $0.relation) }
        let devModels = Dictionary(uniqueKeysWithValues: dev.models.map { ($0.uniqueID, $0.relation) })
        pairs += try spark.models.filter { $0.materialized != .ephemeral }.map { ($0.name, try #require(devModels[$0.uniqueID]), $0.relation) }
        for pair in pairs {
            let left = try sqlite.query("select * from \"\(pair.sqlite.schema)\".\"\(pair.sqlite.name)\"")
            let right = try cluster.query("select * from `\(pair.spark.schema)`.`\(pair.spark.name)`")
            let difference = TableComparison(left, right, names: ("SQLite", "Spark")).firstDifference
            #expect(difference == nil, "\(name): \(pair.name): \(difference ?? "")")
        }
        #expect(pairs.count >= spark.models.count / 2)

        // Every cube answers the same on both: its measures in all, by each dimension, through each join.
        let devRunner = try QueryRunner(plan: dev), sparkRunner = try QueryRunner(plan: spark)
        for cube in spark.cubes ?? [] {
            for var query in CubeQuery.coverage(of: cube, among: spark.cubes ?? []) {
                query.limit = 50_000
                let left = try devRunner.load(query, on: sqlite).rows, right = try sparkRunner.load(query, on: cluster).rows
                let difference = TableComparison(left, right, names: ("SQLite", "Spark"), relativeTolerance: 1e-4).firstDifference
                #expect(difference == nil, "\(name): \(query.json.text): \(difference ?? "")")
            }
        }

        // A second run finds every model up to date, as on SQLite.
        let again = try demo.apply(environment: "spark", mode: .build)
        #expect(again.results.filter { $0.resourceType == .model }.allSatisfy { $0.status == .upToDate },
                "\(again.results.filter { $0.status != .upToDate }.map { ($0.name, $0.status) })")
    }
}
