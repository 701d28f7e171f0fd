import FloeContract
import Foundation

/// What one apply did, node by node: written as `floe_run_results.json` beside the plan, printed by
/// `--format json`, and recorded in `_floe_runs`/`_floe_run_nodes`. Shaped after dbt's file.
public struct RunResults: Codable, Sendable {
    public var metadata: Metadata
    public var elapsedTime: Double
    public var results: [NodeResult]
    /// Set when the run was cancelled (`SIGINT`, `SIGTERM`, `request`): `results` hold what ran.
    public var cancelledBy: String?
    /// The run's totals (since v3): what the OTLP metrics of a run carry too.
    public var metrics: RunMetrics?

    public static let schemaVersion = "https://floe.dev/schemas/run-results/v3.json"

    public struct Metadata: Codable, Sendable {
        /// This file's layout; changes to it bump the version (docs/apply.md, "floe_run_results.json").
        public var schemaVersion = RunResults.schemaVersion
        public var floeVersion: String
        public var invocationID: String
        public var command: String
        public var product: String
        public var environment: String
        public var namespace: String
        public var engine: String
        public var startedAt: String
        public var completedAt: String

        enum CodingKeys: String, CodingKey {
            case schemaVersion = "schema_version"
            case floeVersion = "floe_version"
            case invocationID = "invocation_id"
            case startedAt = "started_at"
            case completedAt = "completed_at"
            case command, product, environment, namespace, engine
        }
    }

    enum CodingKeys: String, CodingKey {
        case elapsedTime = "elapsed_time"
        case cancelledBy = "cancelled_by"
        case metadata, results, metrics
    }

    /// True when the run was not cancelled, no node errored and no error-severity test failed.
    public var success: Bool {
        cancelledBy == nil && !results.contains { $0.status == .error || $0.status == .fail || $0.status == .cancelled }
    }

    public struct Counts: Sendable, Equatable {
        public var built = 0, upToDate = 0, errors = 0, skipped = 0, passed = 0, warned = 0, failed = 0, cancelled = 0
    }

    public var counts: Counts {
        var counts = Counts()
        for result in results {
            switch result.status {
            // A run hook that ran is not a node built; one that failed is an error like any.
            case .success where result.resourceType == .operation: continue
            case .success: counts.built += 1
            case .upToDate: counts.upToDate += 1
            case .error: counts.errors += 1
            case .skipped: counts.skipped += 1
            case .pass: counts.passed += 1
            case .warn: counts.warned += 1
            case .fail: counts.failed += 1
            case .cancelled: counts.cancelled += 1
            }
        }
        return counts
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// A run's totals: nodes by status, rows written, statements sent, and the nodes' summed time
/// (more than the run's when nodes ran side by side).
public struct RunMetrics: Codable, Sendable, Equatable {
    public var nodesByStatus: [String: Int]
    public var rowsAffected: Int
    public var statements: Int
    public var nodeSeconds: Double

    public init(_ results: [NodeResult]) {
        nodesByStatus = Dictionary(grouping: results, by: \.status.rawValue).mapValues(\.count)
        rowsAffected = results.compactMap(\.rowsAffected).reduce(0, +)
        statements = results.compactMap(\.statements).reduce(0, +)
        nodeSeconds = (results.map(\.executionTime).reduce(0, +) * 1000).rounded() / 1000
    }

    enum CodingKeys: String, CodingKey {
        case nodesByStatus = "nodes_by_status"
        case rowsAffected = "rows_affected"
        case nodeSeconds = "node_seconds"
        case statements
    }
}

/// One node's outcome.
public struct NodeResult: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Built (models, seeds, synthetic tables).
        case success
        /// Skipped because its fingerprint and upstream are unchanged and its table exists.
        case upToDate = "up_to_date"
        case error
        /// Not run because something upstream failed.
        case skipped
        /// Tests.
        case pass, warn, fail
        /// Running when the run was cancelled; its transaction rolled back.
        case cancelled
    }

    public enum ResourceType: String, Codable, Sendable {
        case synthetic, seed, model, test
        /// A dbt snapshot: a model materialized as `snapshot`.
        case snapshot
        /// An `on-run-start`/`on-run-end` statement (dbt's name for them).
        case operation
    }

    public var uniqueID: String
    public var name: String
    public var resourceType: ResourceType
    public var status: Status
    public var relation: String?
    public var materialized: String?
    public var startedAt: String?
    public var executionTime: Double
    public var rowsAffected: Int?
    /// Tests: the number of failing rows.
    public var failures: Int?
    public var message: String?
    /// The node's file, relative to the directory of floe.yaml (models, seeds).
    public var path: String?
    /// The SELECT the node ran (dbt's `compiled_code`): models and tests that ran.
    public var compiledCode: String?
    /// The statement that failed, as sent to the engine, when one did.
    public var failedSQL: String?
    /// The line of `failedSQL` the engine named, when it named one.
    public var failedSQLLine: Int?
    /// The worker that ran it (dbt's `thread_id`).
    public var threadID: String?
    /// When it ran (dbt's `timing`): one `execute` step for nodes that ran.
    public var timing: [Timing] = []
    /// Synthetic tables: the defects the load injected (`quality:`).
    public var injected: InjectedDefects?
    /// How many statements its build or test sent to the engine (since v3).
    public var statements: Int?
    /// The built relation's columns as the engine reports them, when the run was asked to read
    /// them (``ApplyOptions/readsOutputSchemas``). Not written to floe_run_results.json.
    public var outputColumns: [ColumnSpec]? = nil

    public struct Timing: Codable, Sendable {
        public var name: String
        public var startedAt: String
        public var completedAt: String

        enum CodingKeys: String, CodingKey {
            case startedAt = "started_at"
            case completedAt = "completed_at"
            case name
        }
    }

    enum CodingKeys: String, CodingKey {
        case uniqueID = "unique_id"
        case resourceType = "resource_type"
        case startedAt = "started_at"
        case executionTime = "execution_time"
        case rowsAffected = "rows_affected"
        case compiledCode = "compiled_code"
        case failedSQL = "failed_sql"
        case failedSQLLine = "failed_sql_line"
        case threadID = "thread_id"
        case name, status, relation, materialized, failures, message, path, timing, injected, statements
    }
}
