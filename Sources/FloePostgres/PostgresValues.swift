import FloeCore
import FloeEngine
import Foundation
import NIOCore
import PostgresNIO

/// Values between PostgreSQL and the engine's storage classes. Rows arrive in binary format;
/// they become what SQLite would hold for the same data, so the two engines' tables compare
/// row for row: booleans as 0/1, dates as `YYYY-MM-DD` and timestamps as `YYYY-MM-DD HH:MM:SS[.ffffff]`
/// text, numerics as integers when whole and doubles otherwise.
enum PostgresValues {
    /// Bound values travel as text with no declared type, so the server types each from where it
    /// stands, as it would an untyped literal (`amount > $1` compares numbers, `name = $1` text).
    static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            default: bindings.append(UntypedText(text: value.displayText ?? ""))
            }
        }
        return bindings
    }

    /// The types whose values the driver decodes as text (the text types, uuid, json and jsonb).
    private static let textTypes: Set<PostgresDataType> = [.text, .varchar, .bpchar, .name, .char, .unknown, .uuid, .json, .jsonb]

    static func resultSet(_ rows: [PostgresRow]) -> ResultSet {
        guard let first = rows.first else { return ResultSet(columns: [], rows: []) }
        let columns = first.map(\.columnName)
        return ResultSet(columns: columns, rows: rows.map { row in row.map(value) })
    }

    static func value(_ cell: PostgresCell) -> SQLValue {
        guard var bytes = cell.bytes else { return .null }
        if cell.format == .text {
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        }
        switch cell.dataType {
        case .bool: return .integer(bytes.readInteger(as: UInt8.self) == 0 ? 0 : 1)
        case .int2: return bytes.readInteger(as: Int16.self).map { .integer(Int64($0)) } ?? .null
        case .int4: return bytes.readInteger(as: Int32.self).map { .integer(Int64($0)) } ?? .null
        case .int8: return bytes.readInteger(as: Int64.self).map { .integer($0) } ?? .null
        case .oid: return bytes.readInteger(as: UInt32.self).map { .integer(Int64($0)) } ?? .null
        case .float4: return bytes.readInteger(as: UInt32.self).map { .real(Double(Float(bitPattern: $0))) } ?? .null
        case .float8: return bytes.readInteger(as: UInt64.self).map { .real(Double(bitPattern: $0)) } ?? .null
        case .numeric: return numeric(cell)
        case .date: return bytes.readInteger(as: Int32.self).map { .text(date(daysSince2000: Int($0))) } ?? .null
        case .timestamp, .timestamptz:
            return bytes.readInteger(as: Int64.self).map { .text(timestamp(microsecondsSince2000: $0)) } ?? .null
        case .bytea: return .blob(Array(bytes.readableBytesView))
        case .time: return bytes.readInteger(as: Int64.self).map { .text(clock(microseconds: $0)) } ?? .null
        case .interval:
            guard let micros = bytes.readInteger(as: Int64.self), let days = bytes.readInteger(as: Int32.self),
                  let months = bytes.readInteger(as: Int32.self) else { return .null }
            return .text(interval(months: Int(months), days: Int(days), microseconds: micros))
        default:
            // Text-like types (varchar, name, uuid, json, jsonb, …) decode as text; anything else
            // (arrays, ranges, geometry) keeps its bytes rather than showing them as characters.
            if textTypes.contains(cell.dataType), let text = try? cell.decode(String.self) { return .text(text) }
            return .blob(Array(bytes.readableBytesView))
        }
    }

    private static func numeric(_ cell: PostgresCell) -> SQLValue {
        guard let decimal = try? cell.decode(Decimal.self) else { return .null }
        var rounded = Decimal(), copy = decimal
        NSDecimalRound(&rounded, &copy, 0, .plain)
        if rounded == decimal, let whole = Int64(exactly: NSDecimalNumber(decimal: decimal).int64Value),
           Decimal(whole) == decimal {
            return .integer(whole)
        }
        // Through its decimal text: NSDecimalNumber.doubleValue is off in the last digits (12826.880000000001).
        return Double(decimal.description).map(SQLValue.real) ?? .real(NSDecimalNumber(decimal: decimal).doubleValue)
    }

    /// PostgreSQL counts dates and timestamps from 2000-01-01, 10,957 days after 1970-01-01.
    private static let epochOffsetDays: Int64 = 10_957

    static func date(daysSince2000 days: Int) -> String {
        CivilDate.text(days: Int64(days) + epochOffsetDays)
    }

    static func timestamp(microsecondsSince2000 micros: Int64) -> String {
        let perDay: Int64 = 86_400_000_000
        let days = micros >= 0 ? micros / perDay : (micros - perDay + 1) / perDay
        return date(daysSince2000: Int(days)) + " " + clock(microseconds: micros - days * perDay)
    }

    /// `HH:MM:SS[.ffffff]` for microseconds since midnight.
    static func clock(microseconds: Int64) -> String {
        let seconds = microseconds / 1_000_000, fraction = microseconds % 1_000_000
        var text = String(format: "%02d:%02d:%02d", Int(seconds / 3600), Int(seconds / 60 % 60), Int(seconds % 60))
        if fraction != 0 {
            var digits = String(format: "%06d", Int(fraction))
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }

    /// PostgreSQL's own output style: `1 year 2 mons 3 days 04:05:06`; `00:00:00` alone when empty.
    static func interval(months: Int, days: Int, microseconds: Int64) -> String {
        var parts: [String] = []
        func unit(_ value: Int, _ singular: String, _ plural: String) {
            if value != 0 { parts.append("\(value) \(abs(value) == 1 ? singular : plural)") }
        }
        unit(months / 12, "year", "years")
        unit(months % 12, "mon", "mons")
        unit(days, "day", "days")
        if microseconds != 0 || parts.isEmpty {
            parts.append((microseconds < 0 ? "-" : "") + clock(microseconds: abs(microseconds)))
        }
        return parts.joined(separator: " ")
    }
}

/// A bound value in text format whose type the server works out (type OID 0).
struct UntypedText: PostgresDynamicTypeEncodable {
    var text: String

    var psqlType: PostgresDataType { PostgresDataType(0) }
    var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }
}
