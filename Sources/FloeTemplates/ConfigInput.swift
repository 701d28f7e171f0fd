import FloeJinja
import FloeCore

/// A config value as written, in YAML (`+materialized: table`) or in `{{ config(...) }}`: plain
/// data, so it can cross threads, with the place it was written for error messages.
public enum ConfigInput: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case list([ConfigInput])
    case map([String: ConfigInput])

    public init(_ value: JinjaValue) {
        switch value {
        case .undefined, .none, .callable: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let number): self = .integer(number)
        case .number(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .list(let box): self = .list(box.items.map(ConfigInput.init))
        case .dict(let box):
            if let printed = box.printed {
                self = .string(printed)
            } else {
                var map: [String: ConfigInput] = [:]
                for key in box.keys { map[key] = ConfigInput(box[key]!) }
                self = .map(map)
            }
        }
    }

    public var jinja: JinjaValue {
        switch self {
        case .null: return .none
        case .bool(let flag): return .bool(flag)
        case .integer(let number): return .integer(number)
        case .number(let number): return .number(number)
        case .string(let text): return .string(text)
        case .list(let items): return .list(items.map(\.jinja))
        case .map(let map): return .dict(map.keys.sorted().map { ($0, map[$0]!.jinja) })
        }
    }

    /// A string with `{{` or `{%` in it, anywhere in the value.
    public var holdsJinja: Bool {
        switch self {
        case .string(let text): JinjaTemplate.mayHoldTags(text)
        case .list(let items): items.contains(where: \.holdsJinja)
        case .map(let map): map.values.contains(where: \.holdsJinja)
        default: false
        }
    }

    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A string, or each string of a list: how dbt accepts `tags`, `unique_key` and hooks.
    public var strings: [String]? {
        switch self {
        case .string(let text): return [text]
        case .list(let items):
            let texts = items.compactMap(\.string)
            return texts.count == items.count ? texts : nil
        case .null: return []
        default: return nil
        }
    }

    public var typeDescription: String {
        switch self {
        case .null: return "nothing (null)"
        case .bool: return "a boolean"
        case .integer: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .list: return "a list"
        case .map: return "a mapping"
        }
    }
}

/// One `key: value` of config with where it was written.
public struct ConfigEntry: Sendable {
    public init(key: String, value: ConfigInput, location: SourceLocation) {
        self.key = key
        self.value = value
        self.location = location
    }

    public var key: String
    public var value: ConfigInput
    public var location: SourceLocation
}
