import FloeContract
import FloeSQL

/// The plan's relations by name, for the analysis: seeds, synthetic tables, sources and built
/// models, each keyed by its node's unique id, with the columns known so far. A model's columns
/// become known (and complete) once its own SELECT has been analysed, so models are added in
/// the plan's order, which puts every model after what it reads. Filled while the plan is
/// analysed, on one thread; only read after (hence unchecked).
final class PlanLineageCatalog: LineageCatalog, @unchecked Sendable {
    private var byQualifiedName: [String: CatalogRelation] = [:]
    private var byName: [String: [CatalogRelation]] = [:]
    /// The schema an unqualified name is looked for first (the namespace).
    private let defaultSchema: String

    init(plan: CompiledArtifacts) {
        defaultSchema = plan.environment.namespace.lowercased()
        for table in plan.synthetic {
            add(Relation(schema: plan.environment.namespace, name: table.name), CatalogRelation(key: table.uniqueID, columns: table.columns.map(\.name), complete: true))
        }
        for seed in plan.seeds {
            add(seed.relation, CatalogRelation(key: seed.uniqueID, columns: seed.columns.map(\.name), complete: true))
        }
        for source in plan.sources where byQualifiedName[Self.key(source.relation)] == nil {
            // Documented columns of a source are not necessarily all of them.
            add(source.relation, CatalogRelation(key: source.uniqueID, columns: source.columns.map(\.name), complete: false))
        }
    }

    func add(_ relation: Relation, _ entry: CatalogRelation) {
        byQualifiedName[Self.key(relation)] = entry
        byName[relation.name.lowercased(), default: []].removeAll { $0.key == entry.key }
        byName[relation.name.lowercased(), default: []].append(entry)
        schemas[entry.key] = relation.schema.lowercased()
    }

    private var schemas: [String: String] = [:]

    static func key(_ relation: Relation) -> String { "\(relation.schema.lowercased()).\(relation.name.lowercased())" }

    func relation(named parts: [String]) -> CatalogRelation? {
        guard let name = parts.last?.lowercased() else { return nil }
        if parts.count >= 2 {
            return byQualifiedName["\(parts[parts.count - 2].lowercased()).\(name)"]
        }
        let candidates = byName[name] ?? []
        if candidates.count == 1 { return candidates[0] }
        return candidates.first { schemas[$0.key] == defaultSchema }
    }
}
