import FloeCore

/// A YAML node with the place it was written, so every diagnostic can point at a line and column.
public struct YAMLValue: Sendable {
    public indirect enum Kind: Sendable {
        case null
        case bool(Bool)
        case integer(Int)
        case number(Double)
        case string(String)
        case sequence([YAMLValue])
        case mapping([YAMLEntry])
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// The value under `key`, if this is a mapping that has it.
    public subscript(key: String) -> YAMLValue? {
        entries?.first { $0.key == key }?.value
    }

    public var entries: [YAMLEntry]? {
        if case .mapping(let entries) = kind { return entries }
        return nil
    }

    public var items: [YAMLValue]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    public var string: String? {
        if case .string(let value) = kind { return value }
        return nil
    }

    public var integer: Int? {
        if case .integer(let value) = kind { return value }
        return nil
    }

    /// A number, whether written as an integer or with a fraction.
    public var number: Double? {
        switch kind {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    public var bool: Bool? {
        if case .bool(let value) = kind { return value }
        return nil
    }

    public var isNull: Bool {
        if case .null = kind { return true }
        return false
    }

    /// "a string", "a mapping", … for "expected X, got Y" messages.
    public var kindDescription: String {
        switch kind {
        case .null: return "nothing (null)"
        case .bool: return "a boolean"
        case .integer: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// The scalar as written, for echoing non-secret values in messages.
    public var scalarText: String? {
        switch kind {
        case .bool(let value): return String(value)
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value): return value
        default: return nil
        }
    }
}

/// One `key: value` pair of a mapping; the key keeps its own location for "unknown key" messages.
public struct YAMLEntry: Sendable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: YAMLValue

    public init(key: String, keyLocation: SourceLocation, value: YAMLValue) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
