/// The expressions the semantic layer's queries use, in the SQL standard where it has them; an
/// engine overrides what it spells differently.
extension SQLDialect {
    public func comparableTimestamp(_ expression: String) -> String { "cast(\(expression) as timestamp)" }
    public func timeDimension(_ part: DatePart, _ expression: String) -> String {
        dateTrunc(part, comparableTimestamp(expression))
    }
    public func truncatedDate(_ part: DatePart, _ expression: String) -> String {
        "cast(\(dateTrunc(part, expression)) as date)"
    }
    public func timestampParameter(_ placeholder: String) -> String { "cast(\(placeholder) as timestamp)" }
    public func utcToLocal(_ expression: String, zone: String) -> String {
        "(cast(\(expression) as timestamp) at time zone 'UTC' at time zone \(zone))"
    }
    public func nullSafeEqual(_ left: String, _ right: String) -> String { "\(left) is not distinct from \(right)" }
    public func caseInsensitiveLike(_ expression: String, _ pattern: String) -> String {
        "\(expression) ilike \(pattern) escape '\\'"
    }
    /// The sum of each row's 64-bit hash (PostgreSQL's `hashtextextended`), as text.
    public func rowSignature(_ expressions: [String]) -> String {
        let row = "concat_ws(chr(31), " + expressions.map { "coalesce(cast(\($0) as text), chr(30))" }.joined(separator: ", ") + ")"
        return "cast(sum(hashtextextended(\(row), 0)) as text)"
    }
}
