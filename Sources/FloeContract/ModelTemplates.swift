/// Since 2.0: what the executor needs to render, at apply time, the models whose templates query
/// the database (`run_query`, `statement`, `adapter.get_columns_in_relation`, …): a compile
/// cannot render those without a connection, so the plan carries their templates instead, with
/// the project's macros and the context frozen at compile. Every other model is rendered at
/// compile and carries only SQL.
public struct TemplateLibrary: Codable, Sendable, Equatable {
    /// The root dbt project's name (`project_name`, and the root macro namespace).
    public var project: String
    /// `target.name` and `target.schema`.
    public var target: String
    public var namespace: String
    /// The compile's timestamp, `run_started_at`.
    public var compiledAt: String
    /// Every macro file of the project and its installed packages.
    public var macros: [TemplateFile]
    /// The vars each project's nodes see: the root project's under its name, each package's under its own.
    public var vars: [String: [String: ConfigValue]]
    /// dbt_project.yml's `dispatch:` search orders, by macro namespace.
    public var dispatch: [String: [String]]
    /// By model unique id.
    public var models: [String: ModelTemplate]
    /// By test unique id: tests whose templates query the database (a singular test's file, or a
    /// call of a generic test's macro with its arguments under the node's `floe_test_arguments`).
    public var tests: [String: ModelTemplate]
    /// Since 2.3: `on-run-start`/`on-run-end` hooks that query the database or read `results`
    /// while rendering, by ``RunHooks/templateKey(_:index:)`` (`on-run-end.0`): rendered at apply
    /// time, an on-run-end hook with the run's `results`. Absent when there are none.
    public var runHooks: [String: ModelTemplate]?
    /// Since 2.3: each project's `version:` (the root's and every package's), by project name,
    /// for templates that read dbt's runtime config. Absent in older plans.
    public var projectVersions: [String: String]?
    /// Since 2.3: what dbt's `graph` says of each model and seed that the plan's nodes do not
    /// (its file as written, its place in its project), by unique id, for the templates rendered
    /// at apply time that read `graph`. Absent in older plans.
    public var graphNodes: [String: GraphNodeFacts]?
    /// Since 2.3: dbt's metrics as `graph.metrics` has them, by unique id (`metric.<project>.<name>`).
    public var graphMetrics: [String: GraphMetricFacts]?

    public init(project: String, target: String, namespace: String, compiledAt: String, macros: [TemplateFile],
                vars: [String: [String: ConfigValue]], dispatch: [String: [String]], models: [String: ModelTemplate],
                tests: [String: ModelTemplate] = [:], runHooks: [String: ModelTemplate]? = nil) {
        self.tests = tests
        self.runHooks = runHooks
        self.project = project
        self.target = target
        self.namespace = namespace
        self.compiledAt = compiledAt
        self.macros = macros
        self.vars = vars
        self.dispatch = dispatch
        self.models = models
    }

    enum CodingKeys: String, CodingKey {
        case project, target, namespace, macros, vars, dispatch, models, tests
        case compiledAt = "compiled_at"
        case runHooks = "run_hooks"
        case projectVersions = "project_versions"
        case graphNodes = "graph_nodes"
        case graphMetrics = "graph_metrics"
    }
}

/// Since 2.0: a dbt exposure (a dashboard, notebook or application that reads the product), for
/// lineage and selection (`floe ls -s +exposure:name`); nothing is built for it.
public struct CompiledExposure: Codable, Sendable, Equatable {
    public var uniqueID: String
    public var name: String
    /// dbt's `type`: dashboard, notebook, analysis, ml or application.
    public var type: String
    public var path: String
    public var owner: String?
    public var url: String?
    public var description: String?
    public var dependsOn: [String]

    public init(uniqueID: String, name: String, type: String, path: String, owner: String? = nil, url: String? = nil,
                description: String? = nil, dependsOn: [String]) {
        self.uniqueID = uniqueID
        self.name = name
        self.type = type
        self.path = path
        self.owner = owner
        self.url = url
        self.description = description
        self.dependsOn = dependsOn
    }

    enum CodingKeys: String, CodingKey {
        case uniqueID = "unique_id"
        case dependsOn = "depends_on"
        case name, type, path, owner, url, description
    }
}

/// Since 2.0: a dbt analysis, compiled and never run: its SQL is written to target/compiled/ by
/// `floe compile`, for people and other tools.
public struct CompiledAnalysis: Codable, Sendable, Equatable {
    public var uniqueID: String
    public var name: String
    public var path: String
    public var sql: String
    public var dependsOn: [String]

    public init(uniqueID: String, name: String, path: String, sql: String, dependsOn: [String]) {
        self.uniqueID = uniqueID
        self.name = name
        self.path = path
        self.sql = sql
        self.dependsOn = dependsOn
    }

    enum CodingKeys: String, CodingKey {
        case uniqueID = "unique_id"
        case dependsOn = "depends_on"
        case name, path, sql
    }
}

/// Since 2.0: dbt_project.yml's `on-run-start` and `on-run-end` statements, rendered at compile:
/// run before the first node and after the last of every run, build, seed and test. Since 2.3 a
/// hook rendered at apply time (``TemplateLibrary/runHooks``) is an empty statement here, at its
/// position.
public struct RunHooks: Codable, Sendable, Equatable {
    public var onRunStart: [String]
    public var onRunEnd: [String]

    /// The key of a hook's template in ``TemplateLibrary/runHooks``: `on-run-start.0`.
    public static func templateKey(_ kind: String, index: Int) -> String {
        "\(kind).\(index)"
    }

    public init(onRunStart: [String], onRunEnd: [String]) {
        self.onRunStart = onRunStart
        self.onRunEnd = onRunEnd
    }

    enum CodingKeys: String, CodingKey {
        case onRunStart = "on_run_start"
        case onRunEnd = "on_run_end"
    }
}

/// Since 2.3: a node's facts as dbt's `graph` has them: `raw_code` (a model's file as written),
/// `original_file_path` (relative to its project), `path` (relative to its resource folder),
/// `fqn`, a versioned model's `version` and `latest_version`, and a model's `access` and `group`.
public struct GraphNodeFacts: Codable, Sendable, Equatable {
    public var rawCode: String?
    public var originalFilePath: String
    public var path: String
    public var fqn: [String]
    /// A versioned model's version, and the latest version of its name.
    public var version: String?
    public var latestVersion: String?
    /// A model's `access` (absent: `protected`) and `group`.
    public var access: String?
    public var group: String?

    public init(rawCode: String?, originalFilePath: String, path: String, fqn: [String], version: String? = nil,
                latestVersion: String? = nil, access: String? = nil, group: String? = nil) {
        self.access = access
        self.group = group
        self.rawCode = rawCode
        self.originalFilePath = originalFilePath
        self.path = path
        self.fqn = fqn
        self.version = version
        self.latestVersion = latestVersion
    }

    enum CodingKeys: String, CodingKey {
        case rawCode = "raw_code"
        case originalFilePath = "original_file_path"
        case latestVersion = "latest_version"
        case path, fqn, version, access, group
    }
}

/// Since 2.3: a dbt metric as `graph.metrics` has it: its definition as written and the nodes it
/// depends on (the semantic model of its measure, or the metrics it is made of).
public struct GraphMetricFacts: Codable, Sendable, Equatable {
    public var name: String
    public var package: String
    /// `simple`, `ratio`, `derived`, `cumulative` or `conversion`.
    public var type: String
    public var label: String?
    public var description: String?
    public var filters: [String]
    public var measure: String?
    public var numerator: String?
    public var denominator: String?
    public var expr: String?
    public var window: String?
    public var dependsOn: [String]
    public var originalFilePath: String

    public init(name: String, package: String, type: String, label: String?, description: String?, filters: [String],
                measure: String?, numerator: String?, denominator: String?, expr: String?, window: String?,
                dependsOn: [String], originalFilePath: String) {
        self.name = name
        self.package = package
        self.type = type
        self.label = label
        self.description = description
        self.filters = filters
        self.measure = measure
        self.numerator = numerator
        self.denominator = denominator
        self.expr = expr
        self.window = window
        self.dependsOn = dependsOn
        self.originalFilePath = originalFilePath
    }

    enum CodingKeys: String, CodingKey {
        case dependsOn = "depends_on"
        case originalFilePath = "original_file_path"
        case name, package, type, label, description, filters, measure, numerator, denominator, expr, window
    }
}

/// A macro file: its project, its path as messages name it, its text.
public struct TemplateFile: Codable, Sendable, Equatable {
    public var package: String
    public var path: String
    public var text: String

    public init(package: String, path: String, text: String) {
        self.package = package
        self.path = path
        self.text = text
    }
}

/// One model's (or test's) template and the context it renders in.
public struct ModelTemplate: Codable, Sendable, Equatable {
    /// The model file as messages name it, and its text.
    public var path: String
    public var text: String
    /// The project (root or package) the model belongs to.
    public var package: String
    /// What `ref()` may name: `["orders"]` or `["package", "orders"]`, and the relation it is.
    public var refs: [TemplateReference]
    /// What `source()` may name, and the relation it is.
    public var sources: [TemplateSource]
    /// The `model` the template sees.
    public var node: [String: ConfigValue]
    /// The model's resolved config, for `config.get`.
    public var config: [String: ConfigValue]
    /// The environment variables it reads (`env_var`), as they were at compile.
    public var environment: [String: String]
    /// Since 2.2: the model's pre- and post-hooks as written, when they query the database
    /// (`run_query` in a post-hook): rendered at apply time with the model. Absent otherwise.
    public var preHooks: [String]?
    public var postHooks: [String]?
    /// Since 2.3: a unit test's `overrides`: vars over the project's, and macros answering what
    /// the test says, for a tested model rendered at apply time. Absent otherwise.
    public var varOverrides: [String: ConfigValue]?
    public var macroOverrides: [String: ConfigValue]?

    public init(path: String, text: String, package: String, refs: [TemplateReference], sources: [TemplateSource],
                node: [String: ConfigValue], config: [String: ConfigValue], environment: [String: String],
                preHooks: [String]? = nil, postHooks: [String]? = nil) {
        self.preHooks = preHooks
        self.postHooks = postHooks
        self.path = path
        self.text = text
        self.package = package
        self.refs = refs
        self.sources = sources
        self.node = node
        self.config = config
        self.environment = environment
    }

    enum CodingKeys: String, CodingKey {
        case path, text, package, refs, sources, node, config, environment
        case preHooks = "pre_hooks"
        case postHooks = "post_hooks"
        case varOverrides = "var_overrides"
        case macroOverrides = "macro_overrides"
    }
}

public struct TemplateReference: Codable, Sendable, Equatable {
    /// As `ref()` is called: the name, or the package and the name.
    public var name: [String]
    public var relation: Relation
    /// Since 2.2: a versioned model's version, and whether it is the latest (which an unpinned
    /// `ref()` finds); absent for other nodes.
    public var version: String?
    public var latest: Bool?
    /// Since 2.2: the unique id of an ephemeral model it names, which is put in front of the
    /// rendered SQL as a CTE (its `relation` is then the CTE's name, with no schema).
    public var ephemeral: String?

    public init(name: [String], relation: Relation, version: String? = nil, latest: Bool? = nil, ephemeral: String? = nil) {
        self.name = name
        self.relation = relation
        self.version = version
        self.latest = latest
        self.ephemeral = ephemeral
    }
}

public struct TemplateSource: Codable, Sendable, Equatable {
    public var source: String
    public var table: String
    public var relation: Relation

    public init(source: String, table: String, relation: Relation) {
        self.source = source
        self.table = table
        self.relation = relation
    }
}
