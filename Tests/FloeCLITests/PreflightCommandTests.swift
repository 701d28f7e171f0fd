import Foundation
import Testing

/// `floe preflight` with the real binary: the SQLite engine, local storage, secrets, a REST
/// catalog and an object store served by a local fixture server, observability endpoints, and
/// a server that never answers.
@Suite(.serialized) struct PreflightCommandTests {
    let directory: URL

    init() throws {
        directory = try FloeBinary.temporaryDirectory()
        try write("floe.yaml", "name: ready\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try write("dbt/dbt_project.yml", "name: ready\n")
        try write("dbt/models/one.sql", "select 1 as one")
    }

    func write(_ path: String, _ text: String) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// A platform.yaml with these profiles and extra top-level sections.
    func platform(compute: String = #"{ type: sqlite, path: ".floe/{environment}.db" }"#,
                  storage: String = "{ type: local, path: .floe/storage }", catalog: String = "{ type: none }",
                  extra: String = "") throws {
        try write("platform.yaml", """
            version: "1"
            compute: { default: \(compute) }
            storage: { default: \(storage) }
            catalogs: { default: \(catalog) }
            \(extra)
            environments: { dev: { namespace: ready } }
            """)
    }

    func preflight(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> (FloeBinary.Result, [String: Any]) {
        let result = try FloeBinary.run(["preflight", "--format", "json"] + arguments, in: directory, environment: environment)
        let report = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result, report)
    }

    func checks(_ report: [String: Any]) -> [[String: Any]] {
        report["checks"] as? [[String: Any]] ?? []
    }

    func check(_ report: [String: Any], _ service: String) -> [String: Any]? {
        checks(report).first { $0["service"] as? String == service }
    }

    @Test func anEmbeddedProductPassesWithSeedOnesReport() throws {
        try platform()
        let (result, report) = try preflight()
        #expect(result.status == 0, "\(result.all)")
        #expect(report["overall_status"] as? String == "pass")
        #expect(report["environment"] as? String == "dev")
        #expect((report["timestamp"] as? String)?.hasSuffix("Z") == true)
        #expect(checks(report).map { $0["service"] as? String } == ["compute", "storage", "catalog"])
        for check in checks(report) {
            #expect(Set(check.keys) == ["service", "status", "message", "duration_ms", "remediation", "details"])
            #expect(check["status"] as? String == "ok", "\(check)")
        }
        let compute = try #require(check(report, "compute"))
        #expect((compute["message"] as? String)?.hasPrefix("default (sqlite): SQLite 3.") == true)
        #expect((compute["details"] as? [String: Any])?["free_bytes"] != nil)
        // A table for people.
        let table = try FloeBinary.run(["preflight", "--format", "table"], in: directory)
        #expect(table.stdout.hasPrefix("floe preflight: environment dev\n  compute  "), "\(table.stdout)")
        #expect(table.stdout.hasSuffix("PASS: 3 checks, 0 warnings\n"))
    }

    @Test func anUnwritableSQLitePathIsAnErrorWithARemedy() throws {
        try write("blocked", "a file where the database's directory should be")
        try platform(compute: #"{ type: sqlite, path: "blocked/dev.db" }"#)
        let (result, report) = try preflight()
        #expect(result.status == 1, "\(result.all)")
        #expect(report["overall_status"] as? String == "fail")
        let compute = try #require(check(report, "compute"))
        #expect(compute["status"] as? String == "error")
        #expect((compute["message"] as? String)?.contains("blocked is a file, not a directory") == true, "\(compute)")
        #expect((compute["remediation"] as? String)?.contains("point `path` of compute profile 'default' elsewhere") == true)
    }

    @Test func aMissingSecretIsAnErrorAndAResolvedOneIsNeverShown() throws {
        try platform(extra: "semantic: { api_secret: { secret_ref: cube-api, key: jwt_secret } }")
        let (missing, report) = try preflight()
        #expect(missing.status == 1)
        let secret = try #require(check(report, "secret"))
        #expect(secret["status"] as? String == "error")
        #expect(secret["message"] as? String == "secret 'cube-api' key 'jwt_secret' cannot be resolved")
        #expect((secret["remediation"] as? String)?.hasPrefix("set the environment variable FLOE_SECRET_CUBE_API_JWT_SECRET or write the file") == true)

        let value = "a-very-secret-value-0123456789abcdef"
        let (present, again) = try preflight(environment: ["FLOE_SECRET_CUBE_API_JWT_SECRET": value])
        #expect(present.status == 0, "\(present.all)")
        #expect(check(again, "secret")?["status"] as? String == "ok")
        #expect(!present.all.contains(value))
    }

    /// A local fixture server stands in for a REST catalog and an S3-compatible object store.
    @Test func theCatalogAndTheBucketAreAskedOverHTTP() throws {
        let served = directory.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served.appendingPathComponent("v1"), withIntermediateDirectories: true)
        try Data(#"{"defaults": {}, "overrides": {}}"#.utf8).write(to: served.appendingPathComponent("v1/config"))
        try Data("<ListBucketResult/>".utf8).write(to: served.appendingPathComponent("lake"))
        let server = try FixtureServer.http(serving: served)
        defer { server.stop() }
        let endpoint = "http://127.0.0.1:\(server.port)"
        let credentials = "credentials: { access_key_id: { secret_ref: s3, key: id }, secret_access_key: { secret_ref: s3, key: key } }"
        let secrets = ["FLOE_SECRET_S3_ID": "x", "FLOE_SECRET_S3_KEY": "y"]

        try platform(storage: "{ type: s3, bucket: lake, endpoint: \"\(endpoint)\", path_style_access: true, \(credentials) }",
                     catalog: "{ type: rest, uri: \"\(endpoint)\" }")
        let (good, report) = try preflight(environment: secrets)
        #expect(good.status == 0, "\(good.all)")
        #expect(check(report, "storage")?["message"] as? String == "default (s3): the endpoint answers and bucket lake exists (HTTP 200)")
        #expect(check(report, "catalog")?["message"] as? String == "default (rest): \(endpoint)/v1/config answers")

        try platform(storage: "{ type: s3, bucket: nowhere, endpoint: \"\(endpoint)\", path_style_access: true, \(credentials) }",
                     catalog: "{ type: rest, uri: \"\(endpoint)/not-a-catalog\" }")
        let (bad, failed) = try preflight(environment: secrets)
        #expect(bad.status == 1)
        #expect(check(failed, "storage")?["status"] as? String == "error")
        #expect((check(failed, "storage")?["remediation"] as? String)?.hasPrefix("create the bucket") == true)
        #expect(check(failed, "catalog")?["status"] as? String == "error")
        #expect((check(failed, "catalog")?["message"] as? String)?.contains("answered HTTP 404") == true)
    }

    @Test func observabilityOnlyWarnsAndASilentServerTimesOut() throws {
        let silent = try FixtureServer.silent()
        defer { silent.stop() }
        try platform(catalog: "{ type: rest, uri: \"http://127.0.0.1:\(silent.port)\" }",
                     extra: "observability: { lineage: { endpoint: \"http://127.0.0.1:\(try Self.closedPort())/api/v1/lineage\", namespace: x } }")
        let started = Date()
        let (result, report) = try preflight(["--timeout", "1"])
        #expect(Date().timeIntervalSince(started) < 8, "the checks run side by side, each within its timeout")
        #expect(result.status == 1)
        let catalog = try #require(check(report, "catalog"))
        #expect(catalog["status"] as? String == "error")
        #expect((catalog["message"] as? String)?.contains("no answer within 1 s") == true, "\(catalog)")
        let lineage = try #require(check(report, "observability"))
        #expect(lineage["status"] as? String == "warning")
        #expect((lineage["remediation"] as? String)?.hasPrefix("runs proceed without it") == true)
        // --fail-fast stops at the first error: the catalog's, after compute and storage.
        let (fast, stopped) = try preflight(["--timeout", "1", "--fail-fast"])
        #expect(fast.status == 1)
        #expect(checks(stopped).map { $0["service"] as? String } == ["compute", "storage", "catalog"])
    }

    /// A loopback port nothing listens on.
    static func closedPort() throws -> Int {
        let server = try FixtureServer.silent()
        server.stop()
        return server.port
    }
}

/// A throwaway server on a loopback port, started with python3 and stopped by its process id.
struct FixtureServer {
    let process: Process
    let port: Int

    /// Serves the files under `root` (HTTP 200 for a file or a directory, 404 otherwise).
    static func http(serving root: URL) throws -> FixtureServer {
        try start("""
            import functools, http.server, socket, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.HTTPServer(("127.0.0.1", 0), handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """, arguments: [root.path])
    }

    /// Accepts connections and never answers.
    static func silent() throws -> FixtureServer {
        try start("""
            import socket, time
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
            print(s.getsockname()[1], flush=True)
            held = []
            while True:
                connection, _ = s.accept(); held.append(connection)
            """, arguments: [])
    }

    private static func start(_ script: String, arguments: [String]) throws -> FixtureServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown)
        }
        return FixtureServer(process: process, port: port)
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
