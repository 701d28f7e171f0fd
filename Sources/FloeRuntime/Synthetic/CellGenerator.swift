import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// One column's generator with its options read once.
struct CellGenerator {
    enum Generator {
        case sequence(start: Int64, step: Int64)
        case uuid
        case integer(ClosedRange<Int64>)
        case decimal(low: Double, high: Double, scale: Double)
        case boolean(probability: Double)
        /// Days since 1970 and, for ranges short enough, each day's text made once.
        case date(ClosedRange<Int64>, texts: [String]?)
        case timestamp(ClosedRange<Int64>)
        case choice([SQLValue], cumulativeWeights: [Double]?)
        case constant(SQLValue)
        case reference(SyntheticRows, column: Int, skew: Double)
        /// `per_parent` tables: a column of the row's parent (by name in the parent table).
        case parent(column: String)
        case fake(String)
        /// `email`/`username` built from the name in another column of the row.
        case fromName(String, column: Int)
        case location(KeyPath<(city: String, country: String, region: String), String>)
        case normal(mean: Double, stddev: Double, scale: Double)
        case logNormal(mu: Double, sigma: Double, scale: Double)
        /// `#` a digit, `?` a capital letter, `*` either; other bytes as written.
        case pattern([UInt8])
        /// Seconds since 1970 of the first event, and the mean gap.
        case eventTime(start: Int64, interval: Double)
        case json([(key: String, kind: String)])
        /// Arithmetic over the row's other columns (by index), rounded to `scale`.
        case expression(ArithmeticExpression, columns: [String: Int], scale: Double)
        case loadedAt(String)
        case none
    }

    let generator: Generator
    let kind: ValueKind
    let nullRate: Double

    init(_ column: SyntheticColumn, of table: SyntheticTable, quality: DataQualityDefects, referenced: [String: SyntheticRows],
         loadedAt: String) {
        let options = column.options
        func scale() -> Double { Double((0..<min(max(options["scale"]?.intValue ?? 2, 0), 15)).reduce(1) { value, _ in value * 10 }) }
        func number(_ key: String) -> Double? { Self.number(options[key]) }
        func integer(_ key: String, _ fallback: Int) -> Int64 { Int64(options[key]?.intValue ?? fallback) }
        switch column.generator {
        case "sequence":
            generator = .sequence(start: integer("start", 1), step: integer("step", 1))
            kind = .integer
        case "uuid":
            generator = .uuid
            kind = .text
        case "integer":
            let low = integer("min", 0), high = integer("max", 100)
            generator = .integer(min(low, high)...max(low, high))
            kind = .integer
        case "decimal":
            generator = .decimal(low: number("min") ?? 0, high: number("max") ?? 1, scale: scale())
            kind = .real
        case "normal":
            generator = .normal(mean: number("mean") ?? 0, stddev: max(0, number("stddev") ?? 1), scale: scale())
            kind = .real
        case "log_normal":
            generator = .logNormal(mu: number("mu") ?? 0, sigma: max(0, number("sigma") ?? 1), scale: scale())
            kind = .real
        case "pattern":
            generator = .pattern(Array((options["pattern"]?.stringValue ?? "").utf8))
            kind = .text
        case "event_time":
            let text = options["start"]?.stringValue ?? ""
            let day = CivilDate.days(String(text.prefix(10))) ?? 0
            let time = text.count > 10 ? text.dropFirst(11).split(separator: ":").compactMap { Int64($0) } : []
            let seconds = time.count == 3 ? time[0] * 3600 + time[1] * 60 + time[2] : 0
            generator = .eventTime(start: day * 86_400 + seconds, interval: max(0, number("interval_seconds") ?? 60))
            kind = .timestamp
        case "json":
            var fields: [(key: String, kind: String)] = []
            if case .map(let map)? = options["fields"] {
                for key in map.keys.sorted() { fields.append((key, map[key]?.stringValue ?? "word")) }
            }
            generator = .json(fields)
            kind = .text
        case "expression":
            let parsed = (try? ArithmeticExpression.parse(options["expression"]?.stringValue ?? "")) ?? .number(.nan)
            var indexes: [String: Int] = [:]
            for name in parsed.columns {
                if let index = table.columns.firstIndex(where: { $0.name == name }) { indexes[name] = index }
            }
            generator = .expression(parsed, columns: indexes, scale: scale())
            kind = .real
        case "loaded_at":
            generator = .loadedAt(loadedAt)
            kind = .timestamp
        case "city", "country", "region":
            generator = .location(column.generator == "city" ? \.city : column.generator == "country" ? \.country : \.region)
            kind = .text
        case "email", "username":
            // Built from another column's name (`from`), which may not itself be built from one;
            // made up when there is none.
            let source = table.columns.firstIndex { $0.name == options["from"]?.stringValue && $0.options["from"] == nil }
            generator = source.map { .fromName(column.generator, column: $0) } ?? .fake(column.generator)
            kind = .text
        case "boolean":
            generator = .boolean(probability: number("probability") ?? 0.5)
            kind = .boolean
        case "date":
            let start = CivilDate.days(options["start"]?.stringValue ?? "") ?? 0
            let end = max(start, CivilDate.days(options["end"]?.stringValue ?? "") ?? start)
            let texts = end - start < 100_000 ? (start...end).map { CivilDate.text(days: $0) } : nil
            generator = .date(start...end, texts: texts)
            kind = .date
        case "timestamp":
            let start = (CivilDate.days(options["start"]?.stringValue ?? "") ?? 0) * 86_400
            let end = (CivilDate.days(options["end"]?.stringValue ?? "") ?? 0) * 86_400 + 86_399
            generator = .timestamp(start...max(start, end))
            kind = .timestamp
        case "choice", "constant":
            let values = column.generator == "choice" ? (options["values"].flatMap(Self.items) ?? []) : [options["value"] ?? .null]
            let pool = values.map(Self.sqlValue)
            kind = Self.kind(of: pool)
            if column.generator == "constant" {
                generator = .constant(pool.first ?? .null)
            } else {
                generator = .choice(pool, cumulativeWeights: Self.cumulativeWeights(options["weights"], count: pool.count))
            }
        case "parent":
            generator = .parent(column: options["column"]?.stringValue ?? "")
            let parentColumns = table.perParent.flatMap { referenced[$0.table] }?.columns
            kind = parentColumns?.first { $0.name == options["column"]?.stringValue }?.kind ?? .integer
        case "reference":
            if let name = options["table"]?.stringValue, let target = referenced[name],
               let columnName = options["column"]?.stringValue,
               let index = target.columns.firstIndex(where: { $0.name == columnName }) {
                generator = .reference(target, column: index, skew: min(max(number("skew") ?? 1, 1), 10))
                kind = target.columns[index].kind
            } else {
                generator = .none
                kind = .integer
            }
        default:
            generator = .fake(column.generator)
            kind = .text
        }
        // Keys stay whole: a table's null defects go into its other columns, or the ones it names.
        let isKey = ["sequence", "uuid", "constant"].contains(column.generator)
        let named = quality.nullColumns.map { $0.contains(column.name) } ?? !isKey
        nullRate = min(max(number("null_rate") ?? (named ? quality.nullRate : 0), 0), 1)
    }

    func value(row: Int, _ random: inout RandomSource, in rows: SyntheticRows) -> SQLValue {
        switch generator {
        case .sequence(let start, let step):
            return .integer(start &+ Int64(row) &* step)
        case .uuid:
            let high = random.next(), low = random.next()
            return .text(Self.uuid(high, low))
        case .integer(let range):
            return .integer(random.integer(in: range))
        case .decimal(let low, let high, let scale):
            return .real(((low + (high - low) * random.unit()) * scale).rounded() / scale)
        case .boolean(let probability):
            return .integer(random.chance(probability) ? 1 : 0)
        case .date(let range, let texts):
            let day = random.integer(in: range)
            return .text(texts.map { $0[Int(day - range.lowerBound)] } ?? CivilDate.text(days: day))
        case .timestamp(let range):
            return .text(CivilDate.timestamp(seconds: random.integer(in: range)))
        case .choice(let pool, let weights):
            guard !pool.isEmpty else { return .null }
            guard let weights, let total = weights.last else { return pool[random.index(below: pool.count)] }
            let target = random.unit() * total
            return pool[weights.firstIndex { target < $0 } ?? pool.count - 1]
        case .constant(let value):
            return value
        case .reference(let target, let column, _):
            guard let parent = referencedRow(&random) else { return .null }
            return target.value(row: parent, column: column)
        case .fake(let name):
            return .text(FakeValues.value(name, &random))
        case .parent(let name):
            guard let parent = rows.parent, let column = parent.columns.firstIndex(where: { $0.name == name }) else { return .null }
            return parent.value(row: rows.parentRow(of: row), column: column)
        case .fromName(let kind, let column):
            guard case .text(let name) = rows.value(row: row, column: column) else { return .text(FakeValues.value(kind, &random)) }
            let parts = name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            let number = String(random.integer(in: 1...999))
            return .text(kind == "email" ? parts.joined(separator: ".") + number + "@example.com" : parts.joined(separator: "_") + number)
        case .location(let part):
            return .text(rows.location(of: row)[keyPath: part])
        case .normal(let mean, let stddev, let scale):
            return .real(((mean + stddev * Self.standardNormal(&random)) * scale).rounded() / scale)
        case .logNormal(let mu, let sigma, let scale):
            return .real((exp(mu + sigma * Self.standardNormal(&random)) * scale).rounded() / scale)
        case .pattern(let pattern):
            let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8), digits = Array("0123456789".utf8)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(pattern.count)
            for byte in pattern {
                switch byte {
                case UInt8(ascii: "#"): bytes.append(digits[random.index(below: 10)])
                case UInt8(ascii: "?"): bytes.append(letters[random.index(below: 26)])
                case UInt8(ascii: "*"): bytes.append(random.chance(10.0 / 36) ? digits[random.index(below: 10)] : letters[random.index(below: 26)])
                default: bytes.append(byte)
                }
            }
            return .text(String(decoding: bytes, as: UTF8.self))
        case .eventTime(let start, let interval):
            // Row n's event falls in [n, n + 1) intervals after the start: never before the row above's.
            let offset = (Double(row) + random.unit()) * interval
            return .text(CivilDate.timestamp(seconds: start &+ Int64(min(offset, 3e13))))
        case .json(let fields):
            let members = fields.map { field -> String in
                let value: String = switch field.kind {
                case "integer": String(random.integer(in: 0...1000))
                case "boolean": random.chance(0.5) ? "true" : "false"
                case "uuid": "\"" + Self.uuid(random.next(), random.next()) + "\""
                case "city", "country": "\"" + FakeValues.value(field.kind, &random) + "\""
                default: "\"" + FakeValues.value("word", &random) + "\""
                }
                return "\"\(field.key)\":\(value)"
            }
            return .text("{" + members.joined(separator: ",") + "}")
        case .loadedAt(let time):
            return .text(time)
        case .expression(let expression, let columns, let scale):
            let result = expression.evaluate { name in
                guard let index = columns[name] else { return nil }
                switch rows.value(row: row, column: index) {
                case .integer(let number): return Double(number)
                case .real(let number): return number
                default: return nil
                }
            }
            guard let result, result.isFinite else { return .null }
            return .real((result * scale).rounded() / scale)
        case .none:
            return .null
        }
    }

    /// A `reference`'s draw: the row of the referenced table whose value it takes (the first
    /// draw ``value(row:_:in:)`` makes from `random`); nil for other generators or an empty table.
    func referencedRow(_ random: inout RandomSource) -> Int? {
        guard case .reference(let target, _, let skew) = generator, target.count > 0 else { return nil }
        // A power of a uniform draw: skew 1 is uniform, above 1 the first parents get most rows.
        return skew == 1 ? random.index(below: target.count) : min(target.count - 1, Int(Double(target.count) * pow(random.unit(), skew)))
    }

    /// One draw of the standard normal distribution (Box–Muller).
    static func standardNormal(_ random: inout RandomSource) -> Double {
        let u1 = 1 - random.unit(), u2 = random.unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A duplicate's timestamps, `seconds` later than its original's (not the load time, nor dates).
    func later(_ value: SQLValue, seconds: Int64) -> SQLValue {
        guard kind == .timestamp, case .text(let text) = value, text.count >= 19 else { return value }
        if case .loadedAt = generator { return value }
        let parts = text.dropFirst(11).prefix(8).split(separator: ":").compactMap { Int64($0) }
        guard parts.count == 3, let day = CivilDate.days(String(text.prefix(10))) else { return value }
        return .text(CivilDate.timestamp(seconds: day * 86_400 + parts[0] * 3600 + parts[1] * 60 + parts[2] + seconds))
    }

    /// Late arrival: dates and timestamps moved `days` into the past.
    func backdated(_ value: SQLValue, days: Int64) -> SQLValue {
        // The load time is when the row arrived, late or not.
        if case .loadedAt = generator { return value }
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

    /// Running totals of `weights` when they fit the pool (one per value, positive sum); else nil
    /// (uniform choice).
    static func cumulativeWeights(_ value: ConfigValue?, count: Int) -> [Double]? {
        guard let weights = value.flatMap(items)?.compactMap(number), weights.count == count,
              weights.allSatisfy({ $0 >= 0 && $0.isFinite }), weights.reduce(0, +) > 0 else { return nil }
        var running = 0.0
        return weights.map { weight in
            running += weight
            return running
        }
    }

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
