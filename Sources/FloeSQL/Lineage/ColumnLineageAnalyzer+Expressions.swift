extension ColumnLineageAnalyzer {
    /// Functions that fold many rows into one value.
    static let aggregates: Set<String> = [
        "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "group_concat", "listagg", "stddev", "stddev_pop", "stddev_samp",
        "variance", "var_pop", "var_samp", "bool_and", "bool_or", "every", "bit_and", "bit_or", "median", "percentile_cont",
        "percentile_disc", "mode", "approx_count_distinct", "count_if", "collect_list", "collect_set", "any_value", "corr", "covar_pop",
        "covar_samp", "json_agg", "jsonb_agg", "json_group_array", "json_group_object", "total", "max_by", "min_by", "first", "last",
        "product", "regr_slope", "regr_intercept",
    ]

    /// Names that read like columns and are values of the session.
    static let niladic: Set<String> = [
        "current_date", "current_time", "current_timestamp", "localtime", "localtimestamp", "current_user", "session_user", "user",
        "current_schema", "current_catalog", "current_role",
    ]

    /// The input columns an expression reads and how its value takes theirs.
    func expression(_ expression: SQLExpression, _ scope: LineageScope) throws(ColumnLineageError) -> ColumnInputs {
        switch expression {
        case .column(let parts):
            do {
                return try scope.resolve(parts)
            } catch {
                if parts.count == 1, Self.niladic.contains(parts[0].lowercased()) { return [:] }
                throw error
            }
        case .literal, .parameter, .typedLiteral:
            return [:]
        case .unary(_, let inner), .not(let inner), .isNull(let inner, _), .isBoolean(let inner, _, _), .collate(let inner, _),
             .extract(_, let inner):
            return try self.expression(inner, scope).through(.transformation)
        case .cast(let inner, _):
            return try self.expression(inner, scope).through(.transformation)
        case .binary(let left, _, let right), .and(let left, let right), .or(let left, let right),
             .isDistinctFrom(let left, let right, _), .element(let left, let right), .atTimeZone(let left, let right),
             .quantified(let left, _, _, let right):
            return try all([left, right], scope)
        case .inList(let value, let list, _):
            return try all([value] + list, scope)
        case .between(let value, let low, let high, _):
            return try all([value, low, high], scope)
        case .like(let value, _, let pattern, _, let escape):
            return try all([value, pattern] + (escape.map { [$0] } ?? []), scope)
        case .array(let items), .row(let items):
            return try all(items, scope)
        case .inQuery(let value, let query, _):
            return try self.expression(value, scope).through(.transformation).merging(try subquery(query, scope))
        case .exists(let query):
            return try subquery(query, scope).only(.filter)
        case .subquery(let query), .arrayQuery(let query):
            return try subquery(query, scope)
        case .caseWhen(let operand, let branches, let otherwise):
            var inputs: ColumnInputs = [:]
            for result in branches.map(\.result) + (otherwise.map { [$0] } ?? []) {
                inputs.merge(try self.expression(result, scope).through(.transformation))
            }
            for condition in (operand.map { [$0] } ?? []) + branches.map(\.condition) {
                inputs.merge(try self.expression(condition, scope).only(.conditional))
            }
            return inputs
        case .function(let call):
            return try function(call, scope)
        }
    }

    private func all(_ expressions: [SQLExpression], _ scope: LineageScope) throws(ColumnLineageError) -> ColumnInputs {
        var inputs: ColumnInputs = [:]
        for expression in expressions { inputs.merge(try self.expression(expression, scope)) }
        return inputs.through(.transformation)
    }

    private func function(_ call: SQLFunctionCall, _ scope: LineageScope) throws(ColumnLineageError) -> ColumnInputs {
        let name = call.baseName.lowercased()
        let folds = Self.aggregates.contains(name)
        var arguments: ColumnInputs = [:]
        for argument in call.arguments { arguments.merge(try expression(argument, scope)) }
        var inputs = arguments.through(folds ? .aggregation : .transformation)
        if let filter = call.filter { inputs.merge(try expression(filter, scope).only(.filter)) }
        for term in call.orderBy { inputs.merge(try expression(term.expression, scope).only(.sort)) }
        if let window = call.window {
            for term in window.partitionBy + window.orderBy.map(\.expression) {
                inputs.merge(try expression(term, scope).only(.window))
            }
        }
        return inputs
    }

    /// A subquery's value: its column's inputs, through a transformation, and what decides its rows.
    private func subquery(_ query: SQLQuery, _ scope: LineageScope) throws(ColumnLineageError) -> ColumnInputs {
        let relation = try derived(query, parent: scope, commonTables: scope.commonTables)
        var inputs: ColumnInputs = [:]
        for column in relation.columns { inputs.merge(column.inputs.through(.transformation)) }
        return inputs.merging(relation.dataset)
    }
}
