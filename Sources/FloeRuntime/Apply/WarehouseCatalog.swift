import FloeConnect
import FloeContract
import FloeEngine

/// What the warehouse holds for a plan's nodes, read from the engine itself: for `floe docs
/// generate`'s catalog (dbt's `catalog.json`) and the docs site. Each built model, snapshot and
/// seed and each source: whether it is a table or a view, its columns with the engine's types, and
/// its row count. A relation not built yet is listed as missing, not an error.
public enum WarehouseCatalog {
    public struct Entry: Sendable {
        public var uniqueID: String
        public var relation: Relation
        public var kind: RelationKind
        public var columns: [ColumnSpec]
        /// Nil when counting failed (the reason is in ``Catalog/errors``).
        public var rowCount: Int?
        public var isSource: Bool
    }

    public struct Catalog: Sendable {
        public var entries: [Entry] = []
        /// Nodes whose relation does not exist (not built yet).
        public var missing: [String] = []
        public var errors: [String] = []

        public init() {}
    }

    public static func read(_ plan: CompiledArtifacts, projectDirectory: String, environment: [String: String]) throws(ExecutorError) -> Catalog {
        var wanted: [(id: String, relation: Relation, source: Bool)] = []
        for model in plan.models where model.materialized != .ephemeral { wanted.append((model.uniqueID, model.relation, false)) }
        for seed in plan.seeds { wanted.append((seed.uniqueID, seed.relation, false)) }
        for source in plan.sources { wanted.append((source.uniqueID, source.relation, true)) }
        return try RelationPreview.withConnection(plan, projectDirectory: projectDirectory, environment: environment) { engine, connection in
            var catalog = Catalog()
            for (id, relation, isSource) in wanted {
                guard let kind = try connection.relationKind(relation) else {
                    catalog.missing.append(id)
                    continue
                }
                let columns = try connection.columns(of: relation)
                var rows: Int?
                do {
                    rows = try connection.count("select count(*) from \(engine.dialect.relation(relation))")
                } catch {
                    catalog.errors.append("\(id): cannot count the rows of \(relation.description): \(error)")
                }
                catalog.entries.append(Entry(uniqueID: id, relation: relation, kind: kind, columns: columns, rowCount: rows, isSource: isSource))
            }
            return catalog
        }
    }
}
