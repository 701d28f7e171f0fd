import FloeCore

/// An expression inside `{{ }}` or a statement, with where it starts.
struct JinjaExpr {
    indirect enum Kind {
        case literal(JinjaValue)
        case name(String)
        case attribute(JinjaExpr, String)
        case index(JinjaExpr, JinjaExpr)
        /// `x[start:stop:step]`, each part optional, as Python slices.
        case slice(JinjaExpr, start: JinjaExpr?, stop: JinjaExpr?, step: JinjaExpr?)
        /// `*items` among a call's positional arguments: the items spread out.
        case starred(JinjaExpr)
        case call(JinjaExpr, arguments: [JinjaExpr], keywords: [(String, JinjaExpr)])
        case filter(JinjaExpr, name: String, arguments: [JinjaExpr], keywords: [(String, JinjaExpr)])
        case test(JinjaExpr, name: String, negated: Bool, arguments: [JinjaExpr])
        case binary(JinjaOperator, JinjaExpr, JinjaExpr)
        /// `not`, `-` or `+`.
        case unary(JinjaOperator, JinjaExpr)
        case list([JinjaExpr])
        case dict([(JinjaExpr, JinjaExpr)])
        case conditional(then: JinjaExpr, condition: JinjaExpr, otherwise: JinjaExpr?)
    }

    var kind: Kind
    var position: JinjaPosition
}

/// Line and column of a piece of a template. Nodes do not carry their file: it is the template's,
/// or for a macro's body the macro's, and the renderer knows which it is rendering.
struct JinjaPosition {
    var line: Int32
    var column: Int32

    init(line: Int, column: Int) {
        self.line = Int32(truncatingIfNeeded: line)
        self.column = Int32(truncatingIfNeeded: column)
    }

    func location(in file: String) -> SourceLocation {
        SourceLocation(file: file, line: Int(line), column: Int(column))
    }
}

/// A macro's definition: parameters with optional defaults, and its body.
struct JinjaMacro {
    var name: String
    var parameters: [(name: String, defaultValue: JinjaExpr?)]
    var body: [JinjaNode]
    var location: SourceLocation
    /// Whether its body names `varargs` / `kwargs`: then, as in Jinja2, extra positional and
    /// keyword arguments are collected there instead of being an error.
    var takesVarargs = false
    var takesKwargs = false
}

/// A piece of a parsed template.
indirect enum JinjaNode {
    /// Literal text, as the UTF-8 the renderer writes.
    case text([UInt8])
    case output(JinjaExpr)
    case ifBlock(branches: [(condition: JinjaExpr, body: [JinjaNode])], otherwise: [JinjaNode]?)
    case forLoop(targets: [String], iterable: JinjaExpr, condition: JinjaExpr?, body: [JinjaNode], otherwise: [JinjaNode]?,
                 position: JinjaPosition)
    case set(targets: [String], JinjaExpr)
    /// `{% set ns.attr = value %}`: an attribute of a `namespace()` set.
    case setAttribute(target: String, attribute: String, JinjaExpr)
    /// `{% set name %}…{% endset %}`, or `{% set ns.attr %}…{% endset %}` when `attribute` is given.
    case setBlock(String, attribute: String?, [JinjaNode])
    case macro(JinjaMacro)
    case doStatement(JinjaExpr)
    case callBlock(JinjaExpr, body: [JinjaNode])
    /// `{% break %}` (true) or `{% continue %}` (false), inside a loop (the loopcontrols extension dbt enables).
    case loopControl(breaks: Bool)
}

/// A parsed template: its nodes and the file it came from.
public struct JinjaTemplate {
    var nodes: [JinjaNode]
    public var file: String

    /// Parses `source`; the error names the file, line and column of the first problem.
    public init(_ source: String, file: String) throws(TemplateError) {
        let bytes = Array(source.utf8)
        let (tokens, operators) = try JinjaLexer.tokenize(bytes, file: file)
        var parser = JinjaParser(tokens: tokens, operators: operators, source: bytes, file: file)
        nodes = try parser.parseTemplate()
        self.file = file
    }

    /// Whether `text` may hold a tag (`{{` or `{%`): text without one renders as itself.
    public static func mayHoldTags(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var position = bytes.firstIndex(of: UInt8(ascii: "{"))
            while let at = position, at + 1 < bytes.count {
                if bytes[at + 1] == UInt8(ascii: "{") || bytes[at + 1] == UInt8(ascii: "%") { return true }
                position = bytes[(at + 1)...].firstIndex(of: UInt8(ascii: "{"))
            }
            return false
        }
    }

    /// The first whole tag (`{{ … }}` or `{% … %}`, opened and closed on one line) left in
    /// rendered text, cut to 80 characters; nil when there is none. Rendered SQL holding one
    /// would fail, or run as something else. Scans the UTF-8 bytes: the compiler asks this of
    /// every model's SQL.
    public static func leftoverTag(in text: String) -> String? {
        var text = text
        let range: Range<Int>? = text.withUTF8 { bytes in
            let open = UInt8(ascii: "{"), newline = UInt8(ascii: "\n")
            var position = bytes.firstIndex(of: open)
            while let at = position, at + 1 < bytes.count {
                let kind = bytes[at + 1]
                if kind == open || kind == UInt8(ascii: "%") {
                    // The nearest closer on the same line: `}}` after `{{`, `%}` after `{%`.
                    let closer = kind == open ? UInt8(ascii: "}") : kind
                    var end = at + 2
                    while end + 1 < bytes.count, bytes[end] != newline {
                        if bytes[end] == closer, bytes[end + 1] == UInt8(ascii: "}") {
                            // A tag in a SQL comment is text the template meant (`-- {% raw %}{{ x }}{% endraw %}`), and runs as nothing.
                            if Self.inSQLComment(bytes, at) { break }
                            return at..<(end + 2)
                        }
                        end += 1
                    }
                }
                position = bytes[(at + 1)...].firstIndex(of: open)
            }
            return nil
        }
        guard let range else { return nil }
        let tag = text.utf8.dropFirst(range.lowerBound).prefix(range.count)
        return String(String(decoding: tag, as: UTF8.self).prefix(80))
    }

    /// Whether byte `at` is inside a `--` comment (after `--` on its line) or a `/* */` one. Only
    /// asked about a tag already found, which is rare.
    private static func inSQLComment(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int) -> Bool {
        let dash = UInt8(ascii: "-"), slash = UInt8(ascii: "/"), star = UInt8(ascii: "*")
        var index = at - 1
        while index > 0, bytes[index] != UInt8(ascii: "\n") {
            if bytes[index] == dash, bytes[index - 1] == dash { return true }
            index -= 1
        }
        var open: Int?
        var position = 0
        while position + 1 < at {
            if bytes[position] == slash, bytes[position + 1] == star { open = position; position += 2; continue }
            if open != nil, bytes[position] == star, bytes[position + 1] == slash { open = nil; position += 2; continue }
            position += 1
        }
        return open != nil
    }

    /// The macros the template defines at its top level, with where each name is written.
    public var macroDefinitions: [(name: String, location: SourceLocation)] {
        nodes.compactMap { if case .macro(let macro) = $0 { return (macro.name, macro.location) } else { return nil } }
    }
}

/// Questions about the names a piece of template uses.
enum JinjaNames {
    /// Whether `name` is read anywhere in `nodes`, nested macros aside (they have their own).
    static func mentions(_ name: String, in nodes: [JinjaNode]) -> Bool {
        nodes.contains { mentions(name, in: $0) }
    }

    private static func mentions(_ name: String, in node: JinjaNode) -> Bool {
        switch node {
        case .text, .macro, .loopControl: return false
        case .output(let expression), .doStatement(let expression): return mentions(name, in: expression)
        case .ifBlock(let branches, let otherwise):
            return branches.contains { mentions(name, in: $0.condition) || mentions(name, in: $0.body) } || mentions(name, in: otherwise ?? [])
        case .forLoop(_, let iterable, let condition, let body, let otherwise, _):
            return mentions(name, in: iterable) || (condition.map { mentions(name, in: $0) } ?? false)
                || mentions(name, in: body) || mentions(name, in: otherwise ?? [])
        case .set(_, let expression), .setAttribute(_, _, let expression): return mentions(name, in: expression)
        case .setBlock(_, _, let body): return mentions(name, in: body)
        case .callBlock(let expression, let body): return mentions(name, in: expression) || mentions(name, in: body)
        }
    }

    private static func mentions(_ name: String, in expression: JinjaExpr) -> Bool {
        switch expression.kind {
        case .literal: return false
        case .name(let used): return used == name
        case .attribute(let base, _), .unary(_, let base), .starred(let base): return mentions(name, in: base)
        case .index(let base, let index): return mentions(name, in: base) || mentions(name, in: index)
        case .slice(let base, let start, let stop, let step):
            return mentions(name, in: base) || [start, stop, step].contains { $0.map { mentions(name, in: $0) } ?? false }
        case .call(let callee, let arguments, let keywords), .filter(let callee, _, let arguments, let keywords):
            return mentions(name, in: callee) || arguments.contains { mentions(name, in: $0) } || keywords.contains { mentions(name, in: $0.1) }
        case .test(let base, _, _, let arguments): return mentions(name, in: base) || arguments.contains { mentions(name, in: $0) }
        case .binary(_, let left, let right): return mentions(name, in: left) || mentions(name, in: right)
        case .list(let items): return items.contains { mentions(name, in: $0) }
        case .dict(let pairs): return pairs.contains { mentions(name, in: $0.0) || mentions(name, in: $0.1) }
        case .conditional(let then, let condition, let otherwise):
            return mentions(name, in: then) || mentions(name, in: condition) || (otherwise.map { mentions(name, in: $0) } ?? false)
        }
    }
}
