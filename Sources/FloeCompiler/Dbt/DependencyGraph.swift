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
    func topologicalOrder() -> (order: [Int], cycles: [Cycle]) {
        enum Mark { case unvisited, active, done }
        var marks = Array(repeating: Mark.unvisited, count: keys.count)
        var order: [Int] = []
        order.reserveCapacity(keys.count)
        var cycles: [Cycle] = []
        let sortedEdges = edges.map { $0.sorted { keys[$0.to] < keys[$1.to] } }
        // Iterative depth-first search: a chain of 10,000 models must not overflow the stack.
        var stack: [(node: Int, next: Int)] = []
        for start in keys.indices.sorted(by: { keys[$0] < keys[$1] }) where marks[start] == .unvisited {
            stack.append((start, 0))
            marks[start] = .active
            while let top = stack.last {
                let outgoing = sortedEdges[top.node]
                if top.next < outgoing.count {
                    stack[stack.count - 1].next += 1
                    let edge = outgoing[top.next]
                    switch marks[edge.to] {
                    case .unvisited:
                        marks[edge.to] = .active
                        stack.append((edge.to, 0))
                    case .active:
                        let startIndex = stack.firstIndex { $0.node == edge.to }!
                        var cycle: Cycle = []
                        for index in startIndex..<stack.count {
                            let from = stack[index].node
                            let taken = index + 1 < stack.count
                                ? sortedEdges[from][stack[index].next - 1]
                                : edge
                            cycle.append((from, taken))
                        }
                        cycles.append(cycle)
                    case .done:
                        break
                    }
                } else {
                    marks[top.node] = .done
                    order.append(top.node)
                    stack.removeLast()
                }
            }
        }
        return (order, cycles)
    }
}
