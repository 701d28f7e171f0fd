import FloeContract
import FloeEngine
import FloeSQL
import Foundation

/// The column lineage of a whole plan: every model's output columns from the input columns of
/// the nodes it reads (seeds, sources, synthetic tables, other models), and every cube member
/// from its cube's model. SQL the analysis cannot read or see through gets no column lineage
/// and a warning located in its compiled file; it never gets a guessed edge.
public struct ProjectColumnLineage: Sendable {
    /// A column of a node: a model's, a seed's, a source's, or a cube's member (`cube.Orders`).
    public struct NodeColumn: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var node: String
        public var column: String

        public init(node: String, column: String) {
            self.node = node
            self.column = column
        }

        public static func < (lhs: NodeColumn, rhs: NodeColumn) -> Bool { (lhs.node, lhs.column) < (rhs.node, rhs.column) }
        public var description: String { "\(node).\(column)" }
    }

    /// One node's lineage: its columns in order, each with its inputs, and the inputs that decide
    /// its rows.
    public struct Node: Sendable, Equatable {
        public var columns: [QueryColumnLineage.Column]
        public var dataset: ColumnInputs

        public func inputs(of column: String) -> ColumnInputs? {
            columns.first { $0.name.lowercased() == column.lowercased() }?.inputs
        }
    }

    /// A node without column lineage, and why: `file:line:col: warning: …` when shown.
    public struct Warning: Sendable, Equatable, CustomStringConvertible {
        public var node: String
        public var file: String
        public var line: Int?
        public var column: Int?
        public var message: String

        public var description: String {
            let place = [file, line.map(String.init), column.map(String.init)].compactMap { $0 }.joined(separator: ":")
            return "\(place): warning: no column lineage for \(node): \(message)"
        }
    }

    /// By node unique id (models) and `cube.<name>` (cubes).
    public private(set) var nodes: [String: Node] = [:]
    public private(set) var warnings: [Warning] = []

    /// The id cubes have in this graph.
    public static func cubeID(_ name: String) -> String { "cube.\(name)" }

    private let analyzer: ColumnLineageAnalyzer
    private let flavor: SQLFlavor

    /// `targetDirectory` names the compiled files in warnings (`target`). `rendered` gives the SQL
    /// of models rendered at apply time, by unique id, as a run rendered it (run results'
    /// `compiled_code`): without it they get no column lineage, their SQL being unknown before.
    public init(plan: CompiledArtifacts, targetDirectory: String = "target", rendered: [String: String] = [:]) {
        let flavor = SQLDialects.named(plan.profiles.compute.type)?.sqlFlavor ?? .postgres
        let catalog = PlanLineageCatalog(plan: plan)
        let analyzer = ColumnLineageAnalyzer(catalog: catalog)
        self.analyzer = analyzer
        self.flavor = flavor
        for model in plan.models {
            let file = "\(targetDirectory)/\(model.renderAtApply == true ? "run" : "compiled")/\(model.path)"
            var result: QueryColumnLineage?
            let sql = model.renderAtApply == true ? rendered[model.uniqueID] : model.sql
            if let sql {
                do {
                    result = try analyzer.analyze(sql: sql, flavor: flavor)
                } catch let error as SQLSyntaxError {
                    let (line, column) = Self.position(of: error.offset, in: model.sql)
                    warnings.append(Warning(node: model.uniqueID, file: file, line: line, column: column, message: "cannot read its SQL: \(error.message)"))
                } catch {
                    warnings.append(Warning(node: model.uniqueID, file: file, message: "\(error)"))
                }
            } else {
                warnings.append(Warning(node: model.uniqueID, file: file,
                                        message: "it is rendered at apply time and no run has rendered it yet, so its SQL is not known"))
            }
            if let result {
                let columns = result.columns.map { column in
                    QueryColumnLineage.Column(name: column.name, inputs: column.inputs)
                }
                nodes[model.uniqueID] = Node(columns: columns, dataset: result.dataset)
            }
            // Downstream reads it by its relation; an ephemeral model is inlined (its SQL is a CTE there).
            guard model.materialized != .ephemeral else { continue }
            let complete = result != nil
            let names = result?.columns.map(\.name) ?? model.columns.map(\.name)
            catalog.add(model.relation, CatalogRelation(key: model.uniqueID, columns: complete ? names : (model.contract?.columns.map(\.name) ?? names),
                                                       complete: complete || model.contract != nil))
        }
        let cubes = Dictionary((plan.cubes ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for cube in plan.cubes ?? [] {
            let members = CubeMemberLineage(cube: cube, cubes: cubes, analyzer: analyzer, flavor: flavor)
            nodes[Self.cubeID(cube.name)] = members.node
            warnings += members.problems.map { Warning(node: Self.cubeID(cube.name), file: cube.path, message: $0) }
        }
    }

    /// A model rendered at apply time, from the SQL a run rendered for it: its own columns, over
    /// what the plan says of its inputs. Nil when the SQL cannot be analysed.
    public func node(rendered sql: String) -> Node? {
        (try? analyzer.analyze(sql: sql, flavor: flavor)).map { Node(columns: $0.columns, dataset: $0.dataset) }
    }

    /// 1-based line and column of a UTF-8 offset.
    static func position(of offset: Int, in text: String) -> (Int, Int) {
        var line = 1, column = 1
        for byte in text.utf8.prefix(offset) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
