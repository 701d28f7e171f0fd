import FloeCompiler
import FloeContract
import Foundation

/// A dbt project's semantic layer (semantic models, metrics, saved queries) as MetricFlow's
/// documents write it: the shared core of `manifest.json`'s `semantic_models`/`metrics`/
/// `saved_queries` and of `semantic_manifest.json`. Built from the definitions as written; the
/// cubes floe serves them as are another matter (docs/semantic.md).
struct SemanticDocuments {
    typealias Definitions = DbtSemanticDefinitions

    let definitions: Definitions
    let models: [CompiledModel]
    let package: String
    let database: String

    /// `ref('orders')` → the plan's model named `orders` (the root package's first).
    func model(referencedBy text: String) -> CompiledModel? {
        guard let name = Self.referencedName(text) else { return nil }
        let named = models.filter { $0.name == name }
        return named.first { $0.uniqueID.hasPrefix("model.\(package).") } ?? named.first
    }

    static func referencedName(_ text: String) -> String? {
        guard let range = text.range(of: #"ref\(\s*['"]([^'"]+)['"]"#, options: .regularExpression) else { return nil }
        let call = text[range]
        let quote = call.firstIndex { $0 == "'" || $0 == "\"" }!
        return String(call[call.index(after: quote)...].dropLast())
    }

    func semanticModel(_ definition: Definitions.SemanticModel) -> [String: JSONDocument] {
        var document: [String: JSONDocument] = [
            "name": .string(definition.name),
            "description": optional(definition.description), "label": optional(definition.label),
            "defaults": definition.defaultTimeDimension.map { ["agg_time_dimension": .string($0)] } ?? .null,
            "entities": .array(definition.entities.map { entity in
                ["name": .string(entity.name), "type": .string(entity.type), "expr": optional(entity.expr), "description": .null,
                 "label": .null, "role": .null, "config": ["meta": [:]]]
            }),
            "measures": .array(definition.measures.map(measure)),
            "dimensions": .array(definition.dimensions.map { dimension in
                var entry: [String: JSONDocument] = [
                    "name": .string(dimension.name), "type": .string(dimension.type), "expr": optional(dimension.expr),
                    "description": optional(dimension.description), "label": optional(dimension.label), "is_partition": false,
                    "metadata": .null, "config": ["meta": [:]], "type_params": .null,
                ]
                if dimension.type == "time" {
                    entry["type_params"] = ["time_granularity": .string(dimension.timeGranularity ?? "day"), "validity_params": .null]
                }
                return .object(entry)
            }),
            "primary_entity": .null, "metadata": .null,
        ]
        if let model = model(referencedBy: definition.model), let relation = model.relation as Relation? {
            var nodeRelation: [String: JSONDocument] = [
                "alias": .string(relation.name), "schema_name": .string(relation.schema),
                "relation_name": .string(DbtRelationName.of(relation, database: database)),
            ]
            nodeRelation["database"] = database.isEmpty ? .null : .string(database)
            document["node_relation"] = .object(nodeRelation)
        }
        return document
    }

    private func measure(_ measure: Definitions.Measure) -> JSONDocument {
        var parameters: JSONDocument = .null
        if measure.percentile != nil || measure.discretePercentile {
            parameters = ["percentile": measure.percentile.map(JSONDocument.number) ?? .null,
                          "use_discrete_percentile": .bool(measure.discretePercentile), "use_approximate_percentile": false]
        }
        return [
            "name": .string(measure.name), "agg": .string(measure.agg), "expr": optional(measure.expr),
            "description": optional(measure.description), "label": optional(measure.label), "create_metric": .bool(measure.createsMetric),
            "agg_params": parameters, "agg_time_dimension": optional(measure.aggTimeDimension), "non_additive_dimension": .null,
            "config": ["meta": [:]],
        ]
    }

    /// The metrics as written, and a simple metric for each measure marked `create_metric`, as
    /// dbt adds them.
    var metrics: [Definitions.Metric] {
        var all = definitions.metrics
        let named = Set(all.map(\.name))
        for model in definitions.models {
            for measure in model.measures where measure.createsMetric && !named.contains(measure.name) {
                all.append(Definitions.Metric(
                    type: "simple", name: measure.name, label: measure.label, description: measure.description, filters: [],
                    measure: Definitions.Input(name: measure.name, alias: nil, filters: [], offset: nil, location: measure.location),
                    numerator: nil, denominator: nil, expr: nil, metrics: [], window: nil, origin: model.origin))
            }
        }
        return all
    }

    /// The semantic model each measure belongs to.
    var measureOwners: [String: String] {
        var owners: [String: String] = [:]
        for model in definitions.models {
            for measure in model.measures where owners[measure.name] == nil { owners[measure.name] = model.name }
        }
        return owners
    }

    /// The measures a metric reads, through the metrics it is made of.
    func inputMeasures(_ metric: Definitions.Metric, among metrics: [String: Definitions.Metric], seen: Set<String> = []) -> [String] {
        if let measure = metric.measure { return [measure.name] }
        var names: [String] = []
        for input in [metric.numerator, metric.denominator].compactMap({ $0 }) + metric.metrics where !seen.contains(input.name) {
            guard let used = metrics[input.name] else { continue }
            for name in inputMeasures(used, among: metrics, seen: seen.union([metric.name])) where !names.contains(name) { names.append(name) }
        }
        return names
    }

    func metric(_ metric: Definitions.Metric, among metrics: [String: Definitions.Metric]) -> [String: JSONDocument] {
        var parameters: [String: JSONDocument] = [
            "measure": metric.measure.map(measureInput) ?? .null,
            "input_measures": .array(inputMeasures(metric, among: metrics).map { measureInput(.init(name: $0, alias: nil, filters: [], offset: nil,
                                                                                                   location: metric.origin.location)) }),
            "numerator": metric.numerator.map(metricInput) ?? .null, "denominator": metric.denominator.map(metricInput) ?? .null,
            "expr": optional(metric.expr), "window": .null, "grain_to_date": .null,
            "metrics": .array(metric.metrics.map(metricInput)), "conversion_type_params": .null, "cumulative_type_params": .null,
        ]
        if metric.type == "cumulative" {
            var cumulative: [String: JSONDocument] = ["window": .null, "grain_to_date": .null, "period_agg": "first"]
            if let window = metric.window {
                if let parsed = Self.window(window) { cumulative["window"] = parsed } else { cumulative["grain_to_date"] = .string(window) }
            }
            parameters["cumulative_type_params"] = .object(cumulative)
        }
        return [
            "name": .string(metric.name), "description": .string(metric.description ?? ""), "label": .string(metric.label ?? metric.name),
            "type": .string(metric.type), "type_params": .object(parameters), "filter": filter(metric.filters),
            "metadata": .null, "time_granularity": .null, "config": ["enabled": true, "meta": [:]],
        ]
    }

    func savedQuery(_ query: Definitions.SavedQuery) -> [String: JSONDocument] {
        [
            "name": .string(query.name), "description": optional(query.description), "label": optional(query.label),
            "query_params": ["metrics": .array(query.metrics.map { .string($0.name) }), "group_by": .array(query.groupBy.map { .string($0.text) }),
                             "where": .null, "order_by": [], "limit": .null],
            "exports": [], "metadata": .null,
        ]
    }

    private func measureInput(_ input: Definitions.Input) -> JSONDocument {
        ["name": .string(input.name), "filter": filter(input.filters), "alias": optional(input.alias), "join_to_timespine": false,
         "fill_nulls_with": .null]
    }

    private func metricInput(_ input: Definitions.Input) -> JSONDocument {
        var document: [String: JSONDocument] = ["name": .string(input.name), "filter": filter(input.filters), "alias": optional(input.alias),
                                                "offset_window": .null, "offset_to_grain": .null]
        if let offset = input.offset {
            if let window = Self.window(offset) { document["offset_window"] = window } else { document["offset_to_grain"] = .string(offset) }
        }
        return .object(document)
    }

    private func filter(_ filters: [String]) -> JSONDocument {
        filters.isEmpty ? .null : ["where_filters": .array(filters.map { ["where_sql_template": .string($0)] })]
    }

    /// `7 days` → `{"count": 7, "granularity": "day"}`; nil for a grain alone (`month`).
    static func window(_ text: String) -> JSONDocument? {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let count = Int(parts[0]) else { return nil }
        var granularity = parts[1].lowercased()
        if granularity.hasSuffix("s") { granularity.removeLast() }
        return ["count": .integer(count), "granularity": .string(granularity)]
    }

    private func optional(_ text: String?) -> JSONDocument { text.map(JSONDocument.string) ?? .null }
}
