import FloeContract
import FloeEngine
import Foundation
import NIOCore
import NIOPosix
import PostgresNIO

/// A PostgreSQL server (15 or later): each schema of the plan is a schema of the database, each
/// worker thread has its own connection (together, a pool of `threads`), and builds run in
/// parallel up to that many, as the server allows concurrent writers.
public struct PostgresEngine: WarehouseEngine {
    public let dialect: any SQLDialect = PostgresDialect()
    let settings: PostgresSettings
    /// Every schema the plan names, the namespace first: created by the first connection.
    let schemas: [String]
    private let schemasReady = OnceFlag()

    init(settings: PostgresSettings, schemas: [String]) {
        self.settings = settings
        self.schemas = schemas
    }

    public var maxConcurrentWriters: Int { max(1, settings.threads) }

    private var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }

    public func connect() throws -> any EngineConnection {
        let session = try PostgresSession(settings: settings, eventLoop: eventLoop)
        try schemasReady.run { for schema in schemas { try session.ensureSchema(schema) } }
        return session
    }

    /// Connects, runs `select 1`, reads the server's version, and asks whether the role may
    /// create the namespace's schema (or tables in it, when it exists), without creating anything.
    public func check(namespace: String) throws -> EngineCheck {
        let session = try PostgresSession(settings: settings, eventLoop: eventLoop)
        _ = try session.query("select 1")
        let version = try session.query("show server_version").rows.first?.first?.displayText ?? "unknown"
        let summary = "PostgreSQL \(version) at \(settings.address), database \(settings.database), as \(settings.user)"
        let row = try session.query("""
            select exists (select 1 from pg_namespace where nspname = $1),
                   case when exists (select 1 from pg_namespace where nspname = $1) then has_schema_privilege($1, 'CREATE')
                        else has_database_privilege(current_database(), 'CREATE') end
            """, parameters: [.text(namespace)], limit: nil).rows.first ?? []
        let exists = row.first == .integer(1), writable = row.last == .integer(1)
        guard writable else {
            throw EngineError(.state, exists
                ? "the role \(settings.user) may not create tables in schema \(namespace) at \(settings.address)"
                : "the role \(settings.user) may not create schema \(namespace) in database \(settings.database) at \(settings.address)")
        }
        return EngineCheck(summary: summary + "; schema \(namespace) " + (exists ? "exists and is writable" : "can be created"),
                           details: ["version": version, "host": settings.host, "port": String(settings.port),
                                     "database": settings.database, "user": settings.user, "schema_exists": String(exists)])
    }

    public func lockNamespace(_ namespace: String, timeout: Double) throws -> any NamespaceLock {
        try PostgresAdvisoryLock.acquire(namespace: namespace, timeout: timeout,
                                         session: PostgresSession(settings: settings, eventLoop: eventLoop))
    }
}

/// The apply lock: a session-level advisory lock on the namespace, held by a connection of its
/// own. The server releases it when that connection ends, however the process ends.
final class PostgresAdvisoryLock: NamespaceLock, @unchecked Sendable {
    private var session: PostgresSession?
    private let key: String
    private let mutex = NSLock()

    private init(session: PostgresSession, key: String) {
        self.session = session
        self.key = key
    }

    static func acquire(namespace: String, timeout: Double, session: PostgresSession) throws -> PostgresAdvisoryLock {
        let key = "floe apply: " + namespace
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let taken = try session.query("select pg_try_advisory_lock(hashtext($1))", parameters: [.text(key)], limit: nil)
                .rows.first?.first == .integer(1)
            if taken { return PostgresAdvisoryLock(session: session, key: key) }
            guard Date() < deadline else {
                let holder = try? session.query("""
                    select a.pid::text || coalesce(' (' || nullif(a.application_name, '') || ', since ' || a.backend_start::text || ')', '')
                    from pg_locks l join pg_stat_activity a on a.pid = l.pid
                    where l.locktype = 'advisory' and l.granted and l.objid = (hashtext($1)::bigint & 4294967295)::oid
                    """, parameters: [.text(key)], limit: 1).rows.first?.first?.displayText
                throw EngineError(.locked, "namespace \(namespace) is being applied by another process"
                    + (holder.map { " (server process \($0))" } ?? ""))
            }
            Thread.sleep(forTimeInterval: min(0.2, max(0.01, deadline.timeIntervalSinceNow)))
        }
    }

    func release() {
        mutex.lock()
        defer { mutex.unlock() }
        guard let session else { return }
        _ = try? session.query("select pg_advisory_unlock(hashtext($1))", parameters: [.text(key)], limit: nil)
        self.session = nil
    }
}
