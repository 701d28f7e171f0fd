import FloeCore
import FloeEngine
import FloePGWire
import FloeSemantic
import FloeSQL
import Foundation

/// One SQL API connection: its security context (from the token or user it logged in with), its
/// settings, and its statements. A query over a cube or view becomes a Cube query, answered as
/// `/v1/load` answers it (rollups, access policies, row filters, the query timeout); a query of
/// the system catalogs runs on ``PGCatalog``; SET, SHOW and transaction statements are answered
/// here.
final class SQLAPISession: PGSession, @unchecked Sendable {
    let server: SemanticServer
    let security: SecurityContext?
    let user: String
    let database: String
    let settings: SessionSettings
    let catalogs: CatalogCache
    private let lock = NSLock()
    private var running: RunningQuery?
    /// The cubes and members this session's security context sees, for the plan they were made from.
    private var visible: (plan: ServedPlan, tables: SemanticTables)?
    /// Statements already prepared on the plan they were prepared for, by their text and
    /// parameter types: clients of the extended protocol send the same text with each query.
    private var preparedBefore: (plan: ServedPlan, statements: [String: [PGStatement]])?
    static let preparedCapacity = 64

    init(server: SemanticServer, security: SecurityContext?, user: String, database: String, applicationName: String, catalogs: CatalogCache) {
        self.server = server
        self.security = security
        self.user = user
        self.database = database
        self.catalogs = catalogs
        settings = SessionSettings(user: user, applicationName: applicationName)
    }

    var parameterStatus: [(name: String, value: String)] { settings.reported }

    func cancel() {
        lock.lock()
        let query = running
        lock.unlock()
        query?.end(.clientGone)
    }

    func close() {
        cancel()
    }

    /// What the session sees of `served`, made once per plan.
    private func tables(of served: ServedPlan) -> SemanticTables {
        if let known = lock.withLock({ visible }), known.plan === served { return known.tables }
        let made = SemanticTables(catalog: served.runner.compiler.catalog, security: security)
        lock.withLock { visible = (served, made) }
        return made
    }

    private func attach(_ query: RunningQuery) {
        lock.withLock { running = query }
    }

    private func detach(_ query: RunningQuery) {
        lock.withLock {
            if running === query { running = nil }
        }
    }

    func prepare(_ text: String, parameterTypes: [UInt32]) throws(PGError) -> [PGStatement] {
        let served = server.source.current()
        let key = parameterTypes.map(String.init).joined(separator: ",") + "\u{0}" + text
        if let known = lock.withLock({ preparedBefore }), known.plan === served, let statements = known.statements[key] { return statements }
        let statements = try prepareAnew(text, parameterTypes: parameterTypes)
        lock.withLock {
            var cache = preparedBefore?.plan === served ? preparedBefore?.statements ?? [:] : [:]
            if cache.count >= Self.preparedCapacity { cache.removeAll() }
            cache[key] = statements
            preparedBefore = (served, cache)
        }
        return statements
    }

    private func prepareAnew(_ text: String, parameterTypes: [UInt32]) throws(PGError) -> [PGStatement] {
        let statements: [SQLStatement]
        do {
            statements = try SQLParser.statements(text)
        } catch {
            throw PGError(PGError.syntaxError, error.message, position: Self.characterPosition(of: error.offset, in: text))
        }
        var prepared: [PGStatement] = []
        for statement in statements { prepared.append(try prepare(statement, parameterTypes: parameterTypes)) }
        return prepared
    }

    /// PostgreSQL's error position: 1-based, in characters.
    static func characterPosition(of offset: Int, in text: String) -> Int {
        let utf8 = text.utf8
        let end = utf8.index(utf8.startIndex, offsetBy: min(offset, utf8.count))
        return text[..<end].count + 1
    }

    private func prepare(_ statement: SQLStatement, parameterTypes: [UInt32]) throws(PGError) -> PGStatement {
        switch statement {
        case .set(let name, let value):
            let settings = settings
            return PGStatement(columns: []) { _ in
                if name != "transaction" { settings.set(name, value) }
                return PGResult(rows: [], tag: "SET")
            }
        case .show(let name):
            if name == "all" {
                return .answer([PGColumn(name: "name", type: .text), PGColumn(name: "setting", type: .text), PGColumn(name: "description", type: .text)],
                               rows: settings.all.map { [$0.0, $0.1, ""] }, tag: "SHOW")
            }
            guard settings[name] != nil else {
                throw PGError(PGError.undefinedObject, "unrecognized configuration parameter \"\(name)\"")
            }
            let column = name == "transaction isolation level" ? "transaction_isolation" : name
            let settings = settings
            // Read when it runs: a SET before it in the same query text has changed it by then.
            return PGStatement(columns: [PGColumn(name: column, type: .text)]) { _ in PGResult(rows: [[settings[name]]], tag: "SHOW") }
        case .transaction(let command):
            switch command {
            case .begin: return .answer([], rows: [], tag: "BEGIN", transaction: .begin)
            case .commit: return .answer([], rows: [], tag: "COMMIT", transaction: .commit)
            case .rollback: return .answer([], rows: [], tag: "ROLLBACK", transaction: .rollback)
            case .savepoint: return .answer([], rows: [], tag: "SAVEPOINT")
            case .releaseSavepoint: return .answer([], rows: [], tag: "RELEASE")
            case .rollbackToSavepoint: return .answer([], rows: [], tag: "ROLLBACK", transaction: .rollbackToSavepoint)
            }
        case .sessionUpkeep(let tag):
            return .answer([], rows: [], tag: tag)
        case .unsupported(let keyword):
            // Refused when it runs, as PostgreSQL refuses a write in a read-only transaction.
            let error = ["INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE", "COPY", "CALL", "DO", "VACUUM"]
                .contains(keyword)
                ? PGError(PGError.readOnlyTransaction, "cannot execute \(keyword): the semantic layer's SQL API is read-only")
                : PGError(PGError.featureNotSupported, "\(keyword) statements are not supported by the SQL API",
                          hint: "it answers SELECT over the cubes and views, the system catalogs, SET, SHOW and transaction statements")
            return PGStatement(columns: []) { _ throws(PGError) in throw error }
        case .query(let query):
            let served = server.source.current()
            let tables = tables(of: served)
            if Self.readsCubes(query, tables: tables) {
                return try cubeStatement(query, tables: tables, served: served, parameterTypes: parameterTypes)
            }
            return try catalogStatement(query, tables: tables, served: served, parameterTypes: parameterTypes)
        }
    }

    /// Whether a query names a cube or view (and so is a Cube query) rather than the catalogs or nothing.
    static func readsCubes(_ query: SQLQuery, tables: SemanticTables) -> Bool {
        guard case .select(let select) = query.body else { return false }
        func names(_ item: SQLTableReference) -> [[String]] {
            switch item {
            case .table(let name, _): [name]
            case .join(let left, _, let right, _): names(left) + names(right)
            case .subquery, .function: []
            }
        }
        return select.from.flatMap(names).contains { name in
            CatalogTables.named(name) == nil && (tables.table(name[name.count - 1]) != nil || tables.tables.contains { $0.name.lowercased() == name[name.count - 1] })
        }
    }

    // MARK: Cube queries

    private func cubeStatement(_ query: SQLQuery, tables: SemanticTables, served: ServedPlan, parameterTypes: [UInt32]) throws(PGError) -> PGStatement {
        let translated: SemanticSQLStatement
        do {
            translated = try SemanticSQLTranslator(tables: tables, database: database).translate(query)
        } catch {
            throw Self.pgError(error)
        }
        var types: [PGType] = []
        for index in 0..<max(translated.parameterCount, parameterTypes.count) {
            if index < parameterTypes.count, parameterTypes[index] != 0, let given = PGType.named(oid: parameterTypes[index]) {
                types.append(given)
            } else {
                types.append(SQLAPITypes.type(valueType: translated.parameterTypes[index + 1] ?? "string"))
            }
        }
        let columns = translated.outputs.map { PGColumn(name: $0.name, type: SQLAPITypes.type(of: $0)) }
        return PGStatement(parameterTypes: types, columns: columns) { [self] parameters throws(PGError) in
            let cubeQuery: CubeQuery
            let running: (statement: SemanticSQLStatement, security: SecurityContext?, user: String)
            do throws(SemanticError) {
                if let name = try translated.user(binding: parameters) {
                    running = try switchedUser(name, query: query, served: served)
                } else {
                    running = (translated, security, user)
                }
                cubeQuery = try running.statement.query(binding: parameters)
            } catch {
                throw Self.pgError(error)
            }
            let started = ContinuousClock.now
            // A CancelRequest on another connection ends it.
            let interruptible = RunningQuery()
            attach(interruptible)
            let loaded = await server.load(cubeQuery, served: served, security: running.security, running: interruptible, endpoint: "sql_api")
            detach(interruptible)
            let result: LoadResult
            switch loaded {
            case .success(let answer): result = answer
            case .failure(let failure): throw Self.pgError(failure)
            }
            let rows = Self.rows(of: result, outputs: running.statement.outputs)
            // One line per query, as the REST API's request log has.
            let members = (cubeQuery.measures + cubeQuery.dimensions + cubeQuery.timeDimensions.map { td in
                td.granularity.map { "\(td.dimension).\($0.rawValue)" } ?? td.dimension
            }).joined(separator: ",")
            let milliseconds = SemanticServer.milliseconds(since: started)
            self.server.emit(ServeLogEvent(
                name: "sql_query_served", level: "info",
                message: "floe serve: sql \(running.user) \(rows.count) rows \(milliseconds) ms \(members) (\(CubeAPI.answeredBy(result)))",
                fields: [("user", running.user), ("rows", String(rows.count)), ("milliseconds", milliseconds), ("members", members),
                         ("answered_by", CubeAPI.answeredBy(result))]))
            return PGResult(rows: rows, tag: "SELECT \(rows.count)")
        }
    }

    /// `WHERE __user = 'name'`: the query translated again for that user of platform.yaml, and its
    /// security context, when this session's user may switch (its `can_switch_user`).
    private func switchedUser(_ name: String, query: SQLQuery, served: ServedPlan) throws(SemanticError)
        -> (statement: SemanticSQLStatement, security: SecurityContext?, user: String) {
        guard let me = served.sqlUsers[user], me.canSwitchUser else {
            throw SemanticError(.forbidden, "user \"\(user)\" may not run queries as another user (__user): "
                + "platform.yaml's semantic.sql_api.users does not give it can_switch_user", sqlState: PGError.insufficientPrivilege)
        }
        guard let target = served.sqlUsers[name] else {
            throw SemanticError(.badQuery, "__user: platform.yaml's semantic.sql_api.users has no user \"\(name)\"", sqlState: PGError.undefinedObject)
        }
        let security = SecurityContext(claims: target.claims)
        let tables = SemanticTables(catalog: served.runner.compiler.catalog, security: security)
        return (try SemanticSQLTranslator(tables: tables, database: database).translate(query), security, "\(user) as \(name)")
    }

    /// The result's rows in the select list's order, as PostgreSQL writes values in text.
    static func rows(of result: LoadResult, outputs: [SemanticSQLStatement.Output]) -> [[String?]] {
        let columns = result.generated.columns
        let positions = outputs.map { output in columns.firstIndex { $0.keys.contains(output.key) } }
        return result.rows.rows.map { row in
            positions.enumerated().map { index, position in
                guard let position, position < row.count else { return nil }
                return text(row[position], output: outputs[index])
            }
        }
    }

    static func text(_ value: SQLValue, output: SemanticSQLStatement.Output) -> String? {
        switch value {
        case .null: return nil
        case .integer(let number):
            if output.valueType == "boolean" { return number == 0 ? "f" : "t" }
            return String(number)
        case .real(let number):
            guard number.isFinite else { return nil }
            if output.measureType.map(SQLAPITypes.countMeasures.contains) == true { return String(Int64(number)) }
            return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .text(let text):
            switch output.valueType {
            case "time":
                return timestamp(text)
            case "boolean": return ["true", "t", "1"].contains(text.lowercased()) ? "t" : "f"
            default: return text
            }
        case .blob: return value.displayText
        }
    }

    /// A time value as PostgreSQL writes a timestamp (`2024-01-01 00:00:00`, with a fraction only
    /// when there is one). What the engines return mostly is that already, or Cube's `T` form.
    static func timestamp(_ text: String) -> String {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: "Z") { bytes.removeLast() }
        guard bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[13] == UInt8(ascii: ":"),
              bytes[16] == UInt8(ascii: ":"), bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T") else {
            guard let time = CivilTimestamp(text) else { return text }
            var written = time.text(separator: " ")
            if written.hasSuffix(".000") { written.removeLast(4) }
            return written
        }
        bytes[10] = UInt8(ascii: " ")
        if bytes.count == 23, bytes[19...] == [UInt8(ascii: "."), 48, 48, 48] { bytes.removeLast(4) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// PostgreSQL's error for a cube query the server could not answer.
    static func pgError(_ failure: SemanticServer.LoadFailure) -> PGError {
        switch failure.status {
        case 400: PGError("42000", failure.message)
        case 403: PGError(PGError.insufficientPrivilege, failure.message)
        case 499: PGError(PGError.queryCanceled, "canceling statement due to user request")
        case 504: PGError(PGError.queryCanceled, failure.message)
        case 503: PGError(PGError.connectionFailure, failure.message)
        default: PGError(PGError.internalError, failure.message)
        }
    }

    static func pgError(_ error: SemanticError) -> PGError {
        if let code = error.sqlState { return PGError(code, error.message) }
        return switch error.kind {
        case .badQuery: PGError("42000", error.message)
        case .forbidden: PGError(PGError.insufficientPrivilege, error.message)
        case .engine: PGError(PGError.internalError, error.message)
        case .unreachable: PGError(PGError.connectionFailure, error.message)
        }
    }

    // MARK: Catalog queries

    private func catalogStatement(_ query: SQLQuery, tables: SemanticTables, served: ServedPlan, parameterTypes: [UInt32]) throws(PGError) -> PGStatement {
        let settings = settings
        let sessionInfo = CatalogSQL.Session(database: database, user: user, setting: { settings[$0] }, version: SessionSettings.versionText)
        let translator = CatalogSQL(session: sessionInfo, parameterTypes: parameterTypes)
        let (sql, columns) = try translator.translate(query)
        let catalog = try catalogs.catalog(for: tables, database: database, user: user, settings: settings.all, plan: served)
        let count = max(translator.parameters.highest, parameterTypes.count)
        let types = (0..<count).map { translator.parameterTypes[$0 + 1] ?? .text }
        let knownTypes = translator.parameterTypes
        return PGStatement(parameterTypes: types, columns: columns.map { PGColumn(name: $0.name, type: $0.type) }) { parameters throws(PGError) in
            let rows = try catalog.query(sql, columns: columns.map(\.type), parameters: parameters, parameterTypes: knownTypes)
            return PGResult(rows: rows, tag: "SELECT \(rows.count)")
        }
    }
}

/// Catalogs by what they show: the served plan, the database name, the user and the visible tables.
final class CatalogCache: Sendable {
    private let catalogs = PlanShapedCache<PGCatalog>()

    func catalog(for tables: SemanticTables, database: String, user: String, settings: [(String, String)], plan: ServedPlan) throws(PGError) -> PGCatalog {
        try catalogs.value(plan, "\(database)\u{0}\(user)\u{0}\(tables.shape)") { () throws(PGError) in
            try PGCatalog(tables: tables, database: database, user: user, settings: settings)
        }
    }
}
