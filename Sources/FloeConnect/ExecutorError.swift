import FloeEngine

/// Every failure the executor reports, whichever part of it failed: what kind it is (which
/// decides the exit code, in one place: the CLI's `FloeExitCode(_: ExecutorError)`), the node it
/// concerns, the SQL that failed where there is one, and the message (the engine's own words
/// for an engine failure). Never holds a secret value.
public struct ExecutorError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// A secret reference cannot be resolved (exit 5).
        case secret
        /// The engine cannot be reached or opened, or this build has no adapter for it (exit 6).
        case unreachable
        /// Another apply holds the namespace (exit 1).
        case locked
        /// A bad `--select`/`--exclude` (exit 2).
        case selection
        /// Asked for something the plan cannot do (`--batch` without a `demo:` section) (exit 2).
        case usage
        /// The plan breaks its own rules (``PlanValidator``): edited by hand or damaged (exit 4).
        case invalidPlan
        /// `show`/`restore`: no such node, not built yet, no such snapshot (exit 1).
        case notFound
        /// The engine refused a statement (exit 1).
        case statement
        /// A node cannot be built as it is configured (a merge without a unique key, a schema
        /// change `on_schema_change: fail` refuses) (exit 1).
        case build
        /// The warehouse or a file is not as the plan needs it (a seed file edited after compile,
        /// a database of another namespace) (exit 1).
        case state
    }

    public var kind: Kind
    public var message: String
    /// The unique id or name of the node it concerns, when one.
    public var node: String?
    /// The statement that failed, when one.
    public var sql: String?

    public init(_ kind: Kind, _ message: String, node: String? = nil, sql: String? = nil) {
        self.kind = kind
        self.message = message
        self.node = node
        self.sql = sql
    }

    /// What a step threw, as the executor reports it: an engine's error keeps its kind and SQL;
    /// `hint` is added to a lock held by another apply.
    public init(_ error: any Error, node: String? = nil, hint: String? = nil) {
        switch error {
        case let error as ExecutorError:
            self = error
            if self.node == nil { self.node = node }
        case let error as EngineError:
            switch error.kind {
            case .unreachable: self.init(.unreachable, error.message, node: node)
            case .locked: self.init(.locked, error.message + (hint.map { "; \($0)" } ?? ""), node: node)
            case .statement: self.init(.statement, error.message, node: node, sql: error.sql)
            case .state: self.init(.state, error.message, node: node, sql: error.sql)
            }
        default:
            self.init(.state, "\(error)", node: node)
        }
    }

    public var description: String { message }
}
