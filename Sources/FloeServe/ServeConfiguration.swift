import Foundation

/// What `floe serve` listens on and answers from.
public struct ServeConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The plan file; a newer file is picked up without a restart.
    public var planPath: String
    /// The directory of floe.yaml (anchors a relative SQLite path).
    public var projectDirectory: String
    /// The process environment: secrets are resolved from it.
    public var environment: [String: String]
    /// The floe environment served (`dev`): a plan file compiled for another one is not loaded.
    /// nil: the first plan's.
    public var environmentName: String?
    /// The longest a request may take, from its arrival to its answer, connecting to the warehouse
    /// included: past it the query is interrupted and the answer is 504.
    public var queryTimeout: Double
    /// How long a stopping server lets running requests finish before it interrupts them.
    public var drainTimeout: Double
    /// How long a `/load` waits for its answer before it is answered "Continue wait" (Cube's
    /// clients then ask again) while its query goes on.
    public var continueWait: Double
    /// The SQL API's port (`--sql-port`; 0 picks a free one); nil: platform.yaml's
    /// `semantic.sql_api.port`, and no SQL API when that is absent too.
    public var sqlPort: Int?
    /// `--otlp`: the OTLP collector for the server's spans, or `off`; nil: OpenTelemetry's
    /// environment variables, then platform.yaml's `observability.otlp`.
    public var otlp: String?

    public static let defaultQueryTimeout = 30.0
    public static let defaultDrainTimeout = 5.0
    /// Cube's own default.
    public static let defaultContinueWait = 5.0

    public init(host: String, port: Int, planPath: String, projectDirectory: String, environment: [String: String],
                environmentName: String? = nil, queryTimeout: Double = ServeConfiguration.defaultQueryTimeout,
                drainTimeout: Double = ServeConfiguration.defaultDrainTimeout, continueWait: Double = ServeConfiguration.defaultContinueWait,
                sqlPort: Int? = nil, otlp: String? = nil) {
        self.otlp = otlp
        self.continueWait = continueWait
        self.sqlPort = sqlPort
        self.environmentName = environmentName
        self.host = host
        self.port = port
        self.planPath = planPath
        self.projectDirectory = projectDirectory
        self.environment = environment
        self.queryTimeout = queryTimeout
        self.drainTimeout = drainTimeout
    }
}
