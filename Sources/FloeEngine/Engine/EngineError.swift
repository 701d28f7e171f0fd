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
    /// Where in `sql` the engine says the error is, as a UTF-8 byte offset, when it says.
    public var position: Int?

    public init(_ kind: Kind, _ message: String, sql: String? = nil, position: Int? = nil) {
        self.kind = kind
        self.message = message
        self.sql = sql
        self.position = position
    }

    /// The 1-based line of `sql` the error is on: where ``position`` falls, else the first line
    /// holding the name the message names (`no such column: x`, `column "x" does not exist`,
    /// `near "x"`), as SQLite reports a view's missing column only when the view is read.
    public var line: Int? {
        guard let sql else { return nil }
        if let position, position >= 0 {
            return sql.utf8.prefix(position).reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        }
        guard let name = Self.namedToken(in: message) else { return nil }
        return sql.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(name) }.map { $0 + 1 }
    }

    /// The name an engine's message puts at fault, if it names one.
    static func namedToken(in message: String) -> String? {
        for prefix in ["no such column: ", "no such table: ", "no such function: "] {
            if let range = message.range(of: prefix) {
                let name = message[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," && $0 != ";" && $0 != ")" }
                return name.isEmpty ? nil : String(name)
            }
        }
        for prefix in ["near \"", "column \"", "relation \""] {
            if let range = message.range(of: prefix), let end = message[range.upperBound...].firstIndex(of: "\"") {
                let name = message[range.upperBound..<end]
                return name.isEmpty ? nil : String(name)
            }
        }
        return nil
    }

    public var description: String { message }
}
