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
        for index in slots.indices where slots[index].kind != .source {
            let custom = slots[index].kind == .model ? (models[index].config.schema, models[index].config.alias)
                : (seedConfigs[index - models.count].schema, seedConfigs[index - models.count].alias)
            let nodeName = slots[index].name
            // A snapshot's `target_schema` (dbt before 1.9, and still honoured) is the schema as written.
            if index < models.count, models[index].file.isSnapshot, let target = models[index].config.extra["target_schema"]?.string {
                slots[index].relation = Relation(schema: target, name: generatedName(aliasMacro, custom: custom.1, slot: index) { custom.1 ?? nodeName })
                continue
            }
            let schema = generatedName(schemaMacro, custom: custom.0, slot: index) {
                custom.0.map { "\(namespace)_\($0.trimmingCharacters(in: .whitespaces))" } ?? namespace
            }
            let name = generatedName(aliasMacro, custom: custom.1, slot: index) { custom.1 ?? nodeName }
            slots[index].relation = Relation(schema: schema, name: name)
        }
        var ephemeralRenders: [Int: (name: String, text: String, refs: [Int])] = [:]
        for index in models.indices where slots[index].ephemeral {
            ephemeralRenders[index] = (slots[index].name, models[index].render.text, models[index].render.refs.map(\.slot))
        }
        return ModelFinisher(
            relations: slots.map { slot in
                slot.ephemeral ? EphemeralInliner.cteName(slot.name) : request.dialect.relation(schema: slot.relation.schema, name: slot.relation.name)
            },
            schemas: slots.map(\.relation.schema),
            identifiers: slots.map { $0.ephemeral ? EphemeralInliner.cteName($0.name) : $0.relation.name },
            unqualified: slots.map { $0.ephemeral ? EphemeralInliner.cteName($0.name) : request.dialect.quoteIdentifier($0.relation.name) },
            uniqueIDs: slots.map(\.uniqueID), ephemeral: slots.map(\.ephemeral), ephemeralRenders: ephemeralRenders,
            dialect: request.dialect)
    }

    /// On an engine whose views read only their own schema (SQLite, where each schema is a
    /// database file of its own), a view that reads another schema is built as a table, with a
    /// warning at its file: dbt-sqlite fails such a view; floe builds what the project means.
    mutating func buildCrossSchemaViewsAsTables() {
        guard !request.dialect.viewsReadOtherSchemas else { return }
        for index in models.indices where slots[index].enabled && (models[index].config.materialized ?? .view) == .view {
            let schema = slots[index].relation.schema
            let reads = (models[index].render.refs + models[index].render.sources).map(\.slot)
            guard let other = reads.first(where: { !slots[$0].ephemeral && slots[$0].relation.schema != schema }) else { continue }
            models[index].config.materialized = .table
            result.diagnostics.append(.warning(
                at: .file(models[index].file.display),
                "view '\(slots[index].name)' reads \(request.dialect.relation(slots[other].relation)), in another schema, which a \(request.dialect.name) view cannot: it is built as a table",
                hint: "it stays a view on PostgreSQL; configure materialized='table' to say so here"))
        }
    }

    /// The project's own macro of that name, if it defines one.
    func projectMacro(_ name: String) -> JinjaCallable? {
        guard case .callable(let callable)? = serialContext.environment.globals[name] else { return nil }
        return callable
    }

    /// Calls the project's own `generate_schema_name`/`generate_alias_name` macro when it has one.
    mutating func generatedName(_ callable: JinjaCallable?, custom: String?, slot: Int, default make: () -> String) -> String {
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
    func namingNode(_ slot: Int) -> JinjaValue {
        .dict(nodeFields(slot))
    }

    /// A model's or seed's node as dbt's templates see it.
    func nodeFields(_ slot: Int) -> [(String, JinjaValue)] {
        Self.nodeFields(slot, slots: slots, models: models, seedConfigs: seedConfigs, seeds: files.seeds)
    }

    /// A model's or seed's node as dbt's templates see it, at the slot `slot` of `slots`.
    static func nodeFields(_ slot: Int, slots: [Slot], models: [ModelState], seedConfigs: [NodeConfig],
                           seeds: [ProjectFile]) -> [(String, JinjaValue)] {
        let isModel = slots[slot].kind == .model
        let file = isModel ? models[slot].file : seeds[slot - models.count]
        let config = isModel ? models[slot].config : seedConfigs[slot - models.count]
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
            ("name", .string(slots[slot].name)), ("unique_id", .string(slots[slot].uniqueID)),
            ("resource_type", .string(resourceType)), ("package_name", .string(file.package)),
            ("original_file_path", .string(file.relative)), ("path", .string(path)),
            ("fqn", .list(([file.package] + file.folders + [slots[slot].name]).map(JinjaValue.string))),
            ("config", .dict(settings)), ("tags", .list(config.tags.map(JinjaValue.string))),
        ]
    }

    /// Edges from refs and sources; errors for refs to disabled models and for cycles.
    mutating func buildGraph() -> [Int]? {
        var graph = DependencyGraph(keys: slots.map(\.uniqueID))
        for index in models.indices where slots[index].enabled {
            for use in [models[index].render.refs, models[index].render.sources].joined() {
                if !slots[use.slot].enabled {
                    let kind = slots[use.slot].kind == .seed ? "seed" : "model"
                    result.diagnostics.append(.error(at: use.location, "ref('\(slots[use.slot].name)') points at a disabled \(kind)",
                                                     hint: "enable '\(slots[use.slot].name)', or disable '\(slots[index].name)' too"))
                }
                graph.addEdge(from: index, to: use.slot, at: use.location)
            }
        }
        let (order, cycles) = graph.topologicalOrder()
        for cycle in cycles {
            let names = cycle.map { slots[$0.from].name } + [slots[cycle[0].from].name]
            let edges = cycle.map { "\(slots[$0.from].name) → \(slots[$0.edge.to].name) at \($0.edge.location)" }
            result.diagnostics.append(.error(at: cycle[0].edge.location, "dependency cycle: \(names.joined(separator: " → "))",
                                             hint: edges.joined(separator: "; ")))
        }
        return cycles.isEmpty ? order : nil
    }

    // MARK: Models rendered at apply time

    /// A model rendered at apply time is built on its own: it cannot be ephemeral (inlined into
    /// others at compile) nor read an ephemeral one (inlined into it at compile).
    mutating func checkModelsRenderedAtApply() {
        for index in models.indices where models[index].renderAtApply && slots[index].enabled {
            let file = models[index].file.display
            if slots[index].ephemeral {
                result.diagnostics.append(.error(at: .file(file), "ephemeral model \(slots[index].name) queries the database while rendering",
                                                 hint: "an ephemeral model is inlined at compile; materialize it as a view or table so it is rendered at apply time"))
            }
            for use in models[index].render.refs where slots[use.slot].ephemeral {
                result.diagnostics.append(.error(at: use.location, "\(slots[index].name) is rendered at apply time and cannot read ephemeral \(slots[use.slot].name)",
                                                 hint: "materialize \(slots[use.slot].name) as a view or table"))
            }
            // Its inputs are read a window at a time only as the compiler writes its SQL.
            if models[index].config.incrementalStrategy == .microbatch, models[index].config.materialized == .incremental {
                result.diagnostics.append(.error(at: .file(file), "microbatch model \(slots[index].name) queries the database while rendering, which floe cannot batch yet",
                                                 hint: "compute the value in the SQL, or use delete+insert with a unique_key"))
            }
        }
    }
}
