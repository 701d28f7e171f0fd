import FloeContract
import FloeEngine

/// A query turned into SQL for one engine: the text, the values bound to its placeholders, and
/// what each result column is.
public struct GeneratedQuery: Sendable {
    public var sql: String
    /// Bound in order: the first is the dialect's `parameter(1)`.
    public var parameters: [SQLValue]
    /// `select count(*)` over the query without its order, limit and offset, when `total` was
    /// asked; it uses the first ``totalParameterCount`` parameters.
    public var totalSQL: String?
    public var totalParameterCount: Int
    public var columns: [ResultColumn]
    /// The rollup that answers the query, when one does (`Cube.name`).
    public var preAggregation: String?
    /// The relation of that rollup.
    public var preAggregationTable: Relation?
    /// The cubes the statement reads, the join tree's root first.
    public var cubes: [String] = []
    /// Whether a join repeats the rows of a cube whose measures are selected.
    var repeatsMeasureRows = false
    /// Where in ``parameters`` the query's row limit and offset are bound: the same SQL answers
    /// the query with another limit or offset, those values changed.
    var limitParameter: Int?
    var offsetParameter: Int?

    /// This statement for `query`, which differs from the one it was made for at most in its
    /// limit and offset.
    func paging(_ query: CubeQuery) -> GeneratedQuery {
        var paged = self
        if let index = limitParameter { paged.parameters[index] = .integer(Int64(query.effectiveLimit)) }
        if let index = offsetParameter, let offset = query.offset { paged.parameters[index] = .integer(Int64(offset)) }
        return paged
    }
}

/// One column of a query's result: which member it is and how Cube writes its values.
public struct ResultColumn: Sendable {
    public enum Kind: Sendable, Equatable {
        case measure
        case dimension
        /// A time dimension at a granularity: the row carries it as `Cube.member.granularity`
        /// and as `Cube.member`.
        case timeDimension(DatePart)
    }

    /// `Cube.member`.
    public var member: String
    /// The column's name in the SQL.
    public var alias: String
    public var kind: Kind
    /// Cube's type: `number`, `string`, `time`, `boolean` (a measure is a `number`).
    public var type: String
    public var title: String
    public var shortTitle: String
    public var format: String?
    public var drillMembers: [String]

    /// The key (or keys) the row uses for this column in `data`.
    public var keys: [String] {
        if case .timeDimension(let granularity) = kind { return ["\(member).\(granularity.rawValue)", member] }
        return [member]
    }
}

/// The values a statement binds, with the placeholder for each as it is added.
final class BoundValues {
    private let dialect: any SQLDialect
    private(set) var values: [SQLValue] = []

    init(dialect: any SQLDialect) {
        self.dialect = dialect
    }

    func add(_ value: SQLValue) -> String {
        values.append(value)
        return dialect.parameter(values.count)
    }
}
