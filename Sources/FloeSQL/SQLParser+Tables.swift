/// FROM clauses (tables, subqueries, functions, joins) and type names.
extension SQLParser {
    mutating func tableReference() throws(SQLSyntaxError) -> SQLTableReference {
        var left = try tablePrimary()
        while true {
            let natural = take("NATURAL")
            var kind: SQLJoinKind?
            if take("JOIN") {
                kind = .inner
            } else if take("INNER") {
                try expect("JOIN")
                kind = .inner
            } else if take("CROSS") {
                try expect("JOIN")
                kind = .cross
            } else if isKeyword("LEFT") || isKeyword("RIGHT") || isKeyword("FULL") {
                kind = take("LEFT") ? .left : take("RIGHT") ? .right : { advance(); return .full }()
                _ = take("OUTER")
                try expect("JOIN")
            }
            guard let kind else {
                if natural { throw unexpected(expecting: "JOIN") }
                return left
            }
            let right = try tablePrimary()
            var condition = SQLJoinCondition.none
            if natural {
                condition = .natural
            } else if kind != .cross {
                if take("ON") {
                    condition = .on(try expression())
                } else if take("USING") {
                    try expect(punctuation: "(")
                    var columns = [try name()]
                    while take(punctuation: ",") { columns.append(try name()) }
                    try expect(punctuation: ")")
                    condition = .using(columns)
                } else {
                    throw unexpected(expecting: "ON or USING")
                }
            }
            left = .join(left, kind, right, condition)
        }
    }

    private mutating func tablePrimary() throws(SQLSyntaxError) -> SQLTableReference {
        let lateral = take("LATERAL")
        if take(punctuation: "(") {
            if isKeyword("SELECT") || isKeyword("WITH") || isKeyword("VALUES") || isPunctuation("(") && startsQueryInParentheses() {
                let inner = try query()
                try expect(punctuation: ")")
                return .subquery(inner, alias: try alias(), lateral: lateral)
            }
            let joined = try tableReference()
            try expect(punctuation: ")")
            return joined
        }
        let name = try qualifiedName()
        if take(punctuation: "(") {
            let arguments = isPunctuation(")") ? [] : try expressionList()
            try expect(punctuation: ")")
            _ = take("WITH") && take("ORDINALITY")
            return .function(SQLFunctionCall(name: name, arguments: arguments), alias: try alias(), lateral: lateral)
        }
        return .table(name: name, alias: try alias())
    }

    /// Whether the parentheses opened here hold a query (`((SELECT …) UNION …)`) rather than a join.
    private func startsQueryInParentheses() -> Bool {
        var ahead = 0
        while peek(ahead).kind == .punctuation("(") { ahead += 1 }
        return ["SELECT", "WITH", "VALUES"].contains(peek(ahead).keyword ?? "")
    }

    private mutating func alias() throws(SQLSyntaxError) -> SQLTableAlias? {
        let explicit = take("AS")
        guard case .identifier(let name, let quoted) = current.kind, explicit || quoted || !Self.reserved.contains(name.uppercased()) else {
            if explicit { throw unexpected(expecting: "an alias") }
            return nil
        }
        // Words that follow a table and are not reserved everywhere.
        if !explicit, !quoted, ["TABLESAMPLE"].contains(name.uppercased()) { return nil }
        advance()
        var columns: [String] = []
        if take(punctuation: "(") {
            repeat { columns.append(try self.name()) } while take(punctuation: ",")
            try expect(punctuation: ")")
        }
        return SQLTableAlias(name: name, columns: columns)
    }

    /// A type name: dotted parts, PostgreSQL's multi-word names (`double precision`,
    /// `character varying`, `timestamp with time zone`), modifiers and `[]`.
    mutating func typeName() throws(SQLSyntaxError) -> SQLTypeName {
        var parts = [try anyName()]
        while take(punctuation: ".") { parts.append(try anyName()) }
        var base = parts[parts.count - 1]
        switch base {
        case "double":
            if take("PRECISION") { base = "float8" }
        case "character", "char", "bit":
            if take("VARYING") { base = base == "bit" ? "varbit" : "varchar" } else if base == "character" { base = "bpchar" }
        case "timestamp", "time":
            if isKeyword("WITH") || isKeyword("WITHOUT") {
                let with = take("WITH") || { advance(); return false }()
                try expect("TIME")
                try expect("ZONE")
                if with { base += "tz" }
            }
        default: break
        }
        var modifiers: [String] = []
        if take(punctuation: "(") {
            repeat {
                modifiers.append(current.text)
                advance()
            } while take(punctuation: ",")
            try expect(punctuation: ")")
        }
        if base == "timestamp" || base == "time", isKeyword("WITH") || isKeyword("WITHOUT") {
            let with = take("WITH") || { advance(); return false }()
            try expect("TIME")
            try expect("ZONE")
            if with { base += "tz" }
        }
        var isArray = false
        while take(punctuation: "[") {
            if case .number = current.kind { advance() }
            try expect(punctuation: "]")
            isArray = true
        }
        parts[parts.count - 1] = base
        return SQLTypeName(name: parts, modifiers: modifiers, isArray: isArray)
    }
}
