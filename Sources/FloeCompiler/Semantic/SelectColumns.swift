import FloeSQL

/// The columns a model's SELECT gives, read from its rendered SQL with FloeSQL's parser where
/// that is certain: the first SELECT's list (after any `with …` definitions, the first branch of
/// a UNION) when every item is a column (`status`, `o.status`) or has an alias (`count(*) as n`,
/// `upper(a) b`). nil when any item is `*` or an expression without a name, or the SQL does not
/// parse: then nothing is claimed.
enum SelectColumns {
    static func of(_ sql: String, flavor: SQLFlavor = .postgres) -> [String]? {
        guard let statements = try? SQLParser.statements(sql, flavor: flavor), case .query(let query)? = statements.first,
              let select = firstSelect(query.body) else { return nil }
        var columns: [String] = []
        for item in select.items {
            switch item {
            case .star: return nil
            case .expression(_, let alias?): columns.append(alias)
            case .expression(.column(let parts), nil): columns.append(parts.last ?? "")
            case .expression: return nil
            }
        }
        return columns.isEmpty ? nil : columns
    }

    private static func firstSelect(_ body: SQLQueryBody) -> SQLSelect? {
        switch body {
        case .select(let select): select
        case .setOperation(let left, _, _, _): firstSelect(left)
        case .nested(let query): firstSelect(query.body)
        case .values: nil
        }
    }
}
