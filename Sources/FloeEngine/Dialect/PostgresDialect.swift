import FloeContract
import Foundation

/// PostgreSQL 15: dbt-postgres's renderings of the cross-database macros.
public struct PostgresDialect: SQLDialect {
    public init() {}

    public var name: String { "postgres" }

    public var quotedLiteralsTakeColumnTypes: Bool { true }
    /// NAMEDATALEN - 1: a longer name is cut silently, so floe fits its own names to it.
    public var maxIdentifierBytes: Int? { 63 }

    public func parameter(_ index: Int) -> String { "$\(index)" }

    public func typeName(for kind: ValueKind) -> String {
        switch kind {
        case .integer: return "bigint"
        case .real: return "double precision"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .boolean: return "boolean"
        case .text: return "text"
        }
    }

    public func typeName(for type: PortableType) -> String {
        switch type {
        case .string: return "varchar"
        case .timestamp: return "timestamp"
        case .float: return "float"
        case .numeric: return "numeric(28,6)"
        case .bigint: return "bigint"
        case .int: return "integer"
        case .boolean: return "boolean"
        }
    }

    public func dateTrunc(_ part: DatePart, _ expression: String) -> String {
        "date_trunc('\(part.rawValue)', \(expression))"
    }

    public func dateAdd(_ part: DatePart, _ interval: String, _ expression: String) -> String {
        "(\(expression) + ((interval '1 \(part.rawValue)') * (\(interval))))"
    }

    public func dateDiff(_ part: DatePart, _ start: String, _ end: String) -> String {
        func field(_ name: String, _ expression: String) -> String {
            "date_part('\(name)', (\(expression))::timestamp)"
        }
        let days = "((\(end))::date - (\(start))::date)"
        switch part {
        case .day: return days
        case .week: return "(\(days) / 7)"
        case .month:
            return "cast((\(field("year", end)) - \(field("year", start))) * 12 + \(field("month", end)) - \(field("month", start)) as integer)"
        case .quarter:
            return "cast((\(field("year", end)) - \(field("year", start))) * 4 + \(field("quarter", end)) - \(field("quarter", start)) as integer)"
        case .year: return "cast(\(field("year", end)) - \(field("year", start)) as integer)"
        case .hour: return "cast(\(days) * 24 + \(field("hour", end)) - \(field("hour", start)) as integer)"
        case .minute:
            return "cast((\(days) * 24 + \(field("hour", end)) - \(field("hour", start))) * 60 + \(field("minute", end)) - \(field("minute", start)) as integer)"
        case .second:
            return "cast(round(extract(epoch from ((\(end))::timestamp - (\(start))::timestamp))) as integer)"
        }
    }

    public func lastDay(_ part: DatePart, _ expression: String) -> String {
        "cast(\(dateTrunc(part, expression)) + interval '1 \(part.rawValue)' - interval '1 day' as date)"
    }

    public func date(year: Int, month: Int, day: Int) -> String {
        "date '\(String(format: "%04d-%02d-%02d", year, month, day))'"
    }

    public var currentTimestamp: String { "now()" }

    /// A query that returns one row of nulls with `select`'s columns when `select` returns none:
    /// the driver gives a result's column names only with its rows, and an empty result's
    /// columns are still read (`run_query(…).columns[0]` on no rows, dbt_utils'
    /// `get_single_value` default).
    public func columnsOfEmptyResult(_ select: String) -> String? {
        "select floe_probed.* from (select 1) as floe_one left join (\n\(select)\n) as floe_probed on true"
    }
    public func schemaExistsQuery(_ schema: String) -> String {
        "select 1 from information_schema.schemata where schema_name = \(stringLiteral(schema))"
    }

    public func hash(_ expression: String) -> String { "md5(cast(\(expression) as varchar))" }

    public func position(_ substring: String, in string: String) -> String { "position(\(substring) in \(string))" }

    public func right(_ string: String, _ count: String) -> String { "right(\(string), \(count))" }

    public func listagg(_ measure: String, delimiter: String, orderBy: String?) -> String {
        "string_agg(\(measure), \(delimiter)\(orderBy.map { " " + $0 } ?? ""))"
    }

    public func boolOr(_ expression: String) -> String { "bool_or(\(expression))" }

    public func castBoolToText(_ expression: String) -> String { "cast(\(expression) as varchar)" }

    public func arrayConstruct(_ items: [String], type: String) -> String {
        items.isEmpty ? "array[]::\(type)[]" : "array[ \(items.joined(separator: " , ")) ]"
    }

    public func arrayAppend(_ array: String, _ element: String) -> String { "array_append(\(array), \(element))" }

    public func arrayConcat(_ first: String, _ second: String) -> String { "array_cat(\(first), \(second))" }

    public func splitPart(_ string: String, _ delimiter: String, _ part: String) -> String? {
        "split_part(\(string), \(delimiter), \(part))"
    }

    /// `median(x)` and the two-argument percentiles become ordered-set aggregates.
    public func nativeFunctions(_ sql: String) -> String { OrderedSetAggregates.rewrite(sql) }

    // MARK: Materializations

    /// A view holds on to the table it reads (by its identity, not its name), so a table that is
    /// replaced takes its views with it; they read an input whose version changed, so the run
    /// rebuilds them, in the same order dbt-postgres does.
    public func drop(_ relation: Relation, kind: RelationKind) -> String {
        "drop \(kind.rawValue) if exists \(self.relation(relation)) cascade"
    }

    /// PostgreSQL 15's MERGE: one statement, matched keys updated and the rest inserted.
    public func merge(into target: Relation, from staging: String, columns: [String], uniqueKey: [String]) -> [String] {
        let match = uniqueKey.map { "floe_target.\(quoteIdentifier($0)) = floe_staging.\(quoteIdentifier($0))" }
            .joined(separator: " and ")
        let updates = columns.filter { !uniqueKey.contains($0) }
            .map { "\(quoteIdentifier($0)) = floe_staging.\(quoteIdentifier($0))" }
        let list = columnList(columns)
        let values = columns.map { "floe_staging.\(quoteIdentifier($0))" }.joined(separator: ", ")
        var statement = "merge into \(relation(target)) as floe_target\nusing \(staging) as floe_staging on \(match)\n"
        if !updates.isEmpty { statement += "when matched then update set \(updates.joined(separator: ", "))\n" }
        statement += "when not matched then insert (\(list)) values (\(values))"
        return [statement]
    }
}
