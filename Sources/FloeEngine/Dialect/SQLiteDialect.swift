import FloeContract
import FloeSQL
import Foundation

/// SQLite 3.40: timestamps are ISO-8601 text (`YYYY-MM-DD HH:MM:SS`), so date arithmetic goes
/// through `datetime()` and its modifiers. `md5()` and `split_part()` are registered by floe's
/// SQLite connection (SQLiteFunctions).
public struct SQLiteDialect: SQLDialect {
    public init() {}

    public var name: String { "sqlite" }
    public var sqlFlavor: SQLFlavor { .sqlite }
    public var viewsQualifyTheirOwnSchema: Bool { false }
    public var viewsReadOtherSchemas: Bool { false }
    /// Not foreign keys: SQLite checks them only under `PRAGMA foreign_keys`, which floe does not turn on.
    public var enforcedConstraints: Set<ModelContract.Constraint.Kind> { [.notNull, .unique, .primaryKey, .check] }
    /// SQLite keeps dates and timestamps as text: equal instants compare equal by `julianday`.
    public func equalsExpected(_ expression: String, text literal: String) -> String {
        "(\(expression) = \(literal) or julianday(\(expression)) = julianday(\(literal)))"
    }

    // MARK: Query expressions

    /// `?NNN`: numbered, so one value can be used twice and the order of the text does not matter.
    public func parameter(_ index: Int) -> String { "?\(index)" }

    /// Timestamps are text in several spellings (`2024-05-01`, `2024-05-01 10:00:00`, with `T`);
    /// `strftime` writes them all in the one the parameters use.
    public func comparableTimestamp(_ expression: String) -> String { "strftime('%Y-%m-%dT%H:%M:%f', \(expression))" }
    /// `strftime` reads timestamp text as it is.
    public func timeDimension(_ part: DatePart, _ expression: String) -> String { dateTrunc(part, expression) }
    public func truncatedDate(_ part: DatePart, _ expression: String) -> String { "date(\(dateTrunc(part, expression)))" }
    public func timestampParameter(_ placeholder: String) -> String { placeholder }
    /// `floe_utc_to_local` is registered by floe's SQLite connection (SQLiteFunctions).
    public func utcToLocal(_ expression: String, zone: String) -> String { "floe_utc_to_local(\(expression), \(zone))" }
    public func nullSafeEqual(_ left: String, _ right: String) -> String { "\(left) is \(right)" }
    /// `floe_row_signature` is registered by floe's SQLite connection (SQLiteRowSignature).
    public func rowSignature(_ expressions: [String]) -> String { "floe_row_signature(\(expressions.joined(separator: ", ")))" }
    /// SQLite's LIKE ignores the case of ASCII letters.
    public func caseInsensitiveLike(_ expression: String, _ pattern: String) -> String {
        "\(expression) like \(pattern) escape '\\'"
    }

    /// SQLite names the index's database (schema) on the index and the table bare.
    public func createIndex(_ index: ModelIndex, named name: String, on relation: Relation) -> String {
        "create \(index.unique ? "unique " : "")index if not exists \(self.relation(schema: relation.schema, name: name)) "
            + "on \(quoteIdentifier(relation.name)) (\(columnList(index.columns)))"
    }

    public func typeName(for kind: ValueKind) -> String {
        switch kind {
        case .integer: return "integer"
        case .real: return "real"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .boolean: return "boolean"
        case .text: return "text"
        }
    }

    /// Never a type with NUMERIC affinity for text-like values: `cast('2024-05-01 10:00' as timestamp)`
    /// would give 2024 in SQLite.
    public func typeName(for type: PortableType) -> String {
        switch type {
        case .string, .timestamp: return "text"
        case .float: return "real"
        case .numeric: return "numeric"
        case .bigint, .int, .boolean: return "integer"
        }
    }

    /// PostgreSQL's `x::type`, which SQLite does not have, becomes `cast(x as type)`; a cast to a
    /// date or timestamp, which SQLite turns into a number, becomes `date(x)` or `datetime(x)`.
    public func nativeFunctions(_ sql: String) -> String { SQLiteTemporalCasts.rewrite(PostgresCasts.rewrite(sql)) }

    public func dateTrunc(_ part: DatePart, _ expression: String) -> String {
        switch part {
        case .second: return "strftime('%Y-%m-%d %H:%M:%S', \(expression))"
        case .minute: return "strftime('%Y-%m-%d %H:%M:00', \(expression))"
        case .hour: return "strftime('%Y-%m-%d %H:00:00', \(expression))"
        case .day: return "datetime(\(expression), 'start of day')"
        case .week: return "datetime(\(expression), 'start of day', '-6 days', 'weekday 1')"
        case .month: return "datetime(\(expression), 'start of month')"
        case .quarter:
            return "datetime(\(expression), 'start of month', '-' || ((cast(strftime('%m', \(expression)) as integer) - 1) % 3) || ' months')"
        case .year: return "datetime(\(expression), 'start of year')"
        }
    }

    public func dateAdd(_ part: DatePart, _ interval: String, _ expression: String) -> String {
        let (unit, factor): (String, Int) = switch part {
        case .second: ("seconds", 1)
        case .minute: ("minutes", 1)
        case .hour: ("hours", 1)
        case .day: ("days", 1)
        case .week: ("days", 7)
        case .month: ("months", 1)
        case .quarter: ("months", 3)
        case .year: ("years", 1)
        }
        let amount = factor == 1 ? "(\(interval))" : "((\(interval)) * \(factor))"
        return "datetime(\(expression), \(amount) || ' \(unit)')"
    }

    public func dateDiff(_ part: DatePart, _ start: String, _ end: String) -> String {
        func field(_ format: String, _ expression: String) -> String {
            "cast(strftime('\(format)', \(expression)) as integer)"
        }
        let days = "cast(julianday(date(\(end))) - julianday(date(\(start))) as integer)"
        switch part {
        case .day: return "(\(days))"
        case .week: return "(\(days) / 7)"
        case .month:
            return "((\(field("%Y", end)) - \(field("%Y", start))) * 12 + \(field("%m", end)) - \(field("%m", start)))"
        case .quarter:
            return "((\(field("%Y", end)) - \(field("%Y", start))) * 4 + (\(field("%m", end)) - 1) / 3 - (\(field("%m", start)) - 1) / 3)"
        case .year: return "(\(field("%Y", end)) - \(field("%Y", start)))"
        case .hour: return "(\(days) * 24 + \(field("%H", end)) - \(field("%H", start)))"
        case .minute:
            return "((\(days) * 24 + \(field("%H", end)) - \(field("%H", start))) * 60 + \(field("%M", end)) - \(field("%M", start)))"
        case .second:
            return "cast(round((julianday(\(end)) - julianday(\(start))) * 86400) as integer)"
        }
    }

    public func lastDay(_ part: DatePart, _ expression: String) -> String {
        let unit = part == .quarter ? "3 months" : "1 \(part.rawValue)"
        return "date(\(dateTrunc(part, expression)), '+\(unit)', '-1 day')"
    }

    public func date(year: Int, month: Int, day: Int) -> String {
        "date('\(String(format: "%04d-%02d-%02d", year, month, day))')"
    }

    public var currentTimestamp: String { "datetime('now')" }
    /// A schema is a database file the connection has attached.
    public func schemaExistsQuery(_ schema: String) -> String {
        "select 1 from pragma_database_list where name = \(stringLiteral(schema))"
    }

    public func hash(_ expression: String) -> String { "md5(cast(\(expression) as text))" }

    public func position(_ substring: String, in string: String) -> String { "instr(\(string), \(substring))" }

    public func right(_ string: String, _ count: String) -> String {
        "case when (\(count)) > 0 then substr(\(string), -(\(count))) else '' end"
    }

    /// SQLite 3.40 has no ORDER BY inside an aggregate: the order is the rows' order.
    public func listagg(_ measure: String, delimiter: String, orderBy: String?) -> String {
        "group_concat(\(measure), \(delimiter))"
    }

    public func boolOr(_ expression: String) -> String { "max(\(expression))" }

    public func castBoolToText(_ expression: String) -> String {
        "case when \(expression) then 'true' when not (\(expression)) then 'false' end"
    }

    /// `split_part()` is registered by floe's SQLite connection, with PostgreSQL's meaning.
    /// SQLite has no arrays: JSON arrays stand in, as text.
    public func arrayConstruct(_ items: [String], type: String) -> String { "json_array(\(items.joined(separator: ", ")))" }

    public func arrayAppend(_ array: String, _ element: String) -> String { "json_insert(\(array), '$[#]', \(element))" }

    public func arrayConcat(_ first: String, _ second: String) -> String {
        "(select json_group_array(value) from (select value from json_each(\(first)) union all select value from json_each(\(second))))"
    }

    public func splitPart(_ string: String, _ delimiter: String, _ part: String) -> String? {
        "split_part(\(string), \(delimiter), \(part))"
    }
}
