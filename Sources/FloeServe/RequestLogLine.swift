import FloeSemantic

/// What the request log says of a query: the members it names, in the order given (`Orders.count,
/// Orders.status`), the queries of a list separated by `;`.
enum RequestLogLine {
    static func members(of query: JSONValue) -> String {
        if let queries = query.arrayValue { return queries.map(members(of:)).joined(separator: "; ") }
        var names: [String] = []
        for key in ["measures", "dimensions", "segments"] {
            for item in query[key]?.arrayValue ?? [] { if let name = item.stringValue { names.append(name) } }
        }
        for time in query["timeDimensions"]?.arrayValue ?? [] {
            guard let dimension = time["dimension"]?.stringValue else { continue }
            names.append(time["granularity"]?.stringValue.map { "\(dimension).\($0)" } ?? dimension)
        }
        return names.isEmpty ? "-" : names.joined(separator: ",")
    }
}
