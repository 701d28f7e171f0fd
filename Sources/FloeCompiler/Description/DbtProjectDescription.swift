/// What a dbt project defines that the plan does not carry, because nothing runs it: its macros,
/// its docs blocks and its semantic layer as written. `floe compile` hands it, beside the plan, to
/// the writers of dbt's artifacts (`manifest.json`, `semantic_manifest.json`) and of the docs site.
public struct DbtProjectDescription: Sendable {
    /// The root project's name (the first dbt transform's).
    public var projectName: String?
    public var macros: [Macro] = []
    public var docs: [DocsBlock] = []
    public var semantic = DbtSemanticDefinitions()

    public init() {}

    /// A `{% macro %}` or `{% test %}` block of a macro file (a test block named `test_<name>`,
    /// as dbt registers it).
    public struct Macro: Sendable {
        /// `macro.<package>.<name>`.
        public var uniqueID: String
        public var name: String
        public var package: String
        /// Relative to its dbt project: `macros/cents_to_dollars.sql`.
        public var originalFilePath: String
        /// The whole block, from its opening tag to its end tag.
        public var sql: String
        public var arguments: [String]
    }

    /// A `{% docs %}` block of a markdown file.
    public struct DocsBlock: Sendable {
        /// `doc.<package>.<name>`.
        public var uniqueID: String
        public var name: String
        public var package: String
        public var originalFilePath: String
        public var text: String
    }

    mutating func append(_ other: DbtProjectDescription) {
        if projectName == nil { projectName = other.projectName }
        macros += other.macros
        docs += other.docs
        semantic.models += other.semantic.models
        semantic.metrics += other.semantic.metrics
        semantic.savedQueries += other.semantic.savedQueries
    }
}
