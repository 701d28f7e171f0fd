import Crypto
import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import FloeJinja
import FloeTemplates
import Foundation

/// Renders, at apply time, a model or test whose template queries the database (`run_query`,
/// `adapter.get_columns_in_relation`, …): once what it reads is built, on the connection that
/// builds or runs it, from the template and frozen context the plan carries
/// (``TemplateLibrary``), with `execute` true as in dbt.
struct TemplateRendering: Sendable {
    let library: TemplateLibrary
    let dialect: any SQLDialect
    /// dbt's `graph`: the plan's nodes.
    var graph: DbtGraph?
    /// The plan's ephemeral models, by unique id: what a rendered template's ephemeral refs put
    /// in front of its SQL as CTEs (those rendered at apply time rendered first).
    var ephemerals: [String: CompiledModel] = [:]
    /// Every source table of the plan: a `source()` first reached at apply time (inside
    /// `{% if execute %}`) finds its table, as dbt's runtime resolves any declared source.
    var sources: [CompiledSource] = []
    /// `target.database`: the plan's compute profile's database.
    var database = ""
    /// The one `graph` the run hooks share, as dbt's run has one graph: what an on-run-start
    /// hook writes into it an on-run-end hook reads. Run hooks render one at a time, on the
    /// run's connection; models and tests each get their own copy.
    let runHookGraph = SharedGraph()

    final class SharedGraph: @unchecked Sendable {
        private let lock = NSLock()
        private var value: JinjaValue?

        func value(_ make: () -> JinjaValue) -> JinjaValue {
            lock.lock()
            defer { lock.unlock() }
            if let value { return value }
            let made = make()
            value = made
            return made
        }
    }

    /// The rendering of a plan that has templates; a plan that marks a node as rendered at apply
    /// time but has none is refused as damaged.
    static func required(_ rendering: TemplateRendering?, for node: String) throws -> TemplateRendering {
        guard let rendering else {
            throw ExecutorError(.invalidPlan, "\(node) is to be rendered at apply time, but the plan carries no templates", node: node)
        }
        return rendering
    }

    /// `model` with its SQL (and its incremental SQL) rendered now, and a fingerprint that covers
    /// that SQL: the same template can render other SQL as the data it reads changes, so "up to
    /// date" compares what was rendered.
    func render(_ model: CompiledModel, on connection: any EngineConnection) throws -> CompiledModel {
        let template = try self.template(library.models[model.uniqueID], of: model.uniqueID, named: model.name)
        let (context, this) = renderContext(template, of: model, connection: connection)
        var result = model
        result.sql = try sql(template, in: context, this: this, incremental: false, node: model.uniqueID)
        result.incrementalSQL = model.materialized == .incremental
            ? try sql(template, in: context, this: this, incremental: true, node: model.uniqueID) : nil
        let ctes = try ephemeralCTEs(of: template, on: connection, node: model.uniqueID)
        // Both sides are in the engine's spelling already (``sql(_:in:this:incremental:node:)``, the plan's SQL).
        if !ctes.isEmpty {
            result.sql = EphemeralInliner.inline(result.sql, ctes: ctes)
            result.incrementalSQL = result.incrementalSQL.map { EphemeralInliner.inline($0, ctes: ctes) }
        }
        // Pre-hooks that query the database, rendered now with the model, as dbt renders them
        // when it runs; post-hooks once the model is built (``renderPostHooks(of:on:)``).
        var lateHooks: [String] = []
        if let hooks = template.preHooks {
            result.preHooks = try hooks.map { try hook($0, of: template, in: context, this: this, node: model.uniqueID) }
            lateHooks += result.preHooks
        }
        if template.postHooks != nil { result.postHooks = [] }
        var hasher = SHA256()
        ModelFingerprintRecipe.feedRendered(planFingerprint: model.fingerprint, sql: result.sql, incrementalSQL: result.incrementalSQL,
                                            hooks: lateHooks) {
            hasher.update(bufferPointer: $0)
        }
        result.fingerprint = Hex.string(hasher.finalize())
        // Rendered: from here on it is a model like the others.
        result.renderAtApply = nil
        return result
    }

    /// Whether `model`'s post-hooks are rendered after its statement ran.
    func rendersPostHooksLate(_ model: CompiledModel) -> Bool {
        library.models[model.uniqueID]?.postHooks != nil
    }

    /// The post-hooks of a model rendered at apply time, rendered now that it is built, on the
    /// connection that built it (inside its transaction), so they see the new table.
    func renderPostHooks(of model: CompiledModel, on connection: any EngineConnection) throws -> [String] {
        let template = try self.template(library.models[model.uniqueID], of: model.uniqueID, named: model.name)
        let (context, this) = renderContext(template, of: model, connection: connection)
        return try (template.postHooks ?? []).map { try hook($0, of: template, in: context, this: this, node: model.uniqueID) }
    }

    /// `test` with its SQL rendered now.
    func render(_ test: CompiledTest, on connection: any EngineConnection) throws -> CompiledTest {
        let template = try self.template(library.tests[test.uniqueID], of: test.uniqueID, named: test.name)
        let (context, _) = renderContext(template, this: nil, unqualifiedSchema: nil, connection: connection)
        var result = test
        result.sql = try sql(template, in: context, this: nil, incremental: false, node: test.uniqueID)
        let ctes = try ephemeralCTEs(of: template, on: connection, node: test.uniqueID)
        if !ctes.isEmpty { result.sql = EphemeralInliner.inline(result.sql, ctes: ctes) }
        result.renderAtApply = nil
        return result
    }

    /// An on-run-start or on-run-end hook rendered now, on the run's connection: its queries run
    /// while it renders, and what it renders is the statement to run (often nothing). An
    /// on-run-end hook sees the run's `results`; both see the run's id as `invocation_id`.
    func render(runHook key: String, results: [NodeResult]?, invocationID: String, command: String,
                on connection: any EngineConnection) throws -> String {
        let template = try self.template(library.runHooks?[key], of: key, named: key)
        let (context, _) = renderContext(template, this: nil, unqualifiedSchema: nil, connection: connection)
        if let graph { context.share(graph: runHookGraph.value { graph.value(dialect: dialect) }) }
        let globals = context.environment.globals
        globals.values["invocation_id"] = .string(invocationID)
        // The command running, where the compile saw its own.
        for (name, key) in [("flags", "WHICH"), ("invocation_args_dict", "which")] {
            guard case .dict(let box)? = globals.values[name] else { continue }
            globals.values[name] = .dict(zip(box.keys, box.values).map { ($0.0, $0.0 == key ? .string(command) : $0.1) })
        }
        if let results {
            var graphNodes: [String: JinjaValue] = [:]
            // A copy of the graph's nodes of their own: dbt's result nodes are not the dicts of its
            // `graph`, so what a hook writes into one the other does not see.
            if case .dict(let whole)? = graph?.value(dialect: dialect) {
                for group in ["nodes", "sources"] {
                    guard case .dict(let nodes)? = whole[group] else { continue }
                    for (id, node) in zip(nodes.keys, nodes.values) { graphNodes[id] = node }
                }
            }
            globals.values["results"] = RunHookResults.value(results, graphNodes: graphNodes)
            // dbt's `schemas` and `database_schemas`: where the run's models and seeds are.
            let built = Set(results.map(\.uniqueID))
            let schemas = Array(Set((graph?.nodes ?? []).filter { built.contains($0.uniqueID) }.compactMap { $0.relation?.schema })).sorted()
            globals.values["schemas"] = .list(schemas.map(JinjaValue.string))
            globals.values["database_schemas"] = .list(schemas.map { .list([.string(""), .string($0)]) })
        }
        return try sql(template, in: context, this: nil, incremental: false, node: key)
    }

    /// The render context of a model's template, `this` the model (a view names its own schema's
    /// relations unqualified where the engine's views need that).
    private func renderContext(_ template: ModelTemplate, of model: CompiledModel,
                               connection: any EngineConnection) -> (DbtRenderContext, this: SlotID?) {
        let view = model.materialized == .view && !dialect.viewsQualifyTheirOwnSchema
        return renderContext(template, this: model.relation, unqualifiedSchema: view ? model.relation.schema : nil, connection: connection)
    }

    /// One hook of a model rendered at apply time, in the model's context.
    private func hook(_ text: String, of template: ModelTemplate, in context: DbtRenderContext, this: SlotID?, node: String) throws -> String {
        var hookTemplate = template
        hookTemplate.text = text
        return try sql(hookTemplate, in: context, this: this, incremental: false, node: node)
    }

    /// The ephemeral models `template` names, each as a CTE (its name and SQL): the plan's SQL,
    /// or for one rendered at apply time its rendering now (with the ephemerals it names in front).
    private func ephemeralCTEs(of template: ModelTemplate, on connection: any EngineConnection, node: String) throws -> [(name: String, sql: String)] {
        var ctes: [(name: String, sql: String)] = []
        var seen = Set<String>()
        for reference in template.refs {
            guard let id = reference.ephemeral, seen.insert(id).inserted else { continue }
            guard let model = ephemerals[id] else {
                throw ExecutorError(.invalidPlan, "\(node) reads ephemeral \(id), which the plan does not have", node: node)
            }
            let sql = model.renderAtApply == true ? try render(model, on: connection).sql : model.sql
            ctes.append((model.name, sql))
        }
        return ctes
    }

    private func template(_ template: ModelTemplate?, of node: String, named name: String) throws -> ModelTemplate {
        guard let template else {
            throw ExecutorError(.invalidPlan, "\(name) is to be rendered at apply time, but the plan has no template for it", node: node)
        }
        return template
    }

    private func sql(_ template: ModelTemplate, in context: DbtRenderContext, this: SlotID?, incremental: Bool, node: String) throws -> String {
        let parsed = Result { () throws(TemplateError) in try JinjaTemplate(template.text, file: template.path) }
        let model = template.node.keys.sorted().map { ($0, ConfigInput(template.node[$0]!).jinja) }
        let config = FrozenNodeConfig(template.config.mapValues(ConfigInput.init))
        let outcome = context.render(parsed, slot: this, model: model, base: config, incremental: incremental, package: template.package)
        if let error = outcome.error {
            throw ExecutorError(.build, "rendering \(template.path) at apply time: \(error.location): \(error.message)"
                                    + (error.hint.map { " (\($0))" } ?? ""), node: node)
        }
        let sql = dialect.nativeFunctions(outcome.text.trimmingCharacters(in: .whitespacesAndNewlines))
        if JinjaTemplate.leftoverTag(in: sql) != nil {
            throw ExecutorError(.build, "rendering \(template.path) at apply time left a Jinja tag in its SQL", node: node, sql: sql)
        }
        return sql
    }

    /// A render context for one template: what it may `ref()` and `source()`, filled by name, then
    /// `this` when it has one, each with its relation; its calls run on `connection`. Also where
    /// `this` is in the context's relations.
    private func renderContext(_ template: ModelTemplate, this: Relation?, unqualifiedSchema: String?,
                               connection: any EngineConnection) -> (DbtRenderContext, this: SlotID?) {
        var relations = DbtRelationTable(resolved: true)
        for reference in template.refs {
            if let name = reference.name.last {
                relations.addRef(name, package: template.package, relation: reference.relation, version: reference.version,
                                 latest: reference.latest ?? true)
            } else {
                _ = relations.addUnnamed(reference.relation, package: template.package)
            }
        }
        var named = Set<String>()
        for source in template.sources {
            relations.addSource(source.source, table: source.table, package: template.package, relation: source.relation)
            named.insert(source.source + "." + source.table)
        }
        for source in sources where named.insert(source.sourceName + "." + source.name).inserted {
            relations.addSource(source.sourceName, table: source.name, package: template.package, relation: source.relation)
        }
        let thisPosition = this.map { relations.addUnnamed($0, package: template.package) }
        var packageVars: [String: [String: ConfigInput]] = [:]
        for (package, vars) in library.vars where package != library.project {
            packageVars[package] = vars.mapValues(ConfigInput.init)
        }
        var inputs = DbtRenderInputs(
            projectName: library.project, targetName: library.target, namespace: library.namespace, dialect: dialect,
            relations: relations, vars: (library.vars[library.project] ?? [:]).mapValues(ConfigInput.init),
            environment: template.environment,
            macroFiles: library.macros.map { MacroSource(text: $0.text, file: $0.path, package: $0.package) },
            compiledAt: library.compiledAt, packageVars: packageVars,
            dispatch: library.dispatch, unqualifiedSchema: unqualifiedSchema, graph: graph)
        inputs.projectVersions = library.projectVersions ?? [:]
        inputs.database = database
        // A unit test's overrides, over the project's vars (every package's too) and macros.
        if let overrides = template.varOverrides?.mapValues(ConfigInput.init) {
            inputs.vars.merge(overrides) { _, new in new }
            for package in inputs.packageVars.keys { inputs.packageVars[package]!.merge(overrides) { _, new in new } }
        }
        if let overrides = template.macroOverrides { inputs.macroOverrides = overrides.mapValues(ConfigInput.init) }
        let context = DbtRenderContext(inputs)
        context.databaseAccess = .live(connection)
        return (context, thisPosition)
    }
}
