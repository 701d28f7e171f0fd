import FloeContract
import FloeEngine

/// Writes generated synthetic tables into the namespace, each swapped in whole.
struct SyntheticLoader {
    let connection: any EngineConnection
    let dialect: any SQLDialect

    @discardableResult
    func load(_ table: SyntheticGenerator.Table, into relation: Relation) throws -> Int {
        let definition = table.columns
            .map { "\(dialect.quoteIdentifier($0.name)) \(dialect.typeName(for: $0.kind))" }
            .joined(separator: ", ")
        var inserted = 0
        try TableSwap(connection: connection, dialect: dialect).replace(relation) { temporary in
            try connection.execute("create table \(dialect.relation(temporary)) (\(definition))")
            inserted = try connection.insert(into: temporary, columns: table.columns.map(\.name), rows: table.rows)
        }
        return inserted
    }
}
