import FloeContract
import FloeEngine
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// One connection to PostgreSQL. Statements go one at a time over the extended protocol (several
/// in one string are split first), values are bound, never spliced, and rows come back in the
/// engine's few storage classes (``PostgresValues``). Calls block the calling thread on the
/// driver's futures, which complete on NIO's own threads, or on its async calls, which run on
/// ``DriverThread``: either way they are safe from any thread.
final class PostgresSession: EngineConnection {
    private let connection: PostgresConnection
    private let settings: PostgresSettings
    private let dialect = PostgresDialect()
    /// The call being waited for, which ``interrupt()`` ends.
    private let gate = CallGate()

    static let logger = Logger(label: "floe.postgres")

    /// Connects, logs in and sets the session up within the profile's `connect_timeout`: a server
    /// that takes the socket but never answers (stopped with SIGSTOP, behind a dead link) fails
    /// the connect instead of holding its caller.
    init(settings: PostgresSettings, eventLoop: any EventLoop) throws {
        self.settings = settings
        let started = DispatchTime.now()
        do {
            connection = try Self.wait(
                for: PostgresConnection.connect(on: eventLoop, configuration: try settings.configuration(), id: Self.nextID(), logger: Self.logger),
                seconds: settings.connectTimeout, address: settings.address, cleanUp: { connection in
                    let closing: EventLoopFuture<Void> = connection.close()
                    _ = closing
                })
        } catch {
            throw PostgresFailure.engineError(error, address: settings.address)
        }
        do {
            // A backend whose client died (a killed apply) notices within a second and rolls back,
            // instead of holding its locks until its statement ends.
            for statement in ["set client_connection_check_interval = 1000", defaultSearchPath] {
                let left = max(0.1, settings.connectTimeout - Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
                _ = try Self.wait(for: connection.query(statement), seconds: left, address: settings.address, cleanUp: { _ in })
            }
        } catch {
            close()
            throw PostgresFailure.engineError(error, address: settings.address)
        }
    }

    /// `future`'s value, waiting at most `seconds`; past them the connect fails as unreachable and
    /// `cleanUp` gets the value if it comes later.
    private static func wait<T: Sendable>(
        for future: EventLoopFuture<T>, seconds: Double, address: String, cleanUp: @escaping @Sendable (T) -> Void
    ) throws -> T {
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { _ in done.signal() }
        guard done.wait(timeout: .now() + seconds) == .success else {
            future.whenSuccess(cleanUp)
            throw EngineError(.unreachable, "PostgreSQL at \(address) did not answer within \(Int(seconds.rounded(.up))) s (the profile's connect_timeout)")
        }
        return try future.wait()
    }

    deinit {
        close()
    }

    /// Waits for the socket to close: the driver insists a connection is closed before it goes.
    /// On an event loop's thread (the last reference to a session may go there), where waiting is
    /// not allowed, the close is started and the driver finishes it.
    private func close() {
        let closing: EventLoopFuture<Void> = connection.close()
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else { return }
        try? closing.wait()
    }

    /// The session's search path: the profile's `schema` (the namespace by default), then `public`.
    private var defaultSearchPath: String {
        "set search_path to \(dialect.quoteIdentifier(settings.searchSchema)), public"
    }

    private static let counter = NSLock()
    nonisolated(unsafe) private static var lastID = 0
    private static func nextID() -> Int {
        counter.lock()
        defer { counter.unlock() }
        lastID += 1
        return lastID
    }

    // MARK: Statements

    @discardableResult
    func execute(_ sql: String) throws -> Int {
        var changed = 0
        for statement in StatementSplitter.split(sql) {
            changed = try run(statement, reportAs: sql).metadata.rows ?? 0
        }
        return changed
    }

    func query(_ sql: String, limit: Int?) throws -> ResultSet {
        try query(sql, parameters: [], limit: limit)
    }

    /// With a `limit`, the query runs inside `select * from (…) limit n`, so the server stops early
    /// (a view's check reads no rows at all).
    func query(_ sql: String, parameters: [SQLValue], limit: Int?) throws -> ResultSet {
        var text = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(";") { text.removeLast() }
        if let limit { text = "select * from (\n\(text)\n) as floe_limited limit \(limit)" }
        guard !parameters.isEmpty else { return PostgresValues.resultSet(try run(text, reportAs: sql).rows) }
        let query = PostgresQuery(unsafeSQL: text, binds: PostgresValues.bindings(parameters))
        let connection = connection
        do {
            try ensureOpen()
            return PostgresValues.resultSet(try gate.wait(DriverThread.start { try await connection.query(query, logger: Self.logger).collect() }))
        } catch {
            throw PostgresFailure.engineError(error, address: settings.address, sql: sql)
        }
    }

    /// A statement without bound values, on the driver's future-based API, which also reports
    /// how many rows it changed.
    private func run(_ sql: String, reportAs shown: String) throws -> PostgresQueryResult {
        do {
            try ensureOpen()
            return try gate.wait(Outcome(connection.query(sql)))
        } catch {
            throw PostgresFailure.engineError(error, address: settings.address, sql: shown, sent: sql)
        }
    }

    /// A connection the server closed (it stopped, or ended the session) fails at once: the
    /// driver would leave a query sent on it waiting forever.
    private func ensureOpen() throws {
        guard !connection.isClosed else { throw PostgresError.connectionClosed }
    }

    /// Closing the socket ends the statement: the server notices at its next connection check
    /// (a second at most) and rolls the transaction back. The caller's wait ends at once, whether
    /// or not the driver ever answers.
    func interrupt() {
        let closing: EventLoopFuture<Void> = connection.close()
        _ = closing
        gate.interrupt(EngineError(.unreachable, "the query on PostgreSQL at \(settings.address) was interrupted"))
    }

    func beginWrite() throws { try execute("begin") }
    func commit() throws { try execute("commit") }
    func rollback() { _ = try? execute("rollback") }

    func ensureSchema(_ schema: String) throws {
        guard try query("select 1 from pg_namespace where nspname = $1", parameters: [.text(schema)], limit: nil).rows.isEmpty else {
            return
        }
        do {
            try execute("create schema if not exists \(dialect.quoteIdentifier(schema))")
        } catch let error as EngineError where error.message.contains("23505") {
            // Another connection created it at the same moment (CREATE SCHEMA IF NOT EXISTS races).
        }
    }

    /// PostgreSQL has no cheap per-schema change counter; what was read is read again.
    func dataVersion(of schema: String) -> Int64? { nil }

    func relationKind(_ relation: Relation) throws -> RelationKind? {
        let rows = try query("""
            select c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = $1 and c.relname = $2
            """, parameters: [.text(relation.schema), .text(relation.name)], limit: nil).rows
        switch rows.first?.first?.displayText {
        case "r"?, "p"?, "f"?: return .table
        case "v"?, "m"?: return .view
        default: return nil
        }
    }

    func columns(of relation: Relation) throws -> [ColumnSpec] {
        let rows = try query("""
            select a.attname::text, format_type(a.atttypid, a.atttypmod)
            from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped
            order by a.attnum
            """, parameters: [.text(relation.schema), .text(relation.name)], limit: nil).rows
        return rows.compactMap { row in
            row[0].displayText.map { ColumnSpec(name: $0, type: row[1].displayText) }
        }
    }

    /// COPY … FROM STDIN in text format, streamed in chunks.
    @discardableResult
    func insert(into relation: Relation, columns: [String], rows: some Sequence<[SQLValue]>) throws -> Int {
        // PostgresNIO's COPY quotes the table name as one identifier, with no schema: the schema
        // comes from the search path for the length of the copy.
        try execute("set search_path to \(dialect.quoteIdentifier(relation.schema))")
        defer { _ = try? execute(defaultSearchPath) }
        guard !relation.name.contains("\""), columns.allSatisfy({ !$0.contains("\"") }) else {
            throw EngineError(.statement, "cannot COPY into \(relation): its name or a column's holds a double quote")
        }
        do {
            return try PostgresCopy(connection: connection, logger: Self.logger).copy(into: relation.name, columns: columns, rows: rows)
        } catch {
            throw PostgresFailure.engineError(error, address: settings.address, sql: "copy \(dialect.relation(relation)) from stdin")
        }
    }
}
