import FloeContract
import FloeTemplates

/// What dbt's `graph` says beyond the plan's nodes, for templates rendered at apply time.
extension DbtPlanAssembly {
    /// Each model's and seed's facts as dbt's graph has them: its file as written, its paths in
    /// its project, its fqn, version, access and group.
    func graphNodeFacts() -> [String: GraphNodeFacts] {
        var graphNodes: [String: GraphNodeFacts] = [:]
        for id in table.models + table.seeds where table[id].enabled {
            let fields = Dictionary(table.nodeFields(id), uniquingKeysWith: { first, _ in first })
            graphNodes[table[id].uniqueID] = GraphNodeFacts(
                rawCode: table[id].kind == .model ? table[model: id].source : nil,
                originalFilePath: fields["original_file_path"]?.rendered ?? "", path: fields["path"]?.rendered ?? "",
                fqn: fields["fqn"]?.iterated?.map(\.rendered) ?? [],
                version: fields["version"]?.rendered, latestVersion: fields["latest_version"].flatMap { if case .string(let text) = $0 { text } else { nil } },
                access: table[id].kind == .model && table[model: id].config.access != "protected" ? table[model: id].config.access : nil,
                group: table[id].kind == .model ? table[model: id].config.group : nil)
        }
        return graphNodes
    }

    /// dbt's metrics as `graph.metrics` has them: a simple or cumulative metric depends on the
    /// semantic model of its measure, a ratio or derived one on its metrics.
    func graphMetrics() -> [String: GraphMetricFacts]? {
        let semantic = properties.semantic
        guard !semantic.metrics.isEmpty else { return nil }
        var owners: [String: String] = [:]
        for model in semantic.models {
            for measure in model.measures { owners[measure.name] = "semantic_model.\(project.name).\(model.name)" }
        }
        var result: [String: GraphMetricFacts] = [:]
        for metric in semantic.metrics {
            let inputs = metric.metrics + [metric.numerator, metric.denominator].compactMap { $0 }
            let dependsOn = metric.measure.flatMap { owners[$0.name] }.map { [$0] }
                ?? inputs.map { "metric.\(project.name).\($0.name)" }
            let planPath = metric.origin.planPath
            let relative = planPath.hasPrefix(request.planPrefix) ? String(planPath.dropFirst(request.planPrefix.count)) : planPath
            result["metric.\(project.name).\(metric.name)"] = GraphMetricFacts(
                name: metric.name, package: project.name, type: metric.type, label: metric.label, description: metric.description,
                filters: metric.filters, measure: metric.measure?.name, numerator: metric.numerator?.name,
                denominator: metric.denominator?.name, expr: metric.expr, window: metric.window, dependsOn: dependsOn,
                originalFilePath: relative)
        }
        return result
    }
}
