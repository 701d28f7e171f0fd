/// Column lineage in OpenLineage's terms: for each output column, the input columns it derives
/// from and how (DIRECT: IDENTITY, TRANSFORMATION, AGGREGATION), and the input columns that decide
/// which rows there are (INDIRECT: JOIN, FILTER, GROUP_BY, SORT, WINDOW, CONDITIONAL).

/// A column of a relation the query reads: the relation by the key the catalog gave it.
public struct SourceColumn: Hashable, Sendable, Comparable {
    public var relation: String
    public var column: String

    public init(relation: String, column: String) {
        self.relation = relation
        self.column = column
    }

    public static func < (lhs: SourceColumn, rhs: SourceColumn) -> Bool {
        (lhs.relation, lhs.column) < (rhs.relation, rhs.column)
    }
}

/// How an output takes an input's values, from the most faithful to the least.
public enum DirectLineage: String, Sendable, Comparable, CaseIterable {
    case identity = "IDENTITY"
    case transformation = "TRANSFORMATION"
    case aggregation = "AGGREGATION"

    public static func < (lhs: DirectLineage, rhs: DirectLineage) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How an input decides an output without flowing into it.
public enum IndirectLineage: String, Sendable, CaseIterable, Comparable {
    case join = "JOIN"
    case filter = "FILTER"
    case groupBy = "GROUP_BY"
    case sort = "SORT"
    case window = "WINDOW"
    case conditional = "CONDITIONAL"

    public static func < (lhs: IndirectLineage, rhs: IndirectLineage) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What one input column is to one output: a direct flow (at most one, the least faithful seen)
/// and the indirect roles it plays.
public struct LineageEdges: Hashable, Sendable {
    public var direct: DirectLineage?
    public var indirect: Set<IndirectLineage>

    public init(direct: DirectLineage? = nil, indirect: Set<IndirectLineage> = []) {
        self.direct = direct
        self.indirect = indirect
    }

    public mutating func merge(_ other: LineageEdges) {
        direct = [direct, other.direct].compactMap { $0 }.max()
        indirect.formUnion(other.indirect)
    }
}

/// Input columns and what each is to something (an output column, or the rows of the result).
public typealias ColumnInputs = [SourceColumn: LineageEdges]

/// The lineage of one query's result.
public struct QueryColumnLineage: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var name: String
        public var inputs: ColumnInputs

        public init(name: String, inputs: ColumnInputs) {
            self.name = name
            self.inputs = inputs
        }
    }

    /// The result's columns, in order.
    public var columns: [Column]
    /// Inputs that decide the result's rows as a whole (joins, filters, grouping, sorting): only
    /// indirect edges.
    public var dataset: ColumnInputs
}

/// A relation the catalog knows: a key that identifies it and the columns known of it.
public struct CatalogRelation: Sendable, Equatable {
    public var key: String
    /// In order. Maybe not all of them: see `complete`.
    public var columns: [String]
    /// Whether `columns` are all it has (a seed's header, a model's analysed SELECT) rather than
    /// some that were documented (a source's properties). Only a complete relation expands `*`
    /// or rules itself out when an unqualified column is looked for.
    public var complete: Bool

    public init(key: String, columns: [String], complete: Bool) {
        self.key = key
        self.columns = columns
        self.complete = complete
    }
}

/// Where the analysis finds the relations a query names.
public protocol LineageCatalog: Sendable {
    /// The relation a name (its parts as written, unquoted) stands for; nil when it is unknown.
    func relation(named parts: [String]) -> CatalogRelation?
}

/// Why a query gets no column lineage: something the analysis cannot see through, which it
/// reports rather than guess an edge.
public struct ColumnLineageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension Dictionary where Key == SourceColumn, Value == LineageEdges {
    public mutating func merge(_ other: ColumnInputs) {
        for (column, edges) in other { self[column, default: LineageEdges()].merge(edges) }
    }

    public func merging(_ other: ColumnInputs) -> ColumnInputs {
        var result = self
        result.merge(other)
        return result
    }

    /// As flowing through `kind`: each direct edge becomes at least that unfaithful.
    public func through(_ kind: DirectLineage) -> ColumnInputs {
        mapValues { edges in
            LineageEdges(direct: edges.direct.map { Swift.max($0, kind) }, indirect: edges.indirect)
        }
    }

    /// As deciding something through `kind` without flowing into it.
    public func only(_ kind: IndirectLineage) -> ColumnInputs {
        mapValues { edges in LineageEdges(direct: nil, indirect: edges.indirect.union([kind])) }
    }
}
