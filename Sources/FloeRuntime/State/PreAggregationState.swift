import FloeContract
import FloeEngine
import FloeSemantic

/// Which rollups may answer queries now: those built, whose last build had the plan's
/// fingerprint and read the versions its inputs have now. A rollup whose models were rebuilt
/// since (a `floe run --select stg_orders` that left it out) is stale, and queries go to the
/// models instead, so a rollup never answers with old numbers.
public enum PreAggregationState {
    public static func current(_ plan: CompiledArtifacts, connection: any EngineConnection) -> [RollupDefinition] {
        guard let expanded = try? PreAggregationNodes.expanded(plan), let rollups = try? RollupDefinition.all(in: plan),
              !rollups.isEmpty, let dialect = SQLDialects.named(plan.profiles.compute.type) else { return [] }
        let store = StateStore(namespace: plan.environment.namespace, dialect: dialect)
        guard let recorded = try? store.nodeStates(connection) else { return [] }
        let states = NodeStates(recorded: recorded, graph: PlanGraph(expanded))
        let fingerprints = Dictionary(expanded.models.map { ($0.uniqueID, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
        return rollups.filter { rollup in
            let id = PreAggregationNodes.uniqueID(rollup)
            guard let fingerprint = fingerprints[id], states.isUpToDate(id, fingerprint: fingerprint) else { return false }
            return (try? connection.relationKind(rollup.relation)) == .table
        }
    }
}
