import FloeCore
import FloeEngine
import FloeTemplates
import Foundation

/// A dbt unit test as one query, run like any data test: the model's SQL with each input it
/// reads replaced by a CTE of the fixture rows, compared with the expected rows both ways. Each
/// row it returns is a difference: `expected, missing` (expected but not produced) or
/// `unexpected` (produced but not expected), over the columns the expectation names.
enum UnitTestSQL {
    /// The name of the fixture CTE standing for the input at `position`.
    static func inputName(_ position: Int) -> String { "__floe_given_\(position)" }

    /// The query. `model` is the model's SQL with its inputs already named by ``inputName(_:)``;
    /// `given` the fixture SELECT of each input, in that order.
    static func sql(model: String, given: [String], expect: UnitTestDefinition.Rows, dialect: any SQLDialect,
                    at location: SourceLocation) throws(TemplateError) -> String {
        let (expected, columns) = try select(expect, dialect: dialect, at: location)
        guard !columns.isEmpty else { throw TemplateError("`expect:` names no column", at: location, hint: "give the rows the model must produce") }
        let list = columns.map(dialect.quoteIdentifier).joined(separator: ", ")
        var ctes = given.enumerated().map { "\(inputName($0.offset)) as (\n\($0.element)\n)" }
        ctes.append("__floe_actual as (\nselect * from (\n\(model)\n) as __floe_model\n)")
        ctes.append("__floe_expected as (\n\(expected)\n)")
        return """
            with \(ctes.joined(separator: ",\n"))
            select 'expected, missing' as floe_unit_test_diff, \(list) from (
                select \(list) from __floe_expected except select \(list) from __floe_actual
            ) as __floe_missing
            union all
            select 'unexpected' as floe_unit_test_diff, \(list) from (
                select \(list) from __floe_actual except select \(list) from __floe_expected
            ) as __floe_unexpected
            """
    }

    /// Fixture rows as a SELECT, and their columns (none for `format: sql`, whose columns are its own).
    static func select(_ rows: UnitTestDefinition.Rows, dialect: any SQLDialect,
                       at location: SourceLocation) throws(TemplateError) -> (sql: String, columns: [String]) {
        switch rows {
        case .sql(let text):
            return (text.trimmingCharacters(in: .whitespacesAndNewlines), try columnsOf(sql: text, at: location))
        case .csv(let text):
            let records: [[String]]
            do {
                records = try CSVReader.rows(text)
            } catch {
                throw TemplateError("the CSV rows do not parse (\(error))", at: location, hint: "a header line, then one line per row")
            }
            let header = records[0]
            let typed = records.dropFirst().map { record in
                zip(header, record).map { ($0, csvValue($1)) }
            }
            return (selects(Array(typed), columns: header, dialect: dialect), header)
        case .dict(let list):
            var columns: [String] = []
            for row in list { for (name, _) in row where !columns.contains(name) { columns.append(name) } }
            return (selects(list, columns: columns, dialect: dialect), columns)
        }
    }

    /// `select … union all select …`, a column missing from a row being null; no rows: one row of
    /// nulls that a `where` leaves out, so the columns still exist.
    private static func selects(_ rows: [[(String, ConfigInput)]], columns: [String], dialect: any SQLDialect) -> String {
        guard !rows.isEmpty else {
            return "select " + columns.map { "null as \(dialect.quoteIdentifier($0))" }.joined(separator: ", ") + " where 1 = 0"
        }
        return rows.map { row in
            let values = Dictionary(row, uniquingKeysWith: { first, _ in first })
            return "select " + columns.map { "\(literal(values[$0] ?? .null)) as \(dialect.quoteIdentifier($0))" }.joined(separator: ", ")
        }.joined(separator: "\nunion all\n")
    }

    static func literal(_ value: ConfigInput) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .string(let text): "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case .list, .map: "'" + "\(value)".replacingOccurrences(of: "'", with: "''") + "'"
        }
    }

    /// A CSV field as a value: empty is null; a number stays a number.
    private static func csvValue(_ text: String) -> ConfigInput {
        if CSVReader.isNull(Array(text.utf8)[...]) { return .null }
        if let number = Int(text) { return .integer(number) }
        if let number = Double(text) { return .number(number) }
        return .string(text)
    }

    /// The column names of a `format: sql` expectation: the aliases of its first SELECT list.
    private static func columnsOf(sql text: String, at location: SourceLocation) throws(TemplateError) -> [String] {
        let lowered = text.lowercased()
        guard let select = lowered.range(of: "select"), let from = lowered.range(of: " from ", range: select.upperBound..<lowered.endIndex)
                ?? Optional(lowered.endIndex..<lowered.endIndex) else {
            throw TemplateError("the SQL rows are not a SELECT", at: location, hint: "rows: select 1 as id, 'a' as name")
        }
        let list = text[select.upperBound..<from.lowerBound]
        return list.split(separator: ",").compactMap { item in
            let words = item.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
            return words.last.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\"`")) }
        }
    }
}
