import FloeCore
import FloeYAML

/// Refuses credentials, secret references, hosts and endpoints in the data team's floe.yaml.
///
/// floe.yaml is shared with everyone who works on the product; anything that opens a door belongs
/// in platform.yaml, behind a profile name. Messages say what was found and where, never the value.
enum CredentialScan {
    static let hint = "credentials belong in platform.yaml as a secret reference ({secret_ref: NAME, key: KEY}) "
        + "on a profile; floe.yaml names the profile (compute: NAME)"
    static let locationHint = "hosts and endpoints belong in a platform.yaml profile; floe.yaml names the profile "
        + "(compute: NAME, storage: NAME, catalog: NAME)"

    static func scan(_ root: YAMLValue) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        walk(root, path: "", keysAreNames: false, into: &diagnostics)
        return diagnostics
    }

    private static func walk(_ value: YAMLValue, path: String, keysAreNames: Bool, into diagnostics: inout [Diagnostic]) {
        switch value.kind {
        case .mapping(let entries):
            for entry in entries {
                let entryPath = path.isEmpty ? entry.key : "\(path).\(entry.key)"
                if !keysAreNames, let finding = inspect(key: entry.key, value: entry.value) {
                    diagnostics.append(.error(at: entry.keyLocation, path: entryPath, finding.message, hint: finding.hint))
                    continue
                }
                walk(entry.value, path: entryPath, keysAreNames: isNameKeyed(entryPath), into: &diagnostics)
            }
        case .sequence(let items):
            for (index, item) in items.enumerated() {
                walk(item, path: "\(path)[\(index)]", keysAreNames: false, into: &diagnostics)
            }
        case .string(let text):
            if let finding = SecretDetector.inspect(text) {
                let message = finding == .urlWithCredentials
                    ? "floe.yaml must not hold credentials: this value is \(finding.rawValue)"
                    : "floe.yaml must not hold secrets: this value looks like \(finding.rawValue)"
                diagnostics.append(.error(at: value.location, path: path, message, hint: hint))
            }
        default:
            break
        }
    }

    /// Maps whose keys are data names (synthetic column names such as `address`), not settings.
    private static func isNameKeyed(_ path: String) -> Bool {
        let parts = path.split(separator: ".")
        return parts.count == 3 && parts[0] == "synthetic" && parts[2] == "columns"
    }

    private static func inspect(key: String, value: YAMLValue) -> (message: String, hint: String)? {
        let normalized = key.lowercased()
        if normalized == "secret_ref" || normalized == "secret-ref" {
            return ("floe.yaml must not hold secret references: '\(key)' belongs on a platform.yaml profile", hint)
        }
        if SecretDetector.isCredentialKey(key), !value.isNull {
            return ("floe.yaml must not hold credentials: '\(key)' is a credential", hint)
        }
        if SecretDetector.isLocationKey(key), value.entries == nil, value.items == nil, !value.isNull {
            return ("floe.yaml must not name a host or endpoint: '\(key)' belongs in platform.yaml", locationHint)
        }
        return nil
    }
}
