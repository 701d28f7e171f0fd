import FloeContract
import Foundation

/// An engine floe can run plans on, found by the compute profile's `type`. Each adapter lives in
/// its own target (FloeSQLite, …) that only the executable links and registers, so the compiler
/// never links a database driver and adding an engine touches no shared switch.
public protocol EngineAdapter: Sendable {
    /// The compute profile `type` it runs (`sqlite`).
    var computeType: String { get }

    /// The engine for `plan`'s compute profile, whose `settings` have their secrets resolved.
    /// `projectDirectory` anchors relative paths (the directory of floe.yaml).
    func engine(settings: [String: ConfigValue], plan: CompiledArtifacts, projectDirectory: String) throws -> any WarehouseEngine

    /// Where this engine's tables live, as OpenLineage's dataset naming writes it
    /// (`postgres://host:port`): the namespace of every dataset the plan builds or reads.
    /// `settings` are the profile's own (secrets unresolved: naming needs none).
    func lineageNamespace(settings: [String: ConfigValue], plan: CompiledArtifacts, projectDirectory: String) -> String

    /// A relation's dataset name in that namespace (`database.schema.table` for PostgreSQL).
    func lineageName(of relation: Relation, settings: [String: ConfigValue]) -> String
}

extension EngineAdapter {
    /// An engine the naming spec does not list: `<type>://` and `schema.table`.
    public func lineageNamespace(settings: [String: ConfigValue], plan: CompiledArtifacts, projectDirectory: String) -> String {
        "\(computeType)://"
    }

    public func lineageName(of relation: Relation, settings: [String: ConfigValue]) -> String {
        relation.description
    }
}

/// Adapters by compute type. The process has one, ``EngineAdapters/registry``, which the
/// executable fills at start; a test can make its own to see what a build without some adapter does.
public final class EngineRegistry: @unchecked Sendable {
    private var registered: [String: any EngineAdapter] = [:]
    private let lock = NSLock()

    public init(_ adapters: [any EngineAdapter] = []) {
        for adapter in adapters { registered[adapter.computeType] = adapter }
    }

    /// Makes `adapter` the one for its compute type (registering it again changes nothing).
    public func register(_ adapter: any EngineAdapter) {
        lock.lock()
        defer { lock.unlock() }
        registered[adapter.computeType] = adapter
    }

    public func adapter(for computeType: String) -> (any EngineAdapter)? {
        lock.lock()
        defer { lock.unlock() }
        return registered[computeType]
    }

    /// The compute types that can run, sorted.
    public var computeTypes: [String] {
        lock.lock()
        defer { lock.unlock() }
        return registered.keys.sorted()
    }
}

/// The adapters this build of floe registered.
public enum EngineAdapters {
    public static let registry = EngineRegistry()

    public static func register(_ adapter: any EngineAdapter) {
        registry.register(adapter)
    }

    /// A profile's local `path` for `plan`: `{environment}` and `{namespace}` filled in, and a
    /// relative path taken from `projectDirectory` (floe.yaml's directory).
    public static func localPath(_ template: String, plan: CompiledArtifacts, projectDirectory: String) -> String {
        let path = template.replacingOccurrences(of: "{environment}", with: plan.environment.name)
            .replacingOccurrences(of: "{namespace}", with: plan.environment.namespace)
        return path.hasPrefix("/") ? path : URL(fileURLWithPath: projectDirectory).appendingPathComponent(path).path
    }

    /// Every schema a relation of the plan lives in, the namespace first.
    public static func schemas(of plan: CompiledArtifacts) -> [String] {
        let all = plan.seeds.map(\.relation.schema) + plan.sources.map(\.relation.schema)
            + plan.models.filter { $0.materialized != .ephemeral }.map(\.relation.schema)
        var seen: Set<String> = [plan.environment.namespace]
        return [plan.environment.namespace] + all.filter { seen.insert($0).inserted }
    }
}

extension Dictionary where Key == String, Value == ConfigValue {
    /// A profile setting as text: a string as it is, an integer written out (a port or user
    /// given as a number); nil when absent or of another kind.
    public func settingText(_ key: String) -> String? {
        switch self[key] {
        case .string(let value)?: value
        case .integer(let value)?: String(value)
        default: nil
        }
    }
}
