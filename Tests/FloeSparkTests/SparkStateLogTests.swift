import FloeConnect
import FloeContract
import FloeEngine
@testable import FloeRuntime
@testable import FloeSpark
import Foundation
import Testing

/// floe's run state on Spark, where a build and its record cannot commit together: a log whose
/// newest row per node is its state, compacted when a run starts.
@Suite(.enabled(if: SparkTestServer.available, SparkTestServer.skipReason))
struct SparkStateLogTests {
    @Test func theNewestRecordWinsAndCompactionKeepsOnlyIt() throws {
        let namespace = "floe_log_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let connection = try SparkConnection(host: SparkTestServer.host, port: SparkTestServer.port, user: "floe")
        try connection.ensureSchema(namespace)
        defer { _ = try? connection.execute("drop database if exists `\(namespace)` cascade") }
        let store = StateStore(namespace: namespace, dialect: SparkDialect())
        try store.createTables(connection)

        let first = NodeState(fingerprint: "f1", version: "v1", inputs: ["seed.a": "1"])
        let second = NodeState(fingerprint: "f2", version: "v2", inputs: ["seed.a": "2"])
        try store.recordBuild(connection, id: "model.x", state: first, relation: nil, at: "2026-01-01 00:00:00", runID: "r1")
        try store.recordBuild(connection, id: "model.x", state: second, relation: nil, at: "2026-01-01 00:00:01", runID: "r2")
        try store.recordBuild(connection, id: "model.gone", state: first, relation: nil, at: "2026-01-01 00:00:02", runID: "r2")
        try store.forget(connection, id: "model.gone")
        #expect(try store.nodeStates(connection) == ["model.x": second])

        // An old log: many superseded rows of another node, older than every row above.
        let old = (1...150).map { n -> [SQLValue] in
            [.text("model.y"), .text("old\(n)"), .null, .text("2025-01-01 00:00:00"), .text("r0"), .text("v\(n)"), .text("{}"), .integer(Int64(n))]
        }
        try connection.insert(into: Relation(schema: namespace, name: "_floe_node_state"),
                              columns: ["unique_id", "fingerprint", "relation", "built_at", "run_id", "version", "inputs", "sequence"], rows: old)
        try store.startRun(connection, runID: "r3", command: "run", at: "2026-01-02 00:00:00", inputs: "")
        #expect(try connection.query("select unique_id, fingerprint from `\(namespace)`.`_floe_node_state` order by unique_id").rows
            == [[.text("model.x"), .text("f2")], [.text("model.y"), .text("old150")]])
        #expect(try store.nodeStates(connection)["model.x"] == second)
    }
}
