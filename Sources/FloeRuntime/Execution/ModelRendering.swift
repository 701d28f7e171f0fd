import Crypto
import FloeContract
import FloeCore
import FloeEngine
import FloeTemplates
import Foundation

/// Renders, at apply time, a model whose template queries the database (`run_query`,
/// `adapter.get_columns_in_relation`, …): after its upstream is built, on the connection that
/// builds it, from the template and frozen context the plan carries (``TemplateLibrary``), with
/// `execute` true as in dbt. The result is the model with its SQL, ready for ``ModelBuilder``.
struct ModelRendering {
    let library: TemplateLibrary
    let dialect: any SQLDialect

    /// `model` with its SQL (and its incremental SQL) rendered now, and a fingerprint that covers
    /// that SQL: the same template can render other SQL as the data it reads changes, so "up to
    /// date" compares what was rendered.
    func render(_ model: CompiledModel, on connection: any EngineConnection) throws -> CompiledModel {
        guard let template = library.models[model.uniqueID] else {
            throw ExecutorError(.invalidPlan, "model \(model.name) is to be rendered at apply time, but the plan has no template for it",
                                node: model.uniqueID)
        }
        let context = DbtRenderContext(inputs(template, model: model))
        context.databaseAccess = .live(connection)
        let parsed = Result { () throws(TemplateError) in try JinjaTemplate(template.text, file: template.path) }
        let node = template.node.keys.sorted().map { ($0, ConfigInput(template.node[$0]!).jinja) }
        let config = FrozenNodeConfig(template.config.mapValues(ConfigInput.init))
        let this = template.refs.count + template.sources.count
        func rendered(incremental: Bool) throws -> String {
            let outcome = context.render(parsed, slot: this, model: node, base: config, incremental: incremental)
            if let error = outcome.error {
                throw ExecutorError(.build, "rendering \(template.path) at apply time: \(error.location): \(error.message)"
                                        + (error.hint.map { " (\($0))" } ?? ""), node: model.uniqueID)
            }
            let sql = dialect.nativeFunctions(outcome.text.trimmingCharacters(in: .whitespacesAndNewlines))
            if JinjaTemplate.mayHoldTags(sql), sql.range(of: #"\{\{.*?\}\}|\{%.*?%\}"#, options: .regularExpression) != nil {
                throw ExecutorError(.build, "rendering \(template.path) at apply time left a Jinja tag in its SQL", node: model.uniqueID, sql: sql)
            }
            return sql
        }
        var result = model
        result.sql = try rendered(incremental: false)
        result.incrementalSQL = model.materialized == .incremental ? try rendered(incremental: true) : nil
        var hasher = SHA256()
        for part in [model.fingerprint, result.sql, result.incrementalSQL ?? ""] {
            hasher.update(data: Data(part.utf8))
            hasher.update(data: Data([0]))
        }
        result.fingerprint = Hex.string(hasher.finalize())
        // Rendered: from here on it is a model like the others.
        result.renderAtApply = nil
        return result
    }

    /// The render inputs for one model: slots for what it may `ref()` and `source()`, then itself
    /// (`this`), each resolved to its relation.
    private func inputs(_ template: ModelTemplate, model: CompiledModel) -> DbtRenderInputs {
        var refable: [String: Int] = [:]
        var sources: [String: [String: Int]] = [:]
        var relations: [Relation] = []
        for reference in template.refs {
            if let name = reference.name.last { refable[name] = relations.count }
            relations.append(reference.relation)
        }
        for source in template.sources {
            sources[source.source, default: [:]][source.table] = relations.count
            relations.append(source.relation)
        }
        relations.append(model.relation)
        var packageVars: [String: [String: ConfigInput]] = [:]
        for (package, vars) in library.vars where package != library.project {
            packageVars[package] = vars.mapValues(ConfigInput.init)
        }
        let view = model.materialized == .view && !dialect.viewsQualifyTheirOwnSchema
        return DbtRenderInputs(
            projectName: library.project, targetName: library.target, namespace: library.namespace, dialect: dialect,
            refable: refable, sources: sources, vars: (library.vars[library.project] ?? [:]).mapValues(ConfigInput.init),
            environment: template.environment,
            macroFiles: library.macros.map { MacroSource(text: $0.text, file: $0.path, package: $0.package) },
            compiledAt: library.compiledAt, packageVars: packageVars,
            slotPackages: Array(repeating: template.package, count: relations.count), dispatch: library.dispatch,
            resolvedRelations: relations, unqualifiedSchema: view ? model.relation.schema : nil)
    }
}
