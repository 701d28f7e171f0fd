/// A data test: SQL that returns the failing rows.
public struct CompiledTest: Codable, Sendable, Equatable {
    public enum Severity: String, Codable, Sendable, CaseIterable {
        case error, warn
    }

    public var uniqueID: String
    public var name: String
    /// `not_null`, `unique`, `accepted_values`, `relationships`, or `singular`.
    public var testName: String
    /// The node the test is attached to, and the column, when it is a column test.
    public var attachedNode: String?
    public var column: String?
    public var severity: Severity
    public var sql: String
    public var dependsOn: [String]
    public var tags: [String]
    /// dbt's `warn_if` and `error_if`: a comparison with the number of failing rows (`>10`,
    /// `!=0`); nil is dbt's default, `!=0`.
    public var warnIf: String?
    public var errorIf: String?
    /// dbt's `limit`: at most this many failing rows are counted and stored.
    public var limit: Int?
    /// dbt's `store_failures`: true keeps the failing rows of every run in the audit schema,
    /// false never; nil (floe's default) keeps them when the test fails or warns.
    public var storeFailures: Bool?
    /// Since 2.0: true when the test's template queries the database, so it is rendered at apply
    /// time from the plan's ``TemplateLibrary`` (`sql` is its parse rendering, not run). Nil otherwise.
    public var renderAtApply: Bool?
    /// Since 2.3: dbt's `fail_calc`, the expression over the test's rows that is its number of
    /// failures (`sum(coalesce(diff_count, 0))`); nil is dbt's default, `count(*)`.
    public var failCalc: String?

    public init(
        uniqueID: String, name: String, testName: String, attachedNode: String?, column: String?,
        severity: Severity, sql: String, dependsOn: [String], tags: [String] = [], warnIf: String? = nil,
        errorIf: String? = nil, limit: Int? = nil, storeFailures: Bool? = nil, renderAtApply: Bool? = nil, failCalc: String? = nil
    ) {
        self.failCalc = failCalc
        self.renderAtApply = renderAtApply
        self.warnIf = warnIf
        self.errorIf = errorIf
        self.limit = limit
        self.storeFailures = storeFailures
        self.uniqueID = uniqueID
        self.name = name
        self.testName = testName
        self.attachedNode = attachedNode
        self.column = column
        self.severity = severity
        self.sql = sql
        self.dependsOn = dependsOn
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case uniqueID = "unique_id"
        case testName = "test_name"
        case attachedNode = "attached_node"
        case dependsOn = "depends_on"
        case warnIf = "warn_if"
        case errorIf = "error_if"
        case storeFailures = "store_failures"
        case renderAtApply = "render_at_apply"
        case failCalc = "fail_calc"
        case name, column, severity, sql, tags, limit
    }
}

extension CompiledTest: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("attached_node", attachedNode, in: &object)
        writer.field("column", column, in: &object)
        writer.field("depends_on", dependsOn, in: &object)
        writer.field("error_if", errorIf, in: &object)
        writer.field("limit", limit, in: &object)
        writer.field("name", name, in: &object)
        writer.field("render_at_apply", renderAtApply, in: &object)
        writer.field("severity", severity.rawValue, in: &object)
        writer.field("sql", sql, in: &object)
        writer.field("store_failures", storeFailures, in: &object)
        writer.field("tags", tags, in: &object)
        writer.field("test_name", testName, in: &object)
        writer.field("unique_id", uniqueID, in: &object)
        writer.field("warn_if", warnIf, in: &object)
        writer.close(object)
    }
}
