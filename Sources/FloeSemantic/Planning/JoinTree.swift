import FloeContract

/// The cubes a query reaches, joined as a tree along the joins the cubes declare (a join is
/// followed only in the direction it is written, as in Cube), with which cubes' rows the joins
/// repeat.
struct JoinTree {
    struct Edge {
        let parent: String
        let child: String
        let join: CubeJoin
    }

    let root: String
    /// In the order the joins are written into FROM: each edge's parent comes earlier.
    let edges: [Edge]
    /// Cubes whose rows the tree repeats: measures over them must be de-duplicated.
    let multiplied: Set<String>

    /// The tree rooted at the first of `candidates` from which every cube of `needed` is
    /// reachable, each by its shortest path (ties: the joins' written order).
    init(needed: [String], candidates: [String], catalog: SemanticCatalog) throws(SemanticError) {
        let neededSet = Set(needed)
        for candidate in candidates {
            guard let tree = Self.paths(from: candidate, catalog: catalog) else { continue }
            guard neededSet.isSubset(of: Set(tree.keys).union([candidate])) else { continue }
            // Keep only the edges on the paths to needed cubes.
            var kept: Set<String> = []
            for cube in needed where cube != candidate {
                var current = cube
                while current != candidate, let edge = tree[current], kept.insert(current).inserted { current = edge.parent }
            }
            let order = Self.breadthFirst(from: candidate, catalog: catalog)
            let edges = order.filter { kept.contains($0) }.compactMap { tree[$0] }
            root = candidate
            self.edges = edges
            multiplied = Self.multiplied(root: candidate, edges: edges)
            return
        }
        let list = needed.sorted().joined(separator: ", ")
        throw .badQuery("cannot join \(list): no cube among them reaches all the others through the joins the cubes declare; add a join or query them apart")
    }

    /// The edge that reaches each cube first, breadth-first from `root`.
    private static func paths(from root: String, catalog: SemanticCatalog) -> [String: Edge]? {
        guard catalog.cube(named: root) != nil else { return nil }
        var reached: [String: Edge] = [:]
        var queue = [root]
        var seen: Set<String> = [root]
        while !queue.isEmpty {
            let current = queue.removeFirst()
            for join in catalog.cube(named: current)?.joins ?? [] where catalog.cube(named: join.name) != nil {
                guard seen.insert(join.name).inserted else { continue }
                reached[join.name] = Edge(parent: current, child: join.name, join: join)
                queue.append(join.name)
            }
        }
        return reached
    }

    private static func breadthFirst(from root: String, catalog: SemanticCatalog) -> [String] {
        var order: [String] = []
        var queue = [root]
        var seen: Set<String> = [root]
        while !queue.isEmpty {
            let current = queue.removeFirst()
            order.append(current)
            for join in catalog.cube(named: current)?.joins ?? [] where seen.insert(join.name).inserted { queue.append(join.name) }
        }
        return order
    }

    /// A one_to_many edge repeats every row outside the child's subtree; a many_to_one edge
    /// repeats the rows of the child's subtree; one_to_one repeats nothing.
    private static func multiplied(root: String, edges: [Edge]) -> Set<String> {
        var children: [String: [String]] = [:]
        for edge in edges { children[edge.parent, default: []].append(edge.child) }
        func subtree(_ cube: String) -> Set<String> {
            var all: Set<String> = [cube]
            for child in children[cube] ?? [] { all.formUnion(subtree(child)) }
            return all
        }
        let everything = subtree(root)
        var result: Set<String> = []
        for edge in edges {
            switch edge.join.relationship {
            case "one_to_many": result.formUnion(everything.subtracting(subtree(edge.child)))
            case "many_to_one": result.formUnion(subtree(edge.child))
            default: break
            }
        }
        return result
    }
}
