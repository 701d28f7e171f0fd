import Crypto
import FloeContract
import Foundation
import FloeCore

/// A model's fingerprint recomputed from the plan alone, by the recipe `floe compile` follows
/// (``ModelFingerprintRecipe``).
enum ModelFingerprint {
    static func compute(_ model: CompiledModel, upstream: (String) -> String?) -> String {
        var hasher = SHA256()
        ModelFingerprintRecipe.feedSQL(model.sql, model.incrementalSQL) { hasher.update(bufferPointer: $0) }
        var rest: [UInt8] = []
        ModelFingerprintRecipe.appendConfig(of: model, to: &rest)
        for dependency in model.dependsOn {
            ModelFingerprintRecipe.appendUpstream(dependency, fingerprint: upstream(dependency) ?? "", to: &rest)
        }
        rest.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Hex.string(hasher.finalize())
    }

    /// unique_id → the fingerprint a model's hash takes for it, for every seed, source and model.
    static func upstreamFingerprints(of plan: CompiledArtifacts) -> [String: String] {
        ModelFingerprintRecipe.upstreamFingerprints(of: plan)
    }
}
