import FloeCompiler
import FloeContract

/// `semantic_manifest.json`: a dbt project's semantic layer as MetricFlow and the tools on its
/// `dbt-semantic-interfaces` read it (semantic models with their tables, metrics, saved queries
/// and the project configuration). Written by `floe compile` beside `manifest.json` when the
/// project defines a semantic layer.
public enum SemanticManifest {
    /// The dbt-semantic-interfaces version whose document this is shaped after.
    static let interfacesVersion: (major: Int, minor: Int, patch: Int) = (0, 10, 5)

    /// Nil when the project defines no semantic model, metric or saved query.
    public static func data(_ plan: CompiledArtifacts, project: DbtProjectDescription) -> [UInt8]? {
        guard !project.semantic.isEmpty else { return nil }
        let builder = Builder(plan: plan, projectDirectory: ".")
        let documents = SemanticDocuments(definitions: project.semantic, models: plan.models, package: builder.rootPackage,
                                          database: builder.database)
        let metrics = documents.metrics
        let byName = Dictionary(metrics.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let document: JSONDocument = [
            "semantic_models": .array(project.semantic.models.map { .object(documents.semanticModel($0)) }),
            "metrics": .array(metrics.map { .object(documents.metric($0, among: byName)) }),
            "saved_queries": .array(project.semantic.savedQueries.map { .object(documents.savedQuery($0)) }),
            "project_configuration": [
                "time_spine_table_configurations": [], "metadata": .null, "time_spines": [],
                "dsi_package_version": ["major_version": .string(String(interfacesVersion.major)),
                                        "minor_version": .string(String(interfacesVersion.minor)),
                                        "patch_version": .string(String(interfacesVersion.patch))],
            ],
        ]
        var output: [UInt8] = []
        JSONBytes.write(document, into: &output)
        return output
    }
}
