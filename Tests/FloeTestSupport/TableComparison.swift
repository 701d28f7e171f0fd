import FloeEngine
import Foundation

/// Two engines' rows of one relation, compared as multisets: rows are sorted by their values,
/// then paired. Numbers compare by value (an integer 12 equals a real 12.0), reals within a
/// relative 1e-9 unless told otherwise (sums and averages of doubles in another order), and values that one engine
/// rounds from a double and the other from an exact decimal within half a unit of the last
/// rounded digit. Text holding JSON compares as JSON (`1.0` and `1.000` are one number).
/// `_loaded_at` columns are left out: they hold the moment each build loaded its rows.
public struct TableComparison {
    public var left: ResultSet
    public var right: ResultSet
    /// How messages name the two sides (`SQLite`, `PostgreSQL`).
    public var names: (left: String, right: String)
    public var relativeTolerance: Double

    public init(_ left: ResultSet, _ right: ResultSet, names: (left: String, right: String), relativeTolerance: Double = 1e-9) {
        self.left = left
        self.right = right
        self.names = names
        self.relativeTolerance = relativeTolerance
    }

    static let clockColumns: Set<String> = ["_loaded_at"]

    public var firstDifference: String? {
        guard left.rows.count == right.rows.count else {
            return "\(left.rows.count) rows on \(names.left), \(right.rows.count) on \(names.right)"
        }
        guard left.rows.isEmpty || left.columns == right.columns else {
            return "columns \(left.columns) on \(names.left), \(right.columns) on \(names.right)"
        }
        let kept = left.columns.indices.filter { !Self.clockColumns.contains(left.columns[$0]) }
        func project(_ rows: [[SQLValue]]) -> [[SQLValue]] { rows.map { row in kept.map { row[$0] } } }
        let first = project(left.rows).sorted(by: Self.ordered), second = project(right.rows).sorted(by: Self.ordered)
        for (index, (a, b)) in zip(first, second).enumerated() {
            guard a.count == b.count else { return "row \(index): \(a.count) columns against \(b.count)" }
            for (column, (x, y)) in zip(a, b).enumerated() where !Self.same(x, y, tolerance: relativeTolerance) {
                let name = left.columns[kept[column]]
                return "row \(index), column \(name): \(names.left) \(x.displayText ?? "null"), \(names.right) \(y.displayText ?? "null")"
            }
        }
        return nil
    }

    public static func number(_ value: SQLValue) -> Double? {
        switch value {
        case .integer(let number): Double(number)
        case .real(let number): number
        default: nil
        }
    }

    public static func same(_ a: SQLValue, _ b: SQLValue, tolerance: Double = 1e-9) -> Bool {
        if let x = number(a), let y = number(b) {
            let scale = max(1, abs(x), abs(y))
            return abs(x - y) <= tolerance * scale || roundedApart(x, y)
        }
        if a.displayText == b.displayText { return true }
        guard case .text(let x) = a, case .text(let y) = b, x.hasPrefix("{") || x.hasPrefix("["),
              let left = try? JSONSerialization.jsonObject(with: Data(x.utf8)),
              let right = try? JSONSerialization.jsonObject(with: Data(y.utf8)) else { return false }
        return sameJSON(left, right)
    }

    public static func sameJSON(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            return x.keys.sorted() == y.keys.sorted() && x.keys.allSatisfy { sameJSON(x[$0]!, y[$0]!) }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy(sameJSON)
        case (let x as NSNumber, let y as NSNumber):
            return same(.real(x.doubleValue), .real(y.doubleValue))
        case (is NSNull, is NSNull):
            return true
        case (let x as String, let y as String):
            return x == y
        default:
            return false
        }
    }

    /// 2.675 rounded to 2 places is 2.67 from a double and 2.68 from a decimal: both are the
    /// same value rounded, one unit of the last digit apart, the unrounded value on the half.
    public static func roundedApart(_ x: Double, _ y: Double) -> Bool {
        for places in 0...4 {
            let unit = pow(10, -Double(places))
            let difference = abs(x - y)
            if abs(difference - unit) < unit * 1e-6,
               abs((x * pow(10, Double(places))).rounded() - x * pow(10, Double(places))) < 1e-6,
               abs((y * pow(10, Double(places))).rounded() - y * pow(10, Double(places))) < 1e-6 {
                return true
            }
        }
        return false
    }

    /// Numbers by value (rounded to 6 places, so engines' last-bit noise does not reorder rows), then text.
    public static func ordered(_ a: [SQLValue], _ b: [SQLValue]) -> Bool {
        for (x, y) in zip(a, b) {
            let left = key(x), right = key(y)
            if left != right { return left < right }
        }
        return false
    }

    private static func key(_ value: SQLValue) -> String {
        if let number = number(value) { return String(format: "n%+024.6f", number) }
        return value.displayText.map { "t" + $0 } ?? "0"
    }
}
