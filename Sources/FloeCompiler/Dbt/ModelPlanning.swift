import Crypto
import FloeContract
import FloeTemplates

/// Makes a model's plan node from its finished SQL and everything else known about it, and feeds
/// the node's own part of its fingerprint to the hash. Runs on any core: it reads only its inputs.
enum ModelPlanning {
    /// A model's plan node but for its SQL, its dependencies and its fingerprint.
    struct Node {
        var uniqueID: String
        var name: String
        var path: String
        var materialized: Materialization
        var relation: Relation
        var uniqueKey: [String]
        var incrementalStrategy: IncrementalStrategy?
        /// As configured; the plan holds `ignore` for an incremental model that sets none.
        var onSchemaChange: String?
        var tags: [String]
        var preHooks: [String]
        var postHooks: [String]
        var columns: [ColumnSpec]
        var description: String?
        var indexes: [ModelIndex]
        /// Its template queries the database: rendered at apply time.
        var renderAtApply = false
        /// A snapshot's strategy; nil for every other model.
        var snapshot: DbtSnapshotConfig?
        var microbatch: MicrobatchConfig?
        /// An enforced contract; nil for every other model.
        var contract: ModelContract?
    }

    /// A plan node whose fingerprint is still empty, the hash that will make it, and the slots of
    /// its dependencies (in the order of its `dependsOn`).
    struct Planned: @unchecked Sendable {
        var model: CompiledModel
        var fingerprint: SHA256
        var dependsOnSlots: [SlotID]
    }

    /// The plan node, and its fingerprint's hash fed with all but the upstream part
    /// (``ModelFingerprintRecipe``: the finisher fed the SQL).
    static func plan(_ node: Node, _ finished: consuming ModelFinisher.Finished) -> Planned {
        let incremental = node.materialized == .incremental
        let keyed = incremental || node.materialized == .snapshot
        let model = CompiledModel(
            uniqueID: node.uniqueID, name: node.name, path: node.path, materialized: node.materialized,
            relation: node.relation, sql: finished.sql, incrementalSQL: finished.incrementalSQL,
            uniqueKey: keyed ? node.uniqueKey : [], incrementalStrategy: node.incrementalStrategy,
            onSchemaChange: incremental ? (node.onSchemaChange ?? "ignore") : nil, dependsOn: finished.dependsOn,
            tags: node.tags, preHooks: node.preHooks, postHooks: node.postHooks, columns: node.columns,
            description: node.description, indexes: node.indexes.isEmpty ? nil : node.indexes, fingerprint: "",
            renderAtApply: node.renderAtApply ? true : nil, snapshot: node.snapshot, microbatch: node.microbatch,
            contract: node.contract)
        var own: [UInt8] = []
        own.reserveCapacity(256)
        ModelFingerprintRecipe.appendConfig(of: model, to: &own)
        var hasher = finished.fingerprintStart
        own.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Planned(model: model, fingerprint: hasher, dependsOnSlots: finished.dependsOnSlots)
    }
}
