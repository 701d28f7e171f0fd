import Foundation

/// Apache Thrift's binary protocol (strict), as HiveServer2 speaks it: just what a client of
/// TCLIService needs. Values are written from a small tree (``ThriftValue``) and read back into
/// the same tree, every field kept by its id, so a reply's unknown fields are read past.
indirect enum ThriftValue: Equatable {
    case bool(Bool)
    case byte(Int8)
    case i16(Int16)
    case i32(Int32)
    case i64(Int64)
    case double(Double)
    /// Thrift's `string` and `binary` share a wire form: bytes with a length.
    case binary([UInt8])
    case structure([Int16: ThriftValue])
    case map(key: UInt8, value: UInt8, [(ThriftValue, ThriftValue)])
    case set(element: UInt8, [ThriftValue])
    case list(element: UInt8, [ThriftValue])

    static func string(_ text: String) -> ThriftValue { .binary(Array(text.utf8)) }

    /// A struct from its fields, absent (nil) ones left out.
    static func fields(_ pairs: KeyValuePairs<Int16, ThriftValue?>) -> ThriftValue {
        var fields: [Int16: ThriftValue] = [:]
        for (id, value) in pairs { if let value { fields[id] = value } }
        return .structure(fields)
    }

    static func == (lhs: ThriftValue, rhs: ThriftValue) -> Bool {
        switch (lhs, rhs) {
        case (.bool(let a), .bool(let b)): a == b
        case (.byte(let a), .byte(let b)): a == b
        case (.i16(let a), .i16(let b)): a == b
        case (.i32(let a), .i32(let b)): a == b
        case (.i64(let a), .i64(let b)): a == b
        case (.double(let a), .double(let b)): a == b || (a.isNaN && b.isNaN)
        case (.binary(let a), .binary(let b)): a == b
        case (.structure(let a), .structure(let b)): a == b
        case (.map(let ka, let va, let a), .map(let kb, let vb, let b)):
            ka == kb && va == vb && a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.set(let ea, let a), .set(let eb, let b)), (.list(let ea, let a), .list(let eb, let b)): ea == eb && a == b
        default: false
        }
    }

    /// The wire type of the value.
    var type: UInt8 {
        switch self {
        case .bool: ThriftType.bool
        case .byte: ThriftType.byte
        case .i16: ThriftType.i16
        case .i32: ThriftType.i32
        case .i64: ThriftType.i64
        case .double: ThriftType.double
        case .binary: ThriftType.string
        case .structure: ThriftType.structure
        case .map: ThriftType.map
        case .set: ThriftType.set
        case .list: ThriftType.list
        }
    }

    // Readers for what a reply holds; nil when the field is absent or of another type.
    subscript(_ id: Int16) -> ThriftValue? {
        if case .structure(let fields) = self { return fields[id] }
        return nil
    }

    var int32: Int32? { if case .i32(let value) = self { return value }; return nil }
    var int64: Int64? { if case .i64(let value) = self { return value }; return nil }
    var boolean: Bool? { if case .bool(let value) = self { return value }; return nil }
    var bytes: [UInt8]? { if case .binary(let value) = self { return value }; return nil }
    var text: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
    var items: [ThriftValue]? {
        switch self {
        case .list(_, let items), .set(_, let items): items
        default: nil
        }
    }
}

enum ThriftType {
    static let stop: UInt8 = 0, bool: UInt8 = 2, byte: UInt8 = 3, double: UInt8 = 4, i16: UInt8 = 6, i32: UInt8 = 8
    static let i64: UInt8 = 10, string: UInt8 = 11, structure: UInt8 = 12, map: UInt8 = 13, set: UInt8 = 14, list: UInt8 = 15
}

/// A Thrift message: a call and its reply share the method name and the sequence id.
struct ThriftMessage {
    enum Kind: UInt8 { case call = 1, reply = 2, exception = 3, oneway = 4 }
    var name: String
    var kind: Kind
    var sequence: Int32
    /// The arguments of a call, the result of a reply (field 0 is the returned value), or an
    /// application exception (1: message, 2: type).
    var body: ThriftValue
}

enum ThriftBinary {
    /// What reading found: more bytes are needed, or the bytes are no Thrift message.
    enum ReadError: Error, Equatable {
        case incomplete
        case malformed(String)
    }

    static func encode(_ message: ThriftMessage) -> [UInt8] {
        var out: [UInt8] = []
        append(Int32(bitPattern: 0x8001_0000 | UInt32(message.kind.rawValue)), to: &out)
        write(.string(message.name), to: &out)
        append(message.sequence, to: &out)
        write(message.body, to: &out)
        return out
    }

    /// Reads one message from the front of `bytes`; returns it and how many bytes it took.
    static func decode(_ bytes: [UInt8]) throws(ReadError) -> (ThriftMessage, Int) {
        var reader = Reader(bytes: bytes)
        let header = UInt32(bitPattern: try reader.i32())
        guard header & 0xFFFF_0000 == 0x8001_0000, let kind = ThriftMessage.Kind(rawValue: UInt8(header & 0xFF)) else {
            throw .malformed("not a Thrift binary message (header \(String(header, radix: 16)))")
        }
        let name = String(decoding: try reader.binary(), as: UTF8.self)
        let sequence = try reader.i32()
        let body = try reader.value(ThriftType.structure, depth: 0)
        return (ThriftMessage(name: name, kind: kind, sequence: sequence, body: body), reader.position)
    }

    private static func append(_ value: Int32, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    static func write(_ value: ThriftValue, to out: inout [UInt8]) {
        switch value {
        case .bool(let flag): out.append(flag ? 1 : 0)
        case .byte(let byte): out.append(UInt8(bitPattern: byte))
        case .i16(let number): withUnsafeBytes(of: number.bigEndian) { out.append(contentsOf: $0) }
        case .i32(let number): append(number, to: &out)
        case .i64(let number): withUnsafeBytes(of: number.bigEndian) { out.append(contentsOf: $0) }
        case .double(let number): withUnsafeBytes(of: number.bitPattern.bigEndian) { out.append(contentsOf: $0) }
        case .binary(let bytes):
            append(Int32(bytes.count), to: &out)
            out.append(contentsOf: bytes)
        case .structure(let fields):
            for id in fields.keys.sorted() {
                let field = fields[id]!
                out.append(field.type)
                withUnsafeBytes(of: id.bigEndian) { out.append(contentsOf: $0) }
                write(field, to: &out)
            }
            out.append(ThriftType.stop)
        case .map(let key, let valueType, let pairs):
            out.append(key)
            out.append(valueType)
            append(Int32(pairs.count), to: &out)
            for (k, v) in pairs {
                write(k, to: &out)
                write(v, to: &out)
            }
        case .set(let element, let items), .list(let element, let items):
            out.append(element)
            append(Int32(items.count), to: &out)
            for item in items { write(item, to: &out) }
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func take(_ count: Int) throws(ReadError) -> ArraySlice<UInt8> {
            guard count >= 0 else { throw .malformed("a negative length") }
            guard position + count <= bytes.count else { throw .incomplete }
            defer { position += count }
            return bytes[position..<(position + count)]
        }

        mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(ReadError) -> T {
            try take(MemoryLayout<T>.size).reduce(T.zero) { $0 << 8 | T($1) }
        }

        mutating func i32() throws(ReadError) -> Int32 { Int32(bitPattern: try integer(UInt32.self)) }

        mutating func binary() throws(ReadError) -> [UInt8] {
            let count = Int(try i32())
            // A reply of gigabytes is no reply this client asked for.
            guard count <= 1 << 30 else { throw .malformed("a length of \(count) bytes") }
            return Array(try take(count))
        }

        mutating func count() throws(ReadError) -> Int {
            let count = Int(try i32())
            guard (0...(1 << 28)).contains(count) else { throw .malformed("a collection of \(count) items") }
            return count
        }

        mutating func value(_ type: UInt8, depth: Int) throws(ReadError) -> ThriftValue {
            guard depth < 64 else { throw .malformed("values nested too deep") }
            switch type {
            case ThriftType.bool: return .bool(try take(1).first! != 0)
            case ThriftType.byte: return .byte(Int8(bitPattern: try take(1).first!))
            case ThriftType.i16: return .i16(Int16(bitPattern: try integer(UInt16.self)))
            case ThriftType.i32: return .i32(try i32())
            case ThriftType.i64: return .i64(Int64(bitPattern: try integer(UInt64.self)))
            case ThriftType.double: return .double(Double(bitPattern: try integer(UInt64.self)))
            case ThriftType.string: return .binary(try binary())
            case ThriftType.structure:
                var fields: [Int16: ThriftValue] = [:]
                while true {
                    let fieldType = try take(1).first!
                    if fieldType == ThriftType.stop { return .structure(fields) }
                    let id = Int16(bitPattern: try integer(UInt16.self))
                    fields[id] = try value(fieldType, depth: depth + 1)
                }
            case ThriftType.map:
                let key = try take(1).first!, valueType = try take(1).first!
                var pairs: [(ThriftValue, ThriftValue)] = []
                for _ in 0..<(try count()) { pairs.append((try value(key, depth: depth + 1), try value(valueType, depth: depth + 1))) }
                return .map(key: key, value: valueType, pairs)
            case ThriftType.set, ThriftType.list:
                let element = try take(1).first!
                var items: [ThriftValue] = []
                for _ in 0..<(try count()) { items.append(try value(element, depth: depth + 1)) }
                return type == ThriftType.set ? .set(element: element, items) : .list(element: element, items)
            default:
                throw .malformed("an unknown field type \(type)")
            }
        }
    }
}
