import FloeContract

extension CubeQuery {
    /// Queries that together touch every member of `cube` once: its measures in all, then by each
    /// of its dimensions (a time dimension by month), then by a dimension of each cube it joins.
    /// For checking that a build answers what the cube declares (the demo products' tests ask
    /// them on SQLite and on PostgreSQL). Empty for a cube without measures.
    public static func coverage(of cube: CompiledCube, among cubes: [CompiledCube]) -> [CubeQuery] {
        guard !cube.measures.isEmpty else { return [] }
        var all = CubeQuery()
        all.measures = cube.measures.map { "\(cube.name).\($0.name)" }
        var queries = [all]
        for dimension in cube.dimensions {
            var grouped = all
            if dimension.type == "time" {
                grouped.timeDimensions = [TimeDimensionQuery(dimension: "\(cube.name).\(dimension.name)", granularity: .month)]
            } else {
                grouped.dimensions = ["\(cube.name).\(dimension.name)"]
            }
            queries.append(grouped)
        }
        for join in cube.joins {
            guard let dimension = cubes.first(where: { $0.name == join.name })?.dimensions.first(where: { $0.type != "time" }) else { continue }
            var joined = all
            joined.dimensions = ["\(join.name).\(dimension.name)"]
            queries.append(joined)
        }
        return queries
    }
}
