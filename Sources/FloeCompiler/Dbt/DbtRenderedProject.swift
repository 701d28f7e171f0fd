import FloeContract
import FloeCore
import FloeJinja
import FloeTemplates
import Foundation

/// The fourth phase, rendering: every model (`is_incremental()` false, and true for the
/// incremental ones) and every singular test, spread over the cores, then each model's own
/// `config()` calls applied over its base config. The one place of the dbt core that owns
/// parallelism, the model prefetch and the copy-avoiding hand-overs between cores.
struct DbtRenderedProject: DbtCompilePhase {
    let context: DbtCompileContext
    var properties: DbtProperties
    var table: SlotTable
    var configs: DbtConfigResolver
    var result: DbtCompileResult
    /// The singular tests as rendered.
    private(set) var singularTests: [SingularTest] = []

    init(_ configured: DbtConfiguredProject) {
        context = configured.context
        properties = configured.properties
        table = configured.table
        configs = configured.configs
        result = configured.result
        singularTests = renderInParallel()
        applyFileConfigs()
    }

    /// The `model` a model's template sees: dbt's node, with its config from the folder tree and
    /// properties file (what `{{ config() }}` in the file adds is read with `config.get`).
    func modelContext(_ id: SlotID) -> [(String, JinjaValue)] {
        table.nodeFields(id)
    }

    /// Adds a file read, and hashed, elsewhere (on a worker) to the plan's inputs.
    private mutating func record(planPath: String, sha256: String) {
        result.inputs.append(InputFile(path: planPath, sha256: sha256))
    }

    /// Renders every model (is_incremental() false) and every singular test, spread over the cores.
    private mutating func renderInParallel() -> [SingularTest] {
        struct Job: Sendable {
            var file: ProjectFile
            var slot: SlotID?
            var base: NodeConfig
            var model: Shared<[(String, JinjaValue)]>
        }
        let models = table.models
        var jobs: [Job] = models.map { Job(file: table[model: $0].file, slot: $0, base: table[model: $0].config, model: Shared(value: modelContext($0))) }
        for file in files.singularTests {
            let config = configs.treeConfig(\.tests, package: file.package, fqn: [file.package] + file.folders + [file.stem], reporting: &result.diagnostics)
            jobs.append(Job(file: file, slot: nil, base: config, model: Shared(value: [("name", .string(file.stem))])))
        }
        let inputs = self.inputs
        let frozenJobs = jobs
        let prefetch = context.reading.prefetch
        let prefetched = prefetch.finish()
        // Each file's hash is taken by whoever read it: the prefetch, or else the worker.
        var outcomes: [Rendered] = Parallel.map(count: jobs.count) {
            let context = DbtRenderContext(inputs.isolated())
            return { index in
                let job = frozenJobs[index]
                guard let model = index < prefetched ? prefetch.take(index) : PrefetchedModel(job.file) else {
                    return Rendered(outcome: RenderOutcome(error: TemplateError("cannot read the file", at: .file(job.file.display))))
                }
                let render = { context.render(model.template, slot: job.slot, model: job.model.value, base: job.base, incremental: false) }
                var outcome = render()
                if outcome.needsDatabase {
                    // Its SQL is rendered at apply time; the compile keeps what it refers to and its config.
                    outcome = context.parsing(after: outcome, render)
                    return Rendered(outcome: outcome, sha256: model.sha256, source: model.source)
                }
                // A model that raises an error of its own only when `execute` is true (a macro for
                // adapters other than this one) parses, as in dbt, and fails when it runs: it is
                // rendered at apply time, where it raises again if it is selected.
                if let raised = outcome.error, raised.raisedByTemplate, job.slot != nil {
                    let parsed = context.parsing(after: outcome, render)
                    if parsed.error == nil {
                        outcome = parsed
                        outcome.warnings.append(TemplateError(
                            "\(raised.message): raised when the model executes; it fails when it runs, as in dbt",
                            at: raised.location, hint: "leave it out of the run (--exclude) where it cannot work, as the project's own runs do"))
                        return Rendered(outcome: outcome, sha256: model.sha256, source: model.source)
                    }
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
            if let id = jobs[index].slot {
                table[model: id].renderAtApply = outcomes[index].outcome.needsDatabase
                // Swapped in, not copied: copying retains what another core made, a cache miss each.
                swap(&table[model: id].render, &outcomes[index].outcome)
                swap(&table[model: id].incrementalRender, &outcomes[index].incremental)
                swap(&table[model: id].source, &outcomes[index].source)
            } else {
                let outcome = outcomes[index].outcome
                var config = jobs[index].base
                configs.apply(outcome.config, to: &config, path: "config", reporting: &result.diagnostics)
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
    struct Rendered: Sendable {
        var outcome: RenderOutcome
        /// For an incremental model: the rendering with `is_incremental()` true.
        var incremental: RenderOutcome?
        /// The file's hash when the worker (or the prefetch) read it.
        var sha256: String?
        var source = ""
    }

    /// The second rendering of incremental models, with is_incremental() true, once the graph is
    /// known to be sound: the render workers made most of them already; what is left is rendered
    /// here, and a rendering kept for a model that is not incremental after all is dropped.
    static func renderIncrementalVariants(_ table: inout SlotTable, inputs: DbtRenderInputs, diagnostics: inout [Diagnostic]) {
        var missing: [SlotID] = []
        for id in table.models {
            guard table[model: id].config.materialized == .incremental, table[id].enabled, !table[model: id].renderAtApply else {
                table[model: id].incrementalRender = nil
                continue
            }
            if let rendered = table[model: id].incrementalRender {
                if let error = rendered.error { diagnostics.append(error.diagnostic) }
            } else {
                missing.append(id)
            }
        }
        guard !missing.isEmpty else { return }
        let jobs = Shared(value: missing.map { (table[model: $0].file, table[model: $0].source, $0, table[model: $0].config, table.nodeFields($0)) })
        let outcomes: [RenderOutcome] = Parallel.map(count: missing.count) {
            let context = DbtRenderContext(inputs.isolated())
            return { index in
                let (file, source, slot, config, model) = jobs.value[index]
                return context.render(source: source, file: file.display, slot: slot, model: model, base: config, incremental: true)
            }
        }
        for (position, id) in missing.enumerated() {
            if let error = outcomes[position].error { diagnostics.append(error.diagnostic) }
            table[model: id].incrementalRender = outcomes[position]
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
