import FloeEngine
import CSQLiteConfig
import FloeContract
import Foundation
import GRDBSQLite

/// One connection to SQLite through the C API. Its `main` database is private and in memory;
/// every schema of the plan is a database file attached under the schema's name, so the plan's
/// `"schema"."table"` names resolve as they do on PostgreSQL. A schema named `main` (dbt-sqlite's
/// default) is opened as the main database itself.
public final class SQLiteConnection: EngineConnection {
    let handle: OpaquePointer
    private let layout: SQLiteFileLayout
    private var attached: Set<String> = []

    /// Once per process, before SQLite is first used: connections on several threads must not
    /// share the memory-statistics mutex (CSQLiteConfig).
    static let configured: Void = { _ = floe_sqlite_disable_memory_statistics() }()

    init(layout: SQLiteFileLayout, busyTimeoutMilliseconds: Int32) throws {
        Self.configured
        var pointer: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        var mainPath = ":memory:"
        if layout.knownSchemas.contains("main") {
            mainPath = layout.path(forSchema: "main")
            try layout.createDirectory(for: mainPath)
        }
        let status = sqlite3_open_v2(mainPath, &pointer, flags, nil)
        guard status == SQLITE_OK, let pointer else {
            if let pointer { sqlite3_close_v2(pointer) }
            throw EngineError(.unreachable, "cannot open SQLite: \(String(cString: sqlite3_errstr(status)))")
        }
        handle = pointer
        self.layout = layout
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(handle, 1)
        do {
            // Renaming a table must not rewrite or re-check views that name the table it replaces.
            try execute("pragma legacy_alter_table = on")
            try SQLiteFunctions.register(on: handle)
            for schema in layout.knownSchemas { try ensureSchema(schema) }
        } catch {
            sqlite3_close_v2(handle)
            throw error
        }
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    // MARK: Statements

    @discardableResult
    public func execute(_ sql: String) throws -> Int {
        var changes = 0
        try sql.withCString { start in
            var cursor: UnsafePointer<CChar>? = start
            while let current = cursor, current.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let status = sqlite3_prepare_v2(handle, current, -1, &statement, &tail)
                guard status == SQLITE_OK else { throw failure(sql, statementOffset: current - start) }
                cursor = tail
                guard let statement else { continue }  // whitespace or a comment
                defer { sqlite3_finalize(statement) }
                var step = sqlite3_step(statement)
                while step == SQLITE_ROW { step = sqlite3_step(statement) }
                guard step == SQLITE_DONE else { throw failure(sql) }
                changes = Int(sqlite3_changes(handle))
            }
        }
        return changes
    }

    public func query(_ sql: String, limit: Int?) throws -> ResultSet {
        try query(sql, parameters: [], limit: limit)
    }

    /// `parameters[i]` binds to `?(i+1)` (the dialect's `parameter(i + 1)`).
    public func query(_ sql: String, parameters: [SQLValue], limit: Int?) throws -> ResultSet {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw failure(sql)
        }
        defer { sqlite3_finalize(statement) }
        guard Int(sqlite3_bind_parameter_count(statement)) <= parameters.count else {
            throw EngineError(.statement, "the statement has \(sqlite3_bind_parameter_count(statement)) parameters and \(parameters.count) values were given", sql: sql)
        }
        for (index, value) in parameters.enumerated() { bind(value, to: statement, at: Int32(index + 1)) }
        let count = sqlite3_column_count(statement)
        let columns = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
        var rows: [[SQLValue]] = []
        while limit.map({ rows.count < $0 }) ?? true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw failure(sql) }
            rows.append((0..<count).map { value(statement, $0) })
        }
        return ResultSet(columns: columns, rows: rows)
    }

    private func value(_ statement: OpaquePointer, _ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(statement, index) else { return .null }
            let length = Int(sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            let length = Int(sqlite3_column_bytes(statement, index))
            guard length > 0, let bytes = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: length)))
        default: return .null
        }
    }

    /// The connection's last error. `statementOffset`: where the statement SQLite was preparing
    /// starts in `sql`, so the offset SQLite reports (`sqlite3_error_offset`) points into `sql`.
    private func failure(_ sql: String?, statementOffset: Int = 0) -> EngineError {
        let message = String(cString: sqlite3_errmsg(handle))
        let code = sqlite3_extended_errcode(handle)
        let kind: EngineError.Kind = (code & 0xff) == SQLITE_CANTOPEN ? .unreachable : .statement
        let offset = Int(sqlite3_error_offset(handle))
        return EngineError(kind, message, sql: sql, position: offset >= 0 ? statementOffset + offset : nil)
    }

    public func interrupt() {
        sqlite3_interrupt(handle)
    }

    // MARK: Transactions

    /// `begin immediate`: the write lock is taken now (waiting up to the busy timeout), never half-way.
    public func beginWrite() throws { try execute("begin immediate") }
    public func commit() throws { try execute("commit") }
    public func rollback() {
        if sqlite3_get_autocommit(handle) == 0 { _ = try? execute("rollback") }
    }

    // MARK: Schemas and relations

    /// SQLite's `data_version` of the schema's database file.
    public func dataVersion(of schema: String) -> Int64? {
        guard attached.contains(schema) || schema == "main",
              let row = try? query("pragma \(schema == "main" ? "main" : quote(schema)).data_version", limit: 1).rows.first,
              case .integer(let version) = row.first else { return nil }
        return version
    }

    public func ensureSchema(_ schema: String) throws {
        guard !attached.contains(schema) else { return }
        guard schema != "temp" else {
            throw EngineError(.state, "a schema cannot be named 'temp' on SQLite: the name is reserved for temporary tables")
        }
        if schema != "main" {
            let path = layout.path(forSchema: schema)
            try layout.createDirectory(for: path)
            try execute("attach database \(literal(path)) as \(quote(schema))")
        }
        attached.insert(schema)
        // WAL lets readers (tests, `floe show`, a serving process) read while an apply writes.
        // NORMAL is durable against a killed process, which is the crash floe promises to survive.
        _ = try query("pragma \(quote(schema)).journal_mode = wal")
        try execute("pragma \(quote(schema)).synchronous = normal")
    }

    public func relationKind(_ relation: Relation) throws -> RelationKind? {
        try ensureSchema(relation.schema)
        let result = try query(
            "select type from \(quote(relation.schema)).sqlite_master where name = \(literal(relation.name)) and type in ('table', 'view')")
        guard case .text(let type)? = result.rows.first?.first else { return nil }
        return RelationKind(rawValue: type)
    }

    public func columns(of relation: Relation) throws -> [ColumnSpec] {
        try ensureSchema(relation.schema)
        let result = try query("pragma \(quote(relation.schema)).table_info(\(quote(relation.name)))")
        guard let nameIndex = result.columns.firstIndex(of: "name"), let typeIndex = result.columns.firstIndex(of: "type")
        else { return [] }
        return result.rows.compactMap { row in
            row[nameIndex].displayText.map { ColumnSpec(name: $0, type: row[typeIndex].displayText.flatMap { $0.isEmpty ? nil : $0 }) }
        }
    }

    // MARK: Bulk insert

    /// Rows go in `batchRows` at a time through one prepared multi-row `INSERT … VALUES (…), (…)`:
    /// a statement per row made stepping and resetting most of the cost of a bulk load.
    @discardableResult
    public func insert(into relation: Relation, columns: [String], rows: some Sequence<[SQLValue]>) throws -> Int {
        let width = columns.count
        guard width > 0 else { return 0 }
        // SQLite binds at most 32,766 values to one statement.
        let batchRows = max(1, min(100, 32_766 / width))
        let head = "insert into \(quote(relation.schema)).\(quote(relation.name)) (\(columns.map(quote).joined(separator: ", "))) values "
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        func prepare(_ count: Int) throws -> OpaquePointer {
            let sql = head + Array(repeating: tuple, count: count).joined(separator: ", ")
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else { throw failure(sql) }
            return statement
        }
        /// Binds `batch` to `statement` (made for exactly that many rows) and runs it.
        func run(_ statement: OpaquePointer, _ batch: [[SQLValue]]) throws {
            for (index, row) in batch.enumerated() {
                for column in 0..<width {
                    let slot = Int32(index * width + column + 1)
                    if column < row.count { bind(row[column], to: statement, at: slot) } else { sqlite3_bind_null(statement, slot) }
                }
            }
            guard sqlite3_step(statement) == SQLITE_DONE else { throw failure(head) }
            sqlite3_reset(statement)
        }
        let full = try prepare(batchRows)
        defer { sqlite3_finalize(full) }
        var inserted = 0
        var batch: [[SQLValue]] = []
        batch.reserveCapacity(batchRows)
        for row in rows {
            batch.append(row)
            if batch.count == batchRows {
                try run(full, batch)
                inserted += batch.count
                batch.removeAll(keepingCapacity: true)
            }
        }
        guard !batch.isEmpty else { return inserted }
        let rest = try prepare(batch.count)
        defer { sqlite3_finalize(rest) }
        try run(rest, batch)
        return inserted + batch.count
    }

    private func bind(_ value: SQLValue, to statement: OpaquePointer, at index: Int32) {
        switch value {
        case .null: sqlite3_bind_null(statement, index)
        case .integer(let number): sqlite3_bind_int64(statement, index, number)
        case .real(let number): sqlite3_bind_double(statement, index, number)
        case .text(let text): sqlite3_bind_text(statement, index, text, -1, SQLiteConnection.transient)
        case .blob(let bytes):
            bytes.withUnsafeBytes { buffer in
                _ = sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), SQLiteConnection.transient)
            }
        }
    }

    /// SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static let dialect = SQLiteDialect()
    private func quote(_ identifier: String) -> String { Self.dialect.quoteIdentifier(identifier) }
    private func literal(_ text: String) -> String { Self.dialect.stringLiteral(text) }
}
