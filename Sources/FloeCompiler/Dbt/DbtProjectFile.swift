import FloeCore
import FloeJinja
import FloeTemplates
import FloeYAML
import Foundation

/// `dbt_project.yml`: the project's name, where its files are, its vars and its config trees.
struct DbtProjectFile {
    var name: String
    var modelPaths: [String]
    var seedPaths: [String]
    var testPaths: [String]
    var macroPaths: [String]
    /// Where dbt finds snapshots, and analyses (compiled, never run).
    var snapshotPaths: [String]
    var analysisPaths: [String]
    /// Vars for every package, and the ones scoped to this project (`vars: {<name>: {...}}`).
    var vars: [String: YAMLValue]
    /// `vars:` as written: a mapping under a package's name holds vars for that package only.
    var writtenVars: [String: YAMLValue]
    /// Where `floe deps` installs packages, relative to this file's directory.
    var packagesInstallPath: String
    /// `dispatch:`: by macro namespace, the packages `adapter.dispatch` searches, in order.
    var dispatch: [String: [String]]
    var models: ConfigTree
    var seeds: ConfigTree
    var tests: ConfigTree
    var snapshots: ConfigTree
    var bytes: Data
    /// `on-run-start` and `on-run-end` as written (templates), with where each is.
    var onRunStart: [ConfigEntry] = []
    var onRunEnd: [ConfigEntry] = []
    /// `flags: {latest_version_pointer_enabled_by_default: true}`: every versioned model's latest
    /// version gets its pointer view (dbt 1.12's behaviour flag).
    var latestVersionPointerByDefault = false
    /// Its `version:`, as written.
    var version: String?

    static let knownKeys = [
        "name", "version", "config-version", "profile", "model-paths", "seed-paths", "test-paths", "macro-paths",
        "snapshot-paths", "analysis-paths", "docs-paths", "asset-paths", "target-path", "clean-targets", "log-path",
        "packages-install-path", "require-dbt-version", "quoting", "on-run-start", "on-run-end", "dispatch", "flags",
        "vars", "models", "seeds", "data_tests", "tests", "snapshots", "sources", "analyses", "exposures", "metrics",
        "semantic-models", "saved-queries", "query-comment", "restrict-access", "dbt-cloud", "unit_tests", "source-paths", "data-paths",
    ]
    /// Letters, digits and underscores, not starting with a digit.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    /// Reads and checks the file; nil (with diagnostics) when it cannot be used.
    static func load(from url: URL, displayPath file: String) -> (DbtProjectFile?, [Diagnostic]) {
        let loaded = YAMLLoader(duplicateKeysWarn: true).load(contentsOf: url, displayPath: file)
        var diagnostics = loaded.diagnostics
        guard let bytes = loaded.bytes else { return (nil, diagnostics) }
        guard let root = loaded.value, let entries = root.entries else {
            if loaded.value != nil || diagnostics.isEmpty {
                diagnostics.append(.error(at: loaded.value?.location ?? .file(file), "expected a mapping with at least `name`",
                                          hint: "a dbt project file starts with `name: my_project`"))
            }
            return (nil, diagnostics)
        }
        for entry in entries where !knownKeys.contains(entry.key) {
            diagnostics.append(.warning(at: entry.keyLocation, path: entry.key, "unknown key in dbt_project.yml; floe ignores it",
                                        hint: Suggestions.didYouMean(entry.key, in: knownKeys)))
        }
        var name = ""
        if let value = root["name"] {
            if let text = value.string, isIdentifier(text) {
                name = text
            } else {
                diagnostics.append(.error(at: value.location, path: "name",
                                          "expected a project name of letters, digits and underscores, got \(value.scalarText.map { "'\($0)'" } ?? value.kindDescription)",
                                          hint: "dbt project names are identifiers, such as `shop_analytics`"))
            }
        } else {
            diagnostics.append(.error(at: root.location, path: "name", "missing required key 'name'", hint: "add `name: my_project`"))
        }
        func paths(_ key: String, default defaultValue: String) -> [String] {
            // dbt before 1.0 called model-paths `source-paths` and seed-paths `data-paths`; dbt 1.11 still reads them.
            let older = ["model-paths": "source-paths", "seed-paths": "data-paths"][key]
            guard let value = root[key] ?? older.flatMap({ root[$0] }) else { return [defaultValue] }
            if let text = value.string { return [text] }
            if let items = value.items, items.allSatisfy({ $0.string != nil }) { return items.map { $0.string! } }
            diagnostics.append(.error(at: value.location, path: key, "expected a list of directories, got \(value.kindDescription)",
                                      hint: "such as `\(key): [\(defaultValue)]`"))
            return []
        }
        var vars: [String: YAMLValue] = [:], writtenVars: [String: YAMLValue] = [:]
        if let varsValue = root["vars"] {
            if let varEntries = varsValue.entries {
                for entry in varEntries { vars[entry.key] = entry.value }
                writtenVars = vars
                if let scoped = varsValue[name]?.entries {
                    for entry in scoped { vars[entry.key] = entry.value }
                }
            } else if !varsValue.isNull {
                diagnostics.append(.error(at: varsValue.location, path: "vars", "expected a mapping of var names to values, got \(varsValue.kindDescription)"))
            }
        }
        var installPath = "dbt_packages"
        if let value = root["packages-install-path"] {
            if let text = value.string, !text.isEmpty {
                installPath = text
            } else {
                diagnostics.append(.error(at: value.location, path: "packages-install-path", "expected a directory, got \(value.kindDescription)",
                                          hint: "such as `packages-install-path: dbt_packages`"))
            }
        }
        let dispatch = readDispatch(root["dispatch"], &diagnostics)
        func hooks(_ key: String) -> [ConfigEntry] {
            guard let value = root[key], !value.isNull else { return [] }
            let items = value.items ?? [value]
            var found: [ConfigEntry] = []
            for (index, item) in items.enumerated() {
                guard let text = item.string else {
                    diagnostics.append(.error(at: item.location, path: "\(key)[\(index)]", "expected a SQL statement, got \(item.kindDescription)"))
                    continue
                }
                if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    found.append(ConfigEntry(key: "\(key)[\(index)]", value: .string(text), location: item.location))
                }
            }
            return found
        }
        let onRunStart = hooks("on-run-start"), onRunEnd = hooks("on-run-end")
        let models = ConfigTree(root["models"], key: "models", project: name)
        let seeds = ConfigTree(root["seeds"], key: "seeds", project: name)
        let tests = ConfigTree(root["data_tests"] ?? root["tests"], key: root["data_tests"] != nil ? "data_tests" : "tests", project: name)
        let snapshots = ConfigTree(root["snapshots"], key: "snapshots", project: name)
        diagnostics += models.diagnostics + seeds.diagnostics + tests.diagnostics + snapshots.diagnostics
        var project = DbtProjectFile(
            name: name, modelPaths: paths("model-paths", default: "models"), seedPaths: paths("seed-paths", default: "seeds"),
            testPaths: paths("test-paths", default: "tests"), macroPaths: paths("macro-paths", default: "macros"),
            snapshotPaths: paths("snapshot-paths", default: "snapshots"), analysisPaths: paths("analysis-paths", default: "analyses"),
            vars: vars, writtenVars: writtenVars, packagesInstallPath: installPath, dispatch: dispatch,
            models: models, seeds: seeds, tests: tests, snapshots: snapshots, bytes: bytes, onRunStart: onRunStart, onRunEnd: onRunEnd)
        project.latestVersionPointerByDefault = root["flags"]?["latest_version_pointer_enabled_by_default"]?.bool ?? false
        project.version = root["version"]?.scalarText
        return (diagnostics.hasErrors ? nil : project, diagnostics)
    }

    /// `dispatch: [{macro_namespace: dbt_utils, search_order: [my_project, dbt_utils]}]`.
    private static func readDispatch(_ value: YAMLValue?, _ diagnostics: inout [Diagnostic]) -> [String: [String]] {
        guard let value, !value.isNull else { return [:] }
        let example = "such as `dispatch: [{macro_namespace: dbt_utils, search_order: [my_project, dbt_utils]}]`"
        guard let items = value.items else {
            diagnostics.append(.error(at: value.location, path: "dispatch", "expected a list of namespaces and search orders, got \(value.kindDescription)",
                                      hint: example))
            return [:]
        }
        var result: [String: [String]] = [:]
        for (index, item) in items.enumerated() {
            let path = "dispatch[\(index)]"
            guard let namespace = item["macro_namespace"]?.string else {
                diagnostics.append(.error(at: item.location, path: path + ".macro_namespace", "missing the macro namespace (a package's name)", hint: example))
                continue
            }
            guard let order = item["search_order"]?.items, order.allSatisfy({ $0.string != nil }), !order.isEmpty else {
                diagnostics.append(.error(at: item["search_order"]?.location ?? item.location, path: path + ".search_order",
                                          "expected a list of package names to search, in order", hint: example))
                continue
            }
            result[namespace] = order.map { $0.string! }
        }
        return result
    }
}

/// A `models:`/`seeds:`/`data_tests:` tree: `+key` entries are config, other mappings are folders
/// (and, at the leaves, node names). The config of a node is every level along its fqn.
final class ConfigTree {
    final class Level {
        var entries: [ConfigEntry] = []
        var children: [String: Level] = [:]
        var path: String
        var location: SourceLocation
        var used = false

        init(path: String, location: SourceLocation) {
            self.path = path
            self.location = location
        }
    }

    let root: Level?
    private(set) var diagnostics: [Diagnostic] = []
    /// Config keys whose values are mappings, so a bare (un-`+`ed) mapping under them is not a folder.
    static let mappingKeys: Set<String> = ["column_types", "meta", "docs", "persist_docs", "grants", "quoting", "contract"]

    init(_ value: YAMLValue?, key: String, project: String) {
        guard let value, let entries = value.entries else {
            root = nil
            if let value, !value.isNull {
                diagnostics.append(.error(at: value.location, path: key, "expected a mapping of folders and `+config` keys, got \(value.kindDescription)"))
            }
            return
        }
        let root = Level(path: key, location: value.location)
        root.used = true
        self.root = root
        fill(root, entries)
    }

    private func fill(_ level: Level, _ entries: [YAMLEntry]) {
        for entry in entries {
            let path = level.path + "." + entry.key
            if entry.key.hasPrefix("+") {
                level.entries.append(ConfigEntry(key: String(entry.key.dropFirst()), value: ConfigInput(entry.value), location: entry.value.location))
            } else if let children = entry.value.entries, !Self.mappingKeys.contains(NodeConfig.normalized(entry.key)) {
                let child = Level(path: path, location: entry.keyLocation)
                level.children[entry.key] = child
                fill(child, children)
            } else if entry.value.entries == nil, !entry.value.isNull,
                      NodeConfig.knownKeys.contains(NodeConfig.normalized(entry.key))
                        || NodeConfig.acceptedKeys.contains(NodeConfig.normalized(entry.key))
                        || NodeConfig.snapshotKeys.contains(NodeConfig.normalized(entry.key)) {
                level.entries.append(ConfigEntry(key: entry.key, value: ConfigInput(entry.value), location: entry.value.location))
            } else if Self.mappingKeys.contains(NodeConfig.normalized(entry.key)) {
                level.entries.append(ConfigEntry(key: entry.key, value: ConfigInput(entry.value), location: entry.value.location))
            } else {
                diagnostics.append(.warning(at: entry.keyLocation, path: path, "'\(entry.key)' is neither a folder nor a config key",
                                            hint: Suggestions.didYouMean(entry.key, in: NodeConfig.knownKeys).map { "\($0) (config keys start with '+')" }
                                                ?? "write config keys with a '+', such as `+materialized: table`"))
            }
        }
    }

    /// Config entries along `fqn` (`[project, folder…, name]`), outermost first.
    func entries(along fqn: [String]) -> [(entries: [ConfigEntry], path: String)] {
        guard var level = root else { return [] }
        var result = [(level.entries, level.path)]
        for part in fqn {
            guard let child = level.children[part] else { break }
            child.used = true
            result.append((child.entries, child.path))
            level = child
        }
        return result
    }

    /// Warnings for folders of the tree that matched no node: usually a typo in a folder name.
    func unusedPathWarnings() -> [Diagnostic] {
        guard let root else { return [] }
        var warnings: [Diagnostic] = []
        func visit(_ level: Level) {
            for name in level.children.keys.sorted() {
                let child = level.children[name]!
                if child.used {
                    visit(child)
                } else {
                    warnings.append(.warning(at: child.location, path: child.path, "no node lives under '\(name)'; its config applies to nothing",
                                             hint: Suggestions.didYouMean(name, in: level.children.keys.filter { level.children[$0]!.used })
                                                ?? "the first level is the project name, then folders under the model paths, then node names"))
                }
            }
        }
        visit(root)
        return warnings
    }
}
