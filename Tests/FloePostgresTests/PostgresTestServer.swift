import FloeCompiler
import FloeContract
import FloeEngine
import FloePostgres
import FloeRuntime
import FloeSQLite
import FloeTestSupport
import Foundation
import Testing

/// The throwaway server `scripts/postgres.sh` started for this test run, found through its
/// `FLOE_TEST_POSTGRES_*` variables (README's test command sets them). Without them the suites
/// that need it are skipped, with the reason.
enum PostgresTestServer {
    static let environment = ProcessInfo.processInfo.environment

    static var available: Bool { environment["FLOE_TEST_POSTGRES_PORT"] != nil }
    static let skipReason: Comment = "no PostgreSQL server: run ./scripts/test.sh, which starts one (scripts/postgres.sh)"

    static var host: String { environment["FLOE_TEST_POSTGRES_HOST"] ?? "127.0.0.1" }
    static var port: Int { Int(environment["FLOE_TEST_POSTGRES_PORT"] ?? "") ?? 5432 }
    static var user: String { environment["FLOE_TEST_POSTGRES_USER"] ?? "floe" }
    static var password: String { environment["FLOE_TEST_POSTGRES_PASSWORD"] ?? "" }
    static var database: String { environment["FLOE_TEST_POSTGRES_DATABASE"] ?? "analytics" }

    static let adapters: Void = {
        SQLiteAdapter.register()
        PostgresAdapter.register()
    }()

    /// A database of its own for one test, so tests run side by side without sharing a namespace.
    static func createDatabase() throws -> String {
        let name = "floe_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try engine(database: database).connect().execute("create database \(name)")
        return name
    }

    static func dropDatabase(_ name: String) {
        _ = try? engine(database: database).connect().execute("drop database if exists \(name) with (force)")
    }

    /// An engine on the test server, with these settings changed.
    static func engine(database: String, password: String? = nil, port: Int? = nil, namespace: String = "floe_test",
                       schema: String? = nil, sslmode: String = "disable") throws -> any WarehouseEngine {
        adapters
        var settings: [String: ConfigValue] = [
            "host": .string(host), "port": .integer(port ?? Self.port), "database": .string(database),
            "user": .string(user), "password": .string(password ?? Self.password), "sslmode": .string(sslmode),
            "threads": .integer(4), "connect_timeout": .integer(5),
        ]
        if let schema { settings["schema"] = .string(schema) }
        var plan = try DemoProduct.stubPlan(namespace: namespace)
        plan.profiles.compute.settings = settings
        return try PostgresAdapter().engine(settings: settings, plan: plan, projectDirectory: "/")
    }
}
