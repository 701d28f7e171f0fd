/// The compute, storage and catalog profiles the environment selected, resolved from logical names.
public struct ResolvedProfiles: Codable, Sendable, Equatable {
    public var compute: ResolvedProfile
    public var storage: ResolvedProfile
    public var catalog: ResolvedProfile

    public init(compute: ResolvedProfile, storage: ResolvedProfile, catalog: ResolvedProfile) {
        self.compute = compute
        self.storage = storage
        self.catalog = catalog
    }
}

/// One profile: its type and its settings exactly as platform.yaml (plus the environment's
/// overrides) gave them, credentials as secret references.
public struct ResolvedProfile: Codable, Sendable, Equatable {
    /// The name the data team used in floe.yaml (`default`).
    public var logicalName: String
    /// The platform profile it resolved to in this environment (`warehouse`).
    public var name: String
    /// `sqlite`, `postgres`, `s3`, `polaris`, …
    public var type: String
    public var settings: [String: ConfigValue]

    public init(logicalName: String, name: String, type: String, settings: [String: ConfigValue]) {
        self.logicalName = logicalName
        self.name = name
        self.type = type
        self.settings = settings
    }

    enum CodingKeys: String, CodingKey {
        case logicalName = "logical_name"
        case name
        case type
        case settings
    }

    public var secretReferences: [SecretReference] { ConfigValue.map(settings).secretReferences }

    public func string(_ key: String) -> String? { settings[key]?.stringValue }
    public func integer(_ key: String) -> Int? { settings[key]?.intValue }
}

/// Lineage and tracing endpoints. Both optional: absent means "don't emit".
public struct ObservabilitySettings: Codable, Sendable, Equatable {
    public var lineage: LineageSettings?
    public var otlp: OTLPSettings?

    public init(lineage: LineageSettings? = nil, otlp: OTLPSettings? = nil) {
        self.lineage = lineage
        self.otlp = otlp
    }
}

/// Where OpenLineage run events go.
public struct LineageSettings: Codable, Sendable, Equatable {
    public var endpoint: String
    public var namespace: String

    public init(endpoint: String, namespace: String) {
        self.endpoint = endpoint
        self.namespace = namespace
    }
}

/// Where OpenTelemetry traces go.
public struct OTLPSettings: Codable, Sendable, Equatable {
    public var endpoint: String
    public var serviceName: String?

    public init(endpoint: String, serviceName: String? = nil) {
        self.endpoint = endpoint
        self.serviceName = serviceName
    }

    enum CodingKeys: String, CodingKey {
        case endpoint
        case serviceName = "service_name"
    }
}
