import FloeContract

/// What floe.yaml may hold: names and logic, never credentials or endpoints.
public enum FloeShape {
    static let rate = Shape.number(minimum: 0, maximum: 1)
    static let nullRate = Field.optional("null_rate", rate, "share of rows where this column is null (0–1)")

    /// Column generators for synthetic tables, by `type`.
    static let generatorVariants: [(String, ObjectShape)] = [
        ("sequence", ObjectShape("a sequence generator", [
            .optional("start", .integer(), "the first value (default 1)"),
            .optional("step", .integer(), "the increment (default 1)"),
        ])),
        ("uuid", ObjectShape("a uuid generator", [])),
        ("integer", ObjectShape("an integer generator", [
            .required("min", .integer(), "the smallest value"),
            .required("max", .integer(), "the largest value"),
        ])),
        ("decimal", ObjectShape("a decimal generator", [
            .required("min", .number(), "the smallest value"),
            .required("max", .number(), "the largest value"),
            .optional("scale", .integer(minimum: 0, maximum: 10), "digits after the point (default 2)"),
        ])),
        ("choice", ObjectShape("a choice generator", [
            .required("values", .list(.scalar, minItems: 1), "the values to pick from"),
            .optional("weights", .list(.number(minimum: 0), minItems: 1), "relative weights, one per value"),
        ])),
        ("boolean", ObjectShape("a boolean generator", [
            .optional("probability", rate, "chance of true (default 0.5)"),
        ])),
        ("date", ObjectShape("a date generator", [
            .required("start", .string(date), "the earliest date, YYYY-MM-DD"),
            .required("end", .string(date), "the latest date, YYYY-MM-DD"),
        ])),
        ("timestamp", ObjectShape("a timestamp generator", [
            .required("start", .string(date), "the earliest day, YYYY-MM-DD"),
            .required("end", .string(date), "the latest day, YYYY-MM-DD"),
        ])),
        ("reference", ObjectShape("a reference generator", [
            .required("table", .string(.sqlName), "the synthetic table whose rows are referenced"),
            .required("column", .string(.sqlName), "the referenced column"),
            .optional("skew", .number(minimum: 1, maximum: 10),
                      "1 (default): every parent as likely; higher: the first parents get most of the rows"),
        ])),
        ("constant", ObjectShape("a constant generator", [
            .required("value", .scalar, "the value of every row"),
        ])),
        ("normal", ObjectShape("a normal distribution", [
            .required("mean", .number(), "the mean"),
            .required("stddev", .number(minimum: 0), "the standard deviation"),
            .optional("scale", .integer(minimum: 0, maximum: 10), "digits after the point (default 2)"),
        ])),
        ("log_normal", ObjectShape("a log-normal distribution", [
            .required("mu", .number(), "the mean of the value's logarithm"),
            .required("sigma", .number(minimum: 0), "the standard deviation of the value's logarithm"),
            .optional("scale", .integer(minimum: 0, maximum: 10), "digits after the point (default 2)"),
        ])),
        ("pattern", ObjectShape("a patterned code", [
            .required("pattern", .string(), "'#' a digit, '?' a capital letter, '*' either; anything else as written (SKU-####)"),
        ])),
        ("event_time", ObjectShape("monotonic event times", [
            .required("start", .string(timestamp), "the first event, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS"),
            .required("interval_seconds", .number(minimum: 0), "the mean gap between rows' events"),
        ])),
        ("json", ObjectShape("a JSON object", [
            .required("fields", .map(.string(.oneOf(jsonFieldKinds)), keys: .sqlName),
                      "key → kind of value: \(jsonFieldKinds.joined(separator: ", "))"),
        ])),
        ("loaded_at", ObjectShape("the load time", [])),
        ("parent", ObjectShape("a column of the row's parent (per_parent tables)", [
            .required("column", .string(.sqlName), "the parent table's column"),
        ])),
        ("expression", ObjectShape("a value computed from the row's other columns", [
            .required("expression", .string(), "arithmetic over the row's columns: quantity * unit_price - discount"),
            .optional("scale", .integer(minimum: 0, maximum: 10), "digits after the point (default 2)"),
        ])),
    ] + fakerKinds.map { kind in
        (kind, ObjectShape("a \(kind) generator", derivedKinds.contains(kind)
            ? [.optional("from", .string(.sqlName), "a column of the same table holding a person's name to build it from")]
            : []))
    }

    /// Generators that need no options: realistic fake values. `city`, `country` and `region`
    /// agree with each other within a row.
    public static let fakerKinds = ["name", "first_name", "last_name", "email", "username", "phone", "company",
                                    "street_address", "city", "country", "region", "word", "sentence"]
    /// Fake kinds that can be built from the row's name (`email: {type: email, from: name}`).
    public static let derivedKinds = ["email", "username"]
    /// What a `json` generator's fields can hold.
    public static let jsonFieldKinds = ["word", "integer", "boolean", "city", "country", "uuid"]

    static let timestamp = StringRule(pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$",
                                      meaning: "YYYY-MM-DD or YYYY-MM-DD HH:MM:SS")

    static let date = StringRule(pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", meaning: "a date written YYYY-MM-DD")

    static let generator = TaggedShape(
        "a column generator",
        variants: generatorVariants.map { name, shape in
            (name, ObjectShape(shape.title, shape.fields + [nullRate]))
        })

    public static var generatorNames: [String] { generatorVariants.map(\.0) }

    static let syntheticTable = ObjectShape("a synthetic table", [
        .optional("rows", .integer(minimum: 0, maximum: 100_000_000), "rows to generate, before FLOE_DEMO_SEED_SCALE (or per_parent)"),
        .optional("per_parent", .object(ObjectShape("child rows per parent", [
            .required("table", .string(.sqlName), "the synthetic table whose rows get children"),
            .required("min", .integer(minimum: 0, maximum: 1000), "the fewest children a parent gets"),
            .required("max", .integer(minimum: 0, maximum: 1000), "the most children a parent gets"),
        ])), "make min to max rows for each row of another synthetic table, instead of `rows`"),
        .optional("seed", .integer(minimum: 0), "the random seed (default 42): same seed, same rows"),
        .required("columns", .map(.scalarOrObject(scalar: .string(.oneOf(generatorNames)), object: .tagged(generator)),
                                  keys: .sqlName), "column name → generator"),
        .optional("quality", .object(ObjectShape("quality defects", [
            .optional("null_rate", rate, "share of values set to null in nullable columns"),
            .optional("duplicate_rate", rate, "share of rows repeated"),
            .optional("late_arrival_rate", rate, "share of rows back-dated"),
            .optional("null_columns", .list(.string(.sqlName)), "the columns null_rate applies to (default: all but the keys)"),
            .optional("max_late_days", .integer(minimum: 1, maximum: 365), "how many days late a late row can be (default 7)"),
        ])), "deliberate defects, so the pipeline's cleaning is exercised"),
    ])

    static let profileName = StringRule.identifier

    public static let root = ObjectShape("floe.yaml", [
        .required("name", .string(StringRule(
            pattern: "^[A-Za-z][A-Za-z0-9_-]{0,99}$",
            meaning: "a name that starts with a letter and holds only letters, digits, '_' and '-'")),
            "the data product's name"),
        .required("version", .string(StringRule(
            pattern: "^[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.-]+)?$", meaning: "a semantic version such as \"1.0.0\"")),
            "the data product's version"),
        .optional("description", .string(), "what the product is"),
        .optional("owner", .string(.nonEmpty), "the team or person responsible"),
        .optional("compute", .string(profileName), "logical compute profile name (default `default`)"),
        .optional("storage", .string(profileName), "logical storage profile name (default `default`)"),
        .optional("catalog", .string(profileName), "logical catalog profile name (default `default`)"),
        .optional("transforms", .list(.object(ObjectShape("a transform", [
            .required("type", .string(.oneOf(["dbt"])), "the kind of project; `dbt`"),
            .required("path", .string(.nonEmpty), "the project directory, relative to floe.yaml"),
        ]))), "the SQL projects that build the product"),
        .optional("synthetic", .map(.object(syntheticTable), keys: .sqlName), "generated source tables by name"),
        .optional("semantic", .object(ObjectShape("semantic", [
            .required("path", .string(.nonEmpty), "the directory of cube files, relative to floe.yaml"),
        ])), "the Cube-style semantic model"),
        .optional("vars", .map(.any), "variables for the project's templates (`var()`)"),
        .optional("schedule", .object(ObjectShape("a schedule", [
            .required("cron", .string(StringRule(
                pattern: "^\\S+ \\S+ \\S+ \\S+ \\S+$", meaning: "a five-field cron expression such as \"0 * * * *\"")),
                "when to run"),
            .optional("timezone", .string(.nonEmpty), "an IANA time zone (default UTC)"),
        ])), "when the product runs"),
        .optional("demo", .object(ObjectShape("live demo mode", [
            .optional("schedule", .object(ObjectShape("the batch schedule", [
                .optional("cron", .string(StringRule(
                    pattern: "^\\S+ \\S+ \\S+ \\S+ \\S+$", meaning: "a five-field cron expression such as \"*/5 * * * *\"")),
                    "when floe demo makes a batch, UTC (default */5 * * * *)"),
            ])), "when batches are made"),
            .optional("batch_size", .integer(minimum: 1, maximum: 10_000_000), "new rows per synthetic table per batch (default 100)"),
            .optional("data_quality", .object(ObjectShape("batch defects", [
                .optional("null_rate", rate, "share of values set to null"),
                .optional("duplicate_rate", rate, "share of rows that arrive twice"),
                .optional("late_arrival_rate", rate, "share of rows that arrive late"),
            ])), "defects in batches (default: each table's quality)"),
            .optional("burst_mode", .object(ObjectShape("burst mode", [
                .optional("enabled", .boolean, "batches back to back instead of on the schedule"),
                .optional("records_per_second", .integer(minimum: 1, maximum: 100_000_000), "the rate in burst mode (default 1000)"),
            ])), "for quick demos"),
        ])), "live demo mode: floe demo and floe apply --batch"),
        .optional("snapshots", .object(ObjectShape("snapshots", [
            .required("keep", .integer(minimum: 1, maximum: 100), "how many earlier versions of each table to keep"),
        ])), "earlier versions of tables and incremental models, for floe show --snapshot and floe restore"),
        .optional("retention", .object(ObjectShape("retention", [
            .required("max_age", .string(StringRule(
                pattern: "^[1-9][0-9]*[smhdw]$", meaning: "a duration such as 30m, 1h, 7d or 4w")),
                "rows older than this are deleted after each apply"),
            .optional("column", .string(.sqlName), "the load-time column (default _loaded_at)"),
        ])), "how long rows are kept"),
        .optional("secret_scan", .object(ObjectShape("secret scan", [
            .optional("allow", .list(.string(.nonEmpty)),
                      "models, tests or seeds (by name or unique id) whose random-looking values are data, not keys"),
        ])), "the plan's scan for secrets"),
    ])
}
