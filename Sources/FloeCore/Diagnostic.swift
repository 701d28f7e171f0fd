/// One problem found in the user's input, with everything needed to fix it.
///
/// Rendered as `file:line:col: error: <path>: <message>` followed by an indented `hint:` line.
public struct Diagnostic: Hashable, Sendable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    public var severity: Severity
    public var location: SourceLocation
    /// The field the problem is in, such as `compute.warehouse.password` or `transforms[0].type`;
    /// empty for problems of the whole file.
    public var path: String
    public var message: String
    /// A suggestion for the fix ("did you mean `materialized`?"), or nil.
    public var hint: String?

    public init(
        _ severity: Severity = .error,
        at location: SourceLocation,
        path: String = "",
        _ message: String,
        hint: String? = nil
    ) {
        self.severity = severity
        self.location = location
        self.path = path
        self.message = message
        self.hint = hint
    }

    public static func error(
        at location: SourceLocation, path: String = "", _ message: String, hint: String? = nil
    ) -> Diagnostic {
        Diagnostic(.error, at: location, path: path, message, hint: hint)
    }

    public static func warning(
        at location: SourceLocation, path: String = "", _ message: String, hint: String? = nil
    ) -> Diagnostic {
        Diagnostic(.warning, at: location, path: path, message, hint: hint)
    }

    /// The message with its field path in front, as printed after the severity.
    public var headline: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
    public var errorCount: Int { count { $0.severity == .error } }
    public var warningCount: Int { count { $0.severity == .warning } }

    /// Sorted by file, line and column, so output is stable and reads top to bottom.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { a, b in
            a.element.location != b.element.location
                ? a.element.location < b.element.location : a.offset < b.offset
        }.map(\.element)
    }
}
