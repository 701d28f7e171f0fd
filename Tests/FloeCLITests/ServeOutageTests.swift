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

    /// One table model and one cube over it, on `server`.
    static func project(on server: Server) throws -> URL {
        let directory = try FloeBinary.temporaryDirectory()
        let files = [
            "platform.yaml": """
                version: "1"
                compute:
                  default:
                    type: postgres
                    host: 127.0.0.1
                    port: \(server.port)
                    database: analytics
                    user: floe
                    password: { secret_ref: test-db, key: password }
                    sslmode: disable
                    connect_timeout: 2
                storage: { default: { type: local, path: .floe/storage } }
                catalogs: { default: { type: none } }
                environments: { dev: { namespace: outage } }
                """,
            "floe.yaml": "name: outage\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\nsemantic: { path: cubes }\n",
            "dbt/dbt_project.yml": "name: outage\n",
            "dbt/models/orders.sql": """
                {{ config(materialized='table') }}
                select n as order_id, case when n % 4 = 0 then 'paid' else 'open' end as status from generate_series(1, 100) as n
                """,
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
        ]
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return directory
    }

    static let byStatus = #"{"measures": ["Orders.count"], "dimensions": ["Orders.status"], "order": {"Orders.status": "asc"}}"#
    static let answer = #""data":[{"Orders.status":"open","Orders.count":"75"},{"Orders.status":"paid","Orders.count":"25"}]"#

    @Test func aFrozenStoppedAndRestartedWarehouseIsAnsweredWithinBoundsAndRecovered() throws {
        let server = try Server()
        defer { try? server.control("thaw"); try? server.control("stop") }
        let project = try Self.project(on: server)
        let environment = ["FLOE_SECRET_TEST_DB_PASSWORD": server.password]
        let build = try FloeBinary.run(["build"], in: project, environment: environment)
        try #require(build.status == 0, "\(build.all)")

        let serve = try ServeProcess(["--query-timeout", "3", "--drain-timeout", "2"], in: project, environment: environment)
        #expect(serve.get("/readyz").status == 200)
        let first = serve.load(Self.byStatus)
        #expect(first.status == 200 && first.body.contains(Self.answer), "\(first.body)")

        // Frozen: the pooled connection's query is interrupted at the query timeout; a new
        // connection fails at the profile's connect_timeout.
        try server.control("freeze")
        let frozen = serve.load(Self.byStatus)
        #expect(frozen.status == 504 && frozen.body.contains("the warehouse (postgres, compute profile 'default') did not answer within 3 s"), "\(frozen)")
        #expect(frozen.seconds < 6, "\(frozen.seconds) s")
        let notReady = serve.get("/readyz")
        #expect(notReady.status == 503 && notReady.body.contains(#""health":"DOWN""#) && notReady.body.contains("(postgres, compute profile"), "\(notReady)")
        #expect(notReady.seconds < 6, "\(notReady.seconds) s")
        let frozenAgain = serve.load(Self.byStatus)
        #expect([503, 504].contains(frozenAgain.status) && frozenAgain.seconds < 6, "\(frozenAgain)")
        try server.control("thaw")
        let thawed = serve.load(Self.byStatus)
        #expect(thawed.status == 200 && thawed.body.contains(Self.answer), "after the thaw: \(thawed)")

        // Stopped: refused at once; started again: answered, without restarting floe serve.
        try server.control("halt")
        let stopped = serve.load(Self.byStatus)
        #expect(stopped.status == 503 && stopped.body.contains("the warehouse (postgres, compute profile 'default') cannot be reached"), "\(stopped)")
        #expect(stopped.seconds < 3, "\(stopped.seconds) s")
        #expect(serve.get("/readyz").status == 503)
        try server.control("resume")
        let resumed = serve.load(Self.byStatus)
        #expect(resumed.status == 200 && resumed.body.contains(Self.answer), "after the restart: \(resumed)")
        #expect(serve.get("/readyz").status == 200)

        // SIGTERM while a query hangs on a frozen warehouse: the query gets the drain timeout,
        // then is ended, and the process exits.
        try server.control("freeze")
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
        #expect(!log.contains(server.password))
    }
}
