import FloeConnect
import Foundation

/// How `floe apply`, `floe run` and `floe test` run a plan.
public struct ApplyOptions: Sendable {
    public enum Mode: String, Sendable {
        /// Synthetic data, seeds, models and snapshots, then tests (`apply`).
        case build
        /// As `build`, without snapshots (`run`, as dbt's `run` leaves them to `snapshot`).
        case run
        /// Only the snapshots, and the synthetic tables they read (`snapshot`).
        case snapshot
        /// Only the data tests (`test`).
        case test
        /// dbt's `build`: seeds, models and tests in one graph; a test runs as soon as what it
        /// tests is built, and a failing one skips everything downstream.
        case buildWithTests
        /// Only the seeds (`seed`).
        case seed

        /// Whether models (and the synthetic tables they read) are built in this mode.
        var buildsModels: Bool { self == .build || self == .run || self == .buildWithTests || self == .snapshot }
    }

    public var mode: Mode
    /// dbt selection syntax; empty = everything.
    public var select: [String]
    public var exclude: [String]
    /// Which tests of the selected nodes run without being selected themselves.
    public var indirectSelection: IndirectSelection = .eager
    /// Rebuild every selected node, incremental models from scratch, ignoring recorded state.
    public var fullRefresh: Bool
    /// Worker threads; nil = the compute profile's `threads`, else 4.
    public var threads: Int?
    /// The directory of floe.yaml: seeds and a relative SQLite `path` are found from here.
    public var projectDirectory: String
    /// The process environment: secrets, `FLOE_SECRETS_MOUNT`, `FLOE_DEMO_SEED_SCALE`.
    public var environment: [String: String]
    /// How long to wait for another apply's lock on the namespace before refusing.
    public var lockTimeout: Double
    /// The command recorded in run history and run results.
    public var command: String
    /// Stop the run at the first node error or failing test (dbt's `--fail-fast`).
    public var failFast: Bool
    /// Where each model's SQL is written (`compiled/`, `run/`), as dbt's `target/`; nil writes none.
    public var targetDirectory: String?
    /// Append one batch of new rows to the synthetic tables instead of loading them (live demo
    /// mode, floe.yaml's `demo:`).
    public var batch: Bool
    /// When the run starts, as retention's cut-off and the synthetic rows' `loaded_at` see it;
    /// nil is the clock's time. Set to replay a live demo's hours in seconds.
    public var now: Date?
    /// The slot of `floe schedule` this run is for (told to observers as its nominal start).
    public var scheduledFor: Date?
    /// Read each built relation's columns back from the engine into ``NodeResult/outputColumns``
    /// (for lineage's schema facet); off, a run sends no extra query.
    public var readsOutputSchemas = false

    public init(
        mode: Mode = .build, select: [String] = [], exclude: [String] = [], fullRefresh: Bool = false,
        threads: Int? = nil, projectDirectory: String, environment: [String: String],
        lockTimeout: Double = 0, command: String = "apply", failFast: Bool = false, targetDirectory: String? = nil,
        batch: Bool = false, now: Date? = nil
    ) {
        self.now = now
        self.batch = batch
        self.failFast = failFast
        self.targetDirectory = targetDirectory
        self.mode = mode
        self.select = select
        self.exclude = exclude
        self.fullRefresh = fullRefresh
        self.threads = threads
        self.projectDirectory = projectDirectory
        self.environment = environment
        self.lockTimeout = lockTimeout
        self.command = command
    }
}

/// Told about each node as it starts and finishes, from worker threads (one call at a time).
public protocol ApplyObserver: AnyObject, Sendable {
    func began(_ description: String)
    /// `id` is the node's unique id, `name` the one people read.
    func started(_ name: String, id: String, type: NodeResult.ResourceType, index: Int, total: Int)
    func finished(_ result: NodeResult, index: Int, total: Int)
    /// Something the user should know that does not stop the run (a selector matching nothing).
    func warned(_ message: String)

    /// A run begins, before anything is checked or locked. `runID` is its results'
    /// `invocation_id`; `nominalStart` is when a scheduled run (a demo cycle) was due.
    func runStarting(runID: String, command: String, at start: Date, nominalStart: Date?)
    /// The run ended (whatever its nodes did) with these results.
    func runEnded(_ results: RunResults)
    /// The run stopped before it ran anything: an invalid plan, a held lock, an unreachable engine.
    func runRefused(_ error: ExecutorError)
    /// A phase of the run begins or ends: `on-run-start`, `synthetic`, `build`, `tests`, `on-run-end`.
    func phase(_ name: String, began: Bool)
}

extension ApplyObserver {
    public func warned(_ message: String) {}
    public func runStarting(runID: String, command: String, at start: Date, nominalStart: Date?) {}
    public func runEnded(_ results: RunResults) {}
    public func runRefused(_ error: ExecutorError) {}
    public func phase(_ name: String, began: Bool) {}
}
