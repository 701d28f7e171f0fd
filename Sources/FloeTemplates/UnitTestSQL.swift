import FloeJinja
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// A dbt unit test as one query, written at apply time once the inputs exist: the model's SQL
/// with each input it reads replaced by a CTE of the fixture rows, typed as that input's columns
/// (a column the fixture leaves out is null, as in dbt), then compared with the expected rows
/// both ways. Each row it returns is a difference: `expected, missing` or `unexpected`, over the
/// columns the expectation names, as text.
public enum UnitTestSQL {
    /// Fixture rows: mappings (dbt's `dict` format, and `csv` parsed), or a SELECT (`sql`).
    public enum Fixture {
        case rows([[String: ConfigInput]])
        case sql(String)

        /// From the plan's form: `{format, rows}`, `rows` a list of mappings or CSV or SQL text.
        init(_ value: ConfigInput, at location: SourceLocation) throws(TemplateError) {
            guard case .map(let map) = value else { throw TemplateError("a unit test fixture is not a mapping", at: location) }
            let format = map["format"]?.string ?? "dict"
            switch (format, map["rows"] ?? .list([])) {
            case ("sql", .string(let text)):
                self = .sql(text)
            case ("csv", .string(let text)):
                let records: [[String]]
                do {
                    records = try CSVReader.rows(text)
                } catch {
                    throw TemplateError("the CSV rows of a unit test do not parse (\(error))", at: location, hint: "a header line, then one line per row")
                }
                let header = records[0]
                self = .rows(records.dropFirst().map { record in
                    Dictionary(zip(header, record).map { ($0, UnitTestSQL.csvValue($1)) }, uniquingKeysWith: { first, _ in first })
                })
            case (_, .list(let items)):
                self = .rows(items.map { item in
                    if case .map(let row) = item { return row }
                    return [:]
                })
            default:
                throw TemplateError("a unit test fixture in format \(format) has rows of the wrong kind", at: location)
            }
        }
    }

    /// A CSV field: empty is null; a number stays a number (an expected value is compared as a
    /// literal, and SQLite compares a number with text as unequal).
    private static func csvValue(_ text: String) -> ConfigInput {
        if CSVReader.isNull(Array(text.utf8)[...]) { return .null }
        if let number = Int(text) { return .integer(number) }
        if let number = Double(text) { return .number(number) }
        return .string(text)
    }

    /// The name of the fixture CTE standing for the input at `position`.
    public static func inputName(_ position: Int) -> String { "__floe_given_\(position)" }

    /// One input's fixture as a SELECT with the input's columns, each value cast to its type.
    static func given(_ fixture: Fixture, columns: [ColumnSpec], dialect: any SQLDialect, input: String,
                      at location: SourceLocation) throws(TemplateError) -> String {
        guard case .rows(let rows) = fixture else {
            if case .sql(let text) = fixture { return text.trimmingCharacters(in: .whitespacesAndNewlines) }
            return ""
        }
        var columns = columns
        let known = Set(columns.map { $0.name.lowercased() })
        for row in rows {
            for key in row.keys.sorted() where !known.contains(key.lowercased()) {
                guard columns.isEmpty || known.isEmpty else {
                    throw TemplateError("the fixture of \(input) has a column '\(key)' that \(input) does not have", at: location,
                                        hint: Suggestions.didYouMean(key, in: columns.map(\.name)))
                }
                if !columns.contains(where: { $0.name == key }) { columns.append(ColumnSpec(name: key)) }
            }
        }
        func value(_ row: [String: ConfigInput], _ column: ColumnSpec) -> String {
            let found = row.first { $0.key.lowercased() == column.name.lowercased() }?.value ?? .null
            let text = literal(found, dialect: dialect)
            guard let type = column.type, !type.isEmpty else { return text }
            return "cast(\(text) as \(type))"
        }
        let list = rows.isEmpty ? [[:]] : rows
        let selects = list.map { row in
            "select " + columns.map { "\(value(row, $0)) as \(dialect.quoteIdentifier($0.name))" }.joined(separator: ", ")
        }
        return selects.joined(separator: "\nunion all\n") + (rows.isEmpty ? " where 1 = 0" : "")
    }

    /// The whole test: `model` is the model's SQL with its inputs named by ``inputName(_:)``.
    static func sql(model: String, given: [String], expect: Fixture, dialect: any SQLDialect, at location: SourceLocation) throws(TemplateError) -> String {
        var ctes = given.enumerated().map { "\(inputName($0.offset)) as (\n\($0.element)\n)" }
        ctes.append("__floe_actual as (\nselect * from (\n\(model)\n) as __floe_model\n)")
        let with = "with " + ctes.joined(separator: ",\n") + "\n"
        switch expect {
        case .sql(let text):
            // An expectation in SQL has its own types: compared row for row, both ways.
            return with + """
                , __floe_expected as (\n\(text)\n)
                select 'expected, missing' as floe_unit_test_diff, * from (select * from __floe_expected except select * from __floe_actual) as __floe_missing
                union all
                select 'unexpected' as floe_unit_test_diff, * from (select * from __floe_actual except select * from __floe_expected) as __floe_unexpected
                """
        case .rows(let rows):
            // Each expected value is compared as a literal, so the engine reads it as the actual
            // column's type (a date, a numeric), as dbt casts it.
            let columns = Array(Set(rows.flatMap(\.keys))).sorted()
            guard !columns.isEmpty || rows.isEmpty else {
                throw TemplateError("`expect:` names no column", at: location, hint: "give the rows the model must produce")
            }
            // Quoted where the engine then reads a literal as the column's type (PostgreSQL: `'1'` is a
            // text column's '1' and an integer column's 1); as typed as YAML wrote it elsewhere.
            func compared(_ value: ConfigInput) -> String {
                guard dialect.quotedLiteralsTakeColumnTypes else { return literal(value, dialect: dialect) }
                return switch value {
                case .string, .null: literal(value, dialect: dialect)
                default: literal(.string(literal(value, dialect: dialect)), dialect: dialect)
                }
            }
            func match(_ row: [String: ConfigInput]) -> String {
                columns.map { column in
                    let value = row[column] ?? .null
                    let actual = "a.\(dialect.quoteIdentifier(column))"
                    if case .string = value { return dialect.equalsExpected(actual, text: compared(value)) }
                    return value == .null ? "\(actual) is null" : "\(actual) = \(compared(value))"
                }.joined(separator: " and ")
            }
            let text = dialect.typeName(for: .text)
            var parts = rows.map { row in
                "select 'expected, missing' as floe_unit_test_diff, "
                    + columns.map { "cast(\(literal(row[$0] ?? .null, dialect: dialect)) as \(text)) as \(dialect.quoteIdentifier($0))" }.joined(separator: ", ")
                    + " where not exists (select 1 from __floe_actual a where \(columns.isEmpty ? "true" : match(row)))"
            }
            let anyExpected = rows.isEmpty ? "false" : rows.map { "coalesce((\(match($0))), false)" }.joined(separator: " or ")
            parts.append("select 'unexpected' as floe_unit_test_diff, "
                + (columns.isEmpty ? "1 as floe_row" : columns.map { "cast(a.\(dialect.quoteIdentifier($0)) as \(text)) as \(dialect.quoteIdentifier($0))" }.joined(separator: ", "))
                + " from __floe_actual a where not (\(anyExpected))")
            return with + parts.joined(separator: "\nunion all\n")
        }
    }

    static func literal(_ value: ConfigInput, dialect: any SQLDialect) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .string(let text): dialect.stringLiteral(text)
        case .list, .map: dialect.stringLiteral("\(value)")
        }
    }
}
