import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Which rollups may answer queries now: those built, whose last build had the plan's
/// fingerprint and read the versions its inputs have now. A rollup whose models were rebuilt
/// since (a `floe run --select stg_orders` that left it out) is stale, and queries go to the
/// models instead, so a rollup never answers with old numbers.
///
/// What depends only on the plan (the rollups, their fingerprints, the graph) is worked out
/// once. Each ``current(_:)`` reads the recorded states again unless the connection's engine
/// says nothing was committed to the namespace since it last did (SQLite's `data_version`), as
/// a server asks for every query.
public struct PreAggregationState: @unchecked Sendable {
    private let rollups: [RollupDefinition]
    private let namespace: String
    /// The last answer per connection, with the data version it was read at.
    private let cache = BoundedCache<ObjectIdentifier, (version: Int64, rollups: [RollupDefinition])>(capacity: 1_024)
    private let graph: PlanGraph
    private let fingerprints: [String: String]
    private let store: StateStore?

    public init(plan: CompiledArtifacts) {
        let derived = try? PreAggregationNodes.derived(from: plan)
        let expanded = derived?.plan
        rollups = derived?.rollups ?? []
        graph = PlanGraph(expanded ?? plan)
        fingerprints = Dictionary((expanded ?? plan).models.map { ($0.uniqueID, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
        store = SQLDialects.named(plan.profiles.compute.type).map { StateStore(namespace: plan.environment.namespace, dialect: $0) }
        namespace = plan.environment.namespace
    }

    /// The rollups that are built and current, as the warehouse says now.
    public func current(_ connection: any EngineConnection) -> [RollupDefinition] {
        guard !rollups.isEmpty else { return [] }
        let version = connection.dataVersion(of: namespace)
        if let version, let known = cache[ObjectIdentifier(connection)], known.version == version { return known.rollups }
        let found = read(connection)
        if let version { cache[ObjectIdentifier(connection)] = (version, found) }
        return found
    }

    private func read(_ connection: any EngineConnection) -> [RollupDefinition] {
        guard let store, let recorded = try? store.nodeStates(connection) else { return [] }
        let states = NodeStates(recorded: recorded, graph: graph)
        return rollups.filter { rollup in
            let id = PreAggregationNodes.uniqueID(rollup)
            guard let fingerprint = fingerprints[id], states.isUpToDate(id, fingerprint: fingerprint) else { return false }
            return (try? connection.relationKind(rollup.relation)) == .table
        }
    }

    public static func current(_ plan: CompiledArtifacts, connection: any EngineConnection) -> [RollupDefinition] {
        PreAggregationState(plan: plan).current(connection)
    }
}
