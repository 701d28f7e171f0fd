import FloeContract
import FloeCore
import FloeEngine
import FloeJinja
import FloeTemplates
import FloeYAML
import Foundation

/// Reads the Cube data-model files under floe.yaml's `semantic.path` into the plan's cubes:
/// every `.yml`/`.yaml` file below it, in path order, shape-checked, each cube's
/// `{{ ref('model') }}` resolved to the model's relation. ``CubeValidator`` then checks the
/// cubes against each other.
struct CubeFileReader {
    /// A cube as read, with where each of its parts was written, for the validator's messages.
    struct ReadCube {
        var cube: CompiledCube
        var file: String
        /// `cubes[2]`: where the cube is in its file.
        var path: String
        var location: SourceLocation
        /// `measures[1]` → the location of that member, `pre_aggregations[0].measures[2]` too.
        var locations: [String: SourceLocation]
        /// The model `sql_table` names and its columns, when its SQL shows them (``SelectColumns``).
        var modelColumns: (model: String, path: String, columns: [String])?
        /// A part's field path as its file writes it, where that is not `path.part` (a cube made
        /// from a dbt semantic model: `dimensions[2]` is `semantic_models[0].entities[2]`).
        var writtenPaths: [String: String] = [:]

        func location(of part: String) -> SourceLocation { locations[part] ?? location }
        func fieldPath(of part: String) -> String { writtenPaths[part] ?? (path + (part.isEmpty ? "" : "." + part)) }
    }

    let directory: URL
    /// How files are named in messages (relative to the working directory) and in the plan
    /// (relative to floe.yaml's directory): each a prefix ending in `/`, or empty.
    let displayPrefix: String
    let planPrefix: String
    let models: [CompiledModel]
    let dialect: any SQLDialect

    private(set) var cubes: [ReadCube] = []
    private(set) var views: [CubeViewReader.ReadView] = []
    private(set) var inputs: [InputFile] = []
    private(set) var diagnostics: [Diagnostic] = []
    /// Names of cubes left out for their shape errors, so nothing else is blamed for naming them.
    private(set) var unreadable: Set<String> = []

    init(directory: URL, displayPrefix: String, planPrefix: String, models: [CompiledModel], dialect: any SQLDialect) {
        self.directory = directory
        self.displayPrefix = displayPrefix
        self.planPrefix = planPrefix
        self.models = models
        self.dialect = dialect
    }

    mutating func readAll() {
        for relative in Self.cubeFiles(under: directory) {
            let display = displayPrefix + relative
            let loaded = YAMLLoader().load(contentsOf: directory.appendingPathComponent(relative), displayPath: display)
            diagnostics += loaded.diagnostics
            if let bytes = loaded.bytes { inputs.append(InputFile(path: planPrefix + relative, sha256: InputHasher.sha256(bytes))) }
            guard let value = loaded.value, !value.isNull else { continue }
            let problems = ShapeValidator.validate(value, against: .object(CubeShape.file))
            diagnostics += problems
            let errorPaths = problems.filter { $0.severity == .error }.map(\.path)
            guard value.entries != nil, !errorPaths.contains(where: { !$0.hasPrefix("cubes[") && !$0.hasPrefix("views[") }) else { continue }
            for (index, view) in (value["views"]?.items ?? []).enumerated() {
                let path = "views[\(index)]"
                if errorPaths.contains(where: { $0 == path || $0.hasPrefix(path + ".") }) { continue }
                views.append(CubeViewReader.read(view, path: path, file: display, planPath: planPrefix + relative, diagnostics: &diagnostics))
            }
            // A cube with a shape error is left out, the others read: every file's other
            // mistakes are still reported, and references to the cube left out are not.
            for (index, cube) in (value["cubes"]?.items ?? []).enumerated() {
                let path = "cubes[\(index)]"
                if errorPaths.contains(where: { $0 == path || $0.hasPrefix(path + ".") }) {
                    if let name = cube["name"]?.scalarText { unreadable.insert(name) }
                    continue
                }
                read(cube, path: path, file: display, planPath: planPrefix + relative)
            }
        }
    }

    /// The relative paths of the YAML files under `directory`, sorted.
    static func cubeFiles(under directory: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        let base = directory.standardizedFileURL.path + "/"
        var paths: [String] = []
        for case let url as URL in walker where ["yml", "yaml"].contains(url.pathExtension) {
            let path = url.standardizedFileURL.path
            if path.hasPrefix(base) { paths.append(String(path.dropFirst(base.count))) }
        }
        return paths.sorted()
    }

    private mutating func read(_ value: YAMLValue, path: String, file: String, planPath: String) {
        var locations: [String: SourceLocation] = [:]
        func text(_ key: String, in value: YAMLValue) -> String? { value[key]?.scalarText }
        func flag(_ key: String, in value: YAMLValue) -> Bool? { value[key]?.bool }
        func visible(_ value: YAMLValue) -> Bool { flag("public", in: value) ?? flag("shown", in: value) ?? true }
        func list(_ key: String, in value: YAMLValue, part: String) -> [YAMLValue] {
            let items = value[key]?.items ?? []
            for (index, item) in items.enumerated() { locations["\(part)[\(index)]"] = item.location }
            return items
        }

        let name = text("name", in: value) ?? ""
        var dependsOn: Set<String> = []
        var modelColumns: (model: String, path: String, columns: [String])?
        var sqlTable: String?, sql: String?
        switch (value["sql_table"], value["sql"]) {
        case (let table?, nil):
            sqlTable = resolveRefs(table, path: path + ".sql_table", dependsOn: &dependsOn)
            if dependsOn.count == 1, let model = models.first(where: { $0.uniqueID == dependsOn.first }),
               sqlTable == dialect.relation(model.relation), let columns = SelectColumns.of(model.sql, flavor: dialect.sqlFlavor) {
                modelColumns = (model.name, model.path, columns)
            }

        case (nil, let select?):
            sql = resolveRefs(select, path: path + ".sql", dependsOn: &dependsOn)
        case (.some, .some):
            diagnostics.append(.error(at: value["sql"]!.location, path: path + ".sql", "cube '\(name)' has both sql_table and sql",
                                      hint: "keep one: sql_table names a table, sql is a SELECT"))
        case (nil, nil):
            diagnostics.append(.error(at: value.location, path: path, "cube '\(name)' needs sql_table or sql",
                                      hint: "write sql_table: \"{{ ref('my_model') }}\""))
        }

        let measures = list("measures", in: value, part: "measures").map { item in
            CubeMeasure(name: text("name", in: item) ?? "", type: text("type", in: item) ?? "", sql: text("sql", in: item),
                        title: text("title", in: item), description: text("description", in: item), format: text("format", in: item),
                        filters: (item["filters"]?.items ?? []).compactMap { $0["sql"]?.scalarText },
                        drillMembers: (item["drill_members"]?.items ?? []).compactMap(\.scalarText), isPublic: visible(item))
        }
        let dimensions = list("dimensions", in: value, part: "dimensions").map { item in
            CubeDimension(name: text("name", in: item) ?? "", type: text("type", in: item) ?? "", sql: text("sql", in: item),
                          primaryKey: flag("primary_key", in: item) ?? false, title: text("title", in: item),
                          description: text("description", in: item), format: text("format", in: item), isPublic: visible(item),
                          cases: (item["case"]?["when"]?.items ?? []).map {
                              CubeCase(sql: $0["sql"]?.scalarText ?? "", label: $0["label"]?.scalarText ?? "")
                          },
                          caseElse: item["case"]?["else"]?["label"]?.scalarText)
        }
        let joins = list("joins", in: value, part: "joins").map { item in
            CubeJoin(name: text("name", in: item) ?? "", relationship: Self.relationship(text("relationship", in: item) ?? ""),
                     sql: text("sql", in: item) ?? "")
        }
        let segments = list("segments", in: value, part: "segments").map { item in
            CubeSegment(name: text("name", in: item) ?? "", sql: text("sql", in: item) ?? "")
        }
        let preAggregations = list("pre_aggregations", in: value, part: "pre_aggregations").enumerated().map { index, item in
            func members(_ key: String) -> [String] {
                let items = item[key]?.items ?? []
                for (position, member) in items.enumerated() { locations["pre_aggregations[\(index)].\(key)[\(position)]"] = member.location }
                return items.compactMap(\.scalarText).map { Self.qualified($0, in: name) }
            }
            if let time = item["time_dimension"] { locations["pre_aggregations[\(index)].time_dimension"] = time.location }
            return CubePreAggregation(
                name: text("name", in: item) ?? "", type: text("type", in: item) ?? "rollup", measures: members("measures"),
                dimensions: members("dimensions"), segments: members("segments"),
                timeDimension: text("time_dimension", in: item).map { Self.qualified($0, in: name) },
                granularity: text("granularity", in: item), partitionGranularity: text("partition_granularity", in: item),
                refreshEvery: item["refresh_key"]?["every"]?.scalarText)
        }
        let policies = list("access_policy", in: value, part: "access_policy").enumerated().map { index, item in
            readPolicy(item, cube: name, path: "\(path).access_policy[\(index)]", part: "access_policy[\(index)]", locations: &locations)
        }
        cubes.append(ReadCube(
            cube: CompiledCube(name: name, path: planPath, title: text("title", in: value), description: text("description", in: value),
                               isPublic: visible(value), sqlTable: sqlTable, sql: sql, dependsOn: dependsOn.sorted(), measures: measures,
                               dimensions: dimensions, joins: joins, segments: segments, preAggregations: preAggregations,
                               accessPolicy: policies.isEmpty ? nil : policies),
            file: file, path: path, location: value.location, locations: locations, modelColumns: modelColumns))
    }

    /// One `access_policy` entry; member names qualified with the cube's, shapes the YAML
    /// shape could not check (`includes: "*"` or a list, nested filters) checked here.
    private mutating func readPolicy(
        _ item: YAMLValue, cube: String, path: String, part: String, locations: inout [String: SourceLocation]
    ) -> CubeAccessPolicy {
        var policy = CubeAccessPolicy(role: item["role"]?.scalarText ?? "")
        if let conditions = item["conditions"] {
            diagnostics.append(.error(at: conditions.location, path: path + ".conditions", "access policy conditions are not supported by floe",
                                      hint: "give the role its own policy instead"))
        }
        if let includes = item["member_level"]?["includes"] {
            if includes.scalarText == "*" {
                policy.includes = nil
            } else if let items = includes.items {
                policy.includes = items.compactMap(\.scalarText).map { Self.member($0, of: cube) }
                for (index, member) in items.enumerated() { locations["\(part).member_level.includes[\(index)]"] = member.location }
            } else {
                diagnostics.append(.error(at: includes.location, path: path + ".member_level.includes",
                                          "expected \"*\" or a list of members, found \(includes.kindDescription)", hint: "write includes: \"*\" or includes: [status, count]"))
            }
        }
        let excludes = item["member_level"]?["excludes"]?.items ?? []
        policy.excludes = excludes.compactMap(\.scalarText).map { Self.member($0, of: cube) }
        for (index, member) in excludes.enumerated() { locations["\(part).member_level.excludes[\(index)]"] = member.location }
        let rowLevel = item["row_level"]
        if let rowLevel, rowLevel["allow_all"]?.bool != true {
            if let filters = rowLevel["filters"] {
                policy.rowFilters = readFilters(filters, cube: cube, path: path + ".row_level.filters", part: part + ".row_level.filters", depth: 0, locations: &locations)
            } else if rowLevel["allow_all"] == nil {
                diagnostics.append(.error(at: rowLevel.location, path: path + ".row_level", "row_level needs filters or allow_all: true",
                                          hint: "write filters: [{member: region, operator: equals, values: [\"{ securityContext.region }\"]}]"))
            }
        }
        return policy
    }

    private mutating func readFilters(
        _ value: YAMLValue, cube: String, path: String, part: String, depth: Int, locations: inout [String: SourceLocation]
    ) -> [AccessFilter] {
        guard let items = value.items, depth < 8 else {
            diagnostics.append(.error(at: value.location, path: path, depth < 8 ? "expected a list of filters, found \(value.kindDescription)" : "filters nest too deep",
                                      hint: "write - {member: region, operator: equals, values: [\"{ securityContext.region }\"]}"))
            return []
        }
        return items.enumerated().map { index, item in
            let here = "\(path)[\(index)]"
            for key in ["and", "or"] {
                if let nested = item[key] {
                    let children = readFilters(nested, cube: cube, path: "\(here).\(key)", part: "\(part)[\(index)].\(key)", depth: depth + 1, locations: &locations)
                    return key == "and" ? AccessFilter(and: children) : AccessFilter(or: children)
                }
            }
            let member = item["member"]?.scalarText
            let operation = item["operator"]?.scalarText
            if member == nil { diagnostics.append(.error(at: item.location, path: here, "a filter needs member, operator and values", hint: "or and/or with a list")) }
            if let operation, !AccessFilter.operators.contains(operation) {
                diagnostics.append(.error(at: item["operator"]!.location, path: here + ".operator", "unknown filter operator '\(operation)'",
                                          hint: Suggestions.didYouMean(operation, in: AccessFilter.operators)))
            } else if operation == nil, member != nil {
                diagnostics.append(.error(at: item.location, path: here, "the filter needs an operator", hint: "e.g. operator: equals"))
            }
            if member != nil { locations["\(part)[\(index)]"] = item["member"]!.location }
            return AccessFilter(member: member.map { Self.member($0, of: cube) }, operator: operation,
                                values: (item["values"]?.items ?? []).compactMap(\.scalarText))
        }
    }

    /// Cube's legacy relationship names, as Cube maps them.
    static func relationship(_ text: String) -> String {
        switch text {
        case "belongs_to": return "many_to_one"
        case "has_many": return "one_to_many"
        case "has_one": return "one_to_one"
        default: return text
        }
    }

    /// `CUBE.status` → `orders.status`; other names as written.
    /// `member` of this cube as `Cube.member`: a bare name is the cube's own.
    static func member(_ member: String, of cube: String) -> String {
        member.contains(".") ? qualified(member, in: cube) : cube + "." + member
    }

    static func qualified(_ member: String, in cube: String) -> String {
        member.hasPrefix("CUBE.") ? cube + member.dropFirst(4) : member
    }

    /// Replaces each `{{ ref('model') }}` with the model's relation and records the model; any
    /// other template is an error (cube files are not rendered with the dbt context).
    private mutating func resolveRefs(_ value: YAMLValue, path: String, dependsOn: inout Set<String>) -> String {
        let text = value.scalarText ?? ""
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                diagnostics.append(.error(at: value.location, path: path, "'{{' is not closed", hint: "write {{ ref('my_model') }}"))
                return text
            }
            let inside = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[close.upperBound...]
            guard let name = Self.refArgument(inside) else {
                diagnostics.append(.error(at: value.location, path: path, "only {{ ref('model') }} is understood in a cube's SQL, got {{ \(inside) }}",
                                          hint: "name the model with ref(); other Jinja is not rendered in cube files"))
                continue
            }
            guard let model = models.first(where: { $0.name == name }) else {
                diagnostics.append(.error(at: value.location, path: path, "ref('\(name)') names no model",
                                          hint: Suggestions.didYouMean(name, in: models.map(\.name))))
                continue
            }
            guard model.materialized != .ephemeral else {
                diagnostics.append(.error(at: value.location, path: path, "ref('\(name)') names an ephemeral model, which has no table",
                                          hint: "materialize '\(name)' as a table or view to build a cube on it"))
                continue
            }
            dependsOn.insert(model.uniqueID)
            output += dialect.relation(model.relation)
        }
        return output + rest
    }

    /// `ref('orders')` or `ref("orders")` → `orders`.
    static func refArgument(_ call: String) -> String? {
        guard call.hasPrefix("ref("), call.hasSuffix(")") else { return nil }
        let argument = call.dropFirst(4).dropLast().trimmingCharacters(in: .whitespaces)
        guard argument.count >= 2, let quote = argument.first, quote == "'" || quote == "\"", argument.last == quote else { return nil }
        let name = argument.dropFirst().dropLast()
        return name.isEmpty ? nil : String(name)
    }
}
