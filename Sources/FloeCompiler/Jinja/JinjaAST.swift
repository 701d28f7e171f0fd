import FloeCore

/// An expression inside `{{ }}` or a statement, with where it starts.
struct JinjaExpr {
    indirect enum Kind {
        case literal(JinjaValue)
        case name(String)
        case attribute(JinjaExpr, String)
        case index(JinjaExpr, JinjaExpr)
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
    case setBlock(String, [JinjaNode])
    case macro(JinjaMacro)
    case doStatement(JinjaExpr)
    case callBlock(JinjaExpr, body: [JinjaNode])
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

    /// The macros the template defines at its top level, with where each name is written.
    public var macroDefinitions: [(name: String, location: SourceLocation)] {
        nodes.compactMap { if case .macro(let macro) = $0 { return (macro.name, macro.location) } else { return nil } }
    }
}
