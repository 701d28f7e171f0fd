import Foundation
import NIOCore

/// A PostgreSQL type as the protocol names it: its OID, its size in RowDescription, and its
/// name as `format_type` prints it. Values cross the wire as text; ``encodeBinary(_:)`` and
/// ``decode(_:format:)`` convert for clients that ask for the binary format.
public struct PGType: Sendable, Hashable {
    public var oid: UInt32
    public var size: Int16
    /// `typname` in pg_type (`int8`, `_text` for text[]).
    public var name: String
    /// What `format_type` prints (`bigint`, `text[]`, `timestamp without time zone`).
    public var displayName: String
    /// pg_type's `typcategory` (`N` numeric, `S` string, `B` boolean, `D` date/time, `A` array, `U` user).
    public var category: Character

    public init(oid: UInt32, size: Int16, name: String, displayName: String, category: Character) {
        self.oid = oid
        self.size = size
        self.name = name
        self.displayName = displayName
        self.category = category
    }

    public static let bool = PGType(oid: 16, size: 1, name: "bool", displayName: "boolean", category: "B")
    public static let bytea = PGType(oid: 17, size: -1, name: "bytea", displayName: "bytea", category: "U")
    public static let char = PGType(oid: 18, size: 1, name: "char", displayName: "\"char\"", category: "Z")
    public static let name = PGType(oid: 19, size: 64, name: "name", displayName: "name", category: "S")
    public static let int8 = PGType(oid: 20, size: 8, name: "int8", displayName: "bigint", category: "N")
    public static let int2 = PGType(oid: 21, size: 2, name: "int2", displayName: "smallint", category: "N")
    public static let int2vector = PGType(oid: 22, size: -1, name: "int2vector", displayName: "int2vector", category: "A")
    public static let int4 = PGType(oid: 23, size: 4, name: "int4", displayName: "integer", category: "N")
    public static let regproc = PGType(oid: 24, size: 4, name: "regproc", displayName: "regproc", category: "N")
    public static let text = PGType(oid: 25, size: -1, name: "text", displayName: "text", category: "S")
    public static let oid = PGType(oid: 26, size: 4, name: "oid", displayName: "oid", category: "N")
    public static let oidvector = PGType(oid: 30, size: -1, name: "oidvector", displayName: "oidvector", category: "A")
    public static let json = PGType(oid: 114, size: -1, name: "json", displayName: "json", category: "U")
    public static let pgNodeTree = PGType(oid: 194, size: -1, name: "pg_node_tree", displayName: "pg_node_tree", category: "Z")
    public static let float4 = PGType(oid: 700, size: 4, name: "float4", displayName: "real", category: "N")
    public static let float8 = PGType(oid: 701, size: 8, name: "float8", displayName: "double precision", category: "N")
    public static let unknown = PGType(oid: 705, size: -2, name: "unknown", displayName: "unknown", category: "X")
    public static let charArray = PGType(oid: 1002, size: -1, name: "_char", displayName: "\"char\"[]", category: "A")
    public static let nameArray = PGType(oid: 1003, size: -1, name: "_name", displayName: "name[]", category: "A")
    public static let int2Array = PGType(oid: 1005, size: -1, name: "_int2", displayName: "smallint[]", category: "A")
    public static let int4Array = PGType(oid: 1007, size: -1, name: "_int4", displayName: "integer[]", category: "A")
    public static let textArray = PGType(oid: 1009, size: -1, name: "_text", displayName: "text[]", category: "A")
    public static let oidArray = PGType(oid: 1028, size: -1, name: "_oid", displayName: "oid[]", category: "A")
    public static let aclitemArray = PGType(oid: 1034, size: -1, name: "_aclitem", displayName: "aclitem[]", category: "A")
    public static let bpchar = PGType(oid: 1042, size: -1, name: "bpchar", displayName: "character", category: "S")
    public static let varchar = PGType(oid: 1043, size: -1, name: "varchar", displayName: "character varying", category: "S")
    public static let date = PGType(oid: 1082, size: 4, name: "date", displayName: "date", category: "D")
    public static let time = PGType(oid: 1083, size: 8, name: "time", displayName: "time without time zone", category: "D")
    public static let timestamp = PGType(oid: 1114, size: 8, name: "timestamp", displayName: "timestamp without time zone", category: "D")
    public static let timestamptz = PGType(oid: 1184, size: 8, name: "timestamptz", displayName: "timestamp with time zone", category: "D")
    public static let interval = PGType(oid: 1186, size: 16, name: "interval", displayName: "interval", category: "T")
    public static let numeric = PGType(oid: 1700, size: -1, name: "numeric", displayName: "numeric", category: "N")
    public static let regclass = PGType(oid: 2205, size: 4, name: "regclass", displayName: "regclass", category: "N")
    public static let regtype = PGType(oid: 2206, size: 4, name: "regtype", displayName: "regtype", category: "N")
    public static let record = PGType(oid: 2249, size: -1, name: "record", displayName: "record", category: "P")
    public static let void = PGType(oid: 2278, size: 4, name: "void", displayName: "void", category: "P")
    public static let uuid = PGType(oid: 2950, size: 16, name: "uuid", displayName: "uuid", category: "U")
    public static let jsonb = PGType(oid: 3802, size: -1, name: "jsonb", displayName: "jsonb", category: "U")

    /// Every type the server knows, as pg_type lists them.
    public static let all: [PGType] = [
        bool, bytea, char, name, int8, int2, int2vector, int4, regproc, text, oid, oidvector, json, pgNodeTree, float4, float8, unknown,
        charArray, nameArray, int2Array, int4Array, textArray, oidArray, aclitemArray, bpchar, varchar, date, time, timestamp, timestamptz,
        interval, numeric, regclass, regtype, record, void, uuid, jsonb,
    ]

    private static let byOID: [UInt32: PGType] = Dictionary(uniqueKeysWithValues: all.map { ($0.oid, $0) })

    public static func named(oid: UInt32) -> PGType? { byOID[oid] }

    /// The type a name in a cast means (`int`, `integer`, `int4`, `varchar`, `regclass`, …).
    public static func named(_ name: String) -> PGType? {
        switch name.lowercased() {
        case "bool", "boolean": bool
        case "int2", "smallint": int2
        case "int", "int4", "integer": int4
        case "int8", "bigint": int8
        case "float4", "real": float4
        case "float8", "float", "double precision": float8
        case "numeric", "decimal": numeric
        case "text": text
        case "varchar", "character varying": varchar
        case "bpchar", "character": bpchar
        case "char": char
        case "name": PGType.name
        case "oid": oid
        case "regclass": regclass
        case "regtype": regtype
        case "regproc": regproc
        case "date": date
        case "time": time
        case "timestamp": timestamp
        case "timestamptz": timestamptz
        case "interval": interval
        case "json": json
        case "jsonb": jsonb
        case "uuid": uuid
        case "bytea": bytea
        default: all.first { $0.name == name.lowercased() }
        }
    }

    /// The value in the binary format, from its text; nil when this type has no binary encoding
    /// here or the text is not a value of it.
    public func encodeBinary(_ text: String) -> ByteBuffer? {
        var buffer = ByteBuffer()
        switch oid {
        case Self.bool.oid: buffer.writeInteger(UInt8(text == "t" || text == "true" ? 1 : 0))
        case Self.int2.oid:
            guard let value = Int16(text) else { return nil }
            buffer.writeInteger(value)
        case Self.int4.oid:
            guard let value = Int32(text) else { return nil }
            buffer.writeInteger(value)
        case Self.int8.oid:
            guard let value = Int64(text) else { return nil }
            buffer.writeInteger(value)
        case Self.oid.oid, Self.regclass.oid, Self.regtype.oid, Self.regproc.oid:
            guard let value = UInt32(text) else { return nil }
            buffer.writeInteger(value)
        case Self.float4.oid:
            guard let value = Float(text) else { return nil }
            buffer.writeInteger(value.bitPattern)
        case Self.float8.oid:
            guard let value = Double(text) else { return nil }
            buffer.writeInteger(value.bitPattern)
        case Self.text.oid, Self.varchar.oid, Self.bpchar.oid, Self.name.oid, Self.char.oid, Self.json.oid, Self.unknown.oid:
            buffer.writeString(text)
        default:
            return nil
        }
        return buffer
    }

    /// A bound parameter's value as text: text-format values as sent, binary ones decoded by
    /// their type. nil for a binary value of a type not decoded here.
    public static func decode(_ value: ByteBuffer, format: Int16, type: PGType?) -> String? {
        var value = value
        guard format == 1 else { return value.readString(length: value.readableBytes) }
        switch type?.oid ?? Self.text.oid {
        case bool.oid: return value.readInteger(as: UInt8.self).map { $0 == 0 ? "f" : "t" }
        case int2.oid: return value.readInteger(as: Int16.self).map { String($0) }
        case int4.oid: return value.readInteger(as: Int32.self).map { String($0) }
        case int8.oid: return value.readInteger(as: Int64.self).map { String($0) }
        case oid.oid, regclass.oid, regtype.oid: return value.readInteger(as: UInt32.self).map { String($0) }
        case float4.oid: return value.readInteger(as: UInt32.self).map { "\(Float(bitPattern: $0))" }
        case float8.oid: return value.readInteger(as: UInt64.self).map { "\(Double(bitPattern: $0))" }
        case numeric.oid: return decodeNumeric(&value)
        case date.oid:
            guard let days = value.readInteger(as: Int32.self) else { return nil }
            return PGDates.text(secondsSince2000: Int64(days) * 86_400, dateOnly: true)
        case timestamp.oid, timestamptz.oid:
            guard let micros = value.readInteger(as: Int64.self) else { return nil }
            let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
            let fraction = micros - seconds * 1_000_000
            var text = PGDates.text(secondsSince2000: seconds, dateOnly: false)
            if fraction != 0 { text += "." + String(String(fraction + 1_000_000).dropFirst()) }
            return text
        case text.oid, varchar.oid, bpchar.oid, name.oid, char.oid, json.oid, unknown.oid:
            return value.readString(length: value.readableBytes)
        default: return nil
        }
    }

    /// numeric's binary form: digit count, weight, sign, display scale, then base-10000 digits.
    private static func decodeNumeric(_ value: inout ByteBuffer) -> String? {
        guard let count = value.readInteger(as: Int16.self), let weight = value.readInteger(as: Int16.self),
              let sign = value.readInteger(as: UInt16.self), let scale = value.readInteger(as: Int16.self) else { return nil }
        if sign == 0xC000 { return "NaN" }
        var digits: [Int] = []
        for _ in 0..<count {
            guard let digit = value.readInteger(as: Int16.self) else { return nil }
            digits.append(Int(digit))
        }
        var integer = ""
        for group in 0...max(Int(weight), 0) {
            let digit = group < digits.count && weight >= 0 ? digits[group] : 0
            integer += group == 0 ? String(digit) : String(String(digit + 10_000).dropFirst())
        }
        if weight < 0 { integer = "0" }
        var fraction = ""
        var group = Int(weight) + 1
        while fraction.count < scale {
            let digit = group >= 0 && group < digits.count ? digits[group] : 0
            fraction += String(String(digit + 10_000).dropFirst())
            group += 1
        }
        fraction = String(fraction.prefix(Int(scale)))
        return (sign == 0x4000 ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
    }
}

/// Dates as PostgreSQL's binary format counts them: from 2000-01-01.
enum PGDates {
    static func text(secondsSince2000: Int64, dateOnly: Bool) -> String {
        let date = Date(timeIntervalSince1970: Double(secondsSince2000 + 946_684_800))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        let day = String(format: "%04d", parts.year ?? 0) + "-" + two(parts.month) + "-" + two(parts.day)
        return dateOnly ? day : day + " " + two(parts.hour) + ":" + two(parts.minute) + ":" + two(parts.second)
    }
}
