import FloeCore
import FloeEngine
import Foundation

/// One answered query in Cube's `/load` shape: `query`, `data` (rows keyed `Cube.member`, a time
/// member also as `Cube.member.granularity`), `annotation`, `lastRefreshTime`,
/// `usedPreAggregations`, and `total` when asked.
public struct LoadResult: Sendable {
    public var query: CubeQuery
    public var generated: GeneratedQuery
    public var rows: ResultSet
    public var total: Int?
    /// When the data was last built: the rollup's build, or now for the models.
    public var lastRefreshTime: Date
    public var dbType: String

    /// A column Cube adds to every row of a result that is part of a larger answer: the range of a
    /// compareDateRange result (`compareDateRange`), or a blending result's time value under the
    /// name all its queries share (`time.month`, copied from `Orders.order_date.month`).
    public enum AddedColumn: Sendable {
        case constant(String, JSONValue)
        case copy(String, from: String)

        var key: String {
            switch self {
            case .constant(let key, _), .copy(let key, _): key
            }
        }
    }

    /// The member names of a row, in order, as `data` keys them.
    public func members(adding added: AddedColumn? = nil) -> [String] {
        generated.columns.flatMap(\.keys) + (added.map { [$0.key] } ?? [])
    }

    /// The rows as Cube writes them: numbers as strings, times as `YYYY-MM-DDTHH:MM:SS.SSS`.
    public func data(adding added: AddedColumn? = nil) -> [[(String, JSONValue)]] {
        rows.rows.map { row in
            var object: [(String, JSONValue)] = []
            for (column, value) in zip(generated.columns, row) {
                let formatted = Self.format(value, type: column.type)
                for key in column.keys { object.append((key, formatted)) }
            }
            switch added {
            case .constant(let key, let value)?: object.append((key, value))
            case .copy(let key, let source)?: object.append((key, object.first { $0.0 == source }?.1 ?? .null))
            case nil: break
            }
            return object
        }
    }

    public var data: [[(String, JSONValue)]] { data() }

    /// `data` in the query's `responseFormat`.
    func formattedData(adding added: AddedColumn?) -> JSONValue {
        let rows = data(adding: added)
        let members = members(adding: added)
        switch query.responseFormat {
        case .default:
            return .array(rows.map { .object($0) })
        case .compact:
            return .object([("members", .array(members.map(JSONValue.string))),
                            ("dataset", .array(rows.map { .array($0.map(\.1)) }))])
        case .columnar:
            let columns = members.indices.map { index in JSONValue.array(rows.map { $0[index].1 }) }
            return .object([("members", .array(members.map(JSONValue.string))), ("columns", .array(columns))])
        }
    }

    public var json: JSONValue { json() }

    /// The result as Cube answers it, with `added` in every row.
    public func json(adding added: AddedColumn? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("query", query.json),
            ("data", formattedData(adding: added)),
            ("lastRefreshTime", .string(Self.isoTime(lastRefreshTime))),
            ("annotation", annotation),
            ("dataSource", .string("default")),
            ("dbType", .string(dbType)),
            ("external", .bool(false)),
            ("slowQuery", .bool(false)),
        ]
        var used: [(String, JSONValue)] = []
        if let name = generated.preAggregation, let table = generated.preAggregationTable {
            used.append((name, .object([("targetTableName", .string("\(table.schema).\(table.name)"))])))
        }
        members.append(("usedPreAggregations", .object(used)))
        if let total { members.append(("total", .number(String(total)))) }
        return .object(members)
    }

    public var annotation: JSONValue {
        var measures: [(String, JSONValue)] = []
        var dimensions: [(String, JSONValue)] = []
        var times: [(String, JSONValue)] = []
        for column in generated.columns {
            var fields: [(String, JSONValue)] = [
                ("title", .string(column.title)), ("shortTitle", .string(column.shortTitle)), ("type", .string(column.type)),
            ]
            if let format = column.format { fields.append(("format", .string(format))) }
            switch column.kind {
            case .measure:
                fields.append(("drillMembers", .array(column.drillMembers.map(JSONValue.string))))
                measures.append((column.member, .object(fields)))
            case .dimension:
                dimensions.append((column.member, .object(fields)))
            case .timeDimension(let granularity):
                let detail: JSONValue = .object([
                    ("name", .string(granularity.rawValue)), ("title", .string(granularity.rawValue)),
                    ("interval", .string("1 \(granularity.rawValue)")),
                ])
                times.append(("\(column.member).\(granularity.rawValue)", .object(fields + [("granularity", detail)])))
                times.append((column.member, .object(fields)))
            }
        }
        return .object([("measures", .object(measures)), ("dimensions", .object(dimensions)), ("segments", .object([])),
                        ("timeDimensions", .object(times))])
    }

    public static func format(_ value: SQLValue, type: String) -> JSONValue {
        switch value {
        case .null: return .null
        case .integer(let number):
            if type == "boolean" { return .bool(number != 0) }
            return .string(String(number))
        case .real(let number):
            guard number.isFinite else { return .null }
            return .string(number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number))
        case .text(let text):
            if type == "time", let time = CivilTimestamp(text) { return .string(time.text()) }
            if type == "boolean" { return .bool(["true", "t", "1"].contains(text.lowercased())) }
            return .string(text)
        case .blob: return .string(value.displayText ?? "")
        }
    }

    /// `2024-05-01T10:00:00.000Z`.
    static func isoTime(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let milliseconds = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        return CivilTimestamp(seconds: seconds, milliseconds: milliseconds).text() + "Z"
    }
}
