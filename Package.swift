// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target: strict concurrency comes with Swift 6 mode;
/// `ExistentialAny` keeps protocol existentials visible at the use site.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // Release builds link the Swift runtime and Foundation statically (see the `floe` target);
    // modules compiled this way name the static libraries they need.
    .unsafeFlags(["-static-stdlib"], .when(configuration: .release)),
]


let package = Package(
    name: "floe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "floe", targets: ["floe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // Only its `GRDBSQLite` module: the system libsqlite3's C API, for the SQLite adapter.
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // `floe serve`: the HTTP server, and the HS256 tokens its API accepts.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // `floe serve`'s shutdown: the server's graceful stop, started by floe's own signal handling.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // The PostgreSQL adapter's driver.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // `floe deps`: the package hub's API and its tarballs.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // `floe serve`'s GraphQL API: the query language, validation, execution and introspection.
        .package(url: "https://github.com/GraphQLSwift/GraphQL.git", from: "4.3.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        // `floe serve`'s /metrics: Prometheus' collectors and text format.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // `floe serve`'s spans: the Tracer protocol Hummingbird's TracingMiddleware calls (already
        // in the graph through Hummingbird), implemented over floe's own OTLP exporter.
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
    ],
    targets: [
        // The plan: the only thing that crosses from compile to apply, with its rules (the version
        // gate, the loader, the validator, the fingerprint recipe, which hashes with Crypto).
        .target(name: "FloeContract", dependencies: ["FloeCore", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),
        // Diagnostics, suggestions and secret detection shared by every stage. No dependencies.
        .target(name: "FloeCore", swiftSettings: swiftSettings),
        // One call into SQLite's C API that Swift cannot make (a variadic function).
        .target(name: "CSQLiteConfig", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The engine interface, the adapter registry and the SQL dialects (quoting, type names,
        // dbt's cross-database macros, materialization statements): pure text, no driver, so the
        // compiler may use it.
        .target(
            name: "FloeEngine",
            dependencies: ["FloeContract", "FloeCore", "FloeSQL"],
            swiftSettings: swiftSettings
        ),
        // The SQLite adapter (the embedded default) on the system libsqlite3. Only the executable
        // and the tests link it; it registers itself with `SQLiteAdapter.register()`.
        .target(
            name: "FloeSQLite",
            dependencies: [
                "FloeContract", "FloeCore", "FloeEngine", "CSQLiteConfig",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: [.linkedLibrary("m")]
        ),
        // The PostgreSQL adapter on PostgresNIO. Only the executable and the tests link it; it
        // registers itself with `PostgresAdapter.register()`.
        .target(
            name: "FloePostgres",
            dependencies: [
                "FloeContract", "FloeCore", "FloeEngine",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Apache Spark adapter: a HiveServer2 (Thrift) client of its own on SwiftNIO, as no
        // Swift Thrift package exists. Only the executable and the tests link it; it registers
        // itself with `SparkAdapter.register()`.
        .target(
            name: "FloeSpark",
            dependencies: [
                "FloeContract", "FloeCore", "FloeEngine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // `floe apply`: secrets, seeds and synthetic data, the DAG, materializations, tests, state, results.
        .target(
            name: "FloeRuntime",
            dependencies: [
                "FloeConnect", "FloeContract", "FloeCore", "FloeEngine", "FloeTemplates", "FloeJinja",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Opening a plan's warehouse and reading what runs recorded there, shared by apply, serve
        // and preflight: secret resolution, the engine factory, the plan connection, `ExecutorError`,
        // the state store and the plan's graph, and the plan as apply runs it (`RunnablePlan`).
        .target(
            name: "FloeConnect",
            dependencies: ["FloeContract", "FloeCore", "FloeEngine", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The semantic layer's query engine: Cube REST queries over the plan's cubes -> SQL with
        // bound values, rollup matching, Cube's response shapes. Executor side: reads only the plan.
        .target(
            name: "FloeSemantic",
            dependencies: ["FloeConnect", "FloeContract", "FloeCore", "FloeEngine", "FloeSQL"],
            swiftSettings: swiftSettings
        ),
        // `floe serve`: Cube's REST API over the query engine, on Hummingbird, with JWT auth; the
        // SQL API over FloePGWire, with the system catalogs in an in-memory SQLite database.
        .target(
            name: "FloeServe",
            dependencies: [
                "FloeWebAssets",
                "FloeConnect", "FloeContract", "FloeCore", "FloeEngine", "FloeSemantic", "FloeSQL", "FloePGWire",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                "FloeTelemetry",
            ],
            swiftSettings: swiftSettings
        ),
        // `floe preflight`: checks of an environment's engine, storage, catalog, secrets and
        // observability endpoints, run side by side with timeouts.
        .target(
            name: "FloePreflight",
            dependencies: [
                "FloeConnect", "FloeContract", "FloeCore", "FloeEngine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // YAML read with every value's file:line:col, limits on size, depth and nodes, and YAML 1.2's
        // core scalar typing: floe.yaml, platform.yaml, dbt's files and packages.yml.
        .target(
            name: "FloeYAML",
            dependencies: ["FloeCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // packages.yml (dependencies.yml) and dbt's version ranges: what the compiler checks against
        // the installed packages and what `floe deps` installs.
        .target(name: "FloePackageSpec", dependencies: ["FloeCore", "FloeYAML"], swiftSettings: swiftSettings),
        // `floe deps`: resolves packages.yml (hub version ranges, git revisions, local paths)
        // and installs the packages into the dbt project's install path, with package-lock.yml.
        .target(
            name: "FloePackages",
            dependencies: [
                "FloeCore", "FloeYAML", "FloePackageSpec",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // SQL read into a syntax tree: PostgreSQL's SELECT language and session statements, for the
        // semantic layer's SQL API. Nothing else; no dependencies.
        .target(name: "FloeSQL", swiftSettings: swiftSettings),
        // A PostgreSQL protocol 3.0 server on SwiftNIO (startup, SSL, cleartext/MD5/SCRAM-SHA-256
        // authentication, the simple and extended query protocols, cancel requests): it knows
        // nothing of what queries mean, which a `PGBackend` decides. `floe serve`'s SQL API.
        .target(
            name: "FloePGWire",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // zlib's deflate behind one C function: gzip request bodies for the telemetry exporters.
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        // What floe sends to observability backends, off the run's path: a bounded delivery queue
        // with timeouts, retries and a count of what was dropped; HTTP, file and console sinks.
        .target(
            name: "FloeTelemetry",
            dependencies: [
                "CZlib", "FloeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Column lineage of a whole plan from its compiled SQL (FloeSQL's analysis), cubes' members included.
        .target(name: "FloeColumnLineage", dependencies: ["FloeContract", "FloeEngine", "FloeSQL"], swiftSettings: swiftSettings),
        // OpenLineage: run events for every apply and node, datasets named by the engines' adapters.
        .target(
            name: "FloeLineage",
            dependencies: ["FloeColumnLineage", "FloeConnect", "FloeContract", "FloeCore", "FloeEngine", "FloeRuntime", "FloeSQL", "FloeTelemetry"],
            swiftSettings: swiftSettings
        ),
        // A run as an OpenTelemetry trace (a span per command, phase and node) and OTLP metrics.
        .target(
            name: "FloeRunTracing",
            dependencies: ["FloeConnect", "FloeContract", "FloeCore", "FloeRuntime", "FloeTelemetry"],
            swiftSettings: swiftSettings
        ),
        // The docs site's and the UI's shared script and style (graph layout, selection syntax), as text.
        .target(name: "FloeWebAssets", swiftSettings: swiftSettings),
        // dbt's artifacts (manifest.json, semantic_manifest.json, run_results.json, catalog.json) and the docs site, for the tools built on them.
        .target(name: "FloeArtifacts", dependencies: ["FloeColumnLineage", "FloeCompiler", "FloeContract", "FloeCore", "FloeRuntime", "FloeSQL",
                                                      "FloeWebAssets", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),
        // Kubernetes: charts/floe (embedded) rendered without Helm by a Go-template renderer, and
        // the chart's values from a plan.
        .target(name: "FloeDeploy", dependencies: ["FloeCompiler", "FloeContract", "FloeCore", "FloeYAML",
                                                   .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),
        // The Jinja engine: lexer, parser, renderer, values, builtins and filters. Nothing of dbt.
        .target(name: "FloeJinja", dependencies: ["FloeCore"], swiftSettings: swiftSettings),
        // dbt's template context over the Jinja engine (macros and packages, dispatch, vars, the
        // cross-database macros, relations, the calls that query the database): the compiler
        // renders models with it, and the executor renders the models that must be rendered at
        // apply time, from the template the plan carries.
        .target(
            name: "FloeTemplates",
            dependencies: ["FloeContract", "FloeCore", "FloeEngine", "FloeJinja"],
            swiftSettings: swiftSettings
        ),
        // platform.yaml + floe.yaml (+ project files) -> CompiledArtifacts.
        .target(
            name: "FloeCompiler",
            dependencies: [
                "FloeContract", "FloeCore", "FloeEngine", "FloeTemplates", "FloeJinja", "FloeYAML", "FloePackageSpec", "FloeSQL",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The command-line commands, one file per subcommand.
        .target(
            name: "FloeCLI",
            dependencies: [
                "FloeConnect", "FloeContract", "FloeCore", "FloeCompiler", "FloeEngine", "FloeRuntime", "FloeSemantic", "FloeServe",
                "FloePreflight",
                "FloePackages", "FloeLineage", "FloeColumnLineage", "FloeTelemetry", "FloeRunTracing", "FloeArtifacts",
                "FloeDeploy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Release builds link the Swift runtime and Foundation statically: calls into the runtime
        // are direct, no symbol is bound at run time (docs/performance.md has the figures), and the
        // binary runs where no Swift is installed.
        .executableTarget(
            name: "floe", dependencies: ["FloeCLI", "FloeSQLite", "FloePostgres", "FloeSpark"], swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
        ),

        // What the engines' test suites share: demo products copied beside a changed platform,
        // and rows of two engines compared.
        .target(
            name: "FloeTestSupport",
            dependencies: ["FloeConnect", "FloeCompiler", "FloeContract", "FloeEngine", "FloeRuntime", "FloeSemantic"],
            path: "Tests/FloeTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "FloeContractTests", dependencies: ["FloeConnect", "FloeContract"], swiftSettings: swiftSettings),
        .testTarget(name: "FloeEngineTests", dependencies: ["FloeConnect", "FloeEngine", "FloeSQLite"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FloeRuntimeTests",
            dependencies: ["FloeConnect", "FloeRuntime", "FloeEngine", "FloeSQLite", "FloeSemantic", "FloeContract", "FloeCompiler", "FloeCore", "FloeTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FloePostgresTests",
            dependencies: ["FloeConnect", "FloePostgres", "FloeSQLite", "FloeRuntime", "FloeEngine", "FloeCompiler", "FloeContract", "FloeSemantic",
                           "FloeTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "FloeCoreTests", dependencies: ["FloeConnect", "FloeCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FloeSparkTests",
            dependencies: ["FloeConnect", "FloeSpark", "FloeSQLite", "FloeEngine", "FloeRuntime", "FloeCompiler", "FloeContract", "FloeSemantic",
                           "FloeTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "FloeSQLTests", dependencies: ["FloeSQL"], swiftSettings: swiftSettings),
        .testTarget(name: "FloeDeployTests", dependencies: ["FloeDeploy", "FloeYAML"], swiftSettings: swiftSettings),
        .testTarget(name: "FloeJinjaTests", dependencies: ["FloeConnect", "FloeJinja", "FloeCore"], swiftSettings: swiftSettings),
        .testTarget(name: "FloePackagesTests", dependencies: ["FloeConnect", "FloePackages", "FloePackageSpec", "FloeYAML", "FloeCompiler", "FloeCore"], swiftSettings: swiftSettings),
        .testTarget(name: "FloePreflightTests", dependencies: ["FloeConnect", "FloePreflight", "FloeCompiler", "FloeContract", "FloeSQLite"],
                    swiftSettings: swiftSettings),
        .testTarget(
            name: "FloeServeTests",
            dependencies: [
                "FloeConnect", "FloeServe", "FloeSemantic", "FloeRuntime", "FloeSQLite", "FloeContract", "FloeCompiler",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FloeSemanticTests",
            dependencies: ["FloeConnect", "FloeSemantic", "FloeRuntime", "FloeEngine", "FloeSQLite", "FloeContract", "FloeCompiler", "FloeCore"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FloeCompilerTests",
            dependencies: ["FloeConnect", "FloeCompiler", "FloeContract", "FloeCore", "FloeEngine", "FloeTemplates", "FloeJinja", "FloeYAML", "FloePackageSpec",
                           .product(name: "Yams", package: "Yams"),
                           .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FloeCLITests",
            dependencies: ["FloeConnect", "FloeCLI", "FloeCompiler", "FloeContract", "FloeCore", "FloeSemantic", "FloeTestSupport", "floe"],
            // The Python programs the tests run (the Cube clients from PyPI).
            exclude: ["Clients"],
            swiftSettings: swiftSettings
        ),
    ]
)
