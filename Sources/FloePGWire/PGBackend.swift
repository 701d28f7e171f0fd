import NIOCore

/// What the wire protocol server asks of the application behind it: how a user authenticates,
/// and a session for each connection that passed.
public protocol PGBackend: Sendable {
    /// How `user` proves who they are; a ``PGError`` (28000) refuses them at once.
    func authentication(user: String, database: String) throws(PGError) -> PGAuthentication
    /// The session of a user who authenticated. `password` is the cleartext password when
    /// ``PGAuthentication/cleartext`` was asked for (the backend checks it), nil when the
    /// server verified a known password itself.
    func open(user: String, database: String, password: String?, parameters: [String: String]) async throws(PGError) -> any PGSession
}

/// One client connection's session: its statements, run one at a time.
public protocol PGSession: AnyObject, Sendable {
    /// ParameterStatus values sent after authentication (`server_version`, `TimeZone`, …).
    var parameterStatus: [(name: String, value: String)] { get }
    /// The statements of a query text (one for the extended protocol, any number for a simple
    /// `Query`), prepared: their parameters and result columns are known before they run.
    /// `parameterTypes` are the types the client gave (0: unspecified).
    func prepare(_ text: String, parameterTypes: [UInt32]) throws(PGError) -> [PGStatement]
    /// Interrupts the statement running now, if any (a `CancelRequest`).
    func cancel()
    /// The connection closed.
    func close()
}

/// A prepared statement.
public struct PGStatement: Sendable {
    /// What a transaction statement does to the session's transaction state.
    public enum TransactionEffect: Sendable {
        case begin, commit, rollback
        /// `ROLLBACK TO SAVEPOINT`: a failed transaction goes on.
        case rollbackToSavepoint
    }

    public var parameterTypes: [PGType]
    /// The result's columns; empty for a command without rows.
    public var columns: [PGColumn]
    public var transaction: TransactionEffect?
    public var run: @Sendable (_ parameters: [String?]) async throws(PGError) -> PGResult

    public init(parameterTypes: [PGType] = [], columns: [PGColumn], transaction: TransactionEffect? = nil,
                run: @escaping @Sendable ([String?]) async throws(PGError) -> PGResult) {
        self.parameterTypes = parameterTypes
        self.columns = columns
        self.transaction = transaction
        self.run = run
    }

    /// A statement that answers with a fixed result.
    public static func answer(_ columns: [PGColumn], rows: [[String?]], tag: String? = nil, transaction: TransactionEffect? = nil) -> PGStatement {
        PGStatement(columns: columns, transaction: transaction) { _ in PGResult(rows: rows, tag: tag ?? "SELECT \(rows.count)") }
    }
}

/// A statement's answer: its rows, every value as text (nil is NULL), and its command tag.
public struct PGResult: Sendable {
    public var rows: [[String?]]
    public var tag: String

    public init(rows: [[String?]], tag: String) {
        self.rows = rows
        self.tag = tag
    }
}
