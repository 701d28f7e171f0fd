import FloeContract
import FloeEngine

/// Builds a relation under a temporary name and swaps it in, inside the caller's write
/// transaction: until the commit, readers see the previous table, and a failed or killed build
/// leaves it untouched.
struct TableSwap {
    static let suffix = "__floe_tmp"

    let connection: any EngineConnection
    let dialect: any SQLDialect

    /// Builds the new content with `build` (given the temporary relation), then replaces `relation`.
    func replace(_ relation: Relation, build: (Relation) throws -> Void) throws {
        let temporary = Relation(schema: relation.schema, name: relation.name + Self.suffix)
        if let leftover = try connection.relationKind(temporary) {
            try connection.execute(dialect.drop(temporary, kind: leftover))
        }
        try build(temporary)
        if let existing = try connection.relationKind(relation) {
            try connection.execute(dialect.drop(relation, kind: existing))
        }
        try connection.execute(dialect.rename(temporary, kind: .table, to: relation.name))
    }
}
