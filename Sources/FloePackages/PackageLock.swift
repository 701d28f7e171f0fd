import Crypto
import FloeCore
import FloePackageSpec
import Foundation
import Yams

/// `package-lock.yml`: every package installed (those a package depends on too), each pinned —
/// a hub package to its version, a git package to its commit — and the hash of the package list
/// it was resolved from. While packages.yml hashes the same, `floe deps` installs what the lock
/// says, so every machine gets the same packages.
struct PackageLock: Equatable {
    struct Entry: Equatable {
        /// The name it installs under (its dbt_project.yml's `name`).
        var name: String
        /// A hub package's exact version, a git package's commit, a local path, a tarball's URL.
        var source: PackageRequirement.Source
    }

    var entries: [Entry]
    var sha1: String

    static let fileName = "package-lock.yml"

    /// The hash of a package list, as dbt makes it: the SHA-1 of the entries' sorted JSON lines,
    /// so a lock written by `dbt deps` is honoured by `floe deps`, and the reverse.
    static func hash(_ requirements: [PackageRequirement]) -> String {
        let lines = requirements.map(\.lockLine).sorted()
        return Hex.string(Insecure.SHA1.hash(data: Data(lines.joined(separator: "\n").utf8)))
    }

    /// The lock in `directory`, or nil when there is none or it cannot be read (a lock written by
    /// another tool in another shape is re-resolved, as a stale one is).
    static func read(in directory: URL) -> PackageLock? {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(fileName).path),
              let root = try? Yams.load(yaml: String(decoding: data, as: UTF8.self)) as? [String: Any],
              let sha1 = root["sha1_hash"] as? String, let items = root["packages"] as? [[String: Any]] else { return nil }
        var entries: [Entry] = []
        for item in items {
            guard let name = item["name"] as? String else { return nil }
            func text(_ key: String) -> String? { item[key].map { "\($0)" } }
            if let package = text("package"), let version = text("version") {
                entries.append(Entry(name: name, source: .hub(name: package, versions: [version])))
            } else if let url = text("git") {
                entries.append(Entry(name: name, source: .git(url: url, revision: text("revision"), subdirectory: text("subdirectory"))))
            } else if let path = text("local") {
                entries.append(Entry(name: name, source: .local(path: path)))
            } else if let url = text("tarball") {
                entries.append(Entry(name: name, source: .tarball(url: url, name: name)))
            } else {
                return nil
            }
        }
        return PackageLock(entries: entries, sha1: sha1)
    }

    /// The file's text: dbt's shape (a `packages:` list with `name`, then `sha1_hash`).
    var yaml: String {
        func quoted(_ text: String) -> String {
            // Plain when YAML reads it back as the same string; double-quoted otherwise.
            let plain = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "-_./:@+".contains($0) }
                && !text.hasPrefix("-") && (try? Yams.load(yaml: text) as? String) == text
            return plain ? text : "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var text = "packages:\n"
        for entry in entries {
            text += "  - name: \(quoted(entry.name))\n"
            switch entry.source {
            case .hub(let name, let versions):
                text += "    package: \(quoted(name))\n    version: \(quoted(versions.first ?? ""))\n"
            case .git(let url, let revision, let subdirectory):
                text += "    git: \(quoted(url))\n"
                if let revision { text += "    revision: \(quoted(revision))\n" }
                if let subdirectory { text += "    subdirectory: \(quoted(subdirectory))\n" }
            case .local(let path):
                text += "    local: \(quoted(path))\n"
            case .tarball(let url, _):
                text += "    tarball: \(quoted(url))\n"
            }
        }
        return text + "sha1_hash: \(sha1)\n"
    }
}
