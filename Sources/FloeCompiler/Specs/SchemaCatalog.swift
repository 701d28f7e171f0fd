import FloeContract

/// The JSON Schemas floe ships in `schemas/` and writes with `floe schema`.
public enum SchemaCatalog {
    /// File name → schema document.
    public static func all() -> [(file: String, schema: JSONDocument)] {
        [
            ("platform.schema.json", JSONSchemaWriter.document(
                id: "https://floe.dev/schemas/platform.schema.json", title: "floe platform.yaml",
                description: "Infrastructure for floe data products: compute, storage and catalog profiles, "
                    + "observability and environments. Credentials only as secret references.",
                root: .object(PlatformShape.root))),
            ("floe.schema.json", JSONSchemaWriter.document(
                id: "https://floe.dev/schemas/floe.schema.json", title: "floe floe.yaml",
                description: "A floe data product: logical profile names, transforms, synthetic data, "
                    + "semantic model. Holds no credentials or endpoints.",
                root: .object(FloeShape.root))),
            ("artifacts.schema.json", JSONSchemaWriter.document(
                id: "https://floe.dev/schemas/artifacts.schema.json",
                title: "floe plan (artifacts.json), contract \(CompiledArtifacts.currentVersion)",
                description: "The secret-free plan floe compile writes and floe apply runs.",
                root: .object(ArtifactsShape.root))),
        ]
    }
}
