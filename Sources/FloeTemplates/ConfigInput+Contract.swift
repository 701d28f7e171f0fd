import FloeJinja
import FloeContract

extension ConfigInput {
    /// A value as the plan holds it (a secret reference, which no template value can be, is null).
    public init(_ value: ConfigValue) {
        switch value {
        case .null, .secret: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let number): self = .integer(number)
        case .number(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .list(let items): self = .list(items.map(ConfigInput.init))
        case .map(let entries): self = .map(entries.mapValues(ConfigInput.init))
        }
    }
}

extension ConfigValue {
    /// A template value, for the plan.
    public init(_ input: ConfigInput) {
        switch input {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let number): self = .integer(number)
        case .number(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .list(let items): self = .list(items.map(ConfigValue.init))
        case .map(let entries): self = .map(entries.mapValues(ConfigValue.init))
        }
    }
}
