import Crypto
import FloeCompiler
import FloeContract
import FloeCore
import Dispatch
import Foundation

/// dbt's `manifest.json` (schema v12) for a compiled plan, so the tools built on dbt's artifacts
/// (dagster-dbt, Elementary, Lightdash, dbt's docs site) can read a floe project: every model,
/// snapshot, seed, test and analysis as a node (`unique_id`, `fqn`, `depends_on`, `config`,
/// `raw_code`, `compiled_code`, `columns`, `checksum`), the sources, the exposures, and the
/// parent and child maps. What the plan does not carry stays at dbt's defaults (no macros or docs
/// blocks). Written by `floe compile` beside the plan, as `target/manifest.json`.
public enum DbtManifest {
    public static let schemaVersion = "https://schemas.getdbt.com/dbt/manifest/v12.json"
    /// The dbt release whose manifest this is shaped after.
    public static let dbtVersion = "1.10.0"

    /// The manifest's bytes. `projectDirectory` is floe.yaml's (the files' `raw_code` and
    /// checksums are read from it). Nodes are built and written on every core, each into bytes of
    /// its own, then joined in the order of their ids.
    public static func data(_ plan: CompiledArtifacts, project: DbtProjectDescription?, projectDirectory: String, generatedAt: String,
                            invocationID: String) -> [UInt8] {
        let builder = Builder(plan: plan, projectDirectory: projectDirectory)
        let definitions = ProjectDefinitions(builder: builder, description: project ?? DbtProjectDescription())
        var makers: [(String, () -> [UInt8])] = []
        for model in plan.models { makers.append((model.uniqueID, { builder.model(model).finished })) }
        for seed in plan.seeds { makers.append((seed.uniqueID, { builder.seed(seed).finished })) }
        for test in plan.tests { makers.append((test.uniqueID, { builder.test(test).finished })) }
        for analysis in plan.analyses ?? [] { makers.append((analysis.uniqueID, { builder.analysis(analysis).finished })) }
        let nodes = rendered(makers.sorted { $0.0 < $1.0 })
        let sources = rendered(plan.sources.map { source in (source.uniqueID, { bytes(builder.source(source)) }) }.sorted { $0.0 < $1.0 })
        let exposures = rendered((plan.exposures ?? []).map { exposure in (exposure.uniqueID, { bytes(builder.exposure(exposure)) }) }
            .sorted { $0.0 < $1.0 })
        let ids = makers.map(\.0) + plan.sources.map(\.uniqueID) + (plan.exposures ?? []).map(\.uniqueID)
        let (parents, children) = builder.maps(nodes: ids)
        let metadata: JSONDocument = [
            "dbt_schema_version": .string(schemaVersion), "dbt_version": .string(dbtVersion), "generated_at": .string(generatedAt),
            "invocation_id": .string(invocationID), "env": [:], "project_name": .string(builder.rootPackage),
            "adapter_type": .string(plan.profiles.compute.type),
        ]
        var output: [UInt8] = []
        output.reserveCapacity(nodes.count + 1 << 16)
        func key(_ name: String) {
            JSONBytes.string(name, into: &output)
            output.append(UInt8(ascii: ":"))
        }
        output.append(UInt8(ascii: "{"))
        key("metadata"); JSONBytes.write(metadata, into: &output)
        output.append(UInt8(ascii: ",")); key("nodes"); output += nodes
        output.append(UInt8(ascii: ",")); key("sources"); output += sources
        output.append(UInt8(ascii: ",")); key("exposures"); output += exposures
        output.append(UInt8(ascii: ",")); key("parent_map")
        JSONBytes.write(.object(parents.mapValues { .array($0.map(JSONDocument.string)) }), into: &output)
        output.append(UInt8(ascii: ",")); key("child_map")
        JSONBytes.write(.object(children.mapValues { .array($0.map(JSONDocument.string)) }), into: &output)
        for (name, document) in [("macros", definitions.macros), ("docs", definitions.docs), ("metrics", definitions.metrics),
                                 ("saved_queries", definitions.savedQueries), ("semantic_models", definitions.semanticModels)] {
            output.append(UInt8(ascii: ",")); key(name); JSONBytes.write(document, into: &output)
        }
        for empty in ["groups", "selectors", "disabled", "group_map", "unit_tests"] {
            output.append(UInt8(ascii: ",")); key(empty); output += Array("{}".utf8)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    private static func bytes(_ document: JSONDocument) -> [UInt8] {
        var output: [UInt8] = []
        JSONBytes.write(document, into: &output)
        return output
    }

    /// `{"id": node, …}` in the given order, the nodes built and written in parallel.
    private static func rendered(_ makers: [(String, () -> [UInt8])]) -> [UInt8] {
        final class Parts: @unchecked Sendable {
            var chunks: [[UInt8]]
            init(_ count: Int) { chunks = Array(repeating: [], count: count) }
        }
        let chunkSize = 256
        let chunkCount = (makers.count + chunkSize - 1) / chunkSize
        let parts = Parts(chunkCount)
        nonisolated(unsafe) let work = makers
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            var bytes: [UInt8] = []
            for index in (chunk * chunkSize)..<min(work.count, (chunk + 1) * chunkSize) {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONBytes.string(work[index].0, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                bytes += work[index].1()
            }
            parts.chunks[chunk] = bytes
        }
        var output: [UInt8] = [UInt8(ascii: "{")]
        for chunk in parts.chunks { output += chunk }
        output.append(UInt8(ascii: "}"))
        return output
    }
}

/// The parts of the manifest's nodes, from the plan and the project's files.
struct Builder {
    let plan: CompiledArtifacts
    let projectDirectory: String
    let database: String
    let rootPackage: String

    init(plan: CompiledArtifacts, projectDirectory: String) {
        self.plan = plan
        self.projectDirectory = projectDirectory
        database = plan.profiles.compute.string("database") ?? ""
        let root = plan.transforms.first.map { $0.path.hasSuffix("/") ? $0.path : $0.path + "/" } ?? ""
        rootPackage = plan.models.first { $0.path.hasPrefix(root) && !$0.path.contains("dbt_packages/") }.map { Self.package(of: $0.uniqueID) }
            ?? plan.product.name
    }

    /// `model.shop.orders` → `shop`.
    static func package(of uniqueID: String) -> String {
        let parts = uniqueID.split(separator: ".")
        return parts.count > 1 ? String(parts[1]) : ""
    }

    /// The file's path in its dbt project (`models/staging/stg_orders.sql`), from its path in the
    /// floe project (`dbt/models/staging/stg_orders.sql`, or under an installed package).
    func originalFilePath(_ path: String) -> String {
        var rest = path
        for transform in plan.transforms {
            let prefix = transform.path.hasSuffix("/") ? transform.path : transform.path + "/"
            if rest.hasPrefix(prefix) {
                rest = String(rest.dropFirst(prefix.count))
                break
            }
        }
        // An installed package's file: past `dbt_packages/<package>/`.
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count > 2, parts[0] == "dbt_packages" || parts[0] == "packages" { return parts.dropFirst(2).joined(separator: "/") }
        return rest
    }

    /// Relative to its resource folder (`staging/stg_orders.sql`), as dbt's `path` is.
    func resourcePath(_ path: String) -> String {
        let original = originalFilePath(path)
        guard let slash = original.firstIndex(of: "/") else { return original }
        return String(original[original.index(after: slash)...])
    }

    /// `[package, folders…, name]`.
    func fqn(_ uniqueID: String, name: String, path: String?) -> [String] {
        let folders = path.map { resourcePath($0).split(separator: "/").dropLast().map(String.init) } ?? []
        return [Self.package(of: uniqueID)] + folders + [name]
    }

    func rawCode(_ path: String?, fallback: String) -> String {
        guard let path, let data = FileManager.default.contents(atPath: URL(fileURLWithPath: projectDirectory).appendingPathComponent(path).path)
        else { return fallback }
        return String(decoding: data, as: UTF8.self)
    }

    func checksum(_ text: String) -> ObjectWriter {
        checksum(sha256: Hex.string(SHA256.hash(data: Data(text.utf8))))
    }

    func checksum(sha256: String) -> ObjectWriter {
        var writer = ObjectWriter(capacity: 96)
        writer.string("name", "sha256")
        writer.string("checksum", sha256)
        return writer
    }

    func columns(_ specs: [ColumnSpec]) -> ObjectWriter {
        var columns = ObjectWriter()
        for column in specs {
            var entry = ObjectWriter(capacity: 128)
            entry.string("name", column.name)
            entry.string("description", column.description ?? "")
            if let type = column.type { entry.string("data_type", type) }
            entry.raw("meta", "{}")
            entry.raw("tags", "[]")
            entry.raw("constraints", "[]")
            columns.object(column.name, entry)
        }
        return columns
    }

    /// `{"macros": [], "nodes": [...]}`.
    func dependsOn(_ nodes: [String]) -> ObjectWriter {
        var writer = ObjectWriter(capacity: 128)
        writer.raw("macros", "[]")
        writer.strings("nodes", nodes)
        return writer
    }

    /// `{"enabled": true, "materialized": …, "tags": […], "meta": {}}` and what `more` adds.
    func config(_ materialized: String, tags: [String], _ more: (inout ObjectWriter) -> Void = { _ in }) -> ObjectWriter {
        var writer = ObjectWriter(capacity: 256)
        writer.raw("enabled", "true")
        writer.string("materialized", materialized)
        writer.strings("tags", tags)
        writer.raw("meta", "{}")
        more(&writer)
        return writer
    }

    func columnsDocument(_ specs: [ColumnSpec]) -> JSONDocument {
        var columns: [String: JSONDocument] = [:]
        for column in specs {
            var entry: [String: JSONDocument] = ["name": .string(column.name), "description": .string(column.description ?? ""),
                                                 "meta": [:], "tags": [], "constraints": []]
            if let type = column.type { entry["data_type"] = .string(type) }
            columns[column.name] = .object(entry)
        }
        return .object(columns)
    }

    /// `"database"."schema"."table"` (no database part where the engine has none).
    func relationName(_ relation: Relation) -> String { DbtRelationName.of(relation, database: database) }

    private func common(_ uniqueID: String, name: String, type: String, path: String?, relation: Relation?, raw: String,
                        description: String?, tags: [String]) -> ObjectWriter {
        var node = ObjectWriter(capacity: 2048 + raw.utf8.count * 2)
        node.string("unique_id", uniqueID)
        node.string("name", name)
        node.string("resource_type", type)
        node.string("package_name", Self.package(of: uniqueID))
        node.string("path", path.map(resourcePath) ?? "")
        node.string("original_file_path", path.map(originalFilePath) ?? "")
        node.strings("fqn", fqn(uniqueID, name: name, path: path))
        node.string("alias", relation?.name ?? name)
        node.string("database", database)
        node.string("schema", relation?.schema ?? plan.environment.namespace)
        node.strings("tags", tags)
        node.string("description", description ?? "")
        node.raw("meta", "{}")
        node.string("raw_code", raw)
        if let relation { node.string("relation_name", relationName(relation)) }
        return node
    }

    func model(_ model: CompiledModel) -> ObjectWriter {
        let raw = rawCode(model.path, fallback: model.sql)
        let type = model.materialized == .snapshot ? "snapshot" : "model"
        var node = common(model.uniqueID, name: model.name, type: type, path: model.path,
                          relation: model.materialized == .ephemeral ? nil : model.relation, raw: raw, description: model.description, tags: model.tags)
        node.object("checksum", checksum(raw))
        node.object("config", config(model.materialized.rawValue, tags: model.tags) { config in
            config.raw("pre_hook", "[]")
            config.raw("post_hook", "[]")
            if !model.uniqueKey.isEmpty { config.strings("unique_key", model.uniqueKey) }
            if let strategy = model.incrementalStrategy { config.string("incremental_strategy", strategy.rawValue) }
            if let change = model.onSchemaChange { config.string("on_schema_change", change) }
        })
        node.object("columns", columns(model.columns))
        compiled(&node, dependsOn: model.dependsOn, sql: model.sql)
        return node
    }

    /// What every compiled SQL node ends with: its dependencies and its SQL.
    private func compiled(_ node: inout ObjectWriter, dependsOn nodes: [String], sql: String) {
        node.object("depends_on", dependsOn(nodes))
        node.string("language", "sql")
        node.raw("compiled", "true")
        node.string("compiled_code", sql)
    }

    func seed(_ seed: CompiledSeed) -> ObjectWriter {
        var node = common(seed.uniqueID, name: seed.name, type: "seed", path: seed.path, relation: seed.relation,
                          raw: "", description: nil, tags: seed.tags)
        node.object("checksum", checksum(sha256: seed.sha256))
        node.object("config", config("seed", tags: seed.tags))
        node.object("columns", columns(seed.columns))
        node.raw("depends_on", #"{"macros":[]}"#)
        return node
    }

    func test(_ test: CompiledTest) -> ObjectWriter {
        var node = common(test.uniqueID, name: test.name, type: "test", path: nil, relation: nil, raw: test.sql, description: nil, tags: test.tags)
        node.object("checksum", checksum(test.sql))
        node.object("config", config("test", tags: test.tags) { $0.string("severity", test.severity.rawValue.uppercased()) })
        compiled(&node, dependsOn: test.dependsOn, sql: test.sql)
        if let column = test.column { node.string("column_name", column) }
        if let attached = test.attachedNode { node.string("attached_node", attached) }
        if test.testName != "singular" {
            var metadata = ObjectWriter(capacity: 128)
            metadata.string("name", test.testName)
            var kwargs = ObjectWriter(capacity: 64)
            if let column = test.column { kwargs.string("column_name", column) }
            metadata.object("kwargs", kwargs)
            node.object("test_metadata", metadata)
        }
        return node
    }

    func analysis(_ analysis: CompiledAnalysis) -> ObjectWriter {
        let raw = rawCode(analysis.path, fallback: analysis.sql)
        var node = common(analysis.uniqueID, name: analysis.name, type: "analysis", path: analysis.path, relation: nil,
                          raw: raw, description: nil, tags: [])
        node.object("checksum", checksum(raw))
        node.object("config", config("view", tags: []))
        compiled(&node, dependsOn: analysis.dependsOn, sql: analysis.sql)
        return node
    }

    func source(_ source: CompiledSource) -> JSONDocument {
        [
            "unique_id": .string(source.uniqueID), "name": .string(source.name), "resource_type": "source",
            "package_name": .string(Self.package(of: source.uniqueID)), "path": "", "original_file_path": "",
            "fqn": .array([Self.package(of: source.uniqueID), source.sourceName, source.name].map(JSONDocument.string)),
            "source_name": .string(source.sourceName), "source_description": "", "loader": "", "identifier": .string(source.relation.name),
            "database": .string(database), "schema": .string(source.relation.schema), "description": "",
            "columns": columnsDocument(source.columns), "meta": [:], "source_meta": [:], "tags": [], "config": ["enabled": true],
            "relation_name": .string(relationName(source.relation)),
        ]
    }

    func exposure(_ exposure: CompiledExposure) -> JSONDocument {
        var owner: [String: JSONDocument] = [:]
        if let name = exposure.owner { owner["name"] = .string(name) }
        var node: [String: JSONDocument] = [
            "unique_id": .string(exposure.uniqueID), "name": .string(exposure.name), "resource_type": "exposure",
            "package_name": .string(Self.package(of: exposure.uniqueID)), "path": .string(resourcePath(exposure.path)),
            "original_file_path": .string(originalFilePath(exposure.path)),
            "fqn": .array([Self.package(of: exposure.uniqueID), exposure.name].map(JSONDocument.string)),
            "type": .string(exposure.type), "owner": .object(owner), "description": .string(exposure.description ?? ""),
            "depends_on": ["macros": [], "nodes": .array(exposure.dependsOn.map(JSONDocument.string))],
            "tags": [], "meta": [:], "config": ["enabled": true],
        ]
        if let url = exposure.url { node["url"] = .string(url) }
        return .object(node)
    }

    /// Every node's parents and children, as dbt lists them (every node a key of both maps).
    func maps(nodes ids: [String]) -> (parents: [String: [String]], children: [String: [String]]) {
        var parents: [String: [String]] = [:]
        var children: [String: [String]] = [:]
        let known = Set(ids)
        for id in ids {
            parents[id] = parents[id] ?? []
            children[id] = children[id] ?? []
        }
        func link(_ id: String, _ dependsOn: [String]) {
            for parent in dependsOn where known.contains(parent) {
                parents[id, default: []].append(parent)
                children[parent, default: []].append(id)
            }
        }
        for model in plan.models where known.contains(model.uniqueID) { link(model.uniqueID, model.dependsOn) }
        for test in plan.tests { link(test.uniqueID, test.dependsOn) }
        for analysis in plan.analyses ?? [] { link(analysis.uniqueID, analysis.dependsOn) }
        for exposure in plan.exposures ?? [] { link(exposure.uniqueID, exposure.dependsOn) }
        return (parents.mapValues { Array(Set($0)).sorted() }, children.mapValues { Array(Set($0)).sorted() })
    }
}
