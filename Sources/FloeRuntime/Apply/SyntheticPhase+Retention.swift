import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Retention on the synthetic tables, keeping their relationships whole. floe.yaml's `reference`
/// and `per_parent` columns make rows that repeat other tables' values (an order's customer, an
/// item's order), and the product's relationships tests assume every such value is there. So,
/// after this run's rows are written, the tables are visited children first:
/// - a table first gets back the rows that rows written (or sent again) in this run point at and
///   that an earlier retention deleted (a new order can draw any customer made so far, a
///   duplicate repeats any earlier row): each is made again as a whole load makes it, with this
///   run's `loaded_at`, as a source sends a record again;
/// - then its rows older than `max_age` go, except those a row of a table referencing it still
///   points at (a child never loses its parent; it goes when its last child has).
/// Both happen in one transaction per table, which records a new content version when rows came
/// or went, so what reads the table is rebuilt.
extension SyntheticPhase {
    /// One `reference` or `parent` column: `child.childColumn` holds values of `parent.parentColumn`.
    struct Link: Equatable {
        let child: String
        let childColumn: String
        let parent: String
        let parentColumn: String
    }

    static func links(_ tables: [SyntheticTable]) -> [Link] {
        tables.flatMap { table in
            table.columns.compactMap { column -> Link? in
                let parent: String? = switch column.generator {
                case "reference": column.options["table"]?.stringValue
                case "parent": table.perParent?.table
                default: nil
                }
                guard let parent, parent != table.name, let key = column.options["column"]?.stringValue else { return nil }
                return Link(child: table.name, childColumn: column.name, parent: parent, parentColumn: key)
            }
        }
    }

    /// What retention did to one table.
    struct Retained {
        var deleted = 0
        var resent = 0

        var changed: Bool { deleted > 0 || resent > 0 }
    }

    /// Applies retention to `tables` and to the tables this run wrote, children first; adds what
    /// it did to each table's result in `load`. A no-op without floe.yaml's `retention`.
    func retain(_ tables: [SyntheticTable], load: inout Load, on connection: any EngineConnection) {
        guard let retention = context.retention else { return }
        let names = Set(tables.map(\.name)).union(load.written.map(\.table.name))
        let links = Self.links(plan.synthetic)
        var demands = Demands(written: load.written)
        for table in SyntheticGenerator.referenceOrder(plan.synthetic.filter { names.contains($0.name) }).reversed() {
            if context.cancellation.isCancelled { return }
            // What this run's rows of the table point at must be there when its parents' turn comes.
            for source in load.written where source.table.name == table.name {
                for position in 0..<source.total { demands.add(source.sourceRows(of: source.original(of: position))) }
            }
            guard load.results[table.name]?.status != .error, let previous = context.states.state(of: table.uniqueID),
                  (try? connection.relationKind(relation(table))) != nil else { continue }
            let start = Date()
            do {
                let missing = try demands.missing(in: table.name, relation: relation(table), connection: connection,
                                                  dialect: context.engine.dialect)
                let references = links.filter { $0.parent == table.name }.compactMap { link -> RetentionStep.Reference? in
                    guard let child = plan.synthetic.first(where: { $0.name == link.child }),
                          (try? connection.relationKind(relation(child))) != nil else { return nil }
                    return RetentionStep.Reference(column: link.parentColumn, from: relation(child), fromColumn: link.childColumn)
                }
                let state = NodeState(fingerprint: previous.fingerprint, version: Self.withRetentionMark(previous.version, context.runID),
                                      inputs: previous.inputs)
                let retained = try connection.inWriteTransaction {
                    var retained = Retained()
                    for (source, rows) in missing {
                        retained.resent += try connection.insert(into: relation(table), columns: source.columns.map(\.name),
                                                                 rows: rows.lazy.map { source.madeRow($0) })
                    }
                    retained.deleted = try retention.apply(to: relation(table), connection: connection,
                                                           dialect: context.engine.dialect, keeping: references)
                    if retained.changed {
                        try context.state.recordBuild(connection, id: table.uniqueID, state: state, relation: relation(table),
                                                      at: Clock.timestamp(), runID: context.runID)
                    }
                    return retained
                }
                guard retained.changed else { continue }
                context.states.committed(table.uniqueID, state)
                for (source, rows) in missing {
                    for row in rows { demands.add(source.sourceRows(of: row)) }
                }
                load.note(retained, of: table, describe: describe(retained), phase: self, since: start)
            } catch {
                load.results[table.name] = failure(table, error, since: start)
            }
        }
    }

    func describe(_ retained: Retained) -> String {
        var parts: [String] = []
        if retained.deleted > 0, let retention = context.retention { parts.append(retention.describe(retained.deleted)) }
        if retained.resent > 0 {
            parts.append("\(counted(retained.resent, "expired row")) made again: newer rows point at \(retained.resent == 1 ? "it" : "them")")
        }
        return parts.joined(separator: "; ")
    }

    /// The rows of each table that rows written in this run point at.
    struct Demands {
        /// Per table, per source and column: the rows wanted.
        private var wanted: [String: [ObjectIdentifier: (source: SyntheticRows, columns: [Int: Set<Int>])]] = [:]
        /// Per source this run wrote, the first of its rows it inserted: those from there on are in place.
        private let insertedFrom: [ObjectIdentifier: Int]

        init(written: [SyntheticRows]) {
            insertedFrom = Dictionary(written.map { (ObjectIdentifier($0), $0.start) }, uniquingKeysWith: min)
        }

        mutating func add(_ rows: [SyntheticRows.SourceRow]) {
            for wanted in rows {
                let key = ObjectIdentifier(wanted.table)
                if let from = insertedFrom[key], wanted.row >= from { continue }
                self.wanted[wanted.table.table.name, default: [:]][key, default: (wanted.table, [:])]
                    .columns[wanted.column, default: []].insert(wanted.row)
            }
        }

        /// The wanted rows of `table` whose value is not in `relation`, per source, in row order.
        func missing(in table: String, relation: Relation, connection: any EngineConnection,
                     dialect: any SQLDialect) throws -> [(source: SyntheticRows, rows: [Int])] {
            var result: [(source: SyntheticRows, rows: [Int])] = []
            for (source, columns) in (wanted[table] ?? [:]).values {
                var absent: Set<Int> = []
                for (column, rows) in columns {
                    let name = dialect.quoteIdentifier(source.columns[column].name)
                    let values = rows.sorted().compactMap { row -> (Int, SQLValue)? in
                        let value = source.value(row: row, column: column)
                        return value == .null ? nil : (row, value)
                    }
                    var present: Set<String> = []
                    for start in stride(from: 0, to: values.count, by: 500) {
                        let chunk = values[start..<min(start + 500, values.count)]
                        let list = chunk.indices.map { dialect.parameter($0 - start + 1) }.joined(separator: ", ")
                        let found = try connection.query("select distinct \(name) from \(dialect.relation(relation)) where \(name) in (\(list))",
                                                         parameters: chunk.map(\.1), limit: nil)
                        present.formUnion(found.rows.compactMap { $0.first?.displayText })
                    }
                    absent.formUnion(values.filter { !present.contains($0.1.displayText ?? "") }.map(\.0))
                }
                if !absent.isEmpty { result.append((source, absent.sorted())) }
            }
            return result
        }
    }
}

/// What the synthetic phase did before retention: each table's result so far, and the row
/// sources it inserted from (whole, or a batch's new rows).
struct Load {
    var results: [String: NodeResult] = [:]
    var written: [SyntheticRows] = []

    /// Adds what retention did to `table`'s result: an up-to-date table counts as built.
    mutating func note(_ retained: SyntheticPhase.Retained, of table: SyntheticTable, describe: String,
                       phase: SyntheticPhase, since start: Date) {
        guard var result = results[table.name], result.status != .upToDate else {
            results[table.name] = phase.result(table, .success, time: Date().timeIntervalSince(start), message: describe)
            return
        }
        result.message = [result.message ?? "", describe].filter { !$0.isEmpty }.joined(separator: "; ")
        results[table.name] = result
    }
}
