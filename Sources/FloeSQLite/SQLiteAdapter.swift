import FloeContract
import FloeEngine
import Foundation

/// The embedded engine: compute profile `type: sqlite`, `path` (default
/// `.floe/{environment}.db`; `{environment}` and `{namespace}` are filled in; relative to
/// floe.yaml's directory).
public struct SQLiteAdapter: EngineAdapter {
    public init() {}

    public var computeType: String { "sqlite" }

    /// Registers it: the executable does this once at start, tests before they open an engine.
    public static func register() {
        EngineAdapters.register(SQLiteAdapter())
    }

    public func engine(settings: [String: ConfigValue], plan: CompiledArtifacts, projectDirectory: String) throws -> any WarehouseEngine {
        let template = settings["path"]?.stringValue ?? ".floe/{environment}.db"
        let absolute = EngineAdapters.localPath(template, plan: plan, projectDirectory: projectDirectory)
        return SQLiteEngine(databasePath: absolute, namespace: plan.environment.namespace, schemas: EngineAdapters.schemas(of: plan))
    }

    /// OpenLineage's naming has no SQLite entry: the database file's URI, `sqlite:///abs/path.db`
    /// (each schema is a sibling file of it, see `SQLiteFileLayout`), and `schema.table`.
    public func lineageNamespace(settings: [String: ConfigValue], plan: CompiledArtifacts, projectDirectory: String) -> String {
        let template = settings["path"]?.stringValue ?? ".floe/{environment}.db"
        return "sqlite://" + URL(fileURLWithPath: EngineAdapters.localPath(template, plan: plan, projectDirectory: projectDirectory)).standardizedFileURL.path
    }
}
