import FloeContract
import FloeCore
import FloeTemplates

/// The project's run hooks in the plan: rendered at compile, or kept as templates for apply time.
extension DbtPlanAssembly {
    /// dbt_project.yml's `on-run-start` and `on-run-end`, of every installed package (by package
    /// name) and then the root project's, as dbt orders them, each rendered as dbt renders them
    /// (no `this`) with its own project's macros first. One that queries the database, reads
    /// `graph` or (on-run-end) `results` or `schemas` while rendering is rendered at apply time
    /// instead: an empty statement at its position, and its template.
    mutating func runHooks() -> (RunHooks?, [String: ModelTemplate]) {
        let projects = context.reading.packages.keys.sorted().compactMap { context.reading.packages[$0] } + [project]
        guard projects.contains(where: { !$0.onRunStart.isEmpty || !$0.onRunEnd.isEmpty }) else { return (nil, [:]) }
        var templates: [String: ModelTemplate] = [:]
        func render(kind: String, _ entries: (DbtProjectFile) -> [ConfigEntry]) -> [String] {
            var statements: [String] = []
            for owner in projects {
                for entry in entries(owner) {
                    let source = entry.value.string ?? ""
                    let outcome = serialContext.render(source: source, file: entry.location.file, slot: nil, model: [],
                                                       base: NodeConfig(), incremental: false, package: owner.name)
                    if outcome.needsDatabase {
                        templates[RunHooks.templateKey(kind, index: statements.count)] = runHookTemplate(source, package: owner.name)
                        statements.append("")
                    } else if let error = outcome.error {
                        result.diagnostics.append(.error(at: entry.location, path: entry.key, "the hook does not render: \(error.message)", hint: error.hint))
                    } else {
                        let sql = finisher.finish(outcome.text, refs: (outcome.refs + outcome.sources).map(\.slot))
                            .trimmingCharacters(in: .whitespacesAndNewlines)
                        if !sql.isEmpty { statements.append(sql) }
                    }
                }
            }
            return statements
        }
        let start = render(kind: "on-run-start") { $0.onRunStart }
        // dbt's `results` and `schemas`, the run's, exist only when the run ends.
        let endOnly = ["results", "schemas", "database_schemas"]
        for name in endOnly { serialContext.environment.globals.values[name] = DbtGraph.knownWhenTheRunEnds(name) }
        defer { for name in endOnly { serialContext.environment.globals.values[name] = nil } }
        return (RunHooks(onRunStart: start, onRunEnd: render(kind: "on-run-end") { $0.onRunEnd }), templates)
    }

    /// A run hook's template: what `ref()` may name is every model of the project, as in dbt's
    /// on-run-end, where any node can be read.
    private func runHookTemplate(_ text: String, package: String) -> ModelTemplate {
        let refs = table.models.filter { table[$0].enabled && !table[$0].ephemeral }.map(templateReference(to:))
        let directory = package == project.name ? request.planPrefix : context.reading.packagePlanPrefixes[package] ?? request.planPrefix
        return ModelTemplate(path: directory + "dbt_project.yml", text: text, package: package, refs: refs, sources: [],
                             node: [:], config: [:], environment: [:])
    }
}
