import FloeContract
import FloeCore
import FloeEngine

/// Generates the rows of floe.yaml's synthetic tables. Pure and deterministic: the same table,
/// seed and scale give the same rows, in the same order, on every machine.
struct SyntheticGenerator {
    struct Table {
        var name: String
        var columns: [(name: String, kind: ValueKind)]
        var rows: [[SQLValue]]
    }

    /// `FLOE_DEMO_SEED_SCALE`: every table's `rows` is multiplied by it.
    let scale: Double

    /// All tables, each after the tables its `reference` columns point at.
    func generate(_ tables: [SyntheticTable]) -> [Table] {
        var generated: [String: Table] = [:]
        var result: [Table] = []
        for table in Self.referenceOrder(tables) {
            let built = generate(table, referenced: generated)
            generated[table.name] = built
            result.append(built)
        }
        return result
    }

    static func referenceOrder(_ tables: [SyntheticTable]) -> [SyntheticTable] {
        var ordered: [SyntheticTable] = []
        var placed: Set<String> = []
        var remaining = tables
        while !remaining.isEmpty {
            let ready = remaining.filter { table in
                table.columns.allSatisfy { column in
                    guard column.generator == "reference", let target = column.options["table"]?.stringValue else { return true }
                    return target == table.name || placed.contains(target) || !tables.contains { $0.name == target }
                }
            }
            // A reference cycle (the compiler does not forbid one): take the rest in order.
            let next = ready.isEmpty ? remaining : ready
            ordered += next
            placed.formUnion(next.map(\.name))
            remaining.removeAll { table in next.contains { $0.name == table.name } }
        }
        return ordered
    }

    /// The most rows one table may have after scaling; beyond it the count is clamped (apply
    /// refuses such a table before generating, see ``SyntheticPhase``).
    static let maximumRows = 1_000_000_000

    func rowCount(_ table: SyntheticTable) -> Int {
        let scaled = (Double(table.rows) * scale).rounded()
        guard scaled.isFinite, scaled > 0 else { return 0 }
        return scaled >= Double(Self.maximumRows) ? Self.maximumRows : Int(scaled)
    }

    private func generate(_ table: SyntheticTable, referenced: [String: Table]) -> Table {
        var random = RandomSource(seed: table.seed, stream: table.name)
        let generators = table.columns.map { column in
            ColumnGenerator(column, quality: table.quality, referenced: referenced)
        }
        let count = rowCount(table)
        // The plan validator holds rates to 0...1; clamped here as well, so no plan can trap.
        let duplicateRate = min(max(table.quality.duplicateRate, 0), 1)
        let lateArrivalRate = min(max(table.quality.lateArrivalRate, 0), 1)
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(count + Int(Double(count) * duplicateRate) + 1)
        for index in 0..<count {
            var row = generators.map { $0.value(row: index, &random) }
            if random.chance(lateArrivalRate) {
                let days = random.integer(in: 1...30)
                for (offset, generator) in generators.enumerated() { row[offset] = generator.backdated(row[offset], days: days) }
            }
            rows.append(row)
        }
        let duplicates = Int((Double(count) * duplicateRate).rounded())
        for _ in 0..<(count > 0 ? duplicates : 0) {
            rows.append(rows[random.index(below: count)])
        }
        return Table(name: table.name, columns: zip(table.columns, generators).map { ($0.name, $1.kind) }, rows: rows)
    }
}

/// One column's generator with its options read once.
private struct ColumnGenerator {
    let generator: String
    let options: [String: ConfigValue]
    let kind: ValueKind
    let nullRate: Double
    let pool: [SQLValue]

    init(_ column: SyntheticColumn, quality: DataQualityDefects, referenced: [String: SyntheticGenerator.Table]) {
        generator = column.generator
        options = column.options
        var pool: [SQLValue] = []
        switch column.generator {
        case "sequence", "integer": kind = .integer
        case "decimal": kind = .real
        case "boolean": kind = .boolean
        case "date": kind = .date
        case "timestamp": kind = .timestamp
        case "choice", "constant":
            let values = column.generator == "choice" ? (column.options["values"].flatMap(Self.items) ?? []) : [column.options["value"] ?? .null]
            pool = values.map(Self.sqlValue)
            kind = Self.kind(of: pool)
        case "reference":
            if let table = column.options["table"]?.stringValue, let target = referenced[table],
               let columnName = column.options["column"]?.stringValue,
               let index = target.columns.firstIndex(where: { $0.name == columnName }) {
                var seen: Set<SQLValue> = []
                pool = target.rows.map { $0[index] }.filter { $0 != .null && seen.insert($0).inserted }
                kind = target.columns[index].kind
            } else {
                kind = .integer
            }
        default: kind = .text
        }
        self.pool = pool
        // Keys stay whole: a table's null defects go into its other columns.
        let isKey = ["sequence", "uuid", "constant"].contains(column.generator)
        nullRate = Self.number(column.options["null_rate"]) ?? (isKey ? 0 : quality.nullRate)
    }

    func value(row: Int, _ random: inout RandomSource) -> SQLValue {
        let value = generated(row: row, &random)
        return random.chance(nullRate) ? .null : value
    }

    private func generated(row: Int, _ random: inout RandomSource) -> SQLValue {
        switch generator {
        case "sequence":
            let start = Int64(options["start"]?.intValue ?? 1), step = Int64(options["step"]?.intValue ?? 1)
            return .integer(start &+ Int64(row) &* step)
        case "uuid":
            let high = random.next(), low = random.next()
            return .text(Self.uuid(high, low))
        case "integer":
            let low = Int64(options["min"]?.intValue ?? 0), high = Int64(options["max"]?.intValue ?? 100)
            return .integer(random.integer(in: min(low, high)...max(low, high)))
        case "decimal":
            let low = Self.number(options["min"]) ?? 0, high = Self.number(options["max"]) ?? 1
            let scale = Double(pow10(min(max(options["scale"]?.intValue ?? 2, 0), 15)))
            return .real(((low + (high - low) * random.unit()) * scale).rounded() / scale)
        case "boolean":
            return .integer(random.chance(Self.number(options["probability"]) ?? 0.5) ? 1 : 0)
        case "date":
            let start = CivilDate.days(options["start"]?.stringValue ?? "") ?? 0
            let end = CivilDate.days(options["end"]?.stringValue ?? "") ?? start
            return .text(CivilDate.text(days: random.integer(in: start...max(start, end))))
        case "timestamp":
            let start = (CivilDate.days(options["start"]?.stringValue ?? "") ?? 0) * 86_400
            let end = (CivilDate.days(options["end"]?.stringValue ?? "") ?? 0) * 86_400 + 86_399
            return .text(CivilDate.timestamp(seconds: random.integer(in: start...max(start, end))))
        case "choice":
            return pool.isEmpty ? .null : pool[weightedIndex(&random)]
        case "constant", "reference":
            return pool.isEmpty ? .null : pool[generator == "constant" ? 0 : random.index(below: pool.count)]
        default:
            return .text(FakeValues.value(generator, &random))
        }
    }

    private func weightedIndex(_ random: inout RandomSource) -> Int {
        guard let weights = options["weights"].flatMap(Self.items)?.compactMap(Self.number), weights.count == pool.count,
              case let total = weights.reduce(0, +), total > 0 else {
            return random.index(below: pool.count)
        }
        var target = random.unit() * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return index }
        }
        return pool.count - 1
    }

    /// Late arrival: dates and timestamps moved `days` into the past.
    func backdated(_ value: SQLValue, days: Int64) -> SQLValue {
        guard case .text(let text) = value else { return value }
        switch kind {
        case .date:
            guard let day = CivilDate.days(text) else { return value }
            return .text(CivilDate.text(days: day - days))
        case .timestamp:
            guard let day = CivilDate.days(String(text.prefix(10))) else { return value }
            return .text(CivilDate.text(days: day - days) + text.dropFirst(10))
        default: return value
        }
    }

    private func pow10(_ exponent: Int) -> Int { (0..<max(0, exponent)).reduce(1) { value, _ in value * 10 } }

    static func items(_ value: ConfigValue) -> [ConfigValue]? {
        if case .list(let items) = value { return items }
        return nil
    }

    static func number(_ value: ConfigValue?) -> Double? {
        switch value {
        case .integer(let number)?: Double(number)
        case .number(let number)?: number
        default: nil
        }
    }

    static func sqlValue(_ value: ConfigValue) -> SQLValue {
        switch value {
        case .string(let text): .text(text)
        case .integer(let number): .integer(Int64(number))
        case .number(let number): .real(number)
        case .bool(let flag): .integer(flag ? 1 : 0)
        default: .null
        }
    }

    static func kind(of values: [SQLValue]) -> ValueKind {
        let present = values.filter { $0 != .null }
        if !present.isEmpty, present.allSatisfy({ if case .integer = $0 { true } else { false } }) { return .integer }
        if !present.isEmpty, present.allSatisfy({
            switch $0 { case .integer, .real: true; default: false }
        }) { return .real }
        return .text
    }

    static func uuid(_ high: UInt64, _ low: UInt64) -> String {
        // Version 4, variant 1.
        let high = (high & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000
        let low = (low & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        return hex(high >> 32, 8) + "-" + hex((high >> 16) & 0xffff, 4) + "-" + hex(high & 0xffff, 4) + "-"
            + hex(low >> 48, 4) + "-" + hex(low & 0xffff_ffff_ffff, 12)
    }
}
