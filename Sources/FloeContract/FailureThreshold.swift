import Foundation

/// dbt's `warn_if` / `error_if` on a test: a comparison of the number of failing rows with a whole
/// number (`!=0`, dbt's default for both; `>10`; `>= 100`). The compiler refuses any other text,
/// and the executor evaluates it; the plan holds it normalized (`>=100`, no spaces).
public struct FailureThreshold: Sendable, Equatable {
    public enum Comparison: String, Sendable, CaseIterable {
        case equal = "==", notEqual = "!=", sqlNotEqual = "<>", greaterOrEqual = ">=", lessOrEqual = "<=", greater = ">", less = "<"
    }

    public var comparison: Comparison
    public var value: Int

    /// dbt's default for both thresholds.
    public static let dbtDefault = FailureThreshold(comparison: .notEqual, value: 0)

    public init(comparison: Comparison, value: Int) {
        self.comparison = comparison
        self.value = value
    }

    /// Parses `>10`, `!= 0`, `<>0`, and SQL's `=0` (dbt splices the text into SQL, so it takes
    /// that too; it is kept as `==0`); nil for anything else.
    public init?(_ text: String) {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("="), !trimmed.hasPrefix("==") { trimmed = "=" + trimmed }
        // Two-character operators first, so `>=` is not read as `>` followed by `=…`.
        let operators = Comparison.allCases.sorted { $0.rawValue.count > $1.rawValue.count }
        guard let found = operators.first(where: { trimmed.hasPrefix($0.rawValue) }),
              let number = Int(trimmed.dropFirst(found.rawValue.count).trimmingCharacters(in: .whitespaces)) else { return nil }
        comparison = found
        value = number
    }

    public var text: String { comparison.rawValue + String(value) }

    /// Whether `failures` failing rows meet the threshold.
    public func isMet(by failures: Int) -> Bool {
        switch comparison {
        case .equal: failures == value
        case .notEqual, .sqlNotEqual: failures != value
        case .greaterOrEqual: failures >= value
        case .lessOrEqual: failures <= value
        case .greater: failures > value
        case .less: failures < value
        }
    }
}
