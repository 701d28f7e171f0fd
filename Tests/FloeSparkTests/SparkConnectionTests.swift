import FloeContract
import FloeEngine
@testable import FloeSpark
import Foundation
import Testing

/// A Spark session as the runtime's connection: schemas, relations and their columns, fast
/// inserts, bound values written as literals, and a statement cancelled from another thread.
@Suite(.enabled(if: SparkTestServer.available, SparkTestServer.skipReason))
struct SparkConnectionTests {
    func connection() throws -> SparkConnection {
        try SparkConnection(host: SparkTestServer.host, port: SparkTestServer.port, user: "floe")
    }

    @Test func relationsColumnsAndRows() throws {
        let connection = try connection()
        let schema = "floe_conn_\(UUID().uuidString.prefix(8).lowercased())"
        let table = Relation(schema: schema, name: "people"), view = Relation(schema: schema, name: "adults")
        #expect(try connection.relationKind(table) == nil, "a schema that does not exist holds nothing")
        try connection.ensureSchema(schema)
        defer { _ = try? connection.execute("drop schema `\(schema)` cascade") }
        try connection.ensureSchema(schema)
        try connection.execute("create table `\(schema)`.`people` (id bigint, name string, score double) using parquet")
        let rows: [[SQLValue]] = (1...2500).map { id -> [SQLValue] in
            let name: SQLValue = .text(id == 7 ? "o'brien\\" : "p\(id)")
            let score: SQLValue = id % 2 == 0 ? .null : .real(1.5)
            return [.integer(Int64(id)), name, score]
        }
        let inserted = try connection.insert(into: table, columns: ["id", "name", "score"], rows: rows)
        #expect(inserted == 2500)
        try connection.execute("create view `\(schema)`.`adults` as select * from `\(schema)`.`people` where id > 18")
        #expect(try connection.relationKind(table) == .table)
        #expect(try connection.relationKind(view) == .view)
        #expect(try connection.relationKind(Relation(schema: schema, name: "nobody")) == nil)
        #expect(try connection.columns(of: table).map { "\($0.name) \($0.type ?? "")" } == ["id bigint", "name string", "score double"])
        #expect(try connection.query("select name, score from `\(schema)`.`people` where id = ?", parameters: [.integer(7)], limit: nil).rows
            == [[.text("o'brien\\"), .real(1.5)]])
        #expect(try connection.query("select * from `\(schema)`.`adults`", limit: 3).rows.count == 3)
    }

    @Test func aRunningStatementIsCancelledFromAnotherThread() throws {
        let connection = try connection()
        let started = Date()
        // interrupt() is the one method another thread may call.
        nonisolated(unsafe) let running = connection
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) { running.interrupt() }
        #expect(throws: EngineError.self) { try connection.query("select count(*) from range(1000000000000)", limit: nil) }
        #expect(Date().timeIntervalSince(started) < 30, "cancelled, not finished")
        #expect(try connection.query("select 1", limit: nil).rows == [[.integer(1)]], "the connection still works")
    }
}
