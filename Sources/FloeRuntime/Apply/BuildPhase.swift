import FloeConnect
import FloeContract
import FloeEngine
import Foundation

/// Builds the selected seeds and models in dependency order on the worker threads. A node is
/// "up to date", and left alone, when ``NodeStates`` says so (its fingerprint is the plan's and
/// every input is at the version its last build read) and its relation still exists. A seed's
/// file is checked against the plan every time, so one edited after compile is never taken as
/// up to date.
struct BuildPhase {
    enum Item {
        case seed(CompiledSeed)
        case model(CompiledModel)
        /// `floe build` only: a test runs right after the nodes it tests, before what reads them.
        case test(CompiledTest)

        var seed: CompiledSeed? {
            if case .seed(let seed) = self { return seed }
            return nil
        }

        var uniqueID: String {
            switch self {
            case .seed(let seed): seed.uniqueID
            case .model(let model): model.uniqueID
            case .test(let test): test.uniqueID
            }
        }
    }

    let context: Context
    let plan: CompiledArtifacts
    let graph: PlanGraph
    /// The rollups kept in partitions, by unique id.
    var partitions: [String: RollupPartitioning] = [:]

    /// `tests` are given by `floe build`: each runs once the nodes it tests are built, and a model
    /// waits for the tests of what it reads, so a failing test skips everything downstream.
    func run(_ seeds: [CompiledSeed], _ models: [CompiledModel], tests: [CompiledTest] = []) {
        let items = seeds.map(Item.seed) + models.map(Item.model) + tests.map(Item.test)
        guard !items.isEmpty else { return }
        let position = Dictionary(items.enumerated().map { ($1.uniqueID, $0) }, uniquingKeysWith: { first, _ in first })
        var parents = items.map { graph.inputs(of: $0.uniqueID).compactMap { position[$0] } }
        if !tests.isEmpty { addTestsBeforeReaders(items, &parents) }
        let jobs = parents.map { DAGScheduler<Connection>.Job(parents: $0) }
        let writers = DispatchSemaphore(value: max(1, context.engine.maxConcurrentWriters))
        let scheduler = DAGScheduler<Connection>(jobs: jobs, threads: context.threads, cancellation: context.cancellation)
        let engine = context.engine
        let connections = InterruptibleConnections(context.cancellation)
        defer { connections.release() }
        scheduler.run(
            connect: { connections.connect(engine) },
            execute: { index, connection in
                execute(items[index], connection: connection, writers: writers)
            },
            skip: { index, cause in
                // After a cancellation nothing more is reported: what did not run is not a result.
                guard !context.cancellation.isCancelled else { return }
                let item = items[index]
                var result = describe(item, status: .skipped, started: Date())
                let culprit = items[cause]
                let what = if case .test = culprit { "test" } else { "upstream" }
                result.message = "skipped: \(what) \(graph.byID[culprit.uniqueID]?.name ?? culprit.uniqueID) failed"
                context.collector.record(result)
            })
    }

    typealias Connection = Result<any EngineConnection, any Error>

    private func execute(_ item: Item, connection opened: Connection?, writers: DispatchSemaphore) -> Bool {
        var item = item
        if case .test(let test) = item {
            return TestPhase(context: context, graph: graph).execute(test, connection: opened)
        }
        let start = Date()
        context.collector.started(graph.byID[item.uniqueID]?.name ?? item.uniqueID, id: item.uniqueID, type: type(item))
        let connection: any EngineConnection
        switch opened {
        case .success(let open)?: connection = open
        case .failure(let error)?:
            return fail(describe(item, status: .error, started: start), message: "cannot connect: \(context.message(error))")
        case nil:
            return fail(describe(item, status: .error, started: start), message: "cannot connect")
        }
        // What a model's build sends, kept for target/run/ and for the failure report.
        var recording: RecordingConnection?
        var result = describe(item, status: .success, started: start)
        do {
            var renderPostHooks: ((any EngineConnection) throws -> [String])?
            if case .model(let model) = item, model.renderAtApply == true {
                // Its upstream is built: its template may query it now.
                let rendering = try TemplateRendering.required(context.rendering, for: model.uniqueID)
                let rendered = try rendering.render(model, on: connection)
                item = .model(rendered)
                if rendering.rendersPostHooksLate(model) {
                    renderPostHooks = { try rendering.renderPostHooks(of: rendered, on: $0) }
                }
            }
            let seedFile = try item.seed.map { try SeedFile.read($0, projectDirectory: context.options.projectDirectory) }
            if try isUpToDate(item, connection: connection) {
                result.status = .upToDate
                result.message = "up to date"
                if case .model(let model) = item, let deleted = try expire(model, connection: connection, writers: writers) {
                    // Rows aged out: the table changed, so it was not up to date after all.
                    result.status = .success
                    result.message = context.retention?.describe(deleted)
                }
                result.executionTime = Date().timeIntervalSince(start)
                readOutputColumns(item, connection: connection, into: &result)
                context.collector.record(result)
                return true
            }
            // The time a build waited for the engine's writer is not the build's time.
            writers.wait()
            defer { writers.signal() }
            result = describe(item, status: .success, started: Date())
            let state: NodeState
            switch item {
            case .seed(let seed):
                let fingerprint = Self.fingerprint(seed)
                state = NodeState(fingerprint: fingerprint, version: fingerprint, inputs: [:])
                let rows = try connection.inWriteTransaction {
                    let rows = try SeedLoader(connection: connection, dialect: context.engine.dialect).load(seed, from: seedFile!)
                    try context.state.recordBuild(connection, id: seed.uniqueID, state: state,
                                                  relation: seed.relation, at: Clock.timestamp(), runID: context.runID)
                    return rows
                }
                result.rowsAffected = rows
                result.message = "seed, \(rows) row\(rows == 1 ? "" : "s")"
            case .model(let model):
                state = NodeState(fingerprint: model.fingerprint, version: context.runID,
                                  inputs: context.states.inputVersionsForRecord(of: model.uniqueID, runID: context.runID))
                let recorder = RecordingConnection(connection)
                recording = recorder
                let snapshots = plan.product.snapshots.map { Snapshots(keep: $0.keep, state: context.state) }
                let outcome = try ModelBuilder(connection: recorder, dialect: context.engine.dialect,
                                               state: context.state, runID: context.runID, retention: context.retention,
                                               snapshots: snapshots, previous: context.states.state(of: model.uniqueID),
                                               partitioning: partitions[model.uniqueID], renderPostHooks: renderPostHooks)
                    .build(model, recording: state, fullRefresh: context.options.fullRefresh, at: Clock.timestamp())
                result.rowsAffected = outcome.rowsAffected
                result.statements = recorder.statements.count
                result.message = outcome.message
                result.compiledCode = outcome.compiledSQL
                writeFiles(model, compiled: outcome.compiledSQL, statements: recorder.statements)
            case .test(let test):
                // Tests return before the writer is taken (see the top); kept whole for the compiler.
                return TestPhase(context: context, graph: graph).execute(test, connection: opened)
            }
            context.states.committed(item.uniqueID, state)
            finish(&result)
            readOutputColumns(item, connection: connection, into: &result)
            context.collector.record(result)
            return true
        } catch {
            if case .model(let model) = item, let recording {
                // The incremental SELECT when the build got as far as staging it.
                let incremental = model.incrementalSQL.flatMap { sql in recording.statements.contains { $0.contains(sql) } ? sql : nil }
                result.compiledCode = incremental ?? model.sql
                result.failedSQL = (error as? EngineError)?.sql
                result.failedSQLLine = (error as? EngineError)?.line
                writeFiles(model, compiled: result.compiledCode ?? model.sql, statements: recording.statements)
            }
            if context.cancellation.isCancelled {
                result.status = .cancelled
                finish(&result)
                result.message = "interrupted; its transaction rolled back"
                context.collector.record(result)
                return false
            }
            return fail(result, message: context.message(error))
        }
    }

    /// Retention on a table or incremental model that is otherwise up to date: its expired rows
    /// go, and when any did, a new content version is recorded in the same transaction. Returns
    /// how many went, or nil when none did (or retention does not apply).
    private func expire(_ model: CompiledModel, connection: any EngineConnection, writers: DispatchSemaphore) throws -> Int? {
        guard let retention = context.retention, model.materialized == .table || model.materialized == .incremental,
              let previous = context.states.state(of: model.uniqueID) else { return nil }
        writers.wait()
        defer { writers.signal() }
        let state = NodeState(fingerprint: previous.fingerprint, version: context.runID, inputs: previous.inputs)
        let deleted = try connection.inWriteTransaction {
            let deleted = try retention.apply(to: model.relation, connection: connection, dialect: context.engine.dialect)
            if deleted > 0 {
                try context.state.recordBuild(connection, id: model.uniqueID, state: state, relation: model.relation,
                                              at: Clock.timestamp(), runID: context.runID)
            }
            return deleted
        }
        guard deleted > 0 else { return nil }
        context.states.committed(model.uniqueID, state)
        return deleted
    }

    /// The built relation's columns, from the engine, when the run reads them (for lineage).
    /// Best effort: a relation the engine cannot describe leaves them out.
    private func readOutputColumns(_ item: Item, connection: any EngineConnection, into result: inout NodeResult) {
        guard context.options.readsOutputSchemas else { return }
        let relation: Relation? = switch item {
        case .seed(let seed): seed.relation
        case .model(let model): model.relation
        case .test: nil
        }
        result.outputColumns = relation.flatMap { try? connection.columns(of: $0) }
    }

    private func writeFiles(_ model: CompiledModel, compiled: String, statements: [String]) {
        guard let target = context.options.targetDirectory else { return }
        CompiledSQLFiles(targetDirectory: target).write(model, compiled: compiled, statements: statements)
    }

    /// The run's time, timing and worker, once a node has run.
    private func finish(_ result: inout NodeResult) {
        let completed = Date()
        let started = result.startedAt ?? Clock.timestamp(completed)
        result.executionTime = completed.timeIntervalSince(Clock.date(started) ?? completed)
        result.timing = [.init(name: "execute", startedAt: started, completedAt: Clock.timestamp(completed))]
        result.threadID = Thread.current.name
    }

    private func fail(_ result: NodeResult, message: String) -> Bool {
        var result = result
        result.status = .error
        result.message = message
        finish(&result)
        context.collector.record(result)
        if context.options.failFast { context.cancellation.cancel(.failFast) }
        return false
    }

    private func isUpToDate(_ item: Item, connection: any EngineConnection) throws -> Bool {
        guard !context.options.fullRefresh else { return false }
        let fingerprint: String, relation: Relation
        switch item {
        case .seed(let seed): (fingerprint, relation) = (Self.fingerprint(seed), seed.relation)
        case .model(let model) where model.materialized == .snapshot: return false
        case .model(let model): (fingerprint, relation) = (model.fingerprint, model.relation)
        case .test: return false
        }
        guard context.states.isUpToDate(item.uniqueID, fingerprint: fingerprint) else { return false }
        return try connection.relationKind(relation) != nil
    }

    /// A seed is unchanged when its file and its column types are.
    static func fingerprint(_ seed: CompiledSeed) -> String {
        seed.sha256 + ":" + seed.columns.map { "\($0.name) \($0.type ?? "")" }.joined(separator: ",")
    }

    /// dbt build's order: a model waits for every test whose nodes are all upstream of it and one
    /// of which it reads. A test of the model itself (a relationships test between it and a
    /// parent) runs after it and blocks only what reads it.
    private func addTestsBeforeReaders(_ items: [Item], _ parents: inout [[Int]]) {
        var readers: [Int: [Int]] = [:]
        for (index, item) in items.enumerated() {
            guard case .model = item else { continue }
            for parent in parents[index] { readers[parent, default: []].append(index) }
        }
        var ancestors: [Int: Set<String>] = [:]
        let position = Dictionary(items.enumerated().map { ($1.uniqueID, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, item) in items.enumerated() {
            guard case .test(let test) = item else { continue }
            // A unit test reads its inputs but tests its model: only that model waits for it, as in dbt.
            if test.testName == "unit" {
                if let model = test.attachedNode.flatMap({ position[$0] }) { parents[model].append(index) }
                continue
            }
            let tested = parents[index]
            let candidates = Set(tested.flatMap { readers[$0] ?? [] })
            for model in candidates.sorted() {
                if tested.count > 1 {
                    let above = ancestors[model] ?? graph.reachable(from: items[model].uniqueID, upward: true, depth: nil)
                    ancestors[model] = above
                    guard tested.allSatisfy({ above.contains(items[$0].uniqueID) }) else { continue }
                }
                parents[model].append(index)
            }
        }
    }

    private func type(_ item: Item) -> NodeResult.ResourceType {
        switch item {
        case .seed: .seed
        case .model(let model): model.materialized == .snapshot ? .snapshot : .model
        case .test: .test
        }
    }

    private func describe(_ item: Item, status: NodeResult.Status, started: Date) -> NodeResult {
        let (name, relation, materialized, path): (String, Relation?, String?, String?) = switch item {
        case .seed(let seed): (seed.name, seed.relation, "seed", seed.path)
        case .model(let model): (model.name, model.relation, model.materialized.rawValue, model.path)
        case .test(let test): (test.name, nil, nil, nil)
        }
        var result = NodeResult(uniqueID: item.uniqueID, name: name, resourceType: type(item), status: status,
                                relation: relation?.description, materialized: materialized,
                                startedAt: Clock.timestamp(started), executionTime: Date().timeIntervalSince(started))
        result.path = path
        return result
    }
}
