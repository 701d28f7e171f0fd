import FloeContract
import FloeEngine

/// Runs a data test: its SQL returns the failing rows; none is a pass, some is a failure or,
/// for `severity: warn`, a warning.
struct TestRunner {
    let connection: any EngineConnection
    let dialect: any SQLDialect

    func run(_ test: CompiledTest) throws -> (status: NodeResult.Status, failures: Int) {
        let failures = try connection.count(dialect.countRows(test.sql))
        if failures == 0 { return (.pass, 0) }
        return (test.severity == .warn ? .warn : .fail, failures)
    }
}
