import FloeCore
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

    /// Less free space than this on the database's file system is a warning.
    static let lowDiskSpace: Int64 = 1 << 30

    public func check(namespace: String) throws -> EngineCheck {
        let version = String(cString: sqlite3_libversion())
        let location = WritableLocation.check(directoryOf: layout.primaryPath)
        var details = ["version": version, "path": layout.primaryPath]
        var warnings: [String] = []
        if let free = (try? FileManager.default.attributesOfFileSystem(forPath: location.directory))?[.systemFreeSize] as? NSNumber {
            details["free_bytes"] = free.stringValue
            if free.int64Value < Self.lowDiskSpace {
                warnings.append("only \(free.int64Value / (1 << 20)) MiB free on the file system of \(layout.shownPath)")
            }
        }
        if let problem = location.problem {
            throw EngineError(.unreachable, "cannot write \(layout.shownPath): \(problem)")
        }
        guard FileManager.default.fileExists(atPath: layout.primaryPath) else {
            return EngineCheck(summary: "SQLite \(version); \(layout.shownPath) does not exist yet (floe apply creates it)",
                               details: details, warnings: warnings)
        }
        guard FileManager.default.isWritableFile(atPath: layout.primaryPath) else {
            throw EngineError(.unreachable, "cannot write \(layout.shownPath): the file is read-only")
        }
        var handle: OpaquePointer?
        defer { sqlite3_close_v2(handle) }
        SQLiteConnection.configured
        guard sqlite3_open_v2(layout.primaryPath, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK,
              sqlite3_exec(handle, "select count(*) from sqlite_master", nil, nil, nil) == SQLITE_OK else {
            throw EngineError(.unreachable, "cannot read \(layout.shownPath): \(String(cString: sqlite3_errmsg(handle)))")
        }
        return EngineCheck(summary: "SQLite \(version); \(layout.shownPath) opens", details: details, warnings: warnings)
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
