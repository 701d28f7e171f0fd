import FloeConnect
import FloeContract
import FloeEngine
import Foundation

/// An OpenLineage dataset's identity: the engine's namespace (`postgres://host:5432`) and the
/// relation's name in it.
struct DatasetName: Hashable, Sendable {
    var namespace: String
    var name: String
}

/// What each node of a plan reads and writes, as OpenLineage datasets named by the engine's
/// adapter (its naming spec), with the columns the plan knows for each.
struct LineageDatasets: Sendable {
    let namespace: String
    private let names: [String: DatasetName]
    private let declaredColumns: [String: [ColumnSpec]]
    private let inputs: [String: [String]]

    init(plan: CompiledArtifacts, projectDirectory: String, registry: EngineRegistry = EngineAdapters.registry) {
        let compute = plan.profiles.compute
        let adapter = registry.adapter(for: compute.type)
        let namespace = adapter?.lineageNamespace(settings: compute.settings, plan: plan, projectDirectory: projectDirectory)
            ?? "\(compute.type)://"
        self.namespace = namespace
        let name = { (relation: Relation) -> DatasetName in
            DatasetName(namespace: namespace, name: adapter?.lineageName(of: relation, settings: compute.settings) ?? relation.description)
        }
        var names: [String: DatasetName] = [:]
        var columns: [String: [ColumnSpec]] = [:]
        for table in plan.synthetic {
            names[table.uniqueID] = name(table.relation(in: plan.environment.namespace))
            columns[table.uniqueID] = table.columns.map { ColumnSpec(name: $0.name) }
        }
        for seed in plan.seeds {
            names[seed.uniqueID] = name(seed.relation)
            columns[seed.uniqueID] = seed.columns
        }
        for source in plan.sources {
            names[source.uniqueID] = name(source.relation)
            columns[source.uniqueID] = source.columns
        }
        for model in plan.models where model.materialized != .ephemeral {
            names[model.uniqueID] = name(model.relation)
            columns[model.uniqueID] = model.columns
        }
        self.names = names
        declaredColumns = columns
        let graph = PlanGraph(plan)
        inputs = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.uniqueID, graph.inputs(of: $0.uniqueID)) })
    }

    /// The dataset a node builds or is (nil for tests and ephemeral models).
    func dataset(of id: String) -> DatasetName? { names[id] }

    /// The datasets a node reads, each once.
    func inputs(of id: String) -> [(id: String, dataset: DatasetName)] {
        (inputs[id] ?? []).compactMap { input in names[input].map { (input, $0) } }
    }

    /// The columns the plan declares for a node (its properties, a seed's header).
    func columns(of id: String) -> [ColumnSpec] { declaredColumns[id] ?? [] }
}
