import FloeContract
import FloeEngine

/// Builds a relation under a temporary name and swaps it in, inside the caller's write
/// transaction: until the commit, readers see the previous table, and a failed or killed build
/// leaves it untouched.
struct TableSwap {
    static let suffix = "__floe_tmp"

    let connection: any EngineConnection
    let dialect: any SQLDialect

    /// Builds the new content with `build` (given the temporary relation), then replaces
    /// `relation`; `retire`, when given, takes the old one away instead of a drop (a snapshot).
    func replace(_ relation: Relation, retire: (() throws -> Void)? = nil, build: (Relation) throws -> Void) throws {
        let temporary = relation.suffixed(Self.suffix, for: dialect)
        try connection.dropIfExists(temporary, dialect: dialect)
        try build(temporary)
        try retire?()
        try connection.dropIfExists(relation, dialect: dialect)
        try connection.execute(dialect.rename(temporary, kind: .table, to: relation.name))
    }

    /// Replaces `relation` with a table of typed `columns` holding `rows` (seeds, synthetic data).
    /// Returns the number of rows inserted.
    func load(_ relation: Relation, columns: [ColumnSpec], rows: some Sequence<[SQLValue]>) throws -> Int {
        var inserted = 0
        try replace(relation) { temporary in
            try connection.execute(dialect.createTable(temporary, columns: columns))
            inserted = try connection.insert(into: temporary, columns: columns.map(\.name), rows: rows)
        }
        return inserted
    }
}

extension EngineConnection {
    /// Drops `relation`, whichever kind it is, when it exists.
    func dropIfExists(_ relation: Relation, dialect: any SQLDialect) throws {
        if let kind = try relationKind(relation) { try execute(dialect.drop(relation, kind: kind)) }
    }

    /// Deletes the rows of `relation` where `predicate` is true; returns how many went. Where the
    /// engine has no DELETE (Spark's file tables) they are counted first, and the table is
    /// written again only when some go.
    @discardableResult
    func deleteRows(from relation: Relation, where predicate: String, dialect: any SQLDialect) throws -> Int {
        let statements = dialect.deleteRows(from: relation, where: predicate)
        if dialect.rowLevelChanges, statements.count == 1 { return try execute(statements[0]) }
        let deleted = try count("select count(*) from \(dialect.relation(relation)) where \(predicate)")
        if deleted > 0 { for statement in statements { try execute(statement) } }
        return deleted
    }

    /// The first column of the first row of a `count(*)` (or a test's `fail_calc`) query.
    func count(_ sql: String) throws -> Int {
        switch try query(sql).rows.first?.first {
        case .integer(let count)?: Int(count)
        case .real(let count)?: Int(count)
        // PostgreSQL's numeric (a sum) arrives as text.
        case .text(let text)?: Double(text.trimmingCharacters(in: .whitespaces)).map { Int($0) } ?? 0
        default: 0
        }
    }
}
