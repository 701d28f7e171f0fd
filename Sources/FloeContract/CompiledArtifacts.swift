/// The plan `floe compile` writes and `floe apply`, `floe serve` and `floe query` read.
/// Nothing else of the user's files crosses that boundary, and it never holds a secret value.
public struct CompiledArtifacts: Codable, Sendable, Equatable {
    /// Bump per docs/contract.md: major for anything an older reader could misread, minor for added fields.
    public static let currentVersion = ContractVersion(major: 2, minor: 5, patch: 0)

    public var version: ContractVersion
    public var metadata: ArtifactMetadata
    public var product: ProductInfo
    public var environment: ResolvedEnvironment
    public var profiles: ResolvedProfiles
    public var observability: ObservabilitySettings
    public var secrets: SecretSettings
    /// Where the query API's signing secret lives; nil when the platform configures none.
    public var semantic: SemanticSettings?
    public var transforms: [TransformSource]
    public var synthetic: [SyntheticTable]
    public var seeds: [CompiledSeed]
    public var sources: [CompiledSource]
    public var models: [CompiledModel]
    public var tests: [CompiledTest]
    /// Since 1.2: the semantic layer's cubes, sorted by name; nil when the product has none.
    public var cubes: [CompiledCube]?
    /// Since 1.3: Cube views over the cubes, sorted by name; nil when the product has none.
    public var views: [CompiledView]?
    /// Since 2.0: the templates of the models rendered at apply time, and the macros and context
    /// they render with; nil when every model was rendered at compile.
    public var templates: TemplateLibrary?
    /// Since 2.0: `on-run-start`/`on-run-end`; nil when the project has none.
    public var hooks: RunHooks?
    /// Since 2.0: the project's exposures, sorted by unique id; nil when it has none.
    public var exposures: [CompiledExposure]?
    /// Since 2.0: the project's analyses, compiled and never run; nil when it has none.
    public var analyses: [CompiledAnalysis]?

    public init(
        version: ContractVersion = CompiledArtifacts.currentVersion,
        metadata: ArtifactMetadata,
        product: ProductInfo,
        environment: ResolvedEnvironment,
        profiles: ResolvedProfiles,
        observability: ObservabilitySettings,
        secrets: SecretSettings,
        semantic: SemanticSettings?,
        transforms: [TransformSource],
        synthetic: [SyntheticTable] = [],
        seeds: [CompiledSeed] = [],
        sources: [CompiledSource] = [],
        models: [CompiledModel] = [],
        tests: [CompiledTest] = [],
        cubes: [CompiledCube]? = nil,
        views: [CompiledView]? = nil,
        templates: TemplateLibrary? = nil,
        hooks: RunHooks? = nil,
        exposures: [CompiledExposure]? = nil,
        analyses: [CompiledAnalysis]? = nil
    ) {
        self.analyses = analyses
        self.exposures = exposures
        self.templates = templates
        self.hooks = hooks
        self.cubes = cubes
        self.views = views
        self.version = version
        self.metadata = metadata
        self.product = product
        self.environment = environment
        self.profiles = profiles
        self.observability = observability
        self.secrets = secrets
        self.semantic = semantic
        self.transforms = transforms
        self.synthetic = synthetic
        self.seeds = seeds
        self.sources = sources
        self.models = models
        self.tests = tests
    }

    /// Every secret reference the plan uses, each once, in a stable order.
    public var secretReferences: [SecretReference] {
        var seen = Set<SecretReference>()
        var all = profiles.compute.secretReferences + profiles.storage.secretReferences
            + profiles.catalog.secretReferences
        if let secret = semantic?.apiSecret { all.append(secret) }
        if let sql = semantic?.sqlAPI {
            all += sql.users.map(\.password)
            all += [sql.tlsCertificate, sql.tlsKey].compactMap { $0 }
        }
        return all.filter { seen.insert($0).inserted }
    }
}

/// Facts about the compile itself: which tool, when, and from exactly which inputs.
public struct ArtifactMetadata: Codable, Sendable, Equatable {
    public var tool: String
    public var toolVersion: String
    /// ISO 8601 UTC; from `SOURCE_DATE_EPOCH` when set, so rebuilds are reproducible.
    public var compiledAt: String
    /// Every file the plan was compiled from, sorted by path.
    public var inputs: [InputFile]
    /// SHA-256 over the sorted `path:sha256` lines of `inputs`: one value that changes when any input does.
    public var inputsSHA256: String

    public init(tool: String, toolVersion: String, compiledAt: String, inputs: [InputFile], inputsSHA256: String) {
        self.tool = tool
        self.toolVersion = toolVersion
        self.compiledAt = compiledAt
        self.inputs = inputs
        self.inputsSHA256 = inputsSHA256
    }

    enum CodingKeys: String, CodingKey {
        case tool
        case toolVersion = "tool_version"
        case compiledAt = "compiled_at"
        case inputs
        case inputsSHA256 = "inputs_sha256"
    }
}

/// One input file: its path relative to the directory of floe.yaml, and the SHA-256 of its bytes.
public struct InputFile: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String

    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// The data product as the data team described it in floe.yaml.
public struct ProductInfo: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var description: String?
    public var owner: String?
    public var vars: [String: ConfigValue]
    public var schedule: Schedule?
    public var retention: Retention?
    /// Since 1.1: live demo mode (`floe demo`, `floe apply --batch`).
    public var demo: DemoSettings?
    /// Since 1.1: how many earlier versions of each table and incremental model to keep.
    public var snapshots: SnapshotSettings?

    public init(
        name: String, version: String, description: String? = nil, owner: String? = nil,
        vars: [String: ConfigValue] = [:], schedule: Schedule? = nil, retention: Retention? = nil, demo: DemoSettings? = nil,
        snapshots: SnapshotSettings? = nil
    ) {
        self.demo = demo
        self.snapshots = snapshots
        self.name = name
        self.version = version
        self.description = description
        self.owner = owner
        self.vars = vars
        self.schedule = schedule
        self.retention = retention
    }
}

/// When the product should run: a five-field cron expression in a time zone.
public struct Schedule: Codable, Sendable, Equatable {
    public var cron: String
    public var timezone: String

    public init(cron: String, timezone: String) {
        self.cron = cron
        self.timezone = timezone
    }
}

/// `snapshots: {keep: N}`: each rebuild of a table or incremental model keeps the version it
/// replaces, the last `keep` of them (seed 000's figure is 6).
public struct SnapshotSettings: Codable, Sendable, Equatable {
    public var keep: Int

    public init(keep: Int) {
        self.keep = keep
    }
}

/// Live demo mode (seed 001's DemoConfig): new batches of synthetic rows on a schedule.
public struct DemoSettings: Codable, Sendable, Equatable {
    /// When `floe demo` makes a batch: a five-field cron expression, UTC.
    public var cron: String
    /// New rows per synthetic table per batch (before duplicates).
    public var batchSize: Int
    /// The defects injected into batches; nil: each table's own `quality`.
    public var dataQuality: DataQualityDefects?
    /// Burst mode: batches back to back at this many rows a second, instead of on the schedule.
    public var burstRecordsPerSecond: Int?

    public init(cron: String = "*/5 * * * *", batchSize: Int = 100, dataQuality: DataQualityDefects? = nil,
                burstRecordsPerSecond: Int? = nil) {
        self.cron = cron
        self.batchSize = batchSize
        self.dataQuality = dataQuality
        self.burstRecordsPerSecond = burstRecordsPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case batchSize = "batch_size"
        case dataQuality = "data_quality"
        case burstRecordsPerSecond = "burst_records_per_second"
        case cron
    }
}

/// How long rows are kept: rows whose `column` is older than `maxAge` are deleted after each apply.
public struct Retention: Codable, Sendable, Equatable {
    /// A duration such as `1h`, `7d` or `30m`.
    public var maxAge: String
    public var column: String

    public init(maxAge: String, column: String) {
        self.maxAge = maxAge
        self.column = column
    }

    enum CodingKeys: String, CodingKey {
        case maxAge = "max_age"
        case column
    }
}

/// The environment the plan was compiled for and the namespace its tables live in.
public struct ResolvedEnvironment: Codable, Sendable, Equatable {
    public var name: String
    /// Placeholders already substituted (`floe-test-{uuid}` → `floe-test-5f0c…`).
    public var namespace: String

    public init(name: String, namespace: String) {
        self.name = name
        self.namespace = namespace
    }
}

/// A source of transformations; today only dbt projects.
public struct TransformSource: Codable, Sendable, Equatable {
    public var type: String
    /// Relative to the directory of floe.yaml.
    public var path: String

    public init(type: String, path: String) {
        self.type = type
        self.path = path
    }
}

/// Where secrets are looked up at connect time.
public struct SecretSettings: Codable, Sendable, Equatable {
    public static let defaultMount = "/var/run/secrets/floe"

    /// The directory holding `<name>/<key>` files; `FLOE_SECRETS_MOUNT` overrides it at run time.
    public var mount: String

    public init(mount: String = SecretSettings.defaultMount) {
        self.mount = mount
    }
}

/// Settings of the semantic (query) API taken from platform.yaml.
public struct SemanticSettings: Codable, Sendable, Equatable {
    /// Signs and verifies the query API's JWTs.
    public var apiSecret: SecretReference?
    /// Since 2.4: the SQL API (PostgreSQL's wire protocol); nil when platform.yaml says nothing of it.
    public var sqlAPI: SQLAPISettings?

    public init(apiSecret: SecretReference?, sqlAPI: SQLAPISettings? = nil) {
        self.apiSecret = apiSecret
        self.sqlAPI = sqlAPI
    }

    enum CodingKeys: String, CodingKey {
        case apiSecret = "api_secret"
        case sqlAPI = "sql_api"
    }
}

/// Since 2.4: `semantic.sql_api` of platform.yaml: the port `floe serve` answers PostgreSQL
/// clients on, the users who log in with a password, and the certificate for TLS.
public struct SQLAPISettings: Codable, Sendable, Equatable {
    /// nil: only `floe serve --sql-port` starts the SQL API.
    public var port: Int?
    public var users: [SQLAPIUser]
    /// PEM certificate chain and private key: with both, clients may ask for TLS.
    public var tlsCertificate: SecretReference?
    public var tlsKey: SecretReference?

    public init(port: Int? = nil, users: [SQLAPIUser] = [], tlsCertificate: SecretReference? = nil, tlsKey: SecretReference? = nil) {
        self.port = port
        self.users = users
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
    }

    enum CodingKeys: String, CodingKey {
        case port, users
        case tlsCertificate = "tls_certificate"
        case tlsKey = "tls_key"
    }
}

/// A SQL API user: the name it logs in as, its password (a secret reference), how the password
/// is checked, and the security context (Cube's claims) its queries run with.
public struct SQLAPIUser: Codable, Sendable, Equatable {
    public var name: String
    public var password: SecretReference
    /// `scram-sha-256` (the default) or `md5`.
    public var passwordEncryption: String
    public var securityContext: [String: ConfigValue]
    /// Whether its queries may run as another user of the list with `WHERE __user = 'name'`
    /// (Cube's `canSwitchSqlUser`): a BI tool's service account acting for its viewers.
    public var canSwitchUser: Bool

    public init(name: String, password: SecretReference, passwordEncryption: String = "scram-sha-256", securityContext: [String: ConfigValue] = [:],
                canSwitchUser: Bool = false) {
        self.name = name
        self.password = password
        self.passwordEncryption = passwordEncryption
        self.securityContext = securityContext
        self.canSwitchUser = canSwitchUser
    }

    enum CodingKeys: String, CodingKey {
        case name, password
        case passwordEncryption = "password_encryption"
        case securityContext = "security_context"
        case canSwitchUser = "can_switch_user"
    }
}
