import Foundation
import Testing

/// The real binary against the test server: `kill -9` during an apply (the build's transaction
/// dies with the process, every table stays whole, and the next apply completes), refused
/// logins, and `floe preflight`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FLOE_TEST_POSTGRES_PORT"] != nil,
                             "no PostgreSQL server: run ./scripts/test.sh, which starts one (scripts/postgres.sh)"))
struct PostgresApplySafetyTests {
    let directory: URL
    let database = "floe_cli_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    let server = ProcessInfo.processInfo.environment

    var password: String { server["FLOE_TEST_POSTGRES_PASSWORD"] ?? "" }
    var environment: [String: String] { ["FLOE_SECRET_TEST_DB_PASSWORD": password] }

    init() throws {
        directory = try FloeBinary.temporaryDirectory()
        let host = server["FLOE_TEST_POSTGRES_HOST"] ?? "127.0.0.1", port = server["FLOE_TEST_POSTGRES_PORT"] ?? "5432"
        let files = [
            "platform.yaml": """
                version: "1"
                compute:
                  default:
                    type: postgres
                    host: \(host)
                    port: \(port)
                    database: \(database)
                    user: \(server["FLOE_TEST_POSTGRES_USER"] ?? "floe")
                    password: { secret_ref: test-db, key: password }
                    sslmode: disable
                storage: { default: { type: local, path: .floe/storage } }
                catalogs: { default: { type: none } }
                environments: { dev: { namespace: safety } }
                """,
            "floe.yaml": "name: safety\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n",
            "dbt/dbt_project.yml": "name: safety\nvars: { rows: 1000, version: 1 }\n",
            "dbt/models/slow_table.sql": """
                {{ config(materialized='table') }}
                select n, {{ var('version') }} as version from generate_series(1, {{ var('rows') }}) as n
                """,
        ]
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let created = try psql("create database \(database)", database: server["FLOE_TEST_POSTGRES_DATABASE"] ?? "analytics")
        #expect(created.status == 0, "\(created.all)")
    }

    func psql(_ sql: String, database: String? = nil) throws -> FloeBinary.Result {
        let host = server["FLOE_TEST_POSTGRES_HOST"] ?? "127.0.0.1", port = server["FLOE_TEST_POSTGRES_PORT"] ?? "5432"
        let user = server["FLOE_TEST_POSTGRES_USER"] ?? "floe"
        return try FloeBinary.run(program: URL(fileURLWithPath: "/usr/bin/psql"),
                                  ["-X", "-q", "-t", "-A", "-h", host, "-p", port, "-U", user, "-d", database ?? self.database, "-c", sql],
                                  environment: ["PGPASSWORD": password])
    }

    func value(_ sql: String) throws -> String {
        try psql(sql).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func killDuringABuildLeavesThePreviousTable() throws {
        defer { _ = try? psql("drop database if exists \(database) with (force)", database: server["FLOE_TEST_POSTGRES_DATABASE"] ?? "analytics") }
        let first = try FloeBinary.run(["run"], in: directory, environment: environment)
        #expect(first.status == 0, "\(first.all)")

        let doomed = Process()
        doomed.executableURL = FloeBinary.executable
        doomed.arguments = ["run", "--vars", "{rows: 20000000, version: 2}"]
        doomed.currentDirectoryURL = directory
        doomed.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        doomed.standardOutput = FileHandle.nullDevice
        doomed.standardError = FileHandle.nullDevice
        try doomed.run()
        let building = "select count(*) from pg_stat_activity where state = 'active' and query like '%slow_table__floe_tmp%' and pid <> pg_backend_pid()"
        let deadline = Date().addingTimeInterval(30)
        while try value(building) != "1" && doomed.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(doomed.isRunning, "the build finished before it could be killed; make it slower")
        kill(doomed.processIdentifier, SIGKILL)
        doomed.waitUntilExit()

        // The server notices the client is gone and rolls its transaction back.
        let gone = Date().addingTimeInterval(30)
        while try value(building) != "0" && Date() < gone { Thread.sleep(forTimeInterval: 0.1) }
        #expect(try value(#"select count(*) || ',' || min(version) || ',' || max(version) from "safety"."slow_table""#) == "1000,1,1")
        #expect(try value("select count(*) from pg_tables where tablename like '%\\_\\_floe%'") == "0")

        let next = try FloeBinary.run(["run", "--lock-timeout", "30", "--vars", "{rows: 1500, version: 3}"], in: directory, environment: environment)
        #expect(next.status == 0, "\(next.all)")
        #expect(try value(#"select count(*) || ',' || min(version) || ',' || max(version) from "safety"."slow_table""#) == "1500,3,3")
        #expect(try value(#"select string_agg(status, ',' order by started_at) from "safety"."_floe_runs""#) == "success,interrupted,success")
    }

    @Test func aWrongPasswordIsExitSixAndNeverShown() throws {
        defer { _ = try? psql("drop database if exists \(database) with (force)", database: server["FLOE_TEST_POSTGRES_DATABASE"] ?? "analytics") }
        let wrong = try FloeBinary.run(["run"], in: directory, environment: ["FLOE_SECRET_TEST_DB_PASSWORD": "Wr0ng-secret-value"])
        #expect(wrong.status == 6, "\(wrong.all)")
        #expect(wrong.stderr.contains("refused the connection"), "\(wrong.stderr)")
        #expect(!wrong.all.contains("Wr0ng-secret-value"))
    }

    func preflight(environment: [String: String]) throws -> (FloeBinary.Result, [String: Any]?) {
        let result = try FloeBinary.run(["preflight", "--format", "json", "--timeout", "5"], in: directory, environment: environment)
        let report = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
        let compute = (report?["checks"] as? [[String: Any]])?.first { $0["service"] as? String == "compute" }
        return (result, compute)
    }

    @Test func preflightPassesAgainstTheRunningServer() throws {
        defer { _ = try? psql("drop database if exists \(database) with (force)", database: server["FLOE_TEST_POSTGRES_DATABASE"] ?? "analytics") }
        let (result, compute) = try preflight(environment: environment)
        #expect(result.status == 0, "\(result.all)")
        #expect(compute?["status"] as? String == "ok")
        #expect((compute?["message"] as? String)?.contains("default (postgres): PostgreSQL 1") == true, "\(String(describing: compute))")
        #expect((compute?["message"] as? String)?.hasSuffix("schema safety can be created") == true, "\(String(describing: compute))")
        #expect(!result.all.contains(password))
    }

    @Test func preflightNamesTheRemedyForAWrongPasswordAndAStoppedServer() throws {
        defer { _ = try? psql("drop database if exists \(database) with (force)", database: server["FLOE_TEST_POSTGRES_DATABASE"] ?? "analytics") }
        let (wrong, refused) = try preflight(environment: ["FLOE_SECRET_TEST_DB_PASSWORD": "Wr0ng-secret-value"])
        #expect(wrong.status == 1)
        #expect(refused?["status"] as? String == "error")
        #expect((refused?["message"] as? String)?.contains("password authentication failed") == true)
        #expect(refused?["remediation"] as? String == "check the user and the password secret of compute profile 'default'")
        #expect(!wrong.all.contains("Wr0ng-secret-value"))

        // The same platform with the port of a server that is not running.
        let platform = directory.appendingPathComponent("platform.yaml")
        let text = try String(contentsOf: platform, encoding: .utf8)
        let port = server["FLOE_TEST_POSTGRES_PORT"] ?? "5432"
        let closed = try PreflightCommandTests.closedPort()
        try Data(text.replacingOccurrences(of: "port: \(port)", with: "port: \(closed)").utf8).write(to: platform)
        let (stopped, unreachable) = try preflight(environment: environment)
        #expect(stopped.status == 1)
        #expect(unreachable?["status"] as? String == "error")
        #expect((unreachable?["message"] as? String)?.contains("cannot reach PostgreSQL at 127.0.0.1:\(closed)") == true,
                "\(String(describing: unreachable))")
        #expect((unreachable?["remediation"] as? String)?.hasPrefix("start the server, or fix `host`/`port`") == true)
    }
}
