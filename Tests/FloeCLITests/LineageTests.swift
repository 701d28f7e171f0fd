import Foundation
import Testing

/// OpenLineage run events from real runs of the binary, received by a loopback endpoint that
/// checks each one against the spec as PyPI's openlineage-python ships it
/// (`Clients/openlineage_receiver.py`): a parent run per command, a child run per node, the facets
/// that describe what ran, and delivery that never slows or fails a run.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FLOE_TEST_OBSERVABILITY_PYTHON"] != nil,
                             "no openlineage-python: ./scripts/test.sh installs it from PyPI and sets FLOE_TEST_OBSERVABILITY_PYTHON"))
struct LineageTests {
    static let apiKey = "l1neage-k3y"

    /// A small product: a seed, a view and a table over it, tests that pass and warn, a model
    /// that breaks with `--vars {break: true}`, and one that is slow with `{slow_rows: N}`.
    static func project(lineage: String) throws -> URL {
        try FloeBinary.project([
            "platform.yaml": """
                version: "1"
                compute: { default: { type: sqlite, path: ".floe/{environment}.db" } }
                storage: { default: { type: local, path: .floe/storage } }
                catalogs: { default: { type: none } }
                observability:
                  lineage:
                \(lineage)
                environments: { dev: { namespace: lineage-dev } }
                """,
            "floe.yaml": "name: shop\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n",
            "dbt/dbt_project.yml": "name: shop\nvars: { break: false, slow_rows: 10 }\n",
            "dbt/seeds/customers.csv": "id,name\n1,ada\n2,grace\n3,edsger\n",
            "dbt/models/stg_customers.sql": "select id, upper(name) as name from {{ ref('customers') }}\n",
            "dbt/models/customer_count.sql": "{{ config(materialized='table') }}\nselect count(*) as customers from {{ ref('stg_customers') }}\n",
            "dbt/models/maybe_broken.sql": "select {{ 'no_such_column' if var('break') else 'id' }} as id from {{ ref('stg_customers') }}\n",
            "dbt/models/slow.sql": """
                {{ config(materialized='table') }}
                with recursive r(n) as (select 1 union all select n + 1 from r where n < {{ var('slow_rows') }})
                select n from r
                """,
            "dbt/models/schema.yml": """
                version: 2
                models:
                  - name: stg_customers
                    columns:
                      - name: id
                        tests: [not_null]
                      - name: name
                        tests:
                          - accepted_values: { values: ['ADA'], config: { severity: warn } }
                """,
        ])
    }

    static var python: URL { URL(fileURLWithPath: ProcessInfo.processInfo.environment["FLOE_TEST_OBSERVABILITY_PYTHON"]!) }
    static var receiverScript: String { FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeCLITests/Clients/openlineage_receiver.py").path }

    /// The loopback endpoint (`Clients/openlineage_receiver.py`).
    final class Receiver {
        let server: LoopbackServer
        let events: URL

        init(_ options: [String] = []) throws {
            nonisolated(unsafe) var file = URL(fileURLWithPath: "/")
            server = try LoopbackServer("openlineage_receiver.py") { portFile in
                file = URL(fileURLWithPath: portFile).deletingLastPathComponent().appendingPathComponent("received.jsonl")
                return ["serve", portFile, file.path] + options
            }
            events = file
        }

        var port: Int { server.port }

        /// What it received: each event with the problems the checker found and whether it came gzipped.
        func received() throws -> [(event: [String: Any], errors: [String], gzip: Bool)] {
            guard let text = try? String(contentsOf: events, encoding: .utf8) else { return [] }
            return try text.split(separator: "\n").map { line in
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return (object["event"] as? [String: Any] ?? [:], object["errors"] as? [String] ?? [], object["gzip"] as? Bool ?? false)
            }
        }
    }

    /// Events of a JSON-lines file, each checked by the same checker.
    static func checked(_ file: URL) throws -> (events: [[String: Any]], errors: [String]) {
        let run = try FloeBinary.run(program: python, [receiverScript, "check", file.path], environment: specEnvironment)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.all)")
        let text = try String(contentsOf: file, encoding: .utf8)
        let events = try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        return (events, report["errors"] as? [String] ?? ["no report"])
    }

    /// The spec's own JSON Schemas too, when the machine has them (FLOE_OPENLINEAGE_SPEC).
    static var specEnvironment: [String: String] {
        ProcessInfo.processInfo.environment["FLOE_OPENLINEAGE_SPEC"].map { ["FLOE_OPENLINEAGE_SPEC": $0] } ?? [:]
    }

    static func runID(_ event: [String: Any]) -> String? { (event["run"] as? [String: Any])?["runId"] as? String }
    static func job(_ event: [String: Any]) -> String? { (event["job"] as? [String: Any])?["name"] as? String }
    static func type(_ event: [String: Any]) -> String? { event["eventType"] as? String }
    static func runFacets(_ event: [String: Any]) -> [String: Any] { (event["run"] as? [String: Any])?["facets"] as? [String: Any] ?? [:] }
    static func jobFacets(_ event: [String: Any]) -> [String: Any] { (event["job"] as? [String: Any])?["facets"] as? [String: Any] ?? [:] }
    static func datasets(_ event: [String: Any], _ side: String) -> [[String: Any]] { event[side] as? [[String: Any]] ?? [] }

    static func invocationID(_ directory: URL) throws -> String? {
        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("target/floe_run_results.json")))
        return ((results as? [String: Any])?["metadata"] as? [String: Any])?["invocation_id"] as? String
    }

    @Test func aBuildSendsEventsThatFollowTheSpec() throws {
        let receiver = try Receiver(["--api-key", Self.apiKey])
        let directory = try Self.project(lineage: """
                    endpoint: "http://127.0.0.1:\(receiver.port)"
                    namespace: shop-lineage
                    api_key: { secret_ref: lineage, key: api_key }
                    compression: gzip
                """)
        let build = try FloeBinary.run(["build"], in: directory, environment: ["FLOE_SECRET_LINEAGE_API_KEY": Self.apiKey])
        #expect(build.status == 0, "a warning test does not fail the run: \(build.all)")
        #expect(!build.stderr.contains("not delivered"), "\(build.stderr)")
        let received = try receiver.received()
        let problems = received.flatMap(\.errors)
        #expect(problems.isEmpty, "\(problems)")
        #expect(received.filter { !$0.gzip }.isEmpty)
        let events = received.map(\.event)

        // The run: START first, COMPLETE last, its id the results' invocation id.
        let parent = try #require(try Self.invocationID(directory))
        #expect(events.first.map { [Self.type($0), Self.job($0), Self.runID($0)] } == ["START", "shop.build", parent])
        #expect(events.last.map { [Self.type($0), Self.job($0), Self.runID($0)] } == ["COMPLETE", "shop.build", parent])
        #expect(events.allSatisfy { ($0["job"] as? [String: Any])?["namespace"] as? String == "shop-lineage" })

        // Every node: START then COMPLETE, one run id, the parent facet naming the run.
        let children = events.dropFirst().dropLast()
        let byRun = Dictionary(grouping: children, by: { Self.runID($0) ?? "" })
        #expect(byRun.count == 7, "a seed, 4 models, 2 tests: \(byRun.keys.count)")
        for (run, pair) in byRun {
            #expect(pair.map { Self.type($0) } == ["START", "COMPLETE"], "\(run): \(pair.map { Self.type($0) ?? "" })")
            let facet = Self.runFacets(pair[0])["parent"] as? [String: Any]
            #expect((facet?["run"] as? [String: Any])?["runId"] as? String == parent)
            #expect((facet?["job"] as? [String: Any])?["name"] as? String == "shop.build")
        }

        // A view: its input, its output named as the engine's naming says, its schema from the engine.
        let database = directory.appendingPathComponent(".floe/dev.db").standardizedFileURL.path
        let view = try #require(children.last { Self.job($0) == "shop.stg_customers" })
        let output = try #require(Self.datasets(view, "outputs").first)
        #expect(output["namespace"] as? String == "sqlite://\(database)")
        #expect(output["name"] as? String == "lineage-dev.stg_customers")
        let fields = ((output["facets"] as? [String: Any])?["schema"] as? [String: Any])?["fields"] as? [[String: Any]]
        #expect(fields?.map { $0["name"] as? String } == ["id", "name"])
        #expect(Self.datasets(view, "inputs").map { $0["name"] as? String } == ["lineage-dev.customers"])
        let sql = (Self.jobFacets(view)["sql"] as? [String: Any])?["query"] as? String
        #expect(sql?.contains("upper(name) as name") == true && sql?.contains("{{") == false, "\(sql ?? "")")
        let location = Self.jobFacets(view)["sourceCodeLocation"] as? [String: Any]
        #expect(location?["url"] as? String == directory.appendingPathComponent("dbt/models/stg_customers.sql").standardizedFileURL.absoluteString)
        // Its columns' lineage, from the seed's columns.
        let columnLineage = (output["facets"] as? [String: Any])?["columnLineage"] as? [String: Any]
        let lineageFields = columnLineage?["fields"] as? [String: [String: Any]]
        let nameInputs = lineageFields?["name"]?["inputFields"] as? [[String: Any]]
        #expect(nameInputs?.count == 1 && nameInputs?.first?["name"] as? String == "lineage-dev.customers"
                && nameInputs?.first?["field"] as? String == "name"
                && nameInputs?.first?["namespace"] as? String == "sqlite://\(database)", "\(columnLineage ?? [:])")
        #expect((nameInputs?.first?["transformations"] as? [[String: Any]])?.first?["subtype"] as? String == "TRANSFORMATION")
        let kind = Self.jobFacets(view)["jobType"] as? [String: Any]
        #expect(kind?["integration"] as? String == "FLOE" && kind?["processingType"] as? String == "BATCH" && kind?["jobType"] as? String == "MODEL")

        // A table: its rows.
        let table = try #require(children.last { Self.job($0) == "shop.customer_count" })
        let statistics = (Self.datasets(table, "outputs").first?["outputFacets"] as? [String: Any])?["outputStatistics"] as? [String: Any]
        #expect(statistics?["rowCount"] as? Int == 1, "\(Self.datasets(table, "outputs"))")
        let seed = try #require(children.last { Self.job($0) == "shop.customers" })
        let seedRows = (Self.datasets(seed, "outputs").first?["outputFacets"] as? [String: Any])?["outputStatistics"] as? [String: Any]
        #expect(seedRows?["rowCount"] as? Int == 3)

        // Tests: an assertion on the dataset they test, with its column and outcome.
        func assertion(_ job: String) -> [String: Any]? {
            let event = children.last { Self.job($0) == job }
            let input = event.flatMap { Self.datasets($0, "inputs").first }
            let facet = (input?["inputFacets"] as? [String: Any])?["dataQualityAssertions"] as? [String: Any]
            return (facet?["assertions"] as? [[String: Any]])?.first
        }
        let notNull = try #require(assertion("shop.not_null_stg_customers_id"))
        #expect(notNull["assertion"] as? String == "not_null" && notNull["success"] as? Bool == true && notNull["column"] as? String == "id")
        let warned = try #require(assertion("shop.accepted_values_stg_customers_name__ADA"))
        #expect(warned["success"] as? Bool == false && warned["severity"] as? String == "warn")
    }

    @Test func aFailingModelFailsItsRunAndTheCommand() throws {
        let receiver = try Receiver()
        let directory = try Self.project(lineage: "    endpoint: \"http://127.0.0.1:\(receiver.port)/api/v1/lineage\"\n    namespace: shop")
        let run = try FloeBinary.run(["run", "--vars", "{break: true}"], in: directory)
        #expect(run.status == 1, "\(run.all)")
        let received = try receiver.received()
        let problems = received.flatMap(\.errors)
        #expect(problems.isEmpty, "\(problems)")
        let events = received.map(\.event)
        let failed = try #require(events.last { Self.job($0) == "shop.maybe_broken" })
        #expect(Self.type(failed) == "FAIL")
        let error = Self.runFacets(failed)["errorMessage"] as? [String: Any]
        #expect((error?["message"] as? String)?.contains("no_such_column") == true, "\(error ?? [:])")
        #expect(error?["programmingLanguage"] as? String == "SQL")
        #expect(events.last.map { [Self.type($0), Self.job($0)] } == ["FAIL", "shop.run"])
        #expect(received.filter(\.gzip).isEmpty, "plain unless compression: gzip")
    }

    /// A destination that refuses connections, and one that accepts them and never answers: the
    /// run takes less than a second longer than without lineage, and says what was dropped.
    @Test func aDeadEndpointNeitherSlowsNorFailsTheRun() throws {
        let hanging = try Receiver(["--hang"])
        let refused = try Receiver()
        let refusedPort = refused.port
        refused.server.stop()
        let directory = try Self.project(lineage: "    endpoint: \"http://127.0.0.1:\(hanging.port)\"\n    namespace: shop")
        #expect(try FloeBinary.run(["run", "--lineage", "off"], in: directory).status == 0)

        func timed(_ lineage: String) throws -> (seconds: Double, result: FloeBinary.Result) {
            let start = Date()
            let result = try FloeBinary.run(["run", "--full-refresh", "--lineage", lineage], in: directory)
            return (Date().timeIntervalSince(start), result)
        }
        let baseline = try timed("off")
        #expect(baseline.result.status == 0)
        for destination in ["http://127.0.0.1:\(hanging.port)", "http://127.0.0.1:\(refusedPort)"] {
            let dead = try timed(destination)
            #expect(dead.result.status == 0, "\(dead.result.all)")
            #expect(dead.seconds - baseline.seconds < 1, "\(destination): \(dead.seconds) s against \(baseline.seconds) s")
            #expect(dead.result.stderr.contains(" lineage events were not delivered to \(destination)/api/v1/lineage"), "\(dead.result.stderr)")
        }
        let log = try String(contentsOf: directory.appendingPathComponent("target/floe.log"), encoding: .utf8)
        #expect(log.contains("lineage_not_delivered"))
    }

    /// Ctrl-C during a build: the node's run and the command's run are ABORTed.
    @Test func aCancelledRunIsAborted() throws {
        let directory = try Self.project(lineage: "    transport: file\n    file: target/lineage.jsonl\n    namespace: shop")
        let events = directory.appendingPathComponent("target/lineage.jsonl")
        let process = Process()
        process.executableURL = FloeBinary.executable
        process.arguments = ["run", "--select", "slow", "--vars", "{slow_rows: 50000000}"]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !((try? String(contentsOf: events, encoding: .utf8))?.contains("\"name\":\"shop.slow\"") ?? false) {
            guard Date() < deadline, process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(process.isRunning, "the build finished before it could be interrupted; make it slower")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let (written, errors) = try Self.checked(events)
        #expect(errors.isEmpty, "\(errors)")
        #expect(written.map { "\(Self.type($0) ?? "") \(Self.job($0) ?? "")" } == [
            "START shop.run", "START shop.slow", "ABORT shop.slow", "ABORT shop.run",
        ])
    }

    @Test func theConsoleAndTheEnvironmentChooseTheDestination() throws {
        let directory = try Self.project(lineage: "    endpoint: \"http://127.0.0.1:9\"\n    namespace: shop")
        let console = try FloeBinary.run(["seed", "--lineage", "console"], in: directory)
        #expect(console.status == 0, "\(console.all)")
        let lines = console.stderr.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(lines.count == 4, "the run's START and COMPLETE, the seed's: \(console.stderr)")
        let file = directory.appendingPathComponent("events.jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: file)
        #expect(try Self.checked(file).errors.isEmpty)

        let viaEnvironment = try FloeBinary.run(["seed"], in: directory, environment: ["FLOE_LINEAGE": "file:from-env.jsonl"])
        #expect(viaEnvironment.status == 0 && !viaEnvironment.stderr.contains("not delivered"), "\(viaEnvironment.all)")
        #expect(try Self.checked(directory.appendingPathComponent("from-env.jsonl")).events.count == 4)

        let wrong = try FloeBinary.run(["seed", "--lineage", "kafka://x"], in: directory)
        #expect(wrong.status == 2)
        #expect(wrong.stderr == "error: --lineage 'kafka://x' is not a destination floe knows; use off, console, file:PATH or an http(s):// URL\n")
    }

    @Test func anAPIKeyThatCannotBeResolvedStopsTheRunBeforeItStarts() throws {
        let directory = try Self.project(lineage: """
                    endpoint: "http://127.0.0.1:9"
                    namespace: shop
                    api_key: { secret_ref: lineage, key: api_key }
                """)
        let run = try FloeBinary.run(["seed"], in: directory)
        #expect(run.status == 5, "\(run.all)")
        #expect(run.stderr.hasPrefix("error: the lineage API key: secret 'lineage' key 'api_key' is not set"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".floe/dev.db").path))
    }
}
