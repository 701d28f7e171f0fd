import Foundation
import FloeContract
import FloeSQL

/// The SQL text one engine speaks: quoting, type names, and dbt's cross-database macros.
///
/// Pure text, no I/O: the compiler renders models with it, the executor builds DDL with it, and
/// the semantic layer writes queries with it. Macro arguments are SQL expressions, spliced as given.
public protocol SQLDialect: Sendable {
    /// The compute profile `type` this dialect serves (`sqlite`, `postgres`).
    var name: String { get }

    /// How FloeSQL reads this engine's SQL (for column lineage): PostgreSQL's rules by default.
    var sqlFlavor: SQLFlavor { get }

    /// False where a stored view must name the relations of its own schema without the schema:
    /// SQLite binds such names to the view's own database file, and a view that names its
    /// database makes the file unreadable when opened alone (by the sqlite3 CLI, Python, DBeaver).
    var viewsQualifyTheirOwnSchema: Bool { get }
    /// Whether a view may read relations in other schemas (SQLite's views cannot: each schema is
    /// an attached database file there).
    var viewsReadOtherSchemas: Bool { get }
    /// Whether a quoted literal compared with a column takes the column's type (PostgreSQL's
    /// untyped literals do; SQLite compares text with a number as unequal).
    var quotedLiteralsTakeColumnTypes: Bool { get }
    /// `expression` equals the string literal `literal` as a unit test's expectation means it:
    /// where quoted literals take the column's type this is plain equality; elsewhere (SQLite) a
    /// date or timestamp literal also equals the same instant written another way
    /// (`'2016-09-01'` and `'2016-09-01 00:00:00'`).
    func equalsExpected(_ expression: String, text literal: String) -> String

    /// Whether the engine takes `name` as a schema's name (a namespace): any name on SQLite and
    /// PostgreSQL, letters, digits and _ on Spark's metastore.
    func takesSchemaName(_ name: String) -> Bool
    func quoteIdentifier(_ identifier: String) -> String
    /// A string literal of `value`.
    func stringLiteral(_ value: String) -> String
    /// A type name for a value kind inferred from a seed file.
    func typeName(for kind: ValueKind) -> String
    /// dbt's `type_string()`, `type_timestamp()`, …: a type a `cast` can safely name.
    func typeName(for type: PortableType) -> String

    func dateTrunc(_ part: DatePart, _ expression: String) -> String
    func dateAdd(_ part: DatePart, _ interval: String, _ expression: String) -> String
    /// Whole `part` boundaries from `start` to `end`, as dbt's `datediff(first, second, part)`.
    func dateDiff(_ part: DatePart, _ start: String, _ end: String) -> String
    func lastDay(_ part: DatePart, _ expression: String) -> String
    func date(year: Int, month: Int, day: Int) -> String
    var currentTimestamp: String { get }
    /// A query that returns a row when `schema` exists (dbt's `adapter.check_schema_exists`).
    func schemaExistsQuery(_ schema: String) -> String
    /// Where the driver names a result's columns only with its rows: a query that returns one
    /// row of nulls with `select`'s columns, for a template's query that returned none. Nil
    /// where empty results keep their column names.
    func columnsOfEmptyResult(_ select: String) -> String?
    func hash(_ expression: String) -> String
    func position(_ substring: String, in string: String) -> String
    func right(_ string: String, _ count: String) -> String
    func listagg(_ measure: String, delimiter: String, orderBy: String?) -> String
    func boolOr(_ expression: String) -> String
    func castBoolToText(_ expression: String) -> String
    /// nil when the engine has no way to split a string.
    func splitPart(_ string: String, _ delimiter: String, _ part: String) -> String?
    /// dbt's `array_construct`, `array_append` and `array_concat`: PostgreSQL's arrays, SQLite's
    /// JSON arrays.
    func arrayConstruct(_ items: [String], type: String) -> String
    func arrayAppend(_ array: String, _ element: String) -> String
    func arrayConcat(_ first: String, _ second: String) -> String

    // Statements the executor's materializations need (defaults in MaterializationStatements.swift).

    /// A rendered model's or test's SQL in this engine's spelling of the functions floe's SQLite
    /// connections add (``OrderedSetAggregates``), and of PostgreSQL's `::` cast where the engine
    /// lacks it (``PostgresCasts``); the SQL itself where the engine has them as they are.
    func nativeFunctions(_ sql: String) -> String
    /// Whether tables take UPDATE, DELETE and MERGE. Spark's file tables (parquet, orc) do not:
    /// there, what would change rows in place writes the table again beside it and swaps it in.
    var rowLevelChanges: Bool { get }
    /// Whether statements run in transactions that commit or roll back together. Spark's do not:
    /// each statement takes effect alone, and floe's run state is kept as a log there.
    var hasTransactions: Bool { get }
    /// Whether tables take indexes (dbt's `indexes` config); Spark's do not, and the config is ignored there.
    var hasIndexes: Bool { get }
    /// The model-contract constraints this engine's tables enforce: a table is created with these,
    /// and the compile warns about the others (dbt's "supported and enforced" per platform).
    var enforcedConstraints: Set<ModelContract.Constraint.Kind> { get }
    /// Whether a table takes `not null` in its definition without enforcing it (Spark's parquet
    /// tables), so floe counts a contracted table's NULLs itself before putting it in place.
    var notNullCheckedByQuery: Bool { get }
    /// The longest identifier the engine keeps whole, in bytes (PostgreSQL's 63); nil for none.
    /// floe's own names (`__floe_tmp`, …) are fitted to it (``fitted(_:suffix:)``).
    var maxIdentifierBytes: Int? { get }
    /// `create table … as select`.
    func createTable(_ relation: Relation, as select: String) -> String
    /// `create table … as select`, the table partitioned by `columns` where the engine keeps
    /// partitions (Spark); elsewhere the plain table.
    func createTable(_ relation: Relation, as select: String, partitionedBy columns: [String]) -> String
    /// An empty `create table` with the given columns; a column without a type gets text.
    func createTable(_ relation: Relation, columns: [ColumnSpec]) -> String
    /// Deletes the rows of `relation` for which `predicate` is true (rows where it is null stay).
    func deleteRows(from relation: Relation, where predicate: String) -> [String]
    /// dbt's delete+insert: rows of `target` whose key appears in `staging` go, then all of `staging` comes in.
    func deleteInsert(into target: Relation, from staging: String, columns: [String], uniqueKey: [String]) -> [String]
    /// dbt's insert_overwrite: the rows of `target` in the partitions (values of `partitions`)
    /// that `staging`'s rows fall in are replaced by them; with no partition columns, every row.
    func overwrite(_ target: Relation, from staging: String, columns: [String], partitions: [String]) -> [String]
    /// Adds a column to a table.
    func addColumn(_ relation: Relation, column: String, type: String) -> String
    /// Drops `relation` if it exists; on an engine whose views hold on to what they read, the
    /// views that read it go too (the executor rebuilds them, as they are no longer up to date).
    func drop(_ relation: Relation, kind: RelationKind) -> String
    /// Moves `relation` to the new `name` in the same schema.
    func rename(_ relation: Relation, kind: RelationKind, to name: String) -> String
    /// Updates the rows of `target` whose key is in `staging` and inserts the others.
    func merge(into target: Relation, from staging: String, columns: [String], uniqueKey: [String]) -> [String]
    /// Creates `index` on `relation` under `name` (in the relation's schema) unless one of that name exists.
    func createIndex(_ index: ModelIndex, named name: String, on relation: Relation) -> String

    // Expressions the semantic layer's queries need (QueryExpressions.swift).

    /// The placeholder of the `index`-th bound value (1-based), which may appear more than once.
    func parameter(_ index: Int) -> String
    /// `expression` as a timestamp that compares correctly with ``timestampParameter(_:)`` values
    /// written `YYYY-MM-DDTHH:MM:SS.SSS`.
    func comparableTimestamp(_ expression: String) -> String
    /// A time dimension's value truncated to `part`, from whatever the column holds (a timestamp, or
    /// timestamp text such as `2024-05-01 10:00:00`).
    func timeDimension(_ part: DatePart, _ expression: String) -> String
    /// A date (no time of day) truncated to `part`, a day or longer, that equals a `'YYYY-MM-DD'`
    /// literal: how MetricFlow's `TimeDimension('…', 'month')` reads in a metric's filter.
    func truncatedDate(_ part: DatePart, _ expression: String) -> String
    /// A bound timestamp value (`YYYY-MM-DDTHH:MM:SS.SSS` text) as the engine compares it.
    func timestampParameter(_ placeholder: String) -> String
    /// The wall-clock time in the IANA zone `zone` (an SQL expression) of the UTC timestamp `expression`.
    func utcToLocal(_ expression: String, zone: String) -> String
    /// True when both are null or both are equal.
    func nullSafeEqual(_ left: String, _ right: String) -> String
    /// `expression` matches the LIKE `pattern` ignoring case; `\` escapes `%` and `_` in it.
    func caseInsensitiveLike(_ expression: String, _ pattern: String) -> String
    /// An aggregate whose value changes when any of the group's rows (their `expressions`)
    /// changes, whatever their order: a rollup partition's change detector.
    func rowSignature(_ expressions: [String]) -> String
}

/// The kinds of value a seed column can hold, as dbt infers them from CSV text.
public enum ValueKind: String, Sendable, CaseIterable {
    case integer, real, date, timestamp, boolean, text
}

/// The types of dbt's `dbt.type_*()` macros.
public enum PortableType: String, Sendable, CaseIterable {
    case string, timestamp, float, numeric, bigint, int, boolean
}

/// A unit of time for the date macros.
public enum DatePart: String, Sendable, CaseIterable {
    case second, minute, hour, day, week, month, quarter, year

    /// Accepts dbt's spellings: any case, plural, with quotes around it.
    public init?(text: String) {
        var word = text.trimmingCharacters(in: .whitespaces).lowercased()
        word = word.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        if word.hasSuffix("s"), DatePart(rawValue: String(word.dropLast())) != nil { word.removeLast() }
        // Weeks start on Monday on every engine floe has, as ISO weeks do.
        if word == "isoweek" { word = "week" }
        self.init(rawValue: word)
    }
}

extension SQLDialect {
    public var sqlFlavor: SQLFlavor { .postgres }
    public var viewsQualifyTheirOwnSchema: Bool { true }
    public var viewsReadOtherSchemas: Bool { true }

    public var quotedLiteralsTakeColumnTypes: Bool { false }
    public var rowLevelChanges: Bool { true }
    public var hasIndexes: Bool { true }
    public var enforcedConstraints: Set<ModelContract.Constraint.Kind> { Set(ModelContract.Constraint.Kind.allCases) }
    public var notNullCheckedByQuery: Bool { false }
    public var maxIdentifierBytes: Int? { nil }
    public var hasTransactions: Bool { true }
    public func columnsOfEmptyResult(_ select: String) -> String? { nil }
    public func takesSchemaName(_ name: String) -> Bool { true }
    public func equalsExpected(_ expression: String, text literal: String) -> String { "\(expression) = \(literal)" }

    public func nativeFunctions(_ sql: String) -> String { sql }

    /// Double quotes, embedded ones doubled: the SQL standard, which SQLite and PostgreSQL share.
    public func quoteIdentifier(_ identifier: String) -> String {
        "\"" + doubling(0x22, in: identifier) + "\""
    }

    /// `"schema"."name"`.
    public func relation(schema: String, name: String) -> String {
        quoteIdentifier(schema) + "." + quoteIdentifier(name)
    }

    /// A string literal, quotes doubled.
    public func stringLiteral(_ value: String) -> String {
        "'" + doubling(0x27, in: value) + "'"
    }

    /// `text` with every `quote` (an ASCII byte) doubled; the text itself when it has none, which
    /// is nearly always (a plan quotes tens of thousands of identifiers).
    private func doubling(_ quote: UInt8, in text: String) -> String {
        guard text.utf8.contains(quote) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        for byte in text.utf8 {
            bytes.append(byte)
            if byte == quote { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func concat(_ expressions: [String]) -> String {
        expressions.joined(separator: " || ")
    }

    public func cast(_ expression: String, as type: String) -> String {
        "cast(\(expression) as \(type))"
    }
}

/// Finds a dialect by the compute profile's type.
public enum SQLDialects {
    public static let all: [any SQLDialect] = [SQLiteDialect(), PostgresDialect(), SparkDialect()]

    public static func named(_ name: String) -> (any SQLDialect)? {
        all.first { $0.name == name }
    }
}
