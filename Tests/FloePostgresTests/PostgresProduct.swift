import FloeContract
import FloeEngine
import FloeRuntime
import FloeTestSupport
import Foundation

/// A copy of a demo product with the demo platform beside it, its `warehouse` profile pointed at
/// the test server and a database of its own: built with `--env prod` on PostgreSQL, and with
/// `--env dev` on SQLite for comparison.
struct PostgresProduct {
    let product: DemoProduct
    let database: String

    var directory: URL { product.directory }
    var environment: [String: String] { product.environment }

    init(_ name: String) throws {
        PostgresTestServer.adapters
        database = try PostgresTestServer.createDatabase()
        product = try DemoProduct(name, platformEdits: [
            ("host: db.internal", "host: \(PostgresTestServer.host)"), ("port: 5432", "port: \(PostgresTestServer.port)"),
            ("database: analytics", "database: \(database)"), ("sslmode: require", "sslmode: disable"),
        ], environment: ["FLOE_SECRET_WAREHOUSE_DB_PASSWORD": PostgresTestServer.password])
    }

    func remove() {
        PostgresTestServer.dropDatabase(database)
        product.remove()
    }

    func compile(environment name: String) throws -> CompiledArtifacts { try product.compile(environment: name) }

    static func plan(in directory: URL, environment: String, vars: String? = nil) throws -> CompiledArtifacts {
        try DemoProduct.plan(in: directory, environment: environment, vars: vars)
    }

    @discardableResult
    func apply(environment name: String, mode: ApplyOptions.Mode = .buildWithTests, fullRefresh: Bool = false) throws -> RunResults {
        try product.apply(environment: name, mode: mode, fullRefresh: fullRefresh)
    }

    func connection(environment name: String) throws -> any EngineConnection { try product.connection(environment: name) }
}
