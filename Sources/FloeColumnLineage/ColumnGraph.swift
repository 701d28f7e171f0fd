import FloeContract
import FloeSQL

/// The project's columns as a graph, walked from one column: upstream to the columns it derives
/// from, downstream to the columns derived from it, by direct edges; the edges that only decide
/// its rows (joins, filters, grouping) are listed for the column itself.
public struct ColumnGraph: Sendable {
    public typealias NodeColumn = ProjectColumnLineage.NodeColumn

    /// One step of a walk: how deep, the edge's kind, the column reached.
    public struct Step: Sendable, Equatable {
        public var depth: Int
        public var edge: String
        public var column: NodeColumn
        /// The column was reached before in this walk; its own inputs are not repeated.
        public var repeated: Bool
    }

    let lineage: ProjectColumnLineage
    /// Node id → the name people use (`stg_orders`, `raw.orders`, `Orders`).
    public let names: [String: String]
    private let ids: [String: String]
    private let readers: [NodeColumn: [(NodeColumn, LineageEdges)]]

    public init(plan: CompiledArtifacts, lineage: ProjectColumnLineage) {
        self.lineage = lineage
        var names: [String: String] = [:]
        for table in plan.synthetic { names[table.uniqueID] = table.name }
        for seed in plan.seeds { names[seed.uniqueID] = seed.name }
        for source in plan.sources { names[source.uniqueID] = "\(source.sourceName).\(source.name)" }
        for model in plan.models { names[model.uniqueID] = model.name }
        // A cube named as a model (jaffle-shop's semantic models are) is `cube:name`.
        let taken = Set(names.values)
        for cube in plan.cubes ?? [] {
            names[ProjectColumnLineage.cubeID(cube.name)] = taken.contains(cube.name) ? "cube:\(cube.name)" : cube.name
        }
        self.names = names
        var ids: [String: String] = [:]
        // Exact names first; a name in other case finds a node only when no node is called so.
        let sorted = names.sorted { $0.key < $1.key }
        for (id, name) in sorted where ids[name] == nil { ids[name] = id }
        for (id, name) in sorted where ids[name.lowercased()] == nil { ids[name.lowercased()] = id }
        self.ids = ids
        var readers: [NodeColumn: [(NodeColumn, LineageEdges)]] = [:]
        for (node, entry) in lineage.nodes.sorted(by: { $0.key < $1.key }) {
            for column in entry.columns {
                for (input, edges) in column.inputs.sorted(by: { $0.key < $1.key }) {
                    readers[NodeColumn(node: input.relation, column: input.column), default: []].append((NodeColumn(node: node, column: column.name), edges))
                }
            }
        }
        self.readers = readers
    }

    /// `stg_orders.amount`, `raw.orders.id`, `Orders.count`, or a unique id and a column.
    public func column(_ reference: String) -> NodeColumn? {
        guard let dot = reference.lastIndex(of: ".") else { return nil }
        let node = String(reference[..<dot]), column = String(reference[reference.index(after: dot)...])
        guard let id = ids[node] ?? ids[node.lowercased()] ?? (names[node] != nil ? node : nil) else { return nil }
        let known = lineage.nodes[id]?.columns.first { $0.name.lowercased() == column.lowercased() }?.name
        return NodeColumn(node: id, column: known ?? column)
    }

    /// Every node name a reference can start with, for suggestions.
    public var nodeNames: [String] { names.values.sorted() }

    public func display(_ column: NodeColumn) -> String { "\(names[column.node] ?? column.node).\(column.column)" }

    public func upstream(of start: NodeColumn) -> [Step] {
        var steps: [Step] = []
        var seen: Set<NodeColumn> = [start]
        func walk(_ column: NodeColumn, depth: Int) {
            guard let inputs = lineage.nodes[column.node]?.inputs(of: column.column) else { return }
            for (input, edges) in inputs.sorted(by: { $0.key < $1.key }) {
                guard let direct = edges.direct else { continue }
                let next = NodeColumn(node: input.relation, column: input.column)
                let first = seen.insert(next).inserted
                steps.append(Step(depth: depth, edge: direct.rawValue, column: next, repeated: !first))
                if first { walk(next, depth: depth + 1) }
            }
        }
        walk(start, depth: 1)
        return steps
    }

    public func downstream(of start: NodeColumn) -> [Step] {
        var steps: [Step] = []
        var seen: Set<NodeColumn> = [start]
        func walk(_ column: NodeColumn, depth: Int) {
            for (reader, edges) in readers[column] ?? [] {
                guard let direct = edges.direct else { continue }
                let first = seen.insert(reader).inserted
                steps.append(Step(depth: depth, edge: direct.rawValue, column: reader, repeated: !first))
                if first { walk(reader, depth: depth + 1) }
            }
        }
        walk(start, depth: 1)
        return steps
    }

    /// The inputs that decide the column without flowing into it: its own indirect edges
    /// (CONDITIONAL, WINDOW) and its node's (JOIN, FILTER, GROUP_BY, SORT).
    public func decidedBy(_ column: NodeColumn) -> [(column: NodeColumn, kinds: [String])] {
        guard let node = lineage.nodes[column.node] else { return [] }
        var all = node.dataset
        for (input, edges) in node.inputs(of: column.column) ?? [:] where !edges.indirect.isEmpty {
            all[input, default: LineageEdges()].merge(LineageEdges(indirect: edges.indirect))
        }
        return all.sorted { $0.key < $1.key }.compactMap { input, edges in
            edges.indirect.isEmpty ? nil : (NodeColumn(node: input.relation, column: input.column), edges.indirect.sorted().map(\.rawValue))
        }
    }
}
