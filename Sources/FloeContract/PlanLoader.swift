import Foundation

/// Reads a plan file for everything that runs one (the CLI's commands, `floe serve`): the bytes,
/// the version gate and the decoding (``CompiledArtifacts/decode(_:)``), then every check of
/// ``PlanValidator``. Each caller says the failure its own way.
public enum PlanLoader {
    public enum Failure: Error, Sendable {
        /// No file at the path (or it cannot be read).
        case notFound
        /// Not a plan this floe can run: not JSON, another major version, a field missing.
        case unreadable(String)
        /// A plan, with these problems (a plan edited by hand, a fingerprint that does not match).
        case invalid([PlanValidator.Problem])
    }

    public static func load(_ path: String) throws(Failure) -> CompiledArtifacts {
        guard let data = FileManager.default.contents(atPath: path) else { throw .notFound }
        let plan: CompiledArtifacts
        do {
            plan = try CompiledArtifacts.decode(data)
        } catch {
            throw .unreadable("\(error)")
        }
        let problems = PlanValidator.problems(in: plan)
        guard problems.isEmpty else { throw .invalid(problems) }
        return plan
    }
}
