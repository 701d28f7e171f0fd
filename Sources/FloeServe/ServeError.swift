/// Why `floe serve` cannot start or go on serving a plan.
public struct ServeError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The plan cannot be read or used (exit 4).
        case plan
        /// The API secret cannot be resolved (exit 5).
        case secret
        /// The address cannot be listened on (exit 1).
        case listen
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
