import Foundation
import FloeCore

/// One value read from or written to a warehouse, in the few storage classes every engine shares.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The value as text for display and CSV: integers without a fraction, reals in their shortest form.
    public var displayText: String? {
        switch self {
        case .null: return nil
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .text(let value): return value
        case .blob(let bytes): return "x'" + Hex.string(bytes) + "'"
        }
    }
}

/// Rows a query returned, with their column names.
public struct ResultSet: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[SQLValue]]

    public init(columns: [String], rows: [[SQLValue]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// What a relation is in the warehouse.
public enum RelationKind: String, Sendable {
    case table, view
}
