import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// `floe apply --batch` (live demo mode): instead of loading the synthetic tables, each gets one
/// batch of new rows appended, made as the table's next rows would be: keys carry on where the
/// last batch stopped, references can draw on every row so far, and duplicates and late rows can
/// repeat or predate earlier batches. A table's state records how many rows have been made
/// (`<fingerprint>@<rows>`), so each batch is a new content version and what reads the table is
/// rebuilt (incremental models take just the new rows).
extension SyntheticPhase {
    func runBatch(_ tables: [SyntheticTable], demo: DemoSettings, scale: Double, into load: inout Load,
                  on connection: any EngineConnection) {
        let generator = generator(scale: scale)
        let fingerprints = Self.fingerprints(plan.synthetic, scale: scale)
        // Rows made so far, per table: from its state when its definition is unchanged.
        var made: [String: Int] = [:]
        for table in plan.synthetic {
            guard let fingerprint = fingerprints[table.name], let state = context.states.state(of: table.uniqueID),
                  state.fingerprint == fingerprint, (try? connection.relationKind(relation(table))) != nil else { continue }
            made[table.name] = Self.rowsMade(version: state.version, fingerprint: fingerprint, initial: generator.rowCount(table))
        }
        // A table never loaded (or changed since) is loaded whole first; a batch comes next time.
        let unloaded = tables.filter { made[$0.name] == nil }
        if !unloaded.isEmpty { loadWhole(unloaded, scale: scale, into: &load, on: connection) }
        let batched = tables.filter { made[$0.name] != nil }
        guard !batched.isEmpty else { return }

        var extents: [String: (start: Int, count: Int)] = [:]
        for table in plan.synthetic {
            let rows = made[table.name] ?? generator.rowCount(table)
            let adds = batched.contains { $0.name == table.name } && table.perParent == nil
            extents[table.name] = (rows, adds ? rows + demo.batchSize : rows)
        }
        // The batch's defects: the demo's, else each table's own.
        let definitions = SyntheticPhase.withReferenced(Set(batched.map(\.name)), in: plan.synthetic).map { table in
            var table = table
            if let quality = demo.dataQuality {
                table.quality = DataQualityDefects(nullRate: quality.nullRate, duplicateRate: quality.duplicateRate,
                                                   lateArrivalRate: quality.lateArrivalRate, nullColumns: table.quality.nullColumns,
                                                   maxLateDays: table.quality.maxLateDays)
            }
            return table
        }
        let sources = generator.sources(definitions, extents: extents)
        for table in batched {
            if context.cancellation.isCancelled { return }
            context.collector.started(table.name, id: table.uniqueID, type: .synthetic)
            let start = Date()
            guard let rows = sources.first(where: { $0.table.name == table.name }), let fingerprint = fingerprints[table.name] else { continue }
            let state = NodeState(fingerprint: fingerprint, version: "\(fingerprint)@\(rows.count)", inputs: [:])
            let injected = InjectionCounter()
            do {
                let added = try connection.inWriteTransaction {
                    let count = try connection.insert(into: relation(table), columns: rows.columns.map(\.name),
                                                      rows: SyntheticRowSequence(rows: rows, counter: injected))
                    try context.state.recordBuild(connection, id: table.uniqueID, state: state, relation: relation(table),
                                                  at: Clock.timestamp(), runID: context.runID)
                    return count
                }
                context.states.committed(table.uniqueID, state)
                let defects = injected.counts
                var loaded = result(table, .success, time: Date().timeIntervalSince(start),
                                    message: "batch, \(added) new rows (\(rows.count) made in all)"
                                        + (defects.isEmpty ? "" : "; injected: \(defects.description)"))
                loaded.rowsAffected = added
                loaded.injected = defects
                load.results[table.name] = loaded
                load.written.append(rows)
            } catch {
                load.results[table.name] = failure(table, error, since: start)
            }
        }
    }
}
