import FloeContract
import FloeCore
import FloeEngine
import Foundation
import NIOCore

/// One session on Spark's Thrift server, as the runtime uses a connection.
///
/// Spark has no transactions: `beginWrite`, `commit` and `rollback` do nothing, and a build's
/// statements take effect one by one (docs/engines.md says what that means for a failed build).
/// The Thrift server binds no values: a query's parameters are written into it as literals.
final class SparkConnection: EngineConnection {
    private let session: HiveServer2Session
    private let dialect = SparkDialect()
    /// Where to send a cancel from another thread: the statement running now, if any.
    private let running = RunningOperation()
    private let host: String
    private let port: Int
    private let security: ThriftChannel.Security
    /// Where rows to insert are written as files for Spark to read (``SparkStage``); nil: INSERT … VALUES.
    private let stage: SparkStage?

    /// `password` nil: NOSASL; given: SASL PLAIN.
    init(host: String, port: Int, user: String, password: String? = nil, connectTimeout: TimeAmount = .seconds(10),
         queryTimeout: Duration = .seconds(3600), stageDirectory: String? = nil) throws {
        self.host = host
        self.port = port
        security = password.map { .plain(user: user, password: $0) } ?? .none
        stage = stageDirectory.map(SparkStage.init(directory:))
        session = try HiveServer2Session(host: host, port: port, user: user, password: password, connectTimeout: connectTimeout,
                                         queryTimeout: queryTimeout, running: running)
    }

    convenience init(settings: SparkSettings) throws {
        try self.init(host: settings.host, port: settings.port, user: settings.user, password: settings.password,
                      connectTimeout: .milliseconds(Int64(settings.connectTimeout * 1000)),
                      queryTimeout: .milliseconds(Int64(settings.queryTimeout * 1000)), stageDirectory: settings.stageDirectory)
    }

    deinit { session.close() }

    @discardableResult
    func execute(_ sql: String) throws -> Int {
        var changed = 0
        for statement in StatementSplitter.split(sql, flavor: dialect.sqlFlavor) where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            changed = try session.execute(statement)
        }
        return changed
    }

    func query(_ sql: String, limit: Int?) throws -> ResultSet {
        try session.query(Self.limited(sql, to: limit), limit: limit)
    }

    func query(_ sql: String, parameters: [SQLValue], limit: Int?) throws -> ResultSet {
        try session.query(Self.limited(Self.splice(parameters, into: sql, dialect: dialect), to: limit), limit: limit)
    }

    /// A query with a row limit, limited on the server: the Thrift server collects a statement's
    /// whole result into its own memory before the first fetch, so `select * from big_view`
    /// read for its first rows would hold all of them. Statements other than SELECT and WITH
    /// (`show`, `describe`) are left as they are.
    static func limited(_ sql: String, to limit: Int?) -> String {
        guard let limit else { return sql }
        let start = sql.drop { $0.isWhitespace }.prefix(6).lowercased()
        guard start.hasPrefix("select") || start.hasPrefix("with") else { return sql }
        return "select * from (\n\(sql)\n) as floe_limited limit \(limit)"
    }

    /// Cancels the statement running now, over a connection of its own (this one waits for the
    /// statement's answer). A server that does not take the cancel within 2 s (stopped, frozen,
    /// unreachable) gets this session's connection dropped instead, so the caller's wait ends now
    /// rather than at its timeout.
    func interrupt() {
        // Stuck in a call (a frozen server takes ExecuteStatement and never answers): no
        // operation to cancel, so the connection goes, ending the wait now.
        guard let operation = running.current else { return session.abort() }
        let cancelled: Bool
        if let channel = try? ThriftChannel(host: host, port: port, connectTimeout: .seconds(1), security: security) {
            cancelled = (try? channel.call("CancelOperation", .fields([1: .fields([1: operation])]), timeout: .seconds(2))) != nil
            channel.close()
        } else {
            cancelled = false
        }
        if !cancelled { session.abort() }
    }

    func beginWrite() throws {}
    func commit() throws {}
    func rollback() {}

    func ensureSchema(_ schema: String) throws {
        try execute("create schema if not exists \(dialect.quoteIdentifier(schema))")
    }

    func dataVersion(of schema: String) -> Int64? { nil }

    func relationKind(_ relation: Relation) throws -> RelationKind? {
        let pattern = dialect.stringLiteral(relation.name)
        let schema = dialect.quoteIdentifier(relation.schema)
        guard try schemaExists(relation.schema) else { return nil }
        if !(try query("show views in \(schema) like \(pattern)", limit: nil).rows.isEmpty) { return .view }
        let tables = try query("show tables in \(schema) like \(pattern)", limit: nil)
        return tables.rows.contains { $0.count > 1 && $0[1] == .text(relation.name) } ? .table : nil
    }

    func columns(of relation: Relation) throws -> [ColumnSpec] {
        guard try relationKind(relation) != nil else { return [] }
        var columns: [ColumnSpec] = []
        // `describe table` lists the columns, then partition and other information after a blank
        // or `#` row.
        for row in try query("describe table \(dialect.relation(relation))", limit: nil).rows {
            guard case .text(let name)? = row.first, !name.isEmpty, !name.hasPrefix("#") else { break }
            columns.append(ColumnSpec(name: name, type: row.count > 1 ? row[1].displayText : nil))
        }
        return columns
    }

    /// Staged as a file and loaded with one statement when the profile has a stage directory;
    /// else sent as INSERT … VALUES statements of a thousand rows.
    @discardableResult
    func insert(into relation: Relation, columns: [String], rows: some Sequence<[SQLValue]>) throws -> Int {
        if let stage {
            let types = Dictionary(try self.columns(of: relation).map { ($0.name, $0.type ?? "string") }, uniquingKeysWith: { first, _ in first })
            return try stage.load(rows, into: relation, columns: columns.map { ($0, types[$0] ?? "string") }, dialect: dialect) { try execute($0) }
        }
        var inserted = 0
        var batch: [String] = []
        func flush() throws {
            guard !batch.isEmpty else { return }
            try session.execute("insert into \(dialect.relation(relation)) (\(dialect.columnList(columns))) values\n" + batch.joined(separator: ",\n"))
            inserted += batch.count
            batch.removeAll(keepingCapacity: true)
        }
        for row in rows {
            batch.append("(" + row.map { Self.literal($0, dialect: dialect) }.joined(separator: ", ") + ")")
            if batch.count == 1000 { try flush() }
        }
        try flush()
        return inserted
    }

    /// Makes `schema` the database unqualified names resolve to.
    func use(_ schema: String) throws {
        if try schemaExists(schema) { try execute("use \(dialect.quoteIdentifier(schema))") }
    }

    func schemaExists(_ schema: String) throws -> Bool {
        try query("show schemas like \(dialect.stringLiteral(schema))", limit: nil).rows.contains { $0.first == .text(schema.lowercased()) || $0.first == .text(schema) }
    }

    /// `value` as a Spark SQL literal.
    static func literal(_ value: SQLValue, dialect: SparkDialect) -> String {
        switch value {
        case .null: "null"
        case .integer(let number): String(number)
        case .real(let number): number.isFinite ? "\(number)D" : "double('\(number)')"
        case .text(let text): dialect.stringLiteral(text)
        case .blob(let bytes): "X'" + Hex.string(bytes) + "'"
        }
    }

    /// `sql` with each `?` outside literals, quoted names and comments replaced by the next value.
    static func splice(_ values: [SQLValue], into sql: String, dialect: SparkDialect) -> String {
        var output = ""
        var next = 0
        var quote: Character?
        var previous: Character?
        for character in sql {
            if let open = quote {
                output.append(character)
                if character == open, previous != "\\" { quote = nil }
            } else if character == "'" || character == "\"" || character == "`" {
                quote = character
                output.append(character)
            } else if character == "?", next < values.count {
                output += literal(values[next], dialect: dialect)
                next += 1
            } else {
                output.append(character)
            }
            previous = character
        }
        return output
    }
}

/// The operation a session runs now, readable from another thread.
final class RunningOperation: @unchecked Sendable {
    private let lock = NSLock()
    private var operation: ThriftValue?

    var current: ThriftValue? {
        lock.lock()
        defer { lock.unlock() }
        return operation
    }

    func set(_ operation: ThriftValue?) {
        lock.lock()
        self.operation = operation
        lock.unlock()
    }
}
