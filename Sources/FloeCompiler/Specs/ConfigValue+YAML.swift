import FloeContract
import FloeYAML

extension ConfigValue {
    /// The YAML value as plan data; a `{secret_ref, key}` mapping becomes a typed secret reference.
    init(_ value: YAMLValue) {
        switch value.kind {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let number): self = .integer(number)
        case .number(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .sequence(let items): self = .list(items.map(ConfigValue.init))
        case .mapping(let entries):
            if entries.count == 2, let name = value["secret_ref"]?.string, let key = value["key"]?.string {
                self = .secret(SecretReference(name: name, key: key))
            } else {
                var map: [String: ConfigValue] = [:]
                for entry in entries { map[entry.key] = ConfigValue(entry.value) }
                self = .map(map)
            }
        }
    }
}
