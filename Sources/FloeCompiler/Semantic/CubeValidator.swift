import FloeContract
import FloeCore

/// Checks the cubes read from every file against each other, reporting every problem at its
/// place: duplicate cubes and members, members without the SQL their type needs, `{member}` and
/// `{Cube.member}` references that name nothing, joins to unknown cubes, rollups over members
/// that do not exist or have the wrong kind, and joined cubes without a primary key.
struct CubeValidator {
    private var diagnostics: [Diagnostic] = []
    private let cubes: [CubeFileReader.ReadCube]
    private let byName: [String: CompiledCube]
    /// Cubes whose files had shape errors: already reported, and not checked again.
    private let unreadable: Set<String>

    static func validate(_ cubes: [CubeFileReader.ReadCube], unreadable: Set<String> = []) -> [Diagnostic] {
        var validator = CubeValidator(cubes: cubes, unreadable: unreadable)
        validator.run()
        return validator.diagnostics
    }

    private init(cubes: [CubeFileReader.ReadCube], unreadable: Set<String>) {
        self.cubes = cubes
        self.unreadable = unreadable
        var byName: [String: CompiledCube] = [:]
        for read in cubes where byName[read.cube.name] == nil { byName[read.cube.name] = read.cube }
        self.byName = byName
    }

    private mutating func run() {
        var seen: [String: String] = [:]
        let joined = Set(cubes.flatMap { $0.cube.joins.map(\.name) })
        for read in cubes {
            let cube = read.cube
            if let first = seen[cube.name] {
                error(read, "", "cube '\(cube.name)' is already defined in \(first)", hint: "give each cube its own name")
                continue
            }
            seen[cube.name] = read.file
            checkMembers(read)
            checkJoins(read)
            checkPreAggregations(read)
            checkAccessPolicies(read)
            checkReferenceCycles(read)
            checkJoinCycles(read)
            checkColumns(read)
            if !cube.dimensions.contains(where: \.primaryKey), !cube.joins.isEmpty || joined.contains(cube.name) {
                diagnostics.append(.warning(at: read.location, path: read.path,
                                            "cube '\(cube.name)' takes part in joins but has no primary_key dimension",
                                            hint: "mark its key dimension primary_key: true, so joined measures are not counted twice"))
            }
        }
    }

    private mutating func checkMembers(_ read: CubeFileReader.ReadCube) {
        let cube = read.cube
        var names: Set<String> = []
        func claim(_ name: String, _ part: String) {
            if !names.insert(name).inserted {
                error(read, part, "cube '\(cube.name)' already has a member named '\(name)'",
                      hint: "measures, dimensions and segments of a cube share one namespace")
            }
        }
        for (index, measure) in cube.measures.enumerated() {
            let part = "measures[\(index)]"
            claim(measure.name, part)
            if measure.sql == nil, measure.type != "count" {
                error(read, part, "measure '\(measure.name)' of type \(measure.type) needs sql", hint: "write sql: the column or expression it aggregates")
            }
            for sql in [measure.sql].compactMap({ $0 }) + measure.filters { checkReferences(sql, in: read, part: part) }
            for drill in measure.drillMembers {
                checkMember(drill.contains(".") ? CubeFileReader.qualified(drill, in: cube.name) : cube.name + "." + drill,
                            kind: "dimension", in: read, part: part)
            }
        }
        for (index, dimension) in cube.dimensions.enumerated() {
            let part = "dimensions[\(index)]"
            claim(dimension.name, part)
            if dimension.sql == nil, dimension.cases.isEmpty {
                error(read, part, "dimension '\(dimension.name)' needs sql or case", hint: "write sql: the column or expression")
            }
            for sql in [dimension.sql].compactMap({ $0 }) + dimension.cases.map(\.sql) { checkReferences(sql, in: read, part: part) }
        }
        for (index, segment) in cube.segments.enumerated() {
            claim(segment.name, "segments[\(index)]")
            checkReferences(segment.sql, in: read, part: "segments[\(index)]")
        }
        if cube.dimensions.filter(\.primaryKey).count > 1 {
            error(read, "", "cube '\(cube.name)' has more than one primary_key dimension",
                  hint: "mark one; for a composite key, make one dimension of the columns joined")
        }
    }

    private mutating func checkJoins(_ read: CubeFileReader.ReadCube) {
        for (index, join) in read.cube.joins.enumerated() {
            let part = "joins[\(index)]"
            if join.name == read.cube.name {
                error(read, part, "cube '\(join.name)' joins itself", hint: "a self-join needs a second cube over the same table")
            } else if byName[join.name] == nil, !unreadable.contains(join.name) {
                error(read, part, "join to '\(join.name)', which is no cube", hint: Suggestions.didYouMean(join.name, in: byName.keys))
            }
            checkReferences(join.sql, in: read, part: part)
        }
    }

    private mutating func checkPreAggregations(_ read: CubeFileReader.ReadCube) {
        for (index, rollup) in read.cube.preAggregations.enumerated() {
            let part = "pre_aggregations[\(index)]"
            for (kind, members) in [("measure", rollup.measures), ("dimension", rollup.dimensions), ("segment", rollup.segments)] {
                for (position, member) in members.enumerated() {
                    checkMember(member, kind: kind, in: read, part: "\(part).\(kind)s[\(position)]")
                }
            }
            if let time = rollup.timeDimension {
                checkMember(time, kind: "time dimension", in: read, part: "\(part).time_dimension")
                if rollup.granularity == nil {
                    error(read, part, "pre-aggregation '\(rollup.name)' has a time_dimension but no granularity",
                          hint: "add granularity: day (or another grain)")
                }
            } else if rollup.granularity != nil || rollup.partitionGranularity != nil {
                error(read, part, "pre-aggregation '\(rollup.name)' has a granularity but no time_dimension",
                      hint: "add time_dimension: CUBE.<a time dimension>")
            }
            if rollup.measures.isEmpty, rollup.dimensions.isEmpty, rollup.timeDimension == nil {
                error(read, part, "pre-aggregation '\(rollup.name)' rolls up nothing", hint: "list its measures and dimensions")
            }
            if rollup.timeDimension != nil {
                for (position, member) in rollup.measures.enumerated() {
                    let pieces = member.split(separator: ".", maxSplits: 1).map(String.init)
                    guard pieces.count == 2, byName[pieces[0]]?.measures.first(where: { $0.name == pieces[1] })?.type == "running_total" else { continue }
                    error(read, "\(part).measures[\(position)]", "'\(member)' is a running_total, which floe cannot roll up by a time granularity yet",
                          hint: "leave it out of the pre-aggregation; queries compute it from the models")
                }
            }
            if let granularity = rollup.granularity, let partition = rollup.partitionGranularity,
               !Self.partition(partition, isMadeOf: granularity) {
                error(read, part, "pre-aggregation '\(rollup.name)': a \(partition) partition is not made of whole \(granularity)s",
                      hint: "make partition_granularity \(granularity), or a coarser grain made of it (days make weeks and months; months make quarters and years)")
            }
        }
    }

    private mutating func checkAccessPolicies(_ read: CubeFileReader.ReadCube) {
        for (index, policy) in (read.cube.accessPolicy ?? []).enumerated() {
            let part = "access_policy[\(index)]"
            for (position, member) in (policy.includes ?? []).enumerated() {
                checkMember(member, kind: "member", in: read, part: "\(part).member_level.includes[\(position)]")
            }
            for (position, member) in policy.excludes.enumerated() {
                checkMember(member, kind: "member", in: read, part: "\(part).member_level.excludes[\(position)]")
            }
            func walk(_ filters: [AccessFilter], _ path: String) {
                for (offset, filter) in filters.enumerated() {
                    if let nested = filter.and {
                        walk(nested, "\(path)[\(offset)].and")
                    } else if let nested = filter.or {
                        walk(nested, "\(path)[\(offset)].or")
                    } else if let member = filter.member {
                        checkMember(member, kind: "measure or dimension", in: read, part: "\(path)[\(offset)]")
                    }
                }
            }
            walk(policy.rowFilters ?? [], "\(part).row_level.filters")
        }
    }

    /// Joins that lead back to the cube through two or more others (`A → B → C → A`): a query
    /// then joins along the shortest path from its first cube, which may not be the path meant.
    /// A pair of joins both ways (`A → B`, `B → A`) is common in Cube models and not reported.
    private mutating func checkJoinCycles(_ read: CubeFileReader.ReadCube) {
        let start = read.cube.name
        for (index, join) in read.cube.joins.enumerated() where join.name != start {
            var path = [start, join.name]
            var seen: Set<String> = [join.name]
            func back(_ cube: String) -> Bool {
                for next in byName[cube]?.joins.map(\.name) ?? [] {
                    if next == start { if path.count >= 3 { path.append(start); return true } else { continue } }
                    guard seen.insert(next).inserted else { continue }
                    path.append(next)
                    if back(next) { return true }
                    path.removeLast()
                }
                return false
            }
            // Each cycle is reported once, at its alphabetically first cube.
            if back(join.name), path.dropLast().allSatisfy({ $0 >= start }) {
                diagnostics.append(.warning(at: read.location(of: "joins[\(index)]"), path: read.path + ".joins[\(index)]",
                                            "the joins form a cycle: \(path.joined(separator: " → "))",
                                            hint: "a query joins along the shortest path from its first cube; a view's join_path fixes the path"))
            }
        }
    }

    /// Members over a plain column (`sql: status` or `{CUBE}.status`) of a model whose SELECT
    /// shows its columns: a column it does not give is a warning at the member. Not an error: the
    /// mistake may as well be in the model (a renamed or mistyped column), whose own build then
    /// reports it with its SQL; the other models and cubes still build, and this cube's rollups
    /// and queries fail until the two agree.
    private mutating func checkColumns(_ read: CubeFileReader.ReadCube) {
        guard let (model, path, columns) = read.modelColumns else { return }
        let known = Set(columns.map { $0.lowercased() })
        func column(_ sql: String?) -> String? {
            guard var text = sql?.trimmingCharacters(in: .whitespaces) else { return nil }
            if text.hasPrefix("{CUBE}.") { text.removeFirst(7) }
            guard let first = text.first, first.isLetter || first == "_", text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                return nil
            }
            return text
        }
        let members = read.cube.dimensions.enumerated().map { ("dimensions[\($0)]", $1.name, $1.sql) }
            + read.cube.measures.enumerated().filter { $1.type != "number" }.map { ("measures[\($0)]", $1.name, $1.sql) }
        for (part, name, sql) in members {
            guard let used = column(sql), !known.contains(used.lowercased()) else { continue }
            let near = Suggestions.closest(to: used, in: columns)
            let hint = near.map { "the model gives '\($0)': if that is a typo, fix it in \(path); else change this member's sql" }
                ?? "fix the column in \(path), or this member's sql; the model's columns: \(columns.joined(separator: ", "))"
            diagnostics.append(.warning(
                at: read.location(of: part), path: read.fieldPath(of: part),
                "'\(name)' reads column '\(used)', which model '\(model)' does not give: queries and rollups that use it fail until the two agree",
                hint: hint))
        }
    }

    /// A member whose SQL reaches itself through other members (`{a}` uses `{b}`, which uses `{a}`).
    private mutating func checkReferenceCycles(_ read: CubeFileReader.ReadCube) {
        let cube = read.cube
        var sqlOf: [String: [String]] = [:]
        for measure in cube.measures { sqlOf[measure.name] = [measure.sql].compactMap { $0 } + measure.filters }
        for dimension in cube.dimensions { sqlOf[dimension.name] = [dimension.sql].compactMap { $0 } + dimension.cases.map(\.sql) }
        for segment in cube.segments { sqlOf[segment.name] = [segment.sql] }
        func own(_ reference: String) -> String? {
            if reference.hasPrefix("CUBE.") { return String(reference.dropFirst(5)) }
            if reference.hasPrefix(cube.name + ".") { return String(reference.dropFirst(cube.name.count + 1)) }
            return reference.contains(".") ? nil : reference
        }
        for (index, member) in (cube.measures.map(\.name) + cube.dimensions.map(\.name) + cube.segments.map(\.name)).enumerated() {
            var path = [member]
            var visiting: Set<String> = [member]
            func reaches(_ name: String) -> Bool {
                for sql in sqlOf[name] ?? [] {
                    for reference in CubeSQLTemplate.references(in: sql) {
                        guard let next = own(reference), sqlOf[next] != nil else { continue }
                        if next == member { path.append(next); return true }
                        guard visiting.insert(next).inserted else { continue }
                        path.append(next)
                        if reaches(next) { return true }
                        path.removeLast()
                    }
                }
                return false
            }
            if reaches(member) {
                let part = index < cube.measures.count ? "measures[\(index)]"
                    : index < cube.measures.count + cube.dimensions.count ? "dimensions[\(index - cube.measures.count)]"
                    : "segments[\(index - cube.measures.count - cube.dimensions.count)]"
                error(read, part, "'\(member)' refers to itself: \(path.joined(separator: " → "))",
                      hint: "a member's SQL may use other members, but not itself through them")
            }
        }
    }

    /// Whether every `partition` is a whole number of `granularity` units: weeks are made only of
    /// days and finer, and are made of nothing but weeks.
    static func partition(_ partition: String, isMadeOf granularity: String) -> Bool {
        let order = CubePreAggregation.granularities
        guard let fine = order.firstIndex(of: granularity), let coarse = order.firstIndex(of: partition) else { return false }
        if partition == granularity { return true }
        if granularity == "week" { return false }
        return fine < coarse && (partition != "week" || fine <= order.firstIndex(of: "day")!)
    }

    /// `Cube.member` of the right kind; reported at the member's place in the list.
    private mutating func checkMember(_ reference: String, kind: String, in read: CubeFileReader.ReadCube, part: String) {
        let pieces = reference.split(separator: ".", maxSplits: 1).map(String.init)
        guard pieces.count == 2 else {
            return error(read, part, "'\(reference)' is not a Cube.member name", hint: "write CUBE.\(reference) or \(read.cube.name).\(reference)")
        }
        guard let cube = byName[pieces[0]] else {
            if unreadable.contains(pieces[0]) { return }
            return error(read, part, "'\(reference)' names no cube '\(pieces[0])'", hint: Suggestions.didYouMean(pieces[0], in: byName.keys))
        }
        let candidates: [String]
        switch kind {
        case "measure": candidates = cube.measures.map(\.name)
        case "segment": candidates = cube.segments.map(\.name)
        case "time dimension": candidates = cube.dimensions.filter { $0.type == "time" }.map(\.name)
        case "member": candidates = cube.measures.map(\.name) + cube.dimensions.map(\.name) + cube.segments.map(\.name)
        case "measure or dimension": candidates = cube.measures.map(\.name) + cube.dimensions.map(\.name)
        default: candidates = cube.dimensions.map(\.name)
        }
        guard candidates.contains(pieces[1]) else {
            return error(read, part, "'\(reference)' is no \(kind) of cube '\(cube.name)'",
                         hint: Suggestions.didYouMean(pieces[1], in: candidates)
                             ?? "its \(kind == "measure or dimension" ? "measures and dimensions" : kind + "s"): \(candidates.isEmpty ? "none" : candidates.joined(separator: ", "))")
        }
    }

    /// Every `{…}` in Cube SQL: `{CUBE}`, `{CUBE.x}`, `{member}` of this cube, `{Cube}` or
    /// `{Cube.member}` of another.
    private mutating func checkReferences(_ sql: String, in read: CubeFileReader.ReadCube, part: String) {
        for reference in CubeSQLTemplate.references(in: sql) where reference != "CUBE" && !reference.hasPrefix("CUBE.") {
            let pieces = reference.split(separator: ".", maxSplits: 1).map(String.init)
            if pieces.count == 1 {
                let own = Self.memberNames(read.cube)
                guard !own.contains(reference), byName[reference] == nil, !unreadable.contains(reference) else { continue }
                error(read, part, "{\(reference)} names no member of cube '\(read.cube.name)'",
                      hint: Suggestions.didYouMean(reference, in: own + Array(byName.keys)))
            } else if let other = byName[pieces[0]] {
                let names = Self.memberNames(other)
                if !names.contains(pieces[1]) {
                    error(read, part, "{\(reference)} names no member of cube '\(other.name)'",
                          hint: Suggestions.didYouMean(pieces[1], in: names) ?? "its members: \(names.joined(separator: ", "))")
                }
            } else if !unreadable.contains(pieces[0]) {
                error(read, part, "{\(reference)} names no cube '\(pieces[0])'", hint: Suggestions.didYouMean(pieces[0], in: byName.keys))
            }
        }
    }

    static func memberNames(_ cube: CompiledCube) -> [String] {
        cube.measures.map(\.name) + cube.dimensions.map(\.name) + cube.segments.map(\.name)
    }

    private mutating func error(_ read: CubeFileReader.ReadCube, _ part: String, _ message: String, hint: String? = nil) {
        diagnostics.append(.error(at: read.location(of: part), path: read.fieldPath(of: part), message, hint: hint))
    }
}
