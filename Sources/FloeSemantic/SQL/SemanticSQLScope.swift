import FloeCore
import FloeEngine
import FloeSQL

extension SemanticSQLTranslator {
    /// The query's one table under its alias: what its expressions' names mean.
    struct Scope {
        let table: SemanticTables.Table
        let alias: String

        /// The aggregates that may stand for a measure, by the measure types they match.
        static let aggregates: [String: Set<String>] = [
            "sum": ["sum", "number", "running_total"], "avg": ["avg"], "min": ["min"], "max": ["max"],
            "count": ["count"],
        ]

        /// A column of the table (`status`, `o.status`, `orders.status`).
        func column(_ parts: [String]) throws(SemanticError) -> SemanticTables.Column {
            let name = parts[parts.count - 1]
            if parts.count > 1, parts[parts.count - 2] != alias, parts[parts.count - 2] != table.name {
                throw .badQuery("missing FROM-clause entry for table \"\(parts[parts.count - 2])\"")
            }
            if let found = table.column(name) ?? unique(name) { return found }
            if name == "__user" {
                throw .badQuery("__user is only read at the top of WHERE (__user = 'name', ANDed with the rest), where it changes the security context")
            }
            throw SemanticError(.badQuery, "column \"\(name)\" does not exist in \(table.isView ? "view" : "cube") \(table.name)"
                + SemanticSQLTranslator.hint(Suggestions.didYouMean(name, in: table.columns.map(\.name))), sqlState: "42703")
        }

        /// The column of an unquoted name folded to lower case, when the member is spelled in capitals.
        private func unique(_ name: String) -> SemanticTables.Column? {
            let found = table.columns.filter { $0.name.lowercased() == name.lowercased() }
            return found.count == 1 ? found[0] : nil
        }

        func isAggregate(_ expression: SQLExpression) -> Bool {
            switch expression {
            case .function(let call):
                let name = call.baseName
                return call.window == nil && (name == "measure" || Self.aggregates[name] != nil)
            case .cast(let inner, _): return isAggregate(inner)
            default: return false
            }
        }

        /// The member an expression of the select list, GROUP BY or ORDER BY names.
        /// `allowPlainMeasure`: whether a measure's bare column is taken (not with GROUP BY, as SQL).
        func member(_ expression: SQLExpression, place: String, allowPlainMeasure: Bool) throws(SemanticError) -> Member {
            switch expression {
            case .column(let parts):
                let column = try column(parts)
                switch column.kind {
                case .dimension: return .dimension(column)
                case .measure:
                    guard allowPlainMeasure else {
                        throw .badQuery("column \"\(column.name)\" is a measure: with GROUP BY write MEASURE(\(column.name)) (or its aggregate) in \(place)")
                    }
                    return .measure(column)
                case .segment:
                    throw .badQuery("\"\(column.name)\" is a segment: use it in WHERE (WHERE \(column.name)), not in \(place)")
                }
            case .cast(let inner, _):
                return try member(inner, place: place, allowPlainMeasure: allowPlainMeasure)
            case .function(let call):
                return try function(call, place: place)
            default:
                throw .badQuery(Self.unsupported(place))
            }
        }

        static func unsupported(_ place: String) -> String {
            "the SQL API takes in \(place): a column of the cube, MEASURE(measure) or the aggregate matching the measure's type, "
                + "or DATE_TRUNC('granularity', time dimension); other expressions would need post-processing, which is not supported"
        }

        private func function(_ call: SQLFunctionCall, place: String) throws(SemanticError) -> Member {
            let name = call.baseName
            guard call.window == nil, call.filter == nil else {
                throw .badQuery("window functions and FILTER clauses are not supported by the SQL API (\(name) in \(place))")
            }
            if name == "measure" {
                guard call.arguments.count == 1, case .column(let parts) = Self.uncast(call.arguments[0]) else {
                    throw .badQuery("MEASURE takes one measure column: MEASURE(count)")
                }
                let column = try column(parts)
                guard case .measure = column.kind else { throw .badQuery("MEASURE(\(column.name)): \"\(column.name)\" is not a measure of \(table.name)") }
                return .measure(column)
            }
            if name == "date_trunc" {
                guard call.arguments.count == 2, case .literal(.string(let unit)) = call.arguments[0],
                      case .column(let parts) = Self.uncast(call.arguments[1]) else {
                    throw .badQuery("DATE_TRUNC takes a granularity and a time dimension: DATE_TRUNC('month', created_at)")
                }
                guard let part = DatePart(rawValue: unit.lowercased()) else {
                    throw .badQuery("DATE_TRUNC: '\(unit)' is not a granularity; use second, minute, hour, day, week, month, quarter or year")
                }
                let column = try column(parts)
                guard case .dimension("time") = column.kind else {
                    throw .badQuery("DATE_TRUNC: \"\(column.name)\" is not a time dimension of \(table.name)")
                }
                return .truncated(column, part)
            }
            if name == "count", call.star || (call.arguments.count == 1 && call.arguments[0] == .literal(.number("1"))) {
                guard let count = table.columns.first(where: { $0.kind == .measure(type: "count") }) else {
                    throw .badQuery("COUNT(*): \(table.name) has no measure of type count; add one or use MEASURE(...)")
                }
                return .measure(count)
            }
            if let matching = Self.aggregates[name] {
                guard call.arguments.count == 1, case .column(let parts) = Self.uncast(call.arguments[0]) else {
                    throw .badQuery("\(name.uppercased()) takes one measure column in the SQL API: \(name.uppercased())(amount)")
                }
                let column = try column(parts)
                guard case .measure(let type) = column.kind else {
                    throw .badQuery("\(name.uppercased())(\(column.name)): \"\(column.name)\" is a dimension; aggregates apply to measures, "
                        + "which the cube already defines (MEASURE(measure))")
                }
                let distinctTypes: Set<String> = ["count_distinct", "count_distinct_approx"]
                let matches = call.distinct ? (name == "count" && distinctTypes.contains(type)) : matching.contains(type) || (name == "count" && type == "count")
                guard matches else {
                    throw .badQuery("measure \"\(column.name)\" is of type \(type); \(name.uppercased())(\(call.distinct ? "DISTINCT " : "")\(column.name)) "
                        + "does not match it: write MEASURE(\(column.name))")
                }
                return .measure(column)
            }
            throw SemanticError(.badQuery, "function \(name)() is not supported in \(place); " + Self.unsupported(place), sqlState: "42883")
        }

        static func uncast(_ expression: SQLExpression) -> SQLExpression {
            if case .cast(let inner, _) = expression { return uncast(inner) }
            return expression
        }
    }
}
