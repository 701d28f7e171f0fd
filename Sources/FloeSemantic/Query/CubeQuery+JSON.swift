import FloeCore
import FloeEngine

extension CubeQuery {
    static let keys = ["measures", "dimensions", "timeDimensions", "filters", "segments", "order", "limit", "offset",
                       "total", "timezone", "ungrouped", "renewQuery", "rowLimit", "responseFormat"]

    /// Reads a query in Cube's JSON form. Every problem is reported, not only the first.
    public init(json: JSONValue) throws(SemanticError) {
        var problems: [String] = []
        guard let members = json.objectValue else {
            throw .badQuery("a query is a JSON object, got \(json.kindName)")
        }
        self.init()
        for (key, value) in members {
            switch key {
            case "measures": measures = Self.strings(value, "measures", &problems)
            case "dimensions": dimensions = Self.strings(value, "dimensions", &problems)
            case "segments": segments = Self.strings(value, "segments", &problems)
            case "timeDimensions":
                guard let items = value.arrayValue else { problems.append("timeDimensions: expected an array, got \(value.kindName)"); continue }
                for (index, item) in items.enumerated() {
                    if let dimension = Self.timeDimension(item, path: "timeDimensions[\(index)]", &problems) { timeDimensions.append(dimension) }
                }
            case "filters":
                guard let items = value.arrayValue else { problems.append("filters: expected an array, got \(value.kindName)"); continue }
                for (index, item) in items.enumerated() {
                    if let filter = Self.filter(item, path: "filters[\(index)]", depth: 0, &problems) { filters.append(filter) }
                }
            case "order": order = Self.order(value, &problems)
            case "limit", "rowLimit":
                guard let number = value.intValue, number >= 0 else { problems.append("\(key): expected a whole number of rows, 0 or more"); continue }
                limit = number
            case "offset":
                guard let number = value.intValue, number >= 0 else { problems.append("offset: expected a whole number of rows, 0 or more"); continue }
                offset = number
            case "total":
                guard let flag = value.boolValue else { problems.append("total: expected true or false"); continue }
                total = flag
            case "ungrouped":
                guard let flag = value.boolValue else { problems.append("ungrouped: expected true or false"); continue }
                ungrouped = flag
            case "timezone":
                guard let zone = value.stringValue else { problems.append("timezone: expected an IANA time zone name such as Europe/Paris"); continue }
                timezone = zone
            case "responseFormat":
                guard let format = value.stringValue.flatMap(ResponseFormat.init(rawValue:)) else {
                    problems.append("responseFormat: expected default, compact or columnar")
                    continue
                }
                responseFormat = format
            case "renewQuery": continue
            default:
                problems.append("unknown query key '\(key)'" + (Suggestions.didYouMean(key, in: Self.keys).map { "; \($0)" } ?? ""))
            }
        }
        guard problems.isEmpty else { throw .badQuery(problems.joined(separator: "; ")) }
    }

    /// The query as it ran (limit and time zone filled in), for the response's `query` field.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = []
        if !measures.isEmpty { members.append(("measures", .array(measures.map(JSONValue.string)))) }
        if !dimensions.isEmpty { members.append(("dimensions", .array(dimensions.map(JSONValue.string)))) }
        if !timeDimensions.isEmpty {
            members.append(("timeDimensions", .array(timeDimensions.map { time in
                var fields: [(String, JSONValue)] = [("dimension", .string(time.dimension))]
                if let granularity = time.granularity { fields.append(("granularity", .string(granularity.rawValue))) }
                if let range = time.dateRange { fields.append(("dateRange", range.json)) }
                if let ranges = time.compareDateRange { fields.append(("compareDateRange", .array(ranges.map(\.json)))) }
                return .object(fields)
            })))
        }
        if !segments.isEmpty { members.append(("segments", .array(segments.map(JSONValue.string)))) }
        members.append(("filters", .array(filters.map(\.json))))
        if !order.isEmpty {
            members.append(("order", .array(order.map { .array([.string($0.member), .string($0.descending ? "desc" : "asc")]) })))
        }
        members.append(("limit", .number(String(effectiveLimit))))
        if let offset { members.append(("offset", .number(String(offset)))) }
        if total { members.append(("total", .bool(true))) }
        members.append(("timezone", .string(timezone)))
        if ungrouped { members.append(("ungrouped", .bool(true))) }
        if responseFormat != .default { members.append(("responseFormat", .string(responseFormat.rawValue))) }
        return .object(members)
    }

    private static func strings(_ value: JSONValue, _ path: String, _ problems: inout [String]) -> [String] {
        guard let items = value.arrayValue else {
            problems.append("\(path): expected an array of member names, got \(value.kindName)")
            return []
        }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            guard let name = item.stringValue else {
                problems.append("\(path)[\(index)]: expected a member name such as Orders.count, got \(item.kindName)")
                continue
            }
            names.append(name)
        }
        return names
    }

    private static func timeDimension(_ value: JSONValue, path: String, _ problems: inout [String]) -> TimeDimensionQuery? {
        guard let fields = value.objectValue else {
            problems.append("\(path): expected an object with dimension, granularity and dateRange")
            return nil
        }
        var dimension: String?
        var result = TimeDimensionQuery(dimension: "")
        for (key, field) in fields {
            switch key {
            case "dimension":
                dimension = field.stringValue
                if dimension == nil { problems.append("\(path).dimension: expected a member name") }
            case "granularity":
                if field == .null { continue }
                guard let text = field.stringValue, let part = DatePart(rawValue: text) else {
                    problems.append("\(path).granularity: expected one of \(DatePart.allCases.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                result.granularity = part
            case "dateRange":
                if field == .null { continue }
                result.dateRange = dateRange(field, path: "\(path).dateRange", &problems)
            case "compareDateRange":
                guard let items = field.arrayValue, !items.isEmpty else {
                    problems.append("\(path).compareDateRange: expected an array of date ranges")
                    continue
                }
                result.compareDateRange = items.enumerated().compactMap { dateRange($1, path: "\(path).compareDateRange[\($0)]", &problems) }
            default:
                problems.append("\(path): unknown key '\(key)'; a time dimension has dimension, granularity, dateRange and compareDateRange")
            }
        }
        guard let dimension else {
            problems.append("\(path): dimension is missing")
            return nil
        }
        result.dimension = dimension
        return result
    }

    private static func dateRange(_ value: JSONValue, path: String, _ problems: inout [String]) -> DateRange? {
        if let phrase = value.stringValue { return .relative(phrase) }
        if let items = value.arrayValue, items.count == 2, let from = items[0].stringValue, let to = items[1].stringValue {
            return .absolute(from, to)
        }
        if let items = value.arrayValue, items.count == 1, let day = items[0].stringValue { return .absolute(day, day) }
        problems.append("\(path): expected [from, to] or a relative range such as 'last 7 days'")
        return nil
    }

    /// The deepest `and`/`or` nesting a query may have.
    static let maximumFilterDepth = 16

    private static func filter(_ value: JSONValue, path: String, depth: Int, _ problems: inout [String]) -> QueryFilter? {
        guard depth < maximumFilterDepth else {
            problems.append("\(path): filters nest deeper than \(maximumFilterDepth) levels")
            return nil
        }
        guard let fields = value.objectValue else {
            problems.append("\(path): expected an object with member, operator and values, or with and/or")
            return nil
        }
        if fields.count == 1, fields[0].0 == "and" || fields[0].0 == "or" {
            let (key, list) = fields[0]
            guard let items = list.arrayValue else {
                problems.append("\(path).\(key): expected an array of filters")
                return nil
            }
            let children = items.enumerated().compactMap { filter($1, path: "\(path).\(key)[\($0)]", depth: depth + 1, &problems) }
            return key == "and" ? .and(children) : .or(children)
        }
        var member: String?
        var operation: FilterOperator?
        var values: [String] = []
        for (key, field) in fields {
            switch key {
            case "member", "dimension":
                member = field.stringValue
                if member == nil { problems.append("\(path).\(key): expected a member name") }
            case "operator":
                guard let text = field.stringValue, let parsed = FilterOperator(rawValue: text) else {
                    let text = field.stringValue ?? field.kindName
                    problems.append("\(path).operator: unknown operator '\(text)'"
                        + (Suggestions.didYouMean(text, in: FilterOperator.allCases.map(\.rawValue)).map { "; \($0)" } ?? ""))
                    continue
                }
                operation = parsed
            case "values":
                guard let items = field.arrayValue else {
                    problems.append("\(path).values: expected an array of values")
                    continue
                }
                for (index, item) in items.enumerated() {
                    switch item {
                    case .string(let text): values.append(text)
                    case .number(let text): values.append(text)
                    case .bool(let flag): values.append(flag ? "true" : "false")
                    default: problems.append("\(path).values[\(index)]: expected a string or a number, got \(item.kindName)")
                    }
                }
            case "and", "or":
                problems.append("\(path): '\(key)' must be the only key of its object")
            default:
                problems.append("\(path): unknown key '\(key)'; a filter has member, operator and values")
            }
        }
        guard let member, let operation else {
            if member == nil { problems.append("\(path): member is missing") }
            if operation == nil, !fields.contains(where: { $0.0 == "operator" }) { problems.append("\(path): operator is missing") }
            return nil
        }
        if let count = operation.valueCount, values.count != count {
            problems.append("\(path): \(operation.rawValue) takes \(count == 0 ? "no values" : count == 1 ? "one value" : "\(count) values"), got \(values.count)")
        } else if operation.valueCount == nil, values.isEmpty {
            problems.append("\(path): \(operation.rawValue) takes one or more values")
        }
        return .member(member, operation, values)
    }

    private static func order(_ value: JSONValue, _ problems: inout [String]) -> [OrderTerm] {
        func direction(_ value: JSONValue, _ path: String) -> Bool? {
            switch value.stringValue?.lowercased() {
            case "asc": return false
            case "desc": return true
            default:
                problems.append("\(path): expected asc or desc")
                return nil
            }
        }
        if let members = value.objectValue {
            return members.compactMap { member, value in direction(value, "order.\(member)").map { OrderTerm(member: member, descending: $0) } }
        }
        if let items = value.arrayValue {
            return items.enumerated().compactMap { index, item in
                guard let pair = item.arrayValue, pair.count == 2, let member = pair[0].stringValue else {
                    problems.append("order[\(index)]: expected [member, asc|desc]")
                    return nil
                }
                return direction(pair[1], "order[\(index)]").map { OrderTerm(member: member, descending: $0) }
            }
        }
        problems.append("order: expected {member: asc|desc, …} or [[member, asc|desc], …]")
        return []
    }
}

extension QueryFilter {
    var json: JSONValue {
        switch self {
        case .member(let member, let operation, let values):
            var fields: [(String, JSONValue)] = [("member", .string(member)), ("operator", .string(operation.rawValue))]
            if !values.isEmpty { fields.append(("values", .array(values.map(JSONValue.string)))) }
            return .object(fields)
        case .and(let children): return .object([("and", .array(children.map(\.json)))])
        case .or(let children): return .object([("or", .array(children.map(\.json)))])
        }
    }
}
