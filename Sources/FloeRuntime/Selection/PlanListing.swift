import FloeConnect
import FloeContract

/// The nodes a selection picks from a plan, in plan order, for `floe ls`.
public enum PlanListing {
    public struct Node: Sendable, Encodable {
        public var uniqueID: String
        public var name: String
        public var resourceType: String
        public var materialized: String?
        public var tags: [String]
        /// The node's file, relative to the directory of floe.yaml.
        public var path: String?
        public var relation: String?
        /// A model whose template queries the database: rendered at apply time.
        public var renderAtApply: Bool?

        enum CodingKeys: String, CodingKey {
            case uniqueID = "unique_id"
            case resourceType = "resource_type"
            case renderAtApply = "render_at_apply"
            case name, materialized, tags, path, relation
        }
    }

    /// The selected nodes and the warnings for criteria that matched nothing. Tests are listed as
    /// `floe build` runs them: a test of a selected node is listed with it as `indirect` says
    /// (dbt's eager selection by default).
    public static func nodes(in runnable: RunnablePlan, select: [String], exclude: [String], indirect: IndirectSelection = .eager)
        throws(ExecutorError) -> (nodes: [Node], warnings: [String]) {
        // The cubes' rollups are listed with the models they follow, as apply builds them.
        let plan = runnable.plan
        let graph = PlanGraph(plan)
        let resolution: NodeSelector.Resolution
        do {
            resolution = try NodeSelector(graph: graph).resolution(select: select, exclude: exclude, indirect: indirect)
        } catch {
            throw ExecutorError(.selection, error.description)
        }
        var relations: [String: String] = [:]
        for table in plan.synthetic { relations[table.uniqueID] = table.relation(in: plan.environment.namespace).description }
        for seed in plan.seeds { relations[seed.uniqueID] = seed.relation.description }
        for source in plan.sources { relations[source.uniqueID] = source.relation.description }
        for model in plan.models where model.materialized != .ephemeral { relations[model.uniqueID] = model.relation.description }
        let late = Set(plan.models.filter { $0.renderAtApply == true }.map(\.uniqueID))
        let tests = Set(plan.tests.filter { resolution.runs($0, graph: graph) }.map(\.uniqueID))
        let nodes = graph.nodes.filter { node in
            node.type == .test ? tests.contains(node.uniqueID) : resolution.selected.contains(node.uniqueID)
        }.map { node in
            Node(uniqueID: node.uniqueID, name: node.type == .source ? node.sourceName ?? node.name : node.name,
                 resourceType: node.type.rawValue, materialized: node.materialized?.rawValue ?? (node.type == .seed ? "seed" : nil),
                 tags: node.tags, path: node.path, relation: relations[node.uniqueID],
                 renderAtApply: late.contains(node.uniqueID) ? true : nil)
        }
        return (nodes, resolution.warnings)
    }
}
