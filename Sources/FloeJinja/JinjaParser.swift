import FloeCore

/// Recursive-descent parser: tokens → ``JinjaNode``s. Precedence, lowest first:
/// conditional, `or`, `and`, `not`, comparisons/`in`/`is`, `~`, `+ -`, `* / // %`, unary `-`,
/// `**`, filters `|`, then postfix `.attr`, `[index]`, `(call)`.
struct JinjaParser {
    let tokens: [JinjaToken]
    /// The template's UTF-8, which the tokens point into.
    let source: [UInt8]
    let file: String
    var position = 0
    /// How many `{% for %}` bodies enclose what is parsed: `break` and `continue` need one.
    var loopDepth = 0

    /// Each token's meaning to the expression grammar, from the lexer: the precedence levels test
    /// it at every step, and comparing a byte is cheaper than copying the token.
    let operators: [JinjaOperator]

    init(tokens: [JinjaToken], operators: [JinjaOperator], source: [UInt8], file: String) {
        assert(tokens.count == operators.count)
        self.tokens = tokens
        self.operators = operators
        self.source = source
        self.file = file
    }

    var current: JinjaToken { tokens[position] }
    var op: JinjaOperator { operators[position] }
    func op(at index: Int) -> JinjaOperator { index < operators.count ? operators[index] : .other }

    func location(_ token: JinjaToken) -> SourceLocation {
        SourceLocation(file: file, line: Int(token.line), column: Int(token.column))
    }

    func position(_ token: JinjaToken) -> JinjaPosition {
        JinjaPosition(line: Int(token.line), column: Int(token.column))
    }

    /// The token's bytes.
    func bytes(_ token: JinjaToken) -> ArraySlice<UInt8> {
        source[Int(token.start)..<Int(token.end)]
    }

    /// The token's bytes as a string.
    func text(_ token: JinjaToken) -> String {
        String(decoding: bytes(token), as: UTF8.self)
    }

    mutating func parseTemplate() throws(TemplateError) -> [JinjaNode] {
        let (nodes, terminator) = try parseNodes(until: [])
        if let terminator {
            throw TemplateError("unexpected '{% \(terminator.name) %}'", at: terminator.location,
                                hint: "there is no open block for it to close")
        }
        return nodes
    }

    /// Parses nodes until a statement whose keyword is in `terminators` (returned, not consumed past
    /// its keyword) or the end of the template.
    mutating func parseNodes(until terminators: [String]) throws(TemplateError) -> ([JinjaNode], (name: String, location: SourceLocation)?) {
        var nodes: [JinjaNode] = []
        while true {
            let token = current
            switch token.kind {
            case .end:
                return (nodes, nil)
            case .text:
                position += 1
                nodes.append(.text(Array(bytes(token))))
            case .outputStart:
                position += 1
                let expression = try parseExpression()
                try expect(.outputEnd, "'}}'")
                nodes.append(.output(expression))
            case .statementStart:
                guard tokens[position + 1].kind == .name else {
                    throw TemplateError("expected a statement name after '{%'", at: location(tokens[position + 1]))
                }
                let keyword = text(tokens[position + 1])
                if terminators.contains(keyword) || Self.closers.contains(keyword) {
                    let found = (keyword, location(tokens[position + 1]))
                    if !terminators.contains(keyword) {
                        throw TemplateError("unexpected '{% \(keyword) %}'", at: found.1, hint: "there is no open block for it to close")
                    }
                    position += 2
                    return (nodes, found)
                }
                position += 2
                nodes.append(try parseStatement(keyword, at: location(tokens[position - 1]), start: location(token)))
            default:
                throw TemplateError("unexpected token", at: location(token))
            }
        }
    }

    static let closers: Set<String> = ["endif", "elif", "else", "endfor", "endmacro", "endtest", "endset", "endcall", "endfilter", "endsnapshot"]

    mutating func parseStatement(_ keyword: String, at keywordLocation: SourceLocation, start: SourceLocation) throws(TemplateError) -> JinjaNode {
        switch keyword {
        case "if":
            var branches: [(JinjaExpr, [JinjaNode])] = []
            var condition = try parseExpression()
            try expect(.statementEnd, "'%}'")
            while true {
                let (body, terminator) = try parseNodes(until: ["elif", "else", "endif"])
                branches.append((condition, body))
                guard let terminator else { throw unclosed("if", at: start) }
                switch terminator.name {
                case "elif":
                    condition = try parseExpression()
                    try expect(.statementEnd, "'%}'")
                case "else":
                    try expect(.statementEnd, "'%}'")
                    let (otherwise, end) = try parseNodes(until: ["endif"])
                    guard end != nil else { throw unclosed("if", at: start) }
                    try expect(.statementEnd, "'%}'")
                    return .ifBlock(branches: branches, otherwise: otherwise)
                default:
                    try expect(.statementEnd, "'%}'")
                    return .ifBlock(branches: branches, otherwise: nil)
                }
            }
        case "for":
            var targets = [try parseName("a loop variable")]
            while isSymbol(",") {
                position += 1
                targets.append(try parseName("a loop variable"))
            }
            try expectName("in")
            let iterable = try parseExpression(allowConditional: false)
            var condition: JinjaExpr?
            if isName("if") {
                position += 1
                condition = try parseExpression()
            }
            try expect(.statementEnd, "'%}'")
            loopDepth += 1
            let (body, terminator) = try parseNodes(until: ["else", "endfor"])
            loopDepth -= 1
            guard let terminator else { throw unclosed("for", at: start) }
            try expect(.statementEnd, "'%}'")
            var otherwise: [JinjaNode]?
            if terminator.name == "else" {
                let (elseBody, end) = try parseNodes(until: ["endfor"])
                guard end != nil else { throw unclosed("for", at: start) }
                try expect(.statementEnd, "'%}'")
                otherwise = elseBody
            }
            return .forLoop(targets: targets, iterable: iterable, condition: condition, body: body, otherwise: otherwise,
                            position: JinjaPosition(line: start.line, column: start.column))
        case "set":
            if current.kind == .name, op(at: position + 1) == .dot {
                // `{% set ns.attr = value %}`
                let target = try parseName("a variable name")
                position += 1
                let attribute = try parseName("an attribute name")
                if current.kind == .statementEnd {
                    position += 1
                    let (body, terminator) = try parseNodes(until: ["endset"])
                    guard terminator != nil else { throw unclosed("set", at: start) }
                    try expect(.statementEnd, "'%}'")
                    return .setBlock(target, attribute: attribute, body)
                }
                try expectSymbol("=")
                let value = try parseExpression()
                try expect(.statementEnd, "'%}'")
                return .setAttribute(target: target, attribute: attribute, value)
            }
            var targets = [try parseName("a variable name")]
            while isSymbol(",") {
                position += 1
                targets.append(try parseName("a variable name"))
            }
            if current.kind == .statementEnd, targets.count == 1 {
                position += 1
                let (body, terminator) = try parseNodes(until: ["endset"])
                guard terminator != nil else { throw unclosed("set", at: start) }
                try expect(.statementEnd, "'%}'")
                return .setBlock(targets[0], attribute: nil, body)
            }
            try expectSymbol("=")
            var value = try parseExpression()
            // `{% set a, b = 1, 2 %}`: a tuple without parentheses, as Python writes it.
            if isSymbol(",") {
                var items = [value]
                while isSymbol(",") {
                    position += 1
                    items.append(try parseExpression())
                }
                value = JinjaExpr(kind: .list(items), position: value.position)
            }
            try expect(.statementEnd, "'%}'")
            return .set(targets: targets, value)
        case "materialization":
            // dbt's `{% materialization name, adapter='x' %}…{% endmaterialization %}` (or `name, default`): read as a
            // macro named as dbt names it (`materialization_<name>_<adapter>`), so a package that
            // ships one parses; floe runs its own materializations and never calls it.
            let nameLocation = location(current)
            var name = "materialization_" + (try parseName("a materialization name"))
            var adapter = "default"
            while isSymbol(",") {
                position += 1
                let keyword = try parseName("default, adapter= or supported_languages=")
                // `{% materialization name, default %}`: the one for every adapter.
                if keyword == "default", !isSymbol("=") { continue }
                try expectSymbol("=")
                let value = try parseExpression()
                if keyword == "adapter", case .literal(.string(let text)) = value.kind { adapter = text }
            }
            name += "_" + adapter
            try expect(.statementEnd, "'%}'")
            let (body, terminator) = try parseNodes(until: ["endmaterialization"])
            guard terminator != nil else { throw unclosed("materialization", at: start) }
            try expect(.statementEnd, "'%}'")
            return .macro(JinjaMacro(name: name, parameters: [], body: body, location: nameLocation))
        case "macro", "test":
            // `{% test name(model, column_name) %}` is dbt's generic test: a macro named `test_<name>`.
            let nameLocation = location(current)
            let name = (keyword == "test" ? "test_" : "") + (try parseName("a macro name"))
            try expectSymbol("(")
            var parameters: [(String, JinjaExpr?)] = []
            while !isSymbol(")") {
                let parameter = try parseName("a parameter name")
                var defaultValue: JinjaExpr?
                if isSymbol("=") {
                    position += 1
                    defaultValue = try parseExpression()
                }
                parameters.append((parameter, defaultValue))
                if isSymbol(",") { position += 1 } else { break }
            }
            try expectSymbol(")")
            try expect(.statementEnd, "'%}'")
            let (body, terminator) = try parseNodes(until: ["end" + keyword])
            guard terminator != nil else { throw unclosed(keyword, at: start) }
            try expect(.statementEnd, "'%}'")
            var macro = JinjaMacro(name: name, parameters: parameters, body: body, location: nameLocation)
            macro.takesVarargs = JinjaNames.mentions("varargs", in: body)
            macro.takesKwargs = JinjaNames.mentions("kwargs", in: body)
            return .macro(macro)
        case "break", "continue":
            guard loopDepth > 0 else {
                throw TemplateError("'{% \(keyword) %}' outside a loop", at: keywordLocation, hint: "use it inside {% for %}…{% endfor %}")
            }
            try expect(.statementEnd, "'%}'")
            return .loopControl(breaks: keyword == "break")
        case "do":
            let expression = try parseExpression()
            try expect(.statementEnd, "'%}'")
            return .doStatement(expression)
        case "snapshot":
            // dbt's `{% snapshot name %}…{% endsnapshot %}`: the body is the snapshot's SELECT;
            // the compiler reads the name from the file's text.
            _ = try parseName("a snapshot name")
            try expect(.statementEnd, "'%}'")
            let (body, terminator) = try parseNodes(until: ["endsnapshot"])
            guard terminator != nil else { throw unclosed("snapshot", at: start) }
            try expect(.statementEnd, "'%}'")
            let always = JinjaExpr(kind: .literal(.bool(true)), position: JinjaPosition(line: start.line, column: start.column))
            return .ifBlock(branches: [(always, body)], otherwise: nil)
        case "call":
            let expression = try parseExpression()
            try expect(.statementEnd, "'%}'")
            let (body, terminator) = try parseNodes(until: ["endcall"])
            guard terminator != nil else { throw unclosed("call", at: start) }
            try expect(.statementEnd, "'%}'")
            return .callBlock(expression, body: body)
        default:
            throw TemplateError("unknown statement '\(keyword)'", at: keywordLocation,
                                hint: Suggestions.didYouMean(keyword, in: ["if", "for", "set", "macro", "do", "call", "break", "continue"])
                                    ?? "supported statements: if, for, set, macro, do, call, raw")
        }
    }

    func unclosed(_ block: String, at location: SourceLocation) -> TemplateError {
        TemplateError("unclosed '{% \(block) %}'", at: location, hint: "close it with '{% end\(block) %}'")
    }

    // MARK: Expressions

    mutating func parseExpression(allowConditional: Bool = true) throws(TemplateError) -> JinjaExpr {
        let start = position(current)
        let value = try parseOr()
        guard allowConditional, isName("if") else { return value }
        position += 1
        let condition = try parseOr()
        var otherwise: JinjaExpr?
        if isName("else") {
            position += 1
            otherwise = try parseExpression()
        }
        return JinjaExpr(kind: .conditional(then: value, condition: condition, otherwise: otherwise), position: start)
    }

    mutating func parseOr() throws(TemplateError) -> JinjaExpr {
        var left = try parseAnd()
        while op == .or {
            let at = position(current)
            position += 1
            left = JinjaExpr(kind: .binary(.or, left, try parseAnd()), position: at)
        }
        return left
    }

    mutating func parseAnd() throws(TemplateError) -> JinjaExpr {
        var left = try parseNot()
        while op == .and {
            let at = position(current)
            position += 1
            left = JinjaExpr(kind: .binary(.and, left, try parseNot()), position: at)
        }
        return left
    }

    mutating func parseNot() throws(TemplateError) -> JinjaExpr {
        if op == .not {
            let at = position(current)
            position += 1
            return JinjaExpr(kind: .unary(.not, try parseNot()), position: at)
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws(TemplateError) -> JinjaExpr {
        var left = try parseConcat()
        while true {
            let found = op
            switch found {
            case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .in, .is: break
            case .not where operators[position + 1] == .in: break
            default: return left
            }
            let at = position(current)
            if found == .in {
                position += 1
                left = JinjaExpr(kind: .binary(.in, left, try parseConcat()), position: at)
            } else if found == .not {
                position += 2
                left = JinjaExpr(kind: .unary(.not, JinjaExpr(kind: .binary(.in, left, try parseConcat()), position: at)), position: at)
            } else if found != .is {
                position += 1
                left = JinjaExpr(kind: .binary(found, left, try parseConcat()), position: at)
            } else {
                position += 1
                var negated = false
                if op == .not { negated = true; position += 1 }
                let name = try parseTestName()
                var arguments: [JinjaExpr] = []
                if isSymbol("(") {
                    arguments = try parseArguments().positional
                } else if startsPrimary() {
                    arguments = [try parseConcat()]
                }
                left = JinjaExpr(kind: .test(left, name: name, negated: negated, arguments: arguments), position: at)
            }
        }
    }

    mutating func parseTestName() throws(TemplateError) -> String {
        guard current.kind == .name else {
            throw TemplateError("expected a test name after 'is'", at: location(current), hint: "such as defined, none, string")
        }
        position += 1
        return text(tokens[position - 1])
    }

    func startsPrimary() -> Bool {
        switch current.kind {
        case .string, .escapedString, .integer, .number: return true
        case .name: return op == .other && !isName("else") && !isName("if")
        default: return false
        }
    }

    mutating func parseConcat() throws(TemplateError) -> JinjaExpr {
        var left = try parseAdditive()
        while op == .tilde {
            let at = position(current)
            position += 1
            left = JinjaExpr(kind: .binary(.tilde, left, try parseAdditive()), position: at)
        }
        return left
    }

    mutating func parseAdditive() throws(TemplateError) -> JinjaExpr {
        var left = try parseMultiplicative()
        while op == .plus || op == .minus {
            let at = position(current)
            let symbol = op
            position += 1
            left = JinjaExpr(kind: .binary(symbol, left, try parseMultiplicative()), position: at)
        }
        return left
    }

    mutating func parseMultiplicative() throws(TemplateError) -> JinjaExpr {
        var left = try parseUnary()
        while op == .star || op == .slash || op == .floorDivide || op == .percent {
            let at = position(current)
            let symbol = op
            position += 1
            left = JinjaExpr(kind: .binary(symbol, left, try parseUnary()), position: at)
        }
        return left
    }

    mutating func parseUnary() throws(TemplateError) -> JinjaExpr {
        if op == .minus || op == .plus {
            let at = position(current)
            let symbol = op
            position += 1
            return JinjaExpr(kind: .unary(symbol, try parseUnary()), position: at)
        }
        return try parsePower()
    }

    mutating func parsePower() throws(TemplateError) -> JinjaExpr {
        let base = try parseFiltered()
        if op == .power {
            let at = position(current)
            position += 1
            return JinjaExpr(kind: .binary(.power, base, try parseUnary()), position: at)
        }
        return base
    }

    mutating func parseFiltered() throws(TemplateError) -> JinjaExpr {
        var value = try parsePostfix()
        while op == .pipe {
            position += 1
            let at = position(current)
            let name = try parseName("a filter name")
            var arguments: (positional: [JinjaExpr], keywords: [(String, JinjaExpr)]) = ([], [])
            if isSymbol("(") { arguments = try parseArguments() }
            value = JinjaExpr(kind: .filter(value, name: name, arguments: arguments.positional, keywords: arguments.keywords), position: at)
        }
        return value
    }

    mutating func parsePostfix() throws(TemplateError) -> JinjaExpr {
        var value = try parsePrimary()
        while true {
            if op == .dot {
                let at = position(current)
                position += 1
                value = JinjaExpr(kind: .attribute(value, try parseName("an attribute name")), position: at)
            } else if op == .openBracket {
                let at = position(current)
                position += 1
                let start = isSymbol(":") ? nil : try parseExpression()
                if isSymbol(":") {
                    position += 1
                    let stop = isSymbol(":") || isSymbol("]") ? nil : try parseExpression()
                    var step: JinjaExpr?
                    if isSymbol(":") {
                        position += 1
                        step = isSymbol("]") ? nil : try parseExpression()
                    }
                    try expectSymbol("]")
                    value = JinjaExpr(kind: .slice(value, start: start, stop: stop, step: step), position: at)
                    continue
                }
                guard let index = start else { throw TemplateError("expected an index", at: location(current)) }
                try expectSymbol("]")
                value = JinjaExpr(kind: .index(value, index), position: at)
            } else if op == .openParen {
                let arguments = try parseArguments()
                value = JinjaExpr(kind: .call(value, arguments: arguments.positional, keywords: arguments.keywords), position: value.position)
            } else {
                return value
            }
        }
    }

    mutating func parseArguments() throws(TemplateError) -> (positional: [JinjaExpr], keywords: [(String, JinjaExpr)]) {
        try expectSymbol("(")
        var positional: [JinjaExpr] = []
        var keywords: [(String, JinjaExpr)] = []
        while !isSymbol(")") {
            if op == .power {
                // `**mapping`: its entries become keyword arguments.
                position += 1
                keywords.append(("**", try parseExpression()))
            } else if op == .star {
                // `*items`: they become positional arguments.
                let at = position(current)
                position += 1
                positional.append(JinjaExpr(kind: .starred(try parseExpression()), position: at))
            } else if current.kind == .name, isSymbol("=", at: position + 1) {
                let name = text(current)
                position += 2
                keywords.append((name, try parseExpression()))
            } else {
                if !keywords.isEmpty {
                    throw TemplateError("a positional argument follows a keyword argument", at: location(current))
                }
                positional.append(try parseExpression())
            }
            if isSymbol(",") { position += 1 } else { break }
        }
        try expectSymbol(")")
        return (positional, keywords)
    }

    mutating func parsePrimary() throws(TemplateError) -> JinjaExpr {
        let token = current
        let at = position(token)
        switch token.kind {
        case .string, .escapedString:
            var text = stringValue(token)
            position += 1
            // Adjacent string literals concatenate, as in Python.
            while current.kind == .string || current.kind == .escapedString {
                text += stringValue(current)
                position += 1
            }
            return JinjaExpr(kind: .literal(.string(text)), position: at)
        case .integer:
            position += 1
            // Python's integers have no bound; a literal beyond 64 bits becomes a float, as in arithmetic.
            let literal: JinjaValue = integerValue(token).map(JinjaValue.integer) ?? .number(numberValue(token))
            return JinjaExpr(kind: .literal(literal), position: at)
        case .number:
            position += 1
            return JinjaExpr(kind: .literal(.number(numberValue(token))), position: at)
        case .name:
            let literal: JinjaValue? = if isName("true") || isName("True") { .bool(true) }
                else if isName("false") || isName("False") { .bool(false) }
                else if isName("none") || isName("None") { JinjaValue.none }
                else { nil }
            position += 1
            return JinjaExpr(kind: literal.map { .literal($0) } ?? .name(text(token)), position: at)
        case .symbol where isSymbol("("):
            position += 1
            let first = try parseExpression()
            if isSymbol(",") {
                var items = [first]
                while isSymbol(",") {
                    position += 1
                    if isSymbol(")") { break }
                    items.append(try parseExpression())
                }
                try expectSymbol(")")
                return JinjaExpr(kind: .list(items), position: at)
            }
            try expectSymbol(")")
            return first
        case .symbol where isSymbol("["):
            position += 1
            var items: [JinjaExpr] = []
            while !isSymbol("]") {
                items.append(try parseExpression())
                if isSymbol(",") { position += 1 } else { break }
            }
            try expectSymbol("]")
            return JinjaExpr(kind: .list(items), position: at)
        case .symbol where isSymbol("{"):
            position += 1
            var pairs: [(JinjaExpr, JinjaExpr)] = []
            while !isSymbol("}") {
                let key = try parseExpression()
                try expectSymbol(":")
                pairs.append((key, try parseExpression()))
                if isSymbol(",") { position += 1 } else { break }
            }
            try expectSymbol("}")
            return JinjaExpr(kind: .dict(pairs), position: at)
        case .outputEnd, .statementEnd, .end:
            throw TemplateError("expected an expression", at: location(token))
        default:
            throw TemplateError("unexpected \(describe(token))", at: location(token))
        }
    }

    // MARK: Token helpers

    /// A string literal's value, its escapes decoded.
    func stringValue(_ token: JinjaToken) -> String {
        token.kind == .escapedString ? JinjaLexer.unescape(bytes(token)) : text(token)
    }

    func integerValue(_ token: JinjaToken) -> Int? {
        Int(text(token).filter { $0 != "_" })
    }

    func numberValue(_ token: JinjaToken) -> Double {
        Double(text(token).filter { $0 != "_" }) ?? 0
    }

    /// Whether the token at `index` (the current one by default) is the one-byte symbol given.
    func isSymbol(_ symbol: Unicode.Scalar, at index: Int? = nil) -> Bool {
        let token = tokens[index ?? position]
        return token.kind == .symbol && token.end - token.start == 1 && source[Int(token.start)] == UInt8(truncatingIfNeeded: symbol.value)
    }

    /// Whether the current token is the name given.
    func isName(_ name: StaticString) -> Bool {
        let token = current
        guard token.kind == .name, Int(token.end - token.start) == name.utf8CodeUnitCount else { return false }
        return name.withUTF8Buffer { $0.elementsEqual(bytes(token)) }
    }

    mutating func expectSymbol(_ symbol: Unicode.Scalar) throws(TemplateError) {
        guard isSymbol(symbol) else {
            throw TemplateError("expected '\(symbol)', found \(describe(current))", at: location(current))
        }
        position += 1
    }

    mutating func expect(_ kind: JinjaToken.Kind, _ description: String) throws(TemplateError) {
        guard current.kind == kind else {
            throw TemplateError("expected \(description), found \(describe(current))", at: location(current))
        }
        position += 1
    }

    mutating func expectName(_ name: StaticString) throws(TemplateError) {
        guard isName(name) else {
            throw TemplateError("expected '\(name)', found \(describe(current))", at: location(current))
        }
        position += 1
    }

    mutating func parseName(_ what: String) throws(TemplateError) -> String {
        guard current.kind == .name else {
            throw TemplateError("expected \(what), found \(describe(current))", at: location(current))
        }
        position += 1
        return text(tokens[position - 1])
    }

    func describe(_ token: JinjaToken) -> String {
        switch token.kind {
        case .text: return "text"
        case .outputStart: return "'{{'"
        case .outputEnd: return "'}}'"
        case .statementStart: return "'{%'"
        case .statementEnd: return "'%}'"
        case .name, .symbol: return "'\(text(token))'"
        case .string, .escapedString: return "a string"
        case .integer: return "'\(text(token))'"
        case .number: return "'\(numberValue(token))'"
        case .end: return "the end of the template"
        }
    }
}
