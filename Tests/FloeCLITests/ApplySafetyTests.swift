import Foundation
import Testing

/// What `kill -9` and a second apply do to a namespace, with the real binary and a real SQLite
/// file. A slow model (a recursive CTE of a few million rows) keeps a build's transaction open
/// long enough to kill it or to collide with it.
@Suite(.serialized) struct ApplySafetyTests {
    let directory: URL

    init() throws {
        directory = try FloeBinary.temporaryDirectory()
        let files = [
            "platform.yaml": """
                version: "1"
                compute: { default: { type: sqlite, path: ".floe/{environment}.db" } }
                storage: { default: { type: local, path: .floe/storage } }
                catalogs: { default: { type: none } }
                environments: { dev: { namespace: safety } }
                """,
            "floe.yaml": "name: safety\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n",
            "dbt/dbt_project.yml": "name: safety\nvars: { rows: 1000, version: 1 }\n",
            "dbt/models/slow_table.sql": """
                {{ config(materialized='table') }}
                with recursive r(n) as (select 1 union all select n + 1 from r where n < {{ var('rows') }})
                select n, {{ var('version') }} as version from r
                """,
            "dbt/models/slow_merge.sql": """
                {{ config(materialized='incremental', unique_key='n', incremental_strategy='merge') }}
                with recursive r(n) as (select 1 union all select n + 1 from r where n < {{ var('rows') }})
                select n, {{ var('version') }} as version from r
                """,
        ]
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    func run(_ arguments: [String]) throws -> FloeBinary.Result {
        try FloeBinary.run(["run"] + arguments, in: directory)
    }

    /// Starts `floe run` in the background, its output discarded.
    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = FloeBinary.executable
        process.arguments = ["run"] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func waitUntil(_ what: String, timeout: Double = 30, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { throw Timeout(what: what) }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    struct Timeout: Error {
        var what: String
    }

    /// The write-ahead log grows once a build's pages no longer fit the page cache: the build is under way.
    func walSize() -> Int {
        let path = directory.appendingPathComponent(".floe/dev.db-wal").path
        return ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    func query(_ sql: String) throws -> String {
        let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchall())"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, directory.appendingPathComponent(".floe/dev.db").path, sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: ["slow_table", "slow_merge"])
    func killDuringABuildLeavesThePreviousTable(model: String) throws {
        let first = try run(["--select", model])
        #expect(first.status == 0, "\(first.all)")
        let baseline = walSize()
        let doomed = try start(["--select", model, "--vars", "{rows: 5000000, version: 2}"])
        try waitUntil("the build to write pages") { walSize() > baseline + 4_000_000 || !doomed.isRunning }
        #expect(doomed.isRunning, "the build finished before it could be killed; make it slower")
        kill(doomed.processIdentifier, SIGKILL)
        doomed.waitUntilExit()

        #expect(try query("select count(*), min(version), max(version) from \(model)") == "[(1000, 1, 1)]")
        #expect(try query("select count(*) from sqlite_master where type = 'table' and instr(name, '__floe') > 0") == "[(0,)]")
        let next = try run(["--select", model, "--vars", "{rows: 1500, version: 3}"])
        #expect(next.status == 0, "\(next.all)")
        #expect(try query("select count(*), min(version), max(version) from \(model)") == "[(1500, 3, 3)]")
    }

    /// Ctrl-C (or a scheduler's SIGTERM) during a build: the statement is interrupted and rolled
    /// back, the run is recorded as cancelled with what ran, and the next apply completes.
    @Test(arguments: [(SIGINT, Int32(130), "SIGINT"), (SIGTERM, Int32(143), "SIGTERM")])
    func aSignalCancelsTheRunCleanly(signal: Int32, exitCode: Int32, name: String) throws {
        let first = try run([])
        #expect(first.status == 0, "\(first.all)")
        let baseline = walSize()
        let process = Process()
        process.executableURL = FloeBinary.executable
        process.arguments = ["run", "--select", "slow_table", "--vars", "{rows: 5000000, version: 2}"]
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        try waitUntil("the build to write pages") { walSize() > baseline + 4_000_000 || !process.isRunning }
        #expect(process.isRunning, "the build finished before it could be interrupted; make it slower")
        let sent = Date()
        kill(process.processIdentifier, signal)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == exitCode, "\(stderr)")
        #expect(Date().timeIntervalSince(sent) < 10, "the statement in flight is interrupted, not waited for")
        #expect(stderr.contains("floe: \(name) received: stopping"), "\(stderr)")
        #expect(stderr.contains("Cancelled by \(name)"), "\(stderr)")
        #expect(stderr.contains("CANCELLED"), "\(stderr)")

        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("target/floe_run_results.json")))
        let object = try #require(results as? [String: Any])
        #expect(object["cancelled_by"] as? String == name)
        let nodes = try #require(object["results"] as? [[String: Any]])
        #expect(nodes.map { $0["status"] as? String } == ["cancelled"])
        #expect(try query("select count(*), max(version) from slow_table") == "[(1000, 1)]", "the previous table stays")
        #expect(try query("select status from _floe_runs order by started_at desc limit 1") == "[('cancelled',)]")
        #expect(try query("select count(*) from _floe_runs where status = 'running'") == "[(0,)]")
        let next = try run(["--vars", "{rows: 1200, version: 3}"])
        #expect(next.status == 0, "\(next.all)")
        #expect(try query("select count(*), max(version) from slow_table") == "[(1200, 3)]")
    }

    @Test func aSecondApplyRefusesOrWaits() throws {
        let first = try run([])
        #expect(first.status == 0, "\(first.all)")
        let lockFile = directory.appendingPathComponent(".floe/dev.db.lock").path
        let long = try start(["--select", "slow_table", "--vars", "{rows: 4000000, version: 2}"])
        try waitUntil("the first apply to take the lock") {
            ((try? String(contentsOfFile: lockFile, encoding: .utf8)) ?? "").hasPrefix("pid \(long.processIdentifier)")
        }
        let refused = try run([])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("namespace safety is being applied by another floe process (pid \(long.processIdentifier)"),
                "\(refused.stderr)")
        #expect(refused.stderr.contains("--lock-timeout"))
        let waited = try run(["--lock-timeout", "120", "--select", "slow_table", "--vars", "{rows: 10, version: 4}"])
        #expect(waited.status == 0, "\(waited.all)")
        long.waitUntilExit()
        #expect(long.terminationStatus == 0)
        #expect(try query("select count(*), max(version) from slow_table") == "[(10, 4)]", "the waiting apply ran after the first")
    }
}
