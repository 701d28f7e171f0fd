import FloeEngine

/// TCLIService's columnar row set (`TRowSet.columns`, one `TColumn` per column: its values and a
/// bitmap of nulls) as rows of the engine's values.
enum HiveRowSet {
    struct Column {
        var name: String
        /// TTypeId: BOOLEAN 0, TINYINT 1, SMALLINT 2, INT 3, BIGINT 4, FLOAT 5, DOUBLE 6, STRING 7,
        /// TIMESTAMP 8, BINARY 9, ARRAY 10, MAP 11, STRUCT 12, DECIMAL 15, NULL 16, DATE 17, VARCHAR 18, CHAR 19, …
        var type: Int32
    }

    static func rows(_ rowSet: ThriftValue?, columns: [Column]) throws -> [[SQLValue]] {
        guard let rowSet else { return [] }
        guard let encoded = rowSet[3]?.items else {
            if let rows = rowSet[2]?.items, !rows.isEmpty {
                throw EngineError(.unreachable, "the Spark Thrift server sent rows, not columns: floe asks for protocol V10, which has columns")
            }
            return []
        }
        let values = try zip(encoded, columns.map(\.type) + Array(repeating: 7, count: max(0, encoded.count - columns.count)))
            .map { union, type in try column(union).map { type == 15 ? decimal($0) : $0 } }
        let count = values.map(\.count).max() ?? 0
        return (0..<count).map { row in values.map { row < $0.count ? $0[row] : .null } }
    }

    /// A DECIMAL arrives as its text: an integer when whole, else a double, as PostgreSQL's
    /// numerics are read.
    private static func decimal(_ value: SQLValue) -> SQLValue {
        guard case .text(let text) = value else { return value }
        let fraction = text.split(separator: ".", maxSplits: 1).dropFirst().first
        if fraction?.allSatisfy({ $0 == "0" }) ?? true, let whole = Int64(text.split(separator: ".").first ?? "") { return .integer(whole) }
        return Double(text).map(SQLValue.real) ?? value
    }

    /// One `TColumn` (a union: one of boolVal, byteVal, i16Val, i32Val, i64Val, doubleVal,
    /// stringVal, binaryVal), each value or null.
    private static func column(_ union: ThriftValue) throws -> [SQLValue] {
        guard case .structure(let fields) = union, let (kind, content) = fields.first else {
            throw EngineError(.unreachable, "the Spark Thrift server sent a column of no known kind")
        }
        let values = content[1]?.items ?? []
        let nulls = content[2]?.bytes ?? []
        func isNull(_ index: Int) -> Bool {
            index / 8 < nulls.count && nulls[index / 8] & (1 << UInt8(index % 8)) != 0
        }
        return values.enumerated().map { index, value in
            guard !isNull(index) else { return .null }
            switch (kind, value) {
            case (1, .bool(let flag)): return .integer(flag ? 1 : 0)
            case (2, .byte(let number)): return .integer(Int64(number))
            case (3, .i16(let number)): return .integer(Int64(number))
            case (4, .i32(let number)): return .integer(Int64(number))
            case (5, .i64(let number)): return .integer(number)
            case (6, .double(let number)): return .real(number)
            case (7, .binary(let bytes)): return .text(String(decoding: bytes, as: UTF8.self))
            case (8, .binary(let bytes)): return .blob(bytes)
            default: return .null
            }
        }
    }
}
