import FloeCore
import Foundation

/// Checks that the directories floe.yaml points at exist, before anything tries to read them.
enum ProjectPaths {
    static func check(_ spec: FloeSpec, relativeTo directory: URL) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (index, transform) in spec.transforms.enumerated() {
            let url = directory.appendingPathComponent(transform.path)
            let path = "transforms[\(index)].path"
            if !isDirectory(url) {
                diagnostics.append(.error(at: transform.location, path: path,
                                          "the directory '\(transform.path)' does not exist",
                                          hint: "paths are relative to the directory of floe.yaml"))
            } else if transform.type == "dbt",
                      !FileManager.default.fileExists(atPath: url.appendingPathComponent("dbt_project.yml").path) {
                diagnostics.append(.error(at: transform.location, path: path,
                                          "'\(transform.path)' has no dbt_project.yml",
                                          hint: "point `path` at the directory that holds dbt_project.yml"))
            }
        }
        if let semantic = spec.semanticPath, !isDirectory(directory.appendingPathComponent(semantic.path)) {
            diagnostics.append(.error(at: semantic.location, path: "semantic.path",
                                      "the directory '\(semantic.path)' does not exist",
                                      hint: "paths are relative to the directory of floe.yaml"))
        }
        return diagnostics
    }

    static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
