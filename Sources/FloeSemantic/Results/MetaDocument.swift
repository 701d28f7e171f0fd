import FloeContract

extension QueryRunner {
    /// Cube's `/meta`: the public cubes and members, in plan order, with their titles, types and
    /// formats. With a security context, what its access policies hide is left out.
    public func meta(security: SecurityContext? = nil) -> JSONValue {
        let catalog = compiler.catalog
        let access = security.map { AccessControl(catalog: catalog, context: $0) }
        var cubes: [JSONValue] = []
        for cube in catalog.cubes where cube.isPublic && (access?.canSee(cube) ?? true) {
            func visible(_ name: String) -> Bool { access?.canUse("\(cube.name).\(name)") ?? true }
            var fields: [(String, JSONValue)] = [
                ("name", .string(cube.name)), ("title", .string(cube.title ?? Titles.human(cube.name))), ("type", .string("cube")),
            ]
            if let description = cube.description { fields.append(("description", .string(description))) }
            fields.append(("measures", .array(cube.measures.filter { $0.isPublic && visible($0.name) }.map { measure in
                var member: [(String, JSONValue)] = [
                    ("name", .string("\(cube.name).\(measure.name)")), ("title", .string(Titles.full(cube, measure.title, measure.name))),
                    ("shortTitle", .string(measure.title ?? Titles.human(measure.name))), ("type", .string("number")),
                    ("aggType", .string(Self.aggregationType(measure.type))),
                    ("drillMembers", .array(measure.drillMembers.map { .string("\(cube.name).\($0)") })),
                ]
                if let format = measure.format { member.append(("format", .string(format))) }
                if let description = measure.description { member.append(("description", .string(description))) }
                return .object(member)
            })))
            fields.append(("dimensions", .array(cube.dimensions.filter { $0.isPublic && visible($0.name) }.map { dimension in
                var member: [(String, JSONValue)] = [
                    ("name", .string("\(cube.name).\(dimension.name)")), ("title", .string(Titles.full(cube, dimension.title, dimension.name))),
                    ("shortTitle", .string(dimension.title ?? Titles.human(dimension.name))), ("type", .string(dimension.type)),
                    ("primaryKey", .bool(dimension.primaryKey)),
                ]
                if let format = dimension.format { member.append(("format", .string(format))) }
                if let description = dimension.description { member.append(("description", .string(description))) }
                return .object(member)
            })))
            fields.append(("segments", .array(cube.segments.filter { visible($0.name) }.map { segment in
                .object([("name", .string("\(cube.name).\(segment.name)")), ("title", .string(Titles.full(cube, nil, segment.name))),
                         ("shortTitle", .string(Titles.human(segment.name)))])
            })))
            cubes.append(.object(fields))
        }
        for view in catalog.views where view.isPublic {
            var measures: [JSONValue] = [], dimensions: [JSONValue] = [], segments: [JSONValue] = []
            for member in view.members where access?.canUse(member.member) ?? true {
                guard let reference = (try? catalog.member(member.member, as: .measureOrDimension, at: ""))
                    ?? (try? catalog.member(member.member, as: .segment, at: "")) else { continue }
                let short = member.title ?? Titles.human(member.name)
                var fields: [(String, JSONValue)] = [
                    ("name", .string("\(view.name).\(member.name)")),
                    ("title", .string("\(view.title ?? Titles.human(view.name)) \(short)")), ("shortTitle", .string(short)),
                ]
                switch reference.member {
                case .measure(let measure):
                    fields += [("type", .string("number")), ("aggType", .string(Self.aggregationType(measure.type)))]
                    if let format = measure.format { fields.append(("format", .string(format))) }
                    measures.append(.object(fields))
                case .dimension(let dimension):
                    fields += [("type", .string(dimension.type)), ("primaryKey", .bool(dimension.primaryKey))]
                    if let format = dimension.format { fields.append(("format", .string(format))) }
                    dimensions.append(.object(fields))
                case .segment:
                    segments.append(.object(fields))
                }
            }
            var fields: [(String, JSONValue)] = [
                ("name", .string(view.name)), ("title", .string(view.title ?? Titles.human(view.name))), ("type", .string("view")),
            ]
            if let description = view.description { fields.append(("description", .string(description))) }
            fields += [("measures", .array(measures)), ("dimensions", .array(dimensions)), ("segments", .array(segments))]
            cubes.append(.object(fields))
        }
        return .object([("cubes", .array(cubes))])
    }

    /// Cube's `aggType` names.
    static func aggregationType(_ type: String) -> String {
        switch type {
        case "count_distinct": "countDistinct"
        case "count_distinct_approx": "countDistinctApprox"
        case "running_total": "runningTotal"
        default: type
        }
    }
}
