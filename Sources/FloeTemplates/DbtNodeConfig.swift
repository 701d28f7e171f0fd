/// A node's config as its template reads it (`config.get('materialized')`): the compiler's
/// resolved config, or the frozen copy a plan carries for a model rendered at apply time.
public protocol DbtNodeConfig: Sendable {
    /// What `config.get(key)` returns; nil when the key is not set.
    func value(forKey key: String) -> ConfigInput?
    /// Takes in an entry of the template's own `config(...)` call; problems with it are reported
    /// where the config is resolved, not here.
    mutating func take(_ entry: ConfigEntry)
}

/// Config as plain values by key.
public struct FrozenNodeConfig: DbtNodeConfig {
    public var values: [String: ConfigInput]

    public init(_ values: [String: ConfigInput] = [:]) {
        self.values = values
    }

    public func value(forKey key: String) -> ConfigInput? {
        values[key.replacingOccurrences(of: "-", with: "_")]
    }

    public mutating func take(_ entry: ConfigEntry) {
        values[entry.key.replacingOccurrences(of: "-", with: "_")] = entry.value
    }
}
