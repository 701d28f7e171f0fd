import Foundation
import FloeEngine

/// Turns a CSV field into the value a column of the seed's type stores, as dbt-sqlite does
/// through agate: missing values are NULL, booleans 1/0, timestamps `YYYY-MM-DD HH:MM:SS` text.
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

    /// dbt's null values for seeds: an empty field or `null` in any case (so `NA` stays text).
    static func isMissing(_ field: String) -> Bool {
        let trimmed = field.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || trimmed.lowercased() == "null"
    }

    static func value(_ field: String, _ affinity: Affinity) -> SQLValue {
        if isMissing(field) { return .null }
        switch affinity {
        case .integer:
            if let number = Int64(field.hasPrefix("+") ? String(field.dropFirst()) : field) { return .integer(number) }
        case .real:
            if let number = Double(field) { return .real(number) }
        case .boolean:
            switch field.lowercased() {
            case "true": return .integer(1)
            case "false": return .integer(0)
            default: break
            }
        case .timestamp:
            return .text(field.replacingOccurrences(of: "T", with: " "))
        case .text:
            break
        }
        return .text(field)
    }
}
