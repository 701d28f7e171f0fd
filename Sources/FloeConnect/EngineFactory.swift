import FloeContract
import FloeEngine
import Foundation

/// Opens the engine a plan's compute profile names, resolving its secrets at this moment only.
public enum EngineFactory {
    /// `projectDirectory` anchors a relative SQLite `path` (the directory of floe.yaml).
    public static func engine(
        for plan: CompiledArtifacts, projectDirectory: String, secrets: SecretResolver,
        registry: EngineRegistry = EngineAdapters.registry
    ) throws(ExecutorError) -> any WarehouseEngine {
        let profile = plan.profiles.compute
        let settings: [String: ConfigValue]
        do {
            settings = try secrets.resolve(profile.settings)
        } catch {
            throw ExecutorError(.secret, error.description)
        }
        guard let adapter = registry.adapter(for: profile.type) else {
            let known = registry.computeTypes
            throw ExecutorError(.unreachable, "compute type '\(profile.type)' (profile '\(profile.name)') cannot be applied by this build of floe; "
                + (known.isEmpty ? "it has no engine adapters" : "it can apply: \(known.joined(separator: ", "))"))
        }
        do {
            return try adapter.engine(settings: settings, plan: plan, projectDirectory: projectDirectory)
        } catch {
            throw ExecutorError(.unreachable, "compute profile '\(profile.name)' (type \(profile.type)): \(error)")
        }
    }
}
