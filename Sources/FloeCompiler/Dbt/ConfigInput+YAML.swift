import FloeJinja
import FloeTemplates
import FloeYAML

extension ConfigInput {
    /// A config value as YAML wrote it.
    init(_ value: YAMLValue) {
        switch value.kind {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let number): self = .integer(number)
        case .number(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .sequence(let items): self = .list(items.map(ConfigInput.init))
        case .mapping(let entries):
            var map: [String: ConfigInput] = [:]
            for entry in entries { map[entry.key] = ConfigInput(entry.value) }
            self = .map(map)
        }
    }
}
