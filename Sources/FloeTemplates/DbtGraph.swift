import FloeJinja
import FloeContract
import FloeEngine

/// dbt's `graph`: the compiled project's nodes, for templates that look across it
/// (`graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')`). It exists once the
/// whole project is compiled, so a template that reads it while the compiler renders is rendered
/// at apply time, from the plan, as one that queries the database is.
public struct DbtGraph: Sendable {
    public struct Node: Sendable {
        public var uniqueID: String
        public var name: String
        public var resourceType: String
        public var path: String?
        public var tags: [String]
        public var materialized: String?
        public var dependsOn: [String]
        public var relation: Relation?
        /// For a source: its source's name.
        public var sourceName: String?
        /// dbt's `checksum.checksum`: the SHA-256 of its file, when it has one.
        public var checksum: String?
        public var description: String?
        /// What dbt's node has beyond these, by name (a model's `compiled_code`, an exposure's `url`, `type`).
        public var extra: [(String, String?)] = []
        /// For an exposure: its owner's name.
        public var owner: String?
        /// Its documented columns (models, seeds, sources).
        public var columns: [ColumnSpec] = []
        /// For a model: whether it enforces a contract.
        public var contractEnforced = false
        /// For a test: its test's name (`unique`, `dbt_utils.equality`) and column.
        public var testName: String?
        public var columnName: String?
        /// dbt's `raw_code`, `original_file_path`, `path` and `fqn`, when the plan has them.
        public var facts: GraphNodeFacts?
    }

    public var nodes: [Node]
    /// dbt's metrics, by unique id, when the plan carries them.
    public var metrics: [(id: String, facts: GraphMetricFacts)] = []

    /// The graph of a plan: models, seeds and tests in `nodes`, sources in `sources`, exposures in `exposures`.
    public init(_ plan: CompiledArtifacts) {
        var nodes: [Node] = []
        let checksums = Dictionary(plan.metadata.inputs.map { ($0.path, $0.sha256) }, uniquingKeysWith: { first, _ in first })
        for seed in plan.seeds {
            nodes.append(Node(uniqueID: seed.uniqueID, name: seed.name, resourceType: "seed", path: seed.path, tags: seed.tags,
                              materialized: "seed", dependsOn: [], relation: seed.relation, checksum: seed.sha256, columns: seed.columns))
        }
        for model in plan.models {
            nodes.append(Node(uniqueID: model.uniqueID, name: model.name, resourceType: model.materialized == .snapshot ? "snapshot" : "model",
                              path: model.path, tags: model.tags, materialized: model.materialized.rawValue, dependsOn: model.dependsOn,
                              relation: model.materialized == .ephemeral ? nil : model.relation, checksum: checksums[model.path],
                              description: model.description,
                              extra: [("compiled_code", model.sql)], columns: model.columns,
                              contractEnforced: model.contract != nil))
        }
        for test in plan.tests {
            nodes.append(Node(uniqueID: test.uniqueID, name: test.name, resourceType: test.testName == "unit" ? "unit_test" : "test",
                              path: nil, tags: test.tags, materialized: "test", dependsOn: test.dependsOn, relation: nil,
                              testName: test.testName, columnName: test.column))
        }
        for source in plan.sources {
            nodes.append(Node(uniqueID: source.uniqueID, name: source.name, resourceType: "source", path: nil, tags: [],
                              materialized: nil, dependsOn: [], relation: source.relation, sourceName: source.sourceName, columns: source.columns))
        }
        for exposure in plan.exposures ?? [] {
            nodes.append(Node(uniqueID: exposure.uniqueID, name: exposure.name, resourceType: "exposure", path: exposure.path, tags: [],
                              materialized: nil, dependsOn: exposure.dependsOn, relation: nil, description: exposure.description,
                              extra: [("type", exposure.type), ("url", exposure.url), ("maturity", nil)], owner: exposure.owner))
        }
        // Where the plan says more of a node as dbt's graph has it: its file as written, its
        // project-relative paths and its fqn.
        if let facts = plan.templates?.graphNodes {
            for index in nodes.indices {
                guard let known = facts[nodes[index].uniqueID] else { continue }
                nodes[index].facts = known
            }
        }
        self.nodes = nodes
        metrics = (plan.templates?.graphMetrics ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The value templates read: `nodes`, `sources`, `exposures`, `metrics` (by unique id), and
    /// the empty `groups`, `semantic_models`, `saved_queries`.
    public func value(dialect: any SQLDialect) -> JinjaValue {
        func node(_ node: Node) -> JinjaValue {
            let package = node.uniqueID.split(separator: ".").dropFirst().first.map(String.init) ?? ""
            func text(_ value: String?) -> JinjaValue { value.map(JinjaValue.string) ?? .none }
            // What the plan says of the node as dbt's graph has it, else dbt's defaults (a test's
            // file is not in the plan: its path is empty).
            let facts = node.facts
            var pairs: [(String, JinjaValue)] = [
                ("unique_id", .string(node.uniqueID)), ("name", .string(node.name)), ("resource_type", .string(node.resourceType)),
                ("package_name", .string(package)), ("tags", .list(node.tags.map(JinjaValue.string))),
                ("fqn", .list((facts?.fqn ?? [package, node.name]).map(JinjaValue.string))),
                ("depends_on", .dict([("nodes", .list(node.dependsOn.map(JinjaValue.string))), ("macros", .list([]))])),
                ("config", .dict([("materialized", node.materialized.map(JinjaValue.string) ?? .none),
                                  ("tags", .list(node.tags.map(JinjaValue.string))), ("enabled", .bool(true)),
                                  ("meta", .dict([])), ("full_refresh", .none), ("freshness", .none), ("on_schema_change", .none)])),
                ("columns", .dict(node.columns.map { column in
                    (column.name, .dict([("name", .string(column.name)), ("description", .string(column.description ?? "")),
                                         ("data_type", column.type.map(JinjaValue.string) ?? .none), ("meta", .dict([])),
                                         ("tags", .list([])), ("quote", .none), ("constraints", .list([]))]))
                })),
                ("constraints", .list([])),
                ("access", .string(facts?.access ?? "protected")), ("group", text(facts?.group)), ("version", text(facts?.version)),
                ("latest_version", facts?.version == nil ? .none : text(facts?.latestVersion)),
                ("deprecation_date", .none), ("contract", .dict([("enforced", .bool(node.contractEnforced)), ("alias_types", .bool(true))])),
                ("language", .string("sql")), ("patch_path", .none), ("time_spine", .none),
                ("meta", .dict([])), ("description", .string(node.description ?? "")),
                ("checksum", .dict([("name", .string(node.checksum == nil ? "none" : "sha256")), ("checksum", .string(node.checksum ?? ""))])),
            ] + node.extra.map { ($0.0, text($0.1)) } + [
                ("path", .string(facts?.path ?? node.path ?? "")), ("original_file_path", .string(facts?.originalFilePath ?? node.path ?? "")),
                ("raw_code", .string(facts?.rawCode ?? "")),
            ]
            if let relation = node.relation {
                pairs += [("schema", .string(relation.schema)), ("alias", .string(relation.name)), ("identifier", .string(relation.name)),
                          ("database", .none), ("relation_name", .string(dialect.relation(schema: relation.schema, name: relation.name)))]
            }
            if let test = node.testName {
                pairs += [("test_metadata", .dict([("name", .string(test)), ("kwargs", .dict([])), ("namespace", .none)])),
                          ("column_name", node.columnName.map(JinjaValue.string) ?? .none)]
            }
            if node.resourceType == "exposure" {
                pairs.append(("owner", .dict([("name", node.owner.map(JinjaValue.string) ?? .none), ("email", .none)])))
            }
            if let source = node.sourceName {
                pairs += [("source_name", .string(source)), ("loader", .string("")), ("loaded_at_field", .none),
                          ("freshness", .dict([("warn_after", .dict([])), ("error_after", .dict([])), ("filter", .none)]))]
            }
            return .dict(pairs)
        }
        func group(_ types: Set<String>) -> JinjaValue {
            .dict(nodes.filter { types.contains($0.resourceType) }.map { ($0.uniqueID, node($0)) })
        }
        return .dict([
            ("nodes", group(["model", "seed", "snapshot", "test", "unit_test"])), ("sources", group(["source"])), ("exposures", group(["exposure"])),
            ("metrics", .dict(metrics.map { ($0.id, Self.metric($0.id, $0.facts)) })),
            ("groups", .dict([])), ("semantic_models", .dict([])), ("saved_queries", .dict([])),
        ])
    }

    /// A metric as dbt's graph has it.
    static func metric(_ id: String, _ facts: GraphMetricFacts) -> JinjaValue {
        func text(_ value: String?) -> JinjaValue { value.map(JinjaValue.string) ?? .none }
        func input(_ name: String?) -> JinjaValue {
            name.map { .dict([("name", .string($0)), ("filter", .none), ("alias", .none), ("offset_window", .none)]) } ?? .none
        }
        let filter: JinjaValue = facts.filters.isEmpty ? .none
            : .dict([("where_filters", .list(facts.filters.map { .dict([("where_sql_template", .string($0))]) }))])
        return .dict([
            ("unique_id", .string(id)), ("name", .string(facts.name)), ("resource_type", .string("metric")),
            ("package_name", .string(facts.package)), ("path", .string(facts.originalFilePath)),
            ("original_file_path", .string(facts.originalFilePath)), ("fqn", .list([.string(facts.package), .string(facts.name)])),
            ("description", .string(facts.description ?? "")), ("label", .string(facts.label ?? facts.name)), ("type", .string(facts.type)),
            ("type_params", .dict([("measure", input(facts.measure)), ("numerator", input(facts.numerator)),
                                   ("denominator", input(facts.denominator)), ("expr", text(facts.expr)), ("window", text(facts.window)),
                                   ("grain_to_date", .none), ("cumulative_type_params", .none), ("metrics", .list([]))])),
            ("filter", filter), ("meta", .dict([])), ("tags", .list([])), ("config", .dict([("enabled", .bool(true)), ("meta", .dict([]))])),
            ("depends_on", .dict([("nodes", .list(facts.dependsOn.map(JinjaValue.string))), ("macros", .list([]))])),
            ("group", .none),
        ])
    }

    /// A value the compiler cannot know (`results`): reading it defers the template to apply time.
    public static func knownWhenTheRunEnds(_ name: String) -> JinjaValue {
        let box = JinjaValue.DictBox()
        box.defersRendering = "\(name) are the run's, known when it ends"
        return .dict(box)
    }

    /// While the compiler renders: empty while parsing, and a stop for the first read otherwise.
    static func atCompile(parsing: Bool) -> JinjaValue {
        let empty: [(String, JinjaValue)] = ["nodes", "sources", "exposures", "metrics", "groups", "semantic_models", "saved_queries"]
            .map { ($0, .dict([])) }
        let box = JinjaValue.DictBox(empty)
        if !parsing { box.defersRendering = "graph is the compiled project, known at apply time" }
        return .dict(box)
    }
}
