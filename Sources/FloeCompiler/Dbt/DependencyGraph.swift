import FloeCore

/// Nodes by number with located edges to what they depend on: the topological order, or the
/// first cycle found. Deterministic: nodes and edges are visited in the order of their keys.
struct DependencyGraph {
    struct Edge {
        var to: Int
        var location: SourceLocation
    }

    /// A cycle as its edges: `from` depends on `edge.to`, and the last edge leads back to the first `from`.
    typealias Cycle = [(from: Int, edge: Edge)]

    var edges: [[Edge]]
    /// Sort keys (unique ids), so the order does not depend on how nodes were numbered.
    var keys: [String]

    init(keys: [String]) {
        self.keys = keys
        edges = Array(repeating: [], count: keys.count)
    }

    mutating func addEdge(from: Int, to: Int, at location: SourceLocation) {
        edges[from].append(Edge(to: to, location: location))
    }

    /// Every node after all it depends on; or the cycles that prevent it (at most one per strongly
    /// connected group, each as the path the search walked).
    ///
    /// The keys are compared once, to rank the nodes; the search then works on the ranks and on
    /// each node's edges as positions in one flat list, so it copies no edge (nor the location in it).
    func topologicalOrder() -> (order: [Int], cycles: [Cycle]) {
        let byKey = keys.indices.sorted { keys[$0] < keys[$1] }
        var rank = [Int](repeating: 0, count: keys.count)
        for (position, node) in byKey.enumerated() { rank[node] = position }
        // Node n's edges, in the order of their targets' keys, are `edgeOf[starts[n]..<starts[n + 1]]`
        // (positions in `edges[n]`).
        var starts = [Int](repeating: 0, count: keys.count + 1)
        var edgeOf: [Int] = []
        edgeOf.reserveCapacity(edges.reduce(0) { $0 + $1.count })
        for node in keys.indices {
            let first = edgeOf.count
            edgeOf.append(contentsOf: edges[node].indices)
            if edges[node].count > 1 {
                edgeOf[first...].sort { rank[edges[node][$0].to] < rank[edges[node][$1].to] }
            }
            starts[node + 1] = edgeOf.count
        }
        enum Mark { case unvisited, active, done }
        var marks = Array(repeating: Mark.unvisited, count: keys.count)
        var order: [Int] = []
        order.reserveCapacity(keys.count)
        var cycles: [Cycle] = []
        // Iterative depth-first search: a chain of 10,000 models must not overflow the stack.
        // `next` is the position in `edgeOf` of the node's next edge to follow.
        var stack: [(node: Int, next: Int)] = []
        for start in byKey where marks[start] == .unvisited {
            stack.append((start, starts[start]))
            marks[start] = .active
            while let top = stack.last {
                guard top.next < starts[top.node + 1] else {
                    marks[top.node] = .done
                    order.append(top.node)
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let to = edges[top.node][edgeOf[top.next]].to
                switch marks[to] {
                case .unvisited:
                    marks[to] = .active
                    stack.append((to, starts[to]))
                case .active:
                    let startIndex = stack.firstIndex { $0.node == to }!
                    var cycle: Cycle = []
                    for index in startIndex..<stack.count {
                        let from = stack[index].node
                        cycle.append((from, edges[from][edgeOf[stack[index].next - 1]]))
                    }
                    cycles.append(cycle)
                case .done:
                    break
                }
            }
        }
        return (order, cycles)
    }
}
