import FloeContract
import FloeEngine

/// Compute profile `type: postgres`: `host`, `port`, `database`, `user`, `password` (a secret
/// reference), `sslmode`, `schema` (the search path; the namespace by default), `threads` and
/// `connect_timeout`. The environment's namespace and every schema the plan names are schemas
/// of the database.
public struct PostgresAdapter: EngineAdapter {
    public init() {}

    public var computeType: String { "postgres" }

    /// Registers it: the executable does this once at start, tests before they open an engine.
    public static func register() {
        EngineAdapters.register(PostgresAdapter())
    }

    public func engine(settings: [String: ConfigValue], plan: CompiledArtifacts, projectDirectory: String) throws -> any WarehouseEngine {
        PostgresEngine(settings: try PostgresSettings(settings, namespace: plan.environment.namespace),
                       schemas: EngineAdapters.schemas(of: plan))
    }

    /// OpenLineage's naming for PostgreSQL: `postgres://host:port`.
    public func lineageNamespace(settings: [String: ConfigValue], plan: CompiledArtifacts, projectDirectory: String) -> String {
        "postgres://\(settings.settingText("host") ?? "localhost"):\(settings["port"]?.intValue ?? 5432)"
    }

    /// `database.schema.table`.
    public func lineageName(of relation: Relation, settings: [String: ConfigValue]) -> String {
        "\(settings.settingText("database") ?? "postgres").\(relation.schema).\(relation.name)"
    }
}
