/// Expressions, by PostgreSQL's operator precedence (lowest first): OR, AND, NOT, IS,
/// comparisons, BETWEEN/IN/LIKE, other operators (`||`, `~`, …), `+ -`, `* / %`, `^`, unary
/// minus, then COLLATE / AT TIME ZONE, subscripts and `::` casts.
extension SQLParser {
    static let comparisons: Set<String> = ["=", "<>", "!=", "<", ">", "<=", ">="]

    public mutating func expression() throws(SQLSyntaxError) -> SQLExpression {
        var left = try conjunction()
        while take("OR") { left = .or(left, try conjunction()) }
        return left
    }

    mutating func expressionList() throws(SQLSyntaxError) -> [SQLExpression] {
        var list = [try expression()]
        while take(punctuation: ",") { list.append(try expression()) }
        return list
    }

    private mutating func conjunction() throws(SQLSyntaxError) -> SQLExpression {
        var left = try negation()
        while take("AND") { left = .and(left, try negation()) }
        return left
    }

    private mutating func negation() throws(SQLSyntaxError) -> SQLExpression {
        if take("NOT") { return .not(try negation()) }
        return try isTest()
    }

    private mutating func isTest() throws(SQLSyntaxError) -> SQLExpression {
        var left = try comparison()
        while true {
            if take("ISNULL") {
                left = .isNull(left, negated: false)
            } else if take("NOTNULL") {
                left = .isNull(left, negated: true)
            } else if take("IS") {
                let negated = take("NOT")
                if take("NULL") {
                    left = .isNull(left, negated: negated)
                } else if take("TRUE") {
                    left = .isBoolean(left, true, negated: negated)
                } else if take("FALSE") {
                    left = .isBoolean(left, false, negated: negated)
                } else if take("UNKNOWN") {
                    left = .isBoolean(left, nil, negated: negated)
                } else if take("DISTINCT") {
                    try expect("FROM")
                    left = .isDistinctFrom(left, try comparison(), negated: negated)
                } else {
                    throw unexpected(expecting: "NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM")
                }
            } else {
                return left
            }
        }
    }

    private mutating func comparison() throws(SQLSyntaxError) -> SQLExpression {
        var left = try predicate()
        while case .op(let op) = current.kind, Self.comparisons.contains(op) {
            advance()
            left = try rightSide(of: left, op, next: { (parser: inout SQLParser) throws(SQLSyntaxError) in try parser.predicate() })
        }
        return left
    }

    /// The right side of a binary operator: `ANY (…)`/`SOME`/`ALL`, or an operand.
    private mutating func rightSide(
        of left: SQLExpression, _ op: String, next: (inout SQLParser) throws(SQLSyntaxError) -> SQLExpression
    ) throws(SQLSyntaxError) -> SQLExpression {
        if (isKeyword("ANY") || isKeyword("SOME") || isKeyword("ALL")), isPunctuation("(", ahead: 1) {
            let all = isKeyword("ALL")
            advance()
            advance()
            let operand: SQLExpression
            if isKeyword("SELECT") || isKeyword("WITH") || isKeyword("VALUES") {
                operand = .subquery(try query())
            } else {
                operand = try expression()
            }
            try expect(punctuation: ")")
            return .quantified(left, op, all: all, operand)
        }
        return .binary(left, op, try next(&self))
    }

    private mutating func predicate() throws(SQLSyntaxError) -> SQLExpression {
        let left = try otherOperators()
        let negated = isKeyword("NOT") && ["BETWEEN", "IN", "LIKE", "ILIKE", "SIMILAR"].contains(peek(1).keyword ?? "")
        if negated { advance() }
        if take("BETWEEN") {
            _ = take("SYMMETRIC") || take("ASYMMETRIC")
            let low = try otherOperators()
            try expect("AND")
            return .between(left, low, try otherOperators(), negated: negated)
        }
        if take("IN") {
            try expect(punctuation: "(")
            if isKeyword("SELECT") || isKeyword("WITH") || isKeyword("VALUES") {
                let inner = try query()
                try expect(punctuation: ")")
                return .inQuery(left, inner, negated: negated)
            }
            let list = try expressionList()
            try expect(punctuation: ")")
            return .inList(left, list, negated: negated)
        }
        var kind: SQLLikeKind?
        if take("LIKE") { kind = .like } else if take("ILIKE") { kind = .ilike } else if take("SIMILAR") {
            try expect("TO")
            kind = .similar
        }
        if let kind {
            let pattern = try otherOperators()
            let escape = take("ESCAPE") ? try otherOperators() : nil
            return .like(left, kind, pattern, negated: negated, escape: escape)
        }
        if negated { throw unexpected() }
        return left
    }

    /// Operators other than the arithmetic and comparison ones (`||`, `~`, `!~*`, `->>`, `@>`),
    /// and `OPERATOR(pg_catalog.~)`.
    private mutating func otherOperators() throws(SQLSyntaxError) -> SQLExpression {
        var left = try additive()
        while true {
            var op: String?
            if case .op(let symbol) = current.kind, !Self.comparisons.contains(symbol), !["+", "-", "*", "/", "%", "^"].contains(symbol) {
                op = symbol
                advance()
            } else if isKeyword("OPERATOR"), isPunctuation("(", ahead: 1) {
                advance()
                advance()
                while case .identifier = current.kind, isPunctuation(".", ahead: 1) {
                    advance()
                    advance()
                }
                guard case .op(let symbol) = current.kind else { throw unexpected(expecting: "an operator") }
                advance()
                try expect(punctuation: ")")
                op = symbol
            }
            guard let op else { return left }
            if Self.comparisons.contains(op) {
                left = try rightSide(of: left, op, next: { (parser: inout SQLParser) throws(SQLSyntaxError) in try parser.predicate() })
            } else {
                left = try rightSide(of: left, op, next: { (parser: inout SQLParser) throws(SQLSyntaxError) in try parser.additive() })
            }
        }
    }

    private mutating func additive() throws(SQLSyntaxError) -> SQLExpression {
        var left = try multiplicative()
        while case .op(let op) = current.kind, op == "+" || op == "-" {
            advance()
            left = .binary(left, op, try multiplicative())
        }
        return left
    }

    private mutating func multiplicative() throws(SQLSyntaxError) -> SQLExpression {
        var left = try exponent()
        while case .op(let op) = current.kind, op == "*" || op == "/" || op == "%" {
            advance()
            left = .binary(left, op, try exponent())
        }
        return left
    }

    private mutating func exponent() throws(SQLSyntaxError) -> SQLExpression {
        var left = try unary()
        while take(operator: "^") { left = .binary(left, "^", try unary()) }
        return left
    }

    private mutating func unary() throws(SQLSyntaxError) -> SQLExpression {
        if case .op(let op) = current.kind, op == "-" || op == "+" {
            advance()
            let operand = try unary()
            if op == "-", case .literal(.number(let number)) = operand { return .literal(.number("-" + number)) }
            return op == "-" ? .unary("-", operand) : operand
        }
        return try postfix()
    }

    private mutating func postfix() throws(SQLSyntaxError) -> SQLExpression {
        var value = try primary()
        while true {
            if take(operator: "::") {
                value = .cast(value, try typeName())
            } else if take(punctuation: "[") {
                let index = try expression()
                if take(punctuation: ":") { _ = try expression() }
                try expect(punctuation: "]")
                value = .element(value, index)
            } else if take("COLLATE") {
                value = .collate(value, try qualifiedName())
            } else if isKeyword("AT"), isKeyword("TIME", ahead: 1), isKeyword("ZONE", ahead: 2) {
                advance()
                advance()
                advance()
                value = .atTimeZone(value, try unary())
            } else {
                return value
            }
        }
    }

    private mutating func primary() throws(SQLSyntaxError) -> SQLExpression {
        let token = current
        switch token.kind {
        case .number(let number):
            advance()
            return .literal(.number(number))
        case .string(let value):
            advance()
            return .literal(.string(value))
        case .parameter(let index):
            advance()
            return .parameter(index)
        case .punctuation("("):
            advance()
            if isKeyword("SELECT") || isKeyword("WITH") || isKeyword("VALUES") {
                let inner = try query()
                try expect(punctuation: ")")
                return .subquery(inner)
            }
            let list = try expressionList()
            try expect(punctuation: ")")
            return list.count == 1 ? list[0] : .row(list)
        case .identifier(let name, let quoted):
            if !quoted, let special = try keywordExpression(name.uppercased()) { return special }
            return try nameOrCall()
        default:
            throw unexpected()
        }
    }

    /// The expressions that start with a keyword: constants, CASE, CAST, EXISTS, ARRAY, typed
    /// literals, EXTRACT, POSITION, SUBSTRING, TRIM and the SQL-standard functions without
    /// parentheses. nil when the word starts none of them.
    private mutating func keywordExpression(_ word: String) throws(SQLSyntaxError) -> SQLExpression? {
        switch word {
        case "NULL":
            advance()
            return .literal(.null)
        case "TRUE", "FALSE":
            advance()
            return .literal(.boolean(word == "TRUE"))
        case "CASE":
            advance()
            let operand = isKeyword("WHEN") ? nil : try expression()
            var branches: [SQLCaseBranch] = []
            while take("WHEN") {
                let condition = try expression()
                try expect("THEN")
                branches.append(SQLCaseBranch(condition: condition, result: try expression()))
            }
            guard !branches.isEmpty else { throw unexpected(expecting: "WHEN") }
            let otherwise = take("ELSE") ? try expression() : nil
            try expect("END")
            return .caseWhen(operand: operand, branches: branches, otherwise: otherwise)
        case "CAST":
            guard isPunctuation("(", ahead: 1) else { return nil }
            advance()
            advance()
            let value = try expression()
            try expect("AS")
            let type = try typeName()
            try expect(punctuation: ")")
            return .cast(value, type)
        case "EXISTS":
            guard isPunctuation("(", ahead: 1) else { return nil }
            advance()
            advance()
            let inner = try query()
            try expect(punctuation: ")")
            return .exists(inner)
        case "ARRAY":
            if isPunctuation("[", ahead: 1) {
                advance()
                advance()
                let items = isPunctuation("]") ? [] : try expressionList()
                try expect(punctuation: "]")
                return .array(items)
            }
            if isPunctuation("(", ahead: 1) {
                advance()
                advance()
                let inner = try query()
                try expect(punctuation: ")")
                return .arrayQuery(inner)
            }
            return nil
        case "ROW":
            guard isPunctuation("(", ahead: 1) else { return nil }
            advance()
            advance()
            let items = isPunctuation(")") ? [] : try expressionList()
            try expect(punctuation: ")")
            return .row(items)
        case "INTERVAL", "DATE", "TIMESTAMP", "TIMESTAMPTZ", "TIME":
            guard case .string = peek(1).kind else {
                if word == "TIMESTAMP" || word == "TIME", isKeyword("WITH", ahead: 1) || isKeyword("WITHOUT", ahead: 1) {
                    let type = try typeName()
                    guard case .string(let value) = current.kind else { throw unexpected(expecting: "a string") }
                    advance()
                    return .typedLiteral(type: type.baseName, value: value)
                }
                return nil
            }
            advance()
            guard case .string(let value) = current.kind else { return nil }
            advance()
            if word == "INTERVAL" {
                // `INTERVAL '1' DAY`: the unit after the string.
                if let unit = current.keyword, ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"].contains(unit) {
                    advance()
                    return .typedLiteral(type: "interval", value: value + " " + unit.lowercased())
                }
            }
            return .typedLiteral(type: word.lowercased(), value: value)
        case "EXTRACT":
            guard isPunctuation("(", ahead: 1) else { return nil }
            advance()
            advance()
            let field: String
            switch current.kind {
            case .identifier(let name, _): field = name.lowercased()
            case .string(let value): field = value.lowercased()
            default: throw unexpected(expecting: "a field name")
            }
            advance()
            try expect("FROM")
            let value = try expression()
            try expect(punctuation: ")")
            return .extract(field: field, value)
        case "POSITION":
            guard isPunctuation("(", ahead: 1) else { return nil }
            advance()
            advance()
            let needle = try otherOperators()
            try expect("IN")
            let haystack = try expression()
            try expect(punctuation: ")")
            return .function(SQLFunctionCall(name: ["strpos"], arguments: [haystack, needle]))
        case "SUBSTRING":
            guard isPunctuation("(", ahead: 1) else { return nil }
            advance()
            advance()
            var arguments = [try expression()]
            if take("FROM") {
                arguments.append(try expression())
                if take("FOR") { arguments.append(try expression()) }
            } else if take("FOR") {
                arguments.append(.literal(.number("1")))
                arguments.append(try expression())
            } else {
                while take(punctuation: ",") { arguments.append(try expression()) }
            }
            try expect(punctuation: ")")
            return .function(SQLFunctionCall(name: ["substring"], arguments: arguments))
        case "TRIM":
            guard isPunctuation("(", ahead: 1) else { return nil }
            advance()
            advance()
            var function = "btrim"
            if take("LEADING") { function = "ltrim" } else if take("TRAILING") { function = "rtrim" } else { _ = take("BOTH") }
            var arguments: [SQLExpression]
            if take("FROM") {
                arguments = [try expression()]
            } else {
                let first = try expression()
                if take("FROM") {
                    arguments = [try expression(), first]
                } else {
                    arguments = [first]
                    while take(punctuation: ",") { arguments.append(try expression()) }
                }
            }
            try expect(punctuation: ")")
            return .function(SQLFunctionCall(name: [function], arguments: arguments))
        case "CURRENT_DATE", "CURRENT_TIMESTAMP", "CURRENT_TIME", "LOCALTIMESTAMP", "LOCALTIME", "CURRENT_USER", "SESSION_USER", "USER",
             "CURRENT_SCHEMA", "CURRENT_CATALOG", "CURRENT_ROLE":
            guard !isPunctuation("(", ahead: 1) || word == "CURRENT_SCHEMA" else { return nil }
            advance()
            if word == "CURRENT_SCHEMA", take(punctuation: "(") { try expect(punctuation: ")") }
            return .function(SQLFunctionCall(name: [word.lowercased()], arguments: []))
        default:
            return nil
        }
    }

    /// A column reference (`a`, `t.a`) or a function call (`count(*)`, `pg_catalog.format_type(a, b)`).
    private mutating func nameOrCall() throws(SQLSyntaxError) -> SQLExpression {
        var parts = [try anyNameAllowingKeywordsInCalls()]
        while isPunctuation("."), case .identifier = peek(1).kind {
            advance()
            parts.append(try anyName())
        }
        guard take(punctuation: "(") else { return .column(parts) }
        var call = SQLFunctionCall(name: parts, arguments: [])
        if take(operator: "*") {
            call.star = true
        } else if !isPunctuation(")") {
            if take("DISTINCT") { call.distinct = true } else { _ = take("ALL") }
            call.arguments = try expressionList()
            if isKeyword("ORDER"), isKeyword("BY", ahead: 1) {
                advance()
                advance()
                call.orderBy = try orderTerms()
            }
        }
        try expect(punctuation: ")")
        if isKeyword("WITHIN"), isKeyword("GROUP", ahead: 1) {
            advance()
            advance()
            try expect(punctuation: "(")
            try expect("ORDER")
            try expect("BY")
            call.orderBy = try orderTerms()
            try expect(punctuation: ")")
        }
        if isKeyword("FILTER"), isPunctuation("(", ahead: 1) {
            advance()
            advance()
            try expect("WHERE")
            call.filter = try expression()
            try expect(punctuation: ")")
        }
        if take("OVER") { call.window = try window() }
        return .function(call)
    }

    /// A name that starts a column or a call: reserved words that are also function names
    /// (`left(…)`, `right(…)`) are allowed before a parenthesis.
    private mutating func anyNameAllowingKeywordsInCalls() throws(SQLSyntaxError) -> String {
        if case .identifier(let name, false) = current.kind, Self.reserved.contains(name.uppercased()) {
            guard isPunctuation("(", ahead: 1), ["LEFT", "RIGHT", "ANY"].contains(name.uppercased()) else { throw unexpected() }
            advance()
            return name
        }
        return try name()
    }

    private mutating func window() throws(SQLSyntaxError) -> SQLWindow {
        try expect(punctuation: "(")
        var window = SQLWindow(partitionBy: [], orderBy: [], frame: nil)
        if isKeyword("PARTITION"), isKeyword("BY", ahead: 1) {
            advance()
            advance()
            window.partitionBy = try expressionList()
        }
        if isKeyword("ORDER"), isKeyword("BY", ahead: 1) {
            advance()
            advance()
            window.orderBy = try orderTerms()
        }
        if isKeyword("ROWS") || isKeyword("RANGE") || isKeyword("GROUPS") {
            var words: [String] = []
            while !isPunctuation(")"), current.kind != .end {
                words.append(current.text.uppercased())
                advance()
            }
            window.frame = words.joined(separator: " ")
        }
        try expect(punctuation: ")")
        return window
    }
}
