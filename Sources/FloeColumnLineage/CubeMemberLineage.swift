import FloeContract
import FloeSQL

/// A cube's members as columns: each dimension and measure from the columns of its cube's model
/// (`sql_table`, or `sql`), through the members it references, in its own cube or in another
/// (`{Customers.region}`). A measure folds its column as its type says (AGGREGATION), and a
/// `number` measure over measures inherits their folding; filters decide which rows count
/// (INDIRECT FILTER), a dimension's `case` conditions its value (INDIRECT CONDITIONAL).
struct CubeMemberLineage {
    private(set) var node = ProjectColumnLineage.Node(columns: [], dataset: [:])
    /// Members that got no lineage, and why.
    private(set) var problems: [String] = []

    /// Each measure type's SQL around its expression.
    private static func folded(_ type: String, _ sql: String?) -> String? {
        switch type {
        case "count": sql.map { "count(\($0))" } ?? "count(*)"
        case "count_distinct", "count_distinct_approx": sql.map { "count(distinct \($0))" }
        case "sum", "running_total": sql.map { "sum(\($0))" }
        case "avg", "min", "max": sql.map { "\(type)(\($0))" }
        default: sql
        }
    }

    private struct Expansion {
        var text = ""
        /// The other cubes the member reads, by name.
        var cubes: Set<String> = []
    }

    init(cube: CompiledCube, cubes: [String: CompiledCube], analyzer: ColumnLineageAnalyzer, flavor: SQLFlavor) {
        func quoted(_ name: String) -> String { "\"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"" }
        func base(_ cube: CompiledCube) -> String? {
            cube.sqlTable ?? cube.sql.map { "(\($0))" }
        }
        guard base(cube) != nil else {
            problems.append("it has neither sql_table nor sql")
            return
        }

        /// A member's SQL with every reference written out: nil for one that cannot be.
        func expand(_ sql: String, in owner: CompiledCube, into expansion: inout Expansion, depth: Int) -> Bool {
            guard depth < 16 else { return false }
            for piece in CubeSQLTemplate.pieces(of: sql) {
                switch piece {
                case .text(let value): expansion.text += value
                case .reference(let name):
                    let parts = name.split(separator: ".").map(String.init)
                    if parts.count == 1, name == "CUBE" || name == owner.name {
                        expansion.text += quoted(owner.name)
                        continue
                    }
                    let target: CompiledCube?, member: String
                    switch parts.count {
                    case 1: (target, member) = (owner, parts[0])
                    case 2: (target, member) = (parts[0] == "CUBE" ? owner : cubes[parts[0]], parts[1])
                    default: return false
                    }
                    guard let target else { return false }
                    if target.name != cube.name { expansion.cubes.insert(target.name) }
                    expansion.text += "("
                    guard memberSQL(member, of: target, into: &expansion, depth: depth + 1) else { return false }
                    expansion.text += ")"
                }
            }
            return true
        }

        func memberSQL(_ name: String, of owner: CompiledCube, into expansion: inout Expansion, depth: Int) -> Bool {
            if let dimension = owner.dimensions.first(where: { $0.name == name }), let sql = dimension.sql {
                return expand(sql, in: owner, into: &expansion, depth: depth)
            }
            if let measure = owner.measures.first(where: { $0.name == name }) {
                if measure.sql == nil, let plain = Self.folded(measure.type, nil) {
                    expansion.text += plain
                    return true
                }
                var inner = Expansion()
                guard let sql = measure.sql, expand(sql, in: owner, into: &inner, depth: depth),
                      let folded = Self.folded(measure.type, inner.text) else { return false }
                expansion.text += folded
                expansion.cubes.formUnion(inner.cubes)
                return true
            }
            return false
        }

        func inputs(_ expansion: Expansion) -> ColumnInputs? {
            var from = "\(base(cube)!) as \(quoted(cube.name))"
            for other in expansion.cubes.sorted() {
                guard let joined = cubes[other].flatMap(base) else { return nil }
                from += ", \(joined) as \(quoted(other))"
            }
            return try? analyzer.analyze(sql: "select \(expansion.text) as member from \(from)", flavor: flavor).columns.first?.inputs
        }

        func conditions(_ sqls: [String], _ kind: IndirectLineage) -> ColumnInputs? {
            var all: ColumnInputs = [:]
            for sql in sqls {
                var expansion = Expansion()
                guard expand(sql, in: cube, into: &expansion, depth: 0), let found = inputs(expansion) else { return nil }
                all.merge(found.only(kind))
            }
            return all
        }

        for dimension in cube.dimensions {
            var expansion = Expansion()
            var found: ColumnInputs? = [:]
            if dimension.sql != nil {
                found = memberSQL(dimension.name, of: cube, into: &expansion, depth: 0) ? inputs(expansion) : nil
            }
            if let cases = conditions(dimension.cases.map(\.sql), .conditional) { found?.merge(cases) } else { found = nil }
            record(dimension.name, found)
        }
        for measure in cube.measures {
            var expansion = Expansion()
            var found = memberSQL(measure.name, of: cube, into: &expansion, depth: 0) ? inputs(expansion) : nil
            if let filters = conditions(measure.filters, .filter) { found?.merge(filters) } else { found = nil }
            record(measure.name, found)
        }
    }

    private mutating func record(_ member: String, _ inputs: ColumnInputs?) {
        guard let inputs else {
            problems.append("member \(member): its SQL cannot be analysed")
            return
        }
        node.columns.append(QueryColumnLineage.Column(name: member, inputs: inputs))
    }
}
