import FloeContract
import FloeEngine
import Foundation

/// floe's own tables in the warehouse, in the namespace's schema:
/// - `_floe_node_state`: per node, its last successful build: the plan's fingerprint, the content
///   version it left the relation at, and the versions of the inputs it read (``NodeState``);
/// - `_floe_runs`: one row per apply, with its counts;
/// - `_floe_run_nodes`: one row per node per apply: status, timing, rows, failures, message, the
///   statement that failed.
/// Written through the same connection and transaction as the build it records, so a build and
/// its state commit together.
///
/// On an engine without transactions (Spark), where a build and its record cannot commit
/// together and a parquet table takes no UPDATE, `_floe_node_state` is a log: each record is
/// one appended row with a rising `sequence`, a forgotten node a row without a fingerprint, and
/// the newest row of a node is its state. The record follows the build, so a build whose record
/// is lost is built again, never called up to date. The log is compacted when a run starts,
/// under the namespace's lock, and appends from the run's threads take turns, as one table's
/// files take one writer at a time.
package struct StateStore {
    package let namespace: String
    package let dialect: any SQLDialect
    /// Serializes the log's appends (a class: every copy of the store shares it).
    package let appends = StateLog()

    package init(namespace: String, dialect: any SQLDialect) {
        self.namespace = namespace
        self.dialect = dialect
    }

    package var isLog: Bool { !dialect.hasTransactions }
    package func table(_ name: String) -> String { dialect.relation(schema: namespace, name: name) }
    package func relation(_ name: String) -> Relation { Relation(schema: namespace, name: name) }
    package func text(_ value: String?) -> String { value.map(dialect.stringLiteral) ?? "null" }

    package static let nodeStateColumns: [(String, ValueKind)] = [
        ("unique_id", .text), ("fingerprint", .text), ("relation", .text), ("built_at", .text), ("run_id", .text),
        ("version", .text), ("inputs", .text), ("sequence", .integer),
    ]
    package static let runColumns: [(String, ValueKind)] = [
        ("run_id", .text), ("command", .text), ("started_at", .text), ("completed_at", .text), ("status", .text),
        ("inputs_sha256", .text), ("built", .integer), ("up_to_date", .integer), ("errors", .integer), ("skipped", .integer),
        ("tests_passed", .integer), ("tests_warned", .integer), ("tests_failed", .integer),
    ]
    package static let runNodeColumns: [(String, ValueKind)] = [
        ("run_id", .text), ("unique_id", .text), ("status", .text), ("started_at", .text), ("execution_time", .real),
        ("rows_affected", .integer), ("failures", .integer), ("message", .text), ("failed_sql", .text),
    ]

    /// unique_id → its last successful build. A row without a content version (written by an
    /// older floe) is left out: such a node is not known to be up to date.
    package func nodeStates(_ connection: any EngineConnection) throws -> [String: NodeState] {
        let rows = try connection.query("select unique_id, fingerprint, version, inputs from \(table("_floe_node_state"))"
            + (isLog ? " order by sequence" : "")).rows
        var result: [String: NodeState] = [:]
        for row in rows {
            guard let id = row[0].displayText else { continue }
            guard let fingerprint = row[1].displayText, let version = row[2].displayText,
                  let inputs = NodeState.decodeInputs(row[3].displayText ?? "") else {
                result[id] = nil
                continue
            }
            result[id] = NodeState(fingerprint: fingerprint, version: version, inputs: inputs)
        }
        return result
    }
}

/// What a node's last successful build left in the warehouse.
package struct NodeState: Equatable, Sendable {
    /// The plan's fingerprint of the node (its SQL, config and upstream definitions).
    package var fingerprint: String
    /// The content version of its relation: a new one each time a model's relation is written;
    /// for seeds and synthetic tables, whose content their definition decides, the fingerprint.
    package var version: String
    /// unique_id → the version of each input the build read, as it was then (``NodeStates``).
    package var inputs: [String: String]

    package init(fingerprint: String, version: String, inputs: [String: String]) {
        self.fingerprint = fingerprint
        self.version = version
        self.inputs = inputs
    }

    /// JSON, keys sorted: stable text for the same inputs.
    package var encodedInputs: String {
        let data = (try? JSONSerialization.data(withJSONObject: inputs, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    package static func decodeInputs(_ text: String) -> [String: String]? {
        guard !text.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String]
    }
}

/// The node state log's turn-taking and its sequence: microseconds since 1970, rising strictly
/// within the process, so a later record sorts after an earlier one.
package final class StateLog: @unchecked Sendable {
    private let lock = NSLock()
    private var last: Int64 = 0

    package func serialized(_ body: (Int64) throws -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        last = max(last + 1, Int64(Date().timeIntervalSince1970 * 1_000_000))
        try body(last)
    }
}
