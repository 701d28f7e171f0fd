import FloeConnect
import FloeEngine

extension StateStore {
    /// Records the run's end: its status and counts in `_floe_runs`, a row per node in
    /// `_floe_run_nodes`, in one transaction.
    func finishRun(_ connection: any EngineConnection, _ results: RunResults) throws {
        let counts = results.counts
        let runID = results.metadata.invocationID
        let status = results.cancelledBy != nil ? "cancelled" : results.success ? "success" : "failed"
        try connection.inWriteTransaction {
            if isLog {
                try connection.deleteRows(from: relation("_floe_runs"), where: "run_id = \(text(runID))", dialect: dialect)
                let metadata = results.metadata
                try connection.insert(into: relation("_floe_runs"), columns: Self.runColumns.map(\.0), rows: [[
                    .text(runID), .text(metadata.command), .text(metadata.startedAt), .text(metadata.completedAt), .text(status),
                    .null, .integer(Int64(counts.built)), .integer(Int64(counts.upToDate)), .integer(Int64(counts.errors)),
                    .integer(Int64(counts.skipped)), .integer(Int64(counts.passed)), .integer(Int64(counts.warned)),
                    .integer(Int64(counts.failed)),
                ]])
            } else {
                try connection.execute("""
                    update \(table("_floe_runs")) set completed_at = \(text(results.metadata.completedAt)), status = \(text(status)),
                        built = \(counts.built),
                        up_to_date = \(counts.upToDate), errors = \(counts.errors), skipped = \(counts.skipped),
                        tests_passed = \(counts.passed), tests_warned = \(counts.warned), tests_failed = \(counts.failed)
                    where run_id = \(text(runID))
                    """)
            }
            try connection.insert(into: relation("_floe_run_nodes"), columns: Self.runNodeColumns.map(\.0), rows: results.results.map { node in
                [.text(runID), .text(node.uniqueID), .text(node.status.rawValue), node.startedAt.map(SQLValue.text) ?? .null,
                 .real(node.executionTime), node.rowsAffected.map { .integer(Int64($0)) } ?? .null,
                 node.failures.map { .integer(Int64($0)) } ?? .null, node.message.map(SQLValue.text) ?? .null,
                 node.failedSQL.map(SQLValue.text) ?? .null]
            })
        }
    }}
