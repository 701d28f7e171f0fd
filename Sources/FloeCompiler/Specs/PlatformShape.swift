import FloeContract

/// What platform.yaml may hold. Every credential field is `.secret`: a plain value is refused.
public enum PlatformShape {
    public static let computeTypes = ["sqlite", "postgres", "spark", "duckdb", "trino", "snowflake", "bigquery"]
    public static let storageTypes = ["local", "s3", "gcs", "adls"]
    public static let catalogTypes = ["polaris", "rest", "glue", "none"]

    static let threads = Field.optional("threads", .integer(minimum: 1, maximum: 64), "how many models to build at once")
    static let path = StringRule(minLength: 1)
    static let port = Shape.integer(minimum: 1, maximum: 65535)

    static let compute = TaggedShape("a compute profile", variants: [
        ("sqlite", ObjectShape("a sqlite compute profile", [
            .required("path", .string(path), "the database file; {environment} and {namespace} are replaced"),
            threads,
            .optional("busy_timeout_ms", .integer(minimum: 0), "how long to wait for a locked database"),
        ])),
        ("postgres", ObjectShape("a postgres compute profile", [
            .required("host", .string(.nonEmpty), "the server's host name"),
            .optional("port", port, "the server's port (default 5432)"),
            .required("database", .string(.nonEmpty), "the database to connect to"),
            .required("user", .stringOrSecret, "the role to connect as"),
            .optional("password", .secret, "the role's password"),
            .optional("sslmode", .string(.oneOf(["disable", "prefer", "require", "verify-ca", "verify-full"])),
                      "TLS mode (default prefer)"),
            .optional("connect_timeout", .integer(minimum: 1, maximum: 600), "seconds to wait for a connection (default 10), as dbt-postgres names it"),
            .optional("schema", .string(.nonEmpty), "the schema unqualified names resolve to (default: the namespace)"),
            threads,
        ])),
        ("spark", ObjectShape("a spark compute profile", [
            .required("host", .string(.nonEmpty), "the Spark Thrift server's host name"),
            .optional("port", port, "the Thrift server's port (default 10000)"),
            .optional("auth", .string(.oneOf(["nosasl", "plain"])), "nosasl, or plain for a user and password (default: plain when a password is given)"),
            .optional("user", .stringOrSecret, "the user to log in as (default floe)"),
            .optional("password", .secret, "the user's password (auth: plain)"),
            .optional("schema", .string(.nonEmpty), "the database unqualified names resolve to (default: the namespace)"),
            .optional("file_format", .string(.oneOf(["parquet", "orc", "delta", "iceberg", "hudi"])),
                      "what tables are written as (default parquet)"),
            .optional("connect_timeout", .integer(minimum: 1, maximum: 600), "seconds to wait for a connection (default 10)"),
            .optional("query_timeout", .integer(minimum: 1), "seconds a statement may run before it is cancelled (default 3600)"),
            .optional("metastore", .string(.nonEmpty),
                      "the Hive metastore's host:port behind the Thrift server, as OpenLineage names the tables (default: the Thrift server's)"),
            threads,
        ])),
        ("duckdb", ObjectShape("a duckdb compute profile", [
            .required("path", .string(path), "the database file, or :memory:"),
            .optional("memory_limit", .string(.nonEmpty), "such as 4GB"),
            threads,
        ])),
        ("trino", ObjectShape("a trino compute profile", [
            .required("host", .string(.nonEmpty), "the coordinator's host name"),
            .optional("port", port, "the coordinator's port (default 8080)"),
            .required("catalog", .string(.nonEmpty), "the Trino catalog tables are written to"),
            .required("user", .stringOrSecret, "the user to connect as"),
            .optional("password", .secret, "the user's password"),
            .optional("http_scheme", .string(.oneOf(["http", "https"])), "http or https (default https)"),
            threads,
        ])),
        ("snowflake", ObjectShape("a snowflake compute profile", [
            .required("account", .string(.nonEmpty), "the account identifier"),
            .required("warehouse", .string(.nonEmpty), "the virtual warehouse"),
            .required("database", .string(.nonEmpty), "the database"),
            .optional("role", .string(.nonEmpty), "the role"),
            .required("user", .stringOrSecret, "the user to connect as"),
            .optional("password", .secret, "the user's password"),
            .optional("private_key", .secret, "a key-pair authentication private key"),
            threads,
        ])),
        ("bigquery", ObjectShape("a bigquery compute profile", [
            .required("project", .string(.nonEmpty), "the GCP project"),
            .optional("location", .string(.nonEmpty), "such as EU or us-central1"),
            .optional("keyfile_json", .secret, "a service account key; omit to use the workload identity"),
            threads,
        ])),
    ])

    static let s3Credentials = ObjectShape("s3 credentials", [
        .required("access_key_id", .secret, "the access key id"),
        .required("secret_access_key", .secret, "the secret access key"),
        .optional("session_token", .secret, "a temporary session token"),
    ])

    static let storage = TaggedShape("a storage profile", variants: [
        ("local", ObjectShape("a local storage profile", [
            .required("path", .string(path), "a directory; {environment} and {namespace} are replaced"),
        ])),
        ("s3", ObjectShape("an s3 storage profile", [
            .required("bucket", .string(.nonEmpty), "the bucket"),
            .optional("prefix", .string(), "a key prefix inside the bucket"),
            .optional("region", .string(.nonEmpty), "such as eu-west-1"),
            .optional("endpoint", .string(.nonEmpty), "an S3-compatible endpoint (MinIO, LocalStack)"),
            .optional("path_style_access", .boolean, "true for MinIO and LocalStack"),
            .optional("role_arn", .string(.nonEmpty), "a role to assume instead of static keys"),
            .optional("credentials", .object(s3Credentials), "static keys; omit to use the instance role"),
        ])),
        ("gcs", ObjectShape("a gcs storage profile", [
            .required("bucket", .string(.nonEmpty), "the bucket"),
            .optional("prefix", .string(), "an object prefix"),
            .optional("credentials", .object(ObjectShape("gcs credentials", [
                .required("service_account_json", .secret, "a service account key"),
            ])), "omit to use the workload identity"),
        ])),
        ("adls", ObjectShape("an adls storage profile", [
            .required("account", .string(.nonEmpty), "the storage account"),
            .required("container", .string(.nonEmpty), "the container"),
            .optional("prefix", .string(), "a path prefix"),
            .optional("credentials", .object(ObjectShape("adls credentials", [
                .optional("tenant_id", .string(.nonEmpty), "the Entra tenant"),
                .optional("client_id", .stringOrSecret, "the application id"),
                .optional("client_secret", .secret, "the application secret"),
                .optional("account_key", .secret, "a storage account key"),
            ])), "omit to use the managed identity"),
        ])),
    ])

    static let oauthCredentials = ObjectShape("catalog credentials", [
        .required("client_id", .stringOrSecret, "the OAuth2 client id"),
        .required("client_secret", .secret, "the OAuth2 client secret"),
    ])

    static let catalog = TaggedShape("a catalog profile", variants: [
        ("polaris", ObjectShape("a polaris catalog profile", [
            .required("uri", .string(.nonEmpty), "the catalog's REST endpoint"),
            .required("warehouse", .string(.nonEmpty), "the catalog warehouse"),
            .optional("scope", .string(.nonEmpty), "the OAuth2 scope, such as PRINCIPAL_ROLE:ALL"),
            .optional("credentials", .object(oauthCredentials), "OAuth2 client credentials"),
        ])),
        ("rest", ObjectShape("a rest catalog profile", [
            .required("uri", .string(.nonEmpty), "the catalog's REST endpoint"),
            .optional("warehouse", .string(.nonEmpty), "the catalog warehouse"),
            .optional("credentials", .object(ObjectShape("rest catalog credentials", [
                .optional("token", .secret, "a bearer token"),
                .optional("client_id", .stringOrSecret, "an OAuth2 client id"),
                .optional("client_secret", .secret, "an OAuth2 client secret"),
            ])), "a token or OAuth2 client credentials"),
        ])),
        ("glue", ObjectShape("a glue catalog profile", [
            .required("region", .string(.nonEmpty), "the AWS region"),
            .optional("catalog_id", .string(.nonEmpty), "the AWS account id of the catalog"),
            .optional("credentials", .object(s3Credentials), "static keys; omit to use the instance role"),
        ])),
        ("none", ObjectShape("an empty catalog profile", [])),
    ])

    static let remap = Shape.map(.string(.identifier), keys: .identifier)
    static let overrides = Shape.map(.map(.any), keys: .identifier)

    static let environment = ObjectShape("an environment", [
        .required("namespace", .string(StringRule(
            pattern: "^[A-Za-z0-9_{}-]+$",
            meaning: "letters, digits, '_', '-' and the placeholders {environment} and {uuid}")),
            "where this environment's tables live; {environment} and {uuid} are replaced"),
        .optional("description", .string(), "what the environment is for"),
        .optional("compute", remap, "logical compute name → platform profile, for this environment"),
        .optional("storage", remap, "logical storage name → platform profile, for this environment"),
        .optional("catalogs", remap, "logical catalog name → platform profile, for this environment"),
        .optional("overrides", .object(ObjectShape("environment overrides", [
            .optional("compute", overrides, "profile name → settings that replace the profile's"),
            .optional("storage", overrides, "profile name → settings that replace the profile's"),
            .optional("catalogs", overrides, "profile name → settings that replace the profile's"),
        ])), "settings of named profiles replaced in this environment"),
    ])

    public static let root = ObjectShape("platform.yaml", [
        .required("version", .string(.oneOf(["1"])), "the platform file format version, \"1\""),
        .required("compute", .map(.tagged(compute), keys: .identifier), "named compute profiles: where SQL runs"),
        .optional("storage", .map(.tagged(storage), keys: .identifier), "named storage profiles"),
        .optional("catalogs", .map(.tagged(catalog), keys: .identifier), "named catalog profiles"),
        .optional("observability", .object(ObjectShape("observability", [
            .optional("lineage", .object(ObjectShape("lineage", [
                .optional("transport", .string(.oneOf(["http", "file", "console"])),
                          "http (default: POST to the endpoint), file (JSON lines appended to `file`) or console (stderr)"),
                .optional("endpoint", .string(.nonEmpty),
                          "http: the OpenLineage endpoint, such as Marquez's http://marquez:5000 (events go to /api/v1/lineage unless the URL has a path)"),
                .optional("file", .string(path), "file: where events are appended, one JSON object per line (relative to floe.yaml's directory)"),
                .required("namespace", .string(.nonEmpty), "the OpenLineage namespace of the jobs"),
                .optional("api_key", .secret, "http: the API key, sent as a bearer token"),
                .optional("compression", .string(.oneOf(["gzip"])), "http: gzip each request's body"),
                .optional("timeout_seconds", .number(minimum: 0.1, maximum: 300), "http: seconds one request may take (default 5)"),
            ])), "where OpenLineage run events are sent"),
            .optional("otlp", .object(ObjectShape("otlp", [
                .required("endpoint", .string(.nonEmpty), "the OTLP collector endpoint"),
                .optional("service_name", .string(.nonEmpty), "the service name on spans"),
            ])), "where OpenTelemetry traces are sent"),
        ])), "lineage and tracing endpoints"),
        .optional("semantic", .object(ObjectShape("semantic", [
            .optional("api_secret", .secret, "signs the query API's JWTs"),
            .optional("sql_api", .object(ObjectShape("sql_api", [
                .optional("port", .integer(minimum: 1, maximum: 65_535), "the port `floe serve` answers PostgreSQL clients on"),
                .optional("users", .list(.object(ObjectShape("a SQL API user", [
                    .required("name", .string(.nonEmpty), "the user name clients log in as"),
                    .required("password", .secret, "the user's password, as a secret reference"),
                    .optional("password_encryption", .string(.oneOf(["scram-sha-256", "md5"])),
                              "how the password is checked: scram-sha-256 (default) or md5"),
                    .optional("security_context", .map(.any), "the claims (Cube's security context) its queries run with"),
                    .optional("can_switch_user", .boolean,
                              "whether its queries may run as another user of this list with WHERE __user = 'name' (a BI tool's service account)"),
                ]))), "users who log in with a password instead of a token"),
                .optional("tls_certificate", .secret, "the PEM certificate chain clients get when they ask for TLS"),
                .optional("tls_key", .secret, "the PEM private key of that certificate"),
            ])), "the SQL API: BI tools and SQL clients over PostgreSQL's wire protocol"),
        ])), "settings of the semantic query API"),
        .optional("secrets", .object(ObjectShape("secrets", [
            .optional("mount", .string(path), "the directory of mounted secret files (default /var/run/secrets/floe)"),
        ])), "where secrets are read at run time"),
        .optional("environments", .map(.object(environment), keys: .identifier),
                  "dev, staging, prod, test…: namespaces, remaps and overrides"),
    ])

    /// The shape of a profile kind, by the key it lives under in platform.yaml.
    static func profileShape(_ kind: ProfileKind) -> TaggedShape {
        switch kind {
        case .compute: return compute
        case .storage: return storage
        case .catalog: return catalog
        }
    }
}

/// The three kinds of profile floe.yaml refers to by logical name.
public enum ProfileKind: String, CaseIterable, Sendable {
    case compute, storage, catalog

    /// The key in platform.yaml (and in an environment's remaps): `compute`, `storage`, `catalogs`.
    public var platformKey: String { self == .catalog ? "catalogs" : rawValue }
}
