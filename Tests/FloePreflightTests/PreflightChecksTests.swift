import FloeCompiler
import FloeContract
@testable import FloePreflight
import FloeSQLite
import Foundation
import Testing

/// `floe preflight`'s checks on a real plan: a secret reference resolves or says where it looked,
/// the compute profile opens (SQLite here), and a lineage endpoint nothing listens on is a
/// warning (runs go on without it) found within the timeout.
@Suite struct PreflightChecksTests {
    static func plan() throws -> (CompiledArtifacts, URL) {
        SQLiteAdapter.register()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-preflight-\(UUID().uuidString)")
        let files = [
            "platform.yaml": """
                version: "1"
                compute: { default: { type: sqlite, path: .floe/dev.db } }
                storage: { default: { type: local, path: .floe/storage } }
                catalogs: { default: { type: none } }
                observability: { lineage: { endpoint: "http://127.0.0.1:9/api/v1/lineage", namespace: shop } }
                semantic: { api_secret: { secret_ref: cube-api, key: jwt_secret } }
                environments: { dev: { namespace: shop } }
                """,
            "floe.yaml": "name: shop\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n",
            "dbt/dbt_project.yml": "name: shop\n",
            "dbt/models/one.sql": "select 1 as one",
        ]
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let output = ProjectCompiler.compile(CompileOptions(
            specPath: directory.appendingPathComponent("floe.yaml").path, platformPath: directory.appendingPathComponent("platform.yaml").path,
            environment: "dev", compiledAt: Date(timeIntervalSince1970: 0), processEnvironment: [:]))
        return (try #require(output.artifacts, "\(output.diagnostics)"), directory)
    }

    func results(environment: [String: String]) throws -> [PreflightResult] {
        let (plan, directory) = try Self.plan()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checks = PreflightChecks.all(for: plan, projectDirectory: directory.path, environment: environment, timeout: 2)
        return PreflightRunner.run(checks, timeout: 2, failFast: false)
    }

    @Test func aMissingSecretSaysWhereItLooked() throws {
        let secret = try #require(try results(environment: [:]).first { $0.service == "secret" })
        #expect(secret.status == .error)
        #expect(secret.remediation == "set the environment variable FLOE_SECRET_CUBE_API_JWT_SECRET or write the file /var/run/secrets/floe/cube-api/jwt_secret",
                "\(secret)")
    }

    @Test func aSecretInTheEnvironmentResolvesAndItsValueIsNeverShown() throws {
        let value = "a-jwt-secret-of-thirty-two-bytes!!"
        let found = try results(environment: ["FLOE_SECRET_CUBE_API_JWT_SECRET": value])
        let secret = try #require(found.first { $0.service == "secret" })
        #expect(secret.status == .ok && secret.message.contains("environment variable"), "\(secret)")
        #expect(!found.contains { "\($0)".contains(value) })
    }

    @Test func theComputeProfileOpensAndADeadLineageEndpointIsAWarningInTime() throws {
        let started = Date()
        let found = try results(environment: [:])
        #expect(found.first { $0.service == "compute" }?.status == .ok, "\(found)")
        let lineage = try #require(found.first { $0.service == "observability" })
        #expect(lineage.status == .warning && lineage.message.contains("cannot be reached"), "\(lineage)")
        #expect(lineage.remediation?.hasPrefix("runs proceed without it") == true)
        #expect(Date().timeIntervalSince(started) < 10)
    }

    /// A lineage file: ready when it can be written, a warning when its directory cannot be.
    @Test func aLineageFileIsCheckedForWriting() throws {
        let (plan, directory) = try Self.plan()
        defer { try? FileManager.default.removeItem(at: directory) }
        func check(_ file: String) -> PreflightResult? {
            var plan = plan
            plan.observability.lineage = LineageSettings(transport: "file", file: file, namespace: "shop")
            let checks = PreflightChecks.all(for: plan, projectDirectory: directory.path, environment: [:], timeout: 2)
            return PreflightRunner.run(checks, timeout: 2, failFast: false).first { $0.service == "observability" }
        }
        let writable = check("target/openlineage.jsonl")
        #expect(writable?.status == .ok && writable?.message == "lineage file target/openlineage.jsonl can be written", "\(String(describing: writable))")
        let blocker = directory.appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: blocker)
        let unwritable = check("not-a-directory/events.jsonl")
        #expect(unwritable?.status == .warning && unwritable?.message == "lineage file not-a-directory/events.jsonl cannot be written",
                "\(String(describing: unwritable))")
    }
}
