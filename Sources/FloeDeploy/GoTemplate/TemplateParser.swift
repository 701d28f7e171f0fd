/// The part of Go's text/template language Helm charts are written in, parsed: text, actions
/// with pipelines (`{{ .Values.x | default "y" | quote }}`), variables, `if`/`else if`/`else`,
/// `range` (over lists and maps, with `$i, $v :=`), `with`, `define`, `template`, comments and
/// the `{{-`/`-}}` whitespace trimming. A template outside this part is refused with its line.
indirect enum TemplateNode: Sendable {
    case text(String)
    case output(Pipeline)
    case conditional(Pipeline, then: [TemplateNode], otherwise: [TemplateNode])
    case range(Pipeline, body: [TemplateNode], otherwise: [TemplateNode])
    case with(Pipeline, body: [TemplateNode], otherwise: [TemplateNode])
    case template(name: String, Pipeline?)
}

/// `$a, $b := cmd | cmd …` (declarations only in assignments and ranges).
struct Pipeline: Sendable {
    var declarations: [String] = []
    /// `=` rather than `:=`: an existing variable is assigned.
    var assigns = false
    var commands: [[Operand]]
    var line: Int
}

indirect enum Operand: Sendable {
    /// `.a.b` (empty: `.` itself).
    case field([String])
    /// `$`, `$x`, `$x.a.b`.
    case variable(String, [String])
    case function(String)
    case literal(TemplateValue)
    /// `(pipeline).a.b`.
    case group(Pipeline, [String])
}

public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public var template: String
    public var line: Int
    public var message: String
    public var description: String { "\(template):\(line): \(message)" }
}

struct TemplateParser {
    let name: String
    let source: [Character]
    var index = 0
    var line = 1
    /// `define`d templates met while parsing.
    var definitions: [String: [TemplateNode]] = [:]

    init(name: String, text: String) {
        self.name = name
        source = Array(text)
    }

    mutating func parse() throws(TemplateError) -> [TemplateNode] {
        let (nodes, end) = try parseList()
        if let end { throw error("unexpected {{\(end)}}") }
        return nodes
    }

    private func error(_ message: String) -> TemplateError { TemplateError(template: name, line: line, message: message) }

    /// Nodes up to an `{{ end }}`, `{{ else … }}` (returned as its words) or the end of the text.
    private mutating func parseList() throws(TemplateError) -> ([TemplateNode], String?) {
        var nodes: [TemplateNode] = []
        while index < source.count {
            guard let open = find("{{", from: index) else {
                nodes.append(.text(String(source[index...])))
                index = source.count
                break
            }
            var text = String(source[index..<open])
            var start = open + 2
            if start < source.count, source[start] == "-", start + 1 < source.count, source[start + 1].isWhitespace {
                text = String(text.reversed().drop { $0.isWhitespace }.reversed())
                start += 1
            }
            line += source[index..<open].filter { $0 == "\n" }.count
            if !text.isEmpty { nodes.append(.text(text)) }
            guard let close = find("}}", from: start) else { throw error("an action is not closed with }}") }
            var end = close
            var trimAfter = false
            if close - 1 >= start, source[close - 1] == "-", close - 2 >= start, source[close - 2].isWhitespace {
                end = close - 1
                trimAfter = true
            }
            let body = String(source[start..<end]).trimmingCharacters(in: .whitespacesAndNewlines)
            let actionLine = line
            line += source[open..<close].filter { $0 == "\n" }.count
            index = close + 2
            if trimAfter { while index < source.count, source[index].isWhitespace { if source[index] == "\n" { line += 1 }; index += 1 } }
            if body.hasPrefix("/*") {
                guard body.hasSuffix("*/") else { throw error("a comment is not closed with */") }
                continue
            }
            var lexer = ActionLexer(text: body, line: actionLine, template: name)
            let tokens = try lexer.tokens()
            guard let first = tokens.first else { throw error("an empty action") }
            switch first {
            case .identifier("end"):
                return (nodes, "end")
            case .identifier("else"):
                return (nodes, body)
            case .identifier("if"), .identifier("with"), .identifier("range"):
                let keyword = body.prefix(while: { !$0.isWhitespace })
                var parser = PipelineParser(tokens: Array(tokens.dropFirst()), line: actionLine, template: name)
                let pipeline = try parser.pipeline(allowDeclarations: keyword == "range")
                nodes.append(try block(String(keyword), pipeline))
            case .identifier("define"):
                guard tokens.count == 2, case .literal(.string(let defined)) = tokens[1] else { throw error("define takes one quoted name") }
                let (body, end) = try parseList()
                guard end == "end" else { throw error("define \"\(defined)\" is not closed with {{ end }}") }
                definitions[defined] = body
            case .identifier("template"):
                guard tokens.count >= 2, case .literal(.string(let called)) = tokens[1] else { throw error("template takes a quoted name") }
                var argument: Pipeline?
                if tokens.count > 2 {
                    var parser = PipelineParser(tokens: Array(tokens.dropFirst(2)), line: actionLine, template: name)
                    argument = try parser.pipeline(allowDeclarations: false)
                }
                nodes.append(.template(name: called, argument))
            case .identifier("block"), .identifier("break"), .identifier("continue"):
                throw error("'\(body.prefix(while: { !$0.isWhitespace }))' is not supported by floe's template renderer")
            default:
                var parser = PipelineParser(tokens: tokens, line: actionLine, template: name)
                nodes.append(.output(try parser.pipeline(allowDeclarations: true)))
            }
        }
        return (nodes, nil)
    }

    /// The rest of an `if`/`with`/`range` block, with its `else` (and `else if`) branches.
    private mutating func block(_ keyword: String, _ pipeline: Pipeline) throws(TemplateError) -> TemplateNode {
        let (body, end) = try parseList()
        var otherwise: [TemplateNode] = []
        guard let end else { throw error("{{ \(keyword) }} is not closed with {{ end }}") }
        if end != "end" {
            let rest = end.dropFirst(4).trimmingCharacters(in: .whitespaces)
            if rest.isEmpty {
                let (elseBody, elseEnd) = try parseList()
                guard elseEnd == "end" else { throw error("{{ else }} of {{ \(keyword) }} is not closed with {{ end }}") }
                otherwise = elseBody
            } else if rest.hasPrefix("if ") || rest.hasPrefix("with ") {
                // `else if x` is an `if` inside the else branch, sharing its `end`.
                let inner = String(rest.prefix(while: { !$0.isWhitespace }))
                var lexer = ActionLexer(text: String(rest.dropFirst(inner.count)), line: line, template: name)
                var parser = PipelineParser(tokens: try lexer.tokens(), line: line, template: name)
                otherwise = [try block(inner, try parser.pipeline(allowDeclarations: false))]
            } else {
                throw error("unexpected {{ \(end) }}")
            }
        }
        switch keyword {
        case "if": return .conditional(pipeline, then: body, otherwise: otherwise)
        case "with": return .with(pipeline, body: body, otherwise: otherwise)
        default: return .range(pipeline, body: body, otherwise: otherwise)
        }
    }

    private func find(_ marker: String, from start: Int) -> Int? {
        let characters = Array(marker)
        var position = start
        while position + characters.count <= source.count {
            if source[position] == characters[0], Array(source[position..<position + characters.count]) == characters { return position }
            position += 1
        }
        return nil
    }
}

/// The words of one action.
enum ActionToken: Equatable, Sendable {
    case identifier(String)
    case field([String])
    case variable(String, [String])
    case literal(TemplateValue)
    case pipe, open, close, declare, assign, comma
    /// `.a` right after `)`.
    case chain([String])
}

struct ActionLexer {
    let characters: [Character]
    let line: Int
    let template: String
    var index = 0

    init(text: String, line: Int, template: String) {
        characters = Array(text)
        self.line = line
        self.template = template
    }

    private func error(_ message: String) -> TemplateError { TemplateError(template: template, line: line, message: message) }

    mutating func tokens() throws(TemplateError) -> [ActionToken] {
        var tokens: [ActionToken] = []
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace { index += 1; continue }
            switch character {
            case "|": tokens.append(.pipe); index += 1
            case "(": tokens.append(.open); index += 1
            case ")": tokens.append(.close); index += 1
            case ",": tokens.append(.comma); index += 1
            case ":":
                guard index + 1 < characters.count, characters[index + 1] == "=" else { throw error("expected := ") }
                tokens.append(.declare); index += 2
            case "=": tokens.append(.assign); index += 1
            case "\"": tokens.append(.literal(.string(try quoted())))
            case "`":
                guard let end = characters[(index + 1)...].firstIndex(of: "`") else { throw error("a raw string is not closed") }
                tokens.append(.literal(.string(String(characters[(index + 1)..<end]))))
                index = end + 1
            case ".":
                let path = fieldPath()
                if tokens.last == .close { tokens.append(.chain(path)) } else { tokens.append(.field(path)) }
            case "$":
                index += 1
                let name = "$" + word()
                tokens.append(.variable(name, fieldPath()))
            default:
                if character.isNumber || (character == "-" && index + 1 < characters.count && characters[index + 1].isNumber) {
                    let text = word(allowing: "-.+eE")
                    if let value = Int(text) { tokens.append(.literal(.int(value))) }
                    else if let value = Double(text) { tokens.append(.literal(.double(value))) }
                    else { throw error("'\(text)' is not a number") }
                } else if character.isLetter || character == "_" {
                    let name = word()
                    switch name {
                    case "true": tokens.append(.literal(.bool(true)))
                    case "false": tokens.append(.literal(.bool(false)))
                    case "nil": tokens.append(.literal(.null))
                    default: tokens.append(.identifier(name))
                    }
                } else {
                    throw error("unexpected '\(character)' in an action")
                }
            }
        }
        return tokens
    }

    private mutating func word(allowing extra: String = "") -> String {
        let start = index
        while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" || extra.contains(characters[index]) {
            index += 1
        }
        return String(characters[start..<index])
    }

    /// `.a.b.c` from a dot (a lone `.` is the empty path).
    private mutating func fieldPath() -> [String] {
        var path: [String] = []
        while index < characters.count, characters[index] == "." {
            index += 1
            let name = word()
            if !name.isEmpty { path.append(name) }
        }
        return path
    }

    private mutating func quoted() throws(TemplateError) -> String {
        index += 1
        var result = ""
        while index < characters.count {
            let character = characters[index]
            index += 1
            if character == "\"" { return result }
            if character == "\\", index < characters.count {
                let escaped = characters[index]
                index += 1
                switch escaped {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                case "\\": result.append("\\")
                case "\"": result.append("\"")
                default: result.append("\\"); result.append(escaped)
                }
            } else {
                result.append(character)
            }
        }
        throw error("a string is not closed")
    }
}

struct PipelineParser {
    let tokens: [ActionToken]
    let line: Int
    let template: String
    var index = 0

    init(tokens: [ActionToken], line: Int, template: String) {
        self.tokens = tokens
        self.line = line
        self.template = template
    }

    private func error(_ message: String) -> TemplateError { TemplateError(template: template, line: line, message: message) }

    mutating func pipeline(allowDeclarations: Bool) throws(TemplateError) -> Pipeline {
        var result = Pipeline(commands: [], line: line)
        if allowDeclarations, let end = tokens.firstIndex(where: { $0 == .declare || $0 == .assign }),
           tokens[..<end].allSatisfy({ if case .variable(_, let path) = $0 { return path.isEmpty }; return $0 == .comma }) {
            result.declarations = tokens[..<end].compactMap { if case .variable(let name, _) = $0 { return name }; return nil }
            result.assigns = tokens[end] == .assign
            index = end + 1
        }
        result.commands = try commands(until: nil)
        guard !result.commands.isEmpty else { throw error("missing a value") }
        return result
    }

    private mutating func commands(until close: ActionToken?) throws(TemplateError) -> [[Operand]] {
        var list: [[Operand]] = [[]]
        while index < tokens.count {
            let token = tokens[index]
            if let close, token == close { break }
            index += 1
            switch token {
            case .pipe:
                guard !(list.last?.isEmpty ?? true) else { throw error("a pipe with nothing before it") }
                list.append([])
            case .open:
                let inner = try commands(until: .close)
                guard index < tokens.count, tokens[index] == .close else { throw error("a ( is not closed") }
                index += 1
                var chain: [String] = []
                if index < tokens.count, case .chain(let path) = tokens[index] { chain = path; index += 1 }
                list[list.count - 1].append(.group(Pipeline(commands: inner, line: line), chain))
            case .field(let path): list[list.count - 1].append(.field(path))
            case .variable(let name, let path): list[list.count - 1].append(.variable(name, path))
            case .identifier(let name): list[list.count - 1].append(.function(name))
            case .literal(let value): list[list.count - 1].append(.literal(value))
            default: throw error("unexpected token in a pipeline")
            }
        }
        if list.last?.isEmpty == true { if list.count > 1 { throw error("a pipe with nothing after it") } else { return [] } }
        return list
    }
}
