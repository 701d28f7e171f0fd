import FloeCompiler
import FloeContract
import FloeEngine
import FloeRuntime
import Foundation

/// A copy of a demo product with the demo platform beside it, its `warehouse` profile pointed at
/// the test server and a database of its own: built with `--env prod` on PostgreSQL, and with
/// `--env dev` on SQLite for comparison.
struct PostgresProduct {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../demo").standardizedFileURL

    let directory: URL
    let database: String

    /// What a run sees of the process environment: the warehouse password as the secret.
    var environment: [String: String] { ["FLOE_SECRET_WAREHOUSE_DB_PASSWORD": PostgresTestServer.password] }

    init(_ name: String) throws {
        PostgresTestServer.adapters
        database = try PostgresTestServer.createDatabase()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-pg-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.demo.appendingPathComponent("data_engineering/\(name)"), to: directory)
        for leftover in ["target", ".floe"] { try? FileManager.default.removeItem(at: directory.appendingPathComponent(leftover)) }
        var platform = try String(contentsOf: Self.demo.appendingPathComponent("platform/platform.yaml"), encoding: .utf8)
        for (from, to) in [("host: db.internal", "host: \(PostgresTestServer.host)"), ("port: 5432", "port: \(PostgresTestServer.port)"),
                           ("database: analytics", "database: \(database)"), ("sslmode: require", "sslmode: disable")] {
            guard platform.contains(from) else { throw Failure(description: "the demo platform no longer has '\(from)'") }
            platform = platform.replacingOccurrences(of: from, with: to)
        }
        try Data(platform.utf8).write(to: directory.appendingPathComponent("platform.yaml"))
    }

    func remove() {
        PostgresTestServer.dropDatabase(database)
        try? FileManager.default.removeItem(at: directory)
    }

    func compile(environment name: String) throws -> CompiledArtifacts {
        try Self.plan(in: directory, environment: name)
    }

    /// The plan of the floe.yaml and platform.yaml in `directory`, or the diagnostics as the error.
    static func plan(in directory: URL, environment: String, vars: String? = nil) throws -> CompiledArtifacts {
        let output = ProjectCompiler.compile(CompileOptions(
            specPath: directory.appendingPathComponent("floe.yaml").path,
            platformPath: directory.appendingPathComponent("platform.yaml").path,
            environment: environment, compiledAt: Date(timeIntervalSince1970: 1_700_000_000), processEnvironment: [:],
            vars: vars))
        guard let plan = output.artifacts else {
            throw Failure(description: output.diagnostics.map { "\($0)" }.joined(separator: "\n"))
        }
        return plan
    }

    @discardableResult
    func apply(environment name: String, mode: ApplyOptions.Mode = .buildWithTests, fullRefresh: Bool = false) throws -> RunResults {
        let options = ApplyOptions(mode: mode, fullRefresh: fullRefresh, threads: 4, projectDirectory: directory.path, environment: environment)
        return try PlanRunner(plan: compile(environment: name), options: options).run()
    }

    func connection(environment name: String) throws -> any EngineConnection {
        try PlanConnection.open(try compile(environment: name), projectDirectory: directory.path, environment: environment).connection
    }
}
