import FloeCore
import FloeYAML
import Foundation

/// One entry of `packages.yml` (or `dependencies.yml`): where a package comes from.
public struct PackageRequirement: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// `package: dbt-labs/dbt_utils` from the package hub, with the version ranges it accepts.
        case hub(name: String, versions: [String])
        /// `git: <url>`, at `revision` (a tag, branch or commit; the default branch when nil),
        /// from `subdirectory` when the package is not the repository's root.
        case git(url: String, revision: String?, subdirectory: String?)
        /// `local: <path>`, relative to the project that names it.
        case local(path: String)
        /// `tarball: <url>` with the `name:` it installs under.
        case tarball(url: String, name: String)
    }

    public var source: Source
    /// Hub packages only: whether versions such as `1.2.0-rc1` may be chosen.
    public var installPrerelease: Bool
    public var location: SourceLocation
    /// The entry as dbt hashes it for `package-lock.yml`'s `sha1_hash`: its fields as Python's
    /// `json.dumps(sort_keys=True)` writes them, so a lock dbt wrote is honoured, and the reverse.
    public var lockLine: String

    public init(source: Source, installPrerelease: Bool = false, location: SourceLocation, lockLine: String = "") {
        self.source = source
        self.installPrerelease = installPrerelease
        self.location = location
        self.lockLine = lockLine
    }

    /// How messages name it: `dbt-labs/dbt_utils`, the git URL, the local path.
    public var label: String {
        switch source {
        case .hub(let name, _): name
        case .git(let url, _, let subdirectory): subdirectory.map { "\(url)#\($0)" } ?? url
        case .local(let path): path
        case .tarball(let url, _): url
        }
    }

    /// The name the package will most likely install under, when the entry tells it: a hub
    /// package's (after the `/`) and a tarball's. A git or local package's name is in its own
    /// dbt_project.yml.
    public var expectedName: String? {
        switch source {
        case .hub(let name, _): name.split(separator: "/").last.map(String.init)
        case .tarball(_, let name): name
        case .git, .local: nil
        }
    }
}

/// A project's package list: `packages.yml`, or `packages:` in `dependencies.yml`, as dbt reads them.
public struct PackagesFile: Sendable {
    public var requirements: [PackageRequirement]
    /// The file's bytes, for the lock's hash.
    public var bytes: Data
    /// As messages name it.
    public var display: String

    /// The package list of the project in `directory`: nil when it has none. `displayPrefix` is
    /// the directory as messages name it, empty or ending in `/`.
    public static func load(directory: URL, displayPrefix: String) -> (PackagesFile?, [Diagnostic]) {
        var found: [(name: String, url: URL)] = []
        for name in ["packages.yml", "dependencies.yml"] {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { found.append((name, url)) }
        }
        guard let (name, url) = found.first else { return (nil, []) }
        let display = displayPrefix + name
        let loaded = YAMLLoader().load(contentsOf: url, displayPath: display)
        var diagnostics = loaded.diagnostics
        guard let bytes = loaded.bytes else { return (nil, diagnostics) }
        var requirements: [PackageRequirement] = []
        if found.count == 2, let other = YAMLLoader().load(contentsOf: found[1].url, displayPath: displayPrefix + found[1].name).value,
           other["packages"]?.items?.isEmpty == false, loaded.value?["packages"]?.items?.isEmpty == false {
            diagnostics.append(.error(at: .file(displayPrefix + found[1].name), path: "packages",
                                      "both packages.yml and dependencies.yml list packages",
                                      hint: "keep one list: dbt reads only one of the two"))
        }
        if let root = loaded.value, !root.isNull {
            if let entries = root.entries {
                for entry in entries where !["packages", "projects"].contains(entry.key) {
                    diagnostics.append(.warning(at: entry.keyLocation, path: entry.key, "unknown key in \(name); floe ignores it",
                                                hint: "packages are listed under `packages:`"))
                }
                if let projects = root["projects"], !projects.isNull {
                    diagnostics.append(.warning(at: projects.location, path: "projects",
                                                "cross-project references (dbt Mesh) are not supported; floe ignores `projects:`"))
                }
                if let list = root["packages"], !list.isNull {
                    if let items = list.items {
                        for (index, item) in items.enumerated() {
                            if let requirement = requirement(item, path: "packages[\(index)]", &diagnostics) { requirements.append(requirement) }
                        }
                    } else {
                        diagnostics.append(.error(at: list.location, path: "packages", "expected a list of packages, got \(list.kindDescription)",
                                                  hint: "such as `packages: [{package: dbt-labs/dbt_utils, version: [\">=1.0.0\", \"<2.0.0\"]}]`"))
                    }
                }
            } else {
                diagnostics.append(.error(at: root.location, "expected a mapping with `packages:`, got \(root.kindDescription)",
                                          hint: "such as `packages: [{package: dbt-labs/dbt_utils, version: 1.3.0}]`"))
            }
        }
        return (PackagesFile(requirements: requirements, bytes: bytes, display: display), diagnostics)
    }

    private static let sourceKeys = ["package", "git", "local", "tarball", "private"]

    private static func requirement(_ item: YAMLValue, path: String, _ diagnostics: inout [Diagnostic]) -> PackageRequirement? {
        guard let entries = item.entries else {
            diagnostics.append(.error(at: item.location, path: path, "expected a package entry, got \(item.kindDescription)",
                                      hint: "such as `- package: dbt-labs/dbt_utils` with `version:`, `- git: <url>` or `- local: <path>`"))
            return nil
        }
        let kinds = entries.filter { sourceKeys.contains($0.key) }
        guard kinds.count == 1, let kind = kinds.first else {
            diagnostics.append(.error(at: item.location, path: path,
                                      kinds.isEmpty ? "the entry names no package source" : "the entry names \(kinds.count) package sources",
                                      hint: "give exactly one of `package:`, `git:`, `local:` or `tarball:`"))
            return nil
        }
        let allowed: [String: [String]] = [
            "package": ["package", "version", "install-prerelease"],
            "git": ["git", "revision", "subdirectory", "warn-unpinned"],
            "local": ["local"],
            "tarball": ["tarball", "name"],
            "private": [],
        ]
        for entry in entries where !(allowed[kind.key] ?? []).contains(entry.key) {
            diagnostics.append(.warning(at: entry.keyLocation, path: "\(path).\(entry.key)", "'\(entry.key)' does not apply to a `\(kind.key):` package; floe ignores it",
                                        hint: Suggestions.didYouMean(entry.key, in: allowed[kind.key] ?? [])))
        }
        func text(_ key: String, required: Bool, example: String) -> String? {
            guard let value = item[key], !value.isNull else {
                if required { diagnostics.append(.error(at: item.location, path: "\(path).\(key)", "missing '\(key)'", hint: example)) }
                return nil
            }
            guard let text = value.scalarText, value.entries == nil, value.items == nil, !text.isEmpty else {
                diagnostics.append(.error(at: value.location, path: "\(path).\(key)", "expected text, got \(value.kindDescription)", hint: example))
                return nil
            }
            return text
        }
        switch kind.key {
        case "package":
            guard let name = text("package", required: true, example: "such as `package: dbt-labs/dbt_utils`") else { return nil }
            guard name.split(separator: "/").count == 2 else {
                diagnostics.append(.error(at: kind.value.location, path: "\(path).package", "expected a hub package as `<owner>/<name>`, got '\(name)'",
                                          hint: "such as `dbt-labs/dbt_utils`"))
                return nil
            }
            var versions: [String] = []
            if let value = item["version"] {
                if let items = value.items {
                    versions = items.compactMap(\.scalarText)
                } else if let single = value.scalarText {
                    versions = single.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                }
                for version in versions where SemanticVersion.Constraint(version) == nil {
                    diagnostics.append(.error(at: value.location, path: "\(path).version", "'\(version)' is not a version or a version range",
                                              hint: "such as `1.3.0`, or a list of bounds: `[\">=1.0.0\", \"<2.0.0\"]`"))
                    return nil
                }
            }
            if versions.isEmpty {
                diagnostics.append(.error(at: item.location, path: "\(path).version", "hub package '\(name)' has no version",
                                          hint: "pin one or give a range: `version: [\">=1.0.0\", \"<2.0.0\"]`"))
                return nil
            }
            let prerelease = item["install-prerelease"]?.bool ?? false
            let written: PythonJSON = item["version"]?.items.map { .list($0.compactMap(\.scalarText).map(PythonJSON.string)) }
                ?? .string(item["version"]?.scalarText ?? "")
            return PackageRequirement(source: .hub(name: name, versions: versions), installPrerelease: prerelease, location: item.location,
                                      lockLine: PythonJSON.object(["install_prerelease": .bool(prerelease), "package": .string(name),
                                                                   "unrendered": .object([:]), "version": written]).text)
        case "git":
            guard let url = text("git", required: true, example: "such as `git: https://github.com/dbt-labs/dbt-utils.git`") else { return nil }
            let revision = text("revision", required: false, example: "a tag, branch or commit")
            let subdirectory = text("subdirectory", required: false, example: "a folder of the repository")
            let warn: PythonJSON = item["warn-unpinned"]?.bool.map(PythonJSON.bool) ?? .null
            return PackageRequirement(source: .git(url: url, revision: revision, subdirectory: subdirectory), location: item.location,
                                      lockLine: PythonJSON.object(["git": .string(url), "revision": revision.map(PythonJSON.string) ?? .null,
                                                                   "subdirectory": subdirectory.map(PythonJSON.string) ?? .null,
                                                                   "unrendered": .object([:]), "warn-unpinned": warn]).text)
        case "local":
            guard let local = text("local", required: true, example: "such as `local: ../shared_macros`") else { return nil }
            return PackageRequirement(source: .local(path: local), location: item.location,
                                      lockLine: PythonJSON.object(["local": .string(local), "unrendered": .object([:])]).text)
        case "tarball":
            guard let url = text("tarball", required: true, example: "a URL of a .tar.gz"),
                  let name = text("name", required: true, example: "the name the package installs under, such as `name: dbt_utils`")
            else { return nil }
            return PackageRequirement(source: .tarball(url: url, name: name), location: item.location,
                                      lockLine: PythonJSON.object(["name": .string(name), "tarball": .string(url), "unrendered": .object([:])]).text)
        default:
            diagnostics.append(.error(at: kind.keyLocation, path: "\(path).private", "private packages (dbt Cloud's git integrations) are not supported",
                                      hint: "name the repository with `git:` and a URL git can clone"))
            return nil
        }
    }
}

/// A value as Python's `json.dumps(value, sort_keys=True)` writes it (`", "` and `": "` between
/// items, non-ASCII escaped): what dbt hashes a package list from.
enum PythonJSON {
    case string(String)
    case bool(Bool)
    case null
    case list([PythonJSON])
    case object([String: PythonJSON])

    var text: String {
        switch self {
        case .string(let value): Self.quoted(value)
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .list(let items): "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .object(let map): "{" + map.keys.sorted().map { "\(Self.quoted($0)): \(map[$0]!.text)" }.joined(separator: ", ") + "}"
        }
    }

    private static func quoted(_ text: String) -> String {
        var result = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: result += "\\\""
            case 0x5C: result += "\\\\"
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            case 0x20..<0x7F: result += String(UnicodeScalar(UInt8(unit)))
            default: result += String(format: "\\u%04x", unit)
            }
        }
        return result + "\""
    }
}
