import FloeCore
import FloeEngine

/// Turns a CSV field into the value a column of the seed's type stores, as dbt-sqlite does
/// through agate: missing values are NULL, booleans 1/0, timestamps `YYYY-MM-DD HH:MM:SS` text.
/// Works on the field's bytes: a seed of a million fields should not make a million strings
/// it does not need.
enum SeedValues {
    enum Affinity {
        case integer, real, boolean, timestamp, text
    }

    static func affinity(ofType type: String?) -> Affinity {
        let name = (type ?? "text").lowercased()
        if name.contains("bool") { return .boolean }
        if name.contains("int") { return .integer }
        if ["real", "float", "double", "numeric", "decimal"].contains(where: name.contains) { return .real }
        if name.contains("timestamp") || name.contains("datetime") { return .timestamp }
        return .text
    }

    private static let space = UInt8(ascii: " ")

    static func value(_ field: ArraySlice<UInt8>, _ affinity: Affinity) -> SQLValue {
        if CSVReader.isNull(field) { return .null }
        switch affinity {
        case .integer:
            if let number = integer(field) { return .integer(number) }
        case .real:
            if let number = Double(String(decoding: field, as: UTF8.self)) { return .real(number) }
        case .boolean:
            if equalsIgnoringCase(field, "true") { return .integer(1) }
            if equalsIgnoringCase(field, "false") { return .integer(0) }
        case .timestamp:
            var bytes = Array(field)
            if bytes.count > 10, bytes[10] == UInt8(ascii: "T") { bytes[10] = space }
            return .text(String(decoding: bytes, as: UTF8.self))
        case .text:
            break
        }
        return .text(String(decoding: field, as: UTF8.self))
    }

    /// An optionally signed run of decimal digits that fits 64 bits.
    static func integer(_ field: ArraySlice<UInt8>) -> Int64? {
        var digits = field
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int64(byte - 48)
        }
        return negative ? -value : value
    }

    private static func equalsIgnoringCase(_ field: ArraySlice<UInt8>, _ word: StaticString) -> Bool {
        guard field.count == word.utf8CodeUnitCount else { return false }
        return zip(field, UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)).allSatisfy { a, b in
            a | 0x20 == b | 0x20
        }
    }
}
