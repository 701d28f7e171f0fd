import FloeCore
import FloeEngine

/// A SELECT over one cube or view, translated into a Cube query: what it asks (the query, its
/// filter values still naming the bound parameters they take), and what each result column is.
public struct SemanticSQLStatement: Sendable {
    /// One result column: its name, and the key of the member whose values it shows.
    public struct Output: Sendable, Equatable {
        public var name: String
        /// The member as a result row keys it (`orders.status`, `orders.created_at.month`).
        public var key: String
        /// Cube's type of the values: `string`, `number`, `time`, `boolean`.
        public var valueType: String
        /// The measure's type (`count`, `sum`, …) for a measure.
        public var measureType: String?
    }

    /// Where a value comes from: the SQL text, or a bound parameter (`$1` is 1).
    public enum Value: Sendable, Equatable {
        case literal(String)
        case parameter(Int)
    }

    public var outputs: [Output]
    /// The query, with each filter value that is a parameter written as ``placeholder(_:)``.
    var template: CubeQuery
    var limit: Value?
    var offset: Value?
    /// `WHERE __user = 'name'`: the query asks to run as that user (Cube's SQL API user switch).
    public var user: Value?
    /// The Cube type each parameter is compared with (`$1` → `string`), for Describe; `integer`
    /// for LIMIT and OFFSET.
    public var parameterTypes: [Int: String]

    /// How many parameters the statement takes (the highest `$n`).
    public var parameterCount: Int { parameterTypes.keys.max() ?? 0 }

    static let placeholderMark: Character = "\u{1}"
    /// A bound LIKE pattern: which Cube operator it is depends on where its `%` are.
    static let likeMark: Character = "\u{2}"

    static func likePlaceholder(_ index: Int) -> String { "\(likeMark)\(index)" }

    /// An ILIKE pattern as Cube's filter: `%x%` contains, `x%` startsWith, `%x` endsWith, `x` equals
    /// (`NOT` the negations); other wildcards cannot become a Cube filter.
    static func likeFilter(_ member: String, pattern text: String, negated: Bool) throws(SemanticError) -> QueryFilter {
        let starts = text.hasPrefix("%"), ends = text.hasSuffix("%") && text.count > 1
        var core = String(text.dropFirst(starts ? 1 : 0).dropLast(ends ? 1 : 0))
        let unescaped = core.replacingOccurrences(of: "\\_", with: "").replacingOccurrences(of: "\\%", with: "")
        guard !unescaped.contains("%"), !unescaped.contains("_") else {
            throw SemanticError(.badQuery, "LIKE '\(text)': only a pattern with % at its start, its end or both becomes a Cube filter",
                                sqlState: SemanticSQLTranslator.notSupported)
        }
        core = core.replacingOccurrences(of: "\\_", with: "_").replacingOccurrences(of: "\\%", with: "%")
        let operation: FilterOperator = switch (starts, ends) {
        case (true, true): negated ? .notContains : .contains
        case (false, true): negated ? .notStartsWith : .startsWith
        case (true, false): negated ? .notEndsWith : .endsWith
        case (false, false): negated ? .notEquals : .equals
        }
        return .member(member, operation, [core])
    }

    /// A parameter in a filter's values until it is bound.
    static func placeholder(_ index: Int) -> String { "\(placeholderMark)\(index)" }

    /// The user `__user` names, its parameter bound; nil when the query names none.
    public func user(binding parameters: [String?]) throws(SemanticError) -> String? {
        switch user {
        case nil: return nil
        case .literal(let name)?: return name
        case .parameter(let index)?:
            guard index <= parameters.count, let name = parameters[index - 1] else { throw .badQuery("parameter $\(index) (__user) is NULL") }
            return name
        }
    }

    /// The Cube query with `parameters` (as text; nil is NULL) in their places.
    public func query(binding parameters: [String?]) throws(SemanticError) -> CubeQuery {
        guard parameters.count >= parameterCount else {
            throw .badQuery("the statement takes \(parameterCount) parameters and \(parameters.count) were bound")
        }
        func value(_ text: String) throws(SemanticError) -> String {
            guard text.first == Self.placeholderMark, let index = Int(text.dropFirst()) else { return text }
            guard let bound = parameters[index - 1] else {
                throw .badQuery("parameter $\(index) is NULL, which equals nothing: write IS NULL or IS NOT NULL to test for missing values")
            }
            return SQLValueText.normalized(bound, type: parameterTypes[index] ?? "string")
        }
        func bind(_ filter: QueryFilter) throws(SemanticError) -> QueryFilter {
            switch filter {
            case .member(let member, let operation, let values):
                if values.count == 1, values[0].first == Self.likeMark, let index = Int(values[0].dropFirst()) {
                    guard let pattern = parameters[index - 1] else { throw .badQuery("parameter $\(index) is NULL: ILIKE NULL matches nothing") }
                    return try Self.likeFilter(member, pattern: pattern, negated: operation == .notContains)
                }
                return .member(member, operation, try values.map { text throws(SemanticError) in try value(text) })
            case .and(let children): return .and(try children.map { child throws(SemanticError) in try bind(child) })
            case .or(let children): return .or(try children.map { child throws(SemanticError) in try bind(child) })
            }
        }
        var query = template
        query.filters = try template.filters.map { filter throws(SemanticError) in try bind(filter) }
        func count(_ source: Value?, _ clause: String) throws(SemanticError) -> Int? {
            guard let source else { return nil }
            let text: String?
            switch source {
            case .literal(let literal): text = literal
            case .parameter(let index): text = parameters[index - 1]
            }
            guard let text else { return nil }
            guard let number = Int(text), number >= 0 else {
                throw SemanticError(.badQuery, "\(clause) must be a whole number of rows, not '\(text)'", sqlState: "22P02")
            }
            return number
        }
        query.limit = try count(limit, "LIMIT") ?? CubeQuery.maximumLimit
        query.offset = try count(offset, "OFFSET")
        return query
    }
}

/// Values as SQL clients write them, as Cube queries read them.
enum SQLValueText {
    /// Timestamps lose a UTC offset (`2024-01-01 00:00:00+00` → `2024-01-01 00:00:00`);
    /// booleans become `true`/`false`.
    static func normalized(_ text: String, type: String) -> String {
        switch type {
        case "time":
            for suffix in ["+00:00", "+00", "Z", "z"] where text.hasSuffix(suffix) { return String(text.dropLast(suffix.count)) }
            return text
        case "boolean":
            switch text.lowercased() {
            case "t", "true", "1", "yes", "on", "y": return "true"
            case "f", "false", "0", "no", "off", "n": return "false"
            default: return text
            }
        default:
            return text
        }
    }
}
