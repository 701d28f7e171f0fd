import Crypto
import FloeCore

/// The one recipe of a model's fingerprint, which `floe compile` writes into the plan and `floe
/// apply` recomputes from the plan (refusing a plan edited by hand) and compares to decide "up to
/// date" (docs/contract.md, "Fingerprints"). SHA-256 over, in order:
///
/// 1. the SQL and the incremental SQL, each ended by a NUL;
/// 2. the materialization, incremental strategy, unique key (`,`-joined), on_schema_change, pre-
///    and post-hooks (`;`-joined), each ended by a NUL; the indexes when there are any, and the
///    microbatch config and the contract when there are, each ended by a NUL; the relation (`schema.name`);
/// 3. for each node in `depends_on`, in that order, a NUL and `id=fingerprint`, where a seed's
///    fingerprint is its file hash followed by its column types and a source's is its relation.
///
/// The recipe gives the bytes; the callers hash them (the compiler feeds the SQL part on whichever
/// core finished the SQL, the rest once the upstream fingerprints are known).
public enum ModelFingerprintRecipe {
    /// Part 1: hands the bytes to `feed`, piece by piece, without copying the SQL.
    public static func feedSQL(_ sql: String, _ incrementalSQL: String?, _ feed: (UnsafeRawBufferPointer) -> Void) {
        for part in [sql, incrementalSQL ?? ""] {
            var part = part
            part.withUTF8 { feed(UnsafeRawBufferPointer($0)) }
            withUnsafeBytes(of: UInt8(0)) { feed($0) }
        }
    }

    /// Part 2, from the fields of the plan's model.
    public static func appendConfig(of model: CompiledModel, to bytes: inout [UInt8]) {
        for part in [model.materialized.rawValue, model.incrementalStrategy?.rawValue ?? "", model.uniqueKey.joined(separator: ","),
                     model.onSchemaChange ?? "", model.preHooks.joined(separator: ";"), model.postHooks.joined(separator: ";")] {
            bytes.append(contentsOf: part.utf8)
            bytes.append(0)
        }
        if let indexes = model.indexes {
            bytes.append(contentsOf: ModelIndex.fingerprintPart(indexes).utf8)
            bytes.append(0)
        }
        if let microbatch = model.microbatch {
            bytes.append(contentsOf: microbatch.fingerprintPart.utf8)
            bytes.append(0)
        }
        if let contract = model.contract {
            bytes.append(contentsOf: contract.fingerprintPart.utf8)
            bytes.append(0)
        }
        bytes.append(contentsOf: model.relation.schema.utf8)
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: model.relation.name.utf8)
    }

    /// Part 3, for one upstream node.
    public static func appendUpstream(_ uniqueID: String, fingerprint: String, to bytes: inout [UInt8]) {
        bytes.append(0)
        bytes.append(contentsOf: uniqueID.utf8)
        bytes.append(UInt8(ascii: "="))
        bytes.append(contentsOf: fingerprint.utf8)
    }

    /// What part 3 takes for a seed: its file hash, then its column types.
    public static func fingerprint(of seed: CompiledSeed) -> String {
        seed.sha256 + seed.columns.map { $0.type ?? "" }.joined()
    }

    /// What part 3 takes for a source table: its relation.
    public static func fingerprint(of source: CompiledSource) -> String {
        source.relation.description
    }

    /// unique_id → what part 3 takes for it, for every seed, source and model of `plan`.
    public static func upstreamFingerprints(of plan: CompiledArtifacts) -> [String: String] {
        var result: [String: String] = [:]
        for seed in plan.seeds { result[seed.uniqueID] = fingerprint(of: seed) }
        for source in plan.sources { result[source.uniqueID] = fingerprint(of: source) }
        for model in plan.models { result[model.uniqueID] = model.fingerprint }
        return result
    }

    /// A model rendered at apply time gets a fingerprint that also covers what was rendered (the
    /// same template can render other SQL as the data it reads changes): SHA-256 over its plan
    /// fingerprint, the SQL and the incremental SQL, each ended by a NUL.
    /// Pre-hooks rendered at apply time (since 2.2) follow, each ended by a NUL; post-hooks
    /// rendered at apply time are rendered after the build, so no fingerprint covers what they
    /// render (their templates are in the plan fingerprint).
    public static func feedRendered(planFingerprint: String, sql: String, incrementalSQL: String?, hooks: [String] = [],
                                    _ feed: (UnsafeRawBufferPointer) -> Void) {
        for part in [planFingerprint, sql, incrementalSQL ?? ""] + hooks {
            var part = part
            part.withUTF8 { feed(UnsafeRawBufferPointer($0)) }
            withUnsafeBytes(of: UInt8(0)) { feed($0) }
        }
    }

    /// A model's fingerprint from the plan alone (`upstream` gives part 3's fingerprint of each
    /// node in `depends_on`), as `floe apply` checks it.
    public static func fingerprint(of model: CompiledModel, upstream: (String) -> String?) -> String {
        var hasher = SHA256()
        feedSQL(model.sql, model.incrementalSQL) { hasher.update(bufferPointer: $0) }
        var rest: [UInt8] = []
        appendConfig(of: model, to: &rest)
        for dependency in model.dependsOn {
            appendUpstream(dependency, fingerprint: upstream(dependency) ?? "", to: &rest)
        }
        rest.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Hex.string(hasher.finalize())
    }
}
