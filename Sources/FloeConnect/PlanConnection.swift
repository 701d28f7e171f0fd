import FloeContract
import FloeEngine

/// Opens the plan's engine and one connection to it, its secrets resolved at this moment only,
/// for the commands that read the warehouse without running the plan (`show`, `restore`,
/// `query`, `serve`).
public enum PlanConnection {
    public static func open(
        _ plan: CompiledArtifacts, projectDirectory: String, environment: [String: String]
    ) throws(ExecutorError) -> (engine: any WarehouseEngine, connection: any EngineConnection) {
        let secrets = SecretResolver(settings: plan.secrets, environment: environment)
        let engine = try EngineFactory.engine(for: plan, projectDirectory: projectDirectory, secrets: secrets)
        do {
            return (engine, try engine.connect())
        } catch {
            throw ExecutorError(error)
        }
    }
}
