import FloeConnect
import FloeContract
import FloeLineage
import FloeRuntime
import Foundation

/// A run's lineage: the emitter `--lineage`, `FLOE_LINEAGE` or platform.yaml asks for, and the
/// warning when some events were not delivered. Delivery never changes the run's exit code.
struct RunLineage {
    let emitter: LineageEmitter?

    /// The environment variable that switches lineage per run when `--lineage` is not given.
    static let environmentVariable = "FLOE_LINEAGE"

    /// `plan` as it runs (with the rollups). Prints the error and exits for a bad `--lineage` or
    /// an API key that cannot be resolved, before anything runs.
    init(plan: CompiledArtifacts, flag: String?, options: ApplyOptions) throws {
        let override = flag ?? options.environment[Self.environmentVariable]
        do {
            let destination = try LineageDestination.resolve(
                plan: plan, override: override, secrets: SecretResolver(settings: plan.secrets, environment: options.environment),
                projectDirectory: options.projectDirectory)
            emitter = destination.map { LineageEmitter(plan: plan, destination: $0, projectDirectory: options.projectDirectory) }
        } catch {
            Console.standardError.line("error: \(error.description)")
            throw FloeExit(FloeExitCode(error))
        }
    }

    /// The options with the built relations' columns read back when lineage wants their schema.
    func adjusted(_ options: ApplyOptions) -> ApplyOptions {
        var options = options
        options.readsOutputSchemas = emitter != nil
        return options
    }
}
