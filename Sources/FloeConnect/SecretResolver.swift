import FloeContract
import Foundation

/// Resolves secret references at connect time: the environment variable
/// `FLOE_SECRET_<NAME>_<KEY>`, else the file `<mount>/<name>/<key>`. The value is returned to the
/// caller that opens the connection and nowhere else: never printed, logged or put in an error.
public struct SecretResolver: Sendable {
    /// The directory of mounted secret files: `FLOE_SECRETS_MOUNT`, else the plan's `secrets.mount`.
    public let mount: String
    private let environment: [String: String]

    public init(settings: SecretSettings, environment: [String: String]) {
        let override = environment["FLOE_SECRETS_MOUNT"].flatMap { $0.isEmpty ? nil : $0 }
        mount = override ?? settings.mount
        self.environment = environment
    }

    public func resolve(_ reference: SecretReference) throws(SecretNotResolvable) -> String {
        if let value = environment[reference.environmentVariable], !value.isEmpty { return value }
        let path = reference.filePath(mount: mount)
        if let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) {
            // Mounted secrets usually end with a newline the value does not contain.
            let value = text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
            if !value.isEmpty { return value }
        }
        throw SecretNotResolvable(reference: reference, environmentVariable: reference.environmentVariable, filePath: path)
    }

    /// Where `reference` would be read from now (`environment variable X`, `file P`), for
    /// `floe debug`; never the value.
    public func source(of reference: SecretReference) throws(SecretNotResolvable) -> String {
        _ = try resolve(reference)
        if let value = environment[reference.environmentVariable], !value.isEmpty {
            return "environment variable \(reference.environmentVariable)"
        }
        return "file \(reference.filePath(mount: mount))"
    }

    /// Every `{secret_ref, key}` in `settings` replaced by its value, for the driver only.
    public func resolve(_ settings: [String: ConfigValue]) throws(SecretNotResolvable) -> [String: ConfigValue] {
        var resolved: [String: ConfigValue] = [:]
        for (key, value) in settings { resolved[key] = try resolve(value) }
        return resolved
    }

    private func resolve(_ value: ConfigValue) throws(SecretNotResolvable) -> ConfigValue {
        switch value {
        case .secret(let reference): return .string(try resolve(reference))
        case .list(let items):
            var resolved: [ConfigValue] = []
            for item in items { resolved.append(try resolve(item)) }
            return .list(resolved)
        case .map(let entries): return .map(try resolve(entries))
        default: return value
        }
    }
}

/// A secret found in neither place. Its message names both places looked, never a value.
public struct SecretNotResolvable: Error, Sendable, CustomStringConvertible {
    public var reference: SecretReference
    public var environmentVariable: String
    public var filePath: String

    public var description: String {
        "\(reference) is not set: looked for the environment variable \(environmentVariable) and the file \(filePath)"
    }
}
