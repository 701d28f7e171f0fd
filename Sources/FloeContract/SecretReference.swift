/// A pointer to a credential that is resolved only when a connection is opened.
///
/// `{secret_ref: warehouse-db, key: password}` is looked up as the environment variable
/// `FLOE_SECRET_WAREHOUSE_DB_PASSWORD`, then as the file `<mount>/warehouse-db/password`.
/// The plan carries only this reference, never the value.
public struct SecretReference: Hashable, Sendable, Codable, CustomStringConvertible {
    public var name: String
    public var key: String

    public init(name: String, key: String) {
        self.name = name
        self.key = key
    }

    enum CodingKeys: String, CodingKey {
        case name = "secret_ref"
        case key
    }

    /// `FLOE_SECRET_<NAME>_<KEY>`: upper-cased, with every character that is not a letter or digit as `_`.
    public var environmentVariable: String {
        "FLOE_SECRET_" + Self.envSafe(name) + "_" + Self.envSafe(key)
    }

    /// `<mount>/<name>/<key>`.
    public func filePath(mount: String) -> String {
        let base = mount.hasSuffix("/") ? String(mount.dropLast()) : mount
        return "\(base)/\(name)/\(key)"
    }

    public var description: String { "secret '\(name)' key '\(key)'" }

    private static func envSafe(_ text: String) -> String {
        String(text.uppercased().unicodeScalars.map { scalar -> Character in
            (("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)) ? Character(scalar) : "_"
        })
    }
}
