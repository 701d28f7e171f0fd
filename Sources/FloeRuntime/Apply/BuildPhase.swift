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

        var seed: CompiledSeed? {
            if case .seed(let seed) = self { return seed }
            return nil
        }

        var uniqueID: String {
            switch self {
            case .seed(let seed): seed.uniqueID
            case .model(let model): model.uniqueID
            }
        }
    }

    let context: Context
    let plan: CompiledArtifacts
    let graph: PlanGraph

    func run(_ seeds: [CompiledSeed], _ models: [CompiledModel]) {
        let items = seeds.map(Item.seed) + models.map(Item.model)
        guard !items.isEmpty else { return }
        let position = Dictionary(items.enumerated().map { ($1.uniqueID, $0) }, uniquingKeysWith: { first, _ in first })
        let jobs = items.map { item in
            DAGScheduler<Connection>.Job(parents: graph.inputs(of: item.uniqueID).compactMap { position[$0] })
        }
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
                result.message = "skipped: upstream \(graph.byID[items[cause].uniqueID]?.name ?? items[cause].uniqueID) failed"
                context.collector.record(result)
            })
    }

    typealias Connection = Result<any EngineConnection, any Error>

    private func execute(_ item: Item, connection opened: Connection?, writers: DispatchSemaphore) -> Bool {
        let start = Date()
        context.collector.started(graph.byID[item.uniqueID]?.name ?? item.uniqueID, type: type(item))
        let connection: any EngineConnection
        switch opened {
        case .success(let open)?: connection = open
        case .failure(let error)?:
            return fail(item, start: start, message: "cannot connect: \(context.message(error))")
        case nil:
            return fail(item, start: start, message: "cannot connect")
        }
        do {
            let seedFile = try item.seed.map { try SeedFile.read($0, projectDirectory: context.options.projectDirectory) }
            if try isUpToDate(item, connection: connection) {
                var result = describe(item, status: .upToDate, started: start)
                result.message = "up to date"
                context.collector.record(result)
                return true
            }
            // The time a build waited for the engine's writer is not the build's time.
            writers.wait()
            defer { writers.signal() }
            let start = Date()
            var result = describe(item, status: .success, started: start)
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
                let outcome = try ModelBuilder(connection: connection, dialect: context.engine.dialect,
                                               state: context.state, runID: context.runID)
                    .build(model, recording: state, fullRefresh: context.options.fullRefresh, at: Clock.timestamp())
                result.rowsAffected = outcome.rowsAffected
                result.message = outcome.message
            }
            context.states.committed(item.uniqueID, state)
            result.executionTime = Date().timeIntervalSince(start)
            context.collector.record(result)
            return true
        } catch {
            if context.cancellation.isCancelled {
                var result = describe(item, status: .cancelled, started: start)
                result.message = "interrupted; its transaction rolled back"
                context.collector.record(result)
                return false
            }
            return fail(item, start: start, message: context.message(error))
        }
    }

    private func fail(_ item: Item, start: Date, message: String) -> Bool {
        var result = describe(item, status: .error, started: start)
        result.message = message
        context.collector.record(result)
        if context.options.failFast { context.cancellation.cancel(.failFast) }
        return false
    }

    private func isUpToDate(_ item: Item, connection: any EngineConnection) throws -> Bool {
        guard !context.options.fullRefresh else { return false }
        let (fingerprint, relation): (String, Relation) = switch item {
        case .seed(let seed): (Self.fingerprint(seed), seed.relation)
        case .model(let model): (model.fingerprint, model.relation)
        }
        guard context.states.isUpToDate(item.uniqueID, fingerprint: fingerprint) else { return false }
        return try connection.relationKind(relation) != nil
    }

    /// A seed is unchanged when its file and its column types are.
    static func fingerprint(_ seed: CompiledSeed) -> String {
        seed.sha256 + ":" + seed.columns.map { "\($0.name) \($0.type ?? "")" }.joined(separator: ",")
    }

    private func type(_ item: Item) -> NodeResult.ResourceType {
        if case .seed = item { return .seed }
        return .model
    }

    private func describe(_ item: Item, status: NodeResult.Status, started: Date) -> NodeResult {
        let (name, relation, materialized): (String, Relation, String) = switch item {
        case .seed(let seed): (seed.name, seed.relation, "seed")
        case .model(let model): (model.name, model.relation, model.materialized.rawValue)
        }
        return NodeResult(uniqueID: item.uniqueID, name: name, resourceType: type(item), status: status,
                          relation: relation.description, materialized: materialized,
                          startedAt: Clock.timestamp(started), executionTime: Date().timeIntervalSince(started))
    }
}
