import FloeContract
import FloeEngine
import Foundation

/// Opens the engine a plan's compute profile names, resolving its secrets at this moment only.
public enum EngineFactory {
    public enum Failure: Error, CustomStringConvertible {
        case secret(SecretNotResolvable)
        case unsupported(String)

        public var description: String {
            switch self {
            case .secret(let failure): failure.description
            case .unsupported(let message): message
            }
        }
    }

    /// `projectDirectory` anchors a relative SQLite `path` (the directory of floe.yaml).
    public static func engine(
        for plan: CompiledArtifacts, projectDirectory: String, secrets: SecretResolver
    ) throws(Failure) -> any WarehouseEngine {
        let profile = plan.profiles.compute
        let settings: [String: ConfigValue]
        do {
            settings = try secrets.resolve(profile.settings)
        } catch {
            throw .secret(error)
        }
        switch profile.type {
        case "sqlite":
            let template = settings["path"]?.stringValue ?? ".floe/{environment}.db"
            let path = substitute(template, plan: plan)
            let absolute = path.hasPrefix("/") ? path : URL(fileURLWithPath: projectDirectory).appendingPathComponent(path).path
            return SQLiteEngine(databasePath: absolute, namespace: plan.environment.namespace, schemas: schemas(of: plan))
        default:
            throw .unsupported("compute type '\(profile.type)' (profile '\(profile.name)') cannot be applied by this version of floe; supported: sqlite")
        }
    }

    /// `{environment}` and `{namespace}` in a profile setting.
    static func substitute(_ template: String, plan: CompiledArtifacts) -> String {
        template.replacingOccurrences(of: "{environment}", with: plan.environment.name)
            .replacingOccurrences(of: "{namespace}", with: plan.environment.namespace)
    }

    /// Every schema a relation of the plan lives in, namespace first.
    static func schemas(of plan: CompiledArtifacts) -> [String] {
        let all = plan.seeds.map(\.relation.schema) + plan.sources.map(\.relation.schema)
            + plan.models.filter { $0.materialized != .ephemeral }.map(\.relation.schema)
        var seen: Set<String> = [plan.environment.namespace]
        return [plan.environment.namespace] + all.filter { seen.insert($0).inserted }
    }
}
