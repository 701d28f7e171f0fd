import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// `floe restore MODEL --snapshot K`: puts an earlier version of a table or incremental model
/// back, atomically, under the namespace's lock. The version it replaces becomes the newest
/// snapshot, so a restore can be undone the same way; the model gets back the state it had, so
/// it counts as up to date only while its inputs are still what that version read, and what
/// reads it is rebuilt by the next apply.
public enum SnapshotRestore {
    public static func restore(
        _ name: String, snapshot: Int, in plan: CompiledArtifacts, projectDirectory: String, environment: [String: String],
        lockTimeout: Double = 0
    ) throws(ExecutorError) -> String {
        guard let model = plan.models.first(where: { $0.name == name || $0.uniqueID == name }) else {
            throw RelationPreview.Missing.unknown(name, suggestion: Suggestions.didYouMean(name, in: plan.models.map(\.name)))
        }
        return try RelationPreview.withConnection(plan, projectDirectory: projectDirectory, environment: environment) { engine, connection in
            let lock: any NamespaceLock
            do {
                lock = try engine.lockNamespace(plan.environment.namespace, timeout: lockTimeout)
            } catch {
                throw ExecutorError(error, hint: "wait for it to finish, or pass --lock-timeout SECONDS to wait for it")
            }
            defer { lock.release() }
            let state = StateStore(namespace: plan.environment.namespace, dialect: engine.dialect)
            try state.createTables(connection)
            let snapshots = Snapshots(keep: plan.product.snapshots?.keep ?? 100, state: state)
            let kept = try snapshots.entries(of: model, connection: connection)
            guard snapshot >= 1, snapshot <= kept.count else {
                throw RelationPreview.Missing.noSnapshot(model.name, number: snapshot, kept: kept.count)
            }
            let runID = "restore-" + UUID().uuidString.lowercased()
            _ = try connection.inWriteTransaction {
                try snapshots.restore(model, snapshot: snapshot, connection: connection, runID: runID)
                // The live table has the model's indexes: they move from the version just retired.
                try IndexCreation(connection: connection, dialect: engine.dialect).create(for: model, replacing: true)
            }
            return "restored \(model.name) to snapshot \(snapshot), taken \(kept[snapshot - 1].takenAt); "
                + "the version it replaced is now snapshot 1"
        }
    }
}
