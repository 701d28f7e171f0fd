import FloeJinja
import FloeTemplates
import Crypto
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// What the dbt project is compiled for.
struct DbtCompileRequest {
    /// The directory that holds dbt_project.yml.
    var root: URL
    /// The project directory as messages print it and as the plan records it, each empty or ending in `/`.
    var displayPrefix: String
    var planPrefix: String
    var dialect: any SQLDialect
    /// The environment's name (`target.name`) and namespace (`target.schema`, the default schema).
    var targetName: String
    var namespace: String
    /// floe.yaml's vars and `--vars`, over the project's own.
    var vars: [String: ConfigInput]
    var environment: [String: String]
    var compiledAt: String
    /// dbt's `flags` for the command compiling.
    var flags = TemplateFlags()
}

/// The project's part of the plan.
struct DbtCompileResult {
    var models: [CompiledModel] = []
    var seeds: [CompiledSeed] = []
    var sources: [CompiledSource] = []
    var tests: [CompiledTest] = []
    /// The templates of the models rendered at apply time; nil when there are none.
    var templates: TemplateLibrary?
    /// `on-run-start`/`on-run-end`, rendered; nil when the project has none.
    var hooks: RunHooks?
    var exposures: [CompiledExposure] = []
    var analyses: [CompiledAnalysis] = []
    /// dbt's semantic layer definitions, turned into cubes once every project's models are known.
    var semantic = DbtSemanticDefinitions()
    /// Every file read, for the plan's input hashes.
    var inputs: [InputFile] = []
    var diagnostics: [Diagnostic] = []
}

/// Reads a dbt project and compiles it into plan nodes: renders every model in parallel, resolves
/// configs and relations, builds the graph, inlines ephemerals and writes the tests' SQL.
struct DbtProjectCompiler {
    let request: DbtCompileRequest
    let project: DbtProjectFile
    /// The installed packages' project files, by package name.
    let packages: [String: DbtProjectFile]
    let files: DbtFiles
    var properties: DbtProperties
    /// Every model, seed and source table, with the models' state and the seeds' configs.
    var table: SlotTable
    /// The macro files that parsed, as text: each render worker parses its own copy.
    let macroFiles: [MacroSource]
    var result = DbtCompileResult()
    /// Renders what is rendered one at a time (configs, descriptions, hooks, analyses).
    let serialContext: DbtRenderContext
    /// Config entries rendered and applied, the folder trees' configs worked out once per level.
    var configs: DbtConfigResolver
    /// What every render context is made from; render workers take isolated copies.
    let inputs: DbtRenderInputs
    /// Parses model files in the background until the render starts.
    let prefetch: ModelPrefetch
    let reading: DbtProjectReading

    init(_ request: DbtCompileRequest, reading: DbtProjectReading, declarations: DbtDeclarations) {
        self.request = request
        self.reading = reading
        project = reading.project
        packages = reading.packages
        files = reading.files
        properties = reading.properties
        macroFiles = reading.macroFiles
        prefetch = reading.prefetch
        table = declarations.table
        result.inputs = reading.inputs
        // A macro file that does not parse is reported with everything else rendering finds,
        // not instead of it.
        result.diagnostics = reading.diagnostics + declarations.diagnostics + reading.macroParseErrors
        result.semantic = reading.properties.semantic
        inputs = DbtRenderInputs(
            projectName: reading.project.name, targetName: request.targetName, namespace: request.namespace, dialect: request.dialect,
            relations: declarations.relations, vars: Self.mergedVars(reading.project, request: request), environment: request.environment,
            macroFiles: reading.macroFiles, compiledAt: request.compiledAt, docs: reading.docs, flags: request.flags,
            packageVars: Self.packageVars(reading, request: request), dispatch: reading.project.dispatch)
        serialContext = DbtRenderContext(inputs)
        configs = DbtConfigResolver(project: reading.project, packages: reading.packages, context: serialContext)
    }

    static func compile(_ request: DbtCompileRequest) -> DbtCompileResult {
        let (reading, diagnostics) = DbtProjectReading.read(request)
        guard let reading else {
            var result = DbtCompileResult()
            result.diagnostics = diagnostics
            return result
        }
        let declarations = DbtDeclarations.declare(reading, namespace: request.namespace)
        guard !(reading.diagnostics + declarations.diagnostics).hasErrors else {
            var result = DbtCompileResult()
            result.inputs = reading.inputs
            result.semantic = reading.properties.semantic
            result.diagnostics = reading.diagnostics + declarations.diagnostics + reading.macroParseErrors
            reading.foldPackageWarnings(&result.diagnostics, displayPrefix: request.displayPrefix)
            _ = reading.prefetch.finish()
            return deduplicated(result)
        }
        var compiler = DbtProjectCompiler(request, reading: reading, declarations: declarations)
        compiler.run()
        _ = compiler.prefetch.finish()
        reading.foldPackageWarnings(&compiler.result.diagnostics, displayPrefix: request.displayPrefix)
        let result = deduplicated(compiler.result)
        BackgroundRelease.release(compiler)
        return result
    }

    /// Each diagnostic once, in the order first found.
    private static func deduplicated(_ result: DbtCompileResult) -> DbtCompileResult {
        var result = result
        var seen = Set<Diagnostic>()
        result.diagnostics = result.diagnostics.filter { seen.insert($0).inserted }
        return result
    }

    private mutating func run() {
        renderDescriptions()
        resolveBaseConfigs()
        let singularTests = renderInParallel()
        applyFileConfigs()
        let finisher = resolveRelations()
        buildCrossSchemaViewsAsTables()
        let order = buildGraph()
        checkModelsRenderedAtApply()
        guard !result.diagnostics.hasErrors, let order else { return }
        renderIncrementalVariants()
        guard !result.diagnostics.hasErrors else { return }
        var assembly = DbtPlanAssembly(
            request: request, project: project, files: files, properties: properties, table: table, serialContext: serialContext, inputs: inputs, macroFiles: macroFiles, finisher: finisher,
            result: result)
        assembly.compileLeaves()
        // The `data_tests:` tree's configs; their problems come after the leaves'. A generic test's
        // fqn is its properties file's folders (and its own name), as in dbt: the tree's folder
        // levels apply to the tests that file defines.
        let found = result.diagnostics.count
        let testConfig = configs.treeConfig(\.tests, package: project.name, fqn: [project.name], reporting: &result.diagnostics)
        var folderConfigs: [String: NodeConfig] = [:]
        for file in files.properties {
            folderConfigs[file.display] = configs.treeConfig(\.tests, package: file.package, fqn: [file.package] + file.folders, reporting: &result.diagnostics)
        }
        assembly.result.diagnostics += result.diagnostics[found...]
        assembly.compileModelsAndTests(order: order, singular: singularTests, testConfig: testConfig, folderConfigs: folderConfigs)
        result = assembly.result
    }

    /// What is rendered at apply time is a model's SQL only: anything else that queries the
    /// database while rendering is an error at its file.
    static func queriesTheDatabase(_ file: String, what: String) -> Diagnostic {
        .error(at: .file(file), "\(what) queries the database while rendering (run_query, statement, adapter.get_columns_in_relation…)",
               hint: "only a model's SQL may: it is rendered at apply time; compute the value in the SQL, or pass it as a var")
    }

    // MARK: Reading

    /// Adds a file read, and hashed, elsewhere (on a worker) to the plan's inputs.
    mutating func record(planPath: String, sha256: String) {
        result.inputs.append(InputFile(path: planPath, sha256: sha256))
    }

    /// Descriptions holding Jinja (`{{ doc('orders') }}`) rendered, so no `{{` reaches the plan;
    /// one that does not render is an error at the properties file.
    private mutating func renderDescriptions() {
        let environment = serialContext.environment
        var diagnostics: [Diagnostic] = []
        func render(_ text: String?, at location: SourceLocation) -> String? {
            guard let text, JinjaTemplate.mayHoldTags(text) else { return text }
            do {
                return try environment.render(JinjaTemplate(text, file: location.file))
            } catch {
                diagnostics.append(.error(at: location, "the description does not render: \(error.message)", hint: error.hint))
                return text
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

    /// Merges each model's `config()` calls over its base config.
    private mutating func applyFileConfigs() {
        for id in table.models {
            if !table[model: id].render.config.isEmpty {
                var config = table[model: id].config
                configs.apply(table[model: id].render.config, to: &config, path: "config", reporting: &result.diagnostics)
                if table[model: id].file.isSnapshot { config.materialized = .snapshot }
                table[model: id].config = config
            }
            table[id].enabled = table[model: id].config.enabled
            table[id].ephemeral = table[model: id].config.materialized == .ephemeral
        }
    }
}
