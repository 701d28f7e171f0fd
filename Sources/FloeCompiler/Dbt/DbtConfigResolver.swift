import FloeCore
import FloeJinja
import FloeTemplates
import Foundation

/// How a node's config is worked out from what the project writes: dbt_project.yml's folder trees
/// (`models:`, `seeds:`, `snapshots:`, `data_tests:`), a package's own trees first, then the
/// entries of properties files and `config()` calls, each value holding Jinja rendered natively as
/// dbt renders those files. A tree's config depends only on the levels matched, so it is worked
/// out once per deepest level and kept. Problems go to the caller's diagnostics, in order.
struct DbtConfigResolver {
    let project: DbtProjectFile
    let packages: [String: DbtProjectFile]
    /// Renders the values that hold Jinja (the compiler's serial context).
    let context: DbtRenderContext
    /// ``treeConfig(_:package:fqn:reporting:)``'s results by the path of the deepest level matched (`models.shop.staging`).
    private var treeConfigs: [String: NodeConfig] = [:]

    init(project: DbtProjectFile, packages: [String: DbtProjectFile], context: DbtRenderContext) {
        self.project = project
        self.packages = packages
        self.context = context
    }

    /// Applies config entries in order, reporting wrong values.
    mutating func apply(_ entries: [ConfigEntry], to config: inout NodeConfig, path: String, reporting diagnostics: inout [Diagnostic]) {
        for entry in entries {
            let entry = rendered(entry, reporting: &diagnostics)
            if let diagnostic = config.apply(entry, path: path.isEmpty ? entry.key : "\(path).\(entry.key)") {
                diagnostics.append(diagnostic)
            }
        }
    }

    /// A config value from YAML (dbt_project.yml's trees, properties files) holding Jinja,
    /// rendered natively as dbt renders those files: `+enabled: "{{ var('load', false) }}"` is a
    /// boolean. Hooks are left for their model's rendering, where `this` is known.
    func rendered(_ entry: ConfigEntry, reporting diagnostics: inout [Diagnostic]) -> ConfigEntry {
        let key = NodeConfig.normalized(entry.key)
        guard entry.value.holdsJinja, key != "pre_hook", key != "post_hook" else { return entry }
        let (value, outcome) = context.evaluate(entry.value, at: entry.location, base: NodeConfig())
        if outcome.needsDatabase {
            diagnostics.append(DbtProjectCompiler.queriesTheDatabase(entry.location.file, what: "the config value '\(entry.key)'"))
            return entry
        }
        if let error = outcome.error {
            diagnostics.append(.error(at: entry.location, "'\(entry.key)' does not render: \(error.message)", hint: error.hint))
            return entry
        }
        var entry = entry
        entry.value = value
        return entry
    }

    /// The config a `models:`/`seeds:`/`data_tests:` tree gives the node at `fqn`. It depends only
    /// on the levels matched, so it is worked out once per deepest level (usually a folder) and
    /// shared by the nodes under it. A package's node takes its package's own tree first, then the
    /// root project's (`models: {dbt_utils: {+schema: utils}}`), as in dbt.
    mutating func treeConfig(_ tree: KeyPath<DbtProjectFile, ConfigTree>, package: String, fqn: [String],
                             reporting diagnostics: inout [Diagnostic]) -> NodeConfig {
        var levels = project[keyPath: tree].entries(along: fqn)
        var key = levels.last?.path ?? ""
        if package != project.name, let own = packages[package] {
            let ownLevels = own[keyPath: tree].entries(along: fqn)
            key = "\(package)\u{0}\(ownLevels.last?.path ?? "")\u{0}\(key)"
            levels = ownLevels + levels
        }
        guard !levels.isEmpty else { return NodeConfig() }
        if let cached = treeConfigs[key] { return cached }
        var config = NodeConfig()
        for level in levels {
            for entry in level.entries {
                if let diagnostic = config.apply(rendered(entry, reporting: &diagnostics), path: "\(level.path).+\(entry.key)") {
                    diagnostics.append(diagnostic)
                }
            }
        }
        treeConfigs[key] = config
        return config
    }
}
