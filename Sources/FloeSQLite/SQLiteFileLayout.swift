import FloeEngine
import Foundation

/// Which file holds which schema. The namespace's schema is the profile's `path`; any other
/// schema (a dbt custom schema, a source's own schema) is a sibling file named after it:
/// `.floe/dev.db` holds `floe-dev`, and `.floe/dev.floe-dev_marts.db` holds `floe-dev_marts`.
struct SQLiteFileLayout: Sendable {
    /// The namespace's database file, absolute.
    let primaryPath: String
    let namespace: String
    /// Schemas attached on every connection, so any statement of the plan can name them.
    let knownSchemas: [String]

    func path(forSchema schema: String) -> String {
        if schema == namespace { return primaryPath }
        let url = URL(fileURLWithPath: primaryPath)
        let suffix = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        let stem = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent("\(stem).\(Self.fileSafe(schema))\(suffix)").path
    }

    var lockPath: String { primaryPath + ".lock" }

    /// The primary file as messages show it: relative to the working directory when it is below
    /// it (`.floe/dev.db`), else absolute.
    var shownPath: String {
        let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return primaryPath.hasPrefix(prefix) ? String(primaryPath.dropFirst(prefix.count)) : primaryPath
    }

    func createDirectory(for path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw EngineError(.unreachable, "cannot create the directory \(directory.path) for the SQLite database: \(error.localizedDescription)")
        }
    }

    /// A schema name as a file-name part: path separators and other awkward characters become `_`.
    static func fileSafe(_ schema: String) -> String {
        String(schema.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
    }
}
