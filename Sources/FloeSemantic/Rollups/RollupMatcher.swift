import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Whether a rollup can answer a query, by Cube's rules, and the SQL that reads it when it can:
/// - the query's measures are stored in the rollup (a `number` measure through its leaves),
///   and their partial values can be combined (count, sum, min, max) unless the query has
///   exactly the rollup's groups;
/// - its dimensions and every dimension its filters name are the rollup's dimensions;
/// - its time dimension is the rollup's, at the rollup's granularity or a coarser one made of
///   it (days make weeks and months, months make quarters and years, weeks make only weeks),
///   and its date range starts and ends on the rollup's granularity;
/// - its segments are exactly the rollup's, it is grouped, and its time zone is UTC (rollups are
///   built in UTC).
struct RollupMatcher {
    let compiler: QueryCompiler
    let rollup: RollupDefinition
    let query: CubeQuery
    let now: Date

    var dialect: any SQLDialect { compiler.dialect }
    var catalog: SemanticCatalog { compiler.catalog }

    /// nil when the rollup cannot answer the query.
    func generate() throws(SemanticError) -> GeneratedQuery? {
        guard !query.ungrouped, ["UTC", "GMT", "Etc/UTC"].contains(query.timezone), Set(query.segments) == rollup.segments,
              !query.timeDimensions.contains(where: { $0.compareDateRange != nil }) else { return nil }
        var combinable = true
        for name in query.measures {
            guard (try? catalog.member(name, as: .measure, at: "")) != nil else { return nil }
            for leaf in try RollupDefinition.leaves(of: name, catalog: catalog) {
                guard let stored = rollup.measures[leaf] else { return nil }
                if stored.combine == nil { combinable = false }
            }
        }
        guard query.dimensions.allSatisfy({ rollup.dimensions[$0] != nil }) else { return nil }
        var granularities: [DatePart] = []
        for time in query.timeDimensions {
            guard let stored = rollup.time, time.dimension == stored.member else { return nil }
            if let granularity = time.granularity {
                guard Self.builds(granularity, from: stored.granularity) else { return nil }
                granularities.append(granularity)
            }
            if let range = time.dateRange {
                let bounds = try range.bounds(now: CivilTimestamp(seconds: Int64(now.timeIntervalSince1970.rounded(.down))))
                guard CalendarMath.isStart(of: stored.granularity, bounds.from), CalendarMath.isEnd(of: stored.granularity, bounds.to) else { return nil }
            }
        }
        guard filtersFit(query.filters) else { return nil }
        if !combinable || rollup.exactGroupsOnly {
            // Each group of the query must be one row of the rollup.
            guard Set(query.dimensions) == Set(rollup.dimensions.keys) else { return nil }
            if let stored = rollup.time { guard granularities.contains(stored.granularity) else { return nil } }
        }
        return try sql()
    }

    /// Whether rows at `stored` granularity can be grouped into `wanted`.
    static func builds(_ wanted: DatePart, from stored: DatePart) -> Bool {
        let order: [DatePart] = [.second, .minute, .hour, .day, .week, .month, .quarter, .year]
        guard let fine = order.firstIndex(of: stored), let coarse = order.firstIndex(of: wanted) else { return false }
        if wanted == stored { return true }
        if stored == .week { return false }
        return fine < coarse && (wanted != .week || fine <= order.firstIndex(of: .day)!)
    }

    private func filtersFit(_ filters: [QueryFilter]) -> Bool {
        filters.allSatisfy { filter in
            switch filter {
            case .and(let children), .or(let children): return filtersFit(children)
            case .member(let name, let operation, _):
                if rollup.dimensions[name] != nil { return operation != .measureFilter }
                guard operation != .measureFilter, query.measures.contains(name) else { return false }
                return true
            }
        }
    }

    private func sql() throws(SemanticError) -> GeneratedQuery {
        let members = MemberSQL(catalog: catalog, dialect: dialect)
        members.rollupMeasures = rollup.measures
        let values = BoundValues(dialect: dialect)
        let table = dialect.quoteIdentifier(MemberSQL.rollupAlias)
        func column(_ name: String) -> String { "\(table).\(dialect.quoteIdentifier(name))" }

        var select: [String] = []
        var columns: [ResultColumn] = []
        for (index, name) in query.dimensions.enumerated() where !columns.contains(where: { $0.member == name && $0.kind == .dimension }) {
            let reference = try catalog.member(name, as: .dimension, at: "dimensions[\(index)]")
            guard case .dimension(let dimension) = reference.member, let stored = rollup.dimensions[name] else { continue }
            let result = ResultColumn.dimension(reference, dimension)
            select.append("\(column(stored)) as \(dialect.quoteIdentifier(result.alias))")
            columns.append(result)
        }
        var conditions: [String] = []
        for (index, time) in query.timeDimensions.enumerated() {
            guard let stored = rollup.time else { continue }
            let reference = try catalog.member(time.dimension, as: .timeDimension, at: "timeDimensions[\(index)].dimension")
            guard case .dimension(let dimension) = reference.member else { continue }
            if let granularity = time.granularity, !columns.contains(where: { $0.kind == .timeDimension(granularity) && $0.member == time.dimension }) {
                let result = ResultColumn.time(reference, dimension, granularity)
                let value = granularity == stored.granularity ? column(stored.column) : dialect.timeDimension(granularity, column(stored.column))
                select.append("\(value) as \(dialect.quoteIdentifier(result.alias))")
                columns.append(result)
            }
            if let range = time.dateRange {
                let bounds = try range.bounds(now: CivilTimestamp(seconds: Int64(now.timeIntervalSince1970.rounded(.down))))
                let comparable = dialect.comparableTimestamp(column(stored.column))
                conditions.append("\(comparable) >= \(dialect.timestampParameter(values.add(.text(bounds.from.text()))))")
                conditions.append("\(comparable) <= \(dialect.timestampParameter(values.add(.text(bounds.to.text()))))")
            }
        }
        let dimensionCount = columns.count
        for (index, name) in query.measures.enumerated() where !columns.contains(where: { $0.member == name && $0.kind == .measure }) {
            let reference = try catalog.member(name, as: .measure, at: "measures[\(index)]")
            guard case .measure(let measure) = reference.member else { continue }
            let result = ResultColumn.measure(reference, measure)
            select.append("\(try members.measure(measure, of: reference.cube, form: .aggregate)) as \(dialect.quoteIdentifier(result.alias))")
            columns.append(result)
        }
        let filters = try FilterSQL(
            catalog: catalog, members: members, values: values,
            dimensionValue: { reference, _ in column(rollup.dimensions[reference.path] ?? reference.path) },
            measureValue: { reference, measure throws(SemanticError) in try members.measure(measure, of: reference.cube, form: .aggregate) }
        ).conditions(query.filters)
        conditions += filters.rows
        var body = "select \(select.joined(separator: ",\n  "))\nfrom \(dialect.relation(rollup.relation)) as \(table)"
        if !conditions.isEmpty { body += "\nwhere " + conditions.map { "(\($0))" }.joined(separator: "\n  and ") }
        if dimensionCount > 0 { body += "\ngroup by " + (1...dimensionCount).map(String.init).joined(separator: ", ") }
        if !filters.groups.isEmpty { body += "\nhaving " + filters.groups.map { "(\($0))" }.joined(separator: " and ") }
        var generated = compiler.answer(
            body: body, order: try compiler.orderClause(query: query, columns: columns), columns: columns, values: values, query: query)
        generated.preAggregation = rollup.key
        generated.preAggregationTable = rollup.relation
        generated.cubes = rollup.cubes
        return generated
    }
}
