import FloeConnect
import FloeContract
import FloeEngine

/// Before a contracted model is built, the engine is asked what its SELECT returns and what the
/// contract's types are (dbt's `assert_columns_equivalent`): the columns must match by name and
/// number, and by type where the engine can tell. Where views may read any schema, both are
/// described through a view beside the model (created and dropped in the build's transaction);
/// elsewhere (SQLite, whose expression columns have no type) by the names a query returns.
struct ContractCheck {
    let connection: any EngineConnection
    let dialect: any SQLDialect

    func verify(_ model: CompiledModel, select: String) throws {
        guard let contract = model.contract else { return }
        let found: [(name: String, type: String?)]
        var declaredTypes: [String: String] = [:]
        if dialect.viewsReadOtherSchemas {
            found = try describe(select, beside: model.relation).map { ($0.name, $0.type) }
            let declared = contract.columns.map { "cast(null as \($0.dataType)) as \(dialect.quoteIdentifier($0.name))" }
            for column in try describe("select " + declared.joined(separator: ", "), beside: model.relation) {
                if let type = column.type { declaredTypes[column.name] = type }
            }
        } else {
            found = try connection.query("select * from (\n\(select)\n) as floe_contract", limit: 0).columns.map { ($0, nil) }
        }
        let mismatches = contract.mismatches(found, declaredTypes: declaredTypes)
        guard mismatches.isEmpty else {
            throw ExecutorError(.build, ModelContract.describe(mismatches, model: model.name), node: model.uniqueID, sql: select)
        }
    }

    /// Where the engine's table does not enforce `not null` (``SQLDialect/notNullCheckedByQuery``):
    /// the contracted table built under `temporary` must hold no NULL in a `not_null` column.
    func verifyNotNull(_ model: CompiledModel, in temporary: Relation) throws {
        guard dialect.notNullCheckedByQuery, let contract = model.contract else { return }
        let columns = contract.columns.map(\.name).filter { name in
            contract.constraints.contains { $0.type == .notNull && $0.columns.contains(name) }
        }
        for column in columns {
            let sql = "select count(*) from \(dialect.relation(temporary)) where \(dialect.quoteIdentifier(column)) is null"
            let nulls = try connection.count(sql)
            guard nulls == 0 else {
                throw ExecutorError(.build, "model '\(model.name)' breaks its contract: column \(column) is null in \(nulls) row\(nulls == 1 ? "" : "s"), "
                    + "which its not_null constraint refuses", node: model.uniqueID, sql: sql)
            }
        }
    }

    /// The columns, with the engine's types, of a view of `select` made beside `relation`.
    private func describe(_ select: String, beside relation: Relation) throws -> [ColumnSpec] {
        let view = relation.suffixed("__floe_contract", for: dialect)
        try connection.dropIfExists(view, dialect: dialect)
        try connection.execute(dialect.createView(view, as: select))
        let columns = try connection.columns(of: view)
        try connection.execute(dialect.drop(view, kind: .view))
        return columns
    }
}
