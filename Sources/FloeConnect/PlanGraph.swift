import FloeContract

/// Every node of a plan (synthetic tables, seeds, sources, models, tests) with its parents and
/// children, for selection and scheduling. Built once per run from the plan alone.
///
/// A source whose relation is a seed's or a synthetic table's (jaffle-shop reads its seeds through
/// `source()`) has that node as its parent, so what reads the source runs after it is loaded.
package struct PlanGraph {
    package enum ResourceType: String, CaseIterable {
        case synthetic, seed, source, model, snapshot, test
        /// Read only for lineage and selection: nothing is built for an exposure or an analysis.
        case exposure, analysis
    }

    package struct Node {
        package var uniqueID: String
        package var name: String
        package var type: ResourceType
        package var tags: [String]
        /// The file, relative to the directory of floe.yaml; nil for sources.
        package var path: String?
        /// `source_name.table` for sources.
        package var sourceName: String?
        package var materialized: Materialization?
        package var parents: [String]
        /// Tests: `singular` for a SQL file in the test paths, else the generic test's name
        /// (`not_null`, `unique`, …).
        package var testName: String?
    }

    /// In plan order: synthetic tables, seeds, sources, models (topological), tests.
    package let nodes: [Node]
    package let byID: [String: Node]
    package let children: [String: [String]]
    /// The transform roots (`dbt`), so `path:models/staging` works as it does in dbt.
    package let projectRoots: [String]

    package init(_ plan: CompiledArtifacts) {
        var nodes: [Node] = []
        var loaded: [Relation: String] = [:]
        for table in plan.synthetic {
            nodes.append(Node(uniqueID: table.uniqueID, name: table.name, type: .synthetic, tags: [], parents: []))
            loaded[table.relation(in: plan.environment.namespace)] = table.uniqueID
        }
        for seed in plan.seeds {
            nodes.append(Node(uniqueID: seed.uniqueID, name: seed.name, type: .seed, tags: seed.tags, path: seed.path, parents: []))
            loaded[seed.relation] = loaded[seed.relation] ?? seed.uniqueID
        }
        nodes += plan.sources.map {
            Node(uniqueID: $0.uniqueID, name: $0.name, type: .source, tags: [], sourceName: "\($0.sourceName).\($0.name)",
                 parents: loaded[$0.relation].map { [$0] } ?? [])
        }
        nodes += plan.models.map {
            Node(uniqueID: $0.uniqueID, name: $0.name, type: $0.materialized == .snapshot ? .snapshot : .model, tags: $0.tags, path: $0.path,
                 materialized: $0.materialized, parents: $0.dependsOn)
        }
        nodes += plan.tests.map {
            Node(uniqueID: $0.uniqueID, name: $0.name, type: .test, tags: $0.tags, parents: $0.dependsOn, testName: $0.testName)
        }
        nodes += (plan.analyses ?? []).map {
            Node(uniqueID: $0.uniqueID, name: $0.name, type: .analysis, tags: [], path: $0.path, parents: $0.dependsOn)
        }
        nodes += (plan.exposures ?? []).map {
            Node(uniqueID: $0.uniqueID, name: $0.name, type: .exposure, tags: [], path: $0.path, parents: $0.dependsOn)
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

    /// What building `id` reads: its parents, with an ephemeral model replaced by what it reads
    /// (it is inlined) and a source backed by a seed or synthetic table replaced by that node.
    /// External sources stay. Each once, in the order first met.
    package func inputs(of id: String) -> [String] {
        var result: [String] = []
        var seen: Set<String> = []
        var stack = Array((byID[id]?.parents ?? []).reversed())
        while let parent = stack.popLast() {
            guard seen.insert(parent).inserted, let node = byID[parent] else { continue }
            if node.materialized == .ephemeral || (node.type == .source && !node.parents.isEmpty) {
                stack.append(contentsOf: node.parents.reversed())
            } else {
                result.append(parent)
            }
        }
        return result
    }

    /// Ancestors (or descendants) of `id` up to `depth` edges away (nil = all), not including `id`.
    package func reachable(from id: String, upward: Bool, depth: Int?) -> Set<String> {
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

extension SyntheticTable {
    /// Synthetic tables are loaded into the namespace's schema.
    public func relation(in namespace: String) -> Relation { Relation(schema: namespace, name: name) }
}
