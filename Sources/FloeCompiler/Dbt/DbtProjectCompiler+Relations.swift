import FloeContract
import FloeCore
import FloeEngine
import FloeJinja
import FloeTemplates
import Foundation

/// Where each model and seed is built (its relation, as dbt's `generate_schema_name` and
/// `generate_alias_name` say), the ``ModelFinisher`` that writes relations into the SQL, and the
/// graph's order; the checks that need them.
extension DbtProjectCompiler {
    /// Schema and name of every enabled model and seed: dbt's `generate_schema_name` (the
    /// namespace, or `<namespace>_<custom>`) unless the project overrides it.
    mutating func resolveRelations() -> ModelFinisher {
        // No built-in has these names, so a callable under one is the project's own macro.
        let schemaMacro = projectMacro("generate_schema_name"), aliasMacro = projectMacro("generate_alias_name")
        let namespace = request.namespace
        for id in table.models + table.seeds {
            let config = table[id].kind == .model ? table[model: id].config : table[seed: id].config
            let custom = (config.schema, config.alias)
            let nodeName = table[id].name
            // A snapshot's `target_schema` (dbt before 1.9, and still honoured) is the schema as written.
            if table[id].kind == .model, table[model: id].file.isSnapshot, let target = config.extra["target_schema"]?.string {
                table[id].relation = Relation(schema: target, name: generatedName(aliasMacro, custom: custom.1, slot: id) { custom.1 ?? nodeName })
                continue
            }
            let schema = generatedName(schemaMacro, custom: custom.0, slot: id) {
                custom.0.map { "\(namespace)_\($0.trimmingCharacters(in: .whitespaces))" } ?? namespace
            }
            let name = generatedName(aliasMacro, custom: custom.1, slot: id) { custom.1 ?? nodeName }
            table[id].relation = Relation(schema: schema, name: name)
        }
        var ephemeralRenders: [SlotID: (name: String, text: String, refs: [SlotID])] = [:]
        for id in table.models where table[id].ephemeral {
            ephemeralRenders[id] = (table[id].name, table[model: id].render.text, table[model: id].render.refs.map(\.slot))
        }
        return ModelFinisher(
            relations: table.map { slot in
                slot.ephemeral ? EphemeralInliner.cteName(slot.name) : request.dialect.relation(schema: slot.relation.schema, name: slot.relation.name)
            },
            schemas: table.map(\.relation.schema),
            identifiers: table.map { $0.ephemeral ? EphemeralInliner.cteName($0.name) : $0.relation.name },
            unqualified: table.map { $0.ephemeral ? EphemeralInliner.cteName($0.name) : request.dialect.quoteIdentifier($0.relation.name) },
            uniqueIDs: table.map(\.uniqueID), ephemeral: table.map(\.ephemeral), ephemeralRenders: ephemeralRenders,
            dialect: request.dialect)
    }

    /// On an engine whose views read only their own schema (SQLite, where each schema is a
    /// database file of its own), a view that reads another schema is built as a table, with a
    /// warning at its file: dbt-sqlite fails such a view; floe builds what the project means.
    mutating func buildCrossSchemaViewsAsTables() {
        guard !request.dialect.viewsReadOtherSchemas else { return }
        for id in table.models where table[id].enabled && (table[model: id].config.materialized ?? .view) == .view {
            let schema = table[id].relation.schema
            let reads = (table[model: id].render.refs + table[model: id].render.sources).map(\.slot)
            guard let other = reads.first(where: { !table[$0].ephemeral && table[$0].relation.schema != schema }) else { continue }
            table[model: id].config.materialized = .table
            result.diagnostics.append(.warning(
                at: .file(table[model: id].file.display),
                "view '\(table[id].name)' reads \(request.dialect.relation(table[other].relation)), in another schema, which a \(request.dialect.name) view cannot: it is built as a table",
                hint: "it stays a view on PostgreSQL; configure materialized='table' to say so here"))
        }
    }

    /// The project's own macro of that name, if it defines one.
    func projectMacro(_ name: String) -> JinjaCallable? {
        guard case .callable(let callable)? = serialContext.environment.globals[name] else { return nil }
        return callable
    }

    /// Calls the project's own `generate_schema_name`/`generate_alias_name` macro when it has one.
    mutating func generatedName(_ callable: JinjaCallable?, custom: String?, slot: SlotID, default make: () -> String) -> String {
        guard let callable else { return make() }
        let macro = callable.name
        let node = namingNode(slot)
        do {
            let value = try callable.body([custom.map(JinjaValue.string) ?? .none, node], [],
                                          JinjaCallContext(location: .file(request.displayPrefix + "dbt_project.yml")))
            return value.rendered.trimmingCharacters(in: .whitespacesAndNewlines)
        } catch let error as TemplateError {
            result.diagnostics.append(error.diagnostic)
        } catch {
            result.diagnostics.append(.error(at: .file(request.displayPrefix), "\(macro) failed: \(error)"))
        }
        return make()
    }

    /// The `node` dbt gives `generate_schema_name`/`generate_alias_name`: what an override reads
    /// to tell seeds from models or folders apart (`resource_type`, `fqn`, `original_file_path`,
    /// `path`, `package_name`, `config`).
    func namingNode(_ slot: SlotID) -> JinjaValue {
        .dict(nodeFields(slot))
    }

    /// A model's or seed's node as dbt's templates see it.
    func nodeFields(_ slot: SlotID) -> [(String, JinjaValue)] {
        Self.nodeFields(slot, in: table)
    }

    /// A model's or seed's node as dbt's templates see it.
    static func nodeFields(_ slot: SlotID, in table: SlotTable) -> [(String, JinjaValue)] {
        let isModel = table[slot].kind == .model
        let file = isModel ? table[model: slot].file : table[seed: slot].file
        let config = isModel ? table[model: slot].config : table[seed: slot].config
        let resourceType = !isModel ? "seed" : file.isSnapshot ? "snapshot" : "model"
        let path = (file.folders + [file.relative.split(separator: "/").last.map(String.init) ?? file.relative]).joined(separator: "/")
        var settings: [(String, JinjaValue)] = [
            ("materialized", .string(isModel ? config.materialized?.rawValue ?? "view" : "seed")),
            ("tags", .list(config.tags.map(JinjaValue.string))), ("enabled", .bool(config.enabled)),
            ("schema", config.schema.map(JinjaValue.string) ?? .none), ("alias", config.alias.map(JinjaValue.string) ?? .none),
        ]
        for key in config.extra.keys.sorted() where !settings.contains(where: { $0.0 == key }) {
            settings.append((key, config.extra[key]!.jinja))
        }
        return [
            ("name", .string(table[slot].name)), ("unique_id", .string(table[slot].uniqueID)),
            ("resource_type", .string(resourceType)), ("package_name", .string(file.package)),
            ("original_file_path", .string(file.relative)), ("path", .string(path)),
            ("fqn", .list(([file.package] + file.folders + [table[slot].name]).map(JinjaValue.string))),
            ("config", .dict(settings)), ("tags", .list(config.tags.map(JinjaValue.string))),
        ]
    }

    /// Edges from refs and sources; errors for refs to disabled models and for cycles.
    mutating func buildGraph() -> [SlotID]? {
        // The graph numbers nodes by their slots' positions (``SlotID/index``).
        var graph = DependencyGraph(keys: table.map(\.uniqueID))
        for id in table.models where table[id].enabled {
            for use in [table[model: id].render.refs, table[model: id].render.sources].joined() {
                if !table[use.slot].enabled {
                    let kind = table[use.slot].kind == .seed ? "seed" : "model"
                    result.diagnostics.append(.error(at: use.location, "ref('\(table[use.slot].name)') points at a disabled \(kind)",
                                                     hint: "enable '\(table[use.slot].name)', or disable '\(table[id].name)' too"))
                }
                graph.addEdge(from: id.index, to: use.slot.index, at: use.location)
            }
        }
        let (positions, cycles) = graph.topologicalOrder()
        let all = table.all
        let order = positions.map { all[$0] }
        for cycle in cycles {
            let names = cycle.map { all[$0.from] }.map { table[$0].name } + [table[all[cycle[0].from]].name]
            let edges = cycle.map { "\(table[all[$0.from]].name) → \(table[all[$0.edge.to]].name) at \($0.edge.location)" }
            result.diagnostics.append(.error(at: cycle[0].edge.location, "dependency cycle: \(names.joined(separator: " → "))",
                                             hint: edges.joined(separator: "; ")))
        }
        return cycles.isEmpty ? order : nil
    }

    // MARK: Models rendered at apply time

    /// A model rendered at apply time is built on its own: it cannot be ephemeral (inlined into
    /// others at compile) nor read an ephemeral one (inlined into it at compile).
    mutating func checkModelsRenderedAtApply() {
        for id in table.models where table[model: id].renderAtApply && table[id].enabled {
            let file = table[model: id].file.display
            if table[id].ephemeral {
                result.diagnostics.append(.error(at: .file(file), "ephemeral model \(table[id].name) queries the database while rendering",
                                                 hint: "an ephemeral model is inlined at compile; materialize it as a view or table so it is rendered at apply time"))
            }
            for use in table[model: id].render.refs where table[use.slot].ephemeral {
                result.diagnostics.append(.error(at: use.location, "\(table[id].name) is rendered at apply time and cannot read ephemeral \(table[use.slot].name)",
                                                 hint: "materialize \(table[use.slot].name) as a view or table"))
            }
            // Its inputs are read a window at a time only as the compiler writes its SQL.
            if table[model: id].config.incrementalStrategy == .microbatch, table[model: id].config.materialized == .incremental {
                result.diagnostics.append(.error(at: .file(file), "microbatch model \(table[id].name) queries the database while rendering, which floe cannot batch yet",
                                                 hint: "compute the value in the SQL, or use delete+insert with a unique_key"))
            }
        }
    }
}
