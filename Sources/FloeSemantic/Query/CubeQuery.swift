import FloeEngine

/// One Cube REST query, read and shape-checked (members are checked against the cubes later,
/// by ``QueryResolver``).
public struct CubeQuery: Sendable, Equatable {
    public static let defaultLimit = 10_000
    public static let maximumLimit = 50_000

    public var measures: [String] = []
    public var dimensions: [String] = []
    public var timeDimensions: [TimeDimensionQuery] = []
    public var filters: [QueryFilter] = []
    public var segments: [String] = []
    /// In order: the member and whether it sorts descending. Empty means Cube's default order.
    public var order: [OrderTerm] = []
    /// The row limit asked for (nil: the default); ``effectiveLimit`` is what runs.
    public var limit: Int?
    public var offset: Int?
    public var total = false
    public var timezone = "UTC"
    public var ungrouped = false
    /// How `data` is written: rows as objects (`default`), or `compact` (`members` and `dataset`,
    /// one array per row) or `columnar` (`members` and `columns`, one array per member).
    public var responseFormat = ResponseFormat.default

    public init() {}

    /// The default when none is given, capped at ``maximumLimit``.
    public var effectiveLimit: Int { min(limit ?? Self.defaultLimit, Self.maximumLimit) }
}

public enum ResponseFormat: String, Sendable {
    case `default`, compact, columnar
}

public struct TimeDimensionQuery: Sendable, Equatable {
    public var dimension: String
    public var granularity: DatePart?
    public var dateRange: DateRange?
    /// Cube's `compareDateRange`: the query runs once per range.
    public var compareDateRange: [DateRange]?

    public init(dimension: String, granularity: DatePart? = nil, dateRange: DateRange? = nil, compareDateRange: [DateRange]? = nil) {
        self.dimension = dimension
        self.granularity = granularity
        self.dateRange = dateRange
        self.compareDateRange = compareDateRange
    }
}

public struct OrderTerm: Sendable, Equatable {
    public var member: String
    public var descending: Bool

    public init(member: String, descending: Bool) {
        self.member = member
        self.descending = descending
    }
}

/// A filter: a condition on one member, or `and`/`or` of filters, nested as deep as wanted.
public indirect enum QueryFilter: Sendable, Equatable {
    case member(String, FilterOperator, [String])
    case and([QueryFilter])
    case or([QueryFilter])
}

/// Cube's filter operators.
public enum FilterOperator: String, Sendable, CaseIterable {
    case equals, notEquals, contains, notContains, startsWith, notStartsWith, endsWith, notEndsWith
    case gt, gte, lt, lte, set, notSet
    case inDateRange, notInDateRange, beforeDate, beforeOrOnDate, afterDate, afterOrOnDate
    case measureFilter

    /// How many values the operator takes: nil for one or more.
    var valueCount: Int? {
        switch self {
        case .set, .notSet, .measureFilter: 0
        case .gt, .gte, .lt, .lte, .beforeDate, .beforeOrOnDate, .afterDate, .afterOrOnDate: 1
        case .inDateRange, .notInDateRange: 2
        default: nil
        }
    }
}
