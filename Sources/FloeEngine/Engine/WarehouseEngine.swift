import FloeContract

/// An engine floe runs plans on. One value per apply; it opens connections and takes the
/// namespace's lock. Adapters (SQLite today, PostgreSQL next, distributed engines later) keep
/// driver I/O here and leave SQL text to their `dialect`, so the runtime never writes engine SQL.
public protocol WarehouseEngine: Sendable {
    /// The SQL the plan was rendered for, plus the statements materializations need.
    var dialect: any SQLDialect { get }

    /// How many connections may write at the same time with benefit. SQLite has one writer per
    /// database file; a server engine has as many as its pool allows.
    var maxConcurrentWriters: Int { get }

    /// Opens a connection. Throws `EngineError` of kind `.unreachable` when the engine cannot be reached.
    func connect() throws -> any EngineConnection

    /// For `floe debug` and `floe preflight`: reaches the engine without changing anything and
    /// says what it found (its version, where it is) and whether `namespace` can be written there.
    /// Throws `EngineError` of kind `.unreachable` when it cannot be reached, `.state` when the
    /// namespace cannot be written.
    func check(namespace: String) throws -> EngineCheck

    /// Takes the namespace's apply lock, waiting up to `timeout` seconds (0 = do not wait).
    /// Throws `EngineError` of kind `.locked` naming the holder when it cannot. Released on
    /// `release()` or when the process ends, however it ends.
    func lockNamespace(_ namespace: String, timeout: Double) throws -> any NamespaceLock
}

/// What an engine's check found.
public struct EngineCheck: Sendable, Equatable {
    /// One line: the engine's version and where it is.
    public var summary: String
    /// Facts by name (`version`, `path`, `free_bytes`, …), for reports.
    public var details: [String: String]
    /// What works but deserves attention (little disk space left).
    public var warnings: [String]

    public init(summary: String, details: [String: String] = [:], warnings: [String] = []) {
        self.summary = summary
        self.details = details
        self.warnings = warnings
    }
}

/// The apply lock on a namespace.
public protocol NamespaceLock: AnyObject, Sendable {
    func release()
}

/// One connection. Not shared between threads: each worker opens its own.
public protocol EngineConnection: AnyObject {
    /// Runs one or more statements; returns the rows the last one changed.
    @discardableResult
    func execute(_ sql: String) throws -> Int

    /// Runs a query and returns at most `limit` rows (nil = all).
    func query(_ sql: String, limit: Int?) throws -> ResultSet

    /// Runs a query whose values are bound, never spliced: `parameters[i]` is the dialect's
    /// `parameter(i + 1)` in `sql`. Returns at most `limit` rows (nil = all).
    func query(_ sql: String, parameters: [SQLValue], limit: Int?) throws -> ResultSet

    /// Makes the statement running now (on another thread) fail soon, so its transaction rolls
    /// back. The one method that may be called from another thread; a no-op when nothing runs.
    func interrupt()

    /// Starts a transaction that takes the write lock at once, so it never fails half-way for a lock.
    func beginWrite() throws
    func commit() throws
    func rollback()

    /// Makes sure `schema` exists (CREATE SCHEMA, or attaching its database file).
    func ensureSchema(_ schema: String) throws

    /// A number that changes whenever another connection commits a change to `schema`, for
    /// caching what was read from it; nil when the engine has no such number (read again).
    func dataVersion(of schema: String) -> Int64?

    /// Whether `relation` exists, and as what.
    func relationKind(_ relation: Relation) throws -> RelationKind?

    /// The relation's columns in order, with their declared types; empty when it does not exist.
    func columns(of relation: Relation) throws -> [ColumnSpec]

    /// Inserts rows fast (a prepared statement, or COPY), inside the caller's transaction.
    /// Returns the number of rows inserted.
    @discardableResult
    func insert(into relation: Relation, columns: [String], rows: some Sequence<[SQLValue]>) throws -> Int
}

extension EngineConnection {
    /// Runs `body` in a write transaction: committed when it returns, rolled back when it throws.
    public func inWriteTransaction<T>(_ body: () throws -> T) throws -> T {
        try beginWrite()
        do {
            let result = try body()
            try commit()
            return result
        } catch {
            rollback()
            throw error
        }
    }

    public func query(_ sql: String) throws -> ResultSet { try query(sql, limit: nil) }
}
