import FloeContract
import FloeEngine
import FloeRuntime
import FloeSQLite
@testable import FloeSpark
import FloeTestSupport
import Foundation

/// A copy of a demo product whose `spark` environment points at the test cluster, under a
/// namespace of its own so products build side by side: built with `--env spark` on Spark and
/// with `--env dev` on SQLite for comparison.
struct SparkProduct {
    static let adapters: Void = {
        SQLiteAdapter.register()
        SparkAdapter.register()
    }()

    let product: DemoProduct
    let namespace: String

    init(_ name: String, edits: [(String, String)] = []) throws {
        Self.adapters
        namespace = "floe_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        product = try DemoProduct(name, platformEdits: [
            ("port: 10000", "port: \(SparkTestServer.port)"), ("namespace: floe_spark ", "namespace: \(namespace) "),
        ] + edits)
    }

    /// Drops every database the Spark build made, then the copy.
    func remove() {
        if let plan = try? product.compile(environment: "spark"), let connection = try? product.connection(environment: "spark") {
            for schema in EngineAdapters.schemas(of: plan) {
                _ = try? connection.execute("drop database if exists \(SparkDialect().quoteIdentifier(schema)) cascade")
            }
        }
        product.remove()
    }
}
