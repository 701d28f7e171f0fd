import FloeCompiler
import Foundation

/// Finds the data product a command works on when none is named: the nearest `floe.yaml` in the
/// working directory or a directory above it, as dbt finds `dbt_project.yml`. Commands that take
/// a plan default to `target/artifacts.json` beside it.
enum ProjectLocator {
    /// The nearest floe.yaml at or above the working directory, as a path relative to it
    /// (`floe.yaml`, `../floe.yaml`); nil when there is none up to `/`.
    static func nearestSpec() -> String? {
        let workingDirectory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
        var directory = workingDirectory
        for _ in 0..<128 {
            let candidate = directory.appendingPathComponent("floe.yaml")
            if FileManager.default.fileExists(atPath: candidate.path) {
                return RelativePath.from(directory: workingDirectory, to: candidate)
            }
            guard directory.path != "/" else { break }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// `target/artifacts.json` beside the nearest floe.yaml, else in the working directory.
    static func defaultPlan() -> String {
        CompileCommand.defaultOutput(forSpec: nearestSpec() ?? "floe.yaml")
    }
}
