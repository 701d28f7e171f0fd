import FloeContract
import FloeCore
import FloeEngine

/// Writes a query's filters as SQL conditions, every value bound. Dimension filters become the
/// WHERE clause; measure filters the HAVING clause (an `or` may not mix the two).
struct FilterSQL {
    let catalog: SemanticCatalog
    let members: MemberSQL
    let values: BoundValues
    /// A dimension's value as the query sees it (time moved to the query's zone).
    let dimensionValue: (MemberReference, CubeDimension) throws(SemanticError) -> String
    /// A measure's aggregate where a HAVING condition needs it.
    let measureValue: (MemberReference, CubeMeasure) throws(SemanticError) -> String

    enum Place { case rows, groups }

    /// The conditions on rows (WHERE) and on groups (HAVING), each a list to AND.
    func conditions(_ filters: [QueryFilter], path: String = "filters") throws(SemanticError) -> (rows: [String], groups: [String]) {
        var rows: [String] = []
        var groups: [String] = []
        for (index, filter) in filters.enumerated() {
            let location = "\(path)[\(index)]"
            if case .and(let children) = filter {
                let inner = try conditions(children, path: "\(location).and")
                rows += inner.rows
                groups += inner.groups
                continue
            }
            let (place, sql) = try condition(filter, location: location)
            if place == .rows { rows.append(sql) } else { groups.append(sql) }
        }
        return (rows, groups)
    }

    private func condition(_ filter: QueryFilter, location: String) throws(SemanticError) -> (Place, String) {
        switch filter {
        case .and(let children), .or(let children):
            let isAnd = if case .and = filter { true } else { false }
            guard !children.isEmpty else { return (.rows, isAnd ? "1 = 1" : "1 = 0") }
            var place: Place?
            var parts: [String] = []
            for (index, child) in children.enumerated() {
                let (childPlace, sql) = try condition(child, location: "\(location).\(isAnd ? "and" : "or")[\(index)]")
                if let place, place != childPlace {
                    throw .badQuery("\(location): an \(isAnd ? "and" : "or") cannot mix dimension and measure filters; put them in separate filters")
                }
                place = childPlace
                parts.append("(\(sql))")
            }
            return (place ?? .rows, parts.joined(separator: isAnd ? " and " : " or "))
        case .member(let name, let operation, let given):
            let reference = try catalog.member(name, as: .measureOrDimension, at: "\(location).member")
            switch reference.member {
            case .measure(let measure):
                if operation == .measureFilter {
                    let conditions = try measure.filters.map { filter throws(SemanticError) in try members.condition(filter, in: reference.cube) }
                    return (.rows, conditions.isEmpty ? "1 = 1" : conditions.map { "(\($0))" }.joined(separator: " and "))
                }
                let expression = try measureValue(reference, measure)
                return (.groups, try comparison(expression, type: "number", operation, given, location: location))
            case .dimension(let dimension):
                if operation == .measureFilter { throw .badQuery("\(location): measureFilter applies to a measure; '\(name)' is a dimension") }
                let expression = try dimensionValue(reference, dimension)
                return (.rows, try comparison(expression, type: dimension.type, operation, given, location: location))
            case .segment:
                throw .badQuery("\(location): '\(name)' is a segment; put it in segments")
            }
        }
    }

    /// One operator over one expression.
    func comparison(_ expression: String, type: String, _ operation: FilterOperator, _ given: [String], location: String) throws(SemanticError) -> String {
        let dialect = members.dialect
        func bound(_ text: String) throws(SemanticError) -> String { try bind(text, type: type, location: location) }
        func time(_ text: String, endOfDay: Bool) throws(SemanticError) -> String {
            guard var value = CivilTimestamp(text) else {
                throw .badQuery("\(location): '\(text)' is not a date or timestamp (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)")
            }
            if endOfDay, !text.contains(":") { value = CalendarMath.endOf(.day, value) }
            return dialect.timestampParameter(values.add(.text(value.text())))
        }
        func like(_ pattern: (String) -> String) -> [String] {
            given.map { dialect.caseInsensitiveLike(expression, values.add(.text(pattern(Self.escapeLike($0))))) }
        }
        let timed = type == "time" ? dialect.comparableTimestamp(expression) : expression
        switch operation {
        case .equals:
            if type == "time" { return try given.map { value throws(SemanticError) in "\(timed) = \(try time(value, endOfDay: false))" }.joined(separator: " or ") }
            return given.count == 1 ? "\(expression) = \(try bound(given[0]))"
                : "\(expression) in (\(try given.map { value throws(SemanticError) in try bound(value) }.joined(separator: ", ")))"
        case .notEquals:
            if type == "time" {
                return "(" + (try given.map { value throws(SemanticError) in "\(timed) <> \(try time(value, endOfDay: false))" }.joined(separator: " and ")) + ") or \(expression) is null"
            }
            return given.count == 1 ? "\(expression) <> \(try bound(given[0])) or \(expression) is null"
                : "\(expression) not in (\(try given.map { value throws(SemanticError) in try bound(value) }.joined(separator: ", "))) or \(expression) is null"
        case .contains: return like { "%\($0)%" }.joined(separator: " or ")
        case .notContains: return "not (\(like { "%\($0)%" }.joined(separator: " or "))) or \(expression) is null"
        case .startsWith: return like { "\($0)%" }.joined(separator: " or ")
        case .notStartsWith: return "not (\(like { "\($0)%" }.joined(separator: " or "))) or \(expression) is null"
        case .endsWith: return like { "%\($0)" }.joined(separator: " or ")
        case .notEndsWith: return "not (\(like { "%\($0)" }.joined(separator: " or "))) or \(expression) is null"
        case .gt, .gte, .lt, .lte:
            let symbol = [FilterOperator.gt: ">", .gte: ">=", .lt: "<", .lte: "<="][operation]!
            if type == "time" { return "\(timed) \(symbol) \(try time(given[0], endOfDay: operation == .gt || operation == .lte))" }
            return "\(expression) \(symbol) \(try bind(given[0], type: type == "string" ? "string" : "number", location: location))"
        case .set: return "\(expression) is not null"
        case .notSet: return "\(expression) is null"
        case .inDateRange, .notInDateRange:
            try requireTime(type, operation, location)
            let from = try time(given[0], endOfDay: false)
            let to = try time(given[1], endOfDay: true)
            return operation == .inDateRange ? "\(timed) >= \(from) and \(timed) <= \(to)" : "\(timed) < \(from) or \(timed) > \(to)"
        case .beforeDate, .beforeOrOnDate, .afterDate, .afterOrOnDate:
            try requireTime(type, operation, location)
            let symbol = [FilterOperator.beforeDate: "<", .beforeOrOnDate: "<=", .afterDate: ">", .afterOrOnDate: ">="][operation]!
            // "On or before" a date includes that whole day, and "after" a date starts after it.
            let endOfDay = operation == .beforeOrOnDate || operation == .afterDate
            return "\(timed) \(symbol) \(try time(given[0], endOfDay: endOfDay))"
        case .measureFilter:
            throw .badQuery("\(location): measureFilter applies to a measure")
        }
    }

    private func requireTime(_ type: String, _ operation: FilterOperator, _ location: String) throws(SemanticError) {
        guard type == "time" else { throw .badQuery("\(location): \(operation.rawValue) applies to time dimensions; this member is a \(type)") }
    }

    /// A value as the member's type binds it: numbers as numbers, the rest as text.
    private func bind(_ text: String, type: String, location: String) throws(SemanticError) -> String {
        switch type {
        case "number":
            if let integer = Int64(text) { return values.add(.integer(integer)) }
            if let real = Double(text), real.isFinite { return values.add(.real(real)) }
            throw .badQuery("\(location): '\(text)' is not a number, and the member is a number")
        case "boolean":
            switch text.lowercased() {
            case "true", "1": return values.add(.integer(1))
            case "false", "0": return values.add(.integer(0))
            default: throw .badQuery("\(location): '\(text)' is not true or false, and the member is a boolean")
            }
        default:
            return values.add(.text(text))
        }
    }

    /// `%`, `_` and `\` in a value match themselves.
    static func escapeLike(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
