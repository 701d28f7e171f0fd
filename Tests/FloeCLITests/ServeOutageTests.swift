import Foundation
import Testing

/// Whether `scripts/postgres.sh start` can start a server of a test's own.
let postgresServerInstalled =
    ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).contains { version in
        FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/initdb")
    }

/// `floe serve` through a PostgreSQL outage, on a server of the test's own that it freezes
/// (SIGSTOP: sockets open, nothing answers), stops and starts again: every request ends within
/// its bound with a 5xx naming the engine, `/readyz` says so, the server recovers when the engine
/// comes back, and SIGTERM ends it within its drain timeout while a query hangs.
@Suite(.serialized, .enabled(if: postgresServerInstalled, "PostgreSQL's server is not installed: ./scripts/test.sh installs it"))
struct ServeOutageTests {
    static let script = FloeBinary.repositoryRoot.appendingPathComponent("scripts/postgres.sh")

    /// A throwaway server of this test's own: `scripts/postgres.sh start`, its exports read back.
    struct Server {
        let directory: String
        let port: String
        let password: String

        init() throws {
            directory = NSTemporaryDirectory() + "floe-outage-" + UUID().uuidString.prefix(8)
            let started = try FloeBinary.run(program: URL(fileURLWithPath: "/bin/bash"), [ServeOutageTests.script.path, "start", directory])
            guard started.status == 0 else { throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: started.all]) }
            func exported(_ name: String) -> String {
                started.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) } ?? ""
            }
            port = exported("FLOE_TEST_POSTGRES_PORT")
            password = exported("FLOE_TEST_POSTGRES_PASSWORD")
        }

        /// `halt`, `resume`, `freeze`, `thaw` or `stop` (scripts/postgres.sh).
        func control(_ command: String) throws {
            let result = try FloeBinary.run(program: URL(fileURLWithPath: "/bin/bash"), [ServeOutageTests.script.path, command, directory])
            #expect(result.status == 0, "postgres.sh \(command): \(result.all)")
        }
    }

    /// One table model and one cube over it, on the compute profile `compute` (YAML lines).
    static func project(compute: String, model: String, namespace: String) throws -> URL {
        try FloeBinary.project([
            "platform.yaml": """
                version: "1"
                compute:
                  default:
                \(compute)
                storage: { default: { type: local, path: .floe/storage } }
                catalogs: { default: { type: none } }
                environments: { dev: { namespace: \(namespace) } }
                """,
            "floe.yaml": "name: outage\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\nsemantic: { path: cubes }\n",
            "dbt/dbt_project.yml": "name: outage\n",
            "dbt/models/orders.sql": "{{ config(materialized='table') }}\n" + model,
            "cubes/orders.yml": """
                cubes:
                  - name: Orders
                    sql_table: "{{ ref('orders') }}"
                    dimensions:
                      - { name: order_id, sql: order_id, type: number, primary_key: true }
                      - { name: status, sql: status, type: string }
                    measures:
                      - { name: count, type: count }
                """,
        ])
    }

    static let byStatus = #"{"measures": ["Orders.count"], "dimensions": ["Orders.status"], "order": {"Orders.status": "asc"}}"#
    static let answer = #""data":[{"Orders.status":"open","Orders.count":"75"},{"Orders.status":"paid","Orders.count":"25"}]"#

    /// What the test does to the warehouse.
    struct Outage {
        /// Sockets stay open, nothing answers.
        var freeze: () throws -> Void
        var thaw: () throws -> Void
        /// Connections closed, new ones refused.
        var halt: () throws -> Void
        var resume: () throws -> Void
    }

    /// The same outages for every engine: built, served, frozen (504 at the query timeout, /readyz
    /// DOWN), thawed (answered again), stopped (503 at once), started again (answered without a
    /// restart), and SIGTERM while a query hangs on a frozen warehouse (ended within the drain timeout).
    static func exercise(_ project: URL, environment: [String: String], engine: String, timeout: Int, outage: Outage,
                         secret: String? = nil) throws {
        let build = try FloeBinary.run(["build"], in: project, environment: environment)
        try #require(build.status == 0, "\(build.all)")
        let bound = Double(timeout) + 3
        // Continue wait (tested in ServeTests) past the query timeout, so a frozen warehouse's query meets its timeout.
        let serve = try ServeProcess(["--query-timeout", String(timeout), "--drain-timeout", "2", "--continue-wait", "60"],
                                     in: project, environment: environment)
        #expect(serve.get("/readyz").status == 200)
        let first = serve.load(Self.byStatus)
        #expect(first.status == 200 && first.body.contains(Self.answer), "\(first.body)")

        // Frozen: the pooled connection's query is interrupted at the query timeout; a new
        // connection fails at the profile's connect timeout or the query timeout.
        try outage.freeze()
        let frozen = serve.load(Self.byStatus)
        #expect(frozen.status == 504 && frozen.body.contains("the warehouse (\(engine), compute profile 'default') did not answer within \(timeout) s"), "\(frozen)")
        #expect(frozen.seconds < bound, "\(frozen.seconds) s")
        let notReady = serve.get("/readyz")
        #expect(notReady.status == 503 && notReady.body.contains(#""health":"DOWN""#) && notReady.body.contains("(\(engine), compute profile"), "\(notReady)")
        #expect(notReady.seconds < bound, "\(notReady.seconds) s")
        let frozenAgain = serve.load(Self.byStatus)
        #expect([503, 504].contains(frozenAgain.status) && frozenAgain.seconds < bound, "\(frozenAgain)")
        // A client that gives up is not waited for: its query is cancelled at once.
        let impatient = serve.load(Self.byStatus, timeout: 1)
        #expect(impatient.status == 0)
        try outage.thaw()
        let thawed = serve.load(Self.byStatus)
        #expect(thawed.status == 200 && thawed.body.contains(Self.answer), "after the thaw: \(thawed)")

        // Stopped: refused at once; started again: answered, without restarting floe serve.
        try outage.halt()
        let stopped = serve.load(Self.byStatus)
        #expect(stopped.status == 503 && stopped.body.contains("the warehouse (\(engine), compute profile 'default') cannot be reached"), "\(stopped)")
        #expect(stopped.seconds < 3, "\(stopped.seconds) s")
        #expect(serve.get("/readyz").status == 503)
        try outage.resume()
        // Recovery without a restart: /readyz turns UP, then the query is answered. A warehouse just
        // started may plan its first queries slower than the query timeout on a loaded machine (a
        // cold Spark JVM did in CI): such an answer must be the engine-naming 504, and a later one 200.
        var ready = serve.get("/readyz")
        for _ in 0..<60 where ready.status != 200 {
            Thread.sleep(forTimeInterval: 0.5)
            ready = serve.get("/readyz")
        }
        #expect(ready.status == 200, "/readyz after the restart: \(ready)")
        var resumed = serve.load(Self.byStatus)
        for _ in 0..<3 where resumed.status == 504 {
            #expect(resumed.body.contains("the warehouse (\(engine), compute profile 'default') did not answer within \(timeout) s"), "\(resumed)")
            resumed = serve.load(Self.byStatus)
        }
        #expect(resumed.status == 200 && resumed.body.contains(Self.answer), "after the restart: \(resumed)")

        // SIGTERM while a query hangs on a frozen warehouse: the query gets the drain timeout,
        // then is ended, and the process exits.
        try outage.freeze()
        nonisolated(unsafe) var hanging: (status: Int, body: String, seconds: Double) = (0, "", 0)
        let client = Thread { hanging = serve.load(Self.byStatus, timeout: 30) }
        client.start()
        Thread.sleep(forTimeInterval: 0.5)
        let stopping = serve.stop(SIGTERM)
        while client.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
        #expect(stopping < 4.5, "SIGTERM took \(stopping) s")
        #expect(serve.process.terminationStatus == 0)
        #expect(hanging.status == 503 && hanging.body.contains("the server is stopping"), "\(hanging)")
        let log = serve.log
        #expect(log.contains("floe serve: SIGTERM: stopping") && log.contains("ending 1 request(s) still running") && log.contains("floe serve: stopped"), "\(log)")
        #expect(log.contains("load 504") && log.contains("load 503") && log.contains("Orders.count,Orders.status"), "the request log: \(log)")
        #expect(log.contains("load 499") && log.contains("the client went away"), "the impatient client: \(log)")
        if let secret { #expect(!log.contains(secret)) }
    }

    @Test func postgresFrozenStoppedAndRestartedUnderServe() throws {
        let server = try Server()
        defer { try? server.control("thaw"); try? server.control("stop") }
        let project = try Self.project(compute: """
                type: postgres
                host: 127.0.0.1
                port: \(server.port)
                database: analytics
                user: floe
                password: { secret_ref: test-db, key: password }
                sslmode: disable
                connect_timeout: 2
            """.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"),
            model: "select n as order_id, case when n % 4 = 0 then 'paid' else 'open' end as status from generate_series(1, 100) as n",
            namespace: "outage")
        try Self.exercise(project, environment: ["FLOE_SECRET_TEST_DB_PASSWORD": server.password], engine: "postgres", timeout: 3,
                          outage: Outage(freeze: { try server.control("freeze") }, thaw: { try server.control("thaw") },
                                         halt: { try server.control("halt") }, resume: { try server.control("resume") }),
                          secret: server.password)
    }
}

/// `floe serve` through a Spark outage, on a Thrift server of the test's own (`scripts/spark.sh
/// solo`, local mode) that it freezes, stops and starts again on the same port: the same bounds,
/// answers and recovery as PostgreSQL's. Needs the venv and Java that scripts/test.sh provides.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FLOE_TEST_SPARK_PORT"] != nil,
                "no Spark: run the tests with scripts/test.sh (Java present)"))
struct SparkServeOutageTests {
    static let script = FloeBinary.repositoryRoot.appendingPathComponent("scripts/spark.sh")

    /// `solo`, `halt`, `resume`, `freeze`, `thaw` or `stop` (scripts/spark.sh) on `directory`.
    static func control(_ command: String, _ directory: String) throws -> String {
        let result = try FloeBinary.run(program: URL(fileURLWithPath: "/bin/bash"), [script.path, command, directory])
        try #require(result.status == 0, "spark.sh \(command): \(result.all)")
        return result.stdout
    }

    @Test func sparkFrozenStoppedAndRestartedUnderServe() throws {
        let directory = NSTemporaryDirectory() + "floe-spark-outage-" + UUID().uuidString.prefix(8)
        let exports = try Self.control("solo", directory)
        defer { _ = try? Self.control("thaw", directory); _ = try? Self.control("stop", directory) }
        let port = try #require(exports.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "=" })
            .drop { $0 != "FLOE_TEST_SPARK_SOLO_PORT" }.dropFirst().first, "\(exports)")
        let project = try ServeOutageTests.project(compute: """
                type: spark
                host: 127.0.0.1
                port: \(port)
                auth: nosasl
                connect_timeout: 3
            """.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"),
            model: "select id as order_id, case when id % 4 = 0 then 'paid' else 'open' end as status from range(1, 101)",
            namespace: "outage")
        func run(_ command: String) -> () throws -> Void { { _ = try Self.control(command, directory) } }
        try ServeOutageTests.exercise(project, environment: [:], engine: "spark", timeout: 8,
                                      outage: .init(freeze: run("freeze"), thaw: run("thaw"), halt: run("halt"), resume: run("resume")))
    }
}
