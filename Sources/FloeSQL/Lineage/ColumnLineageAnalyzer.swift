/// Works out a query's column lineage from its syntax tree: through common tables (recursive
/// ones included), derived tables, joins, set operations, windows and CASE, expanding `*` from
/// the columns the catalog knows. What it cannot see through (a `*` over a relation whose
/// columns are unknown, an ambiguous or unknown column) is an error, never a guessed edge.
public struct ColumnLineageAnalyzer: Sendable {
    let catalog: any LineageCatalog

    public init(catalog: any LineageCatalog) {
        self.catalog = catalog
    }

    public func analyze(_ query: SQLQuery) throws(ColumnLineageError) -> QueryColumnLineage {
        let result = try derived(query, parent: nil, commonTables: [:])
        return QueryColumnLineage(columns: result.columns.map { .init(name: $0.name, inputs: $0.inputs) }, dataset: result.dataset)
    }

    /// The first query of `sql` (the SELECT a model's compiled SQL is), read in `flavor`.
    public func analyze(sql: String, flavor: SQLFlavor) throws -> QueryColumnLineage {
        let statements = try SQLParser.statements(sql, flavor: flavor)
        guard case .query(let query)? = statements.first else {
            throw ColumnLineageError("the SQL is not a query")
        }
        guard statements.count == 1 else { throw ColumnLineageError("the SQL holds \(statements.count) statements") }
        return try analyze(query)
    }

    // MARK: Queries

    /// A query as a relation: its columns and what decides its rows.
    func derived(_ query: SQLQuery, parent: LineageScope?, commonTables: [String: ScopedRelation]) throws(ColumnLineageError) -> ScopedRelation {
        var tables = commonTables
        for common in query.with {
            var relation: ScopedRelation
            do {
                relation = try derived(common.query, parent: parent, commonTables: tables)
            } catch {
                // WITH RECURSIVE: the anchor (the first branch) gives the columns the rest reads.
                guard case .setOperation(let anchor, _, _, _) = common.query.body else { throw error }
                var seed = try body(anchor, orderBy: [], parent: parent, commonTables: tables)
                seed.alias = common.name
                tables[common.name.lowercased()] = renamed(seed, common.columns)
                relation = try derived(common.query, parent: parent, commonTables: tables)
            }
            relation.alias = common.name
            tables[common.name.lowercased()] = renamed(relation, common.columns)
        }
        return try body(query.body, orderBy: query.orderBy, parent: parent, commonTables: tables)
    }

    private func renamed(_ relation: ScopedRelation, _ names: [String]) -> ScopedRelation {
        guard !names.isEmpty else { return relation }
        var result = relation
        result.columns = relation.columns.enumerated().map { index, column in (index < names.count ? names[index] : column.name, column.inputs) }
        return result
    }

    private func body(_ body: SQLQueryBody, orderBy: [SQLOrderTerm], parent: LineageScope?,
                      commonTables: [String: ScopedRelation]) throws(ColumnLineageError) -> ScopedRelation {
        switch body {
        case .select(let select):
            return try self.select(select, orderBy: orderBy, parent: parent, commonTables: commonTables)
        case .nested(let query):
            var relation = try derived(query, parent: parent, commonTables: commonTables)
            relation.dataset.merge(try sorted(orderBy, by: relation))
            return relation
        case .values(let rows):
            let scope = LineageScope(parent: parent, commonTables: commonTables)
            let width = rows.first?.count ?? 0
            var columns: [(name: String, inputs: ColumnInputs)] = (0..<width).map { ("column\($0 + 1)", [:]) }
            for row in rows {
                for (index, value) in row.enumerated() where index < width {
                    columns[index].inputs.merge(try expression(value, scope).through(.transformation))
                }
            }
            return ScopedRelation(alias: "", columns: columns)
        case .setOperation(let left, _, _, let right):
            let first = try self.body(left, orderBy: [], parent: parent, commonTables: commonTables)
            let second = try self.body(right, orderBy: [], parent: parent, commonTables: commonTables)
            var columns = first.columns
            let others = second.columns
            guard first.complete, second.complete, columns.count == others.count else {
                throw ColumnLineageError("the branches of a set operation have different numbers of columns")
            }
            for index in columns.indices { columns[index].inputs.merge(others[index].inputs) }
            var relation = ScopedRelation(alias: "", columns: columns, dataset: first.dataset.merging(second.dataset))
            relation.dataset.merge(try sorted(orderBy, by: relation))
            return relation
        }
    }

    /// ORDER BY over a result's own columns (by name or position).
    private func sorted(_ terms: [SQLOrderTerm], by relation: ScopedRelation) throws(ColumnLineageError) -> ColumnInputs {
        var inputs: ColumnInputs = [:]
        for term in terms {
            if let output = output(term.expression, relation.columns) {
                inputs.merge(output.only(.sort))
            } else if case .column(let parts) = term.expression, let column = relation.column(parts.last ?? "") {
                inputs.merge(column.only(.sort))
            }
        }
        return inputs
    }

    /// `GROUP BY 2`, `ORDER BY total`: an output column named or numbered.
    private func output(_ expression: SQLExpression, _ columns: [(name: String, inputs: ColumnInputs)]) -> ColumnInputs? {
        switch expression {
        case .literal(.number(let text)):
            guard let position = Int(text), position >= 1, position <= columns.count else { return nil }
            return columns[position - 1].inputs
        case .column(let parts) where parts.count == 1:
            return columns.first { $0.name.lowercased() == parts[0].lowercased() }?.inputs
        default:
            return nil
        }
    }

    private func select(_ select: SQLSelect, orderBy: [SQLOrderTerm], parent: LineageScope?,
                        commonTables: [String: ScopedRelation]) throws(ColumnLineageError) -> ScopedRelation {
        let scope = LineageScope(parent: parent, commonTables: commonTables)
        var dataset: ColumnInputs = [:]
        for item in select.from { dataset.merge(try add(item, to: scope)) }
        for relation in scope.relations { dataset.merge(relation.dataset) }

        var columns: [(name: String, inputs: ColumnInputs)] = []
        for item in select.items {
            switch item {
            case .star(let qualifier):
                columns += try expandStar(qualifier, scope)
            case .expression(let value, let alias):
                columns.append((alias ?? value.defaultColumnName, try expression(value, scope)))
            }
        }
        if let condition = select.whereClause { dataset.merge(try expression(condition, scope).only(.filter)) }
        for term in select.groupBy {
            let inputs = try inScopeOrOutput(term, scope, columns)
            dataset.merge(inputs.only(.groupBy))
        }
        if let having = select.having { dataset.merge(try expression(having, scope).only(.filter)) }
        for term in orderBy { dataset.merge(try inScopeOrOutput(term.expression, scope, columns).only(.sort)) }
        return ScopedRelation(alias: "", columns: columns, dataset: dataset)
    }

    /// GROUP BY and ORDER BY take an output column's name or position as well as an expression.
    private func inScopeOrOutput(_ term: SQLExpression, _ scope: LineageScope,
                                 _ columns: [(name: String, inputs: ColumnInputs)]) throws(ColumnLineageError) -> ColumnInputs {
        if case .literal(.number) = term, let inputs = output(term, columns) { return inputs }
        do {
            return try expression(term, scope)
        } catch {
            guard let inputs = output(term, columns) else { throw error }
            return inputs
        }
    }

    private func expandStar(_ qualifier: [String], _ scope: LineageScope) throws(ColumnLineageError) -> [(name: String, inputs: ColumnInputs)] {
        let relations: [ScopedRelation]
        if let name = qualifier.last?.lowercased() {
            guard let relation = scope.relations.last(where: { $0.alias.lowercased() == name }) else {
                throw ColumnLineageError("no relation in FROM is called '\(qualifier.last!)'")
            }
            relations = [relation]
        } else {
            relations = scope.relations
        }
        var columns: [(name: String, inputs: ColumnInputs)] = []
        var seen: Set<String> = []
        for relation in relations {
            guard relation.complete else {
                throw ColumnLineageError("cannot expand * over \(relation.alias): not all of its columns are known")
            }
            for column in relation.columns {
                let key = column.name.lowercased()
                // A column merged by USING appears once, from both sides.
                if qualifier.isEmpty, let both = scope.merged[key] {
                    if seen.insert(key).inserted { columns.append((column.name, both)) }
                    continue
                }
                columns.append(column)
            }
        }
        return columns
    }

    // MARK: FROM

    /// Adds a FROM item's relations to `scope`; returns the inputs its join conditions read.
    private func add(_ item: SQLTableReference, to scope: LineageScope) throws(ColumnLineageError) -> ColumnInputs {
        switch item {
        case .table(let name, let alias):
            var relation: ScopedRelation
            if name.count == 1, let common = scope.commonTables[name[0].lowercased()] {
                relation = common
            } else if let found = catalog.relation(named: name) {
                relation = ScopedRelation(
                    alias: name.last ?? "",
                    columns: found.columns.map { ($0, [SourceColumn(relation: found.key, column: $0): LineageEdges(direct: .identity)]) },
                    complete: found.complete, baseKey: found.key)
            } else {
                throw ColumnLineageError("the relation \(name.joined(separator: ".")) is not one the project knows")
            }
            relation.alias = alias?.name ?? name.last ?? ""
            scope.relations.append(renamed(relation, alias?.columns ?? []))
            return [:]
        case .subquery(let query, let alias, let lateral):
            var relation = try derived(query, parent: lateral ? scope : scope.parent, commonTables: scope.commonTables)
            relation.alias = alias?.name ?? ""
            scope.relations.append(renamed(relation, alias?.columns ?? []))
            return [:]
        case .function(let call, let alias, _):
            let inputs = try expression(.function(call), scope).through(.transformation)
            let names = alias?.columns.isEmpty == false ? alias!.columns : [alias?.name ?? call.baseName]
            scope.relations.append(ScopedRelation(alias: alias?.name ?? call.baseName, columns: names.map { ($0, inputs) }))
            return [:]
        case .join(let left, _, let right, let condition):
            let start = scope.relations.count
            var inputs = try add(left, to: scope)
            let middle = scope.relations.count
            inputs.merge(try add(right, to: scope))
            let leftSide = Array(scope.relations[start..<middle]), rightSide = Array(scope.relations[middle...])
            var shared: [String] = []
            switch condition {
            case .on(let expression): inputs.merge(try self.expression(expression, scope).only(.join))
            case .using(let columns): shared = columns
            case .natural:
                guard (leftSide + rightSide).allSatisfy(\.complete) else {
                    throw ColumnLineageError("cannot tell the columns of a NATURAL JOIN: not all of its relations' columns are known")
                }
                let leftNames = Set(leftSide.flatMap { $0.columns.map { $0.name.lowercased() } })
                shared = rightSide.flatMap { $0.columns.map(\.name) }.filter { leftNames.contains($0.lowercased()) }
            case .none: break
            }
            for column in shared {
                func side(_ relations: [ScopedRelation]) throws(ColumnLineageError) -> ColumnInputs {
                    let holders = relations.filter { $0.has(column) || !$0.complete }
                    guard holders.count == 1, let found = holders[0].column(column) else {
                        throw ColumnLineageError("cannot tell which relation gives the USING column '\(column)'")
                    }
                    return found
                }
                let both = try side(leftSide).merging(try side(rightSide))
                scope.merged[column.lowercased()] = both
                inputs.merge(both.only(.join))
            }
            return inputs
        }
    }
}
