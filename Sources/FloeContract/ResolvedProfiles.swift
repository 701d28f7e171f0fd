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

/// Where OpenLineage run events go, and how.
public struct LineageSettings: Codable, Sendable, Equatable {
    /// `http` (the default), `file` or `console`. Since 2.5; a 2.4 plan's lineage is `http`.
    public var transport: String?
    /// `http`: the OpenLineage endpoint (`http://marquez:5000`, or a URL with its own path).
    public var endpoint: String?
    /// `file`: the JSON-lines file events are appended to (relative to floe.yaml's directory).
    public var file: String?
    /// The jobs' namespace.
    public var namespace: String
    /// `http`: the API key sent as `Authorization: Bearer`, a secret reference. Since 2.5.
    public var apiKey: SecretReference?
    /// `http`: `gzip` compresses each request's body; absent sends it plain. Since 2.5.
    public var compression: String?
    /// `http`: seconds one request may take before it is retried (default 5). Since 2.5.
    public var timeoutSeconds: Double?

    public init(transport: String? = nil, endpoint: String? = nil, file: String? = nil, namespace: String,
                apiKey: SecretReference? = nil, compression: String? = nil, timeoutSeconds: Double? = nil) {
        self.transport = transport
        self.endpoint = endpoint
        self.file = file
        self.namespace = namespace
        self.apiKey = apiKey
        self.compression = compression
        self.timeoutSeconds = timeoutSeconds
    }

    enum CodingKeys: String, CodingKey {
        case transport, endpoint, file, namespace, compression
        case apiKey = "api_key"
        case timeoutSeconds = "timeout_seconds"
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
