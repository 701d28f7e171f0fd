import FloeContract

/// The DDL and DML of floe's materializations, in standard SQL that SQLite and PostgreSQL share.
/// An engine overrides what it spells differently (`rename`, `merge`).
extension SQLDialect {
    public func relation(_ relation: Relation) -> String {
        self.relation(schema: relation.schema, name: relation.name)
    }

    public func columnList(_ columns: [String]) -> String {
        columns.map(quoteIdentifier).joined(separator: ", ")
    }

    public func createTable(_ relation: Relation, as select: String) -> String {
        "create table \(self.relation(relation)) as\n\(select)"
    }

    public func createTable(_ relation: Relation, as select: String, partitionedBy columns: [String]) -> String {
        createTable(relation, as: select)
    }

    /// `create table` with the given columns; a column without a type gets `text`.
    public func createTable(_ relation: Relation, columns: [ColumnSpec]) -> String {
        let definitions = columns.map { "\(quoteIdentifier($0.name)) \($0.type ?? "text")" }
        return "create table \(self.relation(relation)) (\(definitions.joined(separator: ", ")))"
    }

    /// A contracted model's table: its columns in the contract's order with their declared types,
    /// and the constraints this engine enforces (``SQLDialect/enforcedConstraints``).
    public func createTable(_ relation: Relation, contract: ModelContract) -> String {
        let enforced = enforcedConstraints
        var lines = contract.columns.map { column in
            let notNull = enforced.contains(.notNull)
                && contract.constraints.contains { $0.type == .notNull && $0.columns.contains(column.name) }
            return "\(quoteIdentifier(column.name)) \(column.dataType)" + (notNull ? " not null" : "")
        }
        for constraint in contract.constraints where constraint.type != .notNull && enforced.contains(constraint.type) {
            let named = constraint.name.map { "constraint \(quoteIdentifier($0)) " } ?? ""
            switch constraint.type {
            case .unique: lines.append(named + "unique (\(columnList(constraint.columns)))")
            case .primaryKey: lines.append(named + "primary key (\(columnList(constraint.columns)))")
            case .check: lines.append(named + "check (\(constraint.expression ?? "true"))")
            case .foreignKey:
                lines.append(named + "foreign key (\(columnList(constraint.columns))) references \(constraint.expression ?? "")")
            case .notNull: break
            }
        }
        return "create table \(self.relation(relation)) (\n    \(lines.joined(separator: ",\n    "))\n)"
    }

    /// Fills a contracted model's table: the contract's columns, by name, from the model's SELECT.
    public func insertContracted(into target: Relation, columns: [String], select: String) -> String {
        let list = columnList(columns)
        return "insert into \(relation(target)) (\(list))\nselect \(list) from (\n\(select)\n) as floe_contract"
    }

    public func createView(_ relation: Relation, as select: String) -> String {
        "create view \(self.relation(relation)) as\n\(select)"
    }

    public func drop(_ relation: Relation, kind: RelationKind) -> String {
        "drop \(kind.rawValue) if exists \(self.relation(relation))"
    }

    public func rename(_ relation: Relation, kind: RelationKind, to name: String) -> String {
        "alter \(kind.rawValue) \(self.relation(relation)) rename to \(quoteIdentifier(name))"
    }

    public func insert(into target: Relation, from source: String, columns: [String]) -> String {
        let list = columnList(columns)
        return "insert into \(relation(target)) (\(list))\nselect \(list) from \(source)"
    }

    public func deleteRows(from relation: Relation, where predicate: String) -> [String] {
        ["delete from \(self.relation(relation)) where \(predicate)"]
    }

    public func deleteInsert(into target: Relation, from staging: String, columns: [String], uniqueKey: [String]) -> [String] {
        let keys = uniqueKey.count == 1 ? quoteIdentifier(uniqueKey[0]) : "(\(columnList(uniqueKey)))"
        return deleteRows(from: target, where: "\(keys) in (select \(columnList(uniqueKey)) from \(staging))")
            + [insert(into: target, from: staging, columns: columns)]
    }

    /// Partitions are the rows sharing the partition columns' values: replaced as delete+insert
    /// keyed by them replaces rows.
    public func overwrite(_ target: Relation, from staging: String, columns: [String], partitions: [String]) -> [String] {
        guard partitions.isEmpty else { return deleteInsert(into: target, from: staging, columns: columns, uniqueKey: partitions) }
        return ["delete from \(relation(target))", insert(into: target, from: staging, columns: columns)]
    }

    /// Portable merge: an UPDATE … FROM for matching keys, then an INSERT of the rest.
    public func merge(into target: Relation, from staging: String, columns: [String], uniqueKey: [String]) -> [String] {
        let table = relation(target)
        let match = uniqueKey.map { "\(table).\(quoteIdentifier($0)) = \("floe_staging").\(quoteIdentifier($0))" }
            .joined(separator: " and ")
        let updates = columns.filter { !uniqueKey.contains($0) }
            .map { "\(quoteIdentifier($0)) = floe_staging.\(quoteIdentifier($0))" }
        var statements: [String] = []
        if !updates.isEmpty {
            statements.append("update \(table) set \(updates.joined(separator: ", "))\nfrom \(staging) as floe_staging where \(match)")
        }
        let list = columnList(columns)
        statements.append("""
            insert into \(table) (\(list))
            select \(list) from \(staging) as floe_staging
            where not exists (select 1 from \(table) where \(match))
            """)
        return statements
    }

    /// PostgreSQL's spelling: the index takes the table's schema, so its name stands alone.
    public func createIndex(_ index: ModelIndex, named name: String, on relation: Relation) -> String {
        "create \(index.unique ? "unique " : "")index if not exists \(quoteIdentifier(name)) on \(self.relation(relation)) (\(columnList(index.columns)))"
    }

    public func dropIndex(named name: String, schema: String) -> String {
        "drop index if exists \(self.relation(schema: schema, name: name))"
    }

    public func addColumn(_ relation: Relation, column: String, type: String) -> String {
        "alter table \(self.relation(relation)) add column \(quoteIdentifier(column)) \(type)"
    }

    public func dropColumn(_ relation: Relation, column: String) -> String {
        "alter table \(self.relation(relation)) drop column \(quoteIdentifier(column))"
    }

    public func countRows(_ select: String) -> String {
        "select count(*) from (\n\(select)\n) as floe_counted"
    }

    public func selectAll(_ relation: Relation, limit: Int?) -> String {
        "select * from \(self.relation(relation))" + (limit.map { " limit \($0)" } ?? "")
    }
}
