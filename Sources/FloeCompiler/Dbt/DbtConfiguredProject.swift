import FloeContract
import FloeCore
import FloeJinja
import FloeTemplates
import Foundation

/// The third phase: every model's and seed's base config (the folder trees', then its
/// properties file's) and the descriptions rendered. Made from the reading and the declarations,
/// with the render inputs every later render context comes from.
struct DbtConfiguredProject: DbtCompilePhase {
    let context: DbtCompileContext
    var properties: DbtProperties
    /// Every model, seed and source table, with the models' state and the seeds' configs.
    var table: SlotTable
    /// Config entries rendered and applied, the folder trees' configs worked out once per level.
    var configs: DbtConfigResolver
    var result = DbtCompileResult()

    init(_ request: DbtCompileRequest, reading: DbtProjectReading, declarations: DbtDeclarations) {
        var inputs = DbtRenderInputs(
            projectName: reading.project.name, targetName: request.targetName, namespace: request.namespace, dialect: request.dialect,
            relations: declarations.relations, vars: Self.mergedVars(reading.project, request: request), environment: request.environment,
            macroFiles: reading.macroFiles, compiledAt: request.compiledAt, docs: reading.docs, flags: request.flags,
            packageVars: Self.packageVars(reading, request: request), dispatch: reading.project.dispatch)
        inputs.database = request.database
        for project in [reading.project] + Array(reading.packages.values) {
            inputs.projectVersions[project.name] = project.version ?? ""
        }
        let serialContext = DbtRenderContext(inputs)
        context = DbtCompileContext(request: request, reading: reading, inputs: inputs, serialContext: serialContext)
        properties = reading.properties
        table = declarations.table
        configs = DbtConfigResolver(project: reading.project, packages: reading.packages, context: serialContext)
        result.inputs = reading.inputs
        // A macro file that does not parse is reported with everything else rendering finds,
        // not instead of it.
        result.diagnostics = reading.diagnostics + declarations.diagnostics + reading.macroParseErrors
        result.semantic = reading.properties.semantic
        renderDescriptions()
        renderSourceNames()
        resolveBaseConfigs()
    }

    /// Sources' `schema:` and tables' `identifier:` holding Jinja (`"{{ var('stripe_schema', 'stripe') }}"`,
    /// `"{{ target.schema }}"`) rendered, as dbt renders them, so the plan and every relation
    /// lookup see the final name; one that does not render is an error at its source.
    private mutating func renderSourceNames() {
        let environment = serialContext.environment
        let sourceTables = table.sourceTables(of: properties.sources)
        var diagnostics: [Diagnostic] = []
        for index in properties.sources.indices {
            let source = properties.sources[index]
            func render(_ text: String?, what: String) -> String? {
                Self.rendered(text, file: source.location.file, in: environment) { error in
                    diagnostics.append(.error(at: source.location, "source '\(source.name)': its \(what) does not render: \(error.message)",
                                              hint: error.hint))
                }?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let schema = render(source.schema, what: "schema")
            properties.sources[index].schema = schema
            for entry in sourceTables where entry.source == index {
                let described = source.tables[entry.table]
                let identifier = render(described.identifier, what: "identifier of table '\(described.properties.name)'")
                properties.sources[index].tables[entry.table].identifier = identifier
                table[entry.slot].relation = Relation(schema: schema ?? request.namespace, name: identifier ?? described.properties.name)
            }
        }
        result.diagnostics += diagnostics
    }

    /// `text` with the Jinja it holds rendered on `environment`, as it is when it holds none; a
    /// failure goes to `problem`, and the text stays as written.
    private static func rendered(_ text: String?, file: String, in environment: JinjaEnvironment, problem: (TemplateError) -> Void) -> String? {
        guard let text, JinjaTemplate.mayHoldTags(text) else { return text }
        do {
            return try environment.render(JinjaTemplate(text, file: file))
        } catch {
            problem(error)
            return text
        }
    }

    /// Descriptions holding Jinja (`{{ doc('orders') }}`) rendered, so no `{{` reaches the plan;
    /// one that does not render is an error at the properties file.
    private mutating func renderDescriptions() {
        let environment = serialContext.environment
        var diagnostics: [Diagnostic] = []
        func render(_ text: String?, at location: SourceLocation) -> String? {
            Self.rendered(text, file: location.file, in: environment) { error in
                diagnostics.append(.error(at: location, "the description does not render: \(error.message)", hint: error.hint))
            }
        }
        func renderAll(_ node: inout NodeProperties) {
            node.description = render(node.description, at: node.location)
            for index in node.columns.indices {
                node.columns[index].description = render(node.columns[index].description, at: node.location)
            }
        }
        for name in properties.models.keys { renderAll(&properties.models[name]!) }
        for name in properties.seeds.keys { renderAll(&properties.seeds[name]!) }
        for source in properties.sources.indices {
            for table in properties.sources[source].tables.indices { renderAll(&properties.sources[source].tables[table].properties) }
        }
        for id in table.models where table[model: id].properties != nil { renderAll(&table[model: id].properties!) }
        result.diagnostics += diagnostics
    }

    /// The project's vars, under floe.yaml's and `--vars` (which the request already merged).
    private static func mergedVars(_ project: DbtProjectFile, request: DbtCompileRequest) -> [String: ConfigInput] {
        var vars: [String: ConfigInput] = [:]
        for (name, value) in project.vars { vars[name] = ConfigInput(value) }
        vars.merge(request.vars) { _, new in new }
        return vars
    }

    /// The vars a package's nodes see, as dbt layers them: the package's own dbt_project.yml
    /// under the root project's vars for every package, under the root's `vars: {<package>: …}`,
    /// under floe.yaml's and `--vars`.
    private static func packageVars(_ reading: DbtProjectReading, request: DbtCompileRequest) -> [String: [String: ConfigInput]] {
        let project = reading.project, packages = reading.packages
        var result: [String: [String: ConfigInput]] = [:]
        for (name, package) in packages {
            var vars: [String: ConfigInput] = [:]
            for (key, value) in package.vars { vars[key] = ConfigInput(value) }
            for (key, value) in project.writtenVars where key != project.name && packages[key] == nil { vars[key] = ConfigInput(value) }
            for entry in project.writtenVars[name]?.entries ?? [] { vars[entry.key] = ConfigInput(entry.value) }
            vars.merge(request.vars) { _, new in new }
            result[name] = vars
        }
        return result
    }

    // MARK: Config

    private mutating func resolveBaseConfigs() {
        for id in table.models {
            let file = table[model: id].file
            var config = configs.treeConfig(file.isSnapshot ? \.snapshots : \.models, package: file.package, fqn: [file.package] + file.folders + [file.stem],
                                            reporting: &result.diagnostics)
            if let described = table[model: id].properties {
                configs.apply(described.config, to: &config, path: "config", reporting: &result.diagnostics)
            }
            if file.isSnapshot { config.materialized = .snapshot }
            table[model: id].config = config
        }
        for id in table.seeds {
            let file = table[seed: id].file
            var config = configs.treeConfig(\.seeds, package: file.package, fqn: [file.package] + file.folders + [file.stem], reporting: &result.diagnostics)
            if let described = properties.seeds[file.stem] { configs.apply(described.config, to: &config, path: "config", reporting: &result.diagnostics) }
            table[seed: id].config = config
            table[id].enabled = config.enabled
        }
    }
}
