import FloeColumnLineage
import FloeCompiler
import FloeContract
import FloeRuntime
import FloeSQL

/// Everything the docs site shows, as one JSON document the pages read (`data.js`): every node
/// (sources, seeds, models, snapshots, analyses, exposures, cubes) with its description, columns
/// (the warehouse's types where the catalog has them, the tests on each), raw and compiled SQL,
/// config and place in the project; tests, macros, column lineage, and the last run's outcome.
struct DocsData {
    let builder: Builder
    let description: DbtProjectDescription
    let catalog: WarehouseCatalog.Catalog?
    let lastRun: RunResults?
    let lineage: ProjectColumnLineage?

    var plan: CompiledArtifacts { builder.plan }

    func document(generatedAt: String) -> JSONDocument {
        var nodes: [String: JSONDocument] = [:]
        let tested = testsByNode
        let stored = Dictionary((catalog?.entries ?? []).map { ($0.uniqueID, $0) }, uniquingKeysWith: { first, _ in first })
        let runs = Dictionary((lastRun?.results ?? []).map { ($0.uniqueID, $0) }, uniquingKeysWith: { _, last in last })

        func node(_ id: String, type: String, name: String, path: String?, description: String?, tags: [String], dependsOn: [String],
                  columns: [ColumnSpec], extra: [String: JSONDocument]) {
            var entry: [String: JSONDocument] = [
                "id": .string(id), "type": .string(type), "name": .string(name), "package": .string(Builder.package(of: id)),
                "path": path.map { .string(builder.originalFilePath($0)) } ?? .null,
                "fqn": .array(builder.fqn(id, name: name, path: path).map(JSONDocument.string)),
                "description": .string(description ?? ""), "tags": .array(tags.map(JSONDocument.string)),
                "depends_on": .array(dependsOn.map(JSONDocument.string)),
                "columns": .array(self.columns(columns, of: id, stored: stored[id], tests: tested[id] ?? [])),
            ]
            if let table = stored[id] {
                entry["stats"] = ["kind": .string(table.kind.rawValue), "rows": table.rowCount.map(JSONDocument.integer) ?? .null]
            }
            if let run = runs[id] { entry["run"] = self.run(run) }
            entry.merge(extra) { _, new in new }
            nodes[id] = .object(entry)
        }

        for source in plan.sources {
            node(source.uniqueID, type: "source", name: source.name, path: nil, description: nil, tags: [], dependsOn: [],
                 columns: source.columns, extra: ["source_name": .string(source.sourceName), "relation": .string(source.relation.description)])
        }
        for seed in plan.seeds {
            node(seed.uniqueID, type: "seed", name: seed.name, path: seed.path, description: nil, tags: seed.tags, dependsOn: [],
                 columns: seed.columns, extra: ["relation": .string(seed.relation.description), "config": ["materialized": "seed"]])
        }
        for model in plan.models {
            let type = model.materialized == .snapshot ? "snapshot" : "model"
            var config: [String: JSONDocument] = ["materialized": .string(model.materialized.rawValue)]
            if !model.uniqueKey.isEmpty { config["unique_key"] = .array(model.uniqueKey.map(JSONDocument.string)) }
            if let strategy = model.incrementalStrategy { config["incremental_strategy"] = .string(strategy.rawValue) }
            if let change = model.onSchemaChange { config["on_schema_change"] = .string(change) }
            if !model.preHooks.isEmpty { config["pre_hook"] = .array(model.preHooks.map(JSONDocument.string)) }
            if !model.postHooks.isEmpty { config["post_hook"] = .array(model.postHooks.map(JSONDocument.string)) }
            if model.contract != nil { config["contract"] = ["enforced": true] }
            node(model.uniqueID, type: type, name: model.name, path: model.path, description: model.description, tags: model.tags,
                 dependsOn: model.dependsOn, columns: model.columns, extra: [
                    "relation": model.materialized == .ephemeral ? .null : .string(model.relation.description),
                    "config": .object(config), "raw": .string(builder.rawCode(model.path, fallback: model.sql)), "compiled": .string(model.sql),
                 ])
        }
        for analysis in plan.analyses ?? [] {
            node(analysis.uniqueID, type: "analysis", name: analysis.name, path: analysis.path, description: nil, tags: [],
                 dependsOn: analysis.dependsOn, columns: [], extra: [
                    "raw": .string(builder.rawCode(analysis.path, fallback: analysis.sql)), "compiled": .string(analysis.sql),
                 ])
        }
        for exposure in plan.exposures ?? [] {
            node(exposure.uniqueID, type: "exposure", name: exposure.name, path: exposure.path, description: exposure.description, tags: [],
                 dependsOn: exposure.dependsOn, columns: [], extra: [
                    "exposure_type": .string(exposure.type), "owner": exposure.owner.map(JSONDocument.string) ?? .null,
                    "url": exposure.url.map(JSONDocument.string) ?? .null,
                 ])
        }
        for cube in plan.cubes ?? [] {
            let id = ProjectColumnLineage.cubeID(cube.name)
            node(id, type: "cube", name: cube.name, path: cube.path, description: cube.description ?? cube.title, tags: [],
                 dependsOn: cube.dependsOn, columns: [], extra: [
                    "package": .string(builder.rootPackage), "fqn": .array([.string(builder.rootPackage), .string(cube.name)]),
                    "compiled": cube.sql.map(JSONDocument.string) ?? .null, "relation": cube.sqlTable.map(JSONDocument.string) ?? .null,
                    "measures": .array(cube.measures.map { ["name": .string($0.name), "type": .string($0.type),
                                                            "description": .string($0.description ?? $0.title ?? ""), "sql": $0.sql.map(JSONDocument.string) ?? .null] }),
                    "dimensions": .array(cube.dimensions.map { ["name": .string($0.name), "type": .string($0.type), "primary_key": .bool($0.primaryKey),
                                                                "description": .string($0.description ?? $0.title ?? ""), "sql": $0.sql.map(JSONDocument.string) ?? .null] }),
                    "joins": .array(cube.joins.map { ["name": .string($0.name), "relationship": .string($0.relationship), "sql": .string($0.sql)] }),
                    "pre_aggregations": .array(cube.preAggregations.map { aggregation in
                        ["name": .string(aggregation.name), "type": .string(aggregation.type),
                         "measures": .array(aggregation.measures.map(JSONDocument.string)),
                         "dimensions": .array(aggregation.dimensions.map(JSONDocument.string)),
                         "time_dimension": aggregation.timeDimension.map(JSONDocument.string) ?? .null,
                         "granularity": aggregation.granularity.map(JSONDocument.string) ?? .null]
                    }),
                 ])
        }

        var tests: [String: JSONDocument] = [:]
        for test in plan.tests {
            var entry: [String: JSONDocument] = [
                "id": .string(test.uniqueID), "name": .string(test.name), "test_name": .string(test.testName),
                "attached": test.attachedNode.map(JSONDocument.string) ?? .null, "column": test.column.map(JSONDocument.string) ?? .null,
                "severity": .string(test.severity.rawValue), "depends_on": .array(test.dependsOn.map(JSONDocument.string)),
                "compiled": .string(test.sql), "tags": .array(test.tags.map(JSONDocument.string)),
            ]
            if let run = runs[test.uniqueID] { entry["run"] = self.run(run) }
            tests[test.uniqueID] = .object(entry)
        }

        var macros: [String: JSONDocument] = [:]
        for macro in description.macros where macros[macro.uniqueID] == nil {
            macros[macro.uniqueID] = ["id": .string(macro.uniqueID), "name": .string(macro.name), "package": .string(macro.package),
                                      "path": .string(macro.originalFilePath), "sql": .string(macro.sql),
                                      "arguments": .array(macro.arguments.map(JSONDocument.string))]
        }

        var project: [String: JSONDocument] = [
            "name": .string(builder.rootPackage), "product": .string(plan.product.name), "version": .string(plan.product.version),
            "description": plan.product.description.map(JSONDocument.string) ?? .null, "environment": .string(plan.environment.name),
            "namespace": .string(plan.environment.namespace), "engine": .string(plan.profiles.compute.type),
            "generated_at": .string(generatedAt), "catalog": .bool(catalog != nil),
        ]
        if let lastRun {
            project["last_run"] = ["command": .string(lastRun.metadata.command), "completed_at": .string(lastRun.metadata.completedAt),
                                   "invocation_id": .string(lastRun.metadata.invocationID)]
        }
        return ["project": .object(project), "nodes": .object(nodes), "tests": .object(tests), "macros": .object(macros),
                "column_lineage": columnLineage]
    }

    /// Tests by the node they are attached to (or, without one, every node they read).
    private var testsByNode: [String: [CompiledTest]] {
        var byNode: [String: [CompiledTest]] = [:]
        for test in plan.tests {
            for node in test.attachedNode.map({ [$0] }) ?? test.dependsOn { byNode[node, default: []].append(test) }
        }
        return byNode
    }

    /// The node's columns as declared, joined with the warehouse's (its types, and the columns
    /// nobody declared), each with the tests on it.
    private func columns(_ declared: [ColumnSpec], of id: String, stored: WarehouseCatalog.Entry?, tests: [CompiledTest]) -> [JSONDocument] {
        var order: [String] = []
        var byName: [String: (declared: ColumnSpec?, stored: ColumnSpec?)] = [:]
        for column in stored?.columns ?? [] {
            order.append(column.name.lowercased())
            byName[column.name.lowercased()] = (nil, column)
        }
        for column in declared {
            let key = column.name.lowercased()
            if byName[key] == nil { order.append(key) }
            byName[key, default: (nil, nil)].declared = column
        }
        return order.map { key in
            let (declared, stored) = byName[key]!
            let name = declared?.name ?? stored?.name ?? key
            let onColumn = tests.filter { $0.column?.lowercased() == key }.map { JSONDocument.string($0.uniqueID) }
            let storedType = stored?.type.flatMap { $0.isEmpty ? nil : $0 }
            return ["name": .string(name), "type": (storedType ?? declared?.type).map(JSONDocument.string) ?? .null,
                    "declared_type": declared?.type.map(JSONDocument.string) ?? .null,
                    "description": .string(declared?.description ?? ""), "tests": .array(onColumn),
                    "in_warehouse": stored == nil ? (catalog == nil ? .null : false) : true]
        }
    }

    private func run(_ result: NodeResult) -> JSONDocument {
        var entry: [String: JSONDocument] = ["status": .string(result.status.rawValue), "execution_time": .number(result.executionTime)]
        if let at = result.timing.last?.completedAt { entry["completed_at"] = .string(at) }
        if let message = result.message { entry["message"] = .string(message) }
        if let failures = result.failures { entry["failures"] = .integer(failures) }
        if let rows = result.rowsAffected { entry["rows_affected"] = .integer(rows) }
        return .object(entry)
    }

    /// `{node: {column: [[input node, input column, how], …]}}`: each column's direct inputs.
    private var columnLineage: JSONDocument {
        guard let lineage else { return [:] }
        var nodes: [String: JSONDocument] = [:]
        for (id, node) in lineage.nodes {
            var columns: [String: JSONDocument] = [:]
            for column in node.columns {
                let inputs = column.inputs.sorted { $0.key < $1.key }.compactMap { input, edges -> JSONDocument? in
                    guard let direct = edges.direct else { return nil }
                    return [.string(input.relation), .string(input.column), .string(direct.rawValue)]
                }
                if !inputs.isEmpty { columns[column.name] = .array(inputs) }
            }
            if !columns.isEmpty { nodes[id] = .object(columns) }
        }
        return .object(nodes)
    }
}
