import Crypto
import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Loads floe.yaml's synthetic tables into the namespace before the models run. A table is kept
/// when it exists and its fingerprint is unchanged: its definition, the scale, the generator's
/// version and the fingerprints of the tables its references draw from (their rows decide its
/// foreign keys). Generation is deterministic, so the fingerprint is also its content version.
struct SyntheticPhase {
    let context: Context
    let plan: CompiledArtifacts

    /// Loads `tables` where stale. Tables they reference are generated too (their rows are
    /// needed), but loaded only when they are among `tables`.
    /// Retention comes after the loads (see ``retain(_:load:on:)``), then each table's result.
    func run(_ tables: [SyntheticTable], on connection: any EngineConnection) {
        guard !tables.isEmpty, let scale = checkedScale(tables) else { return }
        var load = Load()
        if context.options.batch, let demo = plan.product.demo {
            runBatch(tables, demo: demo, scale: scale, into: &load, on: connection)
        } else {
            loadWhole(tables, scale: scale, into: &load, on: connection)
        }
        if !context.cancellation.isCancelled { retain(tables, load: &load, on: connection) }
        for table in tables {
            if let result = load.results[table.name] { context.collector.record(result) }
        }
    }

    /// `FLOE_DEMO_SEED_SCALE`, or nil after reporting every table as failed when it is not a
    /// non-negative number or takes a table past the most rows floe generates.
    func checkedScale(_ tables: [SyntheticTable]) -> Double? {
        let scaleText = context.options.environment["FLOE_DEMO_SEED_SCALE"] ?? ""
        let scale = Double(scaleText) ?? 1
        guard scale >= 0, scale.isFinite, scaleText.isEmpty || Double(scaleText) != nil else {
            for table in tables {
                context.collector.record(result(table, .error, time: 0,
                    message: "FLOE_DEMO_SEED_SCALE must be a non-negative number, got '\(scaleText)'"))
            }
            return nil
        }
        if let tooLarge = tables.first(where: { Double($0.rows) * scale > Double(SyntheticGenerator.maximumRows) }) {
            for table in tables {
                context.collector.record(result(table, .error, time: 0, message: "\(tooLarge.name): \(tooLarge.rows) rows × "
                    + "FLOE_DEMO_SEED_SCALE \(scaleText) is more than the \(SyntheticGenerator.maximumRows) rows floe generates for one table"))
            }
            return nil
        }
        return scale
    }

    /// The generator of this run's rows: their `loaded_at` is when the run started.
    func generator(scale: Double) -> SyntheticGenerator {
        var generator = SyntheticGenerator(scale: scale)
        generator.loadedAt = CivilDate.timestamp(seconds: Int64(context.startedAt.timeIntervalSince1970))
        return generator
    }

    /// Loads each of `tables` whole where it is stale; the others are up to date (until retention).
    func loadWhole(_ tables: [SyntheticTable], scale: Double, into load: inout Load, on connection: any EngineConnection) {
        let generator = generator(scale: scale)
        let dialect = context.engine.dialect
        let fingerprints = Self.fingerprints(plan.synthetic, scale: scale)
        var stale: Set<String> = []
        for table in tables {
            let exists = (try? connection.relationKind(relation(table))) != nil
            if context.options.fullRefresh || !exists || context.states.state(of: table.uniqueID)?.fingerprint != fingerprints[table.name] {
                stale.insert(table.name)
            }
        }
        // Row sources for the stale tables and those their references draw from; rows are made
        // as they are inserted, never all held.
        let sources = stale.isEmpty ? [] : generator.sources(Self.withReferenced(stale, in: plan.synthetic))
        for table in tables {
            if context.cancellation.isCancelled { return }
            context.collector.started(table.name, id: table.uniqueID, type: .synthetic)
            let start = Date()
            guard stale.contains(table.name), let rows = sources.first(where: { $0.table.name == table.name }),
                  let fingerprint = fingerprints[table.name] else {
                load.results[table.name] = result(table, .upToDate, time: 0, message: "up to date")
                continue
            }
            let state = NodeState(fingerprint: fingerprint, version: fingerprint, inputs: [:])
            let injected = InjectionCounter()
            do {
                let loaded = try connection.inWriteTransaction {
                    let columns = rows.columns.map { ColumnSpec(name: $0.name, type: dialect.typeName(for: $0.kind)) }
                    injected.counts = InjectedDefects()
                    let count = try TableSwap(connection: connection, dialect: dialect)
                        .load(relation(table), columns: columns, rows: SyntheticRowSequence(rows: rows, counter: injected))
                    try context.state.recordBuild(connection, id: table.uniqueID, state: state,
                                                  relation: relation(table), at: Clock.timestamp(), runID: context.runID)
                    return count
                }
                context.states.committed(table.uniqueID, state)
                let defects = injected.counts
                var loadedResult = result(table, .success, time: Date().timeIntervalSince(start),
                                          message: "synthetic, \(loaded) rows" + (defects.isEmpty ? "" : " (injected: \(defects.description))"))
                loadedResult.rowsAffected = loaded
                loadedResult.injected = defects
                load.results[table.name] = loadedResult
                load.written.append(rows)
            } catch {
                load.results[table.name] = failure(table, error, since: start)
            }
        }
    }

    /// A load that threw: cancelled when the run was, else an error with the engine's message.
    func failure(_ table: SyntheticTable, _ error: any Error, since start: Date) -> NodeResult {
        let cancelled = context.cancellation.isCancelled
        return result(table, cancelled ? .cancelled : .error, time: Date().timeIntervalSince(start),
                      message: cancelled ? "interrupted; its transaction rolled back" : context.message(error))
    }

    /// A synthetic table's version after retention deleted rows: what was made, and the run that deleted.
    static func withRetentionMark(_ version: String, _ runID: String) -> String {
        (version.split(separator: "~", maxSplits: 1).first.map(String.init) ?? version) + "~" + runID
    }

    /// How many rows a synthetic table's state says were made, or nil when the state is of
    /// another definition: `<fingerprint>` (a whole load: `initial`), `<fingerprint>@<rows>`
    /// (after batches), either with `~<run>` when retention has since deleted rows.
    static func rowsMade(version: String, fingerprint: String, initial: Int) -> Int? {
        guard version.hasPrefix(fingerprint) else { return nil }
        let rest = version.dropFirst(fingerprint.count).split(separator: "~", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        if rest.isEmpty { return initial }
        guard rest.first == "@" else { return nil }
        return Int(rest.dropFirst())
    }

    func relation(_ table: SyntheticTable) -> Relation {
        table.relation(in: plan.environment.namespace)
    }

    /// The tables named, and every table their references reach, in the plan's order.
    static func withReferenced(_ names: Set<String>, in tables: [SyntheticTable]) -> [SyntheticTable] {
        var needed = names
        var stack = Array(names)
        while let name = stack.popLast() {
            for target in tables.first(where: { $0.name == name })?.tablesDrawnFrom ?? [] where needed.insert(target).inserted {
                stack.append(target)
            }
        }
        return tables.filter { needed.contains($0.name) }
    }

    /// name → fingerprint of every table: its definition, the scale and floe's version, then the
    /// fingerprints of the tables it references (a reference cycle contributes each table once).
    static func fingerprints(_ tables: [SyntheticTable], scale: Double) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let byName = Dictionary(tables.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var done: [String: String] = [:]
        func fingerprint(_ name: String, visiting: Set<String>) -> String {
            if let known = done[name] { return known }
            guard let table = byName[name] else { return "" }
            var hasher = SHA256()
            hasher.update(data: (try? encoder.encode(table)) ?? Data())
            hasher.update(data: Data("\u{0}scale=\(scale)\u{0}floe=\(FloeVersion.current)".utf8))
            for target in table.tablesDrawnFrom where !visiting.contains(target) {
                hasher.update(data: Data("\u{0}\(target)=\(fingerprint(target, visiting: visiting.union([name])))".utf8))
            }
            let value = Hex.string(hasher.finalize())
            if visiting.isEmpty { done[name] = value }
            return value
        }
        for table in tables { done[table.name] = fingerprint(table.name, visiting: []) }
        return done
    }

    func result(_ table: SyntheticTable, _ status: NodeResult.Status, time: Double, message: String) -> NodeResult {
        NodeResult(uniqueID: table.uniqueID, name: table.name, resourceType: .synthetic, status: status,
                   relation: relation(table).description, materialized: "table", startedAt: Clock.timestamp(),
                   executionTime: time, message: message)
    }
}

/// A synthetic table's rows in order, each made as it is asked for, counting the defects injected.
struct SyntheticRowSequence: Sequence, IteratorProtocol {
    let rows: SyntheticRows
    let counter: InjectionCounter
    private var position = 0

    init(rows: SyntheticRows, counter: InjectionCounter) {
        self.rows = rows
        self.counter = counter
    }

    mutating func next() -> [SQLValue]? {
        guard position < rows.total else { return nil }
        defer { position += 1 }
        return rows.row(position, counting: &counter.counts)
    }
}

/// Where the rows' iterator adds up what it injected (the iterator is a copy; this is not).
final class InjectionCounter {
    var counts = InjectedDefects()
}
