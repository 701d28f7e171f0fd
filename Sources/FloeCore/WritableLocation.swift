import Foundation

/// Whether a file could be created at a path, found by trying: the nearest directory that exists
/// on the way to it gets a file created and removed again. `access(2)` cannot tell (root passes
/// it everywhere), and a parent that is a regular file is no place for a database.
public enum WritableLocation {
    public struct Verdict: Sendable, Equatable {
        /// The nearest existing ancestor (or the directory itself).
        public var directory: String
        /// Why nothing can be created there; nil when something can.
        public var problem: String?
    }

    public static func check(directoryOf path: String) -> Verdict {
        check(directory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    public static func check(directory path: String) -> Verdict {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        guard isDirectory.boolValue else { return Verdict(directory: url.path, problem: "\(url.path) is a file, not a directory") }
        let probe = url.appendingPathComponent(".floe-write-check-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: probe.path, contents: nil) else {
            return Verdict(directory: url.path, problem: "\(url.path) is not writable")
        }
        try? FileManager.default.removeItem(at: probe)
        return Verdict(directory: url.path, problem: nil)
    }
}
