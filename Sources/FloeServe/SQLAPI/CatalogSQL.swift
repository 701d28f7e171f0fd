import FloePGWire
import FloeSQL

/// A query over the system catalogs, written for the in-memory SQLite database that holds them
/// (``PGCatalog``), with the PostgreSQL type of each result column.
///
/// PostgreSQL's spellings become SQLite's: `::`/CAST to SQLite's storage classes (`'orders'::regclass`
/// becomes a lookup of the relation's oid, `oid::regclass::text` of its name), `~` to REGEXP,
/// `= ANY(ARRAY[…])` to IN, `ILIKE` to LIKE on lower case, `array_agg` to a PostgreSQL array
/// literal; the catalog functions clients call (`pg_table_is_visible`, `format_type`,
/// `pg_get_userbyid`, `obj_description`, `current_setting`, `version`, …) are answered in
/// place. A function it does not know is PostgreSQL's "function … does not exist", never a guess.
struct CatalogSQL {
    /// What the session's functions answer: `current_database()`, `current_user`, settings.
    struct Session {
        var database: String
        var user: String
        var setting: (String) -> String?
        var version: String
    }

    let session: Session
    /// Types the client gave for its parameters (0: unknown, read as text).
    var parameterTypes: [Int: PGType] = [:]
    /// The highest `$n` the translated query uses, noted as the translation meets them.
    let parameters = ParameterUse()

    final class ParameterUse {
        private(set) var highest = 0

        func note(_ index: Int) { highest = max(highest, index) }
    }

    init(session: Session, parameterTypes: [UInt32]) {
        self.session = session
        for (index, oid) in parameterTypes.enumerated() where oid != 0 {
            if let type = PGType.named(oid: oid) { self.parameterTypes[index + 1] = type }
        }
    }

    /// The columns of a FROM item: name and type, in order.
    typealias Columns = [(name: String, type: PGType)]

    /// The relations a query level can name, by alias, and the levels around it (for correlated subqueries).
    final class Scope {
        var relations: [(alias: String, columns: Columns)] = []
        let outer: Scope?

        init(outer: Scope?) {
            self.outer = outer
        }

        func type(of parts: [String]) -> PGType? {
            let name = parts[parts.count - 1]
            if parts.count >= 2 {
                let qualifier = parts[parts.count - 2]
                if let relation = relations.first(where: { $0.alias == qualifier }) {
                    return relation.columns.first { $0.name == name }?.type
                }
            } else {
                for relation in relations {
                    if let column = relation.columns.first(where: { $0.name == name }) { return column.type }
                }
            }
            return outer?.type(of: parts)
        }
    }

    /// The SQLite text of `query` and its result columns.
    func translate(_ query: SQLQuery, outer: Scope? = nil) throws(PGError) -> (sql: String, columns: Columns) {
        var text = ""
        if !query.with.isEmpty {
            throw PGError(PGError.featureNotSupported, "WITH is not supported in queries of the system catalogs")
        }
        let (body, columns) = try translate(query.body, outer: outer, orderBy: query.orderBy)
        text += body
        if let limit = query.limit { text += " LIMIT " + (try expression(limit, Scope(outer: outer)).sql) }
        if let offset = query.offset {
            if query.limit == nil { text += " LIMIT -1" }
            text += " OFFSET " + (try expression(offset, Scope(outer: outer)).sql)
        }
        return (text, columns)
    }

    private func translate(_ body: SQLQueryBody, outer: Scope?, orderBy: [SQLOrderTerm]) throws(PGError) -> (String, Columns) {
        switch body {
        case .select(let select):
            return try translate(select, outer: outer, orderBy: orderBy)
        case .setOperation(let left, let op, let all, let right):
            let (leftSQL, columns) = try translate(left, outer: outer, orderBy: [])
            let (rightSQL, _) = try translate(right, outer: outer, orderBy: [])
            var text = "\(leftSQL) \(op.rawValue)\(all ? " ALL" : "") \(rightSQL)"
            if !orderBy.isEmpty {
                let scope = Scope(outer: outer)
                scope.relations = [("", columns)]
                text += " ORDER BY " + (try orderTerms(orderBy, scope))
            }
            return (text, columns)
        case .nested(let inner):
            let (sql, columns) = try translate(inner, outer: outer)
            return ("SELECT * FROM (\(sql))", columns)
        case .values(let rows):
            let scope = Scope(outer: outer)
            var columns: Columns = []
            var printed: [String] = []
            for row in rows {
                var values: [String] = []
                for (index, item) in row.enumerated() {
                    let (sql, type) = try expression(item, scope)
                    values.append(sql)
                    if columns.count <= index { columns.append(("column\(index + 1)", type)) }
                }
                printed.append("(" + values.joined(separator: ", ") + ")")
            }
            return ("VALUES " + printed.joined(separator: ", "), columns)
        }
    }

    private func translate(_ select: SQLSelect, outer: Scope?, orderBy: [SQLOrderTerm]) throws(PGError) -> (String, Columns) {
        let scope = Scope(outer: outer)
        var from: [String] = []
        for item in select.from { from.append(try fromItem(item, scope)) }
        var items: [String] = []
        var columns: Columns = []
        for item in select.items {
            switch item {
            case .star(let qualifier):
                let relations = qualifier.isEmpty ? scope.relations : scope.relations.filter { $0.alias == qualifier.last }
                guard !relations.isEmpty else {
                    throw PGError(PGError.undefinedTable, "missing FROM-clause entry for table \"\(qualifier.joined(separator: "."))\"")
                }
                for relation in relations {
                    for column in relation.columns {
                        items.append("\(Self.quote(relation.alias)).\(Self.quote(column.name))")
                        columns.append(column)
                    }
                }
            case .expression(let value, let alias):
                let (sql, type) = try expression(value, scope)
                let name = alias ?? value.defaultColumnName
                items.append("\(sql) AS \(Self.quote(name))")
                columns.append((name, type))
            }
        }
        var text = "SELECT " + (select.distinct ? "DISTINCT " : "") + (items.isEmpty ? "NULL" : items.joined(separator: ", "))
        if !from.isEmpty { text += " FROM " + from.joined(separator: ", ") }
        if let condition = select.whereClause { text += " WHERE " + (try expression(condition, scope).sql) }
        if !select.groupBy.isEmpty {
            var groups: [String] = []
            for term in select.groupBy { groups.append(try expression(term, scope).sql) }
            text += " GROUP BY " + groups.joined(separator: ", ")
        }
        if let condition = select.having { text += " HAVING " + (try expression(condition, scope).sql) }
        if !orderBy.isEmpty {
            // Output names are visible to ORDER BY, as in PostgreSQL.
            let ordering = Scope(outer: scope)
            ordering.relations = [("", columns)]
            text += " ORDER BY " + (try orderTerms(orderBy, ordering))
        }
        return (text, columns)
    }

    private func orderTerms(_ terms: [SQLOrderTerm], _ scope: Scope) throws(PGError) -> String {
        var printed: [String] = []
        for term in terms {
            var sql = try expression(term.expression, scope).sql
            if term.descending { sql += " DESC" }
            // PostgreSQL sorts NULLs last ascending and first descending; SQLite the other way.
            switch term.nullsFirst ?? term.descending {
            case true: sql += " NULLS FIRST"
            case false: sql += " NULLS LAST"
            }
            printed.append(sql)
        }
        return printed.joined(separator: ", ")
    }

    private func fromItem(_ item: SQLTableReference, _ scope: Scope) throws(PGError) -> String {
        switch item {
        case .table(let name, let alias):
            guard let table = CatalogTables.named(name) else {
                throw PGError(PGError.undefinedTable, "relation \"\(name.joined(separator: "."))\" does not exist",
                              hint: "queries that read a cube take no system catalog; queries of the catalogs take no cube")
            }
            let aliasName = alias?.name ?? table.name
            var columns = table.columns
            if let renamed = alias?.columns {
                for (index, name) in renamed.enumerated() where index < columns.count { columns[index].name = name }
            }
            scope.relations.append((aliasName, columns))
            return "\(Self.quote(table.schema)).\(Self.quote(table.name)) AS \(Self.quote(aliasName))"
        case .subquery(let query, let alias, _):
            let (sql, columns) = try translate(query, outer: scope.outer)
            let aliasName = alias?.name ?? "subquery"
            scope.relations.append((aliasName, columns))
            return "(\(sql)) AS \(Self.quote(aliasName))"
        case .function(let call, let alias, _):
            guard call.baseName == "unnest", call.arguments.count == 1 else {
                throw PGError(PGError.featureNotSupported, "function \(call.baseName)() in FROM is not supported in queries of the system catalogs")
            }
            let (array, _) = try expression(call.arguments[0], scope)
            let aliasName = alias?.name ?? "unnest"
            let column = alias?.columns.first ?? aliasName
            scope.relations.append((aliasName, [(column, .text)]))
            return "(SELECT value AS \(Self.quote(column)) FROM json_each(\(Self.arrayAsJSON(array)))) AS \(Self.quote(aliasName))"
        case .join(let left, let kind, let right, let condition):
            var text = try fromItem(left, scope) + " \(kind.rawValue) " + (try fromItem(right, scope))
            switch condition {
            case .on(let expression): text += " ON " + (try self.expression(expression, scope).sql)
            case .using(let columns): text += " USING (" + columns.map(Self.quote).joined(separator: ", ") + ")"
            case .natural, .none: break
            }
            if case .natural = condition { text = text.replacingOccurrences(of: " \(kind.rawValue) ", with: " NATURAL \(kind.rawValue) ") }
            return text
        }
    }

    /// A PostgreSQL array literal (`{a,b}`) as a JSON array of strings, for json_each.
    static func arrayAsJSON(_ sql: String) -> String {
        "CASE WHEN \(sql) IS NULL OR \(sql) = '{}' THEN '[]' ELSE '[\"' || replace(trim(\(sql), '{}'), ',', '\",\"') || '\"]' END"
    }

    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
