/// A failure reported by an engine: the database's own message, and the statement when there was one.
/// Never carries a secret value: connection errors name the host and the secret reference, not the password.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The engine could not be reached or opened (exit 6).
        case unreachable
        /// A statement failed.
        case statement
        /// Another apply holds the namespace's lock.
        case locked
        /// The warehouse is not in a state floe can work with (a file of another namespace, …).
        case state
    }

    public var kind: Kind
    public var message: String
    public var sql: String?

    public init(_ kind: Kind, _ message: String, sql: String? = nil) {
        self.kind = kind
        self.message = message
        self.sql = sql
    }

    public var description: String { message }
}
