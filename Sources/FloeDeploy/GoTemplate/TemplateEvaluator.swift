import Crypto
import Foundation

/// Runs parsed templates over a data value (Helm's `.Values`, `.Release`, `.Chart`, …) with the
/// functions Helm charts use most (sprig's and Helm's own: `include`, `toYaml`, `nindent`, …).
struct TemplateEvaluator {
    let definitions: [String: [TemplateNode]]
    let template: String
    private var scopes: [[String: TemplateValue]] = []
    /// `include` and `template` nesting, bounded so a template calling itself stops.
    private var depth = 0

    init(definitions: [String: [TemplateNode]], template: String) {
        self.definitions = definitions
        self.template = template
    }

    mutating func render(_ nodes: [TemplateNode], dot: TemplateValue, root: TemplateValue) throws(TemplateError) -> String {
        scopes = [["$": root]]
        var output = ""
        try run(nodes, dot: dot, into: &output)
        return output
    }

    private func error(_ line: Int, _ message: String) -> TemplateError { TemplateError(template: template, line: line, message: message) }

    private mutating func run(_ nodes: [TemplateNode], dot: TemplateValue, into output: inout String) throws(TemplateError) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .output(let pipeline):
                let value = try evaluate(pipeline, dot: dot)
                if pipeline.declarations.isEmpty { output += value.printed }
            case .conditional(let pipeline, let then, let otherwise):
                let value = try evaluate(pipeline, dot: dot)
                try scoped { evaluator throws(TemplateError) in
                    try evaluator.run(value.isTruthy ? then : otherwise, dot: dot, into: &output)
                }
            case .with(let pipeline, let body, let otherwise):
                let value = try evaluate(pipeline, dot: dot)
                try scoped { evaluator throws(TemplateError) in
                    try evaluator.run(value.isTruthy ? body : otherwise, dot: value.isTruthy ? value : dot, into: &output)
                }
            case .range(let pipeline, let body, let otherwise):
                var bare = pipeline
                bare.declarations = []
                let value = try evaluate(bare, dot: dot)
                let items: [(TemplateValue, TemplateValue)] = switch value {
                case .list(let list): list.enumerated().map { (.int($0.offset), $0.element) }
                case .map(let map): map.keys.sorted().map { (.string($0), map[$0]!) }
                case .int(let count): (0..<max(0, count)).map { (.int($0), .int($0)) }
                case .null: []
                default: throw error(pipeline.line, "range can't iterate over \(value.printed)")
                }
                if items.isEmpty {
                    try scoped { evaluator throws(TemplateError) in try evaluator.run(otherwise, dot: dot, into: &output) }
                }
                for (key, item) in items {
                    try scoped { evaluator throws(TemplateError) in
                        if pipeline.declarations.count == 1 { evaluator.declare(pipeline.declarations[0], item) }
                        if pipeline.declarations.count == 2 {
                            evaluator.declare(pipeline.declarations[0], key)
                            evaluator.declare(pipeline.declarations[1], item)
                        }
                        try evaluator.run(body, dot: item, into: &output)
                    }
                }
            case .template(let name, let argument):
                let value = try argument.map { (pipeline) throws(TemplateError) in try evaluate(pipeline, dot: dot) } ?? .null
                output += try include(name, value, line: argument?.line ?? 0)
            }
        }
    }

    private mutating func scoped(_ body: (inout TemplateEvaluator) throws(TemplateError) -> Void) throws(TemplateError) {
        scopes.append([:])
        defer { scopes.removeLast() }
        try body(&self)
    }

    private mutating func declare(_ name: String, _ value: TemplateValue) { scopes[scopes.count - 1][name] = value }

    private func variable(_ name: String) -> TemplateValue? {
        for scope in scopes.reversed() { if let value = scope[name] { return value } }
        return nil
    }

    mutating func include(_ name: String, _ dot: TemplateValue, line: Int) throws(TemplateError) -> String {
        guard let body = definitions[name] else { throw error(line, "no template \"\(name)\" is defined") }
        guard depth < 50 else { throw error(line, "templates include each other more than 50 deep (\"\(name)\")") }
        var inner = TemplateEvaluator(definitions: definitions, template: template)
        inner.depth = depth + 1
        return try inner.render(body, dot: dot, root: variable("$") ?? .null)
    }

    private mutating func evaluate(_ pipeline: Pipeline, dot: TemplateValue) throws(TemplateError) -> TemplateValue {
        var value: TemplateValue?
        for command in pipeline.commands {
            value = try evaluate(command, piped: value, dot: dot, line: pipeline.line)
        }
        let result = value ?? .null
        for name in pipeline.declarations {
            if pipeline.assigns, let index = scopes.lastIndex(where: { $0[name] != nil }) {
                scopes[index][name] = result
            } else {
                declare(name, result)
            }
        }
        return result
    }

    private mutating func evaluate(_ command: [Operand], piped: TemplateValue?, dot: TemplateValue, line: Int) throws(TemplateError) -> TemplateValue {
        guard let first = command.first else { throw error(line, "an empty command") }
        if case .function(let name) = first {
            var arguments: [TemplateValue] = []
            for operand in command.dropFirst() { arguments.append(try value(of: operand, dot: dot, line: line)) }
            if let piped { arguments.append(piped) }
            return try call(name, arguments, line: line)
        }
        guard command.count == 1, piped == nil else {
            throw error(line, "only a function can take arguments or a piped value")
        }
        return try value(of: first, dot: dot, line: line)
    }

    private mutating func value(of operand: Operand, dot: TemplateValue, line: Int) throws(TemplateError) -> TemplateValue {
        switch operand {
        case .field(let path): return Self.follow(dot, path)
        case .variable(let name, let path):
            guard let base = variable(name) else { throw error(line, "undefined variable \(name)") }
            return Self.follow(base, path)
        case .literal(let value): return value
        case .function(let name): return try call(name, [], line: line)
        case .group(let pipeline, let path): return Self.follow(try evaluate(pipeline, dot: dot), path)
        }
    }

    static func follow(_ value: TemplateValue, _ path: [String]) -> TemplateValue {
        path.reduce(value) { $0[$1] }
    }

    // MARK: - Functions

    private mutating func call(_ name: String, _ arguments: [TemplateValue], line: Int) throws(TemplateError) -> TemplateValue {
        func argument(_ index: Int) throws(TemplateError) -> TemplateValue {
            guard index < arguments.count else { throw error(line, "\(name) needs \(index + 1) argument\(index == 0 ? "" : "s")") }
            return arguments[index]
        }
        func text(_ index: Int) throws(TemplateError) -> String { try argument(index).printed }
        func integer(_ index: Int) throws(TemplateError) -> Int {
            switch try argument(index) {
            case .int(let value): return value
            case .double(let value): return Int(value)
            case .string(let value): return Int(value) ?? 0
            default: return 0
            }
        }
        switch name {
        case "include":
            return .string(try include(try text(0), try argument(1), line: line))
        case "toYaml":
            return .string(YAMLWriter.document(try argument(0)).trimmingCharacters(in: .newlines))
        case "toJson":
            return .string(JSONText.encode(try argument(0)))
        case "nindent", "indent":
            let pad = String(repeating: " ", count: try integer(0))
            let body = try text(1).split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
            return .string(name == "nindent" ? "\n" + body : body)
        case "quote":
            return .string(arguments.map { JSONText.quoted($0.printed) }.joined(separator: " "))
        case "squote":
            return .string(arguments.map { "'\($0.printed)'" }.joined(separator: " "))
        case "default":
            let given = arguments.count > 1 ? arguments[1] : .null
            return given.isTruthy ? given : try argument(0)
        case "required":
            let given = arguments.count > 1 ? arguments[1] : .null
            if case .null = given { throw error(line, try text(0)) }
            if case .string("") = given { throw error(line, try text(0)) }
            return given
        case "fail":
            throw error(line, try text(0))
        case "printf":
            return .string(Self.printf(try text(0), Array(arguments.dropFirst())))
        case "print":
            return .string(arguments.map(\.printed).joined())
        case "eq":
            let first = try argument(0)
            return .bool(arguments.dropFirst().contains { Self.equal(first, $0) })
        case "ne":
            return .bool(!Self.equal(try argument(0), try argument(1)))
        case "lt", "le", "gt", "ge":
            let (a, b) = (try argument(0), try argument(1))
            let order = Self.compare(a, b)
            return .bool(name == "lt" ? order < 0 : name == "le" ? order <= 0 : name == "gt" ? order > 0 : order >= 0)
        case "not":
            return .bool(!(try argument(0)).isTruthy)
        case "and":
            return arguments.first { !$0.isTruthy } ?? arguments.last ?? .null
        case "or":
            return arguments.first { $0.isTruthy } ?? arguments.last ?? .null
        case "empty":
            return .bool(!(try argument(0)).isTruthy)
        case "coalesce":
            return arguments.first { $0.isTruthy } ?? .null
        case "ternary":
            return (try argument(2)).isTruthy ? try argument(0) : try argument(1)
        case "lower": return .string(try text(0).lowercased())
        case "upper": return .string(try text(0).uppercased())
        case "trim": return .string(try text(0).trimmingCharacters(in: .whitespacesAndNewlines))
        case "trunc":
            let count = try integer(0), value = try text(1)
            return .string(count >= 0 ? String(value.prefix(count)) : String(value.suffix(-count)))
        case "trimSuffix":
            let suffix = try text(0), value = try text(1)
            return .string(value.hasSuffix(suffix) && !suffix.isEmpty ? String(value.dropLast(suffix.count)) : value)
        case "trimPrefix":
            let prefix = try text(0), value = try text(1)
            return .string(value.hasPrefix(prefix) && !prefix.isEmpty ? String(value.dropFirst(prefix.count)) : value)
        case "replace":
            return .string(try text(2).replacingOccurrences(of: try text(0), with: try text(1)))
        case "contains": return .bool(try text(1).contains(try text(0)))
        case "hasPrefix": return .bool(try text(1).hasPrefix(try text(0)))
        case "hasSuffix": return .bool(try text(1).hasSuffix(try text(0)))
        case "toString": return .string(try text(0))
        case "add", "sub", "mul":
            let (a, b) = (try integer(0), try integer(1))
            return .int(name == "add" ? a + b : name == "sub" ? a - b : a * b)
        case "int", "int64":
            return .int(try integer(0))
        case "len":
            switch try argument(0) {
            case .string(let value): return .int(value.utf8.count)
            case .list(let value): return .int(value.count)
            case .map(let value): return .int(value.count)
            default: return .int(0)
            }
        case "list": return .list(arguments)
        case "dict":
            var map: [String: TemplateValue] = [:]
            for pair in stride(from: 0, to: arguments.count - 1, by: 2) { map[arguments[pair].printed] = arguments[pair + 1] }
            return .map(map)
        case "hasKey":
            if case .map(let map) = try argument(0) { return .bool(map[try text(1)] != nil) }
            return .bool(false)
        case "get", "index":
            var value = try argument(0)
            for key in arguments.dropFirst() {
                if case .list(let list) = value, case .int(let position) = key {
                    value = list.indices.contains(position) ? list[position] : .null
                } else {
                    value = value[key.printed]
                }
            }
            return value
        case "join":
            guard case .list(let items) = try argument(1) else { return .string(try text(1)) }
            return .string(items.map(\.printed).joined(separator: try text(0)))
        case "b64enc":
            return .string(Data(try text(0).utf8).base64EncodedString())
        case "sha256sum":
            return .string(SHA256.hash(data: Data(try text(0).utf8)).map { String(format: "%02x", $0) }.joined())
        case "kindIs":
            let kind: String = switch try argument(1) {
            case .null: "invalid"
            case .bool: "bool"
            case .int: "int64"
            case .double: "float64"
            case .string: "string"
            case .list: "slice"
            case .map: "map"
            }
            return .bool(kind == (try text(0)))
        default:
            throw error(line, "function \"\(name)\" is not supported by floe's template renderer")
        }
    }

    static func equal(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): Double(x) == y
        default: a == b
        }
    }

    static func compare(_ a: TemplateValue, _ b: TemplateValue) -> Int {
        func number(_ value: TemplateValue) -> Double? {
            switch value {
            case .int(let x): Double(x)
            case .double(let x): x
            default: nil
            }
        }
        if let x = number(a), let y = number(b) { return x < y ? -1 : x > y ? 1 : 0 }
        return a.printed < b.printed ? -1 : a.printed > b.printed ? 1 : 0
    }

    /// Go's `printf` for the verbs charts use: `%s`, `%v`, `%d`, `%q`, `%%`.
    static func printf(_ format: String, _ arguments: [TemplateValue]) -> String {
        var result = ""
        var next = 0
        var characters = format.makeIterator()
        while let character = characters.next() {
            guard character == "%" else { result.append(character); continue }
            guard let verb = characters.next() else { result.append("%"); break }
            if verb == "%" { result.append("%"); continue }
            let value = next < arguments.count ? arguments[next] : nil
            next += 1
            guard let value else { result += "%!\(verb)(MISSING)"; continue }
            result += verb == "q" ? JSONText.quoted(value.printed) : value.printed
        }
        return result
    }
}
