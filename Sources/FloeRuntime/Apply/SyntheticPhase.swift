import Crypto
import FloeContract
import FloeEngine
import Foundation

/// Loads floe.yaml's synthetic tables into the namespace before the models run. A table whose
/// definition and scale are unchanged since it was last loaded, and which still exists, is kept.
struct SyntheticPhase {
    let context: Context
    let plan: CompiledArtifacts

    func run(_ tables: [SyntheticTable], on connection: any EngineConnection) {
        guard !tables.isEmpty else { return }
        let scaleText = context.options.environment["FLOE_DEMO_SEED_SCALE"] ?? ""
        let scale = Double(scaleText) ?? 1
        guard scale >= 0, scale.isFinite, scaleText.isEmpty || Double(scaleText) != nil else {
            for table in tables {
                context.collector.record(result(table, .error, time: 0,
                    message: "FLOE_DEMO_SEED_SCALE must be a non-negative number, got '\(scaleText)'"))
            }
            return
        }
        let dialect = context.engine.dialect
        let fingerprints = Dictionary(tables.map { ($0.name, fingerprint($0, scale: scale)) }, uniquingKeysWith: { first, _ in first })
        var stale: Set<String> = []
        for table in tables {
            let exists = (try? connection.relationKind(relation(table))) != nil
            if context.options.fullRefresh || !exists || context.recorded[table.uniqueID] != fingerprints[table.name] {
                stale.insert(table.name)
            }
        }
        // References need the referenced tables' rows, so all are generated when any is stale.
        let generated = stale.isEmpty ? [] : SyntheticGenerator(scale: scale).generate(tables)
        for table in tables {
            context.collector.started(table.name, type: .synthetic)
            let start = Date()
            guard stale.contains(table.name), let rows = generated.first(where: { $0.name == table.name }) else {
                context.collector.record(result(table, .upToDate, time: 0, message: "up to date"))
                continue
            }
            do {
                let loaded = try connection.inWriteTransaction {
                    let columns = rows.columns.map { ColumnSpec(name: $0.name, type: dialect.typeName(for: $0.kind)) }
                    let count = try TableSwap(connection: connection, dialect: dialect)
                        .load(relation(table), columns: columns, rows: rows.rows)
                    try context.state.recordBuild(connection, id: table.uniqueID, fingerprint: fingerprints[table.name] ?? "",
                                                  relation: relation(table), at: Clock.timestamp(), runID: context.runID)
                    return count
                }
                var loadedResult = result(table, .success, time: Date().timeIntervalSince(start),
                                          message: "synthetic, \(loaded) rows")
                loadedResult.rowsAffected = loaded
                context.collector.markChanged(sources(of: table))
                context.collector.record(loadedResult, changedData: true)
            } catch {
                context.collector.record(result(table, .error, time: Date().timeIntervalSince(start),
                                                message: context.message(error)))
            }
        }
    }

    private func relation(_ table: SyntheticTable) -> Relation {
        Relation(schema: plan.environment.namespace, name: table.name)
    }

    /// The plan's sources that read this table.
    private func sources(of table: SyntheticTable) -> [String] {
        plan.sources.filter { $0.relation == relation(table) }.map(\.uniqueID)
    }

    private func fingerprint(_ table: SyntheticTable, scale: Double) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var bytes = (try? encoder.encode(table)) ?? Data()
        bytes.append(contentsOf: Array("scale=\(scale)".utf8))
        return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    private func result(_ table: SyntheticTable, _ status: NodeResult.Status, time: Double, message: String) -> NodeResult {
        NodeResult(uniqueID: table.uniqueID, name: table.name, resourceType: .synthetic, status: status,
                   relation: relation(table).description, materialized: "table", startedAt: Clock.timestamp(),
                   executionTime: time, message: message)
    }
}
