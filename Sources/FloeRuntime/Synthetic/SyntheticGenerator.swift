import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Makes the row sources of floe.yaml's synthetic tables. Pure and deterministic: the same table,
/// seed and scale give the same rows, in the same order, on every machine.
struct SyntheticGenerator {
    /// A table's rows, made whole: for tests and small tables. Loading streams ``SyntheticRows``.
    struct Table {
        var name: String
        var columns: [(name: String, kind: ValueKind)]
        var rows: [[SQLValue]]
    }

    /// `FLOE_DEMO_SEED_SCALE`: every table's `rows` is multiplied by it.
    let scale: Double
    /// What `loaded_at` columns hold: the load's time, `YYYY-MM-DD HH:MM:SS` UTC.
    var loadedAt: String = CivilDate.timestamp(seconds: Int64(Date().timeIntervalSince1970))

    /// The most rows one table may have after scaling; beyond it the count is clamped (apply
    /// refuses such a table before generating, see ``SyntheticPhase``).
    static let maximumRows = 1_000_000_000

    /// A row source for each of `tables`, each made after the tables its `reference` columns
    /// point at (which must be among `tables`), in reference order.
    ///
    /// `extents` (name → rows made so far, and rows there will be) makes a batch: the source then
    /// emits only the new rows, `start..<count`, and their duplicates, which may repeat any row
    /// before `count`. A `per_parent` table's extent follows its parent's.
    func sources(_ tables: [SyntheticTable], extents: [String: (start: Int, count: Int)] = [:]) -> [SyntheticRows] {
        var made: [String: SyntheticRows] = [:]
        var result: [SyntheticRows] = []
        for table in Self.referenceOrder(tables) {
            let extent = extents[table.name]
            let rows = SyntheticRows(table, count: extent?.count ?? rowCount(table), start: extent?.start ?? 0,
                                     referenced: made, loadedAt: loadedAt)
            if let parent = table.perParent.flatMap({ made[$0.table] }) { rows.attach(toParent: parent) }
            made[table.name] = rows
            result.append(rows)
        }
        return result
    }

    /// All tables, made whole, each after the tables it references.
    func generate(_ tables: [SyntheticTable]) -> [Table] {
        sources(tables).map { source in
            Table(name: source.table.name, columns: source.columns, rows: (0..<source.total).map { source.row($0) })
        }
    }

    static func referenceOrder(_ tables: [SyntheticTable]) -> [SyntheticTable] {
        var ordered: [SyntheticTable] = []
        var placed: Set<String> = []
        var remaining = tables
        while !remaining.isEmpty {
            let ready = remaining.filter { table in
                table.tablesDrawnFrom.allSatisfy { target in placed.contains(target) || !tables.contains { $0.name == target } }
            }
            // A reference cycle (the compiler does not forbid one): take the rest in order.
            let next = ready.isEmpty ? remaining : ready
            ordered += next
            placed.formUnion(next.map(\.name))
            remaining.removeAll { table in next.contains { $0.name == table.name } }
        }
        return ordered
    }

    func rowCount(_ table: SyntheticTable) -> Int {
        let scaled = (Double(table.rows) * scale).rounded()
        guard scaled.isFinite, scaled > 0 else { return 0 }
        return scaled >= Double(Self.maximumRows) ? Self.maximumRows : Int(scaled)
    }
}

/// One synthetic table's rows, made on demand and never held. Every cell is a pure function of
/// the table's seed and name, its row and its column, so:
/// - rows stream out in order, in batches, with memory flat in the row count;
/// - a duplicate row (`duplicate_rate`) is its original made again;
/// - a `reference` draws a row of the referenced table and makes that row's value.
final class SyntheticRows: @unchecked Sendable {
    let table: SyntheticTable
    /// Rows made from the definition; duplicates follow them. For a `per_parent` table, the sum
    /// of each parent's children, known once the parent is attached.
    private(set) var count: Int
    /// Rows made by earlier loads (a batch emits only `start..<count`); 0 for a whole load.
    private(set) var start: Int
    /// How many duplicates follow the new rows.
    private(set) var duplicates: Int
    /// `per_parent`: the parent table's rows, and where each parent's children start (one more
    /// entry than parents; the last is `count`). Memory grows with the parents, not the children.
    private(set) var parent: SyntheticRows?
    private var childStarts: [Int] = []
    let columns: [(name: String, kind: ValueKind)]
    private let cells: [CellGenerator]
    private let base: RandomSource
    private let lateArrivalRate: Double
    private let maxLateDays: Int64

    /// The rows this source emits: the new ones, then their duplicates.
    var total: Int { count - start + duplicates }

    init(_ table: SyntheticTable, count: Int, start: Int = 0, referenced: [String: SyntheticRows], loadedAt: String) {
        self.table = table
        self.count = count
        self.start = min(start, count)
        // The plan validator holds rates to 0...1; clamped here as well, so no plan can trap.
        duplicates = Self.duplicates(of: count - min(start, count), table)
        lateArrivalRate = min(max(table.quality.lateArrivalRate, 0), 1)
        maxLateDays = Int64(min(max(table.quality.maxLateDays ?? 7, 1), 365))
        base = RandomSource(seed: table.seed, stream: table.name)
        // Expressions that read themselves (compile refuses them; a plan edited by hand may not)
        // would recurse forever: such columns are NULL instead.
        let cyclic = Set(SyntheticRows.expressionCycle(table.columns))
        cells = table.columns.map { column in
            CellGenerator(cyclic.contains(column.name) ? SyntheticColumn(name: column.name, generator: "constant", options: [:]) : column,
                          of: table, quality: table.quality, referenced: referenced, loadedAt: loadedAt)
        }
        columns = zip(table.columns, cells).map { ($0.name, $1.kind) }
    }

    /// Makes this a `per_parent` table of `parent`: each parent row gets `min` to `max` children.
    func attach(toParent parent: SyntheticRows) {
        guard let perParent = table.perParent else { return }
        self.parent = parent
        let low = Swift.max(0, perParent.min), high = Swift.max(low, perParent.max)
        var starts = [0]
        starts.reserveCapacity(parent.count + 1)
        for row in 0..<parent.count {
            var random = base.derived(1 << 61 | UInt64(row))
            starts.append(starts[row] + Int(random.integer(in: Int64(low)...Int64(high))))
        }
        childStarts = starts
        count = starts[parent.count]
        start = starts[parent.start]
        duplicates = Self.duplicates(of: count - start, table)
    }

    /// Duplicates of `rows` new rows, as the table's `duplicate_rate` says.
    static func duplicates(of rows: Int, _ table: SyntheticTable) -> Int {
        let rate = Swift.min(Swift.max(table.quality.duplicateRate, 0), 1)
        return rows > 0 ? Int((Double(rows) * rate).rounded()) : 0
    }

    /// The parent row a child row belongs to (a `per_parent` table's rows are in parent order).
    func parentRow(of row: Int) -> Int {
        var low = 0, high = childStarts.count - 2
        while low < high {
            let middle = (low + high + 1) / 2
            if childStarts[middle] <= row { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The expression columns that read themselves, directly or through others.
    static func expressionCycle(_ columns: [SyntheticColumn]) -> [String] {
        ArithmeticExpression.cyclicColumns(columns.filter { $0.generator == "expression" }.map {
            ($0.name, $0.options["expression"]?.stringValue ?? "")
        })
    }

    /// The row made from the definition that `position` shows: itself, or for a duplicate (at
    /// `count` and after), the earlier row it repeats.
    func original(of position: Int) -> Int {
        let new = count - start
        guard position >= new else { return start + position }
        var random = base.derived(duplicateKey(position - new))
        return random.index(below: count)
    }

    /// What a duplicate's draws derive from: its number, and the batch it came in.
    private func duplicateKey(_ duplicate: Int) -> UInt64 {
        1 << 63 | UInt64(start) << 24 | UInt64(duplicate & 0xFF_FFFF)
    }

    /// The row at `position`, duplicates included.
    func row(_ position: Int) -> [SQLValue] {
        var counts = InjectedDefects()
        return row(position, counting: &counts)
    }

    /// The row at `position`, adding the defects injected into it to `counts`. A duplicate has
    /// its original's key and values, with its timestamps a little later (it arrived again).
    func row(_ position: Int, counting counts: inout InjectedDefects) -> [SQLValue] {
        var values: [SQLValue] = []
        values.reserveCapacity(cells.count)
        let row = original(of: position)
        let late = lateDays(row)
        for column in cells.indices {
            let made = value(row: row, column: column, lateDays: late)
            if made.value == .null, made.injected { counts.nulls += 1 }
            values.append(made.value)
        }
        if late > 0 { counts.lateArrivals += 1 }
        if position >= count - start {
            counts.duplicates += 1
            var random = base.derived(duplicateKey(position - (count - start)) ^ 1 << 62)
            let seconds = random.integer(in: 1...3600)
            for column in cells.indices { values[column] = cells[column].later(values[column], seconds: seconds) }
        }
        return values
    }

    /// Writes the row at `position` into `buffer` from `offset` on (one value per column).
    func fill(_ position: Int, into buffer: inout [SQLValue], at offset: Int) {
        let made = row(position)
        for column in made.indices { buffer[offset + column] = made[column] }
    }

    /// One cell of a row made from the definition (`row < count`).
    func value(row: Int, column: Int) -> SQLValue {
        value(row: row, column: column, lateDays: lateDays(row)).value
    }

    /// A cell and whether its null was injected (`null_rate`) rather than made by its generator.
    private func value(row: Int, column: Int, lateDays: Int64) -> (value: SQLValue, injected: Bool) {
        var random = base.derived(UInt64(row) << 16 | UInt64(column & 0x7FFF))
        let cell = cells[column]
        let value = cell.value(row: row, &random, in: self)
        if cell.nullRate > 0, random.chance(cell.nullRate) { return (.null, true) }
        return (lateDays > 0 ? cell.backdated(value, days: lateDays) : value, false)
    }

    /// A row of another table whose value a row repeats: the cell at `row`, `column` of `table`.
    struct SourceRow {
        let table: SyntheticRows
        let row: Int
        let column: Int
    }

    /// The rows of other tables whose values the row made at `row` repeats: its `reference`
    /// columns' draws and its `per_parent` parent, NULL values left out.
    func sourceRows(of row: Int) -> [SourceRow] {
        var found: [SourceRow] = []
        for (index, cell) in cells.enumerated() {
            switch cell.generator {
            case .reference(let target, let column, _):
                guard value(row: row, column: index) != .null else { continue }
                var random = base.derived(UInt64(row) << 16 | UInt64(index & 0x7FFF))
                if let drawn = cell.referencedRow(&random) { found.append(SourceRow(table: target, row: drawn, column: column)) }
            case .parent(let name):
                guard let parent, let column = parent.columns.firstIndex(where: { $0.name == name }),
                      value(row: row, column: index) != .null else { continue }
                found.append(SourceRow(table: parent, row: parentRow(of: row), column: column))
            default:
                continue
            }
        }
        return found
    }

    /// The row made from the definition at `row` (`row < count`), as a whole load makes it.
    func madeRow(_ row: Int) -> [SQLValue] {
        cells.indices.map { value(row: row, column: $0) }
    }

    /// Which of ``FakeValues/locations`` the row is in: one draw per row, so its `city`,
    /// `country` and `region` columns agree.
    func location(of row: Int) -> (city: String, country: String, region: String) {
        var random = base.derived(UInt64(row) << 16 | 0xFFFE)
        return FakeValues.locations[random.index(below: FakeValues.locations.count)]
    }

    /// Late arrival: how many days this row's dates and timestamps are moved back (0: on time).
    private func lateDays(_ row: Int) -> Int64 {
        guard lateArrivalRate > 0 else { return 0 }
        var random = base.derived(UInt64(row) << 16 | 0xFFFF)
        return random.chance(lateArrivalRate) ? random.integer(in: 1...maxLateDays) : 0
    }
}

/// How many defects a load injected, as the run reports them.
public struct InjectedDefects: Codable, Sendable, Equatable {
    /// Values set to NULL by `null_rate` (not nulls a generator made).
    public var nulls = 0
    /// Rows repeated by `duplicate_rate`.
    public var duplicates = 0
    /// Rows whose dates and timestamps were moved back by `late_arrival_rate`.
    public var lateArrivals = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case lateArrivals = "late_arrivals"
        case nulls, duplicates
    }

    public var isEmpty: Bool { nulls == 0 && duplicates == 0 && lateArrivals == 0 }

    public var description: String {
        "\(nulls) null\(nulls == 1 ? "" : "s"), \(duplicates) duplicate\(duplicates == 1 ? "" : "s"), \(lateArrivals) late"
    }
}
