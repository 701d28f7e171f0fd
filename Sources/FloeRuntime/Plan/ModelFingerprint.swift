import Crypto
import FloeContract
import Foundation
import FloeCore

/// A model's fingerprint recomputed from the plan alone, exactly as `floe compile` computes it
/// (docs/contract.md, "Fingerprints"): SHA-256 over the SQL, the incremental SQL, the
/// materialization, strategy, unique key, on_schema_change, pre- and post-hooks, each ended by a
/// NUL; the indexes, when there are any, ended by a NUL; the relation; then `NUL id=fingerprint`
/// for each node in `depends_on`, in that order. An upstream seed's fingerprint is its file hash
/// followed by its column types; a source's is its relation.
enum ModelFingerprint {
    static func compute(_ model: CompiledModel, upstream: (String) -> String?) -> String {
        var hasher = SHA256()
        func feed(_ text: String) { hasher.update(data: Data(text.utf8)) }
        for part in [model.sql, model.incrementalSQL ?? "", model.materialized.rawValue, model.incrementalStrategy ?? "",
                     model.uniqueKey.joined(separator: ","), model.onSchemaChange ?? "",
                     model.preHooks.joined(separator: ";"), model.postHooks.joined(separator: ";")] {
            feed(part)
            feed("\u{0}")
        }
        if let indexes = model.indexes {
            feed(ModelIndex.fingerprintPart(indexes))
            feed("\u{0}")
        }
        if let microbatch = model.microbatch {
            feed(microbatch.fingerprintPart)
            feed("\u{0}")
        }
        feed("\(model.relation.schema).\(model.relation.name)")
        for dependency in model.dependsOn {
            feed("\u{0}\(dependency)=\(upstream(dependency) ?? "")")
        }
        return Hex.string(hasher.finalize())
    }

    /// unique_id → the fingerprint a model's hash takes for it, for every seed, source and model.
    static func upstreamFingerprints(of plan: CompiledArtifacts) -> [String: String] {
        var result: [String: String] = [:]
        for seed in plan.seeds { result[seed.uniqueID] = seed.sha256 + seed.columns.map { $0.type ?? "" }.joined() }
        for source in plan.sources { result[source.uniqueID] = source.relation.description }
        for model in plan.models { result[model.uniqueID] = model.fingerprint }
        return result
    }
}
