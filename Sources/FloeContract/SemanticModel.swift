/// Since 1.2: a cube of the semantic layer, as a Cube data-model file declares it, resolved:
/// `{{ ref('model') }}` in its SQL replaced by the model's relation, the models it reads
/// recorded. Member SQL keeps Cube's `{CUBE}`, `{member}` and `{Cube.member}` references for the
/// query engine to expand; compile has checked that each names something that exists.
public struct CompiledCube: Codable, Sendable, Equatable {
    public var name: String
    /// The cube file, relative to floe.yaml's directory.
    public var path: String
    public var title: String?
    public var description: String?
    /// False hides the cube from `/meta` (Cube's `public`).
    public var isPublic: Bool
    /// Exactly one of `sqlTable` (a relation, rendered) and `sql` (a SELECT) is set.
    public var sqlTable: String?
    public var sql: String?
    /// Unique ids of the models the cube reads, sorted.
    public var dependsOn: [String]
    public var measures: [CubeMeasure]
    public var dimensions: [CubeDimension]
    public var joins: [CubeJoin]
    public var segments: [CubeSegment]
    public var preAggregations: [CubePreAggregation]
    /// Since 1.3: Cube's data access policies; nil when the cube has none (everyone sees all of it).
    public var accessPolicy: [CubeAccessPolicy]?

    public init(
        name: String, path: String, title: String? = nil, description: String? = nil, isPublic: Bool = true,
        sqlTable: String? = nil, sql: String? = nil, dependsOn: [String] = [], measures: [CubeMeasure] = [],
        dimensions: [CubeDimension] = [], joins: [CubeJoin] = [], segments: [CubeSegment] = [],
        preAggregations: [CubePreAggregation] = [], accessPolicy: [CubeAccessPolicy]? = nil
    ) {
        self.accessPolicy = accessPolicy
        self.name = name
        self.path = path
        self.title = title
        self.description = description
        self.isPublic = isPublic
        self.sqlTable = sqlTable
        self.sql = sql
        self.dependsOn = dependsOn
        self.measures = measures
        self.dimensions = dimensions
        self.joins = joins
        self.segments = segments
        self.preAggregations = preAggregations
    }

    enum CodingKeys: String, CodingKey {
        case isPublic = "public"
        case sqlTable = "sql_table"
        case dependsOn = "depends_on"
        case preAggregations = "pre_aggregations"
        case accessPolicy = "access_policy"
        case name, path, title, description, sql, measures, dimensions, joins, segments
    }
}

/// A measure: an aggregate over the cube's rows (`count` needs no `sql`; `number` is an
/// expression over other measures).
public struct CubeMeasure: Codable, Sendable, Equatable {
    public static let types = ["count", "count_distinct", "count_distinct_approx", "sum", "avg", "min", "max", "number", "running_total"]

    public var name: String
    public var type: String
    public var sql: String?
    public var title: String?
    public var description: String?
    public var format: String?
    /// `filters: [{sql}]`: only the rows where every condition holds count.
    public var filters: [String]
    public var drillMembers: [String]
    public var isPublic: Bool

    public init(
        name: String, type: String, sql: String? = nil, title: String? = nil, description: String? = nil,
        format: String? = nil, filters: [String] = [], drillMembers: [String] = [], isPublic: Bool = true
    ) {
        self.name = name
        self.type = type
        self.sql = sql
        self.title = title
        self.description = description
        self.format = format
        self.filters = filters
        self.drillMembers = drillMembers
        self.isPublic = isPublic
    }

    enum CodingKeys: String, CodingKey {
        case drillMembers = "drill_members"
        case isPublic = "public"
        case name, type, sql, title, description, format, filters
    }
}

/// A dimension: a column or expression to group and filter by; `case` labels rows by conditions.
public struct CubeDimension: Codable, Sendable, Equatable {
    public static let types = ["string", "number", "time", "boolean"]

    public var name: String
    public var type: String
    /// Absent only when `cases` is given.
    public var sql: String?
    public var primaryKey: Bool
    public var title: String?
    public var description: String?
    public var format: String?
    public var isPublic: Bool
    /// Cube's `case: {when: [{sql, label}], else: {label}}`.
    public var cases: [CubeCase]
    public var caseElse: String?

    public init(
        name: String, type: String, sql: String? = nil, primaryKey: Bool = false, title: String? = nil,
        description: String? = nil, format: String? = nil, isPublic: Bool = true, cases: [CubeCase] = [], caseElse: String? = nil
    ) {
        self.name = name
        self.type = type
        self.sql = sql
        self.primaryKey = primaryKey
        self.title = title
        self.description = description
        self.format = format
        self.isPublic = isPublic
        self.cases = cases
        self.caseElse = caseElse
    }

    enum CodingKeys: String, CodingKey {
        case primaryKey = "primary_key"
        case isPublic = "public"
        case caseElse = "case_else"
        case name, type, sql, title, description, format, cases
    }
}

public struct CubeCase: Codable, Sendable, Equatable {
    public var sql: String
    public var label: String

    public init(sql: String, label: String) {
        self.sql = sql
        self.label = label
    }
}

/// A join from this cube to `name`, always a LEFT JOIN on `sql`.
public struct CubeJoin: Codable, Sendable, Equatable {
    public static let relationships = ["many_to_one", "one_to_many", "one_to_one"]

    public var name: String
    public var relationship: String
    public var sql: String

    public init(name: String, relationship: String, sql: String) {
        self.name = name
        self.relationship = relationship
        self.sql = sql
    }
}

/// A named boolean condition on the cube's rows.
public struct CubeSegment: Codable, Sendable, Equatable {
    public var name: String
    public var sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

/// A rollup: the cube's measures grouped by some dimensions (and a time dimension at a
/// granularity), built as a table by `floe apply`. Members are `Cube.member`, `CUBE.` resolved.
public struct CubePreAggregation: Codable, Sendable, Equatable {
    public static let granularities = ["second", "minute", "hour", "day", "week", "month", "quarter", "year"]

    public var name: String
    public var type: String
    public var measures: [String]
    public var dimensions: [String]
    public var segments: [String]
    public var timeDimension: String?
    public var granularity: String?
    public var partitionGranularity: String?
    /// `refresh_key.every`, as written (`1 hour`).
    public var refreshEvery: String?

    public init(
        name: String, type: String = "rollup", measures: [String] = [], dimensions: [String] = [], segments: [String] = [],
        timeDimension: String? = nil, granularity: String? = nil, partitionGranularity: String? = nil, refreshEvery: String? = nil
    ) {
        self.name = name
        self.type = type
        self.measures = measures
        self.dimensions = dimensions
        self.segments = segments
        self.timeDimension = timeDimension
        self.granularity = granularity
        self.partitionGranularity = partitionGranularity
        self.refreshEvery = refreshEvery
    }

    enum CodingKeys: String, CodingKey {
        case timeDimension = "time_dimension"
        case partitionGranularity = "partition_granularity"
        case refreshEvery = "refresh_every"
        case name, type, measures, dimensions, segments, granularity
    }
}

/// Since 1.3: one of Cube's data access policies. It applies to a request whose token has the
/// `role` (in its `roles` claim), or to every request for `*`. Members are `Cube.member`.
public struct CubeAccessPolicy: Codable, Sendable, Equatable {
    public var role: String
    /// The members the role may use; nil for all of them (`includes: "*"` or no member_level).
    public var includes: [String]?
    public var excludes: [String]
    /// The rows the role sees: every filter holds; nil for all rows (`allow_all`, or no row_level).
    public var rowFilters: [AccessFilter]?

    public init(role: String, includes: [String]? = nil, excludes: [String] = [], rowFilters: [AccessFilter]? = nil) {
        self.role = role
        self.includes = includes
        self.excludes = excludes
        self.rowFilters = rowFilters
    }

    enum CodingKeys: String, CodingKey {
        case rowFilters = "row_filters"
        case role, includes, excludes
    }
}

/// A row-level filter in a Cube query's filter form: a member, an operator and values (which
/// may be `{ securityContext.claim }`), or `and`/`or` of filters.
public struct AccessFilter: Codable, Sendable, Equatable {
    /// Cube's filter operators, as a query's filters take them.
    public static let operators = [
        "equals", "notEquals", "contains", "notContains", "startsWith", "notStartsWith", "endsWith", "notEndsWith",
        "gt", "gte", "lt", "lte", "set", "notSet", "inDateRange", "notInDateRange", "beforeDate", "beforeOrOnDate",
        "afterDate", "afterOrOnDate", "measureFilter",
    ]

    public var member: String?
    public var `operator`: String?
    public var values: [String]
    public var and: [AccessFilter]?
    public var or: [AccessFilter]?

    public init(member: String? = nil, operator: String? = nil, values: [String] = [], and: [AccessFilter]? = nil, or: [AccessFilter]? = nil) {
        self.member = member
        self.operator = `operator`
        self.values = values
        self.and = and
        self.or = or
    }
}

/// Since 1.3: a Cube view: members of several cubes offered under one name, each reached from
/// the view's first cube along a join path.
public struct CompiledView: Codable, Sendable, Equatable {
    public var name: String
    /// The cube file that declares it, relative to floe.yaml's directory.
    public var path: String
    public var title: String?
    public var description: String?
    public var isPublic: Bool
    /// In the order the view lists them.
    public var members: [ViewMember]

    public init(name: String, path: String, title: String? = nil, description: String? = nil, isPublic: Bool = true, members: [ViewMember] = []) {
        self.name = name
        self.path = path
        self.title = title
        self.description = description
        self.isPublic = isPublic
        self.members = members
    }

    enum CodingKeys: String, CodingKey {
        case isPublic = "public"
        case name, path, title, description, members
    }
}

/// One member of a view: its name there, the cube member it is, and the cubes joined to reach it
/// from the view's first cube (that cube first).
public struct ViewMember: Codable, Sendable, Equatable {
    public var name: String
    /// `Cube.member`.
    public var member: String
    public var joinPath: [String]
    public var title: String?

    public init(name: String, member: String, joinPath: [String], title: String? = nil) {
        self.name = name
        self.member = member
        self.joinPath = joinPath
        self.title = title
    }

    enum CodingKeys: String, CodingKey {
        case joinPath = "join_path"
        case name, member, title
    }
}
