import FloeContract
import FloeCore
import FloeYAML

/// platform.yaml as read, kept close to the YAML so later stages can point at lines.
/// Built leniently: parts that failed validation are left out, so cross-file checks still run.
struct PlatformSpec {
    /// A named profile as declared.
    struct Profile {
        var name: String
        var type: String
        var body: YAMLValue
        var keyLocation: SourceLocation
    }

    /// A logical name → profile name mapping of one environment, with where it was written.
    struct Remap {
        var profile: String
        var location: SourceLocation
    }

    struct Environment {
        var name: String
        var namespace: String
        var namespaceLocation: SourceLocation
        var keyLocation: SourceLocation
        var remaps: [ProfileKind: [String: Remap]]
        /// Profile name → entries that replace the profile's own.
        var overrides: [ProfileKind: [(profile: String, location: SourceLocation, entries: [YAMLEntry])]]
    }

    var file: String
    var root: YAMLValue
    var profiles: [ProfileKind: [Profile]]
    var observability: ObservabilitySettings
    var semantic: SemanticSettings?
    var secretsMount: String
    var environments: [Environment]
    var environmentsLocation: SourceLocation

    func profile(_ kind: ProfileKind, named name: String) -> Profile? {
        profiles[kind]?.first { $0.name == name }
    }

    func profileNames(_ kind: ProfileKind) -> [String] {
        (profiles[kind] ?? []).map(\.name)
    }

    init(file: String, root: YAMLValue) {
        self.file = file
        self.root = root
        var profiles: [ProfileKind: [Profile]] = [:]
        for kind in ProfileKind.allCases {
            profiles[kind] = (root[kind.platformKey]?.entries ?? []).compactMap { entry in
                guard let type = entry.value["type"]?.string else { return nil }
                return Profile(name: entry.key, type: type, body: entry.value, keyLocation: entry.keyLocation)
            }
        }
        self.profiles = profiles

        let observability = root["observability"]
        var lineage: LineageSettings?
        if let node = observability?["lineage"], let namespace = node["namespace"]?.string {
            lineage = LineageSettings(transport: node["transport"]?.string, endpoint: node["endpoint"]?.string, file: node["file"]?.string,
                                      namespace: namespace, apiKey: node["api_key"].flatMap { ConfigValue($0).secretValue },
                                      compression: node["compression"]?.string,
                                      timeoutSeconds: node["timeout_seconds"]?.number)
        }
        let otlp = observability?["otlp"]?["endpoint"]?.string.map {
            OTLPSettings(endpoint: $0, serviceName: observability?["otlp"]?["service_name"]?.string)
        }
        self.observability = ObservabilitySettings(lineage: lineage, otlp: otlp)

        if let semantic = root["semantic"] {
            var sqlAPI: SQLAPISettings?
            if let sql = semantic["sql_api"] {
                var users: [SQLAPIUser] = []
                for user in sql["users"]?.items ?? [] {
                    guard let name = user["name"]?.string, let password = user["password"].flatMap({ ConfigValue($0).secretValue }) else { continue }
                    var claims: [String: ConfigValue] = [:]
                    for entry in user["security_context"]?.entries ?? [] { claims[entry.key] = ConfigValue(entry.value) }
                    users.append(SQLAPIUser(name: name, password: password,
                                            passwordEncryption: user["password_encryption"]?.string ?? "scram-sha-256", securityContext: claims,
                                            canSwitchUser: user["can_switch_user"]?.bool ?? false))
                }
                sqlAPI = SQLAPISettings(port: sql["port"]?.integer, users: users,
                                        tlsCertificate: sql["tls_certificate"].flatMap { ConfigValue($0).secretValue },
                                        tlsKey: sql["tls_key"].flatMap { ConfigValue($0).secretValue })
            }
            self.semantic = SemanticSettings(apiSecret: semantic["api_secret"].flatMap { ConfigValue($0).secretValue }, sqlAPI: sqlAPI)
        }
        secretsMount = root["secrets"]?["mount"]?.string ?? SecretSettings.defaultMount

        let environmentsNode = root["environments"]
        environmentsLocation = root.entries?.first { $0.key == "environments" }?.keyLocation ?? .file(file)
        environments = (environmentsNode?.entries ?? []).compactMap { entry in
            guard let namespace = entry.value["namespace"], let namespaceText = namespace.string else { return nil }
            var remaps: [ProfileKind: [String: Remap]] = [:]
            var overrides: [ProfileKind: [(profile: String, location: SourceLocation, entries: [YAMLEntry])]] = [:]
            for kind in ProfileKind.allCases {
                for remap in entry.value[kind.platformKey]?.entries ?? [] {
                    guard let target = remap.value.string else { continue }
                    remaps[kind, default: [:]][remap.key] = Remap(profile: target, location: remap.value.location)
                }
                for override in entry.value["overrides"]?[kind.platformKey]?.entries ?? [] {
                    guard let settings = override.value.entries else { continue }
                    overrides[kind, default: []].append((override.key, override.keyLocation, settings))
                }
            }
            return Environment(
                name: entry.key, namespace: namespaceText, namespaceLocation: namespace.location,
                keyLocation: entry.keyLocation, remaps: remaps, overrides: overrides)
        }
    }
}
