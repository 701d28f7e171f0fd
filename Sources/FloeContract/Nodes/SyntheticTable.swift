/// A generated source table, as floe.yaml's `synthetic:` section describes it.
public struct SyntheticTable: Codable, Sendable, Equatable {
    /// Its id in the plan's graph (`synthetic.<name>`).
    public var uniqueID: String { "synthetic.\(name)" }

    public var name: String
    /// Rows before `FLOE_DEMO_SEED_SCALE` is applied.
    public var rows: Int
    /// Same seed, same rows.
    public var seed: Int
    public var columns: [SyntheticColumn]
    public var quality: DataQualityDefects
    /// Since 1.1: child rows made for each row of another synthetic table (an order has 1–5
    /// items) instead of `rows` of them.
    public var perParent: PerParent?

    public init(name: String, rows: Int, seed: Int, columns: [SyntheticColumn], quality: DataQualityDefects,
                perParent: PerParent? = nil) {
        self.name = name
        self.rows = rows
        self.seed = seed
        self.columns = columns
        self.quality = quality
        self.perParent = perParent
    }

    /// Every table this one's rows are made from: those its `reference` and `parent` columns
    /// read, and its `per_parent` table; sorted, each once, itself left out.
    public var tablesDrawnFrom: [String] {
        var names = Set(columns.compactMap { column in
            column.generator == "reference" ? column.options["table"]?.stringValue : nil
        })
        if let parent = perParent?.table { names.insert(parent) }
        names.remove(name)
        return names.sorted()
    }

    enum CodingKeys: String, CodingKey {
        case perParent = "per_parent"
        case name, rows, seed, columns, quality
    }
}

/// `per_parent: {table: orders, min: 1, max: 5}`: each row of `table` gets `min` to `max` rows.
public struct PerParent: Codable, Sendable, Equatable {
    public var table: String
    public var min: Int
    public var max: Int

    public init(table: String, min: Int, max: Int) {
        self.table = table
        self.min = min
        self.max = max
    }
}

/// One generated column: a generator name and its options.
public struct SyntheticColumn: Codable, Sendable, Equatable {
    public var name: String
    public var generator: String
    public var options: [String: ConfigValue]

    public init(name: String, generator: String, options: [String: ConfigValue]) {
        self.name = name
        self.generator = generator
        self.options = options
    }
}

/// Deliberate defects so the pipeline's cleaning is exercised: nulls, duplicate rows, late rows.
public struct DataQualityDefects: Codable, Sendable, Equatable {
    public var nullRate: Double
    public var duplicateRate: Double
    public var lateArrivalRate: Double
    /// Since 1.1: the columns `null_rate` applies to; nil: every column but the keys.
    public var nullColumns: [String]?
    /// Since 1.1: how many days late a late row can be (nil: 7, seed 001's figure).
    public var maxLateDays: Int?

    public init(nullRate: Double = 0, duplicateRate: Double = 0, lateArrivalRate: Double = 0, nullColumns: [String]? = nil,
                maxLateDays: Int? = nil) {
        self.nullRate = nullRate
        self.duplicateRate = duplicateRate
        self.lateArrivalRate = lateArrivalRate
        self.nullColumns = nullColumns
        self.maxLateDays = maxLateDays
    }

    enum CodingKeys: String, CodingKey {
        case nullRate = "null_rate"
        case duplicateRate = "duplicate_rate"
        case lateArrivalRate = "late_arrival_rate"
        case nullColumns = "null_columns"
        case maxLateDays = "max_late_days"
    }
}
