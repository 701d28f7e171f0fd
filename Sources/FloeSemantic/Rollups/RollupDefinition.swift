import FloeConnect
import FloeContract
import FloeEngine

/// A cube's `rollup` pre-aggregation as a table: the SELECT that builds it, where it lives, and
/// which column holds each member, so queries can be answered from it (``RollupMatcher``).
///
/// A rollup stores the *leaf* measures of what it lists: a `number` measure such as
/// `{total_revenue} / NULLIF({count}, 0)` is stored as its sum and its count and computed again
/// from them, so it stays right when rows are rolled up further.
public struct RollupDefinition: Sendable {
    /// A stored leaf measure and the aggregate that combines its partial values.
    struct StoredMeasure: Sendable {
        let column: String
        /// `sum` for count and sum, `min`, `max`; nil when partial values cannot be combined
        /// (count_distinct, avg): then only a query with the rollup's exact groups may use it.
        let combine: String?
    }

    struct TimeColumn: Sendable {
        let member: String
        let granularity: DatePart
        let column: String
    }

    public let cube: String
    public let name: String
    /// `Cube.name`, as `usedPreAggregations` names it.
    public var key: String { "\(cube).\(name)" }
    public let relation: Relation
    /// The SELECT a build runs (no bound values).
    public let select: String
    /// The cubes the SELECT reads.
    public let cubes: [String]
    let dimensions: [String: String]
    let time: TimeColumn?
    let measures: [String: StoredMeasure]
    let segments: Set<String>
    /// The build's joins repeat rows of a measure's cube, so its groups cannot be merged.
    let exactGroupsOnly: Bool
    /// With `partition_granularity`: how `floe apply` rebuilds only the partitions whose
    /// source rows changed.
    public let partitioning: Partitioning?

    public typealias Partitioning = RollupPartitioning

    /// Every rollup of the plan's cubes, in cube and declaration order, for the plan's dialect.
    public static func all(in plan: CompiledArtifacts) throws(SemanticError) -> [RollupDefinition] {
        guard let cubes = plan.cubes, cubes.contains(where: { !$0.preAggregations.isEmpty }) else { return [] }
        guard let dialect = SQLDialects.named(plan.profiles.compute.type) else {
            throw SemanticError(.engine, "the plan's engine '\(plan.profiles.compute.type)' has no SQL dialect in this version of floe")
        }
        let compiler = QueryCompiler(catalog: SemanticCatalog(cubes: cubes), dialect: dialect)
        var all: [RollupDefinition] = []
        for cube in cubes {
            for preAggregation in cube.preAggregations {
                all.append(try RollupDefinition(cube: cube, preAggregation, compiler: compiler, namespace: plan.environment.namespace))
            }
        }
        return all
    }

    init(cube: CompiledCube, _ preAggregation: CubePreAggregation, compiler: QueryCompiler, namespace: String) throws(SemanticError) {
        self.cube = cube.name
        name = preAggregation.name
        relation = Relation(schema: namespace, name: "\(cube.name.lowercased())__\(preAggregation.name)")
        var query = CubeQuery()
        var leaves: [String] = []
        for member in preAggregation.measures {
            for leaf in try Self.leaves(of: member, catalog: compiler.catalog) where !leaves.contains(leaf) { leaves.append(leaf) }
        }
        query.measures = leaves
        query.dimensions = preAggregation.dimensions
        query.segments = preAggregation.segments
        if let member = preAggregation.timeDimension, let text = preAggregation.granularity, let granularity = DatePart(rawValue: text) {
            query.timeDimensions = [TimeDimensionQuery(dimension: member, granularity: granularity)]
        }
        let generated = try compiler.rollupSelect(query)
        select = generated.sql
        if let text = preAggregation.partitionGranularity, let granularity = DatePart(rawValue: text), let time = generated.columns.first(where: {
            if case .timeDimension = $0.kind { true } else { false }
        }) {
            let dialect = compiler.dialect
            let changed = relation.suffixed("__floe_changed", for: dialect)
            let changedTable = dialect.relation(changed)
            let changedSelect = try compiler.rollupSelect(query, partitions: QueryCompiler.Partitions(granularity: granularity) { partition in
                "exists (select 1 from \(changedTable) as floe_changed where \(dialect.nullSafeEqual("floe_changed.floe_partition", partition)))"
            }).sql
            partitioning = RollupPartitioning(
                granularity: granularity, signatureSelect: try compiler.partitionSignatures(query, granularity: granularity),
                changedSelect: changedSelect,
                signatures: relation.suffixed("__floe_partitions", for: dialect),
                fresh: relation.suffixed("__floe_partitions_new", for: dialect), changed: changed,
                timeColumn: time.alias)
        } else {
            partitioning = nil
        }
        cubes = generated.cubes
        exactGroupsOnly = generated.repeatsMeasureRows
        var dimensions: [String: String] = [:]
        var measures: [String: StoredMeasure] = [:]
        var time: TimeColumn?
        for column in generated.columns {
            switch column.kind {
            case .dimension: dimensions[column.member] = column.alias
            case .timeDimension(let granularity): time = TimeColumn(member: column.member, granularity: granularity, column: column.alias)
            case .measure:
                let type = (try? compiler.catalog.member(column.member, as: .measure, at: "")).flatMap { reference -> String? in
                    if case .measure(let measure) = reference.member { measure.type } else { nil }
                }
                let combine: String? = switch type {
                case "count", "sum", "running_total": "sum"
                case "min": "min"
                case "max": "max"
                default: nil
                }
                measures[column.member] = StoredMeasure(column: column.alias, combine: combine)
            }
        }
        self.dimensions = dimensions
        self.measures = measures
        self.time = time
        segments = Set(preAggregation.segments)
    }

    /// The measures a measure is computed from: itself, or for a `number` measure the leaves
    /// of every measure its SQL names.
    static func leaves(of path: String, catalog: SemanticCatalog, depth: Int = 0) throws(SemanticError) -> [String] {
        let reference = try catalog.member(path, as: .measure, at: "pre_aggregations")
        guard case .measure(let measure) = reference.member, measure.type == "number" else { return [path] }
        guard depth < MemberSQL.maximumDepth else { throw .badQuery("measure '\(path)' refers to itself through other measures") }
        var found: [String] = []
        for name in CubeSQLTemplate.references(in: measure.sql ?? "") {
            let pieces = name.split(separator: ".", maxSplits: 1).map(String.init)
            let owner = pieces.count == 1 || pieces[0] == "CUBE" ? reference.cube.name : pieces[0]
            let member = pieces.count == 1 ? pieces[0] : pieces[1]
            guard catalog.cube(named: owner)?.measures.contains(where: { $0.name == member }) == true else { continue }
            for leaf in try leaves(of: "\(owner).\(member)", catalog: catalog, depth: depth + 1) where !found.contains(leaf) { found.append(leaf) }
        }
        return found
    }
}
