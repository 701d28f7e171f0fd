import FloeConnect
import FloeContract
import Foundation

/// The cubes' rollup pre-aggregations as table models of the plan's DAG, so `floe apply`
/// builds them after the models they read, with everything a model has: selection
/// (`--select tag:pre_aggregation`, `stg_orders+`), "up to date", the atomic swap, run results,
/// `floe show`. The executor derives them from the plan's cubes; the plan file does not list them.
public enum PreAggregationNodes {
    /// Every rollup model carries this tag.
    public static let tag = "pre_aggregation"

    /// `plan` with one table model per rollup appended (after every model, which they follow).
    public static func expanded(_ plan: CompiledArtifacts) throws(SemanticError) -> CompiledArtifacts {
        try derived(from: plan).plan
    }

    /// The expanded plan and the rollups it was expanded with, worked out once.
    public static func derived(from plan: CompiledArtifacts) throws(SemanticError) -> (plan: CompiledArtifacts, rollups: [RollupDefinition]) {
        let rollups = try RollupDefinition.all(in: plan)
        guard !rollups.isEmpty else { return (plan, []) }
        let cubes = Dictionary((plan.cubes ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let upstream = ModelFingerprintRecipe.upstreamFingerprints(of: plan)
        var expanded = plan
        for rollup in rollups {
            let cube = cubes[rollup.cube]
            let reads = Set(rollup.cubes.flatMap { cubes[$0]?.dependsOn ?? [] }).sorted()
            let folder = (cube?.path ?? "cubes").replacingOccurrences(of: ".yml", with: "").replacingOccurrences(of: ".yaml", with: "")
            var model = CompiledModel(
                uniqueID: uniqueID(rollup), name: rollup.relation.name, path: "\(folder)/\(rollup.name).sql", materialized: .table,
                relation: rollup.relation,
                // Partitioning is part of what a build does, so it is part of the fingerprint.
                sql: rollup.select + (rollup.partitioning.map { "\n-- floe: kept in \($0.granularity.rawValue) partitions" } ?? ""),
                dependsOn: reads, tags: [tag],
                description: "Rollup \(rollup.name) of cube \(rollup.cube)", fingerprint: "")
            model.fingerprint = ModelFingerprintRecipe.fingerprint(of: model, upstream: { upstream[$0] })
            expanded.models.append(model)
        }
        return (expanded, rollups)
    }

    /// The rollups kept in partitions, by the unique id of their model.
    public static func partitions(of rollups: [RollupDefinition]) -> [String: RollupPartitioning] {
        var found: [String: RollupPartitioning] = [:]
        for rollup in rollups {
            if let partitioning = rollup.partitioning { found[uniqueID(rollup)] = partitioning }
        }
        return found
    }

    /// `pre_aggregation.Cube.name`.
    public static func uniqueID(_ rollup: RollupDefinition) -> String { "pre_aggregation.\(rollup.key)" }
}

extension RunnablePlan {
    /// `plan` with its cubes' rollups as models (``PreAggregationNodes``), as apply runs it.
    public init(withRollupsOf plan: CompiledArtifacts) {
        do {
            let derived = try PreAggregationNodes.derived(from: plan)
            self.init(declared: plan, plan: derived.plan, partitions: PreAggregationNodes.partitions(of: derived.rollups), rollupFailure: nil)
        } catch {
            self.init(declared: plan, plan: plan, partitions: [:], rollupFailure: "cannot build the cubes' pre-aggregations: \(error.message)")
        }
    }
}
