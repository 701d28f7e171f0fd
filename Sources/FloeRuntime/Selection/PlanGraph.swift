import FloeContract

/// Every node of a plan (seeds, sources, models, tests) with its parents and children, for
/// selection and scheduling. Built once per run from the plan alone.
struct PlanGraph {
    enum ResourceType: String {
        case seed, source, model, test
    }

    struct Node {
        var uniqueID: String
        var name: String
        var type: ResourceType
        var tags: [String]
        /// The file, relative to the directory of floe.yaml; nil for sources.
        var path: String?
        /// `source_name.table` for sources.
        var sourceName: String?
        var materialized: Materialization?
        var parents: [String]
    }

    /// In plan order: seeds, sources, models (topological), tests.
    let nodes: [Node]
    let byID: [String: Node]
    let children: [String: [String]]
    /// The transform roots (`dbt`), so `path:models/staging` works as it does in dbt.
    let projectRoots: [String]

    init(_ plan: CompiledArtifacts) {
        var nodes: [Node] = []
        nodes += plan.seeds.map {
            Node(uniqueID: $0.uniqueID, name: $0.name, type: .seed, tags: $0.tags, path: $0.path, parents: [])
        }
        nodes += plan.sources.map {
            Node(uniqueID: $0.uniqueID, name: $0.name, type: .source, tags: [], sourceName: "\($0.sourceName).\($0.name)", parents: [])
        }
        nodes += plan.models.map {
            Node(uniqueID: $0.uniqueID, name: $0.name, type: .model, tags: $0.tags, path: $0.path,
                 materialized: $0.materialized, parents: $0.dependsOn)
        }
        nodes += plan.tests.map {
            Node(uniqueID: $0.uniqueID, name: $0.name, type: .test, tags: $0.tags, parents: $0.dependsOn)
        }
        self.nodes = nodes
        byID = Dictionary(nodes.map { ($0.uniqueID, $0) }, uniquingKeysWith: { first, _ in first })
        var children: [String: [String]] = [:]
        for node in nodes {
            for parent in node.parents { children[parent, default: []].append(node.uniqueID) }
        }
        self.children = children
        projectRoots = plan.transforms.map { $0.path.hasSuffix("/") ? $0.path : $0.path + "/" }
    }

    /// Ancestors (or descendants) of `id` up to `depth` edges away (nil = all), not including `id`.
    func reachable(from id: String, upward: Bool, depth: Int?) -> Set<String> {
        var found: Set<String> = []
        var frontier = [id]
        var level = 0
        while !frontier.isEmpty, depth.map({ level < $0 }) ?? true {
            level += 1
            var next: [String] = []
            for current in frontier {
                let neighbours = upward ? (byID[current]?.parents ?? []) : (children[current] ?? [])
                for neighbour in neighbours where found.insert(neighbour).inserted { next.append(neighbour) }
            }
            frontier = next
        }
        return found
    }
}
