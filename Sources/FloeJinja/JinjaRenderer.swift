import FloeCore
import Foundation

/// The names every template and macro sees. A class, so that macros defined from it see names
/// added later (macro files calling each other) and per-model values (`this`) set before a render.
public final class JinjaGlobals {
    public var values: [String: JinjaValue]
    /// Searched when `values` has no such name: a dbt package's macros see their own package's
    /// names first, then the root project's globals.
    public let parent: JinjaGlobals?
    private var ownWarnings: [TemplateError] = []

    public init(_ values: [String: JinjaValue] = [:], parent: JinjaGlobals? = nil) {
        self.values = values
        self.parent = parent
    }

    /// What rendered but may not be what was meant (an undefined name printed as nothing), for
    /// whoever renders to report and clear. Kept by the outermost globals, whichever layer adds it.
    public var warnings: [TemplateError] {
        get { parent?.warnings ?? ownWarnings }
        set {
            if let parent { parent.warnings = newValue } else { ownWarnings = newValue }
        }
    }

    /// The value of `name` here or in a parent layer.
    public func value(named name: String) -> JinjaValue? {
        if let value = values[name] { return value }
        return parent?.value(named: name)
    }

    /// Every name visible here, parent layers included.
    var visibleNames: [String] {
        Array(values.keys) + (parent?.visibleNames ?? [])
    }

    /// Reads through the layers; writes go to this layer.
    public subscript(name: String) -> JinjaValue? {
        get { value(named: name) }
        set { values[name] = newValue }
    }
}

/// Renders parsed templates. `globals` are visible everywhere (dbt's `ref`, `var`, user macros…).
public struct JinjaEnvironment {
    public let globals: JinjaGlobals

    public init(globals: [String: JinjaValue] = [:]) {
        self.globals = JinjaGlobals(globals)
    }

    /// An environment whose own names (a package's macros) sit over `parent`'s.
    public init(layeredOver parent: JinjaEnvironment) {
        self.globals = JinjaGlobals(parent: parent.globals)
    }

    /// Adds names to the globals, replacing any of the same name.
    public func define(_ values: [String: JinjaValue]) {
        globals.values.merge(values) { _, new in new }
    }

    /// Renders `template` with `context` layered over the globals.
    public func render(_ template: JinjaTemplate, context: [String: JinjaValue] = [:]) throws(TemplateError) -> String {
        let renderer = JinjaRenderer(globals: globals, file: template.file)
        for (name, value) in context { renderer.assign(name, value) }
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

    /// The value of a template that is one `{{ expression }}`, as dbt renders YAML values natively
    /// (a list stays a list, a number a number); any other template renders to its text.
    public func value(of template: JinjaTemplate) throws(TemplateError) -> JinjaValue {
        let meaningful = template.nodes.filter {
            if case .text(let bytes) = $0 { return !bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D } }
            return true
        }
        guard meaningful.count == 1, case .output(let expression) = meaningful[0] else { return .string(try render(template)) }
        let renderer = JinjaRenderer(globals: globals, file: template.file)
        do {
            return try renderer.evaluate(expression)
        } catch let error as TemplateError {
            throw error
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
/// Thrown and caught on the one thread that renders, so the value never crosses threads.
struct ReturnSignal: Error, @unchecked Sendable {
    var value: JinjaValue
}

/// One rendering in progress: the variables in scope (a loop's variables, a macro's arguments,
/// what `{% set %}` assigned) and the file whose template is being rendered.
///
/// Variables live on one stack, innermost last, so opening a scope (a loop iteration, a macro
/// call) allocates nothing: a scope is where it starts on the stack. A macro renders on its
/// caller's renderer, behind a floor that hides the caller's variables from it.
final class JinjaRenderer {
    let globals: JinjaGlobals
    /// The file of the template or macro being rendered, for error locations.
    private(set) var file: String
    // The variable stack is touched thousands of times per model, always from the one thread
    // rendering; its stored properties skip the runtime's exclusivity checks (docs/performance.md).

    /// Every variable in scope, names and values in step.
    /// A `{% break %}` or `{% continue %}` met and not yet taken by its loop: the nodes after it
    /// up to the loop's body end are skipped.
    private var loopSignal: Bool?
    @exclusivity(unchecked) private var names: [String] = []
    @exclusivity(unchecked) private var values: [JinjaValue] = []
    /// Where each open scope starts in `names`, innermost last.
    @exclusivity(unchecked) private var scopeStarts: [Int] = [0]
    /// Lookups search down to here and no further: the start of the macro being rendered.
    @exclusivity(unchecked) private var floor = 0

    init(globals: JinjaGlobals, file: String) {
        self.globals = globals
        self.file = file
        names.reserveCapacity(16)
        values.reserveCapacity(16)
    }

    func lookup(_ name: String) -> JinjaValue {
        var position = names.count
        while position > floor {
            position -= 1
            if names[position] == name { return values[position] }
        }
        if let value = globals.values[name] ?? globals.parent?.value(named: name) { return value }
        if let builtin = JinjaBuiltins.functions[name] { return .callable(builtin) }
        return .undefined(name)
    }

    /// Sets a variable of the innermost scope, as `{% set %}` does.
    func assign(_ name: String, _ value: JinjaValue) {
        var position = names.count
        let start = scopeStarts[scopeStarts.count - 1]
        while position > start {
            position -= 1
            if names[position] == name {
                values[position] = value
                return
            }
        }
        names.append(name)
        values.append(value)
    }

    private func openScope() {
        scopeStarts.append(names.count)
    }

    /// Drops the innermost scope's variables from the end (a scope holds a few: `removeSubrange`
    /// cost several times as much).
    private func closeScope() {
        let start = scopeStarts.removeLast()
        while names.count > start {
            names.removeLast()
            values.removeLast()
        }
    }

    var knownNames: [String] {
        Array(Set(names[floor...] + globals.visibleNames + JinjaBuiltins.functions.keys))
    }

    // MARK: Statements

    /// Renders into UTF-8 bytes, made a string once at the end: appending to a `String` piece by
    /// piece is far slower.
    func render(_ nodes: [JinjaNode]) throws -> String {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        for node in nodes { try render(node, into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    func render(_ node: JinjaNode, into output: inout [UInt8]) throws {
        if loopSignal != nil { return }
        switch node {
        case .text(let text):
            output.append(contentsOf: text)
        case .output(let expression):
            let value: JinjaValue
            if case .call(let callee, let argumentExpressions, let keywordExpressions) = expression.kind {
                // A macro called for its text writes it here, instead of into a string of its own.
                guard let returned = try call(try evaluate(callee), callee, argumentExpressions, keywordExpressions,
                                              of: expression, into: &output) else { return }
                value = returned
            } else {
                value = try evaluate(expression)
            }
            if case .undefined(let name) = value {
                // As in Jinja2 (and dbt), an undefined name prints nothing; it is reported, as it is
                // as often a typo as a value that is simply not there.
                var warning = undefined(name, at: at(expression))
                warning.message += "; it prints nothing, as in dbt"
                globals.warnings.append(warning)
                return
            }
            output.append(contentsOf: value.rendered.utf8)
        case .ifBlock(let branches, let otherwise):
            for branch in branches where try evaluate(branch.condition).isTruthy {
                for child in branch.body { try render(child, into: &output) }
                return
            }
            for child in otherwise ?? [] { try render(child, into: &output) }
        case .forLoop(let targets, let iterable, let condition, let body, let otherwise, let position):
            try renderLoop(targets: targets, iterable: iterable, condition: condition, body: body, otherwise: otherwise,
                           position: position, into: &output)
        case .set(let targets, let expression):
            let value = try evaluate(expression)
            if targets.count == 1 {
                assign(targets[0], value)
            } else {
                guard let items = value.iterated, items.count == targets.count else {
                    throw TemplateError("cannot unpack \(value.typeName) into \(targets.count) names", at: at(expression))
                }
                for (name, item) in zip(targets, items) { assign(name, item) }
            }
        case .setBlock(let name, let attribute, let body):
            let text = JinjaValue.string(try render(body))
            guard let attribute else {
                assign(name, text)
                return
            }
            guard case .dict(let box) = lookup(name) else {
                throw TemplateError("cannot set '\(attribute)' on '\(name)': only a namespace() takes attributes", at: .file(file))
            }
            box[attribute] = text
        case .setAttribute(let target, let attribute, let expression):
            guard case .dict(let box) = lookup(target) else {
                throw TemplateError("cannot set '\(attribute)' on '\(target)': only a namespace() takes attributes", at: at(expression))
            }
            box[attribute] = try evaluate(expression)
        case .macro(let macro):
            assign(macro.name, .callable(Self.callable(for: macro, globals: globals)))
        case .loopControl(let breaks):
            loopSignal = breaks
        case .doStatement(let expression):
            _ = try evaluate(expression)
        case .callBlock(let expression, let body):
            // `{% call f(...) %}body{% endcall %}`: the macro f sees the rendered body as `caller()`.
            let rendered = try render(body)
            let caller = JinjaValue.callable(JinjaCallable("caller") { _, _, _ in .string(rendered) })
            guard case .call(let callee, let argumentExpressions, let keywordExpressions) = expression.kind else {
                throw TemplateError("'{% call %}' needs a macro call, such as '{% call wrap() %}'", at: at(expression))
            }
            let function = try evaluate(callee)
            guard case .callable(let callable) = function else {
                if case .undefined(let name) = function { throw undefined(name, at: at(callee)) }
                throw TemplateError("'{% call %}' needs a macro, got \(function.typeName)", at: at(callee))
            }
            let (arguments, keywords) = try evaluate(argumentExpressions, keywordExpressions)
            guard let definition = callable.definition else {
                // A function floe provides (dbt's `statement`) gets the body as its `caller` keyword.
                let value = try callable.body(arguments, keywords + [("caller", caller)], JinjaCallContext(location: at(expression)))
                if case .none = value {} else { output.append(contentsOf: value.rendered.utf8) }
                return
            }
            if let returned = try call(definition, arguments, keywords, caller: caller, at: at(expression), into: &output) {
                output.append(contentsOf: returned.rendered.utf8)
            }
        }
    }

    private func renderLoop(
        targets: [String], iterable: JinjaExpr, condition: JinjaExpr?, body: [JinjaNode], otherwise: [JinjaNode]?,
        position: JinjaPosition, into output: inout [UInt8]
    ) throws {
        var source = try evaluate(iterable)
        if case .undefined(let name) = source {
            // As in Jinja2, an undefined value loops as an empty one; reported like its printing.
            var warning = undefined(name, at: at(iterable))
            warning.message += "; the loop runs over nothing, as in dbt"
            globals.warnings.append(warning)
            source = .list([])
        }
        guard var items = source.iterated else {
            throw TemplateError("cannot loop over \(source.typeName)", at: at(iterable))
        }
        if case .dict(let box) = source, targets.count == 2 {
            items = zip(box.keyItems, box.values).map { .list([$0, $1]) }
        }
        /// Opens the scope of one iteration, with the loop variables bound to `item`.
        func bind(_ item: JinjaValue) throws {
            openScope()
            if targets.count == 1 {
                assign(targets[0], item)
                return
            }
            guard let parts = item.iterated, parts.count == targets.count else {
                closeScope()
                throw TemplateError("cannot unpack \(item.typeName) into \(targets.count) loop variables", at: position.location(in: file))
            }
            for (name, part) in zip(targets, parts) { assign(name, part) }
        }
        if let condition {
            var kept: [JinjaValue] = []
            for item in items {
                try bind(item)
                defer { closeScope() }
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
            try bind(item)
            defer { closeScope() }
            if index > 0 {
                // In the order the dict was made with.
                loop.replaceValue(at: 0, with: .integer(index + 1))
                loop.replaceValue(at: 1, with: .integer(index))
                loop.replaceValue(at: 2, with: .integer(count - index))
                loop.replaceValue(at: 3, with: .integer(count - index - 1))
                loop.replaceValue(at: 4, with: .bool(false))
                loop.replaceValue(at: 5, with: .bool(index == count - 1))
            }
            assign("loop", .dict(loop))
            for child in body { try render(child, into: &output) }
            if let breaks = loopSignal {
                loopSignal = nil
                if breaks { break }
            }
        }
    }

    /// The `loop` object's attributes; the first six change each iteration, in this order.
    private static let loopKeys = ["index", "index0", "revindex", "revindex0", "first", "last", "length"]

    /// A macro as a callable, for callers outside a rendering (dbt's `generate_schema_name`, a
    /// project's `{% test %}`): renders on a renderer of its own over the defining globals.
    /// Renderers call it through its ``JinjaMacroDefinition`` instead.
    static func callable(for macro: JinjaMacro, globals: JinjaGlobals) -> JinjaCallable {
        let definition = JinjaMacroDefinition(macro: macro, globals: globals)
        return JinjaCallable(macro.name, definition: definition) { arguments, keywords, context in
            try JinjaRenderer(globals: globals, file: macro.location.file).call(macro, arguments, keywords, at: context.location)
        }
    }

    /// Calls a template's macro: in place when it was defined over this renderer's globals, else on
    /// a renderer over its own. Its text goes to `output`; what `return()` gave, if it was called,
    /// is returned instead.
    private func call(_ definition: JinjaMacroDefinition, _ arguments: [JinjaValue], _ keywords: [(String, JinjaValue)],
                      caller: JinjaValue? = nil, at location: @autoclosure () -> SourceLocation,
                      into output: inout [UInt8]) throws -> JinjaValue? {
        let renderer = definition.globals === globals ? self : JinjaRenderer(globals: definition.globals, file: file)
        return try renderer.call(definition.macro, arguments, keywords, caller: caller, at: location(), into: &output)
    }

    /// A macro call as a value: its text, or what `return()` gave.
    func call(_ macro: JinjaMacro, _ arguments: [JinjaValue], _ keywords: [(String, JinjaValue)],
              at location: @autoclosure () -> SourceLocation) throws -> JinjaValue {
        try Self.value { try call(macro, arguments, keywords, at: location(), into: &$0) }
    }

    /// What a macro call that writes with `write` gives as a value: the text, or what `return()` gave.
    private static func value(_ write: (inout [UInt8]) throws -> JinjaValue?) rethrows -> JinjaValue {
        var output: [UInt8] = []
        if let returned = try write(&output) { return returned }
        return .string(String(decoding: output, as: UTF8.self))
    }

    /// Binds the arguments (positional, keyword, defaults) in a fresh scope that sees only the
    /// globals and renders the body into `output`. When the body calls `return()`, what it wrote
    /// is taken back out and the value returned. `caller` is the body of the `{% call %}` block
    /// that called it.
    func call(_ macro: JinjaMacro, _ arguments: [JinjaValue], _ keywords: [(String, JinjaValue)], caller: JinjaValue? = nil,
              at location: @autoclosure () -> SourceLocation, into output: inout [UInt8]) throws -> JinjaValue? {
        if arguments.count > macro.parameters.count, !macro.takesVarargs {
            throw TemplateError("macro '\(macro.name)' takes \(macro.parameters.count) arguments, got \(arguments.count)",
                                at: location())
        }
        var extraKeywords: [(String, JinjaValue)] = []
        for (name, value) in keywords where !macro.parameters.contains(where: { $0.name == name }) {
            guard macro.takesKwargs else {
                throw TemplateError("macro '\(macro.name)' has no parameter '\(name)'", at: location(),
                                    hint: Suggestions.didYouMean(name, in: macro.parameters.map(\.name)))
            }
            extraKeywords.append((name, value))
        }
        let extraArguments = arguments.count > macro.parameters.count ? Array(arguments[macro.parameters.count...]) : []
        let arguments = Array(arguments.prefix(macro.parameters.count))
        let keywords = extraKeywords.isEmpty ? keywords : keywords.filter { keyword in macro.parameters.contains { $0.name == keyword.0 } }
        let savedFloor = floor, savedFile = file
        openScope()
        floor = names.count
        file = macro.location.file
        defer {
            closeScope()
            floor = savedFloor
            file = savedFile
        }
        // By position, not by iterating the parameters: that copied each parameter, default
        // expression included, at every call.
        let parameters = macro.parameters
        for index in 0..<arguments.count { assign(parameters[index].name, arguments[index]) }
        for (name, value) in keywords { assign(name, value) }
        if let caller { assign("caller", caller) }
        if macro.takesVarargs { assign("varargs", .list(extraArguments)) }
        if macro.takesKwargs { assign("kwargs", .dict(extraKeywords)) }
        for index in arguments.count..<parameters.count {
            let name = parameters[index].name
            if !keywords.isEmpty, keywords.contains(where: { $0.0 == name }) { continue }
            if let defaultValue = parameters[index].defaultValue {
                assign(name, try evaluate(defaultValue))
            } else {
                assign(name, .undefined(name))
            }
        }
        let start = output.count
        do {
            for node in macro.body { try render(node, into: &output) }
            return nil
        } catch let signal as ReturnSignal {
            output.removeSubrange(start...)
            return signal.value
        }
    }

    /// Reading a value that exists only later (``JinjaValue/DictBox/defersRendering``) stops this
    /// rendering as one that needs the database.
    private func deferIfNeeded(_ value: JinjaValue, at location: SourceLocation) throws(TemplateError) {
        guard case .dict(let box) = value, let reason = box.defersRendering else { return }
        throw .needingDatabase(reason, at: location)
    }

    /// Where an expression of the template being rendered starts.
    func at(_ expression: JinjaExpr) -> SourceLocation {
        expression.position.location(in: file)
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
            let value = lookup(name)
            try deferIfNeeded(value, at: at(expression))
            return value
        case .attribute(let base, let name):
            let value = try evaluate(base)
            if case .undefined(let baseName) = value { throw undefined(baseName, at: at(base)) }
            try deferIfNeeded(value, at: at(base))
            return JinjaBuiltins.attribute(name, of: value)
        case .index(let base, let indexExpression):
            let value = try evaluate(base)
            if case .undefined(let baseName) = value { throw undefined(baseName, at: at(base)) }
            try deferIfNeeded(value, at: at(base))
            return try JinjaBuiltins.subscripted(value, by: try evaluate(indexExpression), at: at(expression))
        case .slice(let base, let start, let stop, let step):
            let value = try evaluate(base)
            if case .undefined(let baseName) = value { throw undefined(baseName, at: at(base)) }
            return try JinjaBuiltins.sliced(value, start: try start.map(evaluate), stop: try stop.map(evaluate),
                                            step: try step.map(evaluate), at: at(expression))
        case .starred(let inner):
            return try evaluate(inner)
        case .call(let callee, let argumentExpressions, let keywordExpressions):
            let function = try evaluate(callee)
            return try Self.value { try call(function, callee, argumentExpressions, keywordExpressions, of: expression, into: &$0) }
        case .filter(let base, let name, let argumentExpressions, let keywordExpressions):
            let value = try evaluate(base)
            if name != "default", name != "d", case .undefined(let undefinedName) = value {
                throw undefined(undefinedName, at: at(base))
            }
            let (arguments, keywords) = try evaluate(argumentExpressions, keywordExpressions)
            return try JinjaBuiltins.filter(name, value, arguments, keywords, at: at(expression))
        case .test(let base, let name, let negated, let argumentExpressions):
            let value = try evaluate(base)
            let result = try JinjaBuiltins.test(name, value, try argumentExpressions.map(evaluate), at: at(expression))
            return .bool(negated ? !result : result)
        case .binary(let op, let left, let right):
            return try binary(op, left, right, of: expression)
        case .unary(let op, let operandExpression):
            let operand = try evaluate(operandExpression)
            switch (op, operand) {
            case (.not, _): return .bool(!operand.isTruthy)
            case (.minus, .integer(let value)): return .integer(-value)
            case (.minus, .number(let value)): return .number(-value)
            case (.plus, .integer), (.plus, .number): return operand
            default: throw TemplateError("cannot apply '\(op.text)' to \(operand.typeName)", at: at(expression))
            }
        case .list(let items):
            return .list(try items.map(evaluate))
        case .dict(let pairs):
            var entries: [(String, JinjaValue)] = []
            var keyValues: [String: JinjaValue] = [:]
            for (keyExpression, valueExpression) in pairs {
                let key = try evaluate(keyExpression)
                if case .string = key {} else { keyValues[key.rendered] = key }
                entries.append((key.rendered, try evaluate(valueExpression)))
            }
            let box = JinjaValue.DictBox(entries)
            if !keyValues.isEmpty { box.keyValues = keyValues }
            return .dict(box)
        case .conditional(let then, let condition, let otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            // `a if b` with no else prints nothing, as in dbt.
            return try otherwise.map(evaluate) ?? .string("")
        }
    }

    /// Calls `function`, what `callee` evaluated to, with the arguments written. A template macro
    /// writes its text to `output` and gives nil (or what `return()` gave); anything else gives
    /// its value.
    private func call(_ function: JinjaValue, _ callee: JinjaExpr, _ argumentExpressions: [JinjaExpr],
                      _ keywordExpressions: [(String, JinjaExpr)], of expression: JinjaExpr,
                      into output: inout [UInt8]) throws -> JinjaValue? {
        let (arguments, keywords) = try evaluate(argumentExpressions, keywordExpressions)
        guard case .callable(let callable) = function else {
            if case .undefined(let name) = function {
                throw TemplateError("unknown macro or function '\(name)'", at: at(callee),
                                    hint: Suggestions.didYouMean(name, in: knownNames))
            }
            throw TemplateError("\(function.typeName) cannot be called", at: at(callee))
        }
        if let definition = callable.definition { return try call(definition, arguments, keywords, at: at(expression), into: &output) }
        if callable.name == "return" { throw ReturnSignal(value: arguments.first ?? .none) }
        return try callable.body(arguments, keywords, JinjaCallContext(location: at(expression)))
    }

    /// A call's or filter's arguments, positional and keyword, in the order written.
    private func evaluate(_ positional: [JinjaExpr], _ keywords: [(String, JinjaExpr)]) throws -> ([JinjaValue], [(String, JinjaValue)]) {
        var arguments: [JinjaValue] = []
        arguments.reserveCapacity(positional.count)
        for expression in positional {
            if case .starred(let inner) = expression.kind {
                let value = try evaluate(inner)
                guard let items = value.iterated else { throw TemplateError("*\(value.typeName) cannot be spread", at: at(expression)) }
                arguments += items
            } else {
                arguments.append(try evaluate(expression))
            }
        }
        var named: [(String, JinjaValue)] = []
        for (name, expression) in keywords {
            let value = try evaluate(expression)
            if name == "**" {
                guard case .dict(let box) = value else { throw TemplateError("**\(value.typeName) cannot be spread", at: at(expression)) }
                named += box.keys.map { ($0, box[$0]!) }
            } else {
                named.append((name, value))
            }
        }
        return (arguments, named)
    }

    private func binary(_ op: JinjaOperator, _ leftExpression: JinjaExpr, _ rightExpression: JinjaExpr, of expression: JinjaExpr) throws -> JinjaValue {
        let left = try evaluate(leftExpression)
        switch op {
        case .and: return left.isTruthy ? try evaluate(rightExpression) : left
        case .or: return left.isTruthy ? left : try evaluate(rightExpression)
        default: break
        }
        var right = try evaluate(rightExpression)
        if op == .tilde {
            // As in Jinja2, an undefined value joins as nothing; reported like its printing.
            var left = left
            for (side, expression) in [(0, leftExpression), (1, rightExpression)] {
                let value = side == 0 ? left : right
                guard case .undefined(let name) = value else { continue }
                var warning = undefined(name, at: at(expression))
                warning.message += "; it joins as nothing, as in dbt"
                globals.warnings.append(warning)
                if side == 0 { left = .string("") } else { right = .string("") }
            }
            return try JinjaBuiltins.binary(op, left, right, at: at(expression))
        }
        if op != .equal, op != .notEqual {
            if case .undefined(let name) = left { throw undefined(name, at: at(leftExpression)) }
            if case .undefined(let name) = right { throw undefined(name, at: at(rightExpression)) }
        }
        return try JinjaBuiltins.binary(op, left, right, at: at(expression))
    }
}
