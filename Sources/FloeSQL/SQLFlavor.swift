/// Which engine's SQL a text is written in, where their lexical rules differ: SQLite and Spark
/// quote identifiers with backticks too, where PostgreSQL takes a backtick for an operator.
public struct SQLFlavor: Sendable, Equatable {
    public var backtickIdentifiers: Bool

    public init(backtickIdentifiers: Bool) {
        self.backtickIdentifiers = backtickIdentifiers
    }

    public static let postgres = SQLFlavor(backtickIdentifiers: false)
    public static let sqlite = SQLFlavor(backtickIdentifiers: true)
    public static let spark = SQLFlavor(backtickIdentifiers: true)

}
