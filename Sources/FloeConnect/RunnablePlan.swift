import FloeContract

/// A plan as apply runs it: the plan as compiled, and the same plan with the nodes its cubes'
/// rollups add as table models (built after the models they read, selected, fingerprinted and
/// recorded like models). The semantic layer derives them (`RunnablePlan(withRollupsOf:)` in
/// FloeSemantic), so the runtime builds rollups without knowing how a cube query becomes SQL.
public struct RunnablePlan: Sendable {
    /// The plan as compiled (artifacts.json).
    public let declared: CompiledArtifacts
    /// `declared` with the rollups' models appended.
    public let plan: CompiledArtifacts
    /// The rollups kept in partitions, by their model's unique id.
    public let partitions: [String: RollupPartitioning]
    /// Why the rollups could not be derived, when they could not: a run that would build them fails.
    public let rollupFailure: String?

    public init(declared: CompiledArtifacts, plan: CompiledArtifacts, partitions: [String: RollupPartitioning], rollupFailure: String?) {
        self.declared = declared
        self.plan = plan
        self.partitions = partitions
        self.rollupFailure = rollupFailure
    }
}
