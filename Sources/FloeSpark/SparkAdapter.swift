import FloeContract
import FloeEngine
import Foundation

/// Compute profile `type: spark`: a Spark Thrift server (HiveServer2) at `host`:`port` (default
/// 10000), `auth` `nosasl` or `plain` with `user` and `password` (a secret reference), `schema`,
/// `file_format` (default parquet), `threads`, `connect_timeout` and `query_timeout` (seconds).
/// Every schema the plan names is a database of the metastore. Seeds and synthetic rows are
/// staged as files under a `local` storage profile's directory, which the cluster must see at
/// the same path.
public struct SparkAdapter: EngineAdapter {
    public init() {}

    public var computeType: String { "spark" }

    /// Registers it: the executable does this once at start, tests before they open an engine.
    public static func register() {
        EngineAdapters.register(SparkAdapter())
    }

    public func engine(settings: [String: ConfigValue], plan: CompiledArtifacts, projectDirectory: String) throws -> any WarehouseEngine {
        let settings = try SparkSettings(settings, namespace: plan.environment.namespace,
                                         stageDirectory: Self.stageDirectory(plan: plan, projectDirectory: projectDirectory))
        return SparkEngine(settings: settings, schemas: EngineAdapters.schemas(of: plan))
    }

    /// OpenLineage's naming for Hive tables: `hive://host:port` of the metastore (the profile's
    /// `metastore`, else the Thrift server's address), and `database.table`.
    public func lineageNamespace(settings: [String: ConfigValue], plan: CompiledArtifacts, projectDirectory: String) -> String {
        if let metastore = settings.settingText("metastore") {
            return "hive://" + (metastore.range(of: "://").map { String(metastore[$0.upperBound...]) } ?? metastore)
        }
        return "hive://\(settings.settingText("host") ?? "localhost"):\(settings["port"]?.intValue ?? 10000)"
    }

    /// `<storage path>/_floe_stage` for a `local` storage profile, `{environment}` and
    /// `{namespace}` filled in, relative to floe.yaml's directory.
    static func stageDirectory(plan: CompiledArtifacts, projectDirectory: String) -> String? {
        let storage = plan.profiles.storage
        guard storage.type == "local", let template = storage.string("path") else { return nil }
        let storagePath = EngineAdapters.localPath(template, plan: plan, projectDirectory: projectDirectory)
        return URL(fileURLWithPath: storagePath).appendingPathComponent("_floe_stage").standardizedFileURL.path
    }
}
