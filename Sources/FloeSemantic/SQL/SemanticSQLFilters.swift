import FloeSQL

extension SemanticSQLTranslator {
    /// WHERE and HAVING as Cube filters: comparisons of a member with values (literals or bound
    /// parameters), IN, BETWEEN, IS NULL, ILIKE patterns, AND/OR/NOT; segments in WHERE.
    struct FilterTranslation {
        let scope: Scope
        private(set) var filters: [QueryFilter] = []
        private(set) var segments: [String] = []
        private(set) var parameterTypes: [Int: String] = [:]
        /// `__user = 'name'` at the top of WHERE: whose security context the query runs with.
        private(set) var user: SemanticSQLStatement.Value?

        init(scope: Scope) {
            self.scope = scope
        }

        mutating func add(_ condition: SQLExpression, having: Bool) throws(SemanticError) {
            // Top-level AND: segments may sit beside the filters.
            if case .and(let left, let right) = condition {
                try add(left, having: having)
                try add(right, having: having)
                return
            }
            if !having, case .binary(.column(let parts), "=", let value) = condition, parts.last == "__user" {
                guard user == nil else { throw .badQuery("__user is given twice") }
                switch value {
                case .literal(.string(let name)): user = .literal(name)
                case .parameter(let index):
                    parameterTypes[index] = "string"
                    user = .parameter(index)
                default: throw .badQuery("__user = takes a user name: __user = 'analyst'")
                }
                return
            }
            if !having, let segment = try segment(condition) {
                segments.append(segment)
                return
            }
            filters.append(try filter(condition, having: having, negated: false))
        }

        /// A segment's column alone (`WHERE completed`, `completed = true`, `completed IS TRUE`).
        private func segment(_ condition: SQLExpression) throws(SemanticError) -> String? {
            var expression = condition
            switch condition {
            case .binary(let left, "=", .literal(.boolean(true))): expression = left
            case .isBoolean(let left, true?, negated: false): expression = left
            default: break
            }
            guard case .column(let parts) = expression, let column = try? scope.column(parts), column.kind == .segment else { return nil }
            return column.member
        }

        private mutating func filter(_ condition: SQLExpression, having: Bool, negated: Bool) throws(SemanticError) -> QueryFilter {
            let clause = having ? "HAVING" : "WHERE"
            switch condition {
            case .and(let left, let right):
                let parts = [try filter(left, having: having, negated: negated), try filter(right, having: having, negated: negated)]
                return negated ? .or(parts) : .and(parts)
            case .or(let left, let right):
                let parts = [try filter(left, having: having, negated: negated), try filter(right, having: having, negated: negated)]
                return negated ? .and(parts) : .or(parts)
            case .not(let inner):
                return try filter(inner, having: having, negated: !negated)
            case .binary(let left, let op, let right) where Self.operators[op] != nil:
                if let member = try memberOf(left, having: having), let value = try value(right, for: member) {
                    return try comparison(member, op, [value], negated: negated)
                }
                if let member = try memberOf(right, having: having), let value = try value(left, for: member) {
                    return try comparison(member, Self.flipped[op] ?? op, [value], negated: negated)
                }
                throw .badQuery("\(clause) compares a member of \(scope.table.name) with a constant or a parameter; \(Self.describe(condition)) does neither")
            case .inList(let left, let items, let negatedList):
                let member = try requireMember(left, having: having, clause: clause)
                var values: [String] = []
                for item in items {
                    guard let value = try value(item, for: member) else { throw .badQuery("IN takes constants or parameters") }
                    values.append(value)
                }
                return .member(member.path, negatedList != negated ? .notEquals : .equals, values)
            case .isNull(let left, let negatedTest):
                let member = try requireMember(left, having: having, clause: clause)
                return .member(member.path, negatedTest != negated ? .set : .notSet, [])
            case .between(let left, let low, let high, let negatedRange):
                let member = try requireMember(left, having: having, clause: clause)
                guard let from = try value(low, for: member), let to = try value(high, for: member) else {
                    throw .badQuery("BETWEEN takes constants or parameters")
                }
                let outside = negatedRange != negated
                if member.type == "time" { return .member(member.path, outside ? .notInDateRange : .inDateRange, [from, to]) }
                return outside
                    ? .or([.member(member.path, .lt, [from]), .member(member.path, .gt, [to])])
                    : .and([.member(member.path, .gte, [from]), .member(member.path, .lte, [to])])
            case .like(let left, let kind, let pattern, let negatedLike, escape: nil):
                return try like(left, kind, pattern, negated: negatedLike != negated, having: having, clause: clause)
            case .isBoolean(let left, let truth?, let negatedTest):
                let member = try requireMember(left, having: having, clause: clause)
                return .member(member.path, (negatedTest != negated) ? .notEquals : .equals, [truth ? "true" : "false"])
            case .column(let parts):
                let column = try scope.column(parts)
                if column.kind == .segment {
                    throw .badQuery("segment \"\(column.name)\" can only be ANDed with the other conditions of WHERE (Cube applies segments to the whole query)")
                }
                guard column.valueType == "boolean" else { throw .badQuery("argument of WHERE must be type boolean, not \"\(column.name)\"") }
                return .member(column.member, negated ? .notEquals : .equals, ["true"])
            default:
                throw .badQuery("\(clause) \(Self.describe(condition)) cannot become a Cube filter; the SQL API takes comparisons of a member with "
                    + "constants or parameters (=, <>, <, <=, >, >=, IN, BETWEEN, IS NULL, ILIKE), joined by AND, OR and NOT")
            }
        }

        /// What a condition's member is: its path, type, and whether it is a measure.
        struct FilterMember {
            var path: String
            var type: String
            var isMeasure: Bool
        }

        private func requireMember(_ expression: SQLExpression, having: Bool, clause: String) throws(SemanticError) -> FilterMember {
            guard let member = try memberOf(expression, having: having) else {
                throw .badQuery("\(clause) tests a member of \(scope.table.name); \(Self.describe(expression)) is not one")
            }
            return member
        }

        /// The member an operand names, or nil when it is not a member (a constant, a parameter).
        private func memberOf(_ expression: SQLExpression, having: Bool) throws(SemanticError) -> FilterMember? {
            let clause = having ? "HAVING" : "WHERE"
            switch Scope.uncast(expression) {
            case .column(let parts) where parts.last == "__user":
                throw .badQuery("__user = 'name' changes the security context only at the top of WHERE, ANDed with the rest")
            case .column, .function:
                let member = try scope.member(Scope.uncast(expression), place: clause, allowPlainMeasure: true)
                switch member {
                case .dimension(let column):
                    guard !having else { throw .badQuery("HAVING filters on measures; \"\(column.name)\" is a dimension: move it to WHERE") }
                    return FilterMember(path: column.member, type: column.valueType, isMeasure: false)
                case .measure(let column):
                    guard having else { throw .badQuery("WHERE filters on dimensions; \"\(column.name)\" is a measure: filter it in HAVING") }
                    return FilterMember(path: column.member, type: "number", isMeasure: true)
                case .truncated(let column, _):
                    throw .badQuery("filter on the time dimension \"\(column.name)\" itself (\(column.name) >= '2024-01-01'), not on DATE_TRUNC of it")
                }
            default:
                return nil
            }
        }

        /// A constant or a parameter, as the member's filter values take it; nil for anything else.
        private mutating func value(_ expression: SQLExpression, for member: FilterMember) throws(SemanticError) -> String? {
            switch expression {
            case .literal(.string(let text)): return SQLValueText.normalized(text, type: member.type)
            case .literal(.number(let text)): return text
            case .literal(.boolean(let truth)): return truth ? "true" : "false"
            case .literal(.null): throw .badQuery("a comparison with NULL is never true: write IS NULL or IS NOT NULL")
            case .typedLiteral(_, let text): return SQLValueText.normalized(text, type: member.type)
            case .parameter(let index):
                parameterTypes[index] = member.type
                return SemanticSQLStatement.placeholder(index)
            case .cast(let inner, _): return try value(inner, for: member)
            case .unary("-", .literal(.number(let text))): return "-" + text
            default: return nil
            }
        }

        static let operators: [String: FilterOperator] = ["=": .equals, "<>": .notEquals, "!=": .notEquals, ">": .gt, ">=": .gte, "<": .lt, "<=": .lte]
        static let flipped: [String: String] = [">": "<", ">=": "<=", "<": ">", "<=": ">="]
        static let negations: [FilterOperator: FilterOperator] = [.equals: .notEquals, .notEquals: .equals, .gt: .lte, .gte: .lt, .lt: .gte, .lte: .gt]

        private func comparison(_ member: FilterMember, _ op: String, _ values: [String], negated: Bool) throws(SemanticError) -> QueryFilter {
            var operation = Self.operators[op]!
            if negated { operation = Self.negations[operation]! }
            if member.type == "time" {
                // Cube's date operators compare instants; a date alone is its midnight.
                switch operation {
                case .gt: return .member(member.path, .gt, values)
                case .gte: return .member(member.path, .gte, values)
                case .lt: return .member(member.path, .lt, values)
                case .lte: return .member(member.path, .lte, values)
                default: break
                }
            }
            if member.isMeasure, operation == .notEquals {
                return .or([.member(member.path, .lt, values), .member(member.path, .gt, values)])
            }
            return .member(member.path, operation, values)
        }

        /// ILIKE '%x%', 'x%' and '%x' are Cube's contains, startsWith and endsWith, which ignore
        /// case; LIKE is taken on `lower(member)` with a lower-case pattern, where the two agree.
        private mutating func like(
            _ left: SQLExpression, _ kind: SQLLikeKind, _ pattern: SQLExpression, negated: Bool, having: Bool, clause: String
        ) throws(SemanticError) -> QueryFilter {
            var operand = left
            var lowered = false
            if case .function(let call) = left, call.baseName == "lower" || call.baseName == "upper", call.arguments.count == 1 {
                operand = call.arguments[0]
                lowered = true
            }
            let member = try requireMember(operand, having: having, clause: clause)
            guard member.type == "string" else { throw .badQuery("\(kind.rawValue) applies to string dimensions") }
            switch pattern {
            case .literal(.string(let text)):
                guard kind == .ilike || (kind == .like && lowered && text == text.lowercased()) || !text.contains(where: \.isLetter) else {
                    throw Self.caseSensitiveLike
                }
                return try SemanticSQLStatement.likeFilter(member.path, pattern: text, negated: negated)
            case .parameter(let index) where kind == .ilike:
                parameterTypes[index] = "string"
                return .member(member.path, negated ? .notContains : .contains, [SemanticSQLStatement.likePlaceholder(index)])
            case .parameter:
                throw Self.caseSensitiveLike
            default:
                throw .badQuery("\(kind.rawValue) takes a constant or a bound pattern ('%text%', 'text%' or '%text')")
            }
        }

        static let caseSensitiveLike = SemanticError(.badQuery,
            "LIKE matches case and Cube's contains/startsWith/endsWith filters do not: write ILIKE (or lower(column) LIKE with a lower-case pattern)",
            sqlState: SemanticSQLTranslator.notSupported)

        static func describe(_ expression: SQLExpression) -> String {
            switch expression {
            case .column(let parts): "\"\(parts.joined(separator: "."))\""
            case .function(let call): "\(call.baseName)(…)"
            default: "this condition"
            }
        }
    }
}
