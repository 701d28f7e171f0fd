import FloeConnect
import FloeContract
import FloeEngine
import FloeSemantic

/// What the UI shows of the runs, read from floe's state tables in the warehouse (the same ones
/// every apply writes): the recent runs, each node's last outcome and last build, and one run's
/// nodes with their errors and the SQL that failed. A warehouse never applied to has none of the
/// tables: its history is empty, not an error.
struct RunHistory {
    let store: StateStore
    let connection: any EngineConnection
    /// How many runs the UI lists and reads outcomes from.
    static let runLimit = 50

    init?(plan: CompiledArtifacts, connection: any EngineConnection) {
        guard let dialect = SQLDialects.named(plan.profiles.compute.type) else { return nil }
        store = StateStore(namespace: plan.environment.namespace, dialect: dialect)
        self.connection = connection
    }

    private func exists(_ table: String) throws -> Bool { try connection.relationKind(store.relation(table)) != nil }

    /// The newest runs first.
    func runs() throws -> [JSONValue] {
        guard try exists("_floe_runs") else { return [] }
        let rows = try connection.query("""
            select run_id, command, started_at, completed_at, status, built, up_to_date, errors, skipped,
                   tests_passed, tests_warned, tests_failed
            from \(store.table("_floe_runs")) order by started_at desc
            """, limit: Self.runLimit).rows
        let names = ["built", "up_to_date", "errors", "skipped", "tests_passed", "tests_warned", "tests_failed"]
        return rows.map { row in
            .object([
                ("run_id", text(row[0])), ("command", text(row[1])), ("started_at", text(row[2])), ("completed_at", text(row[3])),
                ("status", text(row[4])), ("counts", .object(zip(names, row[5...]).map { ($0, number($1)) })),
            ])
        }
    }

    /// One run's nodes in the order they started.
    func nodes(ofRun runID: String) throws -> [JSONValue] {
        guard try exists("_floe_run_nodes") else { return [] }
        // A warehouse last applied to by an older floe has no failed_sql yet (the next run adds it).
        let hasFailedSQL = try connection.columns(of: store.relation("_floe_run_nodes")).contains { $0.name.lowercased() == "failed_sql" }
        let rows = try connection.query("""
            select unique_id, status, started_at, execution_time, rows_affected, failures, message, \(hasFailedSQL ? "failed_sql" : "null")
            from \(store.table("_floe_run_nodes")) where run_id = \(store.text(runID)) order by started_at
            """, limit: nil).rows
        return rows.map { row in
            .object([
                ("unique_id", text(row[0])), ("status", text(row[1])), ("started_at", text(row[2])), ("execution_time", number(row[3])),
                ("rows_affected", number(row[4])), ("failures", number(row[5])), ("message", text(row[6])), ("failed_sql", text(row[7])),
            ])
        }
    }

    /// Per node: its outcome in the newest of the recent runs that ran it, and when it was last
    /// built (`_floe_node_state`).
    func latest() throws -> [(String, JSONValue)] {
        var outcome: [String: [(String, JSONValue)]] = [:]
        if try exists("_floe_run_nodes"), try exists("_floe_runs") {
            let rows = try connection.query("""
                select n.unique_id, n.status, n.message, r.started_at, n.run_id, n.execution_time
                from \(store.table("_floe_run_nodes")) n join \(store.table("_floe_runs")) r on r.run_id = n.run_id
                order by r.started_at desc
                """, limit: nil).rows
            for row in rows {
                guard let id = row[0].displayText, outcome[id] == nil else { continue }
                outcome[id] = [("status", text(row[1])), ("message", text(row[2])), ("run_started_at", text(row[3])),
                               ("run_id", text(row[4])), ("execution_time", number(row[5]))]
            }
        }
        if try exists("_floe_node_state") {
            // On a log (Spark), the newest row of a node is its state: rows come oldest first.
            let rows = try connection.query("select unique_id, built_at, fingerprint from \(store.table("_floe_node_state"))"
                + (store.isLog ? " order by sequence" : ""), limit: nil).rows
            for row in rows {
                guard let id = row[0].displayText else { continue }
                var entry = outcome[id] ?? []
                entry.removeAll { $0.0 == "built_at" }
                if row[2].displayText != nil { entry.append(("built_at", text(row[1]))) }
                outcome[id] = entry
            }
        }
        return outcome.keys.sorted().map { ($0, .object(outcome[$0]!)) }
    }

    private func text(_ value: SQLValue) -> JSONValue { value.displayText.map(JSONValue.string) ?? .null }

    private func number(_ value: SQLValue) -> JSONValue {
        switch value {
        case .integer(let number): .number(String(number))
        case .real(let number): .number(String(number))
        case .text(let text): Double(text) == nil ? .null : .number(text)
        default: .null
        }
    }
}
