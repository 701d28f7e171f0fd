import FloeEngine
import FloeContract
import Foundation
import GRDBSQLite

/// The embedded engine: SQLite database files on local disk, one per schema, in WAL mode.
public struct SQLiteEngine: WarehouseEngine {
    public let dialect: any SQLDialect = SQLiteDialect()
    let layout: SQLiteFileLayout
    /// How long a connection waits for another's write lock before failing.
    let busyTimeoutMilliseconds: Int32

    /// `databasePath` is the compute profile's `path` with its placeholders already substituted.
    /// `schemas` are every schema the plan names; they are attached on each connection.
    public init(databasePath: String, namespace: String, schemas: [String], busyTimeout: Double = 60) {
        let absolute = URL(fileURLWithPath: databasePath).standardizedFileURL.path
        var seen: Set<String> = [namespace]
        layout = SQLiteFileLayout(primaryPath: absolute, namespace: namespace,
                                  knownSchemas: [namespace] + schemas.filter { seen.insert($0).inserted })
        busyTimeoutMilliseconds = Int32(busyTimeout * 1000)
    }

    /// One writer per database file is all SQLite allows; more threads only add lock waits.
    public var maxConcurrentWriters: Int { 1 }

    public var databasePath: String { layout.primaryPath }

    public func connect() throws -> any EngineConnection {
        let connection = try SQLiteConnection(layout: layout, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        try claimPrimaryFile(connection)
        return connection
    }

    public func check() throws -> String {
        let version = "SQLite \(String(cString: sqlite3_libversion()))"
        guard FileManager.default.fileExists(atPath: layout.primaryPath) else {
            let directory = URL(fileURLWithPath: layout.primaryPath).deletingLastPathComponent()
            var ancestor = directory
            while !FileManager.default.fileExists(atPath: ancestor.path), ancestor.path != "/" { ancestor = ancestor.deletingLastPathComponent() }
            guard FileManager.default.isWritableFile(atPath: ancestor.path) else {
                throw EngineError(.unreachable, "cannot create \(layout.shownPath): \(ancestor.path) is not writable")
            }
            return "\(version); \(layout.shownPath) does not exist yet (floe apply creates it)"
        }
        var handle: OpaquePointer?
        defer { sqlite3_close_v2(handle) }
        SQLiteConnection.configured
        guard sqlite3_open_v2(layout.primaryPath, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK,
              sqlite3_exec(handle, "select count(*) from sqlite_master", nil, nil, nil) == SQLITE_OK else {
            throw EngineError(.unreachable, "cannot read \(layout.shownPath): \(String(cString: sqlite3_errmsg(handle)))")
        }
        return "\(version); \(layout.shownPath) opens"
    }

    public func lockNamespace(_ namespace: String, timeout: Double) throws -> any NamespaceLock {
        try layout.createDirectory(for: layout.lockPath)
        return try FileLock.acquire(path: layout.lockPath, what: "namespace \(namespace)", timeout: timeout)
    }

    /// A database file belongs to one namespace: two environments that share a `path` would
    /// otherwise see each other's tables.
    private func claimPrimaryFile(_ connection: SQLiteConnection) throws {
        let schema = dialect.quoteIdentifier(layout.namespace)
        try connection.execute("create table if not exists \(schema).\"_floe_owner\" (namespace text not null)")
        let owners = try connection.query("select namespace from \(schema).\"_floe_owner\"").rows.compactMap { $0.first?.displayText }
        if let owner = owners.first {
            guard owner == layout.namespace else {
                throw EngineError(.state, "the database \(layout.shownPath) belongs to namespace '\(owner)', not '\(layout.namespace)'; give each environment its own file with {environment} or {namespace} in the compute profile's path")
            }
        } else {
            try connection.execute("insert into \(schema).\"_floe_owner\" (namespace) values (\(dialect.stringLiteral(layout.namespace)))")
        }
    }
}
