import FloeCore
import FloeYAML
import Foundation

/// The dbt projects a floe.yaml points at (`transforms: [{type: dbt, path: …}]`), for commands
/// that work on the projects themselves (`floe deps`) rather than compile them.
public enum DbtProjectDirectories {
    public struct Project: Sendable {
        /// The directory that holds dbt_project.yml.
        public var directory: URL
        /// That directory as messages name it, empty or ending in `/`.
        public var displayPrefix: String

        public init(directory: URL, displayPrefix: String) {
            self.directory = directory
            self.displayPrefix = displayPrefix
        }
    }

    /// The dbt projects of the floe.yaml at `specPath`, and the problems that keep one from being found.
    public static func of(specPath: String) -> ([Project], [Diagnostic]) {
        let loaded = YAMLLoader().load(contentsOf: URL(fileURLWithPath: specPath), displayPath: specPath)
        guard let root = loaded.value else { return ([], loaded.diagnostics) }
        let spec = FloeSpec(file: specPath, root: root)
        let specDirectory = URL(fileURLWithPath: specPath).deletingLastPathComponent()
        var projects: [Project] = []
        var diagnostics = loaded.diagnostics.filter { $0.severity == .error }
        for (index, transform) in spec.transforms.enumerated() where transform.type == "dbt" {
            let directory = specDirectory.appendingPathComponent(transform.path)
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("dbt_project.yml").path) else {
                diagnostics.append(.error(at: transform.location, path: "transforms[\(index)].path", "'\(transform.path)' has no dbt_project.yml",
                                          hint: "point `path` at the directory that holds dbt_project.yml"))
                continue
            }
            projects.append(Project(directory: directory, displayPrefix: DisplayPath.join(DisplayPath.directory(of: specPath), transform.path)))
        }
        return (projects, diagnostics)
    }
}
