import FloeContract

/// The shape of a Cube data-model file (Cube's YAML format): what compile checks before it
/// reads the cubes. Keys Cube has and floe does not use yet (`meta`, `sql_alias`,
/// `refresh_key` of a cube, …) are accepted; keys that would change results and floe cannot
/// honour (`extends`, `rolling_window`) are errors, so a cube never answers differently from Cube.
enum CubeShape {
    private static let text = Shape.string(.nonEmpty)
    private static let name = Shape.string(.sqlName)
    private static let names = Shape.list(.string(.nonEmpty))
    private static let conditions = Shape.list(.object(ObjectShape("a filter", [.required("sql", text, "a condition on the cube's rows")])))

    static let measure = ObjectShape("a measure", [
        .required("name", name, "the member name"),
        .required("type", .string(.oneOf(CubeMeasure.types)), "the aggregation"),
        .optional("sql", text, "the column or expression aggregated; not needed by count"),
        .optional("title", text, "display name"),
        .optional("description", text, "what it means"),
        .optional("format", .string(.oneOf(["percent", "currency"])), "how values are shown"),
        .optional("filters", conditions, "only rows where every condition holds count"),
        .optional("drill_members", names, "members listed when drilling into a value"),
        .optional("public", .boolean, "false hides it from /meta"),
        .optional("shown", .boolean, "Cube's older spelling of public"),
        .optional("meta", .any, "free-form metadata, passed through /meta in Cube; floe keeps none"),
    ])

    static let dimension = ObjectShape("a dimension", [
        .required("name", name, "the member name"),
        .required("type", .string(.oneOf(CubeDimension.types)), "the value type"),
        .optional("sql", text, "the column or expression; not needed with case"),
        .optional("primary_key", .boolean, "the cube's key, for de-duplicating joined rows"),
        .optional("title", text, "display name"),
        .optional("description", text, "what it means"),
        .optional("format", .string(.oneOf(["imageUrl", "id", "link", "currency", "percent"])), "how values are shown"),
        .optional("public", .boolean, "false hides it from /meta"),
        .optional("shown", .boolean, "Cube's older spelling of public"),
        .optional("case", .object(ObjectShape("a case", [
            .required("when", .list(.object(ObjectShape("a case branch", [
                .required("sql", text, "a condition"),
                .required("label", text, "the value when it holds"),
            ])), minItems: 1), "the branches, first match wins"),
            .optional("else", .object(ObjectShape("an else", [.required("label", text, "the value when no branch holds")])), "the fallback"),
        ])), "labels by condition, instead of sql"),
        .optional("meta", .any, "free-form metadata; floe keeps none"),
    ])

    static let join = ObjectShape("a join", [
        .required("name", name, "the cube joined to"),
        .required("relationship", .string(.oneOf(CubeJoin.relationships + ["belongs_to", "has_many", "has_one"])),
                  "how many rows of each side match"),
        .required("sql", text, "the ON condition, with {CUBE} and {Other.member} references"),
    ])

    static let segment = ObjectShape("a segment", [
        .required("name", name, "the member name"),
        .required("sql", text, "a condition on the cube's rows"),
        .optional("public", .boolean, "false hides it from /meta"),
        .optional("title", text, "display name"),
        .optional("description", text, "what it means"),
    ])

    static let preAggregation = ObjectShape("a pre-aggregation", [
        .required("name", name, "the rollup's name"),
        .optional("type", .string(.oneOf(["rollup"])), "rollup, the only kind floe builds"),
        .optional("measures", names, "Cube.member or CUBE.member names"),
        .optional("dimensions", names, "Cube.member or CUBE.member names"),
        .optional("segments", names, "Cube.member or CUBE.member names"),
        .optional("time_dimension", text, "the time dimension rolled up"),
        .optional("granularity", .string(.oneOf(CubePreAggregation.granularities)), "the time dimension's grain; needed with it"),
        .optional("partition_granularity", .string(.oneOf(CubePreAggregation.granularities)), "one partition per this much time"),
        .optional("refresh_key", .object(ObjectShape("a refresh key", [
            .optional("every", text, "how often it may be rebuilt, as `1 hour`"),
            .optional("sql", text, "Cube's refresh check; floe rebuilds when the inputs change instead"),
            .optional("incremental", .boolean, "Cube's incremental refresh; floe's partitions do this"),
            .optional("update_window", text, "Cube's window of partitions to refresh"),
        ])), "when it is rebuilt"),
        .optional("indexes", .any, "Cube's rollup indexes; floe keeps none yet"),
    ])

    static let accessPolicy = ObjectShape("an access policy", [
        .required("role", text, "the role it applies to (from the token's roles claim), or * for every request"),
        .optional("member_level", .object(ObjectShape("member-level access", [
            .optional("includes", .any, "\"*\" or the members the role may use"),
            .optional("excludes", names, "members the role may not use"),
        ])), "which members the role sees"),
        .optional("row_level", .object(ObjectShape("row-level access", [
            .optional("filters", .any, "filters in a query's form: {member, operator, values} or {and|or: [...]}; values may be { securityContext.claim }"),
            .optional("allow_all", .boolean, "true: every row"),
        ])), "which rows the role sees"),
        .optional("conditions", .any, "Cube's policy conditions; floe refuses them (see docs/semantic.md)"),
    ])

    static let cube = ObjectShape("a cube", [
        .required("name", name, "the cube's name"),
        .optional("sql_table", text, "the table it reads: {{ ref('model') }} or schema.table"),
        .optional("sql", text, "a SELECT it reads instead of sql_table"),
        .optional("title", text, "display name"),
        .optional("description", text, "what it holds"),
        .optional("public", .boolean, "false hides it from /meta"),
        .optional("shown", .boolean, "Cube's older spelling of public"),
        .optional("sql_alias", text, "Cube's table alias; floe picks its own"),
        .optional("data_source", text, "Cube's data source; floe reads the plan's compute profile"),
        .optional("refresh_key", .any, "Cube's cache refresh; floe answers from the warehouse"),
        .optional("meta", .any, "free-form metadata; floe keeps none"),
        .optional("measures", .list(.object(measure)), "aggregates"),
        .optional("dimensions", .list(.object(dimension)), "attributes to group and filter by"),
        .optional("joins", .list(.object(join)), "other cubes reachable from this one"),
        .optional("segments", .list(.object(segment)), "named filters"),
        .optional("pre_aggregations", .list(.object(preAggregation)), "rollups floe apply builds"),
        .optional("access_policy", .list(.object(accessPolicy)), "who may see which members and rows"),
    ])

    static let viewCube = ObjectShape("a view's cube", [
        .required("join_path", text, "Cube or Cube.Joined.Further: the cube whose members are included, reached from the view's first cube"),
        .optional("includes", .any, "\"*\" or the members included: names, or {name, alias, title}"),
        .optional("excludes", names, "members left out"),
        .optional("prefix", .boolean, "true: members are named <cube>_<member> in the view"),
        .optional("alias", name, "the prefix used instead of the cube's name"),
    ])

    static let view = ObjectShape("a view", [
        .required("name", name, "the view's name"),
        .optional("title", text, "display name"),
        .optional("description", text, "what it offers"),
        .optional("public", .boolean, "false hides it from /meta"),
        .optional("shown", .boolean, "Cube's older spelling of public"),
        .optional("meta", .any, "free-form metadata; floe keeps none"),
        .required("cubes", .list(.object(viewCube), minItems: 1), "the cubes whose members it offers"),
        .optional("folders", .any, "Cube's folders for /meta; floe keeps none"),
    ])

    static let file = ObjectShape("a Cube data-model file", [
        .optional("cubes", .list(.object(cube)), "the cubes"),
        .optional("views", .list(.object(view)), "views: members of several cubes under one name"),
    ])
}
