import FloeContract
import FloeEngine
import Foundation
import NIOCore

/// A Spark cluster behind its Thrift server: each schema of the plan is a database of the
/// metastore, each worker thread has a session of its own, and builds run in parallel up to
/// `threads`, as the cluster schedules concurrent jobs.
public struct SparkEngine: WarehouseEngine {
    public let dialect: any SQLDialect
    let settings: SparkSettings
    /// Every schema the plan names, the namespace first: created by the first connection.
    let schemas: [String]
    private let schemasReady = OnceFlag()

    init(settings: SparkSettings, schemas: [String]) {
        self.settings = settings
        self.schemas = schemas
        dialect = SparkDialect(fileFormat: settings.fileFormat)
    }

    public var maxConcurrentWriters: Int { max(1, settings.threads) }

    public func connect() throws -> any EngineConnection {
        let connection = try SparkConnection(settings: settings)
        // Models written for PostgreSQL or the SQL standard quote names in double quotes
        // (`"timestamp"`); Spark reads those as text unless told otherwise. Text is always in
        // single quotes in floe's SQL.
        try connection.execute("set spark.sql.ansi.doubleQuotedIdentifiers=true")
        // insert_overwrite replaces the partitions its rows fall in, as dbt-spark's does.
        try connection.execute("set spark.sql.sources.partitionOverwriteMode=dynamic")
        try schemasReady.run { for schema in schemas { try connection.ensureSchema(schema) } }
        try connection.use(settings.schema)
        return connection
    }

    /// Logs in, runs `select 1`, reads Spark's version, and says whether the namespace's database
    /// exists; a Thrift server has no privilege catalog to ask whether it may be created.
    public func check(namespace: String) throws -> EngineCheck {
        let connection = try SparkConnection(settings: settings)
        _ = try connection.query("select 1")
        // `version()` is the release and the commit it was built from: the release is what a reader wants.
        let version = try connection.query("select version()").rows.first?.first?.displayText?.split(separator: " ").first.map(String.init) ?? "unknown"
        let exists = try connection.schemaExists(namespace)
        return EngineCheck(summary: "Spark \(version) at \(settings.address) as \(settings.user), \(settings.fileFormat) tables; "
                               + "database \(namespace) " + (exists ? "exists" : "will be created"),
                           details: ["version": version, "host": settings.host, "port": String(settings.port), "user": settings.user,
                                     "file_format": settings.fileFormat, "schema_exists": String(exists)],
                           warnings: settings.stageDirectory == nil
                               ? ["the storage profile is not local: seeds and synthetic rows are sent as INSERT statements"] : [])
    }

    /// A file lock on this machine, one per server and namespace: the Thrift server has no lock
    /// of its own, so applies from two machines to one namespace are not kept apart
    /// (docs/engines.md).
    public func lockNamespace(_ namespace: String, timeout: Double) throws -> any NamespaceLock {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("floe-locks")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = "spark-\(settings.host)-\(settings.port)-\(namespace).lock".map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" }
        return try FileLock.acquire(path: directory.appendingPathComponent(String(name)).path,
                                    what: "namespace \(namespace) on \(settings.address)", timeout: timeout)
    }
}
