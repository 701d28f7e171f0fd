import Crypto
import FloeContract
import FloeCore
import FloeEngine
import FloeJinja
import FloeTemplates
import Foundation

/// The last phases of compiling a dbt project, once every model is rendered, configured and
/// placed (its relation known, the graph in order): the plan's seeds, sources, exposures and
/// analyses; the models' plan nodes and fingerprints; the tests (on another thread meanwhile);
/// the run hooks and the templates rendered at apply time. Everything it reads is settled; it
/// writes only the result.
struct DbtPlanAssembly: DbtCompilePhase {
    let context: DbtCompileContext
    let properties: DbtProperties
    /// Every model, seed and source table, with the models' state and the seeds' configs.
    let table: SlotTable
    /// Replaces placeholders with relations.
    let finisher: ModelFinisher
    /// Every slot after all it depends on.
    let order: [SlotID]
    var result: DbtCompileResult

    init(_ placed: DbtPlacedProject) {
        context = placed.context
        properties = placed.properties
        table = placed.table
        finisher = placed.finisher
        order = placed.order
        result = placed.result
    }

    /// The plan's nodes and tests. `configs` gives the `data_tests:` tree's configs; their
    /// problems come after the leaves'. A generic test's fqn is its properties file's folders (and
    /// its own name), as in dbt: the tree's folder levels apply to the tests that file defines.
    mutating func compile(singular: [DbtRenderedProject.SingularTest], configs: DbtConfigResolver) {
        compileLeaves()
        var configs = configs
        let testConfig = configs.treeConfig(\.tests, package: project.name, fqn: [project.name], reporting: &result.diagnostics)
        var folderConfigs: [String: NodeConfig] = [:]
        for file in files.properties {
            folderConfigs[file.display] = configs.treeConfig(\.tests, package: file.package, fqn: [file.package] + file.folders, reporting: &result.diagnostics)
        }
        compileModelsAndTests(order: order, singular: singular, testConfig: testConfig, folderConfigs: folderConfigs)
    }

    /// The models in graph order and, on another thread meanwhile, the tests; then the templates
    /// rendered at apply time, the run hooks, and the last checks.
    private mutating func compileModelsAndTests(order: [SlotID], singular: [DbtRenderedProject.SingularTest], testConfig: NodeConfig,
                                        folderConfigs: [String: NodeConfig]) {
        // The tests need neither the models' SQL nor their fingerprints: they are made on another
        // thread, with a render context of their own, while the models are.
        let testsWork = BackgroundWork { [self] in
            compileTests(singular: singular, projectConfig: testConfig, folderConfigs: folderConfigs,
                         context: DbtRenderContext(inputs.isolated()))
        }
        compileModels(order: order)
        let (tests, testTemplates, testDiagnostics) = testsWork.wait()
        result.tests = tests
        result.diagnostics += testDiagnostics
        let (hooks, hookTemplates) = runHooks()
        result.hooks = hooks
        result.templates = templateLibrary(tests: testTemplates, runHooks: hookTemplates)
        result.diagnostics += unrenderedJinja()
        result.diagnostics += project.models.unusedPathWarnings() + project.seeds.unusedPathWarnings()
    }

    /// The `model` a model's template sees (``SlotTable/nodeFields(_:)``).
    func modelContext(_ id: SlotID) -> [(String, JinjaValue)] {
        table.nodeFields(id)
    }

    func nodeFields(_ slot: SlotID) -> [(String, JinjaValue)] {
        table.nodeFields(slot)
    }

    /// The file's bytes and their SHA-256, recorded as an input; nil (with an error) when unreadable.
    mutating func read(_ file: ProjectFile) -> (data: Data, sha256: String)? {
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

    /// A properties file named as messages name it, as the plan records it.
    func planPath(ofProperties display: String) -> String {
        files.properties.first { $0.display == display }?.planPath ?? display
    }

    /// What the executor needs to render the models whose templates query the database: each
    /// one's template and frozen context, and the project's macros and vars.
    private func templateLibrary(tests: [String: ModelTemplate], runHooks: [String: ModelTemplate]) -> TemplateLibrary? {
        var templates: [String: ModelTemplate] = [:]
        for id in table.models where table[model: id].renderAtApply && table[id].enabled {
            let model = table[model: id]
            var made = template(text: model.source, path: model.file.planPath, package: table[id].package,
                                render: model.render, node: nodeFields(id), config: model.config)
            if model.hooksAtApply {
                made.preHooks = model.config.preHooks
                made.postHooks = model.config.postHooks
            }
            templates[table[id].uniqueID] = made
        }
        guard !templates.isEmpty || !tests.isEmpty || !runHooks.isEmpty else { return nil }
        var vars: [String: [String: ConfigValue]] = [project.name: inputs.vars.mapValues(ConfigValue.init)]
        for (package, packageVars) in inputs.packageVars { vars[package] = packageVars.mapValues(ConfigValue.init) }
        // Paths as the plan records them (relative to floe.yaml): the plan is the same wherever it is compiled.
        let planPaths = Dictionary(files.macros.map { ($0.display, $0.planPath) }, uniquingKeysWith: { first, _ in first })
        var library = TemplateLibrary(
            project: project.name, target: request.targetName, namespace: request.namespace, compiledAt: request.compiledAt,
            macros: macroFiles.map { TemplateFile(package: $0.package, path: planPaths[$0.file] ?? $0.file, text: $0.text) }, vars: vars,
            dispatch: project.dispatch, models: templates, tests: tests, runHooks: runHooks.isEmpty ? nil : runHooks)
        library.projectVersions = inputs.projectVersions
        library.graphNodes = graphNodeFacts()
        library.graphMetrics = graphMetrics()
        return library
    }

    /// A template and the context it renders in at apply time: what its compile (dbt's parse)
    /// referred to, resolved to relations; its node and config; the environment variables it read.
    /// What `ref()` of the model in `slot` is in a template rendered at apply time: its relation,
    /// or for an ephemeral model the CTE put in front of the rendered SQL (named, unqualified).
    func templateReference(to slot: SlotID) -> TemplateReference {
        let model = table[slot]
        let latest = model.version == nil ? nil : model.isLatestVersion
        guard model.ephemeral else {
            return TemplateReference(name: [model.name], relation: model.relation, version: model.version, latest: latest)
        }
        return TemplateReference(name: [model.name], relation: Relation(schema: "", name: EphemeralInliner.cteName(model.name)),
                                 version: model.version, latest: latest, ephemeral: model.uniqueID)
    }

    func template(text: String, path: String, package: String, render: RenderOutcome, node: [(String, JinjaValue)],
                  config: NodeConfig) -> ModelTemplate {
        var seen = Set<SlotID>()
        let refs = render.refs.filter { seen.insert($0.slot).inserted }.map { templateReference(to: $0.slot) }
        let sources = render.sources.filter { seen.insert($0.slot).inserted }.map { use -> TemplateSource in
            let parts = table[use.slot].name.split(separator: ".", maxSplits: 1).map(String.init)
            return TemplateSource(source: parts[0], table: parts[1], relation: table[use.slot].relation)
        }
        var nodeValues: [String: ConfigValue] = [:]
        for (key, value) in node { nodeValues[key] = ConfigValue(ConfigInput(value)) }
        return ModelTemplate(path: path, text: text, package: package, refs: refs, sources: sources, node: nodeValues,
                             config: config.frozen.mapValues(ConfigValue.init), environment: render.environmentRead)
    }

    // MARK: Plan nodes

    func finish(_ text: String, refs: [SlotUse]) -> String {
        finisher.finish(text, refs: refs.map(\.slot))
    }

    func dependencies(_ outcome: RenderOutcome) -> [String] {
        finisher.dependencies((outcome.refs + outcome.sources).map(\.slot))
    }

    /// Models in graph order. All of a model's own work is done on every core: its SQL finished,
    /// its plan node made, and its fingerprint's hash fed with its SQL and config. Only the
    /// upstream fingerprints, which must be known first, are fed in order, and the hashes finished.
    private mutating func compileModels(order: [SlotID]) {
        let built = order.filter { table[$0].kind == .model && table[$0].enabled }
        let viewsUnqualified = !request.dialect.viewsQualifyTheirOwnSchema
        let jobs = Shared(value: built.map { id in
            let model = table[model: id]
            return ModelFinisher.Job(text: model.render.text, refs: model.render.refs.map(\.slot),
                                     sources: model.render.sources.map(\.slot),
                                     incremental: model.incrementalRender.map { ($0.text, $0.refs.map(\.slot)) },
                                     viewSchema: viewsUnqualified && (model.config.materialized ?? .view) == .view
                                         ? table[id].relation.schema : nil,
                                     batched: batchedInputs(id))
        })
        // What needs the serial render context (hooks) or reports a problem, in order.
        var modelNodes: [ModelPlanning.Node] = []
        modelNodes.reserveCapacity(built.count)
        for id in built { modelNodes.append(modelNode(id)) }
        let nodes = Shared(value: modelNodes)
        let finisher = self.finisher
        // Each position's fingerprint hash and dependency slots, written by the worker that
        // planned it; kept apart from the plan nodes so those are moved into the result whole.
        let states = TakeOnceSlots<(hasher: SHA256, slots: [SlotID])>(count: built.count)
        result.models = Parallel.map(count: built.count) {
            let own = finisher.isolated()
            return { position in
                let planned = ModelPlanning.plan(nodes.value[position], own.finish(jobs.value[position]))
                states.put((planned.fingerprint, planned.dependsOnSlots), at: position)
                return planned.model
            }
        }
        // By slot (``SlotID/index``): models' as they are computed, in graph order, so upstream
        // ones are known first.
        var fingerprints = [String](repeating: "", count: table.all.count)
        var leaves: [String: String] = [:]
        for seed in result.seeds { leaves[seed.uniqueID] = ModelFingerprintRecipe.fingerprint(of: seed) }
        for source in result.sources { leaves[source.uniqueID] = ModelFingerprintRecipe.fingerprint(of: source) }
        for id in table.seeds + table.sources { fingerprints[id.index] = leaves[table[id].uniqueID] ?? "" }
        let uniqueIDs = finisher.uniqueIDs
        var upstream: [UInt8] = []
        upstream.reserveCapacity(1024)
        for (position, id) in built.enumerated() {
            // Bound straight from what is taken, so the hash's context is not shared and copied.
            guard case (var hasher, let dependencies)? = states.take(position) else { continue }
            // The upstream part ends the hash's input.
            upstream.removeAll(keepingCapacity: true)
            for slot in dependencies {
                ModelFingerprintRecipe.appendUpstream(uniqueIDs[slot.index], fingerprint: fingerprints[slot.index], to: &upstream)
            }
            upstream.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            let fingerprint = InputHasher.hex(hasher.finalize())
            fingerprints[id.index] = fingerprint
            result.models[position].fingerprint = fingerprint
        }
        BackgroundRelease.release(consume jobs)
        BackgroundRelease.release(consume nodes)
    }

    /// A model's plan node without its SQL: its relation, config and hooks (rendered here, on the
    /// compiler's own context), and the problems its config has.
    private mutating func modelNode(_ id: SlotID) -> ModelPlanning.Node {
        let model = table[model: id]
        let file = model.file
        let config = model.config
        let properties = model.properties
        let materialized = config.materialized ?? .view
        var uniqueKey = config.uniqueKey
        var strategy: IncrementalStrategy?
        var snapshot: DbtSnapshotConfig?
        var microbatch: MicrobatchConfig?
        if file.isSnapshot {
            snapshot = snapshotConfig(config, file: file, written: model.render.config + (properties?.config ?? []))
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
        let relation = materialized == .ephemeral ? Relation(schema: table[id].relation.schema, name: EphemeralInliner.cteName(table[id].name))
            : table[id].relation
        let indexed = materialized == .table || materialized == .incremental
        if !indexed, !config.indexes.isEmpty {
            result.diagnostics.append(.warning(at: .file(file.display), path: "config.indexes",
                                               "indexes apply to tables and incremental models; floe ignores them on a \(materialized.rawValue)",
                                               hint: "materialize the model as a table, or remove its indexes"))
        }
        return ModelPlanning.Node(
            uniqueID: table[id].uniqueID, name: table[id].name, path: file.planPath, materialized: materialized,
            relation: relation, uniqueKey: uniqueKey, incrementalStrategy: strategy, onSchemaChange: config.onSchemaChange,
            tags: config.tags, preHooks: renderHooks(config.preHooks, slot: id), postHooks: renderHooks(config.postHooks, slot: id) + latestVersionPointer(id, materialized: materialized),
            columns: (properties?.columns ?? []).map { ColumnSpec(name: $0.name, type: $0.dataType, description: $0.description) },
            description: properties?.description, indexes: indexed ? config.indexes : [], renderAtApply: model.renderAtApply,
            snapshot: snapshot, microbatch: microbatch, contract: contract(of: id, materialized: materialized))
    }

    /// For a microbatch model: its inputs that have an `event_time` config, by slot.
    private func batchedInputs(_ id: SlotID) -> [SlotID: String] {
        guard table[model: id].config.incrementalStrategy == .microbatch else { return [:] }
        var found: [SlotID: String] = [:]
        for use in table[model: id].render.refs + table[model: id].render.sources {
            if let eventTime = eventTime(of: use.slot) { found[use.slot] = eventTime }
        }
        return found
    }

    /// A model's, seed's or source table's `event_time` config.
    private func eventTime(of slot: SlotID) -> String? {
        switch table[slot].kind {
        case .model: return table[model: slot].config.extra["event_time"]?.string
        case .seed: return table[seed: slot].config.extra["event_time"]?.string
        case .source:
            let parts = table[slot].name.split(separator: ".", maxSplits: 1).map(String.init)
            let described = properties.sources.first { $0.name == parts[0] && $0.package == table[slot].package }?
                .tables.first { $0.properties.name == parts[1] }
            return described?.properties.config.last { $0.key == "event_time" }?.value.string
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

    private mutating func renderHooks(_ hooks: [String], slot: SlotID) -> [String] {
        hooks.map { hook in
            let model = table[model: slot]
            let outcome = serialContext.render(source: hook, file: model.file.display, slot: slot, model: modelContext(slot),
                                               base: model.config, incremental: false)
            if let error = outcome.error { result.diagnostics.append(error.diagnostic) }
            // A hook that queries the database is rendered at apply time with its model (the text here is its parse rendering, shown only).
            if outcome.needsDatabase, !model.hooksAtApply {
                result.diagnostics.append(DbtProjectCompiler.queriesTheDatabase(model.file.display, what: "a hook of \(table[slot].name)"))
            }
            return finisher.substitute(outcome.text).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
