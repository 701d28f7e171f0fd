import FloeCompiler
import Foundation

/// Finds platform.yaml: `--platform`, else `$FLOE_PLATFORM_FILE`, else `platform.yaml` or
/// `platform/platform.yaml` in the spec's directory or any directory above it.
enum PlatformLocator {
    enum Outcome: Equatable {
        case found(String)
        /// Named explicitly but absent.
        case missing(String)
        /// Searched these places and found nothing.
        case notFound([String])
    }

    static let candidates = ["platform.yaml", "platform/platform.yaml"]

    static func locate(explicit: String?, environment: [String: String], specPath: String) -> Outcome {
        if let explicit {
            return FileManager.default.fileExists(atPath: explicit) ? .found(explicit) : .missing(explicit)
        }
        if let fromEnvironment = environment["FLOE_PLATFORM_FILE"], !fromEnvironment.isEmpty {
            return FileManager.default.fileExists(atPath: fromEnvironment) ? .found(fromEnvironment) : .missing(fromEnvironment)
        }
        let workingDirectory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        var directory = URL(fileURLWithPath: specPath).standardizedFileURL.deletingLastPathComponent()
        var searched: [String] = []
        while true {
            for candidate in candidates {
                let url = directory.appendingPathComponent(candidate)
                // Keep the user's relative form in messages (`../platform/platform.yaml`).
                let shown = RelativePath.from(directory: workingDirectory, to: url)
                if FileManager.default.fileExists(atPath: url.path) { return .found(shown) }
                searched.append(shown)
            }
            if directory.path == "/" || searched.count > 128 { break }
            directory = directory.deletingLastPathComponent()
        }
        return .notFound(Array(searched.prefix(4)) + (searched.count > 4 ? ["and every directory above, up to /"] : []))
    }
}
