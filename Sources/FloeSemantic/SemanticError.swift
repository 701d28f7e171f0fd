/// Every failure of the semantic layer: what kind it is (which decides the HTTP status and the
/// exit code), the message a user reads, and the SQL that failed when an engine refused it.
/// Messages never carry internals beyond that SQL, and never a secret.
public struct SemanticError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The query is wrong: an unknown member, a bad operator or value (HTTP 400, exit 2).
        case badQuery
        /// Not allowed: no token, a bad or expired one, a member the policy hides (HTTP 403, exit 2).
        case forbidden
        /// The warehouse failed or is not built (HTTP 500 with only this message, exit 6).
        case engine
        /// The warehouse could not be reached: refused, closed or gone (HTTP 503, exit 6).
        case unreachable
    }

    public var kind: Kind
    public var message: String
    public var sql: String?
    /// The SQLSTATE the SQL API answers with, when the failure is one PostgreSQL has a code for
    /// (`42703` for a column that does not exist); nil: the kind's.
    public var sqlState: String?

    public init(_ kind: Kind, _ message: String, sql: String? = nil, sqlState: String? = nil) {
        self.kind = kind
        self.message = message
        self.sql = sql
        self.sqlState = sqlState
    }

    static func badQuery(_ message: String) -> SemanticError { SemanticError(.badQuery, message) }

    public var description: String { message }
}
