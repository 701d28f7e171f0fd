import FloePGWire
import FloeSemantic
import Foundation
import GRDBSQLite

/// The system catalogs for one set of visible cubes, in an in-memory SQLite database: schemas
/// `pg_catalog` and `information_schema` (attached databases of those names), filled from the
/// cubes and views a security context may see. ``CatalogSQL`` turns clients' catalog queries
/// into SQLite's SQL; this runs them. One connection, used under a lock.
final class PGCatalog: @unchecked Sendable {
    private let db: OpaquePointer
    private let lock = NSLock()

    /// OIDs as PostgreSQL numbers its catalogs (`pg_catalog` is 11, `public` 2200); the cubes'
    /// relations from 16384, the first OID of user objects.
    static let catalogNamespace = 11, publicNamespace = 2200, informationSchemaNamespace = 13_000
    static let firstRelation = 16_384
    static let pgClassOID = 1259
    static let owner = 10

    init(tables: SemanticTables, database: String, user: String, settings: [(String, String)]) throws(PGError) {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(":memory:", &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let handle else {
            throw PGError(PGError.internalError, "cannot open the catalog database")
        }
        db = handle
        sqlite3_create_function_v2(db, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, Self.regexp, nil, nil, nil)
        try execute("ATTACH ':memory:' AS pg_catalog; ATTACH ':memory:' AS information_schema; PRAGMA case_sensitive_like = ON;")
        for table in CatalogTables.all {
            let columns = table.columns.map { "\(CatalogSQL.quote($0.name)) \(Self.storage($0.type))" }.joined(separator: ", ")
            try execute("CREATE TABLE \(table.schema).\(table.name) (\(columns))")
        }
        try execute("CREATE TABLE main.floe_type_names (oid INTEGER PRIMARY KEY, display TEXT)")
        try fill(tables: tables, database: database, user: user, settings: settings)
    }

    deinit {
        sqlite3_close_v2(db)
    }

    /// SQLite's storage class for a PostgreSQL type.
    private static func storage(_ type: PGType) -> String {
        switch type.category {
        case "N": type == .float4 || type == .float8 || type == .numeric ? "REAL" : "INTEGER"
        case "B": "INTEGER"
        default: "TEXT"
        }
    }

    private func fill(tables: SemanticTables, database: String, user: String, settings: [(String, String)]) throws(PGError) {
        try insert("pg_catalog.pg_namespace", [
            [Self.catalogNamespace, "pg_catalog", Self.owner, nil], [Self.publicNamespace, "public", Self.owner, nil],
            [Self.informationSchemaNamespace, "information_schema", Self.owner, nil],
        ])
        var types: [[Any?]] = []
        var names: [[Any?]] = []
        for type in PGType.all {
            let element = type.category == "A" ? PGType.all.first { "_" + $0.name == type.name }?.oid ?? 0 : 0
            let array = PGType.all.first { $0.name == "_" + type.name }?.oid ?? 0
            let byValue = [1, 2, 4, 8].contains(Int(type.size))
            types.append([Int(type.oid), type.name, Self.catalogNamespace, Self.owner, Int(type.size), byValue, "b", String(type.category), false, true,
                          ",", 0, Int(element), Int(array), type.name + "in", type.name + "out", type.name + "recv", type.name + "send", "-", "-", "-",
                          type.size == 8 ? "d" : "i", "p", false, 0, -1, 0, type.category == "S" ? 100 : 0, nil, nil, nil])
            names.append([Int(type.oid), type.displayName])
        }
        try insert("pg_catalog.pg_type", types)
        try insert("main.floe_type_names", names)
        try insert("pg_catalog.pg_database", [[16_383, database, Self.owner, 6, "C.UTF-8", "C.UTF-8", false, true, -1, 13_756, 0, 1, 1_663, nil]])
        try insert("pg_catalog.pg_am", [[2, "heap", "heap_tableam_handler", "t"]])
        try insert("pg_catalog.pg_roles", [[Self.owner, user, false, true, false, false, true, false, -1, "********", nil, false, nil]])
        try insert("pg_catalog.pg_user", [[user, Self.owner, false, false, false, false]])
        try insert("pg_catalog.pg_settings", settings.map { [$0.0, $0.1, nil, "floe", nil, "string", "session"] })
        try insert("pg_catalog.pg_tablespace", [[1_663, "pg_default", Self.owner]])
        try insert("information_schema.schemata", [
            [database, "public", user], [database, "pg_catalog", user], [database, "information_schema", user],
        ])
        var classes: [[Any?]] = [], attributes: [[Any?]] = [], descriptions: [[Any?]] = [], infoTables: [[Any?]] = []
        var infoColumns: [[Any?]] = [], pgTables: [[Any?]] = [], pgViews: [[Any?]] = []
        for (index, table) in tables.tables.enumerated() {
            let oid = Self.firstRelation + index
            let kind = table.isView ? "v" : "r"
            classes.append([oid, table.name, Self.publicNamespace, 0, 0, Self.owner, table.isView ? 0 : 2, oid, 0, 0, -1.0, 0, 0, false, false, "p",
                            kind, table.columns.count, 0, false, false, false, false, false, true, "d", false, 0, 0, 0, nil, nil, nil])
            if let description = table.description { descriptions.append([oid, Self.pgClassOID, 0, description]) }
            infoTables.append([database, "public", table.name, table.isView ? "VIEW" : "BASE TABLE", nil, nil, nil, nil, nil, "NO", "NO", nil])
            if table.isView { pgViews.append(["public", table.name, user, nil]) } else { pgTables.append(["public", table.name, user, nil, false, false, false, false]) }
            for (position, column) in table.columns.enumerated() {
                let type = SQLAPITypes.type(of: column)
                attributes.append([oid, column.name, Int(type.oid), -1, Int(type.size), position + 1, 0, -1, -1, [1, 2, 4, 8].contains(Int(type.size)),
                                   "i", "p", "", false, false, false, "", "", false, true, 0, type == .text ? 100 : 0, nil, nil, nil])
                if let description = column.description { descriptions.append([oid, Self.pgClassOID, position + 1, description]) }
                infoColumns.append([database, "public", table.name, column.name, position + 1, nil, "YES", type.displayName, nil, nil,
                                    type == .numeric ? nil : (type.category == "N" ? Int(type.size) * 8 - 1 : nil), type.category == "N" ? 2 : nil,
                                    type == .int8 ? 0 : nil, type == .timestamp ? 6 : nil, database, "pg_catalog", type.name, "NO", "NEVER", "NO"])
            }
        }
        try insert("pg_catalog.pg_class", classes)
        try insert("pg_catalog.pg_attribute", attributes)
        try insert("pg_catalog.pg_description", descriptions)
        try insert("pg_catalog.pg_tables", pgTables)
        try insert("pg_catalog.pg_views", pgViews)
        try insert("information_schema.tables", infoTables)
        try insert("information_schema.columns", infoColumns)
    }

    private func execute(_ sql: String) throws(PGError) {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(message)
            throw PGError(PGError.internalError, "the catalog database: \(text)")
        }
    }

    private func insert(_ table: String, _ rows: [[Any?]]) throws(PGError) {
        guard let width = rows.first?.count else { return }
        let sql = "INSERT INTO \(table) VALUES (" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw PGError(PGError.internalError, "the catalog database: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        for row in rows {
            sqlite3_reset(statement)
            for (index, value) in row.enumerated() {
                let position = Int32(index + 1)
                switch value {
                case let number as Int: sqlite3_bind_int64(statement, position, Int64(number))
                case let flag as Bool: sqlite3_bind_int64(statement, position, flag ? 1 : 0)
                case let real as Double: sqlite3_bind_double(statement, position, real)
                case let text as String: sqlite3_bind_text(statement, position, text, -1, Self.transient)
                default: sqlite3_bind_null(statement, position)
                }
            }
            guard sqlite3_step(statement) == SQLITE_DONE else {
                throw PGError(PGError.internalError, "the catalog database: \(String(cString: sqlite3_errmsg(db)))")
            }
        }
    }

    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Runs a translated query: every value as PostgreSQL's text output of its column's type
    /// (booleans `t`/`f`). Parameters bind as integers when their type is an integer type.
    func query(_ sql: String, columns: [PGType], parameters: [String?], parameterTypes: [Int: PGType]) throws(PGError) -> [[String?]] {
        lock.lock()
        defer { lock.unlock() }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw PGError(PGError.featureNotSupported, "this query of the system catalogs cannot run here: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        for (index, value) in parameters.enumerated() {
            let position = Int32(index + 1)
            guard let value else {
                sqlite3_bind_null(statement, position)
                continue
            }
            if let type = parameterTypes[index + 1], type.category == "N", let number = Int64(value) {
                sqlite3_bind_int64(statement, position, number)
            } else {
                sqlite3_bind_text(statement, position, value, -1, Self.transient)
            }
        }
        var rows: [[String?]] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else {
                throw PGError(PGError.internalError, "the catalog query failed: \(String(cString: sqlite3_errmsg(db)))")
            }
            var row: [String?] = []
            for index in 0..<Int(sqlite3_column_count(statement)) {
                row.append(Self.text(statement, Int32(index), type: index < columns.count ? columns[index] : .text))
            }
            rows.append(row)
        }
        return rows
    }

    private static func text(_ statement: OpaquePointer, _ index: Int32, type: PGType) -> String? {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL: return nil
        case SQLITE_INTEGER:
            let value = sqlite3_column_int64(statement, index)
            if type == .bool { return value == 0 ? "f" : "t" }
            return String(value)
        case SQLITE_FLOAT:
            let value = sqlite3_column_double(statement, index)
            if type.category == "N", type != .float4, type != .float8, type != .numeric, value == value.rounded() { return String(Int64(value)) }
            return String(value)
        default:
            guard let bytes = sqlite3_column_text(statement, index) else { return nil }
            let text = String(cString: bytes)
            if type == .bool { return ["t", "true", "1"].contains(text.lowercased()) ? "t" : "f" }
            return text
        }
    }

    /// `x REGEXP pattern` (SQLite calls `regexp(pattern, x)`): PostgreSQL's `~` with ICU's regular
    /// expressions, which agree with PostgreSQL's on what clients send (`^(orders)$`, `^pg_toast`).
    private static let regexp: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, arguments in
        guard let arguments, let patternText = sqlite3_value_text(arguments[0]), let subjectText = sqlite3_value_text(arguments[1]) else {
            return sqlite3_result_null(context)
        }
        let pattern = String(cString: patternText), subject = String(cString: subjectText)
        guard let expression = try? NSRegularExpression(pattern: pattern) else {
            return sqlite3_result_error(context, "invalid regular expression: \(pattern)", -1)
        }
        let found = expression.firstMatch(in: subject, range: NSRange(subject.startIndex..., in: subject)) != nil
        sqlite3_result_int(context, found ? 1 : 0)
    }
}
