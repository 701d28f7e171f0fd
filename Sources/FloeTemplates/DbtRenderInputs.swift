import FloeJinja
import FloeContract
import FloeCore
import FloeEngine

/// Everything rendering needs that is the same for every node. Plain data shared by the workers;
/// the parsed macro files are never changed after parsing.
public struct DbtRenderInputs: @unchecked Sendable {
    public init(projectName: String, targetName: String, namespace: String, dialect: any SQLDialect, relations: DbtRelationTable,
                vars: [String: ConfigInput], environment: [String: String], macroFiles: [MacroSource],
                compiledAt: String, docs: [String: String] = [:], flags: TemplateFlags = TemplateFlags(), packageVars: [String: [String: ConfigInput]] = [:],
                dispatch: [String: [String]] = [:], unqualifiedSchema: String? = nil, graph: DbtGraph? = nil) {
        self.projectName = projectName
        self.targetName = targetName
        self.namespace = namespace
        self.dialect = dialect
        self.relations = relations
        self.vars = vars
        self.environment = environment
        self.macroFiles = macroFiles
        self.compiledAt = compiledAt
        self.docs = docs
        self.flags = flags
        self.packageVars = packageVars
        self.dispatch = dispatch
        self.unqualifiedSchema = unqualifiedSchema
        self.graph = graph
    }

    public var projectName: String
    public var targetName: String
    public var namespace: String
    public var dialect: any SQLDialect
    /// What `ref()`, `source()` and `this` find.
    public var relations: DbtRelationTable
    public var vars: [String: ConfigInput]
    public var environment: [String: String]
    public var macroFiles: [MacroSource]
    public var compiledAt: String
    /// `{% docs name %}` blocks of the project's markdown files, for `doc('name')`.
    public var docs: [String: String] = [:]
    /// What `flags` says of the command rendering.
    public var flags = TemplateFlags()
    /// Each project's `version:` in its dbt_project.yml (the root's and every package's), by
    /// project name: dbt's runtime config's `dependencies[name].version`.
    public var projectVersions: [String: String] = [:]
    /// `target.database`: the compute profile's database, empty where the engine has none.
    public var database = ""
    /// By installed package: the vars its nodes see (``vars`` are the root project's).
    public var packageVars: [String: [String: ConfigInput]] = [:]
    /// dbt_project.yml's `dispatch:`: by macro namespace, the packages to search.
    public var dispatch: [String: [String]] = [:]
    /// A unit test's `overrides.macros` (other than `is_incremental`): by name (`current_timestamp`,
    /// `dbt_utils.current_timestamp`), the value the macro returns instead of running.
    public var macroOverrides: [String: ConfigInput] = [:]
    /// Relations in this schema print without it: a SQLite view names the tables of its own
    /// schema unqualified (``SQLDialect/viewsQualifyTheirOwnSchema``).
    public var unqualifiedSchema: String?
    /// At apply time: dbt's `graph`, the compiled project.
    public var graph: DbtGraph?

    /// A copy that shares no reference-counted storage with this one. Render workers run on
    /// separate cores, and two cores retaining and releasing the same objects (a dictionary's
    /// storage, a macro's syntax tree) stall on each other's cache lines: with shared inputs two
    /// workers rendered only 1.2 times as fast as one.
    package func isolated() -> DbtRenderInputs {
        var copy = DbtRenderInputs(
            projectName: projectName.isolated, targetName: targetName.isolated, namespace: namespace.isolated, dialect: dialect,
            relations: relations.isolated(),
            vars: Dictionary(uniqueKeysWithValues: vars.map { ($0.key.isolated, $0.value.isolated) }),
            environment: Dictionary(uniqueKeysWithValues: environment.map { ($0.key.isolated, $0.value.isolated) }),
            macroFiles: macroFiles.map { MacroSource(text: $0.text.isolated, file: $0.file.isolated, package: $0.package.isolated) },
            compiledAt: compiledAt.isolated, docs: Dictionary(uniqueKeysWithValues: docs.map { ($0.key.isolated, $0.value.isolated) }),
            flags: TemplateFlags(which: flags.which.isolated, fullRefresh: flags.fullRefresh),
            packageVars: Dictionary(uniqueKeysWithValues: packageVars.map { package in
                (package.key.isolated, Dictionary(uniqueKeysWithValues: package.value.map { ($0.key.isolated, $0.value.isolated) }))
            }),
            dispatch: Dictionary(uniqueKeysWithValues: dispatch.map { ($0.key.isolated, $0.value.map(\.isolated)) }),
            unqualifiedSchema: unqualifiedSchema, graph: graph)
        copy.projectVersions = Dictionary(uniqueKeysWithValues: projectVersions.map { ($0.key.isolated, $0.value.isolated) })
        copy.database = database.isolated
        return copy
    }
}

/// dbt's `flags` as templates read them: the command (`flags.WHICH`) and `--full-refresh`.
public struct TemplateFlags: Sendable {
    public var which: String
    public var fullRefresh: Bool

    public init(which: String = "run", fullRefresh: Bool = false) {
        self.which = which
        self.fullRefresh = fullRefresh
    }
}

/// A macro file's text, parsed by each render context for itself.
public struct MacroSource: Sendable {
    public init(text: String, file: String, package: String) {
        self.text = text
        self.file = file
        self.package = package
    }

    public var text: String
    public var file: String
    /// The project (root or package) whose macro paths hold the file.
    public var package: String
}

public extension String {
    /// The same text in storage of its own (short strings are stored inline anyway).
    package var isolated: String { String(decoding: Array(utf8), as: UTF8.self) }
}

public extension ConfigInput {
    /// The same value with storage of its own.
    package var isolated: ConfigInput {
        switch self {
        case .string(let text): .string(text.isolated)
        case .list(let items): .list(items.map(\.isolated))
        case .map(let entries): .map(Dictionary(uniqueKeysWithValues: entries.map { ($0.key.isolated, $0.value.isolated) }))
        default: self
        }
    }
}
