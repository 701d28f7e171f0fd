import FloeCore
import FloeYAML

/// dbt's semantic layer as its properties files write it (`semantic_models:`, `metrics:`,
/// `saved_queries:`), read with where each part is. ``DbtSemanticLayer`` turns them into cubes.
public struct DbtSemanticDefinitions: Sendable {
    public var models: [SemanticModel] = []
    public var metrics: [Metric] = []
    public var savedQueries: [SavedQuery] = []

    public init() {}

    public var isEmpty: Bool { models.isEmpty && metrics.isEmpty && savedQueries.isEmpty }

    /// Where a definition was written: its file (as messages and the plan name it) and field path.
    public struct Origin: Sendable {
        public var file: String
        public var planPath: String
        /// `semantic_models[0]`.
        public var path: String
        public var location: SourceLocation
    }

    public struct SemanticModel: Sendable {
        public var name: String
        /// As written: `ref('orders')`.
        public var model: String
        public var modelLocation: SourceLocation
        public var label: String?
        public var description: String?
        public var defaultTimeDimension: String?
        public var defaultTimeDimensionLocation: SourceLocation?
        public var entities: [Entity]
        public var dimensions: [Dimension]
        public var measures: [Measure]
        public var origin: Origin
    }

    public struct Entity: Sendable {
        /// `primary`, `unique`, `natural` or `foreign`.
        public var type: String
        public var name: String
        public var expr: String?
        public var location: SourceLocation
    }

    public struct Dimension: Sendable {
        /// `categorical` or `time`.
        public var type: String
        public var name: String
        public var expr: String?
        public var label: String?
        public var description: String?
        /// A time dimension's `type_params.time_granularity` (`day`, …).
        public var timeGranularity: String?
        public var location: SourceLocation
    }

    public struct Measure: Sendable {
        public var name: String
        /// `sum`, `count`, `count_distinct`, `average`, `min`, `max`, `sum_boolean`, `median`, `percentile`.
        public var agg: String
        public var expr: String?
        public var label: String?
        public var description: String?
        public var aggTimeDimension: String?
        /// `create_metric: true`: a simple metric of the same name.
        public var createsMetric: Bool
        /// `agg_params.percentile`, and whether `use_discrete_percentile` is set.
        public var percentile: Double?
        public var discretePercentile: Bool
        /// Set for `non_additive_dimension`, which floe does not honour (the measure is skipped).
        public var nonAdditive: SourceLocation?
        public var location: SourceLocation
    }

    /// A metric's input: a measure (simple, cumulative) or another metric (ratio, derived), with
    /// the filter, alias and offset it may carry.
    public struct Input: Sendable {
        public var name: String
        public var alias: String?
        public var filters: [String]
        /// `offset_window` or `offset_to_grain`, which floe does not answer yet.
        public var offset: String?
        public var location: SourceLocation

        public init(name: String, alias: String? = nil, filters: [String], offset: String? = nil, location: SourceLocation) {
            self.name = name
            self.alias = alias
            self.filters = filters
            self.offset = offset
            self.location = location
        }
    }

    public struct Metric: Sendable {
        /// `simple`, `ratio`, `derived`, `cumulative` or `conversion`.
        public var type: String
        public var name: String
        public var label: String?
        public var description: String?
        public var filters: [String]
        /// simple and cumulative: the measure.
        public var measure: Input?
        public var numerator: Input?
        public var denominator: Input?
        /// derived: the expression over `metrics`' names or aliases.
        public var expr: String?
        public var metrics: [Input]
        /// cumulative: `window` or `grain_to_date`, which floe does not answer yet.
        public var window: String?
        public var origin: Origin

        public init(type: String, name: String, label: String?, description: String?, filters: [String], measure: Input?, numerator: Input? = nil,
                    denominator: Input? = nil, expr: String? = nil, metrics: [Input], window: String? = nil, origin: Origin) {
            self.type = type
            self.name = name
            self.label = label
            self.description = description
            self.filters = filters
            self.measure = measure
            self.numerator = numerator
            self.denominator = denominator
            self.expr = expr
            self.metrics = metrics
            self.window = window
            self.origin = origin
        }
    }

    public struct SavedQuery: Sendable {
        public var name: String
        public var label: String?
        public var description: String?
        public var metrics: [(name: String, location: SourceLocation)]
        /// As written: `TimeDimension('metric_time', 'day')`, `Dimension('customer__region')`, `Entity('customer')`.
        public var groupBy: [(text: String, location: SourceLocation)]
        public var whereLocation: SourceLocation?
        public var origin: Origin
    }
}

extension DbtProperties {
    /// Reads a properties file's `semantic_models:`, `metrics:` and `saved_queries:`.
    mutating func readSemantic(_ root: YAMLValue, file: String, planPath: String) {
        func origin(_ item: YAMLValue, _ path: String) -> DbtSemanticDefinitions.Origin {
            DbtSemanticDefinitions.Origin(file: file, planPath: planPath, path: path, location: item["name"]?.location ?? item.location)
        }
        for (index, item) in list(root["semantic_models"], path: "semantic_models").enumerated() {
            let path = "semantic_models[\(index)]"
            guard let name = requiredName(item, path: path) else { continue }
            guard let model = string(item["model"], path: path + ".model") else {
                diagnostics.append(.error(at: item.location, path: path + ".model", "semantic model '\(name)' names no model",
                                          hint: "add `model: ref('the_model')`"))
                continue
            }
            semantic.models.append(DbtSemanticDefinitions.SemanticModel(
                name: name, model: model, modelLocation: item["model"]!.location, label: string(item["label"], path: path + ".label"),
                description: string(item["description"], path: path + ".description"),
                defaultTimeDimension: string(item["defaults"]?["agg_time_dimension"], path: path + ".defaults.agg_time_dimension"),
                defaultTimeDimensionLocation: item["defaults"]?["agg_time_dimension"]?.location,
                entities: entities(item, path: path), dimensions: semanticDimensions(item, path: path), measures: measures(item, path: path),
                origin: origin(item, path)))
        }
        for (index, item) in list(root["metrics"], path: "metrics").enumerated() {
            let path = "metrics[\(index)]"
            guard let name = requiredName(item, path: path) else { continue }
            if let metric = metric(item, name: name, path: path, origin: origin(item, path)) { semantic.metrics.append(metric) }
        }
        for (index, item) in list(root["saved_queries"], path: "saved_queries").enumerated() {
            let path = "saved_queries[\(index)]"
            guard let name = requiredName(item, path: path) else { continue }
            let parameters = item["query_params"]
            let metrics = list(parameters?["metrics"], path: path + ".query_params.metrics").compactMap { value in
                string(value, path: path + ".query_params.metrics").map { ($0, value.location) }
            }
            let groupBy = list(parameters?["group_by"], path: path + ".query_params.group_by").compactMap { value in
                string(value, path: path + ".query_params.group_by").map { ($0, value.location) }
            }
            let condition = parameters?["where"]
            semantic.savedQueries.append(DbtSemanticDefinitions.SavedQuery(
                name: name, label: string(item["label"], path: path + ".label"), description: string(item["description"], path: path + ".description"),
                metrics: metrics, groupBy: groupBy, whereLocation: condition.flatMap { $0.isNull ? nil : $0.location }, origin: origin(item, path)))
        }
    }

    private mutating func entities(_ item: YAMLValue, path: String) -> [DbtSemanticDefinitions.Entity] {
        list(item["entities"], path: path + ".entities").enumerated().compactMap { index, entity in
            let here = "\(path).entities[\(index)]"
            guard let name = requiredName(entity, path: here) else { return nil }
            let type = (string(entity["type"], path: here + ".type") ?? "").lowercased()
            guard Self.entityTypes.contains(type) else {
                diagnostics.append(.error(at: entity["type"]?.location ?? entity.location, path: here + ".type", "entity '\(name)' has type '\(type)'",
                                          hint: "an entity's type is one of \(Self.entityTypes.joined(separator: ", "))"))
                return nil
            }
            return DbtSemanticDefinitions.Entity(type: type, name: name, expr: string(entity["expr"], path: here + ".expr"), location: entity["name"]!.location)
        }
    }

    private mutating func semanticDimensions(_ item: YAMLValue, path: String) -> [DbtSemanticDefinitions.Dimension] {
        list(item["dimensions"], path: path + ".dimensions").enumerated().compactMap { index, dimension in
            let here = "\(path).dimensions[\(index)]"
            guard let name = requiredName(dimension, path: here) else { return nil }
            let type = (string(dimension["type"], path: here + ".type") ?? "").lowercased()
            guard ["categorical", "time"].contains(type) else {
                diagnostics.append(.error(at: dimension["type"]?.location ?? dimension.location, path: here + ".type", "dimension '\(name)' has type '\(type)'",
                                          hint: "a dimension's type is categorical or time"))
                return nil
            }
            return DbtSemanticDefinitions.Dimension(
                type: type, name: name, expr: string(dimension["expr"], path: here + ".expr"), label: string(dimension["label"], path: here + ".label"),
                description: string(dimension["description"], path: here + ".description"),
                timeGranularity: string(dimension["type_params"]?["time_granularity"], path: here + ".type_params.time_granularity"),
                location: dimension["name"]!.location)
        }
    }

    private mutating func measures(_ item: YAMLValue, path: String) -> [DbtSemanticDefinitions.Measure] {
        list(item["measures"], path: path + ".measures").enumerated().compactMap { index, measure in
            let here = "\(path).measures[\(index)]"
            guard let name = requiredName(measure, path: here) else { return nil }
            let agg = (string(measure["agg"], path: here + ".agg") ?? "").lowercased()
            guard Self.aggregations.contains(agg) else {
                diagnostics.append(.error(at: measure["agg"]?.location ?? measure.location, path: here + ".agg", "measure '\(name)' has agg '\(agg)'",
                                          hint: Suggestions.didYouMean(agg, in: Self.aggregations) ?? "agg is one of \(Self.aggregations.joined(separator: ", "))"))
                return nil
            }
            let parameters = measure["agg_params"]
            return DbtSemanticDefinitions.Measure(
                name: name, agg: agg, expr: string(measure["expr"], path: here + ".expr"), label: string(measure["label"], path: here + ".label"),
                description: string(measure["description"], path: here + ".description"),
                aggTimeDimension: string(measure["agg_time_dimension"], path: here + ".agg_time_dimension"),
                createsMetric: measure["create_metric"]?.bool ?? false, percentile: parameters?["percentile"]?.number,
                discretePercentile: parameters?["use_discrete_percentile"]?.bool ?? false,
                nonAdditive: measure["non_additive_dimension"].flatMap { $0.isNull ? nil : $0.location }, location: measure["name"]!.location)
        }
    }

    private mutating func metric(_ item: YAMLValue, name: String, path: String, origin: DbtSemanticDefinitions.Origin) -> DbtSemanticDefinitions.Metric? {
        let type = (string(item["type"], path: path + ".type") ?? "").lowercased()
        guard Self.metricTypes.contains(type) else {
            diagnostics.append(.error(at: item["type"]?.location ?? item.location, path: path + ".type", "metric '\(name)' has type '\(type)'",
                                      hint: Suggestions.didYouMean(type, in: Self.metricTypes) ?? "a metric's type is one of \(Self.metricTypes.joined(separator: ", "))"))
            return nil
        }
        let parameters = item["type_params"]
        let cumulative = parameters?["cumulative_type_params"]
        let window = [cumulative?["window"], cumulative?["grain_to_date"], parameters?["window"], parameters?["grain_to_date"]]
            .compactMap { $0?.scalarText }.first
        var metric = DbtSemanticDefinitions.Metric(
            type: type, name: name, label: string(item["label"], path: path + ".label"), description: string(item["description"], path: path + ".description"),
            filters: filters(item["filter"], path: path + ".filter"),
            measure: input(parameters?["measure"] ?? parameters?["metric"], path: path + ".type_params.measure"),
            numerator: input(parameters?["numerator"], path: path + ".type_params.numerator"),
            denominator: input(parameters?["denominator"], path: path + ".type_params.denominator"),
            expr: parameters?["expr"]?.scalarText, metrics: [], window: window, origin: origin)
        metric.metrics = list(parameters?["metrics"], path: path + ".type_params.metrics").enumerated().compactMap { index, value in
            input(value, path: "\(path).type_params.metrics[\(index)]")
        }
        let missing: String? = switch type {
        case "simple", "cumulative": metric.measure == nil ? "type_params.measure" : nil
        case "ratio": metric.numerator == nil ? "type_params.numerator" : metric.denominator == nil ? "type_params.denominator" : nil
        case "derived": metric.expr == nil ? "type_params.expr" : metric.metrics.isEmpty ? "type_params.metrics" : nil
        default: nil
        }
        if let missing {
            diagnostics.append(.error(at: origin.location, path: "\(path).\(missing)", "\(type) metric '\(name)' needs \(missing)"))
            return nil
        }
        return metric
    }

    /// A metric input, written as a name or as `{name, filter, alias, offset_window, offset_to_grain}`.
    private mutating func input(_ value: YAMLValue?, path: String) -> DbtSemanticDefinitions.Input? {
        guard let value, !value.isNull else { return nil }
        if let name = value.scalarText { return DbtSemanticDefinitions.Input(name: name, filters: [], location: value.location) }
        guard let name = requiredName(value, path: path) else { return nil }
        let offset = [value["offset_window"], value["offset_to_grain"]].compactMap { $0?.scalarText }.first
        return DbtSemanticDefinitions.Input(name: name, alias: string(value["alias"], path: path + ".alias"),
                                            filters: filters(value["filter"], path: path + ".filter"), offset: offset, location: value.location)
    }

    /// `filter:` as one condition or a list of them.
    private mutating func filters(_ value: YAMLValue?, path: String) -> [String] {
        guard let value, !value.isNull else { return [] }
        if let text = value.scalarText { return [text] }
        return list(value, path: path).compactMap { string($0, path: path) }
    }

    static let entityTypes = ["primary", "unique", "natural", "foreign"]
    static let aggregations = ["sum", "count", "count_distinct", "average", "avg", "min", "max", "sum_boolean", "median", "percentile"]
    static let metricTypes = ["simple", "ratio", "derived", "cumulative", "conversion"]
}
