/// A setting of a profile or a variable, as written in YAML: a scalar, a list, a map, or a secret
/// reference. Encodes as plain JSON, a secret reference as `{"key": …, "secret_ref": …}`.
public enum ConfigValue: Hashable, Sendable, Codable {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case secret(SecretReference)
    case list([ConfigValue])
    case map([String: ConfigValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ConfigValue].self) {
            self = .list(value)
        } else {
            let map = try container.decode([String: ConfigValue].self)
            if map.count == 2, case .string(let name)? = map["secret_ref"], case .string(let key)? = map["key"] {
                self = .secret(SecretReference(name: name, key: key))
            } else {
                self = .map(map)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .secret(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .map(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var secretValue: SecretReference? {
        if case .secret(let value) = self { return value }
        return nil
    }

    /// Every secret reference in this value, depth first, maps in key order.
    public var secretReferences: [SecretReference] {
        switch self {
        case .secret(let reference): return [reference]
        case .list(let items): return items.flatMap(\.secretReferences)
        case .map(let map): return map.keys.sorted().flatMap { map[$0]!.secretReferences }
        default: return []
        }
    }
}
