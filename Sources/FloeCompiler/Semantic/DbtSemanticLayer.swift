import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Turns dbt's semantic layer (semantic models, metrics, saved queries) into the plan's cubes and
/// views, so `floe serve` answers Cube queries over a dbt project's own metric definitions:
///
/// - a semantic model is a cube on its model's table; its entities and dimensions are the cube's
///   dimensions (the primary entity its primary key), and `metric_time` its default
///   `agg_time_dimension`;
/// - a foreign entity joins the cube to the cube whose primary entity has that name (many to one);
/// - a metric is a measure of the cube its measures live in: simple metrics aggregate their
///   measure (with the metric's filter), ratio and derived metrics are `number` measures over
///   the metrics they use, cumulative ones without a window are running totals. A semantic
///   model's measures are not members by themselves, as MetricFlow queries only metrics;
/// - a saved query is a view of its metrics and group-by members, named as MetricFlow names them
///   (`customer__customer_type`).
///
/// What floe cannot answer the way MetricFlow would (offsets, windows, conversion metrics,
/// metrics over two semantic models) is a warning naming the metric, and the metric is left out.
/// The cubes are checked with the Cube files' by ``CubeValidator``.
struct DbtSemanticLayer {
    typealias Definitions = DbtSemanticDefinitions

    private let definitions: Definitions
    private let models: [CompiledModel]
    private let dialect: any SQLDialect

    private(set) var cubes: [CubeFileReader.ReadCube] = []
    private(set) var views: [CubeViewReader.ReadView] = []
    private(set) var diagnostics: [Diagnostic] = []

    /// A metric as a cube measure: where it is served, and, for a simple metric, what a filtered
    /// copy of it needs.
    private struct Served {
        var cube: Int
        var member: String
        var simple: CubeMeasure?
    }

    /// The semantic model each read semantic model became, by position in ``cubes``.
    private var semanticModels: [Definitions.SemanticModel] = []
    private var measureOwners: [String: (cube: Int, measure: Definitions.Measure)] = [:]
    private var metricDefinitions: [String: Definitions.Metric] = [:]
    /// Resolved metrics; `.some(nil)` for one left out (already reported).
    private var served: [String: Served?] = [:]
    private var resolving: Set<String> = []
    /// By cube: the expressions its members read, each computed as a column of the cube's SELECT.
    private var computed: [Int: [(column: String, expression: String)]] = [:]
    /// By cube: the relation of its model.
    private var relations: [Int: String] = [:]

    init(definitions: Definitions, models: [CompiledModel], dialect: any SQLDialect) {
        self.definitions = definitions
        self.models = models
        self.dialect = dialect
    }

    mutating func build() {
        for model in definitions.models { addCube(model) }
        addJoins()
        for metric in definitions.metrics {
            if metricDefinitions[metric.name] != nil {
                error(metric.origin.location, metric.origin.path, "metric '\(metric.name)' is defined twice", hint: "give each metric its own name")
                continue
            }
            metricDefinitions[metric.name] = metric
        }
        // `create_metric: true` on a measure is a simple metric of the same name.
        for (index, model) in semanticModels.enumerated() {
            for measure in model.measures where measure.createsMetric && metricDefinitions[measure.name] == nil {
                metricDefinitions[measure.name] = Definitions.Metric(
                    type: "simple", name: measure.name, label: measure.label, description: measure.description, filters: [],
                    measure: Definitions.Input(name: measure.name, filters: [], location: measure.location), metrics: [],
                    origin: Definitions.Origin(file: cubes[index].file, planPath: cubes[index].cube.path, path: cubes[index].path, location: measure.location))
            }
        }
        var order = definitions.metrics.map(\.name)
        order += metricDefinitions.keys.filter { !order.contains($0) }.sorted()
        for name in order { _ = resolve(name) }
        for (cube, columns) in computed {
            let select = columns.map { "\($0.expression) as \($0.column)" }.joined(separator: ",\n  ")
            cubes[cube].cube.sql = "select *,\n  \(select)\nfrom \(relations[cube]!)"
            cubes[cube].cube.sqlTable = nil
            cubes[cube].modelColumns?.columns += columns.map(\.column)
        }
        for query in definitions.savedQueries { addView(query) }
    }

    /// What a member reads: a bare column or a literal as written; any other expression becomes
    /// a column the cube's SELECT computes from its model's own row, so the expression's column
    /// names never meet a joined cube's (`case when is_food_item then …` with products joined).
    private mutating func column(_ expression: String, cube: Int, member: String) -> String {
        let trimmed = expression.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !DbtProjectFile.isIdentifier(trimmed), trimmed.contains(where: { $0.isLetter || $0 == "_" }) else { return trimmed }
        let expression = "(\(trimmed))"
        if let same = computed[cube]?.first(where: { $0.expression == expression }) { return same.column }
        var column = "floe__\(member)"
        var suffix = 2
        while computed[cube]?.contains(where: { $0.column == column }) == true {
            column = "floe__\(member)_\(suffix)"
            suffix += 1
        }
        computed[cube, default: []].append((column, expression))
        return column
    }

    /// A member's column as the cube's own (`{CUBE}.price`), for SQL that is not a bare column;
    /// a literal as it is.
    private static func own(_ column: String) -> String {
        DbtProjectFile.isIdentifier(column) ? "{CUBE}.\(column)" : column
    }

    // MARK: Cubes

    private mutating func addCube(_ model: Definitions.SemanticModel) {
        let origin = model.origin
        if let earlier = semanticModels.firstIndex(where: { $0.name == model.name }) {
            error(origin.location, origin.path, "semantic model '\(model.name)' is defined twice", hint: "the other is in \(cubes[earlier].file)")
            return
        }
        guard let name = CubeFileReader.refArgument(model.model.trimmingCharacters(in: .whitespaces)) else {
            error(model.modelLocation, origin.path + ".model", "expected ref('model'), got '\(model.model)'", hint: "write model: ref('orders')")
            return
        }
        guard let compiled = models.first(where: { $0.name == name }) else {
            error(model.modelLocation, origin.path + ".model", "semantic model '\(model.name)' reads ref('\(name)'), which names no model",
                  hint: Suggestions.didYouMean(name, in: models.map(\.name)))
            return
        }
        guard compiled.materialized != .ephemeral else {
            error(model.modelLocation, origin.path + ".model", "ref('\(name)') names an ephemeral model, which has no table",
                  hint: "materialize '\(name)' as a table or view to define a semantic model on it")
            return
        }
        let columns = SelectColumns.of(compiled.sql, flavor: dialect.sqlFlavor)
        let index = cubes.count
        relations[index] = dialect.relation(compiled.relation)
        var locations: [String: SourceLocation] = [:]
        var writtenPaths: [String: String] = [:]
        var dimensions: [CubeDimension] = []
        for (position, entity) in model.entities.enumerated() {
            writtenPaths["dimensions[\(dimensions.count)]"] = "\(origin.path).entities[\(position)]"
            locations["dimensions[\(dimensions.count)]"] = entity.location
            dimensions.append(CubeDimension(name: entity.name, type: "string", sql: column(entity.expr ?? entity.name, cube: index, member: entity.name),
                                            primaryKey: entity.type == "primary", description: "Entity (\(entity.type))"))
        }
        for (position, dimension) in model.dimensions.enumerated() {
            writtenPaths["dimensions[\(dimensions.count)]"] = "\(origin.path).dimensions[\(position)]"
            locations["dimensions[\(dimensions.count)]"] = dimension.location
            dimensions.append(CubeDimension(name: dimension.name, type: dimension.type == "time" ? "time" : "string",
                                            sql: column(dimension.expr ?? dimension.name, cube: index, member: dimension.name),
                                            title: dimension.label, description: dimension.description))
        }
        let timeNames = Set(model.measures.compactMap(\.aggTimeDimension))
        if let time = model.defaultTimeDimension ?? (timeNames.count == 1 ? timeNames.first : nil) {
            if let dimension = model.dimensions.first(where: { $0.name == time && $0.type == "time" }) {
                if !dimensions.contains(where: { $0.name == "metric_time" }) {
                    writtenPaths["dimensions[\(dimensions.count)]"] = "\(origin.path).defaults.agg_time_dimension"
                    locations["dimensions[\(dimensions.count)]"] = model.defaultTimeDimensionLocation ?? dimension.location
                    dimensions.append(CubeDimension(name: "metric_time", type: "time", sql: column(dimension.expr ?? dimension.name, cube: index, member: dimension.name),
                                                    title: "Metric time", description: "The time of this semantic model's metrics: \(time)"))
                }
            } else {
                let times = model.dimensions.filter { $0.type == "time" }.map(\.name)
                error(model.defaultTimeDimensionLocation ?? origin.location, origin.path + ".defaults.agg_time_dimension",
                      "agg_time_dimension '\(time)' is no time dimension of semantic model '\(model.name)'",
                      hint: Suggestions.didYouMean(time, in: times) ?? (times.isEmpty ? "add a dimension of type time" : "its time dimensions: \(times.joined(separator: ", "))"))
            }
        }
        for measure in model.measures {
            if let other = measureOwners[measure.name] {
                error(measure.location, origin.path + ".measures", "measure '\(measure.name)' is also defined in semantic model '\(cubes[other.cube].cube.name)'",
                      hint: "measure names are unique across a project's semantic models")
                continue
            }
            measureOwners[measure.name] = (index, measure)
        }
        semanticModels.append(model)
        cubes.append(CubeFileReader.ReadCube(
            cube: CompiledCube(name: model.name, path: origin.planPath, title: model.label, description: model.description,
                               sqlTable: dialect.relation(compiled.relation), dependsOn: [compiled.uniqueID], dimensions: dimensions),
            file: origin.file, path: origin.path, location: origin.location, locations: locations,
            modelColumns: columns.map { (compiled.name, compiled.path, $0) }, writtenPaths: writtenPaths))
    }

    /// Each foreign entity joins its cube to the cubes where an entity of that name is primary,
    /// unique or natural, many to one, as MetricFlow joins them.
    private mutating func addJoins() {
        for (index, model) in semanticModels.enumerated() {
            for entity in model.entities where entity.type == "foreign" {
                for (target, other) in semanticModels.enumerated() where target != index {
                    guard other.entities.contains(where: { $0.name == entity.name && $0.type != "foreign" }) else { continue }
                    let name = other.name
                    cubes[index].locations["joins[\(cubes[index].cube.joins.count)]"] = entity.location
                    cubes[index].writtenPaths["joins[\(cubes[index].cube.joins.count)]"] = "\(model.origin.path).entities[\(model.entities.firstIndex { $0.name == entity.name }!)]"
                    cubes[index].cube.joins.append(CubeJoin(name: name, relationship: "many_to_one", sql: "{\(entity.name)} = {\(name).\(entity.name)}"))
                }
            }
        }
    }

    // MARK: Metrics

    /// The metric as a member of some cube, adding it on first use; nil when it cannot be
    /// served (the reason is reported once).
    private mutating func resolve(_ name: String) -> Served? {
        if let done = served[name] { return done }
        guard let metric = metricDefinitions[name] else { return nil }
        guard resolving.insert(name).inserted else {
            error(metric.origin.location, metric.origin.path, "metric '\(name)' uses itself through other metrics")
            served[name] = .some(nil)
            return nil
        }
        let result = serve(metric)
        resolving.remove(name)
        served[name] = .some(result)
        return result
    }

    private mutating func serve(_ metric: Definitions.Metric) -> Served? {
        switch metric.type {
        case "simple":
            return simple(metric, running: false)
        case "cumulative":
            if let window = metric.window {
                return skip(metric, "a cumulative metric with a window or grain_to_date ('\(window)')")
            }
            return simple(metric, running: true)
        case "ratio":
            guard let numerator = metric.numerator, let denominator = metric.denominator,
                  let top = input(numerator, of: metric, role: "numerator"), let bottom = input(denominator, of: metric, role: "denominator")
            else { return nil }
            guard top.cube == bottom.cube else { return acrossModels(metric) }
            return add(CubeMeasure(name: metric.name, type: "number", sql: "1.0 * {\(top.member)} / nullif({\(bottom.member)}, 0)",
                                   title: metric.label, description: metric.description), to: top.cube, metric: metric)
        case "derived":
            var members: [String: String] = [:]
            var cube: Int?
            for item in metric.metrics {
                guard let used = input(item, of: metric, role: item.alias ?? item.name) else { return nil }
                guard cube == nil || cube == used.cube else { return acrossModels(metric) }
                cube = used.cube
                members[item.alias ?? item.name] = used.member
            }
            guard let cube, let expression = metric.expr else { return nil }
            let sql = Self.replacingIdentifiers(in: expression) { members[$0].map { "{\($0)}" } }
            return add(CubeMeasure(name: metric.name, type: "number", sql: sql, title: metric.label, description: metric.description),
                       to: cube, metric: metric)
        default:
            return skip(metric, "\(metric.type) metrics")
        }
    }

    /// A simple (or cumulative) metric: its measure's aggregate, with the metric's filters.
    private mutating func simple(_ metric: Definitions.Metric, running: Bool) -> Served? {
        guard let input = metric.measure else { return nil }
        if input.offset != nil { return skip(metric, "offsets") }
        guard let (cube, measure) = measureOwners[input.name] else {
            error(input.location, metric.origin.path + ".type_params.measure", "metric '\(metric.name)' uses measure '\(input.name)', which no semantic model defines",
                  hint: Suggestions.didYouMean(input.name, in: measureOwners.keys))
            return nil
        }
        if measure.nonAdditive != nil { return skip(metric, "measures with a non_additive_dimension ('\(measure.name)')") }
        guard let filters = renderFilters(metric.filters + input.filters, cube: cube, metric: metric) else { return nil }
        let expression = column(measure.expr ?? measure.name, cube: cube, member: measure.name)
        var base = CubeMeasure(name: metric.name, type: "", sql: expression, title: metric.label ?? measure.label,
                               description: metric.description ?? measure.description, filters: filters)
        switch (measure.agg, running) {
        case ("sum", _): base.type = running ? "running_total" : "sum"
        case (_, true): return skip(metric, "cumulative metrics over a \(measure.agg) measure")
        case ("count", _): base.type = "count"
        case ("count_distinct", _): base.type = "count_distinct"
        case ("average", _), ("avg", _): base.type = "avg"
        case ("min", _), ("max", _): base.type = measure.agg
        case ("sum_boolean", _):
            base.type = "sum"
            base.sql = "case when \(Self.own(expression)) then 1 else 0 end"
        case ("median", _), ("percentile", _):
            // No Cube measure type: a `number` measure with the aggregate written out, the
            // filters inside it (a number measure's own filters are not applied).
            let fraction = measure.agg == "median" ? 0.5 : (measure.percentile ?? 0.5)
            let own = Self.own(expression)
            let value = filters.isEmpty ? own : "case when \(filters.map { "(\($0))" }.joined(separator: " and ")) then \(own) end"
            let function = measure.discretePercentile ? "percentile_disc" : "percentile_cont"
            base.type = "number"
            base.sql = dialect.nativeFunctions("\(function)(\(value), \(fraction))")
            base.filters = []
            return add(base, to: cube, metric: metric)
        default:
            return skip(metric, "the \(measure.agg) aggregation")
        }
        var served = add(base, to: cube, metric: metric)
        served?.simple = base
        return served
    }

    /// A metric another metric uses: its member, or a hidden filtered copy when the use adds a filter.
    private mutating func input(_ input: Definitions.Input, of metric: Definitions.Metric, role: String) -> Served? {
        if input.offset != nil {
            _ = skip(metric, "offset_window and offset_to_grain")
            return nil
        }
        guard metricDefinitions[input.name] != nil else {
            error(input.location, metric.origin.path + ".type_params", "metric '\(metric.name)' uses metric '\(input.name)', which is not defined",
                  hint: Suggestions.didYouMean(input.name, in: metricDefinitions.keys))
            return nil
        }
        guard let used = resolve(input.name) else {
            _ = skip(metric, "a metric that uses '\(input.name)', which is not served")
            return nil
        }
        let extra = metric.filters + input.filters
        guard !extra.isEmpty else { return used }
        guard var copy = used.simple else {
            _ = skip(metric, "filters on a \(metricDefinitions[input.name]!.type) metric ('\(input.name)')")
            return nil
        }
        guard let filters = renderFilters(extra, cube: used.cube, metric: metric) else { return nil }
        copy.name = "\(metric.name)__\(role)"
        copy.filters += filters
        copy.isPublic = false
        copy.title = nil
        return add(copy, to: used.cube, metric: metric)
    }

    /// Adds the measure to the cube; a name the cube's dimensions already use gets `_metric` after it.
    private mutating func add(_ measure: CubeMeasure, to cube: Int, metric: Definitions.Metric) -> Served? {
        var measure = measure
        if cubes[cube].cube.dimensions.contains(where: { $0.name == measure.name }) {
            let renamed = measure.name + "_metric"
            diagnostics.append(.warning(at: metric.origin.location, path: metric.origin.path,
                                        "metric '\(measure.name)' is served as '\(cubes[cube].cube.name).\(renamed)': the cube has a dimension named '\(measure.name)'"))
            measure.name = renamed
        }
        cubes[cube].locations["measures[\(cubes[cube].cube.measures.count)]"] = metric.origin.location
        cubes[cube].writtenPaths["measures[\(cubes[cube].cube.measures.count)]"] = metric.origin.path
        cubes[cube].cube.measures.append(measure)
        return Served(cube: cube, member: measure.name)
    }

    private mutating func skip(_ metric: Definitions.Metric, _ what: String) -> Served? {
        diagnostics.append(.warning(at: metric.origin.location, path: metric.origin.path,
                                    "metric '\(metric.name)' is not served: floe does not answer \(what) yet",
                                    hint: "see docs/dbt-compatibility.md for what floe serves of dbt's semantic layer"))
        return nil
    }

    private mutating func acrossModels(_ metric: Definitions.Metric) -> Served? {
        skip(metric, "metrics over measures of two semantic models")
    }

    // MARK: Filters and group-by names

    /// A member as MetricFlow names it, found from `cube`: `metric_time`, `entity__dimension`,
    /// an entity's name. Nil when nothing has that name.
    private func member(named written: String, from cube: Int, entity: Bool) -> (cube: Int, member: String)? {
        let parts = written.components(separatedBy: "__")
        let name = parts.last ?? written
        if entity {
            if semanticModels[cube].entities.contains(where: { $0.name == name }) { return (cube, name) }
            return semanticModels.firstIndex { $0.entities.contains { $0.name == name && $0.type != "foreign" } }.map { ($0, name) }
        }
        if parts.count == 1 {
            return cubes[cube].cube.dimensions.contains { $0.name == name } ? (cube, name) : nil
        }
        let via = parts[parts.count - 2]
        let owners = semanticModels.indices.filter { index in
            semanticModels[index].entities.contains { $0.name == via && ($0.type != "foreign" || index == cube) }
                && semanticModels[index].dimensions.contains { $0.name == name }
        }
        let owner = owners.contains(cube) ? cube : owners.first
        return owner.map { ($0, name) }
    }

    /// The metric's filters in cube SQL (`{{ Dimension('order_id__is_food_order') }} = true` →
    /// `{is_food_order} = true`); nil, with a warning, when one cannot be written.
    private mutating func renderFilters(_ filters: [String], cube: Int, metric: Definitions.Metric) -> [String]? {
        var rendered: [String] = []
        for filter in filters {
            var problem: String?
            let sql = DbtSemanticFilter.render(filter) { call in
                guard let found = member(named: call.argument, from: cube, entity: call.function == "Entity") else {
                    problem = problem ?? "\(call.function)('\(call.argument)') names nothing floe knows"
                    return nil
                }
                let reference = found.cube == cube ? "{\(found.member)}" : "{\(cubes[found.cube].cube.name).\(found.member)}"
                guard let grain = call.grain else { return reference }
                guard let part = DatePart(text: grain) else {
                    problem = problem ?? "the grain '\(grain)'"
                    return nil
                }
                return [.second, .minute, .hour].contains(part) ? dialect.dateTrunc(part, reference) : dialect.truncatedDate(part, reference)
            }
            guard let sql else {
                _ = skip(metric, "the filter's \(problem ?? "Jinja other than Dimension(), TimeDimension() and Entity()")")
                return nil
            }
            rendered.append(sql)
        }
        return rendered
    }

    // MARK: Saved queries

    private mutating func addView(_ query: Definitions.SavedQuery) {
        let origin = query.origin
        let metrics = query.metrics.compactMap { written -> (String, Served, SourceLocation)? in
            guard metricDefinitions[written.name] != nil else {
                error(written.location, origin.path + ".query_params.metrics", "saved query '\(query.name)' names metric '\(written.name)', which is not defined",
                      hint: Suggestions.didYouMean(written.name, in: metricDefinitions.keys))
                return nil
            }
            guard let used = served[written.name] ?? nil else {
                diagnostics.append(.warning(at: written.location, path: origin.path + ".query_params.metrics",
                                            "saved query '\(query.name)' leaves out metric '\(written.name)', which floe does not serve"))
                return nil
            }
            return (written.name, used, written.location)
        }
        guard let root = metrics.first?.1.cube else { return }
        if let condition = query.whereLocation {
            diagnostics.append(.warning(at: condition, path: origin.path + ".query_params.where",
                                        "saved query '\(query.name)': its view does not apply `where`",
                                        hint: "give the condition as a filter of the query that reads the view"))
        }
        let paths = joinPaths(from: root)
        var parts: [String: CubeViewReader.ReadView.Part] = [:]
        var order: [String] = []
        func include(_ cube: Int, _ member: String, as alias: String, at location: SourceLocation, path: String) {
            guard let joinPath = paths[cube] else {
                diagnostics.append(.warning(at: location, path: path,
                                            "saved query '\(query.name)' leaves out '\(alias)': '\(cubes[cube].cube.name)' is not joined from '\(cubes[root].cube.name)'"))
                return
            }
            let key = joinPath.joined(separator: ".")
            if parts[key] == nil {
                order.append(key)
                parts[key] = CubeViewReader.ReadView.Part(joinPath: key, includes: [], excludes: [], prefix: false, alias: nil, location: location, path: path)
            }
            parts[key]!.includes!.append(CubeViewReader.ReadView.Included(name: member, alias: alias == member ? nil : alias, location: location))
        }
        for (name, used, location) in metrics { include(used.cube, used.member, as: name, at: location, path: origin.path + ".query_params.metrics") }
        for written in query.groupBy {
            let path = origin.path + ".query_params.group_by"
            guard let call = DbtSemanticFilter.call(in: written.text) else {
                error(written.location, path, "expected TimeDimension('name', 'grain'), Dimension('entity__name') or Entity('name'), got '\(written.text)'")
                continue
            }
            guard let found = member(named: call.argument, from: root, entity: call.function == "Entity") else {
                error(written.location, path, "saved query '\(query.name)' groups by \(call.function)('\(call.argument)'), which names nothing",
                      hint: "name a dimension as entity__dimension, or metric_time")
                continue
            }
            include(found.cube, found.member, as: call.argument, at: written.location, path: path)
        }
        views.append(CubeViewReader.ReadView(
            name: query.name, title: query.label, description: query.description, isPublic: true, cubes: order.compactMap { parts[$0] },
            file: origin.file, path: origin.path, location: origin.location, planPath: origin.planPath))
    }

    /// The join path from `root` to every cube its joins reach, shortest first.
    private func joinPaths(from root: Int) -> [Int: [String]] {
        var paths: [Int: [String]] = [root: [cubes[root].cube.name]]
        var queue = [root]
        while !queue.isEmpty {
            let cube = queue.removeFirst()
            for join in cubes[cube].cube.joins {
                guard let next = cubes.firstIndex(where: { $0.cube.name == join.name }), paths[next] == nil else { continue }
                paths[next] = paths[cube]! + [join.name]
                queue.append(next)
            }
        }
        return paths
    }

    // MARK: SQL text

    private mutating func error(_ location: SourceLocation, _ path: String, _ message: String, hint: String? = nil) {
        diagnostics.append(.error(at: location, path: path, message, hint: hint))
    }

    /// `text` with each identifier that `replacement` gives text for replaced; identifiers inside
    /// quotes, after a `.`, or called as functions are left alone.
    static func replacingIdentifiers(in text: String, _ replacement: (String) -> String?) -> String {
        let characters = Array(text)
        var output = ""
        var index = 0
        func isStart(_ character: Character) -> Bool { character == "_" || (character.isASCII && character.isLetter) }
        func isPart(_ character: Character) -> Bool { isStart(character) || (character.isASCII && character.isNumber) }
        while index < characters.count {
            let character = characters[index]
            if character == "'" || character == "\"" || character == "{" {
                let close: Character = character == "{" ? "}" : character
                var end = index + 1
                while end < characters.count && characters[end] != close { end += 1 }
                end = min(end + 1, characters.count)
                output += String(characters[index..<end])
                index = end
                continue
            }
            guard isStart(character), index == 0 || !isPart(characters[index - 1]) else {
                output.append(character)
                index += 1
                continue
            }
            var end = index
            while end < characters.count && isPart(characters[end]) { end += 1 }
            let word = String(characters[index..<end])
            var next = end
            while next < characters.count && characters[next] == " " { next += 1 }
            let qualified = index > 0 && characters[index - 1] == "."
            let called = next < characters.count && characters[next] == "("
            output += (!qualified && !called ? replacement(word) : nil) ?? word
            index = end
        }
        return output
    }
}
