extension SQLExpression {
    /// PostgreSQL's name for a select-list item without an alias: a column's name, a function's
    /// name (through casts), `case`, `exists`, `array`, a scalar subquery's column, else `?column?`.
    public var defaultColumnName: String {
        switch self {
        case .column(let parts): parts.last ?? "?column?"
        case .function(let call): call.baseName
        case .cast(let inner, let type):
            if case .column = inner { inner.defaultColumnName } else if case .function = inner { inner.defaultColumnName } else { type.baseName }
        case .caseWhen: "case"
        case .exists: "exists"
        case .array, .arrayQuery: "array"
        case .subquery(let query):
            if case .select(let select) = query.body, case .expression(let inner, let alias)? = select.items.first {
                alias ?? inner.defaultColumnName
            } else {
                "?column?"
            }
        default: "?column?"
        }
    }
}
