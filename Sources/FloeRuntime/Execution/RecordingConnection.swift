import FloeContract
import FloeEngine

/// A connection that keeps every statement `execute` sends, for `target/run/`: what a build ran,
/// in order, the failing one last. Everything else passes straight through.
final class RecordingConnection: EngineConnection {
    let base: any EngineConnection
    private(set) var statements: [String] = []

    init(_ base: any EngineConnection) {
        self.base = base
    }

    @discardableResult
    func execute(_ sql: String) throws -> Int {
        statements.append(sql)
        return try base.execute(sql)
    }

    func query(_ sql: String, limit: Int?) throws -> ResultSet { try base.query(sql, limit: limit) }
    func query(_ sql: String, parameters: [SQLValue], limit: Int?) throws -> ResultSet {
        try base.query(sql, parameters: parameters, limit: limit)
    }
    func interrupt() { base.interrupt() }
    func beginWrite() throws { try base.beginWrite() }
    func commit() throws { try base.commit() }
    func rollback() { base.rollback() }
    func ensureSchema(_ schema: String) throws { try base.ensureSchema(schema) }
    func dataVersion(of schema: String) -> Int64? { base.dataVersion(of: schema) }
    func relationKind(_ relation: Relation) throws -> RelationKind? { try base.relationKind(relation) }
    func columns(of relation: Relation) throws -> [ColumnSpec] { try base.columns(of: relation) }

    @discardableResult
    func insert(into relation: Relation, columns: [String], rows: some Sequence<[SQLValue]>) throws -> Int {
        try base.insert(into: relation, columns: columns, rows: rows)
    }
}
