import FloeContract
import FloeCore
import FloeEngine
import FloeJinja
import FloeTemplates
import Foundation

/// The fifth phase: where each model and seed is built (its relation, as dbt's
/// `generate_schema_name` and `generate_alias_name` say), the ``ModelFinisher`` that writes
/// relations into the SQL, and the graph's order; the checks that need them; then, when all is
/// sound, the incremental models' second rendering.
struct DbtPlacedProject: DbtCompilePhase {
    let context: DbtCompileContext
    let properties: DbtProperties
    private(set) var table: SlotTable
    /// The folder trees' configs, which the tests' configs still need.
    private(set) var configs: DbtConfigResolver
    private(set) var result: DbtCompileResult
    let singularTests: [DbtRenderedProject.SingularTest]
    /// Writes relations into rendered SQL.
    private(set) var finisher: ModelFinisher
    /// Every slot after all it depends on; empty when a cycle (an error) prevents an order.
    private(set) var order: [SlotID] = []

    init(_ rendered: DbtRenderedProject) {
        context = rendered.context
        properties = rendered.properties
        table = rendered.table
        configs = rendered.configs
        result = rendered.result
        singularTests = rendered.singularTests
        finisher = ModelFinisher.empty(dialect: rendered.request.dialect)
        finisher = resolveRelations()
        buildCrossSchemaViewsAsTables()
        checkSameNamesAcrossProjects()
        let order = buildGraph()
        renderModelsWithLateHooksAtApply()
        if let order { renderReadersOfLateEphemeralsAtApply(order) }
        checkAccess()
        checkModelsRenderedAtApply()
        guard !result.diagnostics.hasErrors, let order else { return }
        self.order = order
        DbtRenderedProject.renderIncrementalVariants(&table, inputs: inputs, diagnostics: &result.diagnostics)
    }

    /// Schema and name of every enabled model and seed: dbt's `generate_schema_name` (the
    /// namespace, or `<namespace>_<custom>`) unless the project overrides it.
    private mutating func resolveRelations() -> ModelFinisher {
        let schemaMacro = serialContext.rootProjectMacro("generate_schema_name")
        let aliasMacro = serialContext.rootProjectMacro("generate_alias_name")
        let namespace = request.namespace
        for id in table.models + table.seeds {
            let config = table.config(of: id)
            let custom = (config.schema, config.alias)
            // A versioned model's default alias is dbt's `<name>_v<version>` (a `.` in it as `_`).
            let nodeName = table[id].version.map { "\(table[id].name)_v\($0.replacingOccurrences(of: ".", with: "_"))" } ?? table[id].name
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
            // PostgreSQL cuts a longer name silently: two nodes could meet in one table.
            if let limit = request.dialect.maxIdentifierBytes, name.utf8.count > limit {
                result.diagnostics.append(.error(at: .file(table.file(of: id).display), "relation name '\(name)' is \(name.utf8.count) bytes, longer than \(request.dialect.name)'s \(limit)",
                                                 hint: "give it a shorter alias (config(alias='...'))"))
            }
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
    private mutating func buildCrossSchemaViewsAsTables() {
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
        .dict(table.nodeFields(slot))
    }

    /// Edges from refs and sources; errors for refs to disabled models and for cycles.
    private mutating func buildGraph() -> [SlotID]? {
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

    /// Two enabled nodes of one name in different projects (the root and a package) are an error;
    /// one of them disabled, the other is the node of that name, as in dbt.
    private mutating func checkSameNamesAcrossProjects() {
        var first: [String: SlotID] = [:]
        for id in table.models + table.seeds where table[id].enabled && table[id].version == nil {
            guard let earlier = first[table[id].name] else {
                first[table[id].name] = id
                continue
            }
            guard table[earlier].package != table[id].package else { continue }
            result.diagnostics.append(DbtDeclarations.sameName(table.file(of: id), table.file(of: earlier)))
        }
    }

    // MARK: Access and groups

    /// dbt's model access: a private model belongs to a declared group, and only models of that
    /// group may `ref()` it (a protected or public one anyone in the project may).
    private mutating func checkAccess() {
        let groups = properties.groups
        for id in table.models where table[id].enabled {
            let config = table[model: id].config, file = table[model: id].file.display
            if let group = config.group, groups[group] == nil {
                result.diagnostics.append(.error(at: .file(file), path: "config.group", "model '\(table[id].name)' is in group '\(group)', which is not declared",
                                                 hint: Suggestions.didYouMean(group, in: groups.keys) ?? "declare it under `groups:` in a properties file, with its owner"))
            }
            if config.access == "private", config.group == nil {
                result.diagnostics.append(.error(at: .file(file), path: "config.access", "model '\(table[id].name)' is private, which needs a group",
                                                 hint: "add `group: <name>` to its config; only that group's models may ref() it"))
            }
        }
        for id in table.models where table[id].enabled {
            for use in table[model: id].render.refs where table[use.slot].kind == .model {
                let target = table[model: use.slot].config
                guard target.access == "private", let group = target.group, table[model: id].config.group != group else { continue }
                result.diagnostics.append(.error(at: use.location,
                    "\(table[id].uniqueID) attempted to reference \(table[use.slot].uniqueID), which is not allowed because the referenced node is private to the '\(group)' group",
                    hint: "put \(table[id].name) in group '\(group)', or make \(table[use.slot].name) protected or public"))
            }
        }
    }

    // MARK: Models rendered at apply time

    /// A model whose pre- or post-hook queries the database (`run_query`, `statement`) is rendered
    /// at apply time, hooks and all, as dbt renders hooks when the model runs.
    private mutating func renderModelsWithLateHooksAtApply() {
        for id in table.models where table[id].enabled {
            let model = table[model: id]
            let hooks = (model.config.preHooks + model.config.postHooks).filter(JinjaTemplate.mayHoldTags)
            guard !hooks.isEmpty else { continue }
            let node = table.nodeFields(id)
            for hook in hooks where serialContext.render(source: hook, file: model.file.display, slot: id, model: node, base: model.config,
                                                         incremental: false).needsDatabase {
                table[model: id].hooksAtApply = true
                table[model: id].renderAtApply = true
                break
            }
        }
    }

    /// A model that reads an ephemeral model rendered at apply time (one whose template queries
    /// the database, such as `dbt_utils.date_spine`) is rendered at apply time too, so the
    /// ephemeral's SQL is put in front of its own then, as dbt inlines it; in graph order, so a
    /// chain of ephemerals carries it along.
    private mutating func renderReadersOfLateEphemeralsAtApply(_ order: [SlotID]) {
        for id in order where table[id].kind == .model && !table[model: id].renderAtApply {
            if table[model: id].render.refs.contains(where: { table[$0.slot].ephemeral && table[$0.slot].kind == .model && table[model: $0.slot].renderAtApply }) {
                table[model: id].renderAtApply = true
            }
        }
    }

    /// What a model rendered at apply time cannot be: a microbatch model (its inputs are windowed
    /// only as the compiler writes its SQL).
    private mutating func checkModelsRenderedAtApply() {
        for id in table.models where table[model: id].renderAtApply && table[id].enabled {
            let file = table[model: id].file.display
            if table[model: id].config.incrementalStrategy == .microbatch, table[model: id].config.materialized == .incremental {
                result.diagnostics.append(.error(at: .file(file), "microbatch model \(table[id].name) queries the database while rendering, which floe cannot batch yet",
                                                 hint: "compute the value in the SQL, or use delete+insert with a unique_key"))
            }
        }
    }
}
