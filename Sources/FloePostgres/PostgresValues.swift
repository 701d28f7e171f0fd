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
        default:
            if let text = try? cell.decode(String.self) { return .text(text) }
            return .text(String(decoding: bytes.readableBytesView, as: UTF8.self))
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
        return .real(NSDecimalNumber(decimal: decimal).doubleValue)
    }

    /// PostgreSQL counts dates and timestamps from 2000-01-01, 10,957 days after 1970-01-01.
    private static let epochOffsetDays: Int64 = 10_957

    static func date(daysSince2000 days: Int) -> String {
        CivilDate.text(days: Int64(days) + epochOffsetDays)
    }

    static func timestamp(microsecondsSince2000 micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        var text = CivilDate.timestamp(seconds: seconds + epochOffsetDays * 86_400)
        if fraction != 0 {
            var digits = String(format: "%06d", Int(fraction))
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
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
