import Crypto
import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import FloeJinja
import FloeTemplates
import Foundation

/// Runs a plan: takes the namespace's lock, loads synthetic data and seeds, builds the selected
/// models in dependency order, runs the tests, and records everything in the warehouse and in
/// the returned results. Reads nothing but the plan, the seed files it names, and secrets.
public final class PlanRunner: @unchecked Sendable {
    /// The plan as compiled, which is what is validated.
    let declared: CompiledArtifacts
    /// The plan with the cubes' rollups as models (``RunnablePlan``): what runs.
    let plan: CompiledArtifacts
    /// Why the rollups could not be derived, when they could not.
    let rollupFailure: String?
    /// The rollups kept in partitions.
    let partitions: [String: RollupPartitioning]
    let options: ApplyOptions
    let observer: (any ApplyObserver)?
    let graph: PlanGraph
    /// The run's id: run results' `invocation_id`, the run history's key, the lineage parent run.
    public let runID = UUID().uuidString.lowercased()
    /// Cancel it (from any thread) to stop the run: see ``RunCancellation``.
    public let cancellation = RunCancellation()

    /// `plan` as the semantic layer expanded it (`RunnablePlan(withRollupsOf:)`).
    public init(plan runnable: RunnablePlan, options: ApplyOptions, observer: (any ApplyObserver)? = nil) {
        declared = runnable.declared
        plan = runnable.plan
        partitions = runnable.partitions
        rollupFailure = runnable.rollupFailure
        self.options = options
        self.observer = observer
        graph = PlanGraph(self.plan)
    }

    public func run() throws(ExecutorError) -> RunResults {
        let startedAt = options.now ?? Date()
        observer?.runStarting(runID: runID, command: options.command, at: startedAt, nominalStart: options.scheduledFor ?? (options.batch ? startedAt : nil))
        do {
            let results = try run(startedAt: startedAt)
            observer?.runEnded(results)
            return results
        } catch {
            observer?.runRefused(error)
            throw error
        }
    }

    private func run(startedAt: Date) throws(ExecutorError) -> RunResults {
        let clockStart = Date()
        let problems = PlanValidator.problems(in: declared)
        guard problems.isEmpty else {
            throw ExecutorError(.invalidPlan, "the plan is not valid: " + problems.map(\.description).joined(separator: "; "))
        }
        if let rollupFailure { throw ExecutorError(.state, rollupFailure) }
        if options.batch, plan.product.demo == nil {
            throw ExecutorError(.usage, "--batch adds a batch of synthetic rows as floe.yaml's `demo:` section describes, and this plan has none; "
                + "add `demo: {batch_size: 100}` to floe.yaml and compile again")
        }
        let engine = try openEngine()
        let lock: any NamespaceLock
        do {
            lock = try engine.lockNamespace(plan.environment.namespace, timeout: options.lockTimeout)
        } catch {
            throw ExecutorError(error, hint: "wait for it to finish, or pass --lock-timeout SECONDS to wait for it")
        }
        defer { lock.release() }
        let selection: NodeSelector.Resolution
        do {
            selection = try NodeSelector(graph: graph).resolution(select: options.select, exclude: options.exclude, indirect: options.indirectSelection)
        } catch {
            throw ExecutorError(.selection, error.description)
        }
        for warning in selection.warnings { observer?.warned(warning) }
        let connection: any EngineConnection
        let state = StateStore(namespace: plan.environment.namespace, dialect: engine.dialect)
        let recorded: [String: NodeState]
        do {
            connection = try engine.connect()
            try state.createTables(connection)
            recorded = try state.nodeStates(connection)
            try state.startRun(connection, runID: runID, command: options.command, at: Clock.timestamp(startedAt),
                               inputs: plan.metadata.inputsSHA256)
        } catch {
            throw ExecutorError(error)
        }
        observer?.began("\(plan.product.name) \(plan.product.version), \(plan.environment.name) "
            + "(namespace \(plan.environment.namespace)) on \(engine.dialect.name)")

        let work = Work(plan: plan, graph: graph, selection: selection, mode: options.mode)
        // dbt_project.yml's on-run-start/on-run-end, before the first node and after the last.
        let hooks = plan.hooks ?? RunHooks(onRunStart: [], onRunEnd: [])
        let product = plan.product.name
        let hookIDs = { (kind: String, statements: [String]) in
            statements.indices.map { RunHookStep.id(product: product, kind: kind, index: $0) }
        }
        let startIDs = hookIDs("on-run-start", hooks.onRunStart), endIDs = hookIDs("on-run-end", hooks.onRunEnd)
        let collector = ResultCollector(total: work.total + startIDs.count + endIDs.count, observer: observer)
        let context = Context(engine: engine, state: state, states: NodeStates(recorded: recorded, graph: graph),
                              collector: collector, runID: runID, cancellation: cancellation,
                              options: options, threads: options.threads ?? plan.profiles.compute.integer("threads") ?? 4,
                              startedAt: startedAt, retention: RetentionStep(plan.product.retention, now: startedAt),
                              rendering: plan.templates.map { library in
                                  TemplateRendering(library: library, dialect: engine.dialect, graph: DbtGraph(plan), ephemerals: Dictionary(
                                      plan.models.filter { $0.materialized == .ephemeral }.map { ($0.uniqueID, $0) }, uniquingKeysWith: { first, _ in first }),
                                      sources: plan.sources, database: plan.profiles.compute.string("database") ?? "")
                              })
        let started = phase("on-run-start", when: !hooks.onRunStart.isEmpty) {
            RunHookStep(context: context, kind: "on-run-start", product: plan.product.name).run(hooks.onRunStart, on: connection)
        }
        if started, options.mode.buildsModels {
            phase("synthetic", when: !work.synthetic.isEmpty) {
                let interruptible = InterruptibleConnections(cancellation)
                interruptible.register(connection)
                SyntheticPhase(context: context, plan: plan).run(work.synthetic, on: connection)
                interruptible.release()
            }
        }
        let build = BuildPhase(context: context, plan: plan, graph: graph, partitions: partitions)
        let builds = !work.seeds.isEmpty || !work.models.isEmpty
        switch started ? options.mode : nil {
        case .build, .run:
            phase("build", when: builds) { build.run(work.seeds, work.models) }
            phase("tests", when: !work.tests.isEmpty) { TestPhase(context: context, graph: graph).run(work.tests) }
        case .snapshot:
            phase("build", when: builds) { build.run([], work.models) }
        case .buildWithTests:
            phase("build", when: builds || !work.tests.isEmpty) { build.run(work.seeds, work.models, tests: work.tests) }
        case .test:
            phase("tests", when: !work.tests.isEmpty) { TestPhase(context: context, graph: graph).run(work.tests) }
        case .seed:
            phase("build", when: builds) { build.run(work.seeds, []) }
        case nil:
            break
        }
        if !cancellation.isCancelled {
            _ = phase("on-run-end", when: !hooks.onRunEnd.isEmpty) {
                RunHookStep(context: context, kind: "on-run-end", product: plan.product.name)
                    .run(hooks.onRunEnd, on: connection) { collector.ordered(work.order) }
            }
        }

        let completedAt = startedAt.addingTimeInterval(Date().timeIntervalSince(clockStart))
        var results = RunResults(
            metadata: .init(floeVersion: FloeVersion.current, invocationID: runID, command: options.command,
                            product: plan.product.name, environment: plan.environment.name,
                            namespace: plan.environment.namespace, engine: engine.dialect.name,
                            startedAt: Clock.timestamp(startedAt), completedAt: Clock.timestamp(completedAt)),
            elapsedTime: completedAt.timeIntervalSince(startedAt),
            results: collector.ordered(startIDs + work.order + endIDs), cancelledBy: cancellation.reason?.rawValue)
        results.metrics = RunMetrics(results.results)
        // History is best effort: the builds it describes have already committed.
        try? state.finishRun(connection, results)
        return results
    }

    /// `body` told to the observer as a phase, when it has anything to do.
    @discardableResult
    private func phase<T>(_ name: String, when active: Bool, _ body: () -> T) -> T {
        guard active else { return body() }
        observer?.phase(name, began: true)
        defer { observer?.phase(name, began: false) }
        return body()
    }

    private func openEngine() throws(ExecutorError) -> any WarehouseEngine {
        let secrets = SecretResolver(settings: plan.secrets, environment: options.environment)
        return try EngineFactory.engine(for: plan, projectDirectory: options.projectDirectory, secrets: secrets)
    }
}

/// What one run does, chosen from the plan by mode and selection, in the plan's order.
struct Work {
    var synthetic: [SyntheticTable] = []
    var seeds: [CompiledSeed] = []
    var models: [CompiledModel] = []
    var tests: [CompiledTest] = []

    init(plan: CompiledArtifacts, graph: PlanGraph, selection: NodeSelector.Resolution, mode: ApplyOptions.Mode) {
        let selected = selection.selected
        if mode == .seed {
            seeds = plan.seeds.filter { selected.contains($0.uniqueID) }
            return
        }
        if mode == .snapshot {
            models = plan.models.filter { selected.contains($0.uniqueID) && $0.materialized == .snapshot }
            let reads = Set(models.flatMap { graph.inputs(of: $0.uniqueID) })
            synthetic = plan.synthetic.filter { reads.contains($0.uniqueID) }
            return
        }
        if mode.buildsModels {
            // A synthetic table loads when it is selected or a selected node reads it.
            var needed = Set(selected.filter { graph.byID[$0]?.type == .synthetic })
            for id in selected where graph.byID[id]?.type != .synthetic {
                needed.formUnion(graph.inputs(of: id).filter { graph.byID[$0]?.type == .synthetic })
            }
            synthetic = plan.synthetic.filter { needed.contains($0.uniqueID) }
            seeds = plan.seeds.filter { selected.contains($0.uniqueID) }
            models = plan.models.filter { model in
                selected.contains(model.uniqueID) && model.materialized != .ephemeral && (mode != .run || model.materialized != .snapshot)
            }
        }
        // `run` leaves the snapshots alone, and their tests with them.
        let unbuilt: Set<String> = mode == .run ? Set(plan.models.filter { $0.materialized == .snapshot }.map(\.uniqueID)) : []
        tests = plan.tests.filter { selection.runs($0, graph: graph, unbuilt: unbuilt) }
    }

    var total: Int { synthetic.count + seeds.count + models.count + tests.count }

    var order: [String] {
        synthetic.map(\.uniqueID) + seeds.map(\.uniqueID) + models.map(\.uniqueID) + tests.map(\.uniqueID)
    }
}

/// What the phases share.
struct Context: @unchecked Sendable {
    let engine: any WarehouseEngine
    let state: StateStore
    /// Every node's last successful build, as of now.
    let states: NodeStates
    let collector: ResultCollector
    let runID: String
    let cancellation: RunCancellation
    let options: ApplyOptions
    let threads: Int
    /// When the run started: synthetic rows made in it are `loaded_at` this time.
    let startedAt: Date
    /// floe.yaml's retention as of the run's start; nil when the product has none.
    var retention: RetentionStep?
    /// Renders the models and tests whose templates query the database; nil when the plan has none.
    var rendering: TemplateRendering?

    func message(_ error: any Error) -> String {
        if let error = error as? EngineError { return error.message }
        return "\(error)"
    }
}
