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
    /// A model, seed or source: anything `ref()` or `source()` can point at.
    struct Slot {
        enum Kind { case model, seed, source }
        var kind: Kind
        var name: String
        var uniqueID: String

        /// How a template names it: `ref('orders')`, or `source('shop', 'orders')`.
        var callExpression: String {
            kind == .source ? "source('\(name.split(separator: ".", maxSplits: 1).joined(separator: "', '"))')" : "ref('\(name)')"
        }
        var relation = Relation(schema: "", name: "")
        /// The project that defines it: the root project or an installed package.
        var package: String
        var enabled = true
        var ephemeral = false
    }

    struct ModelState {
        var file: ProjectFile
        var config: NodeConfig
        var properties: NodeProperties?
        var render = RenderOutcome()
        var incrementalRender: RenderOutcome?
        /// The file's text, so the incremental rendering need not read it again.
        var source = ""
        /// Its template queries the database: `render` is dbt's parse rendering (`execute` false),
        /// and the model is rendered at apply time.
        var renderAtApply = false
    }

    let request: DbtCompileRequest
    let project: DbtProjectFile
    /// The installed packages' project files, by package name.
    let packages: [String: DbtProjectFile]
    let files: DbtFiles
    var properties: DbtProperties
    var slots: [Slot]
    var models: [ModelState]
    /// By seed, in `files.seeds` order: the folder tree's config, then the properties file's.
    var seedConfigs: [NodeConfig] = []
    /// The macro files that parsed, as text: each render worker parses its own copy.
    let macroFiles: [MacroSource]
    var result = DbtCompileResult()
    /// Renders what is rendered one at a time (configs, descriptions, hooks, analyses).
    let serialContext: DbtRenderContext
    /// Replaces placeholders with relations once the configs have decided them.
    var finisher: ModelFinisher!
    /// ``treeConfig(_:fqn:)``'s results by the path of the deepest level matched (`models.shop.staging`).
    var treeConfigs: [String: NodeConfig] = [:]
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
        slots = declarations.slots
        models = declarations.models
        result.inputs = reading.inputs
        // A macro file that does not parse is reported with everything else rendering finds,
        // not instead of it.
        result.diagnostics = reading.diagnostics + declarations.diagnostics + reading.macroParseErrors
        result.semantic = reading.properties.semantic
        inputs = DbtRenderInputs(
            projectName: reading.project.name, targetName: request.targetName, namespace: request.namespace, dialect: request.dialect,
            refable: declarations.refable, sources: declarations.sourceTables,
            vars: Self.mergedVars(reading.project, request: request), environment: request.environment,
            macroFiles: reading.macroFiles, compiledAt: request.compiledAt, docs: reading.docs, flags: request.flags,
            packageVars: Self.packageVars(reading, request: request), slotPackages: declarations.slots.map(\.package),
            dispatch: reading.project.dispatch)
        serialContext = DbtRenderContext(inputs)
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
        resolveRelations()
        buildCrossSchemaViewsAsTables()
        let order = buildGraph()
        checkModelsRenderedAtApply()
        guard !result.diagnostics.hasErrors, let order else { return }
        renderIncrementalVariants()
        guard !result.diagnostics.hasErrors else { return }
        compileSeeds()
        compileSources()
        compileExposures()
        compileAnalyses()
        // The tests need neither the models' SQL nor their fingerprints: they are made on another
        // thread, with a render context of their own, while the models are.
        let testConfig = treeConfig(\.tests, package: project.name, fqn: [project.name])
        // A generic test's fqn is its properties file's folders (and its own name), as in dbt: the
        // `data_tests:` tree's folder levels apply to the tests that file defines.
        var folderConfigs: [String: NodeConfig] = [:]
        for file in files.properties {
            folderConfigs[file.display] = treeConfig(\.tests, package: file.package, fqn: [file.package] + file.folders)
        }
        let testsWork = BackgroundWork { [self, folderConfigs] in
            compileTests(singular: singularTests, projectConfig: testConfig, folderConfigs: folderConfigs,
                         context: DbtRenderContext(inputs.isolated()))
        }
        compileModels(order: order)
        let (tests, testTemplates, testDiagnostics) = testsWork.wait()
        result.tests = tests
        result.diagnostics += testDiagnostics
        result.templates = templateLibrary(tests: testTemplates)
        result.hooks = runHooks()
        result.diagnostics += unrenderedJinja()
        result.diagnostics += project.models.unusedPathWarnings() + project.seeds.unusedPathWarnings()
    }

    /// What is rendered at apply time is a model's SQL only: anything else that queries the
    /// database while rendering is an error at its file.
    static func queriesTheDatabase(_ file: String, what: String) -> Diagnostic {
        .error(at: .file(file), "\(what) queries the database while rendering (run_query, statement, adapter.get_columns_in_relation…)",
               hint: "only a model's SQL may: it is rendered at apply time; compute the value in the SQL, or pass it as a var")
    }

    // MARK: Reading

    /// Adds a file read, and hashed, elsewhere (on a worker) to the plan's inputs.
    private mutating func record(planPath: String, sha256: String) {
        result.inputs.append(InputFile(path: planPath, sha256: sha256))
    }

    /// The file's bytes and their SHA-256, recorded as an input; nil (with an error) when unreadable.
    private mutating func read(_ file: ProjectFile) -> (data: Data, sha256: String)? {
        var log = InputLog()
        defer {
            result.inputs += log.inputs
            result.diagnostics += log.diagnostics
        }
        return log.read(file)
    }

    /// An error for each model, hook and test whose SQL still holds a Jinja tag after rendering
    /// (text a value brought in, such as a string that was meant to be rendered): it would fail
    /// on the warehouse, or worse, run as something else.
    private func unrenderedJinja() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let paths = Dictionary(files.models.map { ($0.planPath, $0.display) }, uniquingKeysWith: { first, _ in first })
        for model in result.models {
            for text in [model.sql, model.incrementalSQL ?? ""] + model.preHooks + model.postHooks {
                guard let found = JinjaTemplate.leftoverTag(in: text) else { continue }
                diagnostics.append(.error(at: .file(paths[model.path] ?? model.path), "Jinja reached the SQL of \(model.name) unrendered: \(found)",
                                          hint: "a value it printed held a template (a var, a macro's string); render it, or write the SQL without {{ }}"))
                break
            }
        }
        for test in result.tests {
            guard let found = JinjaTemplate.leftoverTag(in: test.sql) else { continue }
            diagnostics.append(.error(at: .file(request.displayPrefix), "Jinja reached the SQL of test \(test.name) unrendered: \(found)",
                                      hint: "an argument or a macro printed a template; render it, or write it without {{ }}"))
        }
        return diagnostics
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
        for index in models.indices where models[index].properties != nil { renderAll(&models[index].properties!) }
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

    /// Applies config entries in order, reporting wrong values.
    private mutating func apply(_ entries: [ConfigEntry], to config: inout NodeConfig, path: String) {
        for entry in entries {
            let entry = rendered(entry)
            if let diagnostic = config.apply(entry, path: path.isEmpty ? entry.key : "\(path).\(entry.key)") {
                result.diagnostics.append(diagnostic)
            }
        }
    }

    /// A config value from YAML (dbt_project.yml's trees, properties files) holding Jinja,
    /// rendered natively as dbt renders those files: `+enabled: "{{ var('load', false) }}"` is a
    /// boolean. Hooks are left for their model's rendering, where `this` is known.
    private mutating func rendered(_ entry: ConfigEntry) -> ConfigEntry {
        let key = NodeConfig.normalized(entry.key)
        guard entry.value.holdsJinja, key != "pre_hook", key != "post_hook" else { return entry }
        let (value, outcome) = serialContext.evaluate(entry.value, at: entry.location, base: NodeConfig())
        if outcome.needsDatabase {
            result.diagnostics.append(Self.queriesTheDatabase(entry.location.file, what: "the config value '\(entry.key)'"))
            return entry
        }
        if let error = outcome.error {
            result.diagnostics.append(.error(at: entry.location, "'\(entry.key)' does not render: \(error.message)", hint: error.hint))
            return entry
        }
        var entry = entry
        entry.value = value
        return entry
    }

    /// The config a `models:`/`seeds:`/`data_tests:` tree gives the node at `fqn`. It depends only
    /// on the levels matched, so it is worked out once per deepest level (usually a folder) and
    /// shared by the nodes under it. A package's node takes its package's own tree first, then the
    /// root project's (`models: {dbt_utils: {+schema: utils}}`), as in dbt.
    private mutating func treeConfig(_ tree: KeyPath<DbtProjectFile, ConfigTree>, package: String, fqn: [String]) -> NodeConfig {
        var levels = project[keyPath: tree].entries(along: fqn)
        var key = levels.last?.path ?? ""
        if package != project.name, let own = packages[package] {
            let ownLevels = own[keyPath: tree].entries(along: fqn)
            key = "\(package)\u{0}\(ownLevels.last?.path ?? "")\u{0}\(key)"
            levels = ownLevels + levels
        }
        guard !levels.isEmpty else { return NodeConfig() }
        if let cached = treeConfigs[key] { return cached }
        var config = NodeConfig()
        for level in levels {
            for entry in level.entries {
                if let diagnostic = config.apply(rendered(entry), path: "\(level.path).+\(entry.key)") {
                    result.diagnostics.append(diagnostic)
                }
            }
        }
        treeConfigs[key] = config
        return config
    }

    private mutating func resolveBaseConfigs() {
        for index in models.indices {
            let file = models[index].file
            var config = treeConfig(file.isSnapshot ? \.snapshots : \.models, package: file.package, fqn: [file.package] + file.folders + [file.stem])
            if let described = models[index].properties {
                apply(described.config, to: &config, path: "config")
            }
            if file.isSnapshot { config.materialized = .snapshot }
            models[index].config = config
        }
        for (position, file) in files.seeds.enumerated() {
            var config = treeConfig(\.seeds, package: file.package, fqn: [file.package] + file.folders + [file.stem])
            if let described = properties.seeds[file.stem] { apply(described.config, to: &config, path: "config") }
            seedConfigs.append(config)
            slots[models.count + position].enabled = config.enabled
        }
    }

    /// Merges each model's `config()` calls over its base config.
    private mutating func applyFileConfigs() {
        for index in models.indices {
            if !models[index].render.config.isEmpty {
                var config = models[index].config
                apply(models[index].render.config, to: &config, path: "config")
                if models[index].file.isSnapshot { config.materialized = .snapshot }
                models[index].config = config
            }
            slots[index].enabled = models[index].config.enabled
            slots[index].ephemeral = models[index].config.materialized == .ephemeral
        }
    }

    // MARK: Rendering

    /// The `model` a model's template sees: dbt's node, with its config from the folder tree and
    /// properties file (what `{{ config() }}` in the file adds is read with `config.get`).
    private func modelContext(_ index: Int) -> [(String, JinjaValue)] {
        nodeFields(index)
    }

    /// Renders every model (is_incremental() false) and every singular test, spread over the cores.
    private mutating func renderInParallel() -> [SingularTest] {
        struct Job: Sendable {
            var file: ProjectFile
            var slot: Int?
            var base: NodeConfig
            var model: Shared<[(String, JinjaValue)]>
        }
        var jobs: [Job] = models.indices.map { Job(file: models[$0].file, slot: $0, base: models[$0].config, model: Shared(value: modelContext($0))) }
        var testConfigs: [NodeConfig] = []
        for file in files.singularTests {
            let config = treeConfig(\.tests, package: file.package, fqn: [file.package] + file.folders + [file.stem])
            testConfigs.append(config)
            jobs.append(Job(file: file, slot: nil, base: config, model: Shared(value: [("name", .string(file.stem))])))
        }
        let inputs = self.inputs
        let frozenJobs = jobs
        let prefetch = self.prefetch
        let prefetched = prefetch.finish()
        // Each file's hash is taken by whoever read it: the prefetch, or else the worker.
        var outcomes: [Rendered] = Parallel.map(count: jobs.count) {
            let context = DbtRenderContext(inputs.isolated())
            return { index in
                let job = frozenJobs[index]
                guard let model = index < prefetched ? prefetch.take(index) : PrefetchedModel(job.file) else {
                    return Rendered(outcome: RenderOutcome(error: TemplateError("cannot read the file", at: .file(job.file.display))))
                }
                var outcome = context.render(model.template, slot: job.slot, model: job.model.value, base: job.base, incremental: false)
                if outcome.needsDatabase {
                    // Its SQL is rendered at apply time; the compile keeps what it refers to and its config.
                    outcome = context.parsing(after: outcome) {
                        context.render(model.template, slot: job.slot, model: job.model.value, base: job.base, incremental: false)
                    }
                    return Rendered(outcome: outcome, sha256: model.sha256, source: model.source)
                }
                // An incremental model's second rendering is made here too, from the same parse, when
                // its config (the tree's, then its own `config()`) says incremental; the compiler
                // works that config out again, the same way, and reports its problems.
                var incremental: RenderOutcome?
                if job.slot != nil, outcome.error == nil {
                    var config = job.base
                    for entry in outcome.config { _ = config.apply(entry, path: entry.key) }
                    if config.enabled, config.materialized == .incremental {
                        incremental = context.render(model.template, slot: job.slot, model: job.model.value, base: job.base, incremental: true)
                    }
                }
                return Rendered(outcome: outcome, incremental: incremental, sha256: model.sha256, source: model.source)
            }
        }
        var singular: [SingularTest] = []
        for index in outcomes.indices {
            if let sha256 = outcomes[index].sha256 { record(planPath: jobs[index].file.planPath, sha256: sha256) }
            result.diagnostics += outcomes[index].outcome.diagnostics
            if index < models.count {
                models[index].renderAtApply = outcomes[index].outcome.needsDatabase
                // Swapped in, not copied: copying retains what another core made, a cache miss each.
                swap(&models[index].render, &outcomes[index].outcome)
                swap(&models[index].incrementalRender, &outcomes[index].incremental)
                swap(&models[index].source, &outcomes[index].source)
            } else {
                let outcome = outcomes[index].outcome
                var config = testConfigs[index - models.count]
                apply(outcome.config, to: &config, path: "config")
                singular.append(SingularTest(file: jobs[index].file, outcome: outcome, config: config, source: outcomes[index].source))
            }
        }
        BackgroundRelease.release(consume outcomes)
        BackgroundRelease.release(consume jobs)
        return singular
    }

    /// A singular test as rendered, with its file's text (for one rendered at apply time).
    struct SingularTest {
        var file: ProjectFile
        var outcome: RenderOutcome
        var config: NodeConfig
        var source: String
    }

    /// What a render worker gives for one file.
    private struct Rendered: Sendable {
        var outcome: RenderOutcome
        /// For an incremental model: the rendering with `is_incremental()` true.
        var incremental: RenderOutcome?
        /// The file's hash when the worker (or the prefetch) read it.
        var sha256: String?
        var source = ""
    }

    /// The second rendering of incremental models, with is_incremental() true.
    private mutating func renderIncrementalVariants() {
        // The render workers made most of them already; what is left is rendered here, and a
        // rendering kept for a model that is not incremental after all is dropped.
        var missing: [Int] = []
        for index in models.indices {
            guard models[index].config.materialized == .incremental, slots[index].enabled, !models[index].renderAtApply else {
                models[index].incrementalRender = nil
                continue
            }
            if let rendered = models[index].incrementalRender {
                if let error = rendered.error { result.diagnostics.append(error.diagnostic) }
            } else {
                missing.append(index)
            }
        }
        guard !missing.isEmpty else { return }
        renderIncrementalVariants(missing)
    }

    private mutating func renderIncrementalVariants(_ incremental: [Int]) {
        let inputs = self.inputs
        let jobs = Shared(value: incremental.map { (models[$0].file, models[$0].source, $0, models[$0].config, modelContext($0)) })
        let outcomes: [RenderOutcome] = Parallel.map(count: incremental.count) {
            let context = DbtRenderContext(inputs.isolated())
            return { index in
                let (file, source, slot, config, model) = jobs.value[index]
                return context.render(source: source, file: file.display, slot: slot, model: model, base: config, incremental: true)
            }
        }
        for (position, index) in incremental.enumerated() {
            if let error = outcomes[position].error { result.diagnostics.append(error.diagnostic) }
            models[index].incrementalRender = outcomes[position]
        }
    }

    // MARK: Relations and the graph

    /// Schema and name of every enabled model and seed: dbt's `generate_schema_name` (the
    /// namespace, or `<namespace>_<custom>`) unless the project overrides it.
    private mutating func resolveRelations() {
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
        finisher = ModelFinisher(
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
    private mutating func buildCrossSchemaViewsAsTables() {
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
    private func projectMacro(_ name: String) -> JinjaCallable? {
        guard case .callable(let callable)? = serialContext.environment.globals[name] else { return nil }
        return callable
    }

    /// Calls the project's own `generate_schema_name`/`generate_alias_name` macro when it has one.
    private mutating func generatedName(_ callable: JinjaCallable?, custom: String?, slot: Int, default make: () -> String) -> String {
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
    private func namingNode(_ slot: Int) -> JinjaValue {
        .dict(nodeFields(slot))
    }

    /// A model's or seed's node as dbt's templates see it.
    private func nodeFields(_ slot: Int) -> [(String, JinjaValue)] {
        let isModel = slots[slot].kind == .model
        let file = isModel ? models[slot].file : files.seeds[slot - models.count]
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
    private mutating func buildGraph() -> [Int]? {
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

    // MARK: Run hooks

    /// dbt_project.yml's `on-run-start` and `on-run-end`, rendered as dbt renders them (no `this`);
    /// one that queries the database while rendering is an error.
    private mutating func runHooks() -> RunHooks? {
        guard !project.onRunStart.isEmpty || !project.onRunEnd.isEmpty else { return nil }
        func render(_ entries: [ConfigEntry]) -> [String] {
            entries.compactMap { entry in
                let outcome = serialContext.render(source: entry.value.string ?? "", file: entry.location.file, slot: nil, model: [],
                                                   base: NodeConfig(), incremental: false)
                if outcome.needsDatabase {
                    result.diagnostics.append(Self.queriesTheDatabase(entry.location.file, what: "the \(entry.key) hook"))
                    return nil
                }
                if let error = outcome.error {
                    result.diagnostics.append(.error(at: entry.location, path: entry.key, "the hook does not render: \(error.message)", hint: error.hint))
                    return nil
                }
                let sql = finisher.finish(outcome.text, refs: (outcome.refs + outcome.sources).map(\.slot))
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                return sql.isEmpty ? nil : sql
            }
        }
        return RunHooks(onRunStart: render(project.onRunStart), onRunEnd: render(project.onRunEnd))
    }

    /// A properties file named as messages name it, as the plan records it.
    func planPath(ofProperties display: String) -> String {
        files.properties.first { $0.display == display }?.planPath ?? display
    }

    // MARK: Models rendered at apply time

    /// A model rendered at apply time is built on its own: it cannot be ephemeral (inlined into
    /// others at compile) nor read an ephemeral one (inlined into it at compile).
    private mutating func checkModelsRenderedAtApply() {
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

    /// What the executor needs to render the models whose templates query the database: each
    /// one's template and frozen context, and the project's macros and vars.
    private func templateLibrary(tests: [String: ModelTemplate]) -> TemplateLibrary? {
        var templates: [String: ModelTemplate] = [:]
        for index in models.indices where models[index].renderAtApply && slots[index].enabled {
            templates[slots[index].uniqueID] = template(text: models[index].source, path: models[index].file.planPath, package: slots[index].package,
                                                        render: models[index].render, node: nodeFields(index), config: models[index].config)
        }
        guard !templates.isEmpty || !tests.isEmpty else { return nil }
        var vars: [String: [String: ConfigValue]] = [project.name: inputs.vars.mapValues(ConfigValue.init)]
        for (package, packageVars) in inputs.packageVars { vars[package] = packageVars.mapValues(ConfigValue.init) }
        // Paths as the plan records them (relative to floe.yaml): the plan is the same wherever it is compiled.
        let planPaths = Dictionary(files.macros.map { ($0.display, $0.planPath) }, uniquingKeysWith: { first, _ in first })
        return TemplateLibrary(
            project: project.name, target: request.targetName, namespace: request.namespace, compiledAt: request.compiledAt,
            macros: macroFiles.map { TemplateFile(package: $0.package, path: planPaths[$0.file] ?? $0.file, text: $0.text) }, vars: vars,
            dispatch: project.dispatch, models: templates, tests: tests)
    }

    /// A template and the context it renders in at apply time: what its compile (dbt's parse)
    /// referred to, resolved to relations; its node and config; the environment variables it read.
    func template(text: String, path: String, package: String, render: RenderOutcome, node: [(String, JinjaValue)],
                  config: NodeConfig) -> ModelTemplate {
        var seen = Set<Int>()
        let refs = render.refs.filter { seen.insert($0.slot).inserted }.map {
            TemplateReference(name: [slots[$0.slot].name], relation: slots[$0.slot].relation)
        }
        let sources = render.sources.filter { seen.insert($0.slot).inserted }.map { use -> TemplateSource in
            let parts = slots[use.slot].name.split(separator: ".", maxSplits: 1).map(String.init)
            return TemplateSource(source: parts[0], table: parts[1], relation: slots[use.slot].relation)
        }
        var nodeValues: [String: ConfigValue] = [:]
        for (key, value) in node { nodeValues[key] = ConfigValue(ConfigInput(value)) }
        return ModelTemplate(path: path, text: text, package: package, refs: refs, sources: sources, node: nodeValues,
                             config: config.frozen.mapValues(ConfigValue.init), environment: render.environmentRead)
    }

    // MARK: Plan nodes

    private func finish(_ text: String, refs: [SlotUse]) -> String {
        finisher.finish(text, refs: refs.map(\.slot))
    }

    private func dependencies(_ outcome: RenderOutcome) -> [String] {
        finisher.dependencies((outcome.refs + outcome.sources).map(\.slot))
    }

    /// Models in graph order. All of a model's own work is done on every core: its SQL finished,
    /// its plan node made, and its fingerprint's hash fed with its SQL and config. Only the
    /// upstream fingerprints, which must be known first, are fed in order, and the hashes finished.
    private mutating func compileModels(order: [Int]) {
        let built = order.filter { $0 < models.count && slots[$0].enabled }
        let viewsUnqualified = !request.dialect.viewsQualifyTheirOwnSchema
        let jobs = Shared(value: built.map { index in
            ModelFinisher.Job(text: models[index].render.text, refs: models[index].render.refs.map(\.slot),
                              sources: models[index].render.sources.map(\.slot),
                              incremental: models[index].incrementalRender.map { ($0.text, $0.refs.map(\.slot)) },
                              viewSchema: viewsUnqualified && (models[index].config.materialized ?? .view) == .view
                                  ? slots[index].relation.schema : nil,
                              batched: batchedInputs(index))
        })
        // What needs the serial render context (hooks) or reports a problem, in order.
        var modelNodes: [ModelPlanning.Node] = []
        modelNodes.reserveCapacity(built.count)
        for index in built { modelNodes.append(modelNode(index)) }
        let nodes = Shared(value: modelNodes)
        let finisher = self.finisher!
        // Each position's fingerprint hash and dependency slots, written by the worker that
        // planned it; kept apart from the plan nodes so those are moved into the result whole.
        let states = TakeOnceSlots<(hasher: SHA256, slots: [Int])>(count: built.count)
        result.models = Parallel.map(count: built.count) {
            let own = finisher.isolated()
            return { position in
                let planned = ModelPlanning.plan(nodes.value[position], own.finish(jobs.value[position]))
                states.put((planned.fingerprint, planned.dependsOnSlots), at: position)
                return planned.model
            }
        }
        // By slot: models' as they are computed, in graph order, so upstream ones are known first.
        var fingerprints = [String](repeating: "", count: slots.count)
        var leaves: [String: String] = [:]
        for seed in result.seeds { leaves[seed.uniqueID] = ModelFingerprintRecipe.fingerprint(of: seed) }
        for source in result.sources { leaves[source.uniqueID] = ModelFingerprintRecipe.fingerprint(of: source) }
        for slot in models.count..<slots.count { fingerprints[slot] = leaves[slots[slot].uniqueID] ?? "" }
        let uniqueIDs = finisher.uniqueIDs
        var upstream: [UInt8] = []
        upstream.reserveCapacity(1024)
        for (position, index) in built.enumerated() {
            // Bound straight from what is taken, so the hash's context is not shared and copied.
            guard case (var hasher, let dependencies)? = states.take(position) else { continue }
            // The upstream part ends the hash's input.
            upstream.removeAll(keepingCapacity: true)
            for slot in dependencies {
                ModelFingerprintRecipe.appendUpstream(uniqueIDs[slot], fingerprint: fingerprints[slot], to: &upstream)
            }
            upstream.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            let fingerprint = InputHasher.hex(hasher.finalize())
            fingerprints[index] = fingerprint
            result.models[position].fingerprint = fingerprint
        }
        BackgroundRelease.release(consume jobs)
        BackgroundRelease.release(consume nodes)
    }

    /// A model's plan node without its SQL: its relation, config and hooks (rendered here, on the
    /// compiler's own context), and the problems its config has.
    private mutating func modelNode(_ index: Int) -> ModelPlanning.Node {
        let file = models[index].file
        let config = models[index].config
        let properties = models[index].properties
        let materialized = config.materialized ?? .view
        var uniqueKey = config.uniqueKey
        var strategy: IncrementalStrategy?
        var snapshot: DbtSnapshotConfig?
        var microbatch: MicrobatchConfig?
        if file.isSnapshot {
            snapshot = snapshotConfig(config, file: file, written: models[index].render.config + (properties?.config ?? []))
        } else if materialized == .snapshot {
            result.diagnostics.append(.error(at: .file(file.display), path: "config.materialized", "a model cannot be materialized as a snapshot",
                                             hint: "write a snapshot in the snapshot paths (`snapshots/`) with {% snapshot name %}…{% endsnapshot %}"))
        }
        if materialized == .incremental, config.incrementalStrategy == .insertOverwrite {
            // The partitions the new rows fall in are replaced (the whole table without
            // partition_by, as dbt-spark does): the plan keys the replacement by those columns.
            strategy = .insertOverwrite
            if let columns = config.partitionColumns {
                uniqueKey = columns
            } else {
                result.diagnostics.append(.error(at: .file(file.display), path: "config.partition_by",
                                                 "partition_by must be a column, a list of columns or {field: column}",
                                                 hint: "partition_by=['day'] replaces, on each run, the days the new rows fall in"))
            }
        } else if materialized == .incremental, config.incrementalStrategy == .microbatch {
            strategy = .microbatch
            uniqueKey = []
            microbatch = microbatchConfig(config, file: file)
        } else if materialized == .incremental {
            strategy = config.incrementalStrategy ?? (uniqueKey.isEmpty ? .append : .deleteInsert)
            if strategy != .append, uniqueKey.isEmpty {
                result.diagnostics.append(.error(at: .file(file.display), path: "config.incremental_strategy",
                                                 "strategy '\(strategy!.rawValue)' needs a unique_key",
                                                 hint: "add unique_key='id' (or a list of columns) to the model's config, or use 'append'"))
            }
        }
        let relation = materialized == .ephemeral ? Relation(schema: slots[index].relation.schema, name: EphemeralInliner.cteName(slots[index].name))
            : slots[index].relation
        let indexed = materialized == .table || materialized == .incremental
        if !indexed, !config.indexes.isEmpty {
            result.diagnostics.append(.warning(at: .file(file.display), path: "config.indexes",
                                               "indexes apply to tables and incremental models; floe ignores them on a \(materialized.rawValue)",
                                               hint: "materialize the model as a table, or remove its indexes"))
        }
        return ModelPlanning.Node(
            uniqueID: slots[index].uniqueID, name: slots[index].name, path: file.planPath, materialized: materialized,
            relation: relation, uniqueKey: uniqueKey, incrementalStrategy: strategy, onSchemaChange: config.onSchemaChange,
            tags: config.tags, preHooks: renderHooks(config.preHooks, slot: index), postHooks: renderHooks(config.postHooks, slot: index),
            columns: (properties?.columns ?? []).map { ColumnSpec(name: $0.name, type: $0.dataType, description: $0.description) },
            description: properties?.description, indexes: indexed ? config.indexes : [], renderAtApply: models[index].renderAtApply,
            snapshot: snapshot, microbatch: microbatch)
    }

    /// For a microbatch model: its inputs that have an `event_time` config, by slot.
    private func batchedInputs(_ index: Int) -> [Int: String] {
        guard models[index].config.incrementalStrategy == .microbatch else { return [:] }
        var found: [Int: String] = [:]
        for use in models[index].render.refs + models[index].render.sources {
            if let eventTime = eventTime(of: use.slot) { found[use.slot] = eventTime }
        }
        return found
    }

    /// A model's, seed's or source table's `event_time` config.
    private func eventTime(of slot: Int) -> String? {
        switch slots[slot].kind {
        case .model: return models[slot].config.extra["event_time"]?.string
        case .seed: return seedConfigs[slot - models.count].extra["event_time"]?.string
        case .source:
            let parts = slots[slot].name.split(separator: ".", maxSplits: 1).map(String.init)
            let table = properties.sources.first { $0.name == parts[0] && $0.package == slots[slot].package }?
                .tables.first { $0.properties.name == parts[1] }
            return table?.properties.config.last { $0.key == "event_time" }?.value.string
        }
    }

    /// dbt's microbatch config of an incremental model, every mistake reported at its file.
    private mutating func microbatchConfig(_ config: NodeConfig, file: ProjectFile) -> MicrobatchConfig? {
        func problem(_ key: String, _ message: String, hint: String) -> MicrobatchConfig? {
            result.diagnostics.append(.error(at: .file(file.display), path: "config.\(key)", "microbatch model '\(file.stem)': \(message)", hint: hint))
            return nil
        }
        guard let eventTime = config.extra["event_time"]?.string else {
            return problem("event_time", "needs event_time", hint: "event_time='ordered_at' names the column that tells each row's batch")
        }
        guard let size = config.extra["batch_size"]?.string, ["hour", "day", "month", "year"].contains(size) else {
            return problem("batch_size", "needs batch_size: hour, day, month or year", hint: "batch_size='day' builds a day at a time")
        }
        guard let begin = config.extra["begin"]?.string, CivilTimestamp(begin) != nil else {
            return problem("begin", "needs begin, a date or timestamp", hint: "begin='2024-01-01' is where the first build starts")
        }
        var lookback = 1
        if let value = config.extra["lookback"] {
            guard case .integer(let number) = value, number >= 0 else {
                return problem("lookback", "lookback must be a whole number of batches, 0 or more", hint: "lookback=1 redoes the batch before the current one")
            }
            lookback = number
        }
        return MicrobatchConfig(eventTime: eventTime, batchSize: size, begin: begin, lookback: lookback)
    }

    private mutating func renderHooks(_ hooks: [String], slot: Int) -> [String] {
        hooks.map { hook in
            let outcome = serialContext.render(source: hook, file: models[slot].file.display, slot: slot, model: modelContext(slot),
                                               base: models[slot].config, incremental: false)
            if let error = outcome.error { result.diagnostics.append(error.diagnostic) }
            if outcome.needsDatabase { result.diagnostics.append(Self.queriesTheDatabase(models[slot].file.display, what: "a hook of \(slots[slot].name)")) }
            return finisher.substitute(outcome.text).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    // MARK: Seeds and sources

    private func seedFile(_ slot: Int) -> ProjectFile {
        files.seeds[slot - models.count]
    }


    private mutating func compileSeeds() {
        for slot in models.count..<(models.count + files.seeds.count) {
            let file = seedFile(slot)
            let config = seedConfigs[slot - models.count]
            guard config.enabled, let (data, sha256) = read(file) else { continue }
            switch SeedInference.infer(Array(data)) {
            case .failure(let failure):
                let (line, message): (Int, String) = switch failure {
                case .empty: (1, "the seed file is empty; expected a header row")
                case .unterminatedQuote(let line): (line, "a quoted field is never closed")
                case .ragged(let line, let expected, let got): (line, "the row has \(got) fields, the header has \(expected)")
                }
                result.diagnostics.append(.error(at: SourceLocation(file: file.display, line: line, column: 1), message))
            case .success(let inferred):
                let described = Dictionary((properties.seeds[file.stem]?.columns ?? []).map { ($0.name, $0) }) { first, _ in first }
                let columns = zip(inferred.header, inferred.kinds).map { name, kind in
                    ColumnSpec(name: name, type: config.columnTypes[name] ?? request.dialect.typeName(for: kind),
                               description: described[name]?.description)
                }
                for name in config.columnTypes.keys.sorted() where !inferred.header.contains(name) {
                    result.diagnostics.append(.warning(at: .file(file.display), path: "column_types.\(name)",
                                                       "column_types names a column the seed does not have",
                                                       hint: Suggestions.didYouMean(name, in: inferred.header)))
                }
                result.seeds.append(CompiledSeed(
                    uniqueID: slots[slot].uniqueID, name: file.stem, path: file.planPath, relation: slots[slot].relation,
                    columns: columns, sha256: sha256, tags: config.tags))
            }
        }
    }

    private mutating func compileSources() {
        var slot = models.count + files.seeds.count
        for source in properties.sources {
            for table in source.tables {
                result.sources.append(CompiledSource(
                    uniqueID: slots[slot].uniqueID, sourceName: source.name, name: table.properties.name, relation: slots[slot].relation,
                    columns: table.properties.columns.map { ColumnSpec(name: $0.name, type: $0.dataType, description: $0.description) }))
                slot += 1
            }
        }
        result.sources.sort { $0.uniqueID < $1.uniqueID }
    }

    /// Each analysis rendered as a model would be, and finished: compiled, never run.
    private mutating func compileAnalyses() {
        for file in files.analyses {
            guard let (data, _) = read(file) else { continue }
            let outcome = serialContext.render(source: String(decoding: data, as: UTF8.self), file: file.display, slot: nil,
                                               model: [("name", .string(file.stem)), ("resource_type", .string("analysis"))],
                                               base: NodeConfig(), incremental: false)
            if outcome.needsDatabase {
                result.diagnostics.append(.warning(at: .file(file.display), "analysis \(file.stem) queries the database while rendering; it is not compiled",
                                                   hint: "floe compiles without a connection; only models and tests are rendered at apply time"))
                continue
            }
            result.diagnostics += outcome.diagnostics
            guard outcome.error == nil else { continue }
            result.analyses.append(CompiledAnalysis(
                uniqueID: "analysis.\(file.package).\(file.stem)", name: file.stem, path: file.planPath,
                sql: finish(outcome.text, refs: outcome.refs).trimmingCharacters(in: .whitespacesAndNewlines), dependsOn: dependencies(outcome)))
        }
        result.analyses.sort { $0.uniqueID < $1.uniqueID }
    }

    /// Each exposure with the unique ids of what its `depends_on` names.
    private mutating func compileExposures() {
        for exposure in properties.exposures {
            var dependsOn: [String] = []
            for (written, location) in exposure.dependsOn {
                let (_, outcome) = serialContext.expression(GenericTestBuilder.relationExpression(written) ?? written, at: location, base: NodeConfig())
                if let error = outcome.error {
                    result.diagnostics.append(.error(at: location, "exposure '\(exposure.name)': \(error.message)",
                                                     hint: error.hint ?? "depends_on lists ref('model') or source('source', 'table')"))
                    continue
                }
                dependsOn += (outcome.refs + outcome.sources).map { slots[$0.slot].uniqueID }
            }
            let path = planPath(ofProperties: exposure.location.file)
            result.exposures.append(CompiledExposure(
                uniqueID: "exposure.\(exposure.package).\(exposure.name)", name: exposure.name, type: exposure.type, path: path,
                owner: exposure.owner, url: exposure.url, description: exposure.description, dependsOn: dependsOn))
        }
        result.exposures.sort { $0.uniqueID < $1.uniqueID }
    }

    // MARK: Tests

    /// The singular tests and the generic tests of properties YAML, sorted by unique id, and the
    /// problems found in them. Reads only: it runs beside ``compileModels(order:)``.
    private func compileTests(singular: [SingularTest], projectConfig: NodeConfig, folderConfigs: [String: NodeConfig],
                              context: DbtRenderContext) -> (tests: [CompiledTest], templates: [String: ModelTemplate], diagnostics: [Diagnostic]) {
        var tests: [CompiledTest] = []
        /// By position in `tests`: the template of each rendered at apply time.
        var templates: [Int: ModelTemplate] = [:]
        for test in singular where test.config.enabled {
            let (file, outcome, config) = (test.file, test.outcome, test.config)
            if outcome.needsDatabase {
                templates[tests.count] = template(text: test.source, path: file.planPath, package: file.package, render: outcome,
                                                  node: [("name", .string(file.stem)), ("resource_type", .string("test"))], config: config)
            }
            tests.append(CompiledTest(
                uniqueID: "test.\(file.package).\(file.stem)", name: file.stem, testName: "singular", attachedNode: nil, column: nil,
                severity: config.severity ?? .error, sql: finish(outcome.text, refs: outcome.refs), dependsOn: dependencies(outcome),
                tags: config.tags, warnIf: config.warnIf, errorIf: config.errorIf, limit: config.limit, storeFailures: config.storeFailures,
                renderAtApply: outcome.needsDatabase ? true : nil))
        }
        var builder = GenericTestBuilder(compiler: self, context: context, projectConfig: projectConfig, folderConfigs: folderConfigs)
        for index in models.indices where slots[index].enabled {
            if let described = models[index].properties { builder.add(described, slot: index, prefix: "") }
        }
        for slot in models.count..<(models.count + files.seeds.count) where slots[slot].enabled {
            if let described = properties.seeds[slots[slot].name] { builder.add(described, slot: slot, prefix: "") }
        }
        var slot = models.count + files.seeds.count
        for source in properties.sources {
            for table in source.tables {
                builder.add(table.properties, slot: slot, prefix: "source_", nameOverride: "\(source.name)_\(table.properties.name)")
                slot += 1
            }
        }
        for (position, template) in builder.templates { templates[tests.count + position] = template }
        tests += builder.tests
        var diagnostics = builder.diagnostics
        for definition in properties.unitTests {
            guard let (test, template) = unitTest(definition, context: context, diagnostics: &diagnostics) else { continue }
            templates[tests.count] = template
            tests.append(test)
        }
        var used = Set<String>()
        for index in tests.indices {
            var uniqueID = tests[index].uniqueID
            var counter = 2
            while used.contains(uniqueID) {
                uniqueID = "\(tests[index].uniqueID).\(counter)"
                counter += 1
            }
            used.insert(uniqueID)
            tests[index].uniqueID = uniqueID
        }
        let byID = Dictionary(uniqueKeysWithValues: templates.map { (tests[$0.key].uniqueID, $0.value) })
        return (tests.sorted { $0.uniqueID < $1.uniqueID }, byID, diagnostics)
    }

    /// A unit test as a data test rendered at apply time (``UnitTestSQL``): the model's rendered
    /// SQL, each input it reads named for its fixture rows, which are typed as that input's
    /// columns once it exists; so the test depends on its inputs, as dbt's needs them built.
    private func unitTest(_ definition: UnitTestDefinition, context: DbtRenderContext, diagnostics: inout [Diagnostic])
        -> (test: CompiledTest, template: ModelTemplate)? {
        var config = NodeConfig()
        for entry in definition.config { if let problem = config.apply(entry, path: "config.\(entry.key)") { diagnostics.append(problem) } }
        guard config.enabled else { return nil }
        let location = definition.location
        guard let index = models.indices.first(where: { slots[$0].name == definition.model }) else {
            diagnostics.append(.error(at: location, "unit test '\(definition.name)' tests model '\(definition.model)', which does not exist",
                                      hint: Suggestions.didYouMean(definition.model, in: files.models.map(\.stem))))
            return nil
        }
        guard slots[index].enabled else { return nil }
        if models[index].renderAtApply {
            diagnostics.append(.error(at: location, "unit test '\(definition.name)': \(definition.model) is rendered at apply time, which unit tests do not support yet",
                                      hint: "test a model whose SQL does not query the database while rendering"))
            return nil
        }
        var render = definition.incremental ? models[index].incrementalRender ?? models[index].render : models[index].render
        if !definition.vars.isEmpty || !definition.macros.isEmpty {
            // `overrides.vars` and `overrides.macros`: the model rendered again with those vars
            // over the project's, and those macros answering what the test says.
            var overridden = self.inputs.isolated()
            overridden.macroOverrides = definition.macros
            overridden.vars.merge(definition.vars) { _, new in new }
            for package in overridden.packageVars.keys { overridden.packageVars[package]!.merge(definition.vars) { _, new in new } }
            render = DbtRenderContext(overridden).render(source: models[index].source, file: models[index].file.display, slot: index,
                                                         model: modelContext(index), base: models[index].config,
                                                         incremental: definition.incremental)
            if let error = render.error {
                diagnostics.append(error.diagnostic)
                return nil
            }
        }
        var given: [Int: Int] = [:]
        var inputs: [SlotUse] = []
        var fixtures: [ConfigInput] = []
        do throws(TemplateError) {
            for input in definition.given {
                let (_, outcome) = context.expression(GenericTestBuilder.relationExpression(input.input) ?? input.input, at: input.location,
                                                      base: NodeConfig())
                if let error = outcome.error { throw error }
                guard let use = (outcome.refs + outcome.sources).first else {
                    throw TemplateError("a given input must be ref(...) or source(...), got \(input.input)", at: input.location)
                }
                given[use.slot] = inputs.count
                inputs.append(use)
                fixtures.append(try fixture(input.rows, at: input.location))
            }
            let read = Set((render.refs + render.sources).map(\.slot)).filter { !slots[$0].ephemeral }
            let missing = read.subtracting(given.keys).sorted()
            guard missing.isEmpty else {
                throw TemplateError("unit test '\(definition.name)' gives no rows for \(missing.map { slots[$0].name }.joined(separator: ", ")), which \(definition.model) reads",
                                    at: location, hint: "add each under `given:` (`- input: ref('\(slots[missing[0]].name)')` with `rows: []` for none)")
            }
            let named = RelationPlaceholder.substitute(render.text) { slot, part in
                part == .relation ? given[slot].map(UnitTestSQL.inputName) : nil
            }
            let model = finisher.finish(named, refs: render.refs.map(\.slot))
            let spec = ConfigInput.map(["model_sql": .string(model), "given": .list(fixtures),
                                        "expect": try fixture(definition.expect, at: location)])
            let relations = inputs.map { slots[$0.slot].callExpression }
            let path = planPath(ofProperties: location.file)
            let template = template(
                text: "{{ floe_unit_test([\(relations.joined(separator: ", "))]) }}", path: path, package: definition.package,
                render: RenderOutcome(refs: inputs.filter { slots[$0.slot].kind != .source }, sources: inputs.filter { slots[$0.slot].kind == .source }),
                node: [("name", .string(definition.name)), ("resource_type", .string("unit_test")), ("floe_unit_test", spec.jinja)], config: config)
            let test = CompiledTest(
                uniqueID: "unit_test.\(definition.package).\(definition.model).\(definition.name)", name: definition.name, testName: "unit",
                attachedNode: slots[index].uniqueID, column: nil, severity: config.severity ?? .error,
                sql: "-- a unit test of \(definition.model), written at apply time over its fixture rows\n" + model,
                dependsOn: finisher.dependencies(inputs.map(\.slot)), tags: config.tags, storeFailures: config.storeFailures, renderAtApply: true)
            return (test, template)
        } catch {
            diagnostics.append(error.diagnostic)
            return nil
        }
    }

    /// Fixture rows as the plan carries them: `{format, rows}`, a fixture file read in.
    private func fixture(_ rows: UnitTestDefinition.Rows, at location: SourceLocation) throws(TemplateError) -> ConfigInput {
        switch rows {
        case .dict(let list):
            return .map(["format": .string("dict"), "rows": .list(list.map { row in
                .map(Dictionary(row, uniquingKeysWith: { first, _ in first }))
            })])
        case .csv(let text): return .map(["format": .string("csv"), "rows": .string(text)])
        case .sql(let text): return .map(["format": .string("sql"), "rows": .string(text)])
        case .fixture(let name, let format):
            let wanted = format == "sql" ? "sql" : "csv"
            guard let file = files.fixtures.first(where: { $0.stem == name && $0.relative.hasSuffix("." + wanted) }),
                  let data = FileManager.default.contents(atPath: file.path) else {
                throw TemplateError("no fixture file '\(name).\(wanted)' under a test path's fixtures/", at: location,
                                    hint: Suggestions.didYouMean(name, in: files.fixtures.map(\.stem)))
            }
            return .map(["format": .string(wanted), "rows": .string(String(decoding: data, as: UTF8.self))])
        }
    }

    /// Writes the generic tests of properties YAML: the four built-ins in Swift, the project's own
    /// `{% test %}` blocks through Jinja.
    struct GenericTestBuilder {
        let compiler: DbtProjectCompiler
        /// Renders relationships' `to` and the project's own tests; not the compiler's own context,
        /// which the models use meanwhile.
        let context: DbtRenderContext
        /// The `data_tests:` tree's config at the project level, under every test's own.
        let projectConfig: NodeConfig
        /// By properties file (as messages name it): the tree's config down to that file's folder.
        let folderConfigs: [String: NodeConfig]
        var tests: [CompiledTest] = []
        /// By position in `tests`: the templates of the tests rendered at apply time.
        var templates: [Int: ModelTemplate] = [:]
        var diagnostics: [Diagnostic] = []

        mutating func add(_ described: NodeProperties, slot: Int, prefix: String, nameOverride: String? = nil) {
            let definitions = described.tests + described.columns.flatMap(\.tests)
            for definition in definitions {
                add(definition, slot: slot, nodeName: nameOverride ?? described.name, prefix: prefix)
            }
        }

        private mutating func add(_ definition: TestDefinition, slot: Int, nodeName: String, prefix: String) {
            let package = compiler.slots[slot].package
            var config = folderConfigs[definition.location.file] ?? projectConfig
            for entry in definition.config { if let d = config.apply(entry, path: "config.\(entry.key)") { diagnostics.append(d) } }
            guard config.enabled else { return }
            var arguments = definition.arguments
            let column = definition.column ?? arguments.removeValue(forKey: "column_name")?.string
            let model = RelationPlaceholder.text(slot, .relation)
            let target = config.whereClause.map { "(select * from \(model) where \($0)) dbt_subquery" } ?? model
            var refs = [SlotUse(slot: slot, location: definition.location)]
            let isBuiltin = GenericTestSQL.builtins.contains(definition.name)
            // A custom test's argument written as a relation (`compare_model: ref('orders')`, as
            // dbt_utils' tests take them) is the relation object, as in dbt.
            var relationArguments: [String: (value: JinjaValue, expression: String)] = [:]
            for key in arguments.keys.sorted() where !isBuiltin {
                guard case .string(let text)? = arguments[key], let expression = Self.relationExpression(text) else { continue }
                let (value, outcome) = context.expression(expression, at: definition.location, base: config)
                if let error = outcome.error {
                    diagnostics.append(.error(at: definition.location, "test '\(definition.name)', argument '\(key)': \(error.message)", hint: error.hint))
                    return
                }
                refs += outcome.refs + outcome.sources
                relationArguments[key] = (value, expression)
                arguments.removeValue(forKey: key)
            }
            // Arguments holding Jinja are rendered natively, as dbt renders them (`values: "{{ var('statuses') }}"`
            // is the var's list); `to` is a relation expression and is rendered below.
            for key in arguments.keys.sorted() where key != "to" {
                guard let value = arguments[key], value.holdsJinja else { continue }
                let (rendered, outcome) = context.evaluate(value, at: definition.location, base: config)
                if outcome.needsDatabase {
                    diagnostics.append(DbtProjectCompiler.queriesTheDatabase(definition.location.file, what: "test '\(definition.name)', argument '\(key)'"))
                    return
                }
                if let error = outcome.error {
                    diagnostics.append(.error(at: definition.location, "test '\(definition.name)', argument '\(key)': \(error.message)", hint: error.hint))
                    return
                }
                refs += outcome.refs + outcome.sources
                arguments[key] = rendered
            }
            var sql: String
            var late: ModelTemplate?
            if isBuiltin {
                var parent: String?
                if let to = arguments["to"]?.string {
                    let expression = to.contains("{{") ? to : "{{ \(to) }}"
                    let outcome = context.render(source: expression, file: definition.location.file, slot: nil, model: [],
                                                 base: config, incremental: false)
                    if outcome.needsDatabase {
                        diagnostics.append(DbtProjectCompiler.queriesTheDatabase(definition.location.file, what: "relationships' `to`"))
                        return
                    }
                    if let error = outcome.error {
                        diagnostics.append(.error(at: definition.location, "relationships test: \(error.message)", hint: error.hint))
                        return
                    }
                    refs += outcome.refs + outcome.sources
                    parent = outcome.text
                }
                guard let column, !column.isEmpty || definition.name == "relationships" else {
                    diagnostics.append(.error(at: definition.location, "test '\(definition.name)' needs a column",
                                              hint: "list it under a column's `data_tests:`, or give `column_name:`"))
                    return
                }
                do {
                    sql = try GenericTestSQL.sql(definition.name, model: target, column: column, arguments: arguments, parent: parent,
                                                 dialect: compiler.request.dialect)
                } catch {
                    switch error {
                    case .missingArgument(let name, let example):
                        diagnostics.append(.error(at: definition.location, "test '\(definition.name)' is missing its argument '\(name)'", hint: example))
                    case .wrongArgument(let name, let expected):
                        diagnostics.append(.error(at: definition.location, "test '\(definition.name)': '\(name)' must be \(expected)"))
                    }
                    return
                }
            } else if let macro = context.testMacro(definition.name, from: package) {
                var keywords: [(String, JinjaValue)] = [("model", context.relation(slot))]
                if let column { keywords.append(("column_name", .string(column))) }
                keywords += arguments.keys.sorted().map { ($0, arguments[$0]!.jinja) }
                keywords += relationArguments.keys.sorted().map { ($0, relationArguments[$0]!.value) }
                var outcome = context.call(macro, keywords: keywords, at: definition.location, base: config)
                if outcome.needsDatabase {
                    // Rendered at apply time; the compile keeps what it refers to.
                    outcome = context.parsing(after: outcome) { context.call(macro, keywords: keywords, at: definition.location, base: config) }
                }
                if let error = outcome.error {
                    diagnostics.append(error.diagnostic)
                    return
                }
                refs += outcome.refs + outcome.sources
                sql = outcome.text
                if outcome.needsDatabase {
                    var passed = arguments
                    if let column { passed["column_name"] = .string(column) }
                    late = lateTemplate(definition, slot: slot, package: package, arguments: passed,
                                        relations: relationArguments.mapValues(\.expression), refs: refs, read: outcome.environmentRead,
                                        config: config)
                }
            } else {
                let custom = context.testMacroNames
                diagnostics.append(.error(at: definition.location, "unknown test '\(definition.name)'",
                                          hint: Suggestions.didYouMean(definition.name, in: GenericTestSQL.builtins + custom)
                                            ?? "built-in tests: \(GenericTestSQL.builtins.joined(separator: ", ")); define others with {% test name(model, column_name) %}"))
                return
            }
            // Named from the arguments as written, before rendering, as dbt names them.
            var written = definition.arguments
            written.removeValue(forKey: "column_name")
            let name = definition.customName
                ?? GenericTestName.make(test: prefix + definition.name.replacingOccurrences(of: ".", with: "_"), node: nodeName, column: column,
                                        arguments: written).full
            let dependsOn = compiler.finisher.dependencies(refs.map(\.slot))
            if let late { templates[tests.count] = late }
            tests.append(CompiledTest(
                uniqueID: "test.\(package).\(name)", name: name, testName: definition.name,
                attachedNode: compiler.slots[slot].uniqueID, column: column, severity: config.severity ?? .error,
                sql: compiler.finish(sql, refs: refs), dependsOn: dependsOn, tags: config.tags, warnIf: config.warnIf,
                errorIf: config.errorIf, limit: config.limit, storeFailures: config.storeFailures, renderAtApply: late != nil ? true : nil))
        }

        /// `ref('orders')`, `source('shop', 'orders')` or `{{ ref('orders') }}` as an expression; nil for other text.
        static func relationExpression(_ text: String) -> String? {
            var trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}") {
                trimmed = String(trimmed.dropFirst(2).dropLast(2)).trimmingCharacters(in: .whitespaces)
            }
            guard trimmed.range(of: #"^(ref|source)\s*\([^()]*\)$"#, options: .regularExpression) != nil else { return nil }
            return trimmed
        }

        /// A generic test whose macro queries the database, as a template to render at apply time:
        /// a call of its macro on the node it tests, with the arguments (relations resolved) under
        /// the node's `floe_test_arguments`.
        private func lateTemplate(_ definition: TestDefinition, slot: Int, package: String, arguments: [String: ConfigInput],
                                  relations: [String: String], refs: [SlotUse], read: [String: String], config: NodeConfig) -> ModelTemplate {
            let parts = definition.name.split(separator: ".", maxSplits: 1).map(String.init)
            let macro = parts.count == 2 ? "\(parts[0]).test_\(parts[1])"
                : context.macro("test_" + definition.name, in: compiler.project.name) != nil ? "test_\(definition.name)" : "\(package).test_\(definition.name)"
            let model = compiler.slots[slot].callExpression
            func resolved(_ value: ConfigInput) -> ConfigInput {
                switch value {
                case .string(let text): .string(compiler.finisher.substitute(text))
                case .list(let items): .list(items.map(resolved))
                case .map(let map): .map(map.mapValues(resolved))
                default: value
                }
            }
            let render = RenderOutcome(refs: refs.filter { compiler.slots[$0.slot].kind != .source },
                                       sources: refs.filter { compiler.slots[$0.slot].kind == .source })
            var outcome = render
            outcome.environmentRead = read
            let path = compiler.planPath(ofProperties: definition.location.file)
            let relationText = relations.keys.sorted().map { ", \($0)=\(relations[$0]!)" }.joined()
            return compiler.template(text: "{{ \(macro)(model=\(model)\(relationText), **model.floe_test_arguments) }}", path: path, package: package,
                                     render: outcome, node: [("name", .string(definition.name)), ("resource_type", .string("test")),
                                                             ("floe_test_arguments", resolved(.map(arguments)).jinja)],
                                     config: config)
        }
    }
}
