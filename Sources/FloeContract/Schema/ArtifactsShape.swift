/// The shape of the plan (artifacts.json), for its JSON Schema. A test encodes real plans and
/// validates them against the schema written from this, so the two cannot drift apart.
public enum ArtifactsShape {
    static let sha256 = Shape.string(StringRule(pattern: "^[0-9a-f]{64}$", meaning: "a hex SHA-256"))
    static let text = Shape.string()
    static let names = Shape.list(.string())
    static let threshold = Shape.string(StringRule(pattern: "^(==|!=|<>|>=|<=|>|<)-?[0-9]+$",
                                                   meaning: "a comparison with the number of failing rows, as >10"))

    static let relation = Shape.object(ObjectShape("a relation", [
        .required("schema", text, "the schema (namespace)"),
        .required("name", text, "the table or view name"),
    ]))

    static let columns = Shape.list(.object(ObjectShape("a column", [
        .required("name", text, "the column name"),
        .optional("type", text, "its SQL type"),
        .optional("description", text, "what it holds"),
    ])))

    static let profile = Shape.object(ObjectShape("a resolved profile", [
        .required("logical_name", text, "the name floe.yaml used"),
        .required("name", text, "the platform profile it resolved to"),
        .required("type", text, "the profile type"),
        .required("settings", .map(.any), "the profile's settings; credentials as secret references"),
    ]))

    /// A model's or test's template and the context it renders in at apply time.
    static func nodeTemplate(_ what: String) -> ObjectShape {
        ObjectShape(what, [
            .required("path", text, "the file"),
            .required("text", text, "its template"),
            .required("package", text, "its project"),
            .required("refs", .list(.object(ObjectShape("a ref", [
                .required("name", names, "as ref() names it"),
                .required("relation", relation, "what it is"),
                .optional("version", text, "since 2.2: a versioned model's version"),
                .optional("latest", .boolean, "since 2.2: whether that version is the latest, which ref() without v= finds"),
                .optional("ephemeral", text, "since 2.2: the unique id of the ephemeral model it names, put in front of the rendered SQL as a CTE"),
            ]))), "what ref() may name"),
            .required("sources", .list(.object(ObjectShape("a source table", [
                .required("source", text, "source name"),
                .required("table", text, "table name"),
                .required("relation", relation, "what it is"),
            ]))), "what source() may name"),
            .required("node", .map(.any), "the node as its template sees it"),
            .required("config", .map(.any), "its resolved config"),
            .required("environment", .map(text), "environment variables it reads"),
            .optional("pre_hooks", names, "since 2.2: its pre-hooks as written, when they query the database: rendered at apply time"),
            .optional("post_hooks", names, "since 2.2: its post-hooks as written, when they query the database: rendered at apply time"),
            .optional("var_overrides", .map(.any), "since 2.3: a unit test's overrides.vars, over the project's"),
            .optional("macro_overrides", .map(.any), "since 2.3: a unit test's overrides.macros, the value each macro answers"),
        ])
    }

    public static let root = ObjectShape("a floe plan", [
        .required("version", .string(StringRule(pattern: "^[0-9]+\\.[0-9]+\\.[0-9]+$", meaning: "MAJOR.MINOR.PATCH")),
                  "the contract version"),
        .required("metadata", .object(ObjectShape("metadata", [
            .required("tool", text, "always floe"),
            .required("tool_version", text, "the floe version that compiled the plan"),
            .required("compiled_at", .string(StringRule(pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")),
                      "UTC time of the compile (SOURCE_DATE_EPOCH when set)"),
            .required("inputs", .list(.object(ObjectShape("an input file", [
                .required("path", text, "relative to floe.yaml's directory"),
                .required("sha256", sha256, "the file's hash"),
            ]))), "every input file"),
            .required("inputs_sha256", sha256, "one hash over all inputs"),
        ])), "facts about the compile"),
        .required("product", .object(ObjectShape("product", [
            .required("name", text, "the data product"),
            .required("version", text, "its version"),
            .optional("description", text, "what it is"),
            .optional("owner", text, "who owns it"),
            .required("vars", .map(.any), "template variables"),
            .optional("schedule", .object(ObjectShape("schedule", [
                .required("cron", text, "five-field cron"),
                .required("timezone", text, "IANA time zone"),
            ])), "when it runs"),
            .optional("snapshots", .object(ObjectShape("snapshots", [
                .required("keep", .integer(minimum: 1, maximum: 100), "earlier versions kept"),
            ])), "table snapshots"),
            .optional("demo", .object(ObjectShape("demo", [
                .required("cron", text, "five-field cron, UTC"),
                .required("batch_size", .integer(minimum: 1, maximum: 10_000_000), "new rows per table per batch"),
                .optional("data_quality", .object(ObjectShape("batch defects", [
                    .required("null_rate", .number(minimum: 0, maximum: 1), "null share"),
                    .required("duplicate_rate", .number(minimum: 0, maximum: 1), "duplicate share"),
                    .required("late_arrival_rate", .number(minimum: 0, maximum: 1), "late share"),
                ])), "defects in batches"),
                .optional("burst_records_per_second", .integer(minimum: 1, maximum: 100_000_000), "burst mode's rate"),
            ])), "live demo mode"),
            .optional("retention", .object(ObjectShape("retention", [
                .required("max_age", text, "a duration"),
                .required("column", text, "the load-time column"),
            ])), "how long rows are kept"),
        ])), "the data product"),
        .required("environment", .object(ObjectShape("environment", [
            .required("name", text, "dev, staging, prod, test, …"),
            .required("namespace", text, "where tables live, placeholders substituted"),
        ])), "the environment compiled for"),
        .required("profiles", .object(ObjectShape("profiles", [
            .required("compute", profile, "where SQL runs"),
            .required("storage", profile, "where files live"),
            .required("catalog", profile, "the table catalog"),
        ])), "the resolved profiles"),
        .required("observability", .object(ObjectShape("observability", [
            .optional("lineage", .object(ObjectShape("lineage", [
                .required("endpoint", text, "OpenLineage endpoint"),
                .required("namespace", text, "OpenLineage namespace"),
            ])), "lineage events"),
            .optional("otlp", .object(ObjectShape("otlp", [
                .required("endpoint", text, "OTLP endpoint"),
                .optional("service_name", text, "service name"),
            ])), "traces"),
        ])), "lineage and tracing"),
        .required("secrets", .object(ObjectShape("secrets", [
            .required("mount", text, "directory of mounted secret files"),
        ])), "where secrets are read"),
        .optional("semantic", .object(ObjectShape("semantic", [
            .optional("api_secret", .secret, "signs query API JWTs"),
            .optional("sql_api", .object(ObjectShape("sql_api", [
                .optional("port", .integer(minimum: 0, maximum: 65_535), "the SQL API's port"),
                .required("users", .list(.object(ObjectShape("a SQL API user", [
                    .required("name", text, "the user name clients log in as"),
                    .required("password", .secret, "the user's password"),
                    .required("password_encryption", .string(.oneOf(["scram-sha-256", "md5"])), "how the password is checked"),
                    .required("security_context", .map(.any), "the claims its queries run with"),
                    .required("can_switch_user", .boolean, "whether WHERE __user = 'name' may run its queries as another user"),
                ]))), "users who log in with a password"),
                .optional("tls_certificate", .secret, "PEM certificate chain for TLS"),
                .optional("tls_key", .secret, "PEM private key for TLS"),
            ])), "since 2.4: the SQL API (PostgreSQL wire protocol)"),
        ])), "query API settings"),
        .required("transforms", .list(.object(ObjectShape("a transform", [
            .required("type", text, "dbt"),
            .required("path", text, "relative to floe.yaml"),
        ]))), "transformation projects"),
        .required("synthetic", .list(.object(ObjectShape("a synthetic table", [
            .required("name", text, "table name"),
            .required("rows", .integer(minimum: 0, maximum: 100_000_000), "rows before scaling"),
            .required("seed", .integer(minimum: 0), "random seed"),
            .required("columns", .list(.object(ObjectShape("a synthetic column", [
                .required("name", text, "column name"),
                .required("generator", text, "generator name"),
                .required("options", .map(.any), "generator options"),
            ]))), "generated columns"),
            .optional("per_parent", .object(ObjectShape("child rows per parent", [
                .required("table", text, "the parent synthetic table"),
                .required("min", .integer(minimum: 0, maximum: 1000), "fewest children"),
                .required("max", .integer(minimum: 0, maximum: 1000), "most children"),
            ])), "children per parent row instead of rows"),
            .required("quality", .object(ObjectShape("quality defects", [
                .required("null_rate", .number(minimum: 0, maximum: 1), "null share"),
                .required("duplicate_rate", .number(minimum: 0, maximum: 1), "duplicate share"),
                .required("late_arrival_rate", .number(minimum: 0, maximum: 1), "late share"),
                .optional("null_columns", names, "the columns null_rate applies to"),
                .optional("max_late_days", .integer(minimum: 1, maximum: 365), "how many days late a row can be"),
            ])), "injected defects"),
        ]))), "generated source tables"),
        .required("seeds", .list(.object(ObjectShape("a seed", [
            .required("unique_id", text, "seed.<project>.<name>"),
            .required("name", text, "seed name"),
            .required("path", text, "CSV path"),
            .required("relation", relation, "target table"),
            .required("columns", columns, "typed columns"),
            .required("sha256", sha256, "CSV hash"),
            .required("tags", names, "tags"),
        ]))), "CSV seeds"),
        .required("sources", .list(.object(ObjectShape("a source", [
            .required("unique_id", text, "source.<project>.<source>.<table>"),
            .required("source_name", text, "source name"),
            .required("name", text, "table name"),
            .required("relation", relation, "the table"),
            .required("columns", columns, "declared columns"),
        ]))), "pre-existing tables"),
        .required("models", .list(.object(ObjectShape("a model", [
            .required("unique_id", text, "model.<project>.<name>"),
            .required("name", text, "model name"),
            .required("path", text, "SQL file"),
            .required("materialized", .string(.oneOf(Materialization.allCases.map(\.rawValue))), "materialization"),
            .required("relation", relation, "target"),
            .required("sql", text, "rendered SELECT"),
            .optional("incremental_sql", text, "rendered SELECT with is_incremental() true"),
            .required("unique_key", names, "incremental key columns"),
            .optional("incremental_strategy", text, "append, merge, delete+insert, insert_overwrite (unique_key: the partition columns) or microbatch"),
            .optional("on_schema_change", text, "ignore, fail, append_new_columns, sync_all_columns"),
            .required("depends_on", names, "upstream unique ids"),
            .required("tags", names, "tags"),
            .required("pre_hooks", names, "SQL run before"),
            .required("post_hooks", names, "SQL run after"),
            .required("columns", columns, "documented columns"),
            .optional("description", text, "from properties YAML"),
            .optional("indexes", .list(.object(ObjectShape("an index", [
                .required("columns", names, "indexed columns, in order"),
                .required("unique", .boolean, "a unique index"),
            ]))), "since 1.2: indexes created after each build of a table or incremental model"),
            .required("fingerprint", sha256, "change detector"),
            .optional("render_at_apply", .boolean, "since 2.0: rendered at apply time from `templates` (its template queries the database); `sql` is dbt's parse rendering, not run"),
            .optional("snapshot", .object(ObjectShape("a snapshot's strategy", [
                .required("strategy", .string(.oneOf(["timestamp", "check"])), "timestamp or check"),
                .optional("updated_at", text, "timestamp: the column that tells a row's version"),
                .optional("check_cols", names, "check: the columns compared; absent for all"),
                .required("hard_deletes", .string(.oneOf(["ignore", "invalidate", "new_record"])), "what happens to rows gone from the SELECT"),
                .optional("valid_to_current", text, "dbt_valid_to_current: what current versions hold in dbt_valid_to"),
                .required("column_names", .object(ObjectShape("the meta columns' names", [
                    .required("dbt_scd_id", text, "a version's id"),
                    .required("dbt_updated_at", text, "the version's updated_at"),
                    .required("dbt_valid_from", text, "when the version began"),
                    .required("dbt_valid_to", text, "when it ended; null (or valid_to_current) while current"),
                    .required("dbt_is_deleted", text, "hard_deletes new_record: whether the row marks a deletion"),
                ])), "snapshot_meta_column_names"),
            ])), "since 2.1: set when materialized is snapshot (a dbt snapshot's history of its SELECT's rows)"),
            .optional("microbatch", .object(ObjectShape("the microbatch strategy", [
                .required("event_time", text, "the model's column that tells a row's batch"),
                .required("batch_size", .string(.oneOf(["hour", "day", "month", "year"])), "the window of one batch"),
                .required("begin", text, "where the first build starts"),
                .required("lookback", .integer(minimum: 0), "batches before the current one that a later build redoes"),
            ])), "since 2.1: set when incremental_strategy is microbatch; the SQL reads its window between two markers"),
            .optional("contract", .object(ObjectShape("an enforced model contract", [
                .required("columns", .list(.object(ObjectShape("a contracted column", [
                    .required("name", text, "the column"),
                    .required("data_type", text, "its declared type, which the table is created with"),
                ]))), "the promised columns, in the table's order"),
                .required("constraints", .list(.object(ObjectShape("a constraint", [
                    .required("type", .string(.oneOf(ModelContract.Constraint.Kind.allCases.map(\.rawValue))), "what it enforces"),
                    .required("columns", names, "the columns it constrains; empty for a model-level check"),
                    .optional("name", text, "its name in the table"),
                    .optional("expression", text, "a check's condition, or what a foreign key references"),
                ]))), "column and model-level constraints"),
            ])), "since 2.2: dbt's contract: {enforced: true}; the SQL's columns are checked against it before each build"),
        ]))), "SQL models"),
        .required("tests", .list(.object(ObjectShape("a test", [
            .required("unique_id", text, "test.<project>.<name>"),
            .required("name", text, "test name"),
            .required("test_name", text, "not_null, unique, accepted_values, relationships, singular"),
            .optional("attached_node", text, "the tested node"),
            .optional("column", text, "the tested column"),
            .required("severity", .string(.oneOf(["error", "warn"])), "error or warn"),
            .required("sql", text, "returns failing rows"),
            .required("depends_on", names, "upstream unique ids"),
            .required("tags", names, "tags"),
            .optional("warn_if", threshold, "warn when the failing rows meet this (default !=0)"),
            .optional("error_if", threshold, "fail when the failing rows meet this (default !=0)"),
            .optional("limit", .integer(minimum: 0), "at most this many failing rows are counted and stored"),
            .optional("store_failures", .boolean, "true: keep the failing rows every run; false: never; absent: when it fails or warns"),
            .optional("fail_calc", text, "since 2.3: dbt's fail_calc, the expression over the test's rows that is its number of failures; absent: count(*)"),
            .optional("render_at_apply", .boolean, "since 2.0: rendered at apply time from `templates.tests` (its template queries the database)"),
        ]))), "data tests"),
        .optional("cubes", .list(.object(ObjectShape("a cube", [
            .required("name", text, "cube name"),
            .required("path", text, "the cube file, relative to floe.yaml"),
            .optional("title", text, "display name"),
            .optional("description", text, "what it holds"),
            .required("public", .boolean, "false hides it from /meta"),
            .optional("sql_table", text, "the relation it reads (one of sql_table and sql)"),
            .optional("sql", text, "the SELECT it reads"),
            .required("depends_on", names, "model unique ids it reads"),
            .required("measures", .list(.object(ObjectShape("a measure", [
                .required("name", text, "member name"),
                .required("type", .string(.oneOf(CubeMeasure.types)), "aggregation"),
                .optional("sql", text, "aggregated expression"),
                .optional("title", text, "display name"),
                .optional("description", text, "meaning"),
                .optional("format", text, "percent or currency"),
                .required("filters", names, "conditions on the rows counted"),
                .required("drill_members", names, "members shown on drill-down"),
                .required("public", .boolean, "false hides it"),
            ]))), "aggregates"),
            .required("dimensions", .list(.object(ObjectShape("a dimension", [
                .required("name", text, "member name"),
                .required("type", .string(.oneOf(CubeDimension.types)), "value type"),
                .optional("sql", text, "expression"),
                .required("primary_key", .boolean, "the cube's key"),
                .optional("title", text, "display name"),
                .optional("description", text, "meaning"),
                .optional("format", text, "display format"),
                .required("public", .boolean, "false hides it"),
                .required("cases", .list(.object(ObjectShape("a case", [
                    .required("sql", text, "condition"),
                    .required("label", text, "value when it holds"),
                ]))), "Cube's case, in order"),
                .optional("case_else", text, "value when no case holds"),
            ]))), "attributes"),
            .required("joins", .list(.object(ObjectShape("a join", [
                .required("name", text, "the cube joined"),
                .required("relationship", .string(.oneOf(CubeJoin.relationships)), "cardinality"),
                .required("sql", text, "ON condition with Cube references"),
            ]))), "joins"),
            .required("segments", .list(.object(ObjectShape("a segment", [
                .required("name", text, "member name"),
                .required("sql", text, "condition"),
            ]))), "named filters"),
            .required("pre_aggregations", .list(.object(ObjectShape("a pre-aggregation", [
                .required("name", text, "rollup name"),
                .required("type", text, "rollup"),
                .required("measures", names, "Cube.member names"),
                .required("dimensions", names, "Cube.member names"),
                .required("segments", names, "Cube.member names"),
                .optional("time_dimension", text, "Cube.member"),
                .optional("granularity", text, "time grain"),
                .optional("partition_granularity", text, "partition grain"),
                .optional("refresh_every", text, "refresh_key.every as written"),
            ]))), "rollups"),
            .optional("access_policy", .list(.object(ObjectShape("an access policy", [
                .required("role", text, "the role it applies to, * for every request"),
                .optional("includes", names, "Cube.member names the role may use; absent for all"),
                .required("excludes", names, "Cube.member names the role may not use"),
                .optional("row_filters", .list(.object(ObjectShape("a row filter", [
                    .optional("member", text, "Cube.member"),
                    .optional("operator", .string(.oneOf(AccessFilter.operators)), "Cube's filter operator"),
                    .required("values", names, "values; { securityContext.claim } is the token's claim"),
                    .optional("and", .any, "filters that must all hold"),
                    .optional("or", .any, "filters of which one must hold"),
                ]))), "all must hold; absent for every row"),
            ]))), "since 1.3: Cube's data access policies; absent when the cube has none"),
        ]))), "since 1.2: the semantic layer's cubes, refs resolved; absent when there are none"),
        .optional("analyses", .list(.object(ObjectShape("an analysis", [
            .required("unique_id", text, "analysis.<project>.<name>"),
            .required("name", text, "analysis name"),
            .required("path", text, "the SQL file"),
            .required("sql", text, "its compiled SQL"),
            .required("depends_on", names, "the nodes it reads"),
        ]))), "since 2.0: analyses, compiled and never run"),
        .optional("exposures", .list(.object(ObjectShape("an exposure", [
            .required("unique_id", text, "exposure.<project>.<name>"),
            .required("name", text, "exposure name"),
            .required("type", text, "dashboard, notebook, analysis, ml or application"),
            .required("path", text, "the properties file"),
            .optional("owner", text, "who owns it"),
            .optional("url", text, "where it is"),
            .optional("description", text, "from properties YAML"),
            .required("depends_on", names, "the nodes it reads"),
        ]))), "since 2.0: exposures, for lineage and selection; nothing is built for them"),
        .optional("hooks", .object(ObjectShape("the project's run hooks", [
            .required("on_run_start", names, "statements run before the first node"),
            .required("on_run_end", names, "statements run after the last node (since 2.3, empty where `templates.run_hooks` has the hook)"),
        ])), "since 2.0: dbt_project.yml's on-run-start and on-run-end, rendered"),
        .optional("templates", .object(ObjectShape("the templates of models rendered at apply time", [
            .required("project", text, "the root dbt project's name"),
            .required("target", text, "target.name"),
            .required("namespace", text, "target.schema"),
            .required("compiled_at", text, "run_started_at"),
            .required("macros", .list(.object(ObjectShape("a macro file", [
                .required("package", text, "its project"),
                .required("path", text, "the file"),
                .required("text", text, "its text"),
            ]))), "every macro file of the project and its packages"),
            .required("vars", .map(.map(.any)), "vars by project"),
            .required("dispatch", .map(names), "search orders by macro namespace"),
            .required("models", .map(.object(nodeTemplate("a model's template"))), "by model unique id"),
            .required("tests", .map(.object(nodeTemplate("a test's template"))), "tests rendered at apply time, by unique id"),
            .optional("project_versions", .map(text), "since 2.3: each project's dbt_project.yml version, by project name"),
            .optional("graph_nodes", .map(.object(ObjectShape("a node's facts as dbt's graph has them", [
                .optional("raw_code", text, "a model's file as written"),
                .required("original_file_path", text, "its file, relative to its project"),
                .required("path", text, "its file, relative to its resource folder"),
                .required("fqn", names, "its fully qualified name"),
                .optional("version", text, "a versioned model's version"),
                .optional("latest_version", text, "the latest version of a versioned model's name"),
                .optional("access", text, "a model's access, when not protected"),
                .optional("group", text, "a model's group"),
            ]))), "since 2.3: by model and seed unique id, what graph says of them beyond the plan's nodes"),
            .optional("graph_metrics", .map(.object(ObjectShape("a dbt metric as graph.metrics has it", [
                .required("name", text, "its name"),
                .required("package", text, "its project"),
                .required("type", text, "simple, ratio, derived, cumulative or conversion"),
                .optional("label", text, "its label"),
                .optional("description", text, "its description"),
                .required("filters", names, "its filters as written"),
                .optional("measure", text, "simple and cumulative: its measure"),
                .optional("numerator", text, "ratio: its numerator metric"),
                .optional("denominator", text, "ratio: its denominator metric"),
                .optional("expr", text, "derived: its expression"),
                .optional("window", text, "cumulative: its window"),
                .required("depends_on", names, "the semantic model or metrics it is made of, by unique id"),
                .required("original_file_path", text, "its properties file, relative to its project"),
            ]))), "since 2.3: dbt's metrics by unique id, for graph.metrics"),
            .optional("run_hooks", .map(.object(nodeTemplate("a run hook's template"))),
                      "since 2.3: on-run-start/on-run-end hooks rendered at apply time, by `on-run-end.<index>`; their statement in `hooks` is empty"),
        ])), "since 2.0: models rendered at apply time"),
        .optional("views", .list(.object(ObjectShape("a view", [
            .required("name", text, "view name"),
            .required("path", text, "the cube file that declares it"),
            .optional("title", text, "display name"),
            .optional("description", text, "what it offers"),
            .required("public", .boolean, "false hides it from /meta"),
            .required("members", .list(.object(ObjectShape("a view member", [
                .required("name", text, "the member's name in the view"),
                .required("member", text, "the Cube.member it is"),
                .required("join_path", names, "the cubes joined to reach it, the view's first cube first"),
                .optional("title", text, "display name"),
            ]))), "its members"),
        ]))), "since 1.3: Cube views over the cubes; absent when there are none"),
    ])
}
