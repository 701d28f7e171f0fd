/// The syntax tree of the SQL the parser reads: PostgreSQL's SELECT language (CTEs, joins,
/// subqueries, set operations, window calls, CASE, casts) and the session statements clients
/// send around queries.

/// One statement.
public enum SQLStatement: Sendable, Equatable {
    case query(SQLQuery)
    /// `SET [SESSION|LOCAL] name = value | TO value`, `SET TIME ZONE …`, `SET NAMES …`.
    case set(name: String, value: String)
    /// `SHOW name` (`SHOW ALL` is `all`).
    case show(String)
    /// `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`, `ABORT`, savepoints.
    case transaction(SQLTransactionCommand)
    /// `DISCARD ALL`, `RESET x`, `DEALLOCATE x`, `CLOSE x`, `UNLISTEN *`: session upkeep clients
    /// send, answered with their command tag.
    case sessionUpkeep(tag: String)
    /// A statement of another kind, by its first keyword (`INSERT`, `CREATE`, …).
    case unsupported(keyword: String)
}

public enum SQLTransactionCommand: Sendable, Equatable {
    case begin, commit, rollback, savepoint, releaseSavepoint, rollbackToSavepoint
}

/// A query: `WITH` … a body … `ORDER BY` … `LIMIT` … `OFFSET` ….
public struct SQLQuery: Sendable, Equatable {
    public var with: [SQLCommonTable] = []
    public var body: SQLQueryBody
    public var orderBy: [SQLOrderTerm] = []
    public var limit: SQLExpression?
    public var offset: SQLExpression?

    public init(body: SQLQueryBody) {
        self.body = body
    }
}

public struct SQLCommonTable: Sendable, Equatable {
    public var name: String
    public var columns: [String]
    public var query: SQLQuery
}

public indirect enum SQLQueryBody: Sendable, Equatable {
    case select(SQLSelect)
    /// `UNION [ALL]`, `INTERSECT`, `EXCEPT`.
    case setOperation(SQLQueryBody, SQLSetOperator, all: Bool, SQLQueryBody)
    /// A parenthesized query with its own ORDER BY/LIMIT.
    case nested(SQLQuery)
    /// `VALUES (…), (…)`.
    case values([[SQLExpression]])
}

public enum SQLSetOperator: String, Sendable, Equatable {
    case union = "UNION", intersect = "INTERSECT", except = "EXCEPT"
}

public struct SQLSelect: Sendable, Equatable {
    public var distinct = false
    public var items: [SQLSelectItem] = []
    public var from: [SQLTableReference] = []
    public var whereClause: SQLExpression?
    public var groupBy: [SQLExpression] = []
    public var having: SQLExpression?

    public init() {}
}

public enum SQLSelectItem: Sendable, Equatable {
    /// `*` or `t.*` (the qualifier's parts).
    case star(qualifier: [String])
    case expression(SQLExpression, alias: String?)
}

public indirect enum SQLTableReference: Sendable, Equatable {
    /// A named relation: its name's parts (`pg_catalog`, `pg_class`), its alias.
    case table(name: [String], alias: SQLTableAlias?)
    case subquery(SQLQuery, alias: SQLTableAlias?, lateral: Bool)
    /// A function in FROM (`unnest(x)`, `generate_series(1, 3)`).
    case function(SQLFunctionCall, alias: SQLTableAlias?, lateral: Bool)
    case join(SQLTableReference, SQLJoinKind, SQLTableReference, SQLJoinCondition)
}

public struct SQLTableAlias: Sendable, Equatable {
    public var name: String
    public var columns: [String]
}

public enum SQLJoinKind: String, Sendable, Equatable {
    case inner = "JOIN", left = "LEFT JOIN", right = "RIGHT JOIN", full = "FULL JOIN", cross = "CROSS JOIN"
}

public enum SQLJoinCondition: Sendable, Equatable {
    case on(SQLExpression)
    case using([String])
    case natural
    case none
}

public struct SQLOrderTerm: Sendable, Equatable {
    public var expression: SQLExpression
    public var descending: Bool
    /// `NULLS FIRST` (true), `NULLS LAST` (false), or nil for the default.
    public var nullsFirst: Bool?

    public init(expression: SQLExpression, descending: Bool, nullsFirst: Bool? = nil) {
        self.expression = expression
        self.descending = descending
        self.nullsFirst = nullsFirst
    }
}

/// A type name as written in a cast (`int`, `varchar(10)`, `pg_catalog.regclass`, `text[]`).
public struct SQLTypeName: Sendable, Equatable {
    /// The name's parts, lower case, without modifiers (`["pg_catalog", "regclass"]`,
    /// `["timestamp"]` for `timestamp without time zone`).
    public var name: [String]
    public var modifiers: [String]
    public var isArray: Bool

    public init(name: [String], modifiers: [String] = [], isArray: Bool = false) {
        self.name = name
        self.modifiers = modifiers
        self.isArray = isArray
    }

    /// The last part: what decides the type.
    public var baseName: String { name.last ?? "" }
}

public struct SQLFunctionCall: Sendable, Equatable {
    /// The name's parts, lower case unless quoted (`["pg_catalog", "format_type"]`).
    public var name: [String]
    public var arguments: [SQLExpression]
    public var distinct = false
    /// `count(*)`.
    public var star = false
    /// `array_agg(x ORDER BY y)`.
    public var orderBy: [SQLOrderTerm] = []
    public var filter: SQLExpression?
    /// `OVER (…)`: a window call.
    public var window: SQLWindow?

    public init(name: [String], arguments: [SQLExpression], distinct: Bool = false, star: Bool = false) {
        self.name = name
        self.arguments = arguments
        self.distinct = distinct
        self.star = star
    }

    /// The last part of the name: what names the function.
    public var baseName: String { name.last ?? "" }
}

public struct SQLWindow: Sendable, Equatable {
    public var partitionBy: [SQLExpression]
    public var orderBy: [SQLOrderTerm]
    /// The frame clause as written (`ROWS BETWEEN …`), kept as text.
    public var frame: String?
}

public enum SQLLiteral: Sendable, Equatable {
    case string(String)
    case number(String)
    case boolean(Bool)
    case null
}

public indirect enum SQLExpression: Sendable, Equatable {
    /// A column reference: its name's parts (`c`, `relname` for `c.relname`).
    case column([String])
    case literal(SQLLiteral)
    case parameter(Int)
    /// A constant of a named type: `DATE '2024-01-01'`, `INTERVAL '1 day'`.
    case typedLiteral(type: String, value: String)
    case unary(String, SQLExpression)
    case binary(SQLExpression, String, SQLExpression)
    case and(SQLExpression, SQLExpression)
    case or(SQLExpression, SQLExpression)
    case not(SQLExpression)
    case function(SQLFunctionCall)
    case cast(SQLExpression, SQLTypeName)
    case isNull(SQLExpression, negated: Bool)
    /// `x IS [NOT] TRUE|FALSE|UNKNOWN` (nil is UNKNOWN).
    case isBoolean(SQLExpression, Bool?, negated: Bool)
    /// `x IS [NOT] DISTINCT FROM y`.
    case isDistinctFrom(SQLExpression, SQLExpression, negated: Bool)
    case inList(SQLExpression, [SQLExpression], negated: Bool)
    case inQuery(SQLExpression, SQLQuery, negated: Bool)
    case between(SQLExpression, SQLExpression, SQLExpression, negated: Bool)
    /// `LIKE`, `ILIKE`, `SIMILAR TO`, with `NOT` and `ESCAPE`.
    case like(SQLExpression, SQLLikeKind, SQLExpression, negated: Bool, escape: SQLExpression?)
    case caseWhen(operand: SQLExpression?, branches: [SQLCaseBranch], otherwise: SQLExpression?)
    case exists(SQLQuery)
    case subquery(SQLQuery)
    /// `ARRAY[a, b]` or `ARRAY(SELECT …)`.
    case array([SQLExpression])
    case arrayQuery(SQLQuery)
    /// `x op ANY|SOME|ALL (array or subquery)`.
    case quantified(SQLExpression, String, all: Bool, SQLExpression)
    /// `x[i]`.
    case element(SQLExpression, SQLExpression)
    case collate(SQLExpression, [String])
    /// `ROW(a, b)` or `(a, b)`.
    case row([SQLExpression])
    /// `EXTRACT(field FROM x)`.
    case extract(field: String, SQLExpression)
    /// `x AT TIME ZONE zone`.
    case atTimeZone(SQLExpression, SQLExpression)
}

public struct SQLCaseBranch: Sendable, Equatable {
    public var condition: SQLExpression
    public var result: SQLExpression
}

public enum SQLLikeKind: String, Sendable, Equatable {
    case like = "LIKE", ilike = "ILIKE", similar = "SIMILAR TO"
}
