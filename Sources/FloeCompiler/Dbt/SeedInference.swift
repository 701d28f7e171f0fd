import FloeCore
import FloeEngine
import Foundation

/// Reads a seed's CSV text and infers each column's kind the way dbt does (through agate): the
/// first of integer, real, date, timestamp, boolean, text that every non-empty value fits.
/// Empty or blank fields and `null` in any case are missing values (`CSVReader.isNull`, the rule the
/// executor loads them by); a column of only missing values is an integer, as in dbt.
enum SeedInference {
    struct Result {
        var header: [String]
        var kinds: [ValueKind]
        var rowCount: Int
    }

    enum Failure: Error {
        case empty
        case unterminatedQuote(line: Int)
        case ragged(line: Int, expected: Int, got: Int)
    }

    /// Infers from the file's bytes; a field becomes a string only in the header.
    static func infer(_ bytes: [UInt8]) -> Swift.Result<Result, Failure> {
        var header: [String]?
        var candidates: [Set<ValueKind>] = []
        var rowCount = 0
        var recordNumber = 0
        var ragged: Failure?
        do {
            try CSVReader.forEachRecord(bytes) { record in
                recordNumber += 1
                guard ragged == nil else { return }
                guard let columns = header?.count else {
                    header = (0..<record.count).map { String(decoding: record[$0], as: UTF8.self) }
                    candidates = Array(repeating: Set(ValueKind.allCases), count: record.count)
                    return
                }
                if record.isBlank { return }
                guard record.count == columns else {
                    ragged = .ragged(line: recordNumber, expected: columns, got: record.count)
                    return
                }
                rowCount += 1
                for column in 0..<columns where candidates[column].count > 1 {
                    let field = record[column]
                    if CSVReader.isNull(field) { continue }
                    for kind in candidates[column] where kind != .text && !fits(field, kind) {
                        candidates[column].remove(kind)
                    }
                }
            }
        } catch {
            switch error {
            case .empty: return .failure(.empty)
            case .unterminatedQuote(let line): return .failure(.unterminatedQuote(line: line))
            }
        }
        if let ragged { return .failure(ragged) }
        guard let header, !header.isEmpty, header != [""] else { return .failure(.empty) }
        let kinds = candidates.map { set in ValueKind.allCases.first { set.contains($0) }! }
        return .success(Result(header: header, kinds: kinds, rowCount: rowCount))
    }

    static func fits(_ field: ArraySlice<UInt8>, _ kind: ValueKind) -> Bool {
        switch kind {
        case .integer: return isInteger(field)
        case .real: return isReal(Array(field))
        case .date: return isDate(field)
        case .timestamp: return isTimestamp(Array(field))
        case .boolean:
            let lowered = field.map { $0 | 0x20 }
            return lowered.elementsEqual("true".utf8) || lowered.elementsEqual("false".utf8)
        case .text: return true
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private static func isInteger(_ bytes: ArraySlice<UInt8>) -> Bool {
        var digits = bytes
        if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.count <= 18 && digits.allSatisfy(isDigit)
    }

    private static func isReal(_ bytes: [UInt8]) -> Bool {
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return false }
        return bytes.allSatisfy { isDigit($0) || "+-.eE".utf8.contains($0) }
    }

    /// `YYYY-MM-DD`.
    private static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count == 10 else { return false }
        let b = Array(bytes)
        guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy({ isDigit(b[$0]) }) else { return false }
        let month = Int(b[5] - 48) * 10 + Int(b[6] - 48)
        let day = Int(b[8] - 48) * 10 + Int(b[9] - 48)
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// `YYYY-MM-DD HH:MM[:SS[.ffffff]]`, `T` allowed for the space, with an optional `Z` or `±HH:MM`.
    private static func isTimestamp(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 16, isDate(bytes[0..<10]), bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T") else {
            return false
        }
        var rest = Array(bytes[11...])
        if rest.last == UInt8(ascii: "Z") { rest.removeLast() }
        if rest.count > 6, let sign = rest.dropLast(5).last, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
           rest[rest.count - 3] == UInt8(ascii: ":") {
            rest.removeLast(6)
        }
        let text = String(decoding: rest, as: UTF8.self)
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return false }
        let hour = Int(parts[0]), minute = Int(parts[1])
        guard parts[0].count == 2, parts[1].count == 2, let hour, let minute, hour < 24, minute < 60 else { return false }
        if parts.count == 3 {
            let seconds = parts[2].split(separator: ".", omittingEmptySubsequences: false)
            guard seconds[0].count == 2, let second = Int(seconds[0]), second < 61, seconds.count <= 2 else { return false }
            if seconds.count == 2, seconds[1].isEmpty || !seconds[1].utf8.allSatisfy(isDigit) { return false }
        }
        return true
    }
}

/// RFC 4180 CSV: commas, double-quoted fields with `""` escapes, CRLF or LF line ends.
