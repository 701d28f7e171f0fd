import FloeCompiler
import FloeContract

/// The manifest's entries for what the plan does not carry: macros, docs blocks, and the semantic
/// layer's semantic models, metrics and saved queries, each keyed by its `unique_id`.
struct ProjectDefinitions {
    let builder: Builder
    let description: DbtProjectDescription

    var macros: JSONDocument {
        var entries: [String: JSONDocument] = [:]
        for macro in description.macros where entries[macro.uniqueID] == nil {
            entries[macro.uniqueID] = [
                "unique_id": .string(macro.uniqueID), "name": .string(macro.name), "resource_type": "macro",
                "package_name": .string(macro.package), "path": .string(macro.originalFilePath),
                "original_file_path": .string(macro.originalFilePath), "macro_sql": .string(macro.sql),
                "depends_on": ["macros": []], "description": "", "meta": [:], "docs": ["show": true], "patch_path": .null,
                "arguments": .array(macro.arguments.map { ["name": .string($0), "type": .null, "description": ""] }),
                "supported_languages": .null,
            ]
        }
        return .object(entries)
    }

    var docs: JSONDocument {
        var entries: [String: JSONDocument] = [:]
        for block in description.docs {
            entries[block.uniqueID] = [
                "unique_id": .string(block.uniqueID), "name": .string(block.name), "resource_type": "doc",
                "package_name": .string(block.package), "path": .string(block.originalFilePath),
                "original_file_path": .string(block.originalFilePath), "block_contents": .string(block.text),
            ]
        }
        return .object(entries)
    }

    var semantic: SemanticDocuments {
        SemanticDocuments(definitions: description.semantic, models: builder.plan.models, package: builder.rootPackage, database: builder.database)
    }

    /// The fields every manifest entry of the semantic layer has.
    private func common(_ kind: String, name: String, origin: DbtSemanticDefinitions.Origin) -> [String: JSONDocument] {
        let package = builder.rootPackage
        let file = builder.originalFilePath(origin.planPath)
        return [
            "unique_id": .string("\(kind).\(package).\(name)"), "resource_type": .string(kind), "package_name": .string(package),
            "path": .string(builder.resourcePath(origin.planPath)), "original_file_path": .string(file),
            "fqn": .array(([package] + builder.resourcePath(origin.planPath).split(separator: "/").dropLast().map(String.init) + [name])
                .map(JSONDocument.string)),
            "refs": [], "unrendered_config": [:], "group": .null,
        ]
    }

    var semanticModels: JSONDocument {
        let documents = semantic
        var entries: [String: JSONDocument] = [:]
        for definition in description.semantic.models {
            var entry = common("semantic_model", name: definition.name, origin: definition.origin)
            entry.merge(documents.semanticModel(definition)) { _, new in new }
            entry["model"] = .string(definition.model)
            let model = documents.model(referencedBy: definition.model)
            entry["depends_on"] = ["macros": [], "nodes": .array(model.map { [.string($0.uniqueID)] } ?? [])]
            if let name = SemanticDocuments.referencedName(definition.model) {
                entry["refs"] = [["name": .string(name), "package": .null, "version": .null]]
            }
            entry["config"] = ["enabled": true, "group": .null, "meta": [:]]
            entries["semantic_model.\(builder.rootPackage).\(definition.name)"] = .object(entry)
        }
        return .object(entries)
    }

    var metrics: JSONDocument {
        let documents = semantic
        let all = documents.metrics
        let byName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let owners = documents.measureOwners
        var entries: [String: JSONDocument] = [:]
        for metric in all {
            var entry = common("metric", name: metric.name, origin: metric.origin)
            entry.merge(documents.metric(metric, among: byName)) { _, new in new }
            let models = Set(documents.inputMeasures(metric, among: byName).compactMap { owners[$0] })
            let usedMetrics = ([metric.numerator, metric.denominator].compactMap { $0 } + metric.metrics).map(\.name)
            entry["depends_on"] = ["macros": [], "nodes": .array((models.sorted().map { "semantic_model.\(builder.rootPackage).\($0)" }
                + usedMetrics.map { "metric.\(builder.rootPackage).\($0)" }).map(JSONDocument.string))]
            entry["metrics"] = .array(usedMetrics.map { [.string($0)] })
            entry["sources"] = []
            entry["meta"] = [:]
            entry["tags"] = []
            entries["metric.\(builder.rootPackage).\(metric.name)"] = .object(entry)
        }
        return .object(entries)
    }

    var savedQueries: JSONDocument {
        let documents = semantic
        var entries: [String: JSONDocument] = [:]
        for query in description.semantic.savedQueries {
            var entry = common("saved_query", name: query.name, origin: query.origin)
            entry.merge(documents.savedQuery(query)) { _, new in new }
            entry["depends_on"] = ["macros": [], "nodes": .array(query.metrics.map { .string("metric.\(builder.rootPackage).\($0.name)") })]
            entry["config"] = ["enabled": true, "group": .null, "meta": [:], "export_as": .null, "schema": .null, "cache": ["enabled": false]]
            entries["saved_query.\(builder.rootPackage).\(query.name)"] = .object(entry)
        }
        return .object(entries)
    }
}
