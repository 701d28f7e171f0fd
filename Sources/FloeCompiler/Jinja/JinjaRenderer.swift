import FloeCore
import Foundation

/// The names every template and macro sees. A class, so that macros defined from it see names
/// added later (macro files calling each other) and per-model values (`this`) set before a render.
public final class JinjaGlobals {
    public var values: [String: JinjaValue]

    public init(_ values: [String: JinjaValue] = [:]) {
        self.values = values
    }

    public subscript(name: String) -> JinjaValue? {
        get { values[name] }
        set { values[name] = newValue }
    }
}

/// Renders parsed templates. `globals` are visible everywhere (dbt's `ref`, `var`, user macros…).
public struct JinjaEnvironment {
    public let globals: JinjaGlobals

    public init(globals: [String: JinjaValue] = [:]) {
        self.globals = JinjaGlobals(globals)
    }

    /// Adds names to the globals, replacing any of the same name.
    public func define(_ values: [String: JinjaValue]) {
        globals.values.merge(values) { _, new in new }
    }

    /// Renders `template` with `context` layered over the globals.
    public func render(_ template: JinjaTemplate, context: [String: JinjaValue] = [:]) throws(TemplateError) -> String {
        let renderer = JinjaRenderer(globals: globals, file: template.file)
        renderer.frames.append(JinjaNameTable(context))
        do {
            return try renderer.render(template.nodes)
        } catch let error as TemplateError {
            throw error
        } catch is ReturnSignal {
            return ""
        } catch {
            throw TemplateError("internal error: \(error)", at: .file(template.file))
        }
    }

    /// The macros a template (a macro file) defines, as callables to add to the globals.
    public func macros(in template: JinjaTemplate) -> [String: JinjaValue] {
        var result: [String: JinjaValue] = [:]
        for node in template.nodes {
            if case .macro(let macro) = node {
                result[macro.name] = .callable(JinjaRenderer.callable(for: macro, globals: globals))
            }
        }
        return result
    }
}

/// `{{ return(x) }}` / `{% do return(x) %}` inside a macro: unwinds to the macro call.
struct ReturnSignal: Error {
    var value: JinjaValue
}

/// One rendering in progress: a stack of variable frames (a loop's variables, a macro's
/// arguments, what `{% set %}` assigned) and the template's file.
final class JinjaRenderer {
    let globals: JinjaGlobals
    var frames: [JinjaNameTable] = []
    let file: String

    init(globals: JinjaGlobals, file: String) {
        self.globals = globals
        self.file = file
    }

    func lookup(_ name: String) -> JinjaValue {
        var position = frames.count
        while position > 0 {
            position -= 1
            if let value = frames[position][name] { return value }
        }
        if let value = globals.values[name] { return value }
        if let builtin = JinjaBuiltins.functions[name] { return .callable(builtin) }
        return .undefined(name)
    }

    func assign(_ name: String, _ value: JinjaValue) {
        if frames.isEmpty { frames.append(JinjaNameTable()) }
        frames[frames.count - 1][name] = value
    }

    var knownNames: [String] {
        Array(Set(frames.flatMap(\.names) + globals.values.keys + JinjaBuiltins.functions.keys))
    }

    // MARK: Statements

    func render(_ nodes: [JinjaNode]) throws -> String {
        var output = ""
        for node in nodes { try render(node, into: &output) }
        return output
    }

    func render(_ node: JinjaNode, into output: inout String) throws {
        switch node {
        case .text(let text):
            output += text
        case .output(let expression):
            let value = try evaluate(expression)
            if case .undefined(let name) = value { throw undefined(name, at: expression.location) }
            output += value.rendered
        case .ifBlock(let branches, let otherwise):
            for branch in branches where try evaluate(branch.condition).isTruthy {
                for child in branch.body { try render(child, into: &output) }
                return
            }
            for child in otherwise ?? [] { try render(child, into: &output) }
        case .forLoop(let targets, let iterable, let condition, let body, let otherwise, let location):
            try renderLoop(targets: targets, iterable: iterable, condition: condition, body: body, otherwise: otherwise,
                           location: location, into: &output)
        case .set(let targets, let expression):
            let value = try evaluate(expression)
            if targets.count == 1 {
                assign(targets[0], value)
            } else {
                guard let items = value.iterated, items.count == targets.count else {
                    throw TemplateError("cannot unpack \(value.typeName) into \(targets.count) names", at: expression.location)
                }
                for (name, item) in zip(targets, items) { assign(name, item) }
            }
        case .setBlock(let name, let body):
            assign(name, .string(try render(body)))
        case .macro(let macro):
            assign(macro.name, .callable(Self.callable(for: macro, globals: globals)))
        case .doStatement(let expression):
            _ = try evaluate(expression)
        case .callBlock(let expression, let body):
            // `{% call f(...) %}body{% endcall %}`: f receives the rendered body as `caller()`.
            let rendered = try render(body)
            let caller = JinjaCallable("caller") { _, _, _ in .string(rendered) }
            var frame = JinjaNameTable()
            frame["caller"] = .callable(caller)
            frames.append(frame)
            defer { frames.removeLast() }
            output += try evaluate(expression).rendered
        }
    }

    private func renderLoop(
        targets: [String], iterable: JinjaExpr, condition: JinjaExpr?, body: [JinjaNode], otherwise: [JinjaNode]?,
        location: SourceLocation, into output: inout String
    ) throws {
        let source = try evaluate(iterable)
        if case .undefined(let name) = source { throw undefined(name, at: iterable.location) }
        guard var items = source.iterated else {
            throw TemplateError("cannot loop over \(source.typeName)", at: iterable.location)
        }
        if case .dict(let box) = source, targets.count == 2 {
            items = zip(box.keys, box.values).map { .list([.string($0), $1]) }
        }
        func bind(_ item: JinjaValue) throws -> JinjaNameTable {
            var frame = JinjaNameTable()
            if targets.count == 1 {
                frame[targets[0]] = item
                return frame
            }
            guard let parts = item.iterated, parts.count == targets.count else {
                throw TemplateError("cannot unpack \(item.typeName) into \(targets.count) loop variables", at: location)
            }
            for (name, part) in zip(targets, parts) { frame[name] = part }
            return frame
        }
        if let condition {
            var kept: [JinjaValue] = []
            for item in items {
                frames.append(try bind(item))
                defer { frames.removeLast() }
                if try evaluate(condition).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            for child in otherwise ?? [] { try render(child, into: &output) }
            return
        }
        let count = items.count
        // One `loop` object per loop, updated in place each iteration.
        let loop = JinjaValue.DictBox(distinctKeys: Self.loopKeys, values: [
            .integer(1), .integer(0), .integer(count), .integer(count - 1), .bool(true), .bool(count == 1), .integer(count),
        ])
        for (index, item) in items.enumerated() {
            var frame = try bind(item)
            if index > 0 {
                // In the order the dict was made with.
                loop.replaceValue(at: 0, with: .integer(index + 1))
                loop.replaceValue(at: 1, with: .integer(index))
                loop.replaceValue(at: 2, with: .integer(count - index))
                loop.replaceValue(at: 3, with: .integer(count - index - 1))
                loop.replaceValue(at: 4, with: .bool(false))
                loop.replaceValue(at: 5, with: .bool(index == count - 1))
            }
            frame["loop"] = .dict(loop)
            frames.append(frame)
            defer { frames.removeLast() }
            for child in body { try render(child, into: &output) }
        }
    }

    /// The `loop` object's attributes; the first six change each iteration, in this order.
    private static let loopKeys = ["index", "index0", "revindex", "revindex0", "first", "last", "length"]

    /// A macro as a callable: binds arguments (positional, keyword, defaults), renders the body in
    /// a fresh frame over the defining globals, and returns the text (or what `return()` gave).
    static func callable(for macro: JinjaMacro, globals: JinjaGlobals) -> JinjaCallable {
        JinjaCallable(macro.name) { arguments, keywords, context in
            let renderer = JinjaRenderer(globals: globals, file: macro.location.file)
            var frame = JinjaNameTable()
            if arguments.count > macro.parameters.count {
                throw TemplateError("macro '\(macro.name)' takes \(macro.parameters.count) arguments, got \(arguments.count)",
                                    at: context.location)
            }
            for (index, parameter) in macro.parameters.enumerated() where index < arguments.count {
                frame[parameter.name] = arguments[index]
            }
            for (name, value) in keywords {
                guard macro.parameters.contains(where: { $0.name == name }) else {
                    throw TemplateError("macro '\(macro.name)' has no parameter '\(name)'", at: context.location,
                                        hint: Suggestions.didYouMean(name, in: macro.parameters.map(\.name)))
                }
                frame[name] = value
            }
            renderer.frames = [frame]
            for parameter in macro.parameters where frame[parameter.name] == nil {
                if let defaultValue = parameter.defaultValue {
                    renderer.frames[0][parameter.name] = try renderer.evaluate(defaultValue)
                } else {
                    renderer.frames[0][parameter.name] = .undefined(parameter.name)
                }
            }
            do {
                return .string(try renderer.render(macro.body))
            } catch let signal as ReturnSignal {
                return signal.value
            }
        }
    }

    func undefined(_ name: String, at location: SourceLocation) -> TemplateError {
        TemplateError("'\(name)' is undefined", at: location,
                      hint: Suggestions.didYouMean(name, in: knownNames.filter { !$0.hasPrefix("_") }))
    }

    // MARK: Expressions

    func evaluate(_ expression: JinjaExpr) throws -> JinjaValue {
        switch expression.kind {
        case .literal(let value):
            return value
        case .name(let name):
            return lookup(name)
        case .attribute(let base, let name):
            let value = try evaluate(base)
            if case .undefined(let baseName) = value { throw undefined(baseName, at: base.location) }
            return JinjaBuiltins.attribute(name, of: value)
        case .index(let base, let indexExpression):
            let value = try evaluate(base)
            if case .undefined(let baseName) = value { throw undefined(baseName, at: base.location) }
            return try JinjaBuiltins.subscripted(value, by: try evaluate(indexExpression), at: expression.location)
        case .call(let callee, let argumentExpressions, let keywordExpressions):
            let function = try evaluate(callee)
            let arguments = try argumentExpressions.map(evaluate)
            let keywords = try keywordExpressions.map { ($0.0, try evaluate($0.1)) }
            guard case .callable(let callable) = function else {
                if case .undefined(let name) = function {
                    throw TemplateError("unknown macro or function '\(name)'", at: callee.location,
                                        hint: Suggestions.didYouMean(name, in: knownNames))
                }
                throw TemplateError("\(function.typeName) cannot be called", at: callee.location)
            }
            if callable.name == "return" { throw ReturnSignal(value: arguments.first ?? .none) }
            return try callable.body(arguments, keywords, JinjaCallContext(location: expression.location))
        case .filter(let base, let name, let argumentExpressions, let keywordExpressions):
            let value = try evaluate(base)
            if name != "default", name != "d", case .undefined(let undefinedName) = value {
                throw undefined(undefinedName, at: base.location)
            }
            let arguments = try argumentExpressions.map(evaluate)
            let keywords = try keywordExpressions.map { ($0.0, try evaluate($0.1)) }
            return try JinjaBuiltins.filter(name, value, arguments, keywords, at: expression.location)
        case .test(let base, let name, let negated, let argumentExpressions):
            let value = try evaluate(base)
            let result = try JinjaBuiltins.test(name, value, try argumentExpressions.map(evaluate), at: expression.location)
            return .bool(negated ? !result : result)
        case .binary(let op, let left, let right):
            return try binary(op, left, right, at: expression.location)
        case .unary(let op, let operandExpression):
            let operand = try evaluate(operandExpression)
            switch (op, operand) {
            case ("not", _): return .bool(!operand.isTruthy)
            case ("-", .integer(let value)): return .integer(-value)
            case ("-", .number(let value)): return .number(-value)
            case ("+", .integer), ("+", .number): return operand
            default: throw TemplateError("cannot apply '\(op)' to \(operand.typeName)", at: expression.location)
            }
        case .list(let items):
            return .list(try items.map(evaluate))
        case .dict(let pairs):
            var entries: [(String, JinjaValue)] = []
            for (keyExpression, valueExpression) in pairs {
                entries.append((try evaluate(keyExpression).rendered, try evaluate(valueExpression)))
            }
            return .dict(entries)
        case .conditional(let then, let condition, let otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            // `a if b` with no else prints nothing, as in dbt.
            return try otherwise.map(evaluate) ?? .string("")
        }
    }

    private func binary(_ op: String, _ leftExpression: JinjaExpr, _ rightExpression: JinjaExpr, at location: SourceLocation) throws -> JinjaValue {
        let left = try evaluate(leftExpression)
        switch op {
        case "and": return left.isTruthy ? try evaluate(rightExpression) : left
        case "or": return left.isTruthy ? left : try evaluate(rightExpression)
        default: break
        }
        let right = try evaluate(rightExpression)
        for (value, expression) in [(left, leftExpression), (right, rightExpression)] {
            if case .undefined(let name) = value, op != "==", op != "!=" { throw undefined(name, at: expression.location) }
        }
        return try JinjaBuiltins.binary(op, left, right, at: location)
    }
}
