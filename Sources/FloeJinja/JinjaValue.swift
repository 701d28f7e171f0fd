import FloeCore
import Foundation

/// A value while a template renders. Lists and dicts are shared boxes, as in Python, so
/// `{% do items.append(x) %}` changes the list every name refers to.
public enum JinjaValue {
    case undefined(String)
    case none
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case list(ListBox)
    case dict(DictBox)
    case callable(JinjaCallable)

    public final class ListBox {
        public var items: [JinjaValue]
        public init(_ items: [JinjaValue]) { self.items = items }
    }

    /// Insertion-ordered string-keyed map, shared by every name that refers to it.
    public final class DictBox {
        private var table = JinjaNameTable()
        /// What `{{ }}` prints instead of the dict, for objects with attributes such as dbt's
        /// relations (`{{ ref('x') }}` prints the relation, `ref('x').identifier` its name).
        public var printed: String?
        /// For a sequence with named fields (an agate row, whose values are also its columns by
        /// name; a query's table, whose rows are iterated): what iterating it and integer
        /// subscripts give, instead of its keys.
        public var sequence: [JinjaValue]?
        /// `modules.datetime`'s values: a date or datetime, a timedelta (seconds), a time zone.
        var moment: JinjaMoment?
        var duration: Int64?
        var zone: JinjaZone?
        /// A value that exists only once the whole project is compiled (dbt's `graph` while the
        /// compiler renders): reading it defers the template, as a database call does.
        public var defersRendering: String?

        public var keys: [String] { table.names }
        /// The keys that were not strings (a relation, a number), by the text they are found
        /// under: `keys()`, `items()` and loops give them back as they were, as Python's dicts do.
        public var keyValues: [String: JinjaValue]?

        /// The key as it was given: its own value, or the string.
        public func keyValue(_ key: String) -> JinjaValue { keyValues?[key] ?? .string(key) }
        /// Every key as it was given, in order.
        public var keyItems: [JinjaValue] { keyValues == nil ? keys.map(JinjaValue.string) : keys.map(keyValue) }
        /// The values, in the order of `keys`.
        public var values: [JinjaValue] { table.values }

        public init(_ pairs: [(String, JinjaValue)] = [], printed: String? = nil) {
            table.reserveCapacity(pairs.count)
            for (key, value) in pairs { table[key] = value }
            self.printed = printed
        }

        /// A dict whose keys the caller knows to be distinct and few: made without searching.
        package init(distinctKeys keys: [String], values: [JinjaValue], printed: String? = nil) {
            table = JinjaNameTable(distinctNames: keys, values: values)
            self.printed = printed
        }

        public subscript(key: String) -> JinjaValue? {
            get { table[key] }
            set { table[key] = newValue }
        }

        /// Replaces the value at a position, for dicts the renderer updates in place (`loop`).
        func replaceValue(at position: Int, with value: JinjaValue) {
            table.replaceValue(at: position, with: value)
        }
    }

    public static func list(_ items: [JinjaValue]) -> JinjaValue { .list(ListBox(items)) }
    public static func dict(_ pairs: [(String, JinjaValue)]) -> JinjaValue { .dict(DictBox(pairs)) }

    /// Python truthiness.
    public var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let value): return value
        case .integer(let value): return value != 0
        case .number(let value): return value != 0
        case .string(let value): return !value.isEmpty
        case .list(let box): return !box.items.isEmpty
        case .dict(let box): return !box.keys.isEmpty
        case .callable: return true
        }
    }

    public var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// What `{{ value }}` prints: Python's `str()`.
    public var rendered: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let value): return value ? "True" : "False"
        case .integer(let value): return String(value)
        case .number(let value): return Self.pythonFloat(value)
        case .string(let value): return value
        case .dict(let box) where box.printed != nil: return box.printed!
        case .list, .dict: return repr
        case .callable(let callable): return "<macro \(callable.name)>"
        }
    }

    /// Python's `repr()`: strings quoted, as inside printed lists and dicts.
    public var repr: String {
        switch self {
        case .string(let value):
            return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        case .list(let box): return "[" + box.items.map(\.repr).joined(separator: ", ") + "]"
        case .dict(let box) where box.printed != nil: return box.printed!
        case .dict(let box): return "{" + zip(box.keys, box.values).map { "'\($0)': \($1.repr)" }.joined(separator: ", ") + "}"
        default: return rendered
        }
    }

    static func pythonFloat(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded(), abs(value) < 1e16 { return String(format: "%.1f", value) }
        return "\(value)"
    }

    /// "a string", "an integer", … for error messages.
    public var typeName: String {
        switch self {
        case .undefined: return "undefined"
        case .none: return "none"
        case .bool: return "a boolean"
        case .integer: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .list: return "a list"
        case .dict: return "a dict"
        case .callable: return "a macro"
        }
    }

    /// Items when iterated: a list's items, a dict's keys, a string's characters.
    /// A list's items, or a row's or table's sequence: what integer subscripts reach.
    var sequenceItems: [JinjaValue]? {
        switch self {
        case .list(let box): box.items
        case .dict(let box): box.sequence
        default: nil
        }
    }

    public var iterated: [JinjaValue]? {
        switch self {
        case .list(let box): return box.items
        case .dict(let box): return box.sequence ?? box.keyItems
        case .string(let text): return text.map { .string(String($0)) }
        default: return nil
        }
    }

    /// Equality as Python sees it (1 == 1.0; lists compare item by item).
    public func equals(_ other: JinjaValue) -> Bool {
        switch (self, other) {
        case (.none, .none), (.undefined, .undefined): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): return Double(a) == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)):
            return a.items.count == b.items.count && zip(a.items, b.items).allSatisfy { $0.equals($1) }
        case (.dict(let a), .dict(let b)):
            return Set(a.keys) == Set(b.keys) && a.keys.allSatisfy { a[$0]!.equals(b[$0]!) }
        default: return false
        }
    }
}

/// A function templates can call: a macro, or one floe provides (`ref`, `var`, `config`, …).
public struct JinjaCallable {
    /// Throws ``TemplateError`` for the user's mistakes.
    public typealias Body = (_ arguments: [JinjaValue], _ keywords: [(String, JinjaValue)], _ context: JinjaCallContext) throws -> JinjaValue

    public var name: String
    public var body: Body
    /// Attributes of the function itself, as dbt's `config` is callable and has `config.get(…)`.
    public var members: [String: JinjaValue]
    /// For a template's macro: what it is, so a renderer can call it in place.
    let definition: JinjaMacroDefinition?

    public init(_ name: String, members: [String: JinjaValue] = [:], _ body: @escaping Body) {
        self.init(name, members: members, definition: nil, body)
    }

    init(_ name: String, members: [String: JinjaValue] = [:], definition: JinjaMacroDefinition?, _ body: @escaping Body) {
        self.name = name
        self.body = body
        self.members = members
        self.definition = definition
    }
}

/// A macro and the globals it was defined over (which its body sees).
final class JinjaMacroDefinition {
    let macro: JinjaMacro
    let globals: JinjaGlobals

    init(macro: JinjaMacro, globals: JinjaGlobals) {
        self.macro = macro
        self.globals = globals
    }
}

/// Where a call happens, so functions can report errors at the caller's line.
public struct JinjaCallContext {
    public var location: SourceLocation

    public init(location: SourceLocation) {
        self.location = location
    }
}

/// A JSON document as a template value (dbt's `fromjson`): decoded strictly, so `true` is a
/// boolean and `1` an integer.
struct JSONTemplateValue: Decodable {
    var value: JinjaValue

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .none
        } else if let flag = try? container.decode(Bool.self) {
            value = .bool(flag)
        } else if let number = try? container.decode(Int.self) {
            value = .integer(number)
        } else if let number = try? container.decode(Double.self) {
            value = .number(number)
        } else if let text = try? container.decode(String.self) {
            value = .string(text)
        } else if let items = try? container.decode([JSONTemplateValue].self) {
            value = .list(items.map(\.value))
        } else {
            let map = try container.decode([String: JSONTemplateValue].self)
            value = .dict(map.keys.sorted().map { ($0, map[$0]!.value) })
        }
    }
}
