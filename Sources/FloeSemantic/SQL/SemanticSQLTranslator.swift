import FloeCore
import FloeEngine
import FloeSQL

/// Cube's SQL semantics: a SELECT over one cube or view becomes a Cube query.
/// - columns are members: a dimension column groups, `MEASURE(m)` (or the aggregate matching the
///   measure's type: `SUM`, `AVG`, `MIN`, `MAX`, `COUNT(DISTINCT …)`, `COUNT(*)` for a count
///   measure) aggregates, `DATE_TRUNC('month', t)` is a time dimension at a granularity;
/// - with GROUP BY or an aggregate the query is grouped by its dimensions; without either it is
///   ungrouped (one row per row of the cube), as SQL reads it;
/// - WHERE on dimensions and segments becomes filters, HAVING on measures measure filters, and
///   ORDER BY, LIMIT and OFFSET carry over.
/// What cannot become a Cube query is refused with what the SQL API takes instead.
public struct SemanticSQLTranslator {
    let tables: SemanticTables
    /// The database the client connected to: `db.public.orders` and `public.orders` both name `orders`.
    let database: String

    public init(tables: SemanticTables, database: String) {
        self.tables = tables
        self.database = database
    }

    /// A member a select item, GROUP BY or ORDER BY term names.
    enum Member: Equatable {
        case dimension(SemanticTables.Column)
        case measure(SemanticTables.Column)
        case truncated(SemanticTables.Column, DatePart)

        static func == (left: Member, right: Member) -> Bool { left.key == right.key }

        var column: SemanticTables.Column {
            switch self {
            case .dimension(let column), .measure(let column): column
            case .truncated(let column, _): column
            }
        }

        var key: String {
            switch self {
            case .dimension(let column), .measure(let column): column.member
            case .truncated(let column, let part): "\(column.member).\(part.rawValue)"
            }
        }
    }

    /// The query's table, found from its FROM clause.
    public func table(of select: SQLSelect) throws(SemanticError) -> (table: SemanticTables.Table, alias: String) {
        guard select.from.count == 1 else {
            throw .badQuery(select.from.isEmpty
                ? "the SQL API answers queries over a cube or view: add FROM <cube>"
                : "the SQL API reads one cube or view per query; to combine cubes, query a view that joins them")
        }
        switch select.from[0] {
        case .table(let name, let alias):
            let last = name[name.count - 1]
            let prefix = name.dropLast()
            let schemaMatches = prefix.isEmpty || (prefix.last == "public" && (prefix.count == 1 || prefix.first == database))
            guard schemaMatches, let table = lookup(last) else {
                throw SemanticError(.badQuery, "relation \"\(name.joined(separator: "."))\" does not exist"
                    + Self.hint(Suggestions.didYouMean(last, in: tables.tables.map(\.name))), sqlState: "42P01")
            }
            return (table, alias?.name ?? last)
        case .join:
            throw SemanticError(.badQuery, "joins are not supported by the SQL API: query a view that joins the cubes (Cube's views), or one cube",
                                sqlState: Self.notSupported)
        case .subquery, .function:
            throw SemanticError(.badQuery, "the SQL API reads a cube or view directly: a subquery or function in FROM is not supported",
                                sqlState: Self.notSupported)
        }
    }

    private func lookup(_ name: String) -> SemanticTables.Table? {
        if let exact = tables.table(name) { return exact }
        let folded = tables.tables.filter { $0.name.lowercased() == name.lowercased() }
        return folded.count == 1 ? folded[0] : nil
    }

    static func hint(_ text: String?) -> String { text.map { "; \($0)" } ?? "" }

    /// PostgreSQL's SQLSTATE for a feature it does not support.
    static let notSupported = "0A000"

    public func translate(_ query: SQLQuery) throws(SemanticError) -> SemanticSQLStatement {
        guard query.with.isEmpty else {
            throw SemanticError(.badQuery, "WITH is not supported by the SQL API: write the query over the cube itself", sqlState: Self.notSupported)
        }
        guard case .select(let select) = query.body else {
            throw SemanticError(.badQuery, "UNION, INTERSECT, EXCEPT and VALUES are not supported by the SQL API; send each SELECT on its own",
                                sqlState: Self.notSupported)
        }
        let (table, alias) = try table(of: select)
        let scope = Scope(table: table, alias: alias)
        let grouped = !select.groupBy.isEmpty || select.items.contains { item in
            if case .expression(let expression, _) = item { return scope.isAggregate(expression) }
            return false
        } || select.having != nil || select.distinct

        // The select list.
        var outputs: [SemanticSQLStatement.Output] = []
        var selected: [Member] = []
        for item in select.items {
            switch item {
            case .star(let qualifier):
                guard qualifier.isEmpty || qualifier.last == alias || qualifier.last == table.name else {
                    throw .badQuery("missing FROM-clause entry for table \"\(qualifier.joined(separator: "."))\"")
                }
                for column in table.columns where column.kind != .segment {
                    let member: Member = if case .measure = column.kind { .measure(column) } else { .dimension(column) }
                    selected.append(member)
                    outputs.append(Self.output(column.name, member))
                }
            case .expression(let expression, let name):
                let member = try scope.member(expression, place: "the select list", allowPlainMeasure: select.groupBy.isEmpty)
                selected.append(member)
                outputs.append(Self.output(name ?? expression.defaultColumnName, member))
            }
        }
        guard !selected.isEmpty else { throw .badQuery("select at least one column of \(table.name)") }

        // GROUP BY: ordinals, aliases or members; every selected dimension must be among them.
        var groups: [Member] = []
        for term in select.groupBy {
            let member = try resolve(term, outputs: outputs, selected: selected, scope: scope, place: "GROUP BY")
            if case .measure(let column) = member {
                throw SemanticError(.badQuery, "aggregate functions are not allowed in GROUP BY: '\(column.name)' is a measure")
            }
            if !groups.contains(member) { groups.append(member) }
        }
        if !select.groupBy.isEmpty {
            for (index, member) in selected.enumerated() where !groups.contains(member) {
                if case .measure = member { continue }
                throw SemanticError(.badQuery, "column \"\(outputs[index].name)\" must appear in the GROUP BY clause or be used in an aggregate function",
                                    sqlState: "42803")
            }
        }

        var cube = CubeQuery()
        cube.ungrouped = !grouped
        for member in selected + groups { add(member, to: &cube) }

        // WHERE and HAVING.
        var filters = FilterTranslation(scope: scope)
        if let condition = select.whereClause { try filters.add(condition, having: false) }
        if let condition = select.having { try filters.add(condition, having: true) }
        cube.filters = filters.filters
        cube.segments = filters.segments

        // ORDER BY.
        for term in query.orderBy {
            let member = try resolve(term.expression, outputs: outputs, selected: selected, scope: scope, place: "ORDER BY")
            add(member, to: &cube)
            cube.order.append(OrderTerm(member: member.column.member, descending: term.descending))
        }

        var statement = SemanticSQLStatement(outputs: outputs, template: cube, parameterTypes: filters.parameterTypes)
        statement.user = filters.user
        statement.limit = try count(query.limit, "LIMIT", &statement)
        statement.offset = try count(query.offset, "OFFSET", &statement)
        return statement
    }

    /// A member in the query's members (a time dimension once per granularity).
    private func add(_ member: Member, to query: inout CubeQuery) {
        switch member {
        case .dimension(let column):
            if !query.dimensions.contains(column.member) { query.dimensions.append(column.member) }
        case .measure(let column):
            if !query.measures.contains(column.member) { query.measures.append(column.member) }
        case .truncated(let column, let part):
            if !query.timeDimensions.contains(where: { $0.dimension == column.member && $0.granularity == part }) {
                query.timeDimensions.append(TimeDimensionQuery(dimension: column.member, granularity: part))
            }
        }
    }

    private static func output(_ name: String, _ member: Member) -> SemanticSQLStatement.Output {
        switch member {
        case .dimension(let column):
            return .init(name: name, key: member.key, valueType: column.valueType, measureType: nil)
        case .measure(let column):
            let type: String? = if case .measure(let type) = column.kind { type } else { nil }
            return .init(name: name, key: member.key, valueType: "number", measureType: type)
        case .truncated:
            return .init(name: name, key: member.key, valueType: "time", measureType: nil)
        }
    }

    /// A GROUP BY or ORDER BY term: an ordinal of the select list, an output's name, or a member.
    private func resolve(
        _ term: SQLExpression, outputs: [SemanticSQLStatement.Output], selected: [Member], scope: Scope, place: String
    ) throws(SemanticError) -> Member {
        if case .literal(.number(let text)) = term {
            guard let ordinal = Int(text), ordinal >= 1, ordinal <= selected.count else {
                throw .badQuery("\(place) position \(text) is not in select list")
            }
            return selected[ordinal - 1]
        }
        if case .column(let parts) = term, parts.count == 1, let index = outputs.firstIndex(where: { $0.name == parts[0] }),
           scope.table.column(parts[0]) == nil || outputs[index].name == parts[0] {
            return selected[index]
        }
        return try scope.member(term, place: place, allowPlainMeasure: true)
    }

    private func count(_ expression: SQLExpression?, _ clause: String, _ statement: inout SemanticSQLStatement) throws(SemanticError) -> SemanticSQLStatement.Value? {
        switch expression {
        case nil: return nil
        case .literal(.number(let text))?: return .literal(text)
        case .literal(.null)?: return nil
        case .parameter(let index)?:
            statement.parameterTypes[index] = "integer"
            return .parameter(index)
        case .cast(let inner, _)?: return try count(inner, clause, &statement)
        default: throw .badQuery("\(clause) takes a number or a parameter")
        }
    }
}
