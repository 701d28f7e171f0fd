import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Turns a Cube query into one SQL statement for the plan's dialect.
///
/// The statement reads the cubes' models joined along the join tree (``JoinTree``). When a join
/// repeats the rows of a cube whose measures are asked for (an Orders measure grouped by a
/// product, through one_to_many OrderItems), those measures are computed as Cube does: the
/// distinct primary keys of that cube per group are found over the whole join, and the measures
/// are aggregated over the cube's own rows joined to those keys, so no row counts twice. Each
/// such group of measures is a subquery, joined to the others on the dimensions.
public struct QueryCompiler: Sendable {
    public let catalog: SemanticCatalog
    public let dialect: any SQLDialect

    public init(catalog: SemanticCatalog, dialect: any SQLDialect) {
        self.catalog = catalog
        self.dialect = dialect
    }

    /// `now` anchors relative date ranges. The first of `rollups` (built and current) that can
    /// answer the query does (``RollupMatcher``); otherwise the cubes' models do. With a
    /// `security` context, the cubes' access policies apply (``AccessControl``); without one
    /// (a local `floe query`, a server without a secret) everything is visible.
    /// A query must select something: measures, dimensions or a time dimension with a granularity.
    static func requireSomething(_ query: CubeQuery) throws(SemanticError) {
        guard !query.measures.isEmpty || !query.dimensions.isEmpty || query.timeDimensions.contains(where: { $0.granularity != nil }) else {
            throw .badQuery("the query asks for nothing: give measures, dimensions or a time dimension with a granularity")
        }
    }

    public func generate(
        _ query: CubeQuery, now: Date = Date(), rollups: [RollupDefinition] = [], security: SecurityContext? = nil
    ) throws(SemanticError) -> GeneratedQuery {
        // Before a rollup is tried: one matches a query of nothing, and would be asked for no column.
        try Self.requireSomething(query)
        let views = try ViewTranslation(query, catalog: catalog)
        var secured = views.query
        if let security {
            secured = try self.secured(views.query, context: security, now: now, root: views.root)
        }
        // A view's rows are its first cube's: only a rollup of that cube may answer for it.
        for rollup in rollups where views.root == nil || views.root == rollup.cube {
            if let generated = try RollupMatcher(compiler: self, rollup: rollup, query: secured, now: now).generate() {
                return views.rename(generated)
            }
        }
        return views.rename(try Build(compiler: self, query: secured, now: now, mode: .answer, root: views.root).run())
    }

    /// `query` with the row filters of every cube it reads added, once its members are allowed.
    /// Adding a filter can bring another cube into the join, whose filters are then added too.
    func secured(_ query: CubeQuery, context: SecurityContext, now: Date, root: String? = nil) throws(SemanticError) -> CubeQuery {
        let access = AccessControl(catalog: catalog, context: context)
        try access.checkMembers(query)
        var covered: [String] = []
        var secured = query
        while true {
            let reads = try Build(compiler: self, query: secured, now: now, mode: .cubes, root: root).run().cubes
            let added = reads.filter { !covered.contains($0) }
            guard !added.isEmpty else { return secured }
            covered += added
            secured = query
            for name in covered {
                guard let cube = catalog.cube(named: name) else { continue }
                if let filter = try access.rowFilter(for: cube) { secured.filters.append(filter) }
            }
            // No cube read limits the rows: nothing more can join.
            if secured.filters.count == query.filters.count { return secured }
        }
    }

    /// The SELECT that builds a rollup: the query's groups, no order, no limit, no bound values.
    /// With `partitions`, only the rows whose time dimension falls in a partition for which
    /// `condition(partition expression)` holds.
    func rollupSelect(_ query: CubeQuery, partitions: Partitions? = nil) throws(SemanticError) -> GeneratedQuery {
        try Build(compiler: self, query: query, now: Date(timeIntervalSince1970: 0), mode: .rollupBuild, partitions: partitions).run()
    }

    /// Per partition of the time dimension: `floe_partition`, `floe_rows` and `floe_signature`
    /// (``SQLDialect/rowSignature(_:)`` over every value the rollup reads from each row).
    func partitionSignatures(_ query: CubeQuery, granularity: DatePart) throws(SemanticError) -> String {
        var rows = query
        rows.ungrouped = true
        return try Build(compiler: self, query: rows, now: Date(timeIntervalSince1970: 0), mode: .signatures,
                         partitions: Partitions(granularity: granularity, condition: nil)).run().sql
    }

    /// The partitions of a rollup's time dimension, and which of them a SELECT covers.
    struct Partitions {
        let granularity: DatePart
        /// A condition on a row's partition (an SQL expression); nil for every partition.
        let condition: ((String) -> String)?
    }

    enum Mode {
        case answer, rollupBuild, signatures
        /// Only which cubes the query reads (its join tree), no SQL: for access policies.
        case cubes
    }

    /// The state of one translation.
    private final class Build {
        let compiler: QueryCompiler
        let query: CubeQuery
        let now: Date
        let members: MemberSQL
        let values: BoundValues
        let zone: TimeZone

        var dialect: any SQLDialect { compiler.dialect }
        var catalog: SemanticCatalog { compiler.catalog }

        let mode: Mode
        /// The cube the join tree starts from, when a view fixes it.
        let root: String?

        let partitions: Partitions?
        /// The partition of each row, once the time dimension is read.
        private var partitionExpression: String?

        init(compiler: QueryCompiler, query: CubeQuery, now: Date, mode: Mode, root: String? = nil, partitions: Partitions? = nil) throws(SemanticError) {
            self.mode = mode
            self.partitions = partitions
            self.root = root
            self.compiler = compiler
            self.query = query
            self.now = now
            members = MemberSQL(catalog: compiler.catalog, dialect: compiler.dialect)
            values = BoundValues(dialect: compiler.dialect)
            guard let zone = TimeZone(identifier: query.timezone) else {
                throw .badQuery("timezone: '\(query.timezone)' is not an IANA time zone (e.g. UTC, Europe/Paris, America/New_York)")
            }
            self.zone = zone
        }

        /// One selected column with its SQL.
        struct Selected {
            var column: ResultColumn
            var expression: String
            var reference: MemberReference
        }

        private var zoneParameter: String?

        /// A time dimension's value in the query's zone (timestamps are stored in UTC).
        func timeValue(_ expression: String) -> String {
            guard zone.identifier != "UTC", zone.identifier != "GMT" else { return expression }
            if zoneParameter == nil { zoneParameter = values.add(.text(zone.identifier)) }
            return dialect.utcToLocal(expression, zone: zoneParameter!)
        }

        func dimensionValue(_ reference: MemberReference, _ dimension: CubeDimension) throws(SemanticError) -> String {
            let expression = try members.dimension(dimension, of: reference.cube)
            return dimension.type == "time" ? timeValue(expression) : expression
        }

        func run() throws(SemanticError) -> GeneratedQuery {
            try QueryCompiler.requireSomething(query)
            if query.timeDimensions.contains(where: { $0.compareDateRange != nil }) {
                throw .badQuery("compareDateRange runs one query per range; send it to /load, which splits it")
            }
            var dimensions: [Selected] = []
            var measures: [Selected] = []
            var seen: Set<String> = []
            var queryCubes: [String] = []
            func note(_ cube: String) { if !queryCubes.contains(cube) { queryCubes.append(cube) } }

            for (index, name) in query.measures.enumerated() where seen.insert(name).inserted {
                let reference = try catalog.member(name, as: .measure, at: "measures[\(index)]")
                guard case .measure(let measure) = reference.member else { continue }
                if measure.type == "running_total", query.timeDimensions.contains(where: { $0.granularity != nil }) {
                    throw .badQuery("measures[\(index)]: running_total '\(name)' over a time granularity is not supported yet; query it without a granularity")
                }
                let expression = try members.measure(measure, of: reference.cube, form: query.ungrouped ? .raw : .aggregate)
                measures.append(Selected(column: .measure(reference, measure), expression: expression, reference: reference))
                note(reference.cube.name)
            }
            for (index, name) in query.dimensions.enumerated() where seen.insert(name).inserted {
                let reference = try catalog.member(name, as: .dimension, at: "dimensions[\(index)]")
                guard case .dimension(let dimension) = reference.member else { continue }
                let expression = try dimensionValue(reference, dimension)
                dimensions.append(Selected(column: .dimension(reference, dimension), expression: expression, reference: reference))
                note(reference.cube.name)
            }
            var rowConditions: [String] = []
            for (index, time) in query.timeDimensions.enumerated() {
                let reference = try catalog.member(time.dimension, as: .timeDimension, at: "timeDimensions[\(index)].dimension")
                guard case .dimension(let dimension) = reference.member else { continue }
                let value = try dimensionValue(reference, dimension)
                note(reference.cube.name)
                if let granularity = time.granularity, seen.insert("\(time.dimension).\(granularity.rawValue)").inserted {
                    dimensions.append(Selected(
                        column: .time(reference, dimension, granularity), expression: dialect.timeDimension(granularity, value), reference: reference))
                }
                if let range = time.dateRange {
                    let bounds = try range.bounds(now: localNow)
                    let comparable = dialect.comparableTimestamp(value)
                    rowConditions.append("\(comparable) >= \(dialect.timestampParameter(values.add(.text(bounds.from.text()))))")
                    rowConditions.append("\(comparable) <= \(dialect.timestampParameter(values.add(.text(bounds.to.text()))))")
                }
                if let partitions, index == 0 {
                    let partition = dialect.timeDimension(partitions.granularity, value)
                    partitionExpression = partition
                    if let condition = partitions.condition { rowConditions.append(condition(partition)) }
                }
            }
            for (index, name) in query.segments.enumerated() {
                let reference = try catalog.member(name, as: .segment, at: "segments[\(index)]")
                guard case .segment(let segment) = reference.member else { continue }
                rowConditions.append(try members.condition(segment.sql, in: reference.cube))
                note(reference.cube.name)
            }
            // Find every cube the filters reach before the join tree is chosen.
            try touch(query.filters)

            if let root { queryCubes.removeAll { $0 == root }; queryCubes.insert(root, at: 0) }
            let needed = queryCubes + members.touchedCubes.sorted().filter { !queryCubes.contains($0) }
            let tree = try JoinTree(needed: needed, candidates: needed, catalog: catalog)
            if mode == .cubes {
                return GeneratedQuery(sql: "", parameters: [], totalSQL: nil, totalParameterCount: 0, columns: [], preAggregation: nil,
                                      preAggregationTable: nil, cubes: [tree.root] + tree.edges.map(\.child))
            }
            let from = try fromClause(tree)
            let multipliedCubes = query.ungrouped ? [] : measures.map(\.reference.cube.name)
                .filter { tree.multiplied.contains($0) }
                .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }

            // Measure filters name their aggregate inline, or a column of a subquery when measures are split.
            var subqueryOf: [String: String] = [:]
            for (index, cube) in multipliedCubes.enumerated() { subqueryOf[cube] = "q_\(index + 1)" }
            let selectedMeasures = Dictionary(measures.map { ($0.column.member, $0) }, uniquingKeysWith: { first, _ in first })
            let filterSQL = FilterSQL(
                catalog: catalog, members: members, values: values,
                dimensionValue: { [self] reference, dimension throws(SemanticError) in try self.dimensionValue(reference, dimension) },
                measureValue: { [self] reference, measure throws(SemanticError) in
                    guard !query.ungrouped else { throw .badQuery("an ungrouped query cannot filter on the measure '\(reference.path)'") }
                    if multipliedCubes.isEmpty {
                        return try members.measure(measure, of: reference.cube, form: .aggregate)
                    }
                    guard let selected = selectedMeasures[reference.path] else {
                        throw .badQuery("filtering on '\(reference.path)' needs it in measures too, because this query's joins repeat rows")
                    }
                    let table = subqueryOf[selected.reference.cube.name] ?? "q_0"
                    return "\(dialect.quoteIdentifier(table)).\(dialect.quoteIdentifier(selected.column.alias))"
                })
            let filters = try filterSQL.conditions(query.filters)
            rowConditions += filters.rows
            let whereClause = rowConditions.isEmpty ? "" : "\nwhere " + rowConditions.map { "(\($0))" }.joined(separator: "\n  and ")

            if mode == .signatures, let partitionExpression {
                let values = (dimensions + measures).map(\.expression)
                let sql = "select \(partitionExpression) as floe_partition, count(*) as floe_rows, \(dialect.rowSignature(values)) as floe_signature"
                    + "\nfrom \(from)\(whereClause)\ngroup by 1"
                return GeneratedQuery(sql: sql, parameters: self.values.values, totalSQL: nil, totalParameterCount: 0,
                                      columns: [], preAggregation: nil, preAggregationTable: nil, cubes: [tree.root] + tree.edges.map(\.child))
            }
            let columns = dimensions.map(\.column) + measures.map(\.column)
            let order = mode == .answer ? try compiler.orderClause(query: query, columns: columns) : ""
            let body: String
            if multipliedCubes.isEmpty {
                let select = (dimensions + measures).map { "\($0.expression) as \(dialect.quoteIdentifier($0.column.alias))" }
                var text = "select \(select.joined(separator: ",\n  "))\nfrom \(from)\(whereClause)"
                if !query.ungrouped, !dimensions.isEmpty {
                    text += "\ngroup by " + (1...dimensions.count).map(String.init).joined(separator: ", ")
                }
                if !filters.groups.isEmpty { text += "\nhaving " + filters.groups.map { "(\($0))" }.joined(separator: " and ") }
                body = text
            } else {
                body = try splitByCube(
                    dimensions: dimensions, measures: measures, multiplied: multipliedCubes, from: from, whereClause: whereClause,
                    measureConditions: filters.groups)
            }
            var generated = mode == .answer
                ? compiler.answer(body: body, order: order, columns: columns, values: values, query: query)
                : GeneratedQuery(sql: body, parameters: values.values, totalSQL: nil, totalParameterCount: 0, columns: columns,
                                 preAggregation: nil, preAggregationTable: nil)
            generated.cubes = [tree.root] + tree.edges.map(\.child)
            generated.repeatsMeasureRows = !multipliedCubes.isEmpty
            return generated
        }

        /// The query's "now" as a wall-clock time in its zone.
        var localNow: CivilTimestamp {
            let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
            return CivilTimestamp(seconds: seconds + Int64(zone.secondsFromGMT(for: now)))
        }

        /// Expands what each filter names so its cubes join the tree; binds nothing.
        private func touch(_ filters: [QueryFilter]) throws(SemanticError) {
            for filter in filters {
                switch filter {
                case .and(let children), .or(let children): try touch(children)
                case .member(let name, _, _):
                    guard let reference = try? catalog.member(name, as: .measureOrDimension, at: "filters") else { continue }
                    switch reference.member {
                    case .measure(let measure): _ = try members.measure(measure, of: reference.cube, form: .aggregate)
                    case .dimension(let dimension): _ = try members.dimension(dimension, of: reference.cube)
                    case .segment: break
                    }
                }
            }
        }

        private func fromClause(_ tree: JoinTree) throws(SemanticError) -> String {
            guard let root = catalog.cube(named: tree.root) else { throw .badQuery("no cube named '\(tree.root)'") }
            var text = "\(members.source(root)) as \(members.alias(root.name))"
            for edge in tree.edges {
                guard let parent = catalog.cube(named: edge.parent), let child = catalog.cube(named: edge.child) else { continue }
                let condition = try members.condition(edge.join.sql, in: parent)
                text += "\nleft join \(members.source(child)) as \(members.alias(child.name)) on \(condition)"
            }
            return text
        }

        /// The fan-out-safe form: `q_0` holds the measures no join repeats; `q_N` the measures of
        /// the N-th repeated cube, aggregated over that cube's rows once each, found by primary key.
        private func splitByCube(
            dimensions: [Selected], measures: [Selected], multiplied: [String], from: String, whereClause: String, measureConditions: [String]
        ) throws(SemanticError) -> String {
            let dimensionSelect = dimensions.map { "\($0.expression) as \(dialect.quoteIdentifier($0.column.alias))" }
            let groupBy = dimensions.isEmpty ? "" : "\ngroup by " + (1...dimensions.count).map(String.init).joined(separator: ", ")
            var subqueries: [(name: String, sql: String)] = []
            let plain = measures.filter { !multiplied.contains($0.reference.cube.name) }
            if !plain.isEmpty {
                let select = dimensionSelect + plain.map { "\($0.expression) as \(dialect.quoteIdentifier($0.column.alias))" }
                subqueries.append(("q_0", "select \(select.joined(separator: ",\n  "))\nfrom \(from)\(whereClause)\(groupBy)"))
            }
            for (index, cubeName) in multiplied.enumerated() {
                guard let cube = catalog.cube(named: cubeName) else { continue }
                let keys = cube.dimensions.filter(\.primaryKey)
                guard !keys.isEmpty else {
                    throw .badQuery("the joins in this query repeat the rows of '\(cubeName)', and it has no primary_key dimension to count each row once; give it one")
                }
                let keyAliases = keys.indices.map { "__pk_\($0)" }
                let keySelect = dimensionSelect + (try zip(keys, keyAliases).map { key, alias throws(SemanticError) in
                    "\(try members.dimension(key, of: cube)) as \(dialect.quoteIdentifier(alias))"
                })
                let keysSQL = "select distinct \(keySelect.joined(separator: ",\n    "))\n  from \(from.replacingOccurrences(of: "\n", with: "\n  "))\(whereClause.replacingOccurrences(of: "\n", with: "\n  "))"
                let join = try zip(keys, keyAliases).map { key, alias throws(SemanticError) in
                    "\(dialect.quoteIdentifier("floe_keys")).\(dialect.quoteIdentifier(alias)) = \(try members.dimension(key, of: cube))"
                }.joined(separator: " and ")
                let select = dimensions.map { "\(dialect.quoteIdentifier("floe_keys")).\(dialect.quoteIdentifier($0.column.alias))" }
                    + measures.filter { $0.reference.cube.name == cubeName }.map { "\($0.expression) as \(dialect.quoteIdentifier($0.column.alias))" }
                let keyGroup = dimensions.isEmpty ? "" : "\ngroup by " + dimensions.map { "\(dialect.quoteIdentifier("floe_keys")).\(dialect.quoteIdentifier($0.column.alias))" }.joined(separator: ", ")
                subqueries.append(("q_\(index + 1)", """
                    select \(select.joined(separator: ",\n  "))
                    from (
                      \(keysSQL)
                    ) as \(dialect.quoteIdentifier("floe_keys"))
                    left join \(members.source(cube)) as \(members.alias(cube.name)) on \(join)\(keyGroup)
                    """))
            }
            let first = subqueries[0].name
            // Each output column named as it is, so ORDER BY names it alone: every subquery has
            // the dimension columns, and an unnamed `q_1.x` beside `q_2.x` makes `x` ambiguous.
            let outer = dimensions.map { "\(dialect.quoteIdentifier(first)).\(dialect.quoteIdentifier($0.column.alias)) as \(dialect.quoteIdentifier($0.column.alias))" }
                + measures.map { selected in
                    let table = multiplied.firstIndex(of: selected.reference.cube.name).map { "q_\($0 + 1)" } ?? "q_0"
                    return "\(dialect.quoteIdentifier(table)).\(dialect.quoteIdentifier(selected.column.alias)) as \(dialect.quoteIdentifier(selected.column.alias))"
                }
            var text = "select \(outer.joined(separator: ",\n  "))\nfrom (\n\(subqueries[0].sql)\n) as \(dialect.quoteIdentifier(first))"
            for subquery in subqueries.dropFirst() {
                text += "\n\(dimensions.isEmpty ? "cross join" : "join") (\n\(subquery.sql)\n) as \(dialect.quoteIdentifier(subquery.name))"
                if !dimensions.isEmpty {
                    text += " on " + dimensions.map {
                        dialect.nullSafeEqual(
                            "\(dialect.quoteIdentifier(first)).\(dialect.quoteIdentifier($0.column.alias))",
                            "\(dialect.quoteIdentifier(subquery.name)).\(dialect.quoteIdentifier($0.column.alias))")
                    }.joined(separator: " and ")
                }
            }
            if !measureConditions.isEmpty { text += "\nwhere " + measureConditions.map { "(\($0))" }.joined(separator: " and ") }
            return text
        }
    }

    /// An answer's statement: `body` in `order`, limited and offset as the query asks (the
    /// numbers bound), and the count of `body`'s rows when the query asks for its `total`.
    func answer(body: String, order: String, columns: [ResultColumn], values: BoundValues, query: CubeQuery) -> GeneratedQuery {
        let totalCount = values.values.count
        let limitParameter = values.values.count
        var sql = body + order + "\nlimit \(values.add(.integer(Int64(query.effectiveLimit))))"
        var offsetParameter: Int?
        if let offset = query.offset, offset > 0 {
            offsetParameter = values.values.count
            sql += " offset \(values.add(.integer(Int64(offset))))"
        }
        var generated = GeneratedQuery(
            sql: sql, parameters: values.values,
            totalSQL: query.total ? "select count(*) from (\n\(body)\n) as floe_total" : nil, totalParameterCount: totalCount,
            columns: columns, preAggregation: nil, preAggregationTable: nil)
        generated.limitParameter = limitParameter
        generated.offsetParameter = offsetParameter
        return generated
    }

    /// ORDER BY over the output columns; Cube's default when the query gives none: the first
    /// time dimension ascending, else the first measure descending, else the first dimension.
    func orderClause(query: CubeQuery, columns: [ResultColumn]) throws(SemanticError) -> String {
        var terms: [(String, Bool)] = []
        if query.order.isEmpty {
            if let time = columns.first(where: { if case .timeDimension = $0.kind { true } else { false } }) {
                terms = [(time.alias, false)]
            } else if let measure = columns.first(where: { $0.kind == .measure }), !query.ungrouped {
                terms = [(measure.alias, true)]
            } else if let dimension = columns.first {
                terms = [(dimension.alias, false)]
            }
        }
        for (index, term) in query.order.enumerated() {
            guard let column = columns.first(where: { $0.keys.contains(term.member) }) else {
                let names = columns.flatMap(\.keys)
                throw .badQuery("order[\(index)]: '\(term.member)' is not in the query; order by one of its members"
                    + (Suggestions.didYouMean(term.member, in: names).map { "; \($0)" } ?? ": \(names.joined(separator: ", "))"))
            }
            terms.append((column.alias, term.descending))
        }
        guard !terms.isEmpty else { return "" }
        return "\norder by " + terms.map { "\(dialect.quoteIdentifier($0.0)) \($0.1 ? "desc" : "asc")" }.joined(separator: ", ")
    }
}
