import FloeYAML
import Foundation

/// A value as Helm's templates see it: what YAML values files decode to in Go (maps iterate in
/// key order, as Go's templates and `toYaml` order them).
public indirect enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([TemplateValue])
    case map([String: TemplateValue])

    public init(_ yaml: YAMLValue) {
        switch yaml.kind {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .integer(let value): self = .int(value)
        case .number(let value): self = .double(value)
        case .string(let value): self = .string(value)
        case .sequence(let items): self = .list(items.map(TemplateValue.init))
        case .mapping(let entries):
            var map: [String: TemplateValue] = [:]
            for entry in entries { map[entry.key] = TemplateValue(entry.value) }
            self = .map(map)
        }
    }

    /// Go templates' truth: false, 0, nil and empty strings, lists and maps are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .int(let value): value != 0
        case .double(let value): value != 0
        case .string(let value): !value.isEmpty
        case .list(let value): !value.isEmpty
        case .map(let value): !value.isEmpty
        }
    }

    public subscript(key: String) -> TemplateValue {
        if case .map(let map) = self { return map[key] ?? .null }
        return .null
    }

    /// As `{{ value }}` prints it (a missing value prints nothing, as Helm's renderer leaves it).
    public var printed: String {
        switch self {
        case .null: ""
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value): Self.goNumber(value)
        case .string(let value): value
        case .list(let items): "[" + items.map(\.printed).joined(separator: " ") + "]"
        case .map(let map): "map[" + map.keys.sorted().map { "\($0):\(map[$0]!.printed)" }.joined(separator: " ") + "]"
        }
    }

    /// Go's `%v` of a float64: integral values without a fraction, others in shortest form.
    static func goNumber(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e21 { return String(Int64(value)) }
        return "\(value)"
    }

    /// `base` with `overrides` laid over it: maps merge key by key, anything else is replaced
    /// (Helm's coalescing of values files; a null in an override deletes the key).
    public static func merged(_ base: TemplateValue, _ overrides: TemplateValue) -> TemplateValue {
        guard case .map(var result) = base, case .map(let over) = overrides else { return overrides }
        for (key, value) in over {
            if case .null = value {
                result[key] = nil
            } else {
                result[key] = result[key].map { merged($0, value) } ?? value
            }
        }
        return .map(result)
    }
}
