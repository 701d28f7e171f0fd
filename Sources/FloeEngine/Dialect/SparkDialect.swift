import FloeContract
import FloeSQL
import Foundation

/// Spark SQL 4 (through its Thrift server), as dbt-spark renders the cross-database macros and
/// builds its materializations. Tables are written in the compute profile's `file_format`;
/// parquet and orc tables take no UPDATE, DELETE or MERGE, so what would change their rows in
/// place writes the kept rows to a table beside and swaps it in.
public struct SparkDialect: SQLDialect {
    /// `parquet` (the default), `orc`, `delta`, `iceberg`, `hudi`: what `create table … using` names.
    public let fileFormat: String

    public init(fileFormat: String = "parquet") {
        self.fileFormat = fileFormat
    }

    /// The table formats that take row-level changes (and Spark's MERGE).
    public static let rowLevelFormats: Set<String> = ["delta", "iceberg", "hudi"]

    public var name: String { "spark" }
    public var sqlFlavor: SQLFlavor { .spark }

    public var rowLevelChanges: Bool { Self.rowLevelFormats.contains(fileFormat) }

    public var hasTransactions: Bool { false }
    /// Spark's parquet tables enforce no constraint; floe enforces `not_null` by counting NULLs
    /// before a table is put in place (``notNullCheckedByQuery``), and warns about the others.
    public var enforcedConstraints: Set<ModelContract.Constraint.Kind> { [.notNull] }
    public var notNullCheckedByQuery: Bool { true }

    public func takesSchemaName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    public func createTable(_ relation: Relation, as select: String) -> String {
        createTable(relation, as: select, partitionedBy: [])
    }

    /// Spark moves partition columns to the end of the table's columns.
    public func createTable(_ relation: Relation, as select: String, partitionedBy columns: [String]) -> String {
        let partitioning = columns.isEmpty ? "" : " partitioned by (\(columnList(columns)))"
        return "create table \(self.relation(relation)) using \(fileFormat)\(partitioning) as\n\(select)"
    }

    /// `type` as Spark names it: PostgreSQL's and SQLite's `text` (which seeds' `column_types`
    /// often say) is Spark's `string`; a missing type is `string` too.
    public func columnType(_ type: String?) -> String {
        guard let type, !type.isEmpty, type.lowercased() != "text" else { return "string" }
        return type
    }

    public func createTable(_ relation: Relation, columns: [ColumnSpec]) -> String {
        let definitions = columns.map { "\(quoteIdentifier($0.name)) \(columnType($0.type))" }
        return "create table \(self.relation(relation)) (\(definitions.joined(separator: ", "))) using \(fileFormat)"
    }

    /// A DELETE where the format takes one; else the rows to keep (those where `predicate` is
    /// false or null) are written to a table beside made like it (its columns, format and
    /// partitioning), which then replaces `relation`. Between the drop and the rename the table
    /// is missing, not wrong (docs/engines.md).
    public func deleteRows(from relation: Relation, where predicate: String) -> [String] {
        guard !rowLevelChanges else { return ["delete from \(self.relation(relation)) where \(predicate)"] }
        let kept = relation.suffixed("__floe_keep", for: self)
        return [
            drop(kept, kind: .table),
            "create table \(self.relation(kept)) like \(self.relation(relation)) using \(fileFormat)",
            "insert into \(self.relation(kept)) select * from \(self.relation(relation)) where (\(predicate)) is not true",
            drop(relation, kind: .table),
            rename(kept, kind: .table, to: relation.name),
        ]
    }

    /// `insert overwrite`: one job that replaces the table's files; with partition columns, only
    /// the partitions the new rows fall in (the session's `partitionOverwriteMode` is `dynamic`).
    /// The `partition` clause makes a table not partitioned by those columns an error, never a
    /// table replaced whole. `columns` are the target's, whose partition columns come last.
    public func overwrite(_ target: Relation, from staging: String, columns: [String], partitions: [String]) -> [String] {
        guard !partitions.isEmpty else {
            let list = columnList(columns)
            return ["insert overwrite table \(relation(target)) (\(list))\nselect \(list) from \(staging)"]
        }
        let ordered = columns.filter { !partitions.contains($0) } + partitions
        return ["insert overwrite table \(relation(target)) partition (\(columnList(partitions)))\nselect \(columnList(ordered)) from \(staging)"]
    }

    public func addColumn(_ relation: Relation, column: String, type: String) -> String {
        "alter table \(self.relation(relation)) add columns (\(quoteIdentifier(column)) \(columnType(type)))"
    }

    /// Backticks, embedded ones doubled.
    public func quoteIdentifier(_ identifier: String) -> String {
        "`" + identifier.replacingOccurrences(of: "`", with: "``") + "`"
    }

    /// Spark reads a backslash in a literal as an escape: both it and the quote are escaped.
    public func stringLiteral(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// The Thrift server binds no values: the adapter writes them as literals.
    public func parameter(_ index: Int) -> String { "?" }

    public func typeName(for kind: ValueKind) -> String {
        switch kind {
        case .integer: return "bigint"
        case .real: return "double"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .boolean: return "boolean"
        case .text: return "string"
        }
    }

    public func typeName(for type: PortableType) -> String {
        switch type {
        case .string: return "string"
        case .timestamp: return "timestamp"
        case .float: return "double"
        case .numeric: return "decimal(28,6)"
        case .bigint: return "bigint"
        case .int: return "int"
        case .boolean: return "boolean"
        }
    }

    public func dateTrunc(_ part: DatePart, _ expression: String) -> String {
        "date_trunc('\(part.rawValue)', \(expression))"
    }

    public func dateAdd(_ part: DatePart, _ interval: String, _ expression: String) -> String {
        "timestampadd(\(part.rawValue.uppercased()), \(interval), \(expression))"
    }

    /// Boundaries crossed, as dbt's datediff counts them: whole units between the truncated times.
    public func dateDiff(_ part: DatePart, _ start: String, _ end: String) -> String {
        func field(_ name: String, _ expression: String) -> String { "\(name)(cast(\(expression) as timestamp))" }
        let days = "datediff(cast(\(end) as date), cast(\(start) as date))"
        switch part {
        case .day: return days
        case .week: return "cast(datediff(cast(\(dateTrunc(.week, end)) as date), cast(\(dateTrunc(.week, start)) as date)) / 7 as bigint)"
        case .month: return "((\(field("year", end)) - \(field("year", start))) * 12 + \(field("month", end)) - \(field("month", start)))"
        case .quarter: return "((\(field("year", end)) - \(field("year", start))) * 4 + \(field("quarter", end)) - \(field("quarter", start)))"
        case .year: return "(\(field("year", end)) - \(field("year", start)))"
        case .hour, .minute, .second:
            let seconds = part == .hour ? 3600 : part == .minute ? 60 : 1
            return "cast((unix_timestamp(\(dateTrunc(part, end))) - unix_timestamp(\(dateTrunc(part, start)))) / \(seconds) as bigint)"
        }
    }

    public func lastDay(_ part: DatePart, _ expression: String) -> String {
        let start = "cast(\(dateTrunc(part, expression)) as date)"
        switch part {
        case .month: return "last_day(\(expression))"
        case .quarter: return "date_sub(add_months(\(start), 3), 1)"
        case .year: return "date_sub(add_months(\(start), 12), 1)"
        case .week: return "date_add(\(start), 6)"
        default: return start
        }
    }

    public func date(year: Int, month: Int, day: Int) -> String {
        "date'\(String(format: "%04d-%02d-%02d", year, month, day))'"
    }

    public var currentTimestamp: String { "current_timestamp()" }
    public func schemaExistsQuery(_ schema: String) -> String {
        "show schemas like \(stringLiteral(schema))"
    }

    public func hash(_ expression: String) -> String { "md5(cast(\(expression) as string))" }

    public func position(_ substring: String, in string: String) -> String { "instr(\(string), \(substring))" }

    public func right(_ string: String, _ count: String) -> String { "right(\(string), \(count))" }

    /// `collect_list` keeps no order: with `order_by`, the values are sorted by it first.
    public func listagg(_ measure: String, delimiter: String, orderBy: String?) -> String {
        guard let orderBy else { return "array_join(collect_list(\(measure)), \(delimiter))" }
        let key = orderBy.replacingOccurrences(of: "order by", with: "", options: .caseInsensitive).trimmingCharacters(in: .whitespaces)
        return "array_join(transform(array_sort(collect_list(named_struct('k', \(key), 'v', \(measure)))), x -> x.v), \(delimiter))"
    }

    public func boolOr(_ expression: String) -> String { "bool_or(\(expression))" }

    public func castBoolToText(_ expression: String) -> String { "cast(\(expression) as string)" }

    public func splitPart(_ string: String, _ delimiter: String, _ part: String) -> String? {
        "split_part(\(string), \(delimiter), \(part))"
    }

    public func arrayConstruct(_ items: [String], type: String) -> String {
        items.isEmpty ? "cast(array() as array<\(type)>)" : "array(\(items.joined(separator: ", ")))"
    }

    public func arrayAppend(_ array: String, _ element: String) -> String { "concat(\(array), array(\(element)))" }

    public func arrayConcat(_ first: String, _ second: String) -> String { "concat(\(first), \(second))" }

    /// `median(x)` and the two-argument percentiles as ordered-set aggregates, which Spark has;
    /// casts to a bare `numeric` as exact decimals (``SparkDecimalCasts``).
    public func nativeFunctions(_ sql: String) -> String { SparkDecimalCasts.rewrite(OrderedSetAggregates.rewrite(sql)) }

    /// Spark renames a table within its database only when the new name says which.
    public func rename(_ relation: Relation, kind: RelationKind, to name: String) -> String {
        "alter \(kind.rawValue) \(self.relation(relation)) rename to \(self.relation(schema: relation.schema, name: name))"
    }

    /// Spark's MERGE, which Delta Lake, Iceberg and Hudi tables take; on the others, each row of
    /// `staging` replaces the target's rows with its key, as delete+insert does.
    public func merge(into target: Relation, from staging: String, columns: [String], uniqueKey: [String]) -> [String] {
        guard rowLevelChanges else { return deleteInsert(into: target, from: staging, columns: columns, uniqueKey: uniqueKey) }
        let match = uniqueKey.map { "floe_target.\(quoteIdentifier($0)) = floe_staging.\(quoteIdentifier($0))" }.joined(separator: " and ")
        let updates = columns.filter { !uniqueKey.contains($0) }.map { "\(quoteIdentifier($0)) = floe_staging.\(quoteIdentifier($0))" }
        let list = columnList(columns)
        var statement = "merge into \(relation(target)) as floe_target using \(staging) as floe_staging on \(match)"
        if !updates.isEmpty { statement += "\nwhen matched then update set \(updates.joined(separator: ", "))" }
        statement += "\nwhen not matched then insert (\(list)) values (\(columns.map { "floe_staging.\(quoteIdentifier($0))" }.joined(separator: ", ")))"
        return [statement]
    }

    /// Spark has no indexes: dbt's `indexes` config is ignored, as dbt-spark ignores it.
    public var hasIndexes: Bool { false }

    public func utcToLocal(_ expression: String, zone: String) -> String {
        "from_utc_timestamp(cast(\(expression) as timestamp), \(zone))"
    }

    public func nullSafeEqual(_ left: String, _ right: String) -> String { "\(left) <=> \(right)" }

    public func caseInsensitiveLike(_ expression: String, _ pattern: String) -> String {
        "\(expression) ilike \(pattern) escape '\\\\'"
    }

    /// The sum of each row's 64-bit hash, as text; summed as decimals, which do not overflow
    /// where a long would (Spark's ANSI mode fails on that).
    public func rowSignature(_ expressions: [String]) -> String {
        "cast(sum(cast(xxhash64(" + expressions.map { "coalesce(cast(\($0) as string), '\\u001e')" }.joined(separator: ", ")
            + ") as decimal(38,0))) as string)"
    }
}
