import FloeCore
import Foundation

/// Jinja's operators, filters, tests, global functions and the methods of strings, lists and dicts.
enum JinjaBuiltins {
    /// Immutable after initialisation; the closures capture nothing.
    nonisolated(unsafe) static let functions: [String: JinjaCallable] = [
        "range": JinjaCallable("range") { arguments, _, context in
            let numbers = try arguments.map { value -> Int in
                guard case .integer(let number) = value else {
                    throw TemplateError("range() takes integers, got \(value.typeName)", at: context.location)
                }
                return number
            }
            let (start, stop, step) = numbers.count == 1 ? (0, numbers[0], 1)
                : (numbers[0], numbers.count > 1 ? numbers[1] : 0, numbers.count > 2 ? numbers[2] : 1)
            guard step != 0 else { throw TemplateError("range() step must not be zero", at: context.location) }
            // As Jinja's sandbox does, a range is bounded: a template is not a way to exhaust memory.
            let length = (Double(stop) - Double(start)) / Double(step)
            guard length <= Double(JinjaBuiltins.maximumRange) else {
                throw TemplateError("range() would make more than \(JinjaBuiltins.maximumRange) items", at: context.location)
            }
            return .list(Array(stride(from: start, to: stop, by: step)).map(JinjaValue.integer))
        },
        // Handled by the renderer (it unwinds the macro); here so that `return` is a known name.
        "return": JinjaCallable("return") { arguments, _, _ in arguments.first ?? .none },
        "dict": JinjaCallable("dict") { _, keywords, _ in .dict(keywords) },
        // dbt's `set(value, default)` and `set_strict(value)`: a Python set has no order, so here it is
        // the distinct items sorted, which compare equal when the sets do.
        "set": JinjaCallable("set") { arguments, keywords, _ in
            guard let items = arguments.first?.iterated else { return arguments.count > 1 ? arguments[1] : keywords.first?.1 ?? .none }
            return JinjaBuiltins.distinctSorted(items)
        },
        "set_strict": JinjaCallable("set_strict") { arguments, _, context in
            guard let items = arguments.first?.iterated else {
                throw TemplateError("set_strict() takes something iterable, got \(arguments.first?.typeName ?? "nothing")", at: context.location)
            }
            return JinjaBuiltins.distinctSorted(items)
        },
        // dbt's `zip(*args)` and `zip_strict(*args)`: the items side by side, as lists.
        "zip": JinjaCallable("zip") { arguments, _, _ in JinjaBuiltins.zipped(arguments.compactMap(\.iterated)) },
        "zip_strict": JinjaCallable("zip_strict") { arguments, _, context in
            let lists = arguments.compactMap(\.iterated)
            guard lists.count == arguments.count else { throw TemplateError("zip_strict() takes iterables", at: context.location) }
            return JinjaBuiltins.zipped(lists)
        },
        "fromjson": JinjaCallable("fromjson") { arguments, _, _ in
            guard case .string(let text)? = arguments.first,
                  let decoded = try? JSONDecoder().decode(JSONTemplateValue.self, from: Data(text.utf8)) else {
                return arguments.count > 1 ? arguments[1] : .none
            }
            return decoded.value
        },
        "tojson": JinjaCallable("tojson") { arguments, _, context in
            try JinjaBuiltins.filter("tojson", arguments.first ?? .none, [], [], at: context.location)
        },
        // dbt's `try_or_compiler_error(message, function, *args)`.
        "try_or_compiler_error": JinjaCallable("try_or_compiler_error") { arguments, keywords, context in
            guard arguments.count >= 2, case .callable(let function) = arguments[1] else {
                throw TemplateError("try_or_compiler_error(message, function, ...) needs a function", at: context.location)
            }
            do {
                return try function.body(Array(arguments.dropFirst(2)), keywords, context)
            } catch {
                throw TemplateError(arguments[0].rendered, at: context.location)
            }
        },
        // A mutable object for `{% set ns.attr = … %}`, which carries values out of a loop.
        "namespace": JinjaCallable("namespace") { arguments, keywords, _ in
            var pairs: [(String, JinjaValue)] = []
            if case .dict(let box)? = arguments.first { pairs = box.keys.map { ($0, box[$0]!) } }
            return .dict(pairs + keywords)
        },
    ]

    static func distinctSorted(_ items: [JinjaValue]) -> JinjaValue {
        var seen = Set<String>()
        return .list(items.filter { seen.insert($0.rendered).inserted }.sorted { $0.rendered < $1.rendered })
    }

    static func zipped(_ lists: [[JinjaValue]]) -> JinjaValue {
        let count = lists.map(\.count).min() ?? 0
        return .list((0..<count).map { index in .list(lists.map { $0[index] }) })
    }

    static let filterNames = ["abs", "as_bool", "as_native", "as_number", "as_text", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
                              "first", "float", "format", "groupby", "indent", "int", "items", "join", "last", "length", "list",
                              "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe",
                              "select", "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "truncate", "unique",
                              "upper", "wordcount"]

    // MARK: Attributes and subscripts

    static func attribute(_ name: String, of value: JinjaValue) -> JinjaValue {
        if case .dict(let box) = value, let found = box[name] { return found }
        if case .callable(let callable) = value, let member = callable.members[name] { return member }
        if let method = method(name, of: value) { return .callable(method) }
        // As Jinja2's getattr falls back to an item: `map(attribute=0)` over rows.
        if let position = Int(name), let items = value.sequenceItems, items.indices.contains(position) { return items[position] }
        return .undefined(name)
    }

    /// A filter's `attribute=` as Jinja2 reads it: dotted (`node.resource_type`), a part that is
    /// a number an index (`columns.0`).
    static func attributePath(_ path: String, of value: JinjaValue) -> JinjaValue {
        guard path.contains(".") else { return attribute(path, of: value) }
        var current = value
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            current = attribute(String(part), of: current)
            if current.isUndefined { return current }
        }
        return current
    }

    static func subscripted(_ value: JinjaValue, by index: JinjaValue, at location: SourceLocation) throws -> JinjaValue {
        switch (value, index) {
        case (.list(let box), .integer(let position)):
            let resolved = position < 0 ? box.items.count + position : position
            // Out of range is undefined, as in Jinja2 (whose getitem turns the IndexError into Undefined).
            guard box.items.indices.contains(resolved) else { return .undefined("[\(position)]") }
            return box.items[resolved]
        case (.string(let text), .integer(let position)):
            let characters = Array(text)
            let resolved = position < 0 ? characters.count + position : position
            guard characters.indices.contains(resolved) else { return .undefined("[\(position)]") }
            return .string(String(characters[resolved]))
        case (.dict(let box), .integer(let position)) where box.sequence != nil:
            let items = box.sequence!
            let resolved = position < 0 ? items.count + position : position
            guard items.indices.contains(resolved) else { return .undefined("[\(position)]") }
            return items[resolved]
        case (.dict(let box), _):
            return box[index.rendered] ?? .undefined(index.rendered)
        default:
            throw TemplateError("cannot index \(value.typeName) with \(index.typeName)", at: location)
        }
    }

    /// `value[start:stop:step]` of a list or a string, with Python's rules for negative and
    /// missing bounds.
    static func sliced(_ value: JinjaValue, start: JinjaValue?, stop: JinjaValue?, step: JinjaValue?,
                       at location: SourceLocation) throws -> JinjaValue {
        func bound(_ bound: JinjaValue?) throws -> Int? {
            guard let bound else { return nil }
            if case .none = bound { return nil }
            guard case .integer(let number) = bound else { throw TemplateError("slice bounds must be integers", at: location) }
            return number
        }
        let stride = try bound(step) ?? 1
        guard stride != 0 else { throw TemplateError("slice step cannot be zero", at: location) }
        func indices(_ count: Int) throws -> [Int] {
            func clamp(_ index: Int?, _ fallback: Int) -> Int {
                guard var index else { return fallback }
                if index < 0 { index += count }
                return stride > 0 ? min(max(index, 0), count) : min(max(index, -1), count - 1)
            }
            let from = clamp(try bound(start), stride > 0 ? 0 : count - 1)
            let to = clamp(try bound(stop), stride > 0 ? count : -1)
            return Array(Swift.stride(from: from, to: to, by: stride))
        }
        switch value {
        case .list(let box): return .list(try indices(box.items.count).map { box.items[$0] })
        case .string(let text):
            let characters = Array(text)
            return .string(String(try indices(characters.count).map { characters[$0] }))
        default: throw TemplateError("cannot slice \(value.typeName)", at: location)
        }
    }

    static func isRelation(_ box: JinjaValue.DictBox) -> Bool {
        guard case .dict(let metadata)? = box["metadata"], case .string(let type)? = metadata["type"] else { return false }
        return type.hasSuffix("Relation")
    }

    static func method(_ name: String, of value: JinjaValue) -> JinjaCallable? {
        func make(_ body: @escaping ([JinjaValue], JinjaCallContext) throws -> JinjaValue) -> JinjaCallable {
            JinjaCallable(name) { arguments, _, context in try body(arguments, context) }
        }
        switch value {
        case .string(let text):
            switch name {
            case "lower": return make { _, _ in .string(text.lowercased()) }
            case "upper": return make { _, _ in .string(text.uppercased()) }
            case "strip": return make { _, _ in .string(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
            case "title": return make { _, _ in .string(text.capitalized) }
            case "startswith": return make { arguments, _ in .bool(text.hasPrefix(arguments.first?.rendered ?? "")) }
            case "endswith": return make { arguments, _ in .bool(text.hasSuffix(arguments.first?.rendered ?? "")) }
            case "replace":
                return make { arguments, context in
                    guard arguments.count == 2 else { throw TemplateError("replace() takes 2 arguments", at: context.location) }
                    return .string(text.replacingOccurrences(of: arguments[0].rendered, with: arguments[1].rendered))
                }
            case "split":
                return make { arguments, _ in
                    let parts = arguments.first.map { text.components(separatedBy: $0.rendered) }
                        ?? text.split(whereSeparator: \.isWhitespace).map(String.init)
                    return .list(parts.map(JinjaValue.string))
                }
            case "join":
                // `', '.join(items)`, as Python spells it.
                return make { arguments, context in
                    guard let items = arguments.first?.iterated else { throw TemplateError("join() needs a list", at: context.location) }
                    return .string(items.map(\.rendered).joined(separator: text))
                }
            case "format": return make { arguments, context in .string(try pythonFormat(text, arguments, at: context.location)) }
            case "lstrip", "rstrip":
                return make { arguments, _ in
                    let characters = Set(arguments.first?.rendered ?? " \t\n\r")
                    var slice = Substring(text)
                    if name == "lstrip" { while let first = slice.first, characters.contains(first) { slice.removeFirst() } }
                    else { while let last = slice.last, characters.contains(last) { slice.removeLast() } }
                    return .string(String(slice))
                }
            case "capitalize": return make { _, _ in .string(text.prefix(1).uppercased() + text.dropFirst().lowercased()) }
            case "find":
                return make { arguments, _ in
                    guard let range = text.range(of: arguments.first?.rendered ?? "") else { return .integer(-1) }
                    return .integer(text.distance(from: text.startIndex, to: range.lowerBound))
                }
            case "count": return make { arguments, _ in .integer(text.components(separatedBy: arguments.first?.rendered ?? "").count - 1) }
            case "isdigit": return make { _, _ in .bool(!text.isEmpty && text.allSatisfy(\.isNumber)) }
            case "isalpha": return make { _, _ in .bool(!text.isEmpty && text.allSatisfy(\.isLetter)) }
            case "isalnum": return make { _, _ in .bool(!text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber }) }
            case "isupper": return make { _, _ in .bool(text.contains(where: \.isLetter) && text == text.uppercased()) }
            case "islower": return make { _, _ in .bool(text.contains(where: \.isLetter) && text == text.lowercased()) }
            case "zfill":
                return make { arguments, _ in
                    let width = arguments.first.flatMap(number).map(Int.init) ?? 0
                    return .string(String(repeating: "0", count: max(0, width - text.count)) + text)
                }
            case "splitlines": return make { _, _ in .list(text.components(separatedBy: .newlines).map(JinjaValue.string)) }
            default: return nil
            }
        case .list(let box):
            switch name {
            case "append": return make { arguments, _ in box.items.append(arguments.first ?? .none); return .none }
            case "extend": return make { arguments, _ in box.items += arguments.first?.iterated ?? []; return .none }
            case "pop":
                return make { arguments, context in
                    if let position = arguments.first.flatMap(number).map(Int.init) {
                        let index = position < 0 ? box.items.count + position : position
                        guard box.items.indices.contains(index) else { throw TemplateError("pop index out of range", at: context.location) }
                        return box.items.remove(at: index)
                    }
                    guard let last = box.items.popLast() else { throw TemplateError("pop from an empty list", at: context.location) }
                    return last
                }
            case "insert":
                return make { arguments, _ in
                    let position = arguments.first.flatMap(number).map(Int.init) ?? 0
                    box.items.insert(arguments.count > 1 ? arguments[1] : .none, at: min(max(0, position), box.items.count))
                    return .none
                }
            case "remove":
                return make { arguments, context in
                    guard let index = box.items.firstIndex(where: { $0.equals(arguments.first ?? .none) }) else {
                        throw TemplateError("list.remove(x): x not in list", at: context.location)
                    }
                    box.items.remove(at: index)
                    return .none
                }
            case "index":
                return make { arguments, context in
                    guard let index = box.items.firstIndex(where: { $0.equals(arguments.first ?? .none) }) else {
                        throw TemplateError("list.index(x): x not in list", at: context.location)
                    }
                    return .integer(index)
                }
            case "count": return make { arguments, _ in .integer(box.items.count { $0.equals(arguments.first ?? .none) }) }
            case "copy": return make { _, _ in .list(box.items) }
            case "reverse": return make { _, _ in box.items.reverse(); return .none }
            default: return nil
            }
        case .dict(let box):
            switch name {
            case "items": return make { _, _ in .list(box.keys.map { .list([box.keyValue($0), box[$0]!]) }) }
            case "keys": return make { _, _ in .list(box.keyItems) }
            case "values": return make { _, _ in .list(box.keys.map { box[$0]! }) }
            case "get": return make { arguments, _ in box[arguments.first?.rendered ?? ""] ?? (arguments.count > 1 ? arguments[1] : .none) }
            case "update":
                return make { arguments, _ in
                    if case .dict(let other)? = arguments.first {
                        for key in other.keys {
                            box[key] = other[key]
                            if let original = other.keyValues?[key] { box.keyValues = (box.keyValues ?? [:]).merging([key: original]) { _, new in new } }
                        }
                    }
                    return .none
                }
            case "setdefault":
                return make { arguments, _ in
                    let key = arguments.first?.rendered ?? ""
                    if let existing = box[key] { return existing }
                    let value = arguments.count > 1 ? arguments[1] : .none
                    box[key] = value
                    return value
                }
            case "pop":
                return make { arguments, context in
                    let key = arguments.first?.rendered ?? ""
                    guard let value = box[key] else {
                        if arguments.count > 1 { return arguments[1] }
                        throw TemplateError("no key '\(key)' to pop", at: context.location)
                    }
                    box[key] = nil
                    return value
                }
            case "copy": return make { _, _ in .dict(box.keys.map { ($0, box[$0]!) }) }
            // dbt's objects (a node, a run result) as plain dicts: `to_dict()`.
            case "to_dict" where box["to_dict"] == nil: return make { _, _ in .dict(box.keys.map { ($0, box[$0]!) }) }
            // dbt's relation objects (dicts with `metadata.type` ending in `Relation`).
            case "render" where box.printed != nil: return make { _, _ in .string(box.printed!) }
            case "include" where isRelation(box):
                return JinjaCallable(name) { _, keywords, _ in
                    func kept(_ part: String) -> Bool { keywords.first { $0.0 == part }?.1.isTruthy ?? true }
                    let schema = box["schema"]?.rendered ?? "", identifier = box["identifier"]?.rendered ?? ""
                    let parts = [kept("schema") ? schema : nil, kept("identifier") ? identifier : nil].compactMap { $0 }
                    let printed = kept("schema") && kept("identifier") ? box.printed : parts.map { "\"\($0)\"" }.joined(separator: ".")
                    return .dict(JinjaValue.DictBox(box.keys.map { ($0, box[$0]!) }, printed: printed))
                }
            case "quote" where isRelation(box), "incorporate" where isRelation(box): return make { _, _ in value }
            // `relation.information_schema('columns')`: the catalogue view of that name, as
            // dbt's InformationSchema relation prints it (floe's relations have no database part).
            case "information_schema" where isRelation(box):
                return make { arguments, _ in
                    var view = ""
                    if let first = arguments.first, !first.isUndefined, case .string(let text) = first { view = text }
                    return .string(view.isEmpty ? "information_schema" : "information_schema.\(view)")
                }
            default: return nil
            }
        default:
            return nil
        }
    }

    // MARK: Operators

    /// `location` is only worked out for an error.
    static func binary(
        _ op: JinjaOperator, _ left: JinjaValue, _ right: JinjaValue, at location: @autoclosure () -> SourceLocation
    ) throws -> JinjaValue {
        if let result = try JinjaModules.timeArithmetic(op, left, right, at: location()) { return result }
        switch op {
        case .equal: return .bool(left.equals(right))
        case .notEqual: return .bool(!left.equals(right))
        case .tilde: return .string(left.rendered + right.rendered)
        case .in:
            switch right {
            case .string(let text): return .bool(text.contains(left.rendered))
            case .list(let box): return .bool(box.items.contains { $0.equals(left) })
            case .dict(let box): return .bool(box[left.rendered] != nil)
            default: throw TemplateError("'in' needs a list, dict or string on the right, got \(right.typeName)", at: location())
            }
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let order: ComparisonResult
            switch (left, right) {
            case (.string(let a), .string(let b)): order = a < b ? .orderedAscending : a == b ? .orderedSame : .orderedDescending
            default:
                guard let a = number(left), let b = number(right) else {
                    throw TemplateError("cannot compare \(left.typeName) with \(right.typeName)", at: location())
                }
                order = a < b ? .orderedAscending : a == b ? .orderedSame : .orderedDescending
            }
            switch op {
            case .less: return .bool(order == .orderedAscending)
            case .lessOrEqual: return .bool(order != .orderedDescending)
            case .greater: return .bool(order == .orderedDescending)
            default: return .bool(order != .orderedAscending)
            }
        case .plus:
            switch (left, right) {
            case (.string(let a), .string(let b)): return .string(a + b)
            case (.list(let a), .list(let b)): return .list(a.items + b.items)
            default: break
            }
        default: break
        }
        switch (left, right) {
        case (.integer(let a), .integer(let b)):
            switch op {
            // Python's integers do not overflow; where ours would, the result is a float instead of a trap.
            case .plus:
                let (sum, overflow) = a.addingReportingOverflow(b)
                return overflow ? .number(Double(a) + Double(b)) : .integer(sum)
            case .minus:
                let (difference, overflow) = a.subtractingReportingOverflow(b)
                return overflow ? .number(Double(a) - Double(b)) : .integer(difference)
            case .star:
                let (product, overflow) = a.multipliedReportingOverflow(by: b)
                return overflow ? .number(Double(a) * Double(b)) : .integer(product)
            case .slash:
                guard b != 0 else { throw TemplateError("division by zero", at: location()) }
                return .number(Double(a) / Double(b))
            case .floorDivide:
                guard b != 0 else { throw TemplateError("division by zero", at: location()) }
                let quotient = (Double(a) / Double(b)).rounded(.down)
                return exactInteger(quotient).map(JinjaValue.integer) ?? .number(quotient)
            case .percent:
                guard b != 0 else { throw TemplateError("modulo by zero", at: location()) }
                // `Int.min % -1` traps; its remainder is 0 all the same.
                guard b != -1 else { return .integer(0) }
                let remainder = a % b
                return .integer(remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder)
            case .power:
                let power = pow(Double(a), Double(b))
                return b >= 0 ? exactInteger(power).map(JinjaValue.integer) ?? .number(power) : .number(power)
            default: break
            }
        default:
            if let a = number(left), let b = number(right) {
                switch op {
                case .plus: return .number(a + b)
                case .minus: return .number(a - b)
                case .star: return .number(a * b)
                case .slash:
                    guard b != 0 else { throw TemplateError("division by zero", at: location()) }
                    return .number(a / b)
                case .floorDivide:
                    guard b != 0 else { throw TemplateError("division by zero", at: location()) }
                    return .number((a / b).rounded(.down))
                case .percent: return .number(a - b * (a / b).rounded(.down))
                case .power: return .number(pow(a, b))
                default: break
                }
            }
            if op == .star, case .string(let text) = left, case .integer(let count) = right {
                guard count <= 0 || text.utf8.count <= Self.maximumRepeatedBytes / count else {
                    throw TemplateError("'\(op.text)' would make a string of more than \(Self.maximumRepeatedBytes) bytes",
                                        at: location())
                }
                return .string(String(repeating: text, count: max(0, count)))
            }
        }
        throw TemplateError("cannot apply '\(op.text)' to \(left.typeName) and \(right.typeName)", at: location())
    }

    /// The most items `range()` makes.
    static let maximumRange = 1_000_000

    /// A string repeated by `*` stays below this size: a template is not a way to exhaust memory.
    static let maximumRepeatedBytes = 64 << 20

    /// `value` as an `Int` when it is a whole number in range; nil for NaN, infinities and
    /// values beyond 64 bits, where `Int(_:)` would trap.
    static func exactInteger(_ value: Double) -> Int? {
        guard value.isFinite, value >= -0x1p63, value < 0x1p63 else { return nil }
        return Int(value.rounded(.towardZero))
    }

    static func number(_ value: JinjaValue) -> Double? {
        switch value {
        case .integer(let number): return Double(number)
        case .number(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    // MARK: Filters

    /// Applies filter `name`. The renderer has already refused an undefined `value` for every
    /// filter but `default`/`d`.
    static func filter(
        _ name: String, _ value: JinjaValue, _ arguments: [JinjaValue], _ keywords: [(String, JinjaValue)],
        at location: SourceLocation
    ) throws -> JinjaValue {
        func argument(_ index: Int, _ keyword: String) -> JinjaValue? {
            keywords.first { $0.0 == keyword }?.1 ?? (index < arguments.count ? arguments[index] : nil)
        }
        func items() throws -> [JinjaValue] {
            guard let items = value.iterated else {
                // As Jinja2's filters that walk a sequence guard with `if value:`, nothing walks as empty.
                if ["map", "select", "reject", "selectattr", "rejectattr"].contains(name), !value.isTruthy { return [] }
                throw TemplateError("'\(name)' needs a list, got \(value.typeName)", at: location)
            }
            return items
        }
        switch name {
        case "default", "d":
            let fallback = argument(0, "default_value") ?? .string("")
            let boolean = argument(1, "boolean")?.isTruthy ?? false
            return value.isUndefined || (boolean && !value.isTruthy) ? fallback : value
        case "lower": return .string(value.rendered.lowercased())
        case "upper": return .string(value.rendered.uppercased())
        case "capitalize": return .string(value.rendered.prefix(1).uppercased() + value.rendered.dropFirst().lowercased())
        case "title": return .string(value.rendered.capitalized)
        case "trim": return .string(value.rendered.trimmingCharacters(in: .whitespacesAndNewlines))
        case "string": return .string(value.rendered)
        case "replace":
            guard let old = argument(0, "old"), let new = argument(1, "new") else {
                throw TemplateError("replace needs the text to find and its replacement", at: location)
            }
            return .string(value.rendered.replacingOccurrences(of: old.rendered, with: new.rendered))
        case "join":
            let separator = argument(0, "d")?.rendered ?? ""
            if let attribute = argument(1, "attribute")?.rendered {
                return .string(try items().map { JinjaBuiltins.attributePath(attribute, of: $0).rendered }.joined(separator: separator))
            }
            return .string(try items().map(\.rendered).joined(separator: separator))
        case "length", "count":
            if case .string(let text) = value { return .integer(text.count) }
            return .integer(try items().count)
        case "list": return .list(try items())
        case "first":
            guard let first = try items().first else { return .undefined("first") }
            return first
        case "last":
            guard let last = try items().last else { return .undefined("last") }
            return last
        case "reverse":
            if case .string(let text) = value { return .string(String(text.reversed())) }
            return .list(try items().reversed())
        case "sort":
            let reverse = argument(0, "reverse")?.isTruthy ?? false
            let attribute = argument(2, "attribute")?.rendered
            func key(_ item: JinjaValue) -> JinjaValue { attribute.map { JinjaBuiltins.attributePath($0, of: item) } ?? item }
            let sorted = try items().sorted { first, second in
                let a = key(first), b = key(second)
                if let x = number(a), let y = number(b) { return x < y }
                return a.rendered < b.rendered
            }
            return .list(reverse ? sorted.reversed() : sorted)
        case "unique":
            var seen: [JinjaValue] = []
            for item in try items() where !seen.contains(where: { $0.equals(item) }) { seen.append(item) }
            return .list(seen)
        case "sum":
            let values = try items()
            let total = values.reduce(0.0) { $0 + (number($1) ?? 0) }
            let hasFraction = values.contains { if case .number = $0 { return true } else { return false } }
            return hasFraction ? .number(total) : .integer(Int(total))
        case "map":
            if let attribute = argument(99, "attribute")?.rendered {
                return .list(try items().map { JinjaBuiltins.attributePath(attribute, of: $0) })
            }
            guard let filterName = arguments.first?.rendered else {
                throw TemplateError("map needs a filter name or attribute=", at: location)
            }
            return .list(try items().map { try filter(filterName, $0, Array(arguments.dropFirst()), [], at: location) })
        case "items":
            guard case .dict(let box) = value else { throw TemplateError("items needs a dict, got \(value.typeName)", at: location) }
            return .list(box.keys.map { .list([box.keyValue($0), box[$0]!]) })
        case "int":
            switch value {
            case .integer: return value
            case .number(let number):
                guard let whole = exactInteger(number) else {
                    throw TemplateError("int: \(number) has no integer value", at: location)
                }
                return .integer(whole)
            case .bool(let flag): return .integer(flag ? 1 : 0)
            default:
                let fallback = argument(0, "default").flatMap { number($0) }.flatMap(exactInteger) ?? 0
                return .integer(Int(value.rendered.trimmingCharacters(in: .whitespaces)) ?? fallback)
            }
        case "float":
            return .number(number(value) ?? Double(value.rendered.trimmingCharacters(in: .whitespaces)) ?? 0)
        // dbt's native filters: the value as text, or as the Python literal its text spells.
        case "as_text":
            return .string(value.rendered)
        case "as_bool":
            if case .bool = value { return value }
            switch value.rendered.trimmingCharacters(in: .whitespaces) {
            case "True", "true": return .bool(true)
            case "False", "false": return .bool(false)
            case let text: throw TemplateError("as_bool: '\(text)' is not a boolean", at: location, hint: "give True or False")
            }
        case "as_number":
            switch value {
            case .integer, .number: return value
            default:
                let text = value.rendered.trimmingCharacters(in: .whitespaces)
                if let whole = Int(text) { return .integer(whole) }
                if let number = Double(text) { return .number(number) }
                throw TemplateError("as_number: '\(text)' is not a number", at: location)
            }
        case "as_native":
            guard case .string(let raw) = value else { return value }
            let text = raw.trimmingCharacters(in: .whitespaces)
            switch text {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                if let whole = Int(text) { return .integer(whole) }
                if let number = Double(text), text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .number(number) }
                return value
            }
        case "abs":
            switch value {
            case .integer(let number): return .integer(abs(number))
            case .number(let number): return .number(abs(number))
            default: throw TemplateError("abs needs a number, got \(value.typeName)", at: location)
            }
        case "round":
            guard let number = number(value) else { throw TemplateError("round needs a number, got \(value.typeName)", at: location) }
            let precision = argument(0, "precision").flatMap { JinjaBuiltins.number($0) }.map(Int.init) ?? 0
            let scale = pow(10.0, Double(precision))
            // Jinja2's methods: `common` (half away from zero), `ceil`, `floor`.
            let method = argument(1, "method")?.rendered ?? "common"
            let rule: FloatingPointRoundingRule
            switch method {
            case "common": rule = .toNearestOrAwayFromZero
            case "ceil": rule = .up
            case "floor": rule = .down
            default: throw TemplateError("round: unknown method '\(method)'", at: location, hint: "use 'common', 'ceil' or 'floor'")
            }
            return .number((number * scale).rounded(rule) / scale)
        case "tojson":
            return .string(json(value))
        case "select", "reject":
            // `select('odd')`, `reject('equalto', 3)`; with no test, the truthy items.
            let keep = name == "select"
            let testName = arguments.first?.rendered
            return .list(try items().filter { item in
                let passes = try testName.map { try test($0, item, Array(arguments.dropFirst()), at: location) } ?? item.isTruthy
                return passes == keep
            })
        case "selectattr", "rejectattr":
            // `selectattr('a')`, `selectattr('a', 'equalto', 2)`: by an attribute's truthiness or a test of it.
            guard let attribute = arguments.first?.rendered else { throw TemplateError("\(name) needs an attribute name", at: location) }
            let keep = name == "selectattr"
            let testName = arguments.count > 1 ? arguments[1].rendered : nil
            return .list(try items().filter { item in
                let field = JinjaBuiltins.attributePath(attribute, of: item)
                let passes = try testName.map { try test($0, field, Array(arguments.dropFirst(2)), at: location) } ?? field.isTruthy
                return passes == keep
            })
        case "attr":
            return JinjaBuiltins.attribute(argument(0, "name")?.rendered ?? "", of: value)
        case "min", "max":
            let values = try items()
            let attribute = argument(99, "attribute")?.rendered
            func key(_ item: JinjaValue) -> JinjaValue { attribute.map { JinjaBuiltins.attributePath($0, of: item) } ?? item }
            let ordered = values.sorted { a, b in
                let x = key(a), y = key(b)
                if let p = number(x), let q = number(y) { return p < q }
                return x.rendered < y.rendered
            }
            return (name == "min" ? ordered.first : ordered.last) ?? .undefined(name)
        case "dictsort":
            guard case .dict(let box) = value else { throw TemplateError("dictsort needs a dict, got \(value.typeName)", at: location) }
            let byValue = argument(1, "by")?.rendered == "value"
            let reverse = argument(2, "reverse")?.isTruthy ?? false
            let pairs = box.keys.map { ($0, box[$0]!) }.sorted { a, b in
                byValue ? a.1.rendered < b.1.rendered : a.0.lowercased() < b.0.lowercased()
            }
            return .list((reverse ? pairs.reversed() : pairs).map { .list([.string($0.0), $0.1]) })
        case "batch":
            guard let size = argument(0, "linecount").flatMap(number).map(Int.init), size > 0 else {
                throw TemplateError("batch needs a positive size", at: location)
            }
            let values = try items()
            return .list(stride(from: 0, to: values.count, by: size).map { .list(Array(values[$0..<min($0 + size, values.count)])) })
        case "groupby":
            guard let attribute = argument(0, "attribute")?.rendered else { throw TemplateError("groupby needs an attribute", at: location) }
            var groups: [(JinjaValue, [JinjaValue])] = []
            for item in try items() {
                let key = JinjaBuiltins.attributePath(attribute, of: item)
                if let index = groups.firstIndex(where: { $0.0.equals(key) }) { groups[index].1.append(item) } else { groups.append((key, [item])) }
            }
            return .list(groups.sorted { $0.0.rendered < $1.0.rendered }.map {
                .dict([("grouper", $0.0), ("list", .list($0.1))])
            })
        case "indent":
            let width = argument(0, "width").flatMap(number).map(Int.init) ?? 4
            let first = argument(1, "first")?.isTruthy ?? false
            let pad = String(repeating: " ", count: width)
            let lines = value.rendered.components(separatedBy: "\n")
            return .string(lines.enumerated().map { index, line in
                (index == 0 && !first) || line.isEmpty ? line : pad + line
            }.joined(separator: "\n"))
        case "format":
            return .string(try pythonFormat(value.rendered, arguments, at: location))
        case "truncate":
            let length = argument(0, "length").flatMap(number).map(Int.init) ?? 255
            let text = value.rendered
            guard text.count > length else { return value }
            let end = argument(2, "end")?.rendered ?? "..."
            return .string(String(text.prefix(max(0, length - end.count))) + end)
        case "wordcount":
            return .integer(value.rendered.split(whereSeparator: \.isWhitespace).count)
        case "center":
            let width = argument(0, "width").flatMap(number).map(Int.init) ?? 80
            let text = value.rendered
            let padding = max(0, width - text.count)
            return .string(String(repeating: " ", count: padding / 2) + text + String(repeating: " ", count: padding - padding / 2))
        case "safe", "e", "escape":
            // SQL is not HTML: dbt's templates print text as it is.
            return .string(value.rendered)
        default:
            throw TemplateError("unknown filter '\(name)'", at: location,
                                hint: Suggestions.didYouMean(name, in: filterNames) ?? "filters: \(filterNames.joined(separator: ", "))")
        }
    }

    /// `'%s and %d' % (a, b)` / `'{}'.format(x)` as Python writes them: `%s`, `%d`, `%i`, `%f`,
    /// `%.Nf`, `%%`, and `{}` or `{0}` placeholders.
    static func pythonFormat(_ template: String, _ arguments: [JinjaValue], at location: SourceLocation) throws -> String {
        var output = "", next = 0
        var characters = Array(template)[...]
        func take() throws -> JinjaValue {
            guard next < arguments.count else { throw TemplateError("not enough arguments for the format string", at: location) }
            defer { next += 1 }
            return arguments[next]
        }
        while let character = characters.popFirst() {
            if character == "%", let spec = characters.first {
                if spec == "%" { characters.removeFirst(); output.append("%"); continue }
                var precision: Int?
                if spec == ".", let digits = Optional(characters.dropFirst().prefix { $0.isNumber }), !digits.isEmpty {
                    precision = Int(String(digits))
                    characters.removeFirst(1 + digits.count)
                }
                guard let kind = characters.popFirst() else { output.append("%"); break }
                let value = try take()
                switch kind {
                case "d", "i": output += String(number(value).map { Int($0) } ?? 0)
                case "f": output += String(format: "%.\(precision ?? 6)f", number(value) ?? 0)
                default: output += value.rendered
                }
            } else if character == "{", let close = characters.firstIndex(of: "}") {
                let inside = String(characters[characters.startIndex..<close])
                characters = characters[characters.index(after: close)...]
                if let position = Int(inside), position < arguments.count { output += arguments[position].rendered } else { output += try take().rendered }
            } else {
                output.append(character)
            }
        }
        return output
    }

    static func json(_ value: JinjaValue) -> String {
        switch value {
        case .undefined, .none: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .number(let number): return String(number)
        case .string(let text):
            let data = (try? JSONEncoder().encode(text)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        case .list(let box): return "[" + box.items.map(json).joined(separator: ", ") + "]"
        case .dict(let box): return "{" + box.keys.map { json(.string($0)) + ": " + json(box[$0]!) }.joined(separator: ", ") + "}"
        case .callable: return "null"
        }
    }

    // MARK: Tests

    static let testNames = ["defined", "undefined", "none", "string", "number", "integer", "float", "mapping",
                            "iterable", "sequence", "even", "odd", "divisibleby", "eq", "equalto", "ne", "lt", "le", "gt", "ge", "in", "true", "false", "boolean"]

    static func test(_ name: String, _ value: JinjaValue, _ arguments: [JinjaValue], at location: SourceLocation) throws -> Bool {
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "string": if case .string = value { return true } else { return false }
        case "number": return number(value) != nil && { if case .bool = value { return false } else { return true } }()
        case "integer": if case .integer = value { return true } else { return false }
        case "float": if case .number = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "mapping": if case .dict = value { return true } else { return false }
        case "iterable", "sequence": return value.iterated != nil
        case "even", "odd":
            guard case .integer(let number) = value else { throw TemplateError("'\(name)' needs an integer", at: location) }
            return (number % 2 == 0) == (name == "even")
        case "divisibleby":
            guard case .integer(let number) = value, case .integer(let divisor)? = arguments.first, divisor != 0 else {
                throw TemplateError("'divisibleby' needs integers", at: location)
            }
            return number % divisor == 0
        case "eq", "equalto", "==": return value.equals(arguments.first ?? .none)
        case "ne", "!=": return !value.equals(arguments.first ?? .none)
        // Jinja2's comparison tests, by name and by operator (`selectattr('n', '>=', 2)`).
        case "lt", "<": return try binary(.less, value, arguments.first ?? .none, at: location).isTruthy
        case "le", "<=": return try binary(.lessOrEqual, value, arguments.first ?? .none, at: location).isTruthy
        case "gt", ">": return try binary(.greater, value, arguments.first ?? .none, at: location).isTruthy
        case "ge", ">=": return try binary(.greaterOrEqual, value, arguments.first ?? .none, at: location).isTruthy
        case "in": return try binary(.in, value, arguments.first ?? .none, at: location).isTruthy
        default:
            throw TemplateError("unknown test '\(name)'", at: location,
                                hint: Suggestions.didYouMean(name, in: testNames) ?? "tests: \(testNames.joined(separator: ", "))")
        }
    }
}
