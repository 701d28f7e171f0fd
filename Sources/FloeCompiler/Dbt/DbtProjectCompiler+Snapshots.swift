import FloeContract
import FloeCore
import FloeJinja
import FloeTemplates
import Foundation

/// dbt snapshots: files in the snapshot paths holding `{% snapshot name %}…{% endsnapshot %}`,
/// compiled as models are (their SELECT rendered, their refs resolved), whose plan node carries
/// how their history is kept.
extension DbtProjectCompiler {
    /// The problem with a snapshot file's block, if it has one: floe reads one snapshot per file,
    /// named as the file, as dbt projects write them.
    struct SnapshotBlockProblem: Error {
        var diagnostic: Diagnostic
    }

    /// The name of the file's one `{% snapshot name %}` block (which names the snapshot, whatever
    /// the file is called, as in dbt); a file with none or several is an error.
    static func snapshotName(_ file: ProjectFile) -> Result<String, SnapshotBlockProblem> {
        guard let data = FileManager.default.contents(atPath: file.path) else { return .success(file.stem) }
        let text = String(decoding: data, as: UTF8.self)
        let pattern = /\{%-?\s*snapshot\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}/
        let names = text.matches(of: pattern).map { String($0.output.1) }
        guard let name = names.first else {
            return .failure(SnapshotBlockProblem(diagnostic: .error(at: .file(file.display), "a snapshot file holds no {% snapshot %} block",
                                                                    hint: "write {% snapshot \(file.stem) %} select … {% endsnapshot %}")))
        }
        if names.count > 1 {
            return .failure(SnapshotBlockProblem(diagnostic: .error(
                at: .file(file.display), "\(names.count) snapshots in one file (\(names.joined(separator: ", ")))",
                hint: "floe reads one snapshot per file: give each its own file")))
        }
        return .success(name)
    }
}

/// A snapshot's plan node: how its history is kept.
extension DbtPlanAssembly {
    static let snapshotStrategies = ["timestamp", "check"]
    static let hardDeleteModes = ["ignore", "invalidate", "new_record"]

    /// The snapshot's strategy from its config, every mistake reported where the key is written
    /// in its `config()` call (or at the call, for a key it lacks).
    mutating func snapshotConfig(_ config: NodeConfig, file: ProjectFile, written: [ConfigEntry]) -> DbtSnapshotConfig? {
        func problem(_ path: String, _ message: String, hint: String) {
            let key = path.split(separator: ".").first.map(String.init) ?? path
            let location = written.last { $0.key == key }?.location ?? written.first?.location ?? .file(file.display)
            result.diagnostics.append(.error(at: location, path: "config.\(path)", "snapshot '\(file.stem)': \(message)", hint: hint))
        }
        let extra = config.extra
        if config.uniqueKey.isEmpty {
            problem("unique_key", "needs a unique_key", hint: "unique_key='id' (or a list of columns) names the row each version belongs to")
        } else if let expression = config.uniqueKey.first(where: { !DbtProjectFile.isIdentifier($0) }) {
            problem("unique_key", "unique_key '\(expression)' is not a column name",
                    hint: "floe keys a snapshot by columns: select the expression as a column and name it, or give a list of columns")
        }
        guard let strategy = extra["strategy"]?.string else {
            problem("strategy", "needs a strategy", hint: "strategy='timestamp' with updated_at='…', or strategy='check' with check_cols=[…]")
            return nil
        }
        guard Self.snapshotStrategies.contains(strategy) else {
            problem("strategy", "unknown strategy '\(strategy)'", hint: Suggestions.didYouMean(strategy, in: Self.snapshotStrategies) ?? "timestamp or check")
            return nil
        }
        var snapshot = DbtSnapshotConfig(strategy: strategy)
        switch strategy {
        case "timestamp":
            guard let updatedAt = extra["updated_at"]?.string else {
                problem("updated_at", "the timestamp strategy needs updated_at", hint: "updated_at='updated_at' names the column that tells a row's version")
                return nil
            }
            snapshot.updatedAt = updatedAt
        default:
            switch extra["check_cols"] {
            case .string("all")?: snapshot.checkColumns = nil
            case let value? where value.strings != nil: snapshot.checkColumns = value.strings
            default:
                problem("check_cols", "the check strategy needs check_cols", hint: "check_cols=['status', 'amount'], or check_cols='all'")
                return nil
            }
        }
        if let mode = extra["hard_deletes"]?.string {
            guard Self.hardDeleteModes.contains(mode) else {
                problem("hard_deletes", "unknown hard_deletes '\(mode)'", hint: "ignore, invalidate or new_record")
                return nil
            }
            snapshot.hardDeletes = mode
        } else if case .bool(true)? = extra["invalidate_hard_deletes"] {
            snapshot.hardDeletes = "invalidate"
        }
        snapshot.validToCurrent = extra["dbt_valid_to_current"]?.string
        if case .map(let names)? = extra["snapshot_meta_column_names"] {
            for (key, value) in names {
                guard let name = value.string else { continue }
                switch key {
                case "dbt_scd_id": snapshot.columnNames.scdID = name
                case "dbt_updated_at": snapshot.columnNames.updatedAt = name
                case "dbt_valid_from": snapshot.columnNames.validFrom = name
                case "dbt_valid_to": snapshot.columnNames.validTo = name
                case "dbt_is_deleted": snapshot.columnNames.isDeleted = name
                default:
                    problem("snapshot_meta_column_names.\(key)", "unknown meta column '\(key)'",
                            hint: "dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to or dbt_is_deleted")
                }
            }
        }
        return snapshot
    }
}
