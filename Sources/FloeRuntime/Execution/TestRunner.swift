import Crypto
import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Runs a data test: its SQL returns the failing rows (at most `limit` of them). dbt's thresholds
/// decide the status: `fail` when the test's severity is `error` and the count meets `error_if`,
/// else `warn` when it meets `warn_if`, else `pass` (both default to `!=0`). The failing rows are
/// kept in the audit schema (``TestFailures``) as the test's `store_failures` says.
struct TestRunner {
    struct Outcome {
        var status: NodeResult.Status
        var failures: Int
        /// Where the failing rows are now, when they were stored.
        var stored: Relation?
    }

    let connection: any EngineConnection
    let dialect: any SQLDialect
    let namespace: String
    let state: StateStore
    let runID: String

    /// `storedBefore`: the failing rows of an earlier run are in the audit schema.
    func run(_ test: CompiledTest, storedBefore: Bool) throws -> Outcome {
        let failingRows = test.limit.map { "select * from (\n\(test.sql)\n) as floe_failing_rows limit \($0)" } ?? test.sql
        // dbt's `fail_calc` over the rows, or their number.
        let failures = try connection.count(test.failCalc.map { "select coalesce(\($0), 0) from (\n\(failingRows)\n) as floe_failing_rows" }
            ?? dialect.countRows(failingRows))
        let errorIf = test.errorIf.flatMap(FailureThreshold.init) ?? .dbtDefault
        let warnIf = test.warnIf.flatMap(FailureThreshold.init) ?? .dbtDefault
        let status: NodeResult.Status = test.severity == .error && errorIf.isMet(by: failures) ? .fail
            : warnIf.isMet(by: failures) ? .warn : .pass
        let relation = TestFailures.relation(of: test, namespace: namespace)
        let store = test.storeFailures ?? (status != .pass)
        if store {
            try connection.ensureSchema(relation.schema)
            try connection.inWriteTransaction {
                try TableSwap(connection: connection, dialect: dialect).replace(relation) { temporary in
                    try connection.execute(dialect.createTable(temporary, as: failingRows))
                }
                try state.recordBuild(connection, id: TestFailures.stateID(of: test),
                                      state: NodeState(fingerprint: "", version: runID, inputs: [:]),
                                      relation: relation, at: Clock.timestamp(), runID: runID)
            }
            return Outcome(status: status, failures: failures, stored: relation)
        }
        if storedBefore {
            // Rows kept from an earlier failure would be read as today's: they go.
            try connection.ensureSchema(relation.schema)
            try connection.inWriteTransaction {
                try connection.dropIfExists(relation, dialect: dialect)
                try state.forget(connection, id: TestFailures.stateID(of: test))
            }
        }
        return Outcome(status: status, failures: failures, stored: nil)
    }
}

/// Where a test's failing rows are kept: dbt's audit schema, `<namespace>_dbt_test__audit`, in a
/// table named after the test. `floe show --failures TEST` reads it.
public enum TestFailures {
    public static func relation(of test: CompiledTest, namespace: String) -> Relation {
        Relation(schema: namespace + "_dbt_test__audit", name: alias(of: test.name))
    }

    /// The table of a test whose name is 64 characters or more (an identifier PostgreSQL would
    /// cut): its first 30 characters and the MD5 of the whole name. dbt cuts the test's
    /// identifier (test and node names) instead, which the plan does not carry: the two agree
    /// whenever that identifier is 30 characters or longer.
    static func alias(of name: String) -> String {
        guard name.utf8.count >= 64 else { return name }
        return String(name.prefix(30)) + "_" + Hex.string(Insecure.MD5.hash(data: Data(name.utf8)))
    }

    /// The state row that says the failing rows are stored.
    static func stateID(of test: CompiledTest) -> String { "failures." + test.uniqueID }
}
