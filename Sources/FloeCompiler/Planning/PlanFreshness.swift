import FloeContract
import Foundation

/// Whether a plan still describes the files it was compiled from: each input the plan records
/// (floe.yaml, platform.yaml, every project file) hashed again where it lies now.
public enum PlanFreshness {
    /// The recorded inputs that changed or went away since the compile, as the plan names them
    /// (relative to `projectDirectory`, the directory of floe.yaml). Empty: the plan is current
    /// for every file it read (a file added since is not seen here; compiling again sees it).
    public static func changedInputs(of plan: CompiledArtifacts, projectDirectory: String) -> [String] {
        let base = URL(fileURLWithPath: projectDirectory)
        return plan.metadata.inputs.compactMap { input in
            let url = input.path.hasPrefix("/") ? URL(fileURLWithPath: input.path) : base.appendingPathComponent(input.path)
            guard let data = FileManager.default.contents(atPath: url.standardizedFileURL.path) else { return input.path }
            return InputHasher.sha256(data) == input.sha256 ? nil : input.path
        }
    }
}
