/// Reads SQL text into ``SQLStatement``s: PostgreSQL's SELECT language and the session
/// statements (SET, SHOW, transactions) clients send around queries. Expressions are in
/// `SQLParser+Expressions.swift`, FROM clauses and type names in `SQLParser+Tables.swift`.
public struct SQLParser {
    var tokens: [SQLToken]
    var position = 0

    /// Words that end an expression or a clause, so they are never taken for an alias.
    static let reserved: Set<String> = [
        "ALL", "AND", "ANY", "ARRAY", "AS", "ASC", "BETWEEN", "BY", "CASE", "CAST", "COLLATE", "CROSS", "DESC", "DISTINCT", "ELSE", "END",
        "EXCEPT", "FALSE", "FETCH", "FILTER", "FOR", "FROM", "FULL", "GROUP", "HAVING", "ILIKE", "IN", "INNER", "INTERSECT", "INTO", "IS",
        "ISNULL", "JOIN", "LATERAL", "LEFT", "LIKE", "LIMIT", "NATURAL", "NOT", "NOTNULL", "NULL", "NULLS", "OFFSET", "ON", "OR", "ORDER", "OUTER",
        "OVER", "RETURNING", "RIGHT", "SELECT", "SIMILAR", "SOME", "THEN", "TRUE", "UNION", "USING", "WHEN", "WHERE", "WINDOW", "WITH",
    ]

    public init(_ text: String, flavor: SQLFlavor = .postgres) throws(SQLSyntaxError) {
        tokens = try SQLLexer.tokens(text, flavor: flavor)
    }

    /// Every statement of a text, split at semicolons (empty statements are skipped).
    public static func statements(_ text: String, flavor: SQLFlavor = .postgres) throws(SQLSyntaxError) -> [SQLStatement] {
        var parser = try SQLParser(text, flavor: flavor)
        var statements: [SQLStatement] = []
        while true {
            while parser.take(punctuation: ";") {}
            if parser.current.kind == .end { return statements }
            statements.append(try parser.statement())
            guard parser.take(punctuation: ";") || parser.current.kind == .end else {
                throw parser.unexpected()
            }
        }
    }

    /// One statement; a text with more than one is an error.
    public static func statement(_ text: String) throws(SQLSyntaxError) -> SQLStatement? {
        let all = try statements(text)
        guard all.count <= 1 else {
            throw SQLSyntaxError("cannot insert multiple commands into a prepared statement", offset: 0)
        }
        return all.first
    }

    // MARK: Tokens

    var current: SQLToken { tokens[position] }

    func peek(_ ahead: Int) -> SQLToken {
        tokens[min(position + ahead, tokens.count - 1)]
    }

    mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    func isKeyword(_ word: String, ahead: Int = 0) -> Bool {
        peek(ahead).keyword == word
    }

    mutating func take(_ word: String) -> Bool {
        guard isKeyword(word) else { return false }
        advance()
        return true
    }

    mutating func expect(_ word: String) throws(SQLSyntaxError) {
        guard take(word) else { throw unexpected(expecting: word) }
    }

    func isPunctuation(_ character: Character, ahead: Int = 0) -> Bool {
        peek(ahead).kind == .punctuation(character)
    }

    mutating func take(punctuation character: Character) -> Bool {
        guard isPunctuation(character) else { return false }
        advance()
        return true
    }

    mutating func expect(punctuation character: Character) throws(SQLSyntaxError) {
        guard take(punctuation: character) else { throw unexpected(expecting: "\"\(character)\"") }
    }

    func isOperator(_ op: String, ahead: Int = 0) -> Bool {
        peek(ahead).kind == .op(op)
    }

    mutating func take(operator op: String) -> Bool {
        guard isOperator(op) else { return false }
        advance()
        return true
    }

    /// PostgreSQL's message for a token it did not expect.
    func unexpected(expecting: String? = nil) -> SQLSyntaxError {
        let near = current.kind == .end ? "at end of input" : "at or near \"\(current.written.isEmpty ? current.text : current.written)\""
        return SQLSyntaxError("syntax error \(near)" + (expecting.map { " (expected \($0))" } ?? ""), offset: current.offset)
    }

    /// A name: an identifier that is not a reserved word (quoted ones always are names).
    mutating func name() throws(SQLSyntaxError) -> String {
        guard case .identifier(let name, let quoted) = current.kind, quoted || !Self.reserved.contains(name.uppercased()) else {
            throw unexpected(expecting: "a name")
        }
        advance()
        return name
    }

    /// A name of dotted parts (`pg_catalog.pg_class`).
    mutating func qualifiedName() throws(SQLSyntaxError) -> [String] {
        var parts = [try name()]
        while isPunctuation("."), case .identifier = peek(1).kind {
            advance()
            parts.append(try anyName())
        }
        return parts
    }

    /// An identifier after a dot, where even reserved words are names.
    mutating func anyName() throws(SQLSyntaxError) -> String {
        guard case .identifier(let name, _) = current.kind else { throw unexpected(expecting: "a name") }
        advance()
        return name
    }

    // MARK: Statements

    mutating func statement() throws(SQLSyntaxError) -> SQLStatement {
        guard let keyword = current.keyword else {
            if isPunctuation("(") { return .query(try query()) }
            throw unexpected()
        }
        switch keyword {
        case "SELECT", "WITH", "VALUES", "TABLE": return .query(try query())
        case "SET": return try setStatement()
        case "SHOW":
            advance()
            var words: [String] = []
            while case .identifier(let word, _) = current.kind {
                words.append(word)
                advance()
                if isPunctuation(".") { advance() }
            }
            guard !words.isEmpty else { throw unexpected(expecting: "a setting's name") }
            return .show(words.joined(separator: words.count > 1 && words[0] == "transaction" ? " " : "."))
        case "BEGIN", "START":
            skipRest()
            return .transaction(.begin)
        case "COMMIT", "END":
            skipRest()
            return .transaction(.commit)
        case "ROLLBACK", "ABORT":
            advance()
            let toSavepoint = isKeyword("TO") || (isKeyword("TRANSACTION") && isKeyword("TO", ahead: 1)) || (isKeyword("WORK") && isKeyword("TO", ahead: 1))
            skipRest()
            return .transaction(toSavepoint ? .rollbackToSavepoint : .rollback)
        case "SAVEPOINT":
            skipRest()
            return .transaction(.savepoint)
        case "RELEASE":
            skipRest()
            return .transaction(.releaseSavepoint)
        case "DISCARD", "RESET", "DEALLOCATE", "CLOSE", "UNLISTEN", "LISTEN":
            let tag = keyword == "DISCARD" ? "DISCARD " + (peek(1).keyword ?? "ALL") : keyword
            skipRest()
            return .sessionUpkeep(tag: keyword == "RESET" ? "RESET" : tag)
        default:
            skipRest()
            return .unsupported(keyword: keyword)
        }
    }

    /// Skips to the statement's end (`;` or the end of the text).
    mutating func skipRest() {
        var depth = 0
        while current.kind != .end {
            if isPunctuation("(") { depth += 1 }
            if isPunctuation(")") { depth -= 1 }
            if depth <= 0, isPunctuation(";") { return }
            advance()
        }
    }

    private mutating func setStatement() throws(SQLSyntaxError) -> SQLStatement {
        advance()
        _ = take("SESSION") || take("LOCAL")
        if isKeyword("TIME"), isKeyword("ZONE", ahead: 1) {
            advance()
            advance()
            return .set(name: "timezone", value: valueText())
        }
        if take("NAMES") { return .set(name: "client_encoding", value: valueText()) }
        if isKeyword("TRANSACTION") || isKeyword("CHARACTERISTICS") {
            skipRest()
            return .set(name: "transaction", value: "")
        }
        var parts = [try anyName()]
        while take(punctuation: ".") { parts.append(try anyName()) }
        guard take(operator: "=") || take("TO") else { throw unexpected(expecting: "= or TO") }
        return .set(name: parts.joined(separator: "."), value: valueText())
    }

    /// A SET value as text: words, numbers and strings up to the statement's end, comma-joined lists kept.
    private mutating func valueText() -> String {
        var words: [String] = []
        while current.kind != .end, !isPunctuation(";") {
            switch current.kind {
            case .string(let value): words.append(value)
            case .identifier(let name, _): words.append(name)
            case .number(let number): words.append(number)
            case .punctuation(","): words.append(",")
            case .op(let op): words.append(op)
            default: break
            }
            advance()
        }
        var text = ""
        for word in words {
            if word == "," || word == "-" || text.hasSuffix("-") || text.isEmpty { text += word } else if text.hasSuffix(",") { text += " " + word } else { text += " " + word }
        }
        return text
    }

    // MARK: Queries

    mutating func query() throws(SQLSyntaxError) -> SQLQuery {
        var with: [SQLCommonTable] = []
        if take("WITH") {
            _ = take("RECURSIVE")
            repeat {
                let tableName = try name()
                var columns: [String] = []
                if take(punctuation: "(") {
                    repeat { columns.append(try name()) } while take(punctuation: ",")
                    try expect(punctuation: ")")
                }
                try expect("AS")
                _ = take("MATERIALIZED") || (isKeyword("NOT") && isKeyword("MATERIALIZED", ahead: 1) && { advance(); advance(); return true }())
                try expect(punctuation: "(")
                let inner = try query()
                try expect(punctuation: ")")
                with.append(SQLCommonTable(name: tableName, columns: columns, query: inner))
            } while take(punctuation: ",")
        }
        var result = SQLQuery(body: try setExpression())
        result.with = with
        try queryTail(&result)
        return result
    }

    /// ORDER BY, LIMIT, OFFSET and FETCH of a query.
    mutating func queryTail(_ query: inout SQLQuery) throws(SQLSyntaxError) {
        if isKeyword("ORDER"), isKeyword("BY", ahead: 1) {
            advance()
            advance()
            query.orderBy = try orderTerms()
        }
        while true {
            if take("LIMIT") {
                query.limit = take("ALL") ? nil : try expression()
            } else if take("OFFSET") {
                query.offset = try expression()
                _ = take("ROW") || take("ROWS")
            } else if take("FETCH") {
                _ = take("FIRST") || take("NEXT")
                query.limit = (isKeyword("ROW") || isKeyword("ROWS")) ? .literal(.number("1")) : try expression()
                _ = take("ROW") || take("ROWS")
                try expect("ONLY")
            } else if isKeyword("FOR") {
                throw SQLSyntaxError("SELECT … FOR UPDATE/SHARE is not supported: the semantic layer is read-only", offset: current.offset)
            } else {
                return
            }
        }
    }

    mutating func orderTerms() throws(SQLSyntaxError) -> [SQLOrderTerm] {
        var terms: [SQLOrderTerm] = []
        repeat {
            let expression = try expression()
            var descending = false
            if take("DESC") { descending = true } else { _ = take("ASC") }
            var nullsFirst: Bool?
            if take("NULLS") {
                if take("FIRST") { nullsFirst = true } else {
                    try expect("LAST")
                    nullsFirst = false
                }
            }
            terms.append(SQLOrderTerm(expression: expression, descending: descending, nullsFirst: nullsFirst))
        } while take(punctuation: ",")
        return terms
    }

    /// Set operations: INTERSECT binds tighter than UNION and EXCEPT, which go left to right.
    private mutating func setExpression() throws(SQLSyntaxError) -> SQLQueryBody {
        var left = try intersectExpression()
        while isKeyword("UNION") || isKeyword("EXCEPT") {
            let op: SQLSetOperator = take("UNION") ? .union : { advance(); return .except }()
            let all = take("ALL")
            if !all { _ = take("DISTINCT") }
            left = .setOperation(left, op, all: all, try intersectExpression())
        }
        return left
    }

    private mutating func intersectExpression() throws(SQLSyntaxError) -> SQLQueryBody {
        var left = try queryPrimary()
        while take("INTERSECT") {
            let all = take("ALL")
            if !all { _ = take("DISTINCT") }
            left = .setOperation(left, .intersect, all: all, try queryPrimary())
        }
        return left
    }

    private mutating func queryPrimary() throws(SQLSyntaxError) -> SQLQueryBody {
        if take(punctuation: "(") {
            let inner = try query()
            try expect(punctuation: ")")
            return inner.with.isEmpty && inner.orderBy.isEmpty && inner.limit == nil && inner.offset == nil ? inner.body : .nested(inner)
        }
        if take("VALUES") {
            var rows: [[SQLExpression]] = []
            repeat {
                try expect(punctuation: "(")
                rows.append(try expressionList())
                try expect(punctuation: ")")
            } while take(punctuation: ",")
            return .values(rows)
        }
        if take("TABLE") {
            var select = SQLSelect()
            select.items = [.star(qualifier: [])]
            select.from = [.table(name: try qualifiedName(), alias: nil)]
            return .select(select)
        }
        try expect("SELECT")
        return .select(try selectBody())
    }

    private mutating func selectBody() throws(SQLSyntaxError) -> SQLSelect {
        var select = SQLSelect()
        if take("DISTINCT") {
            select.distinct = true
            if take("ON") {
                throw SQLSyntaxError("SELECT DISTINCT ON is not supported", offset: current.offset)
            }
        } else {
            _ = take("ALL")
        }
        if !isSelectListEnd {
            repeat { select.items.append(try selectItem()) } while take(punctuation: ",")
        }
        if take("FROM") {
            repeat { select.from.append(try tableReference()) } while take(punctuation: ",")
        }
        if take("WHERE") { select.whereClause = try expression() }
        if isKeyword("GROUP"), isKeyword("BY", ahead: 1) {
            advance()
            advance()
            _ = take("ALL") || take("DISTINCT")
            select.groupBy = try expressionList()
        }
        if take("HAVING") { select.having = try expression() }
        if isKeyword("WINDOW") { throw SQLSyntaxError("named WINDOW clauses are not supported", offset: current.offset) }
        return select
    }

    /// An empty select list (`SELECT FROM t`, `SELECT;`).
    private var isSelectListEnd: Bool {
        current.kind == .end || isPunctuation(";") || isPunctuation(")") || isKeyword("FROM") || isKeyword("UNION")
    }

    private mutating func selectItem() throws(SQLSyntaxError) -> SQLSelectItem {
        if take(operator: "*") { return .star(qualifier: []) }
        // `t.*`, `s.t.*`
        var ahead = 0
        var qualifier: [String] = []
        while case .identifier(let part, _) = peek(ahead).kind, peek(ahead + 1).kind == .punctuation(".") {
            qualifier.append(part)
            ahead += 2
            if peek(ahead).kind == .op("*") {
                position += ahead + 1
                return .star(qualifier: qualifier)
            }
        }
        let value = try expression()
        if take("AS") { return .expression(value, alias: try anyName()) }
        if case .identifier(let alias, let quoted) = current.kind, quoted || !Self.reserved.contains(alias.uppercased()) {
            advance()
            return .expression(value, alias: alias)
        }
        return .expression(value, alias: nil)
    }
}
