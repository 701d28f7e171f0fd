import FloeJinja
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// A Jinja environment with dbt's context, owned by one worker thread and reused for every node
/// it renders: the per-node values (`this`, recorded refs, `config()` calls) are reset each time.
public final class DbtRenderContext {
    public let inputs: DbtRenderInputs
    public let environment: JinjaEnvironment
    /// Each installed package's macros, over the root's globals: a package's macros see their
    /// own package's first, as in dbt.
    private(set) var packageLayers: [String: JinjaEnvironment] = [:]
    private var outcome = RenderOutcome()
    /// How calls that need the database are answered (``DatabaseAccess``); `execute` is false
    /// only while they answer nothing.
    public var databaseAccess: DatabaseAccess = .deferred
    /// `{% call statement('name') %}` results by name, for `load_result('name')`; kept for one rendering.
    var statementResults: [String: JinjaValue] = [:]
    /// dbt's `graph` as each kind of rendering sees it: the compiled project at apply time (when
    /// the inputs carry it), empty while parsing, a stop that defers the template otherwise.
    private lazy var graphs: (live: JinjaValue, parsing: JinjaValue, deferred: JinjaValue) = (
        inputs.graph?.value(dialect: inputs.dialect) ?? DbtGraph.atCompile(parsing: true),
        DbtGraph.atCompile(parsing: true), DbtGraph.atCompile(parsing: false))
    /// Makes `graph` at apply time this value, shared with other renderings: dbt's graph is one
    /// object for the whole run, which packages write to (elementary's on-run-start keeps a
    /// cache in it that its on-run-end reads).
    public func share(graph: JinjaValue) {
        graphs.live = graph
    }

    private var baseConfig: any DbtNodeConfig = FrozenNodeConfig()
    private var incremental = false
    /// The project of the node being rendered, whose vars `var()` reads.
    private var package: String
    /// The macros the root project's own files define.
    private var rootMacroNames: Set<String> = []

    /// `inputs` should be ``DbtRenderInputs/isolated()`` when other threads render too.
    public init(_ inputs: DbtRenderInputs) {
        self.inputs = inputs
        package = inputs.projectName
        environment = JinjaEnvironment()
        // dbt's own macros floe writes in Swift, bare and under `dbt.`.
        let dbtMacros = CrossDatabaseMacros.functions(for: inputs.dialect)
            .merging(DbtNamingMacros.functions(namespace: inputs.namespace, targetName: inputs.targetName, database: inputs.database)) { first, _ in first }
            .merging(relationMacros()) { first, _ in first }
            .merging(databaseBuiltins()) { first, _ in first }
        environment.define(dbtMacros)
        environment.define(builtins(dbtMacros: dbtMacros))
        var namespaces: [String: [String: JinjaValue]] = [:]
        for file in inputs.macroFiles {
            // Each parsed when it was read; a failure was reported then.
            guard let template = try? JinjaTemplate(file.text, file: file.file) else { continue }
            let layer: JinjaEnvironment
            if file.package == inputs.projectName {
                layer = environment
            } else if let existing = packageLayers[file.package] {
                layer = existing
            } else {
                layer = JinjaEnvironment(layeredOver: environment)
                packageLayers[file.package] = layer
            }
            let macros = layer.macros(in: template)
            layer.define(macros)
            namespaces[file.package, default: [:]].merge(macros) { _, new in new }
        }
        rootMacroNames = Set(namespaces[inputs.projectName].map { Array($0.keys) } ?? [])
        // `dbt_utils.star(…)`, and the root project's own name too; a name the context already
        // has (a built-in, `dbt`) keeps its meaning.
        for name in Set(Array(inputs.packageVars.keys) + [inputs.projectName]) where environment.globals.values[name] == nil {
            let macros = namespaces[name] ?? [:]
            environment.globals.values[name] = .dict(macros.keys.sorted().map { ($0, macros[$0]!) })
        }
        overrideMacros()
    }

    /// A unit test's `overrides.macros`: each macro named returns the value given, wherever the
    /// model or the macros it calls name it (a bare name in every package; `namespace.macro` in
    /// that namespace).
    private func overrideMacros() {
        for (name, value) in inputs.macroOverrides {
            let callable = JinjaValue.callable(JinjaCallable(name) { _, _, _ in value.jinja })
            func replace(_ macro: String, in namespace: String) {
                guard case .dict(let box)? = environment.globals.values[namespace], box.keys.contains(macro) else { return }
                environment.globals.values[namespace] = .dict(Array(zip(box.keys, box.values)).map { ($0.0, $0.0 == macro ? callable : $0.1) })
            }
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                replace(parts[1], in: parts[0])
            } else {
                // A bare name is dbt's own macro too (`current_timestamp` is `dbt.current_timestamp`).
                environment.globals.values[name] = callable
                for layer in packageLayers.values { layer.globals.values[name] = callable }
                replace(name, in: "dbt")
            }
        }
    }

    /// The root project's own macro `name`, when one of its macro files defines it (a
    /// `generate_schema_name` override), as against the built-in of that name.
    public func rootProjectMacro(_ name: String) -> JinjaCallable? {
        rootMacroNames.contains(name) ? macro(name, in: inputs.projectName) : nil
    }

    /// The macro `name` of `package`'s namespace (the root project's, an installed package's).
    public func macro(_ name: String, in package: String) -> JinjaCallable? {
        let layer = package == inputs.projectName ? environment : packageLayers[package]
        guard case .callable(let callable)? = layer?.globals.values[name] else { return nil }
        return callable
    }

    /// The `{% test %}` macro a properties file's `name` (`unique_combination_of_columns`, or
    /// `dbt_utils.unique_combination_of_columns`) names: a qualified name in that namespace, a bare
    /// one in the root project, then in the package whose file names it.
    public func testMacro(_ name: String, from package: String) -> JinjaCallable? {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 2 { return macro("test_" + parts[1], in: parts[0]) }
        return macro("test_" + name, in: inputs.projectName) ?? macro("test_" + name, in: package)
    }

    /// Every `{% test %}` macro's name, qualified outside the root project, for did-you-mean.
    public var testMacroNames: [String] {
        var names = environment.globals.values.keys.filter { $0.hasPrefix("test_") }.map { String($0.dropFirst(5)) }
        for (package, layer) in packageLayers {
            names += layer.globals.values.keys.filter { $0.hasPrefix("test_") }.map { "\(package).\($0.dropFirst(5))" }
        }
        return names
    }

    /// What a `config()` call sets is in `model.config` from then on, as dbt's node has the file's
    /// own config (a copy of the dict is changed: the node's fields are shared between renders).
    private func showInModelConfig(_ arguments: [JinjaValue], _ keywords: [(String, JinjaValue)]) {
        guard case .dict(let model)? = environment.globals["model"] else { return }
        var pairs: [(String, JinjaValue)] = []
        if case .dict(let config)? = model["config"] { pairs = Array(zip(config.keys, config.values)) }
        var set = keywords
        if case .dict(let box)? = arguments.first { set = zip(box.keys, box.values) + set }
        for (key, value) in set {
            if let index = pairs.firstIndex(where: { $0.0 == key }) { pairs[index].1 = value } else { pairs.append((key, value)) }
        }
        model["config"] = .dict(pairs)
    }

    /// Renders a model, test or hook. `slot` is what `this` refers to (nil for tests).
    /// Without a slot, `package` says whose macros and vars come first (a package's run hook).
    public func render(_ template: JinjaTemplate, slot: SlotID?, model: [(String, JinjaValue)], base: any DbtNodeConfig, incremental: Bool,
                       package: String? = nil) -> RenderOutcome {
        outcome = RenderOutcome()
        baseConfig = base
        self.incremental = incremental
        self.package = slot.map { inputs.relations.package(at: $0) } ?? package ?? inputs.projectName
        // A test has no `this`: the name is removed, so using it is reported as undefined.
        environment.globals["this"] = slot.map(relation)
        environment.globals["model"] = .dict(JinjaValue.DictBox(distinctKeys: model.map(\.0), values: model.map(\.1)))
        setExecuteAndGraph()
        environment.globals.warnings.removeAll()
        statementResults.removeAll()
        // A package's node finds its own package's macros first, then the root project's, then
        // dbt's, as dbt resolves a bare macro name (the package's layer sits over the root's).
        let names = self.package == inputs.projectName ? environment : packageLayers[self.package] ?? environment
        do {
            outcome.text = try names.render(template)
        } catch where error.needsDatabase {
            outcome.needsDatabase = true
        } catch {
            var error = error
            // An error inside a macro is at the macro's line: name the model that called it too.
            if error.location.file != template.file { error.message += " (rendering \(template.file))" }
            outcome.error = error
        }
        outcome.warnings = environment.globals.warnings
        environment.globals.warnings.removeAll()
        return outcome
    }

    /// After `first` stopped at a call that needs the database: `render` again as dbt parses
    /// (`execute` false, the database answering nothing), for what the template refers to and
    /// its config. The outcome says it needs the database, and keeps the environment variables
    /// both renderings read.
    public func parsing(after first: RenderOutcome, _ render: () -> RenderOutcome) -> RenderOutcome {
        let access = databaseAccess
        databaseAccess = .none
        var outcome = render()
        databaseAccess = access
        outcome.environmentRead.merge(first.environmentRead) { current, _ in current }
        outcome.needsDatabase = true
        return outcome
    }

    /// `execute` and `graph` as the database access allows: true and the plan's graph at apply,
    /// false and an empty graph while parsing, true and a graph that defers at compile.
    private func setExecuteAndGraph() {
        environment.globals["execute"] = .bool(!databaseAccess.answersNothing)
        environment.globals["graph"] = switch databaseAccess {
        case .live: graphs.live
        case .none: graphs.parsing
        case .deferred: graphs.deferred
        }
    }

    /// Readies a rendering that is no node's (a test's macro or argument, a config value): a fresh
    /// outcome, no `this`, and the vars of `package` (the root project when nil), as a package's
    /// test reads its package's vars.
    private func beginWithoutNode(base: any DbtNodeConfig, package: String?) {
        self.package = package ?? inputs.projectName
        outcome = RenderOutcome()
        baseConfig = base
        incremental = false
        environment.globals["this"] = JinjaValue.none
        setExecuteAndGraph()
    }

    /// Calls a macro directly (a project's `{% test %}` block), recording what it refers to.
    public func call(_ macro: JinjaCallable, keywords: [(String, JinjaValue)], at location: SourceLocation, base: any DbtNodeConfig, package: String? = nil) -> RenderOutcome {
        beginWithoutNode(base: base, package: package)
        do {
            outcome.text = try macro.body([], keywords, JinjaCallContext(location: location)).rendered
        } catch let error as TemplateError {
            if error.needsDatabase { outcome.needsDatabase = true } else { outcome.error = error }
        } catch {
            outcome.error = TemplateError("\(macro.name) did not render: \(error)", at: location)
        }
        return outcome
    }

    /// A YAML value holding Jinja (a test's argument), rendered natively: each string of it that
    /// is one `{{ expression }}` becomes the expression's value, any other string its text.
    /// Returns the value and what its rendering referred to (or its error).
    public func evaluate(_ value: ConfigInput, at location: SourceLocation, base: any DbtNodeConfig, package: String? = nil) -> (ConfigInput, RenderOutcome) {
        beginWithoutNode(base: base, package: package)
        func walk(_ value: ConfigInput) throws(TemplateError) -> ConfigInput {
            switch value {
            case .string(let text) where JinjaTemplate.mayHoldTags(text):
                return ConfigInput(try environment.value(of: JinjaTemplate(text, file: location.file)))
            case .list(let items):
                var walked: [ConfigInput] = []
                for item in items { walked.append(try walk(item)) }
                return .list(walked)
            case .map(let map):
                var walked: [String: ConfigInput] = [:]
                for (key, item) in map { walked[key] = try walk(item) }
                return .map(walked)
            default:
                return value
            }
        }
        do {
            let result = try walk(value)
            return (result, outcome)
        } catch where error.needsDatabase {
            outcome.needsDatabase = true
            return (value, outcome)
        } catch {
            outcome.error = error
            return (value, outcome)
        }
    }

    /// The value of one expression (a test's `compare_model: ref('orders')`), kept as it is: a
    /// relation stays a relation object. Returns the value and what it referred to (or its error).
    public func expression(_ text: String, at location: SourceLocation, base: any DbtNodeConfig, package: String? = nil) -> (JinjaValue, RenderOutcome) {
        beginWithoutNode(base: base, package: package)
        do {
            let value = try environment.value(of: JinjaTemplate("{{ \(text) }}", file: location.file))
            return (value, outcome)
        } catch where error.needsDatabase {
            outcome.needsDatabase = true
        } catch {
            outcome.error = error
        }
        return (.none, outcome)
    }

    /// A parse error is reported the same way as a render error.
    public func render(source: String, file: String, slot: SlotID?, model: [(String, JinjaValue)], base: any DbtNodeConfig,
                incremental: Bool, package: String? = nil) -> RenderOutcome {
        render(Result { () throws(TemplateError) in try JinjaTemplate(source, file: file) }, slot: slot, model: model, base: base,
               incremental: incremental, package: package)
    }

    /// Renders a template parsed earlier, or reports why it did not parse.
    public func render(_ parsed: Result<JinjaTemplate, TemplateError>, slot: SlotID?, model: [(String, JinjaValue)], base: any DbtNodeConfig,
                incremental: Bool, package: String? = nil) -> RenderOutcome {
        switch parsed {
        case .success(let template): render(template, slot: slot, model: model, base: base, incremental: incremental, package: package)
        case .failure(let error): RenderOutcome(error: error)
        }
    }

    /// A relation object: prints as the placeholder, with `schema`, `identifier`, `name`, and
    /// dbt's `metadata.type` (`…Relation`, which dbt_utils checks); `render()` and `include()`
    /// are its methods (``JinjaBuiltins``).
    public func relation(_ slot: SlotID) -> JinjaValue {
        if inputs.relations.resolved, let resolved = inputs.relations.relation(at: slot) { return relationObject(resolved) }
        let identifier = JinjaValue.string(RelationPlaceholder.text(slot, .identifier))
        return .dict(JinjaValue.DictBox(distinctKeys: Self.relationKeys,
                                        values: [.none, .string(RelationPlaceholder.text(slot, .schema)), identifier, identifier,
                                                 Self.relationMetadata],
                                        printed: RelationPlaceholder.text(slot, .relation)))
    }

    /// A relation whose schema and name are known (at apply time): prints as the dialect writes it.
    func relationObject(_ relation: Relation) -> JinjaValue {
        let identifier = JinjaValue.string(relation.name)
        return .dict(JinjaValue.DictBox(distinctKeys: Self.relationKeys,
                                        values: [.none, .string(relation.schema), identifier, identifier, Self.relationMetadata],
                                        printed: relation.schema.isEmpty ? relation.name  // an ephemeral model's CTE, at apply time
                                            : relation.schema == inputs.unqualifiedSchema ? inputs.dialect.quoteIdentifier(relation.name)
                                            : inputs.dialect.relation(schema: relation.schema, name: relation.name)))
    }

    private static let relationKeys = ["database", "schema", "identifier", "name", "metadata"]
    nonisolated(unsafe) private static let relationMetadata = JinjaValue.dict([("type", .string("BaseRelation"))])

    /// The vars being rendered now, innermost last: a var whose value names itself is an error.
    private var varsRendering: [String] = []

    /// A var's value as `var()` returns it: a string holding Jinja is rendered in the caller's
    /// context first, as dbt does, so `{{ target.schema }}` in a var never reaches the plan.
    private func rendered(var name: String, _ value: ConfigInput, at location: SourceLocation) throws(TemplateError) -> JinjaValue {
        guard case .string(let text) = value, JinjaTemplate.mayHoldTags(text) else { return value.jinja }
        guard !varsRendering.contains(name) else {
            throw TemplateError("var '\(name)' refers to itself: \((varsRendering + [name]).joined(separator: " → "))", at: location)
        }
        varsRendering.append(name)
        defer { varsRendering.removeLast() }
        do {
            return .string(try environment.render(JinjaTemplate(text, file: location.file)))
        } catch {
            throw TemplateError("var '\(name)' (\(text)) does not render: \(error.message)", at: location)
        }
    }

    // MARK: The context

    private func builtins(dbtMacros: [String: JinjaValue]) -> [String: JinjaValue] {
        let inputs = self.inputs
        func function(_ name: String, members: [String: JinjaValue] = [:], _ body: @escaping JinjaCallable.Body) -> JinjaValue {
            .callable(JinjaCallable(name, members: members, body))
        }
        let configGet = function("get") { [unowned self] arguments, _, _ in
            let key = arguments.first?.rendered ?? ""
            if let value = self.currentConfig.value(forKey: key) { return value.jinja }
            return arguments.count > 1 ? arguments[1] : .none
        }
        let configRequire = function("require") { [unowned self] arguments, _, context in
            let key = arguments.first?.rendered ?? ""
            guard let value = self.currentConfig.value(forKey: key) else {
                throw TemplateError("config '\(key)' is required but not set", at: context.location)
            }
            return value.jinja
        }
        var values: [String: JinjaValue] = [
            "ref": function("ref") { [unowned self] arguments, keywords, context in try self.ref(arguments, keywords, context) },
            "source": function("source") { [unowned self] arguments, _, context in try self.source(arguments, context) },
            "config": function("config", members: ["get": configGet, "require": configRequire]) { [unowned self] arguments, keywords, context in
                if case .dict(let box)? = arguments.first {
                    for key in box.keys { self.outcome.config.append(ConfigEntry(key: key, value: ConfigInput(box[key]!), location: context.location)) }
                }
                for (key, value) in keywords {
                    self.outcome.config.append(ConfigEntry(key: key, value: ConfigInput(value), location: context.location))
                }
                self.showInModelConfig(arguments, keywords)
                return .string("")
            },
            "var": function("var") { [unowned self] arguments, _, context in
                guard case .string(let name)? = arguments.first else {
                    throw TemplateError("var() takes the var's name as a string", at: context.location)
                }
                let vars = self.package == inputs.projectName ? inputs.vars : inputs.packageVars[self.package] ?? inputs.vars
                if let value = vars[name] { return try self.rendered(var: name, value, at: context.location) }
                if arguments.count > 1 { return arguments[1] }
                throw TemplateError("required var '\(name)' is not defined", at: context.location,
                                    hint: Suggestions.didYouMean(name, in: vars.keys)
                                        ?? "define it under `vars:` in dbt_project.yml or floe.yaml, pass `--vars '{\(name): …}'`, or give var() a default")
            },
            "env_var": function("env_var") { [unowned self] arguments, _, context in
                guard case .string(let name)? = arguments.first else {
                    throw TemplateError("env_var() takes the variable's name as a string", at: context.location)
                }
                if name.hasPrefix("FLOE_SECRET_") || name.hasPrefix("DBT_ENV_SECRET") {
                    throw TemplateError("env_var('\(name)') would copy a secret into the plan", at: context.location,
                                        hint: "secrets are resolved when a connection opens, from platform.yaml's secret references; models cannot read them")
                }
                if let value = inputs.environment[name] {
                    self.outcome.environmentRead[name] = value
                    return .string(value)
                }
                if arguments.count > 1 { return .string(arguments[1].rendered) }
                throw TemplateError("environment variable '\(name)' is not set", at: context.location,
                                    hint: "set it, or give env_var() a default: env_var('\(name)', 'fallback')")
            },
            "doc": function("doc") { arguments, _, context in
                guard case .string(let name)? = arguments.last else {
                    throw TemplateError("doc() takes the docs block's name as a string", at: context.location)
                }
                guard let text = inputs.docs[name] else {
                    throw TemplateError("no docs block named '\(name)'", at: context.location,
                                        hint: Suggestions.didYouMean(name, in: inputs.docs.keys)
                                            ?? "define it in a .md file under the model paths: {% docs \(name) %}…{% enddocs %}")
                }
                return .string(text)
            },
            "is_incremental": function("is_incremental") { [unowned self] _, _, _ in .bool(self.incremental) },
            "target": .dict([
                ("name", .string(inputs.targetName)), ("schema", .string(inputs.namespace)),
                ("type", .string(inputs.dialect.name)), ("profile_name", .string(inputs.projectName)),
                ("database", .string(inputs.database)), ("threads", .integer(1)),
            ]),
            "dbt": .dict(dbtMacros.keys.sorted().map { ($0, dbtMacros[$0]!) }),
            "adapter": .dict([
                ("dispatch", function("dispatch") { [unowned self] arguments, keywords, context in
                    try self.dispatch(arguments, keywords, dbtMacros: dbtMacros, at: context.location)
                }),
                ("quote", function("quote") { arguments, _, _ in .string(inputs.dialect.quoteIdentifier(arguments.first?.rendered ?? "")) }),
                ("type", function("type") { _, _, _ in .string(inputs.dialect.name) }),
            ] + adapterDatabaseMembers()),
            "exceptions": .dict([
                ("raise_compiler_error", function("raise_compiler_error") { arguments, _, context in
                    var error = TemplateError(arguments.first?.rendered ?? "compilation error", at: context.location)
                    error.raisedByTemplate = true
                    throw error
                }),
                // Printed as a warning at the call, as dbt prints it (and goes on).
                ("warn", function("warn") { [unowned self] arguments, _, context in
                    var warning = TemplateError(arguments.first?.rendered ?? "warning", at: context.location)
                    warning.message = "exceptions.warn: " + warning.message
                    self.environment.globals.warnings.append(warning)
                    return .string("")
                }),
            ]),
            "log": function("log") { _, _, _ in .string("") },
            "print": function("print") { _, _, _ in .string("") },
            "execute": .bool(true),
            "should_store_failures": function("should_store_failures") { [unowned self] _, _, _ in
                .bool(self.currentConfig.value(forKey: "store_failures") == .bool(true))
            },
            // The command compiling, and dbt's defaults for the options floe has no flag for.
            "flags": .dict([("FULL_REFRESH", .bool(inputs.flags.fullRefresh)), ("WHICH", .string(inputs.flags.which)), ("STORE_FAILURES", .bool(false)),
                            ("WARN_ERROR", .bool(false)), ("FAIL_FAST", .bool(false)), ("DEBUG", .bool(false))]),
            "project_name": .string(inputs.projectName),
            "run_started_at": Self.runStartedAt(inputs.compiledAt),
            "modules": JinjaModules.modules(now: Self.seconds(inputs.compiledAt)),
            "invocation_id": .string(""),
            // The dbt release whose behaviour floe follows (docs/dbt.md), for projects that compare it.
            "dbt_version": .string(Self.dbtVersion),
            "invocation_args_dict": .dict([("which", .string(inputs.flags.which)), ("full_refresh", .bool(inputs.flags.fullRefresh)),
                                           ("vars", .dict([])), ("select", .list([])), ("exclude", .list([]))]),
            // dbt's `DBT_ENV_CUSTOM_ENV_*` variables: floe reads none.
            "dbt_metadata_envs": .dict([]),
        ]
        values["api"] = api()
        // dbt's `builtins`: the built-in ref, source and config, for a project that overrides them.
        // Its `ref` carries dbt's runtime config as `ref.config`, which packages read for their
        // own version (`builtins.ref.config.dependencies['elementary'].version`).
        var ref = values["ref"]!
        if case .callable(var callable) = ref {
            callable.members["config"] = runtimeConfig()
            ref = .callable(callable)
        }
        values["builtins"] = .dict([("ref", ref), ("source", values["source"]!), ("config", values["config"]!)])
        return values
    }

    /// dbt's `api`: `api.Relation.create(database, schema, identifier, type)` (a relation, as
    /// `ref()` gives one) and `api.Column(name, dtype)` / `api.Column.create(name, dtype)` (a
    /// column, as `adapter.get_columns_in_relation` gives them), with `translate_type`, dbt's
    /// generic type names in the engine's words.
    private func api() -> JinjaValue {
        let dialect = inputs.dialect
        func argument(_ arguments: [JinjaValue], _ keywords: [(String, JinjaValue)], _ position: Int, _ name: String) -> JinjaValue? {
            keywords.first { $0.0 == name }?.1 ?? (arguments.count > position ? arguments[position] : nil)
        }
        let create = JinjaCallable("create") { [unowned self] arguments, keywords, _ in
            let schema = argument(arguments, keywords, 1, "schema").flatMap { $0.isTruthy ? $0.rendered : nil } ?? self.inputs.namespace
            let identifier = argument(arguments, keywords, 2, "identifier")?.rendered ?? ""
            return self.relationObject(Relation(schema: schema, name: identifier))
        }
        let translate = JinjaCallable("translate_type") { arguments, _, _ in
            .string(Self.translatedType(arguments.first?.rendered ?? "", dialect: dialect))
        }
        let column: JinjaCallable.Body = { arguments, keywords, _ in
            let name = argument(arguments, keywords, 0, "column")?.rendered ?? ""
            let type = argument(arguments, keywords, 1, "dtype").map { Self.translatedType($0.rendered, dialect: dialect) }
            return Self.column(ColumnSpec(name: name, type: type), dialect: dialect)
        }
        return .dict([
            ("Relation", .dict([("create", .callable(create))])),
            ("Column", .callable(JinjaCallable("Column", members: ["create": .callable(JinjaCallable("create", column)),
                                                              "translate_type": .callable(translate)], column))),
        ])
    }

    /// dbt's `Column.translate_type`: its generic names (STRING, FLOAT, INTEGER, TIMESTAMP,
    /// BOOLEAN) as the engine's types; any other type as written.
    static func translatedType(_ type: String, dialect: any SQLDialect) -> String {
        switch type.uppercased() {
        case "STRING": dialect.typeName(for: ValueKind.text)
        case "FLOAT": dialect.typeName(for: ValueKind.real)
        case "INTEGER": dialect.typeName(for: ValueKind.integer)
        case "TIMESTAMP": dialect.typeName(for: ValueKind.timestamp)
        case "BOOLEAN": dialect.typeName(for: ValueKind.boolean)
        default: type
        }
    }

    /// Seconds since 1970 of the compile's `YYYY-MM-DDTHH:MM:SSZ` timestamp.
    public static func seconds(_ timestamp: String) -> Int64 {
        let parts = timestamp.split(separator: "T")
        guard parts.count == 2, let days = CivilDate.days(String(parts[0])) else { return 0 }
        let clock = parts[1].dropLast().split(separator: ":").compactMap { Int64($0) }
        guard clock.count == 3 else { return days * 86_400 }
        return days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
    }

    /// The compile's time as a datetime (`run_started_at.strftime('%Y')`, `.year`), printing as
    /// the plan's timestamp does.
    public static func runStartedAt(_ timestamp: String) -> JinjaValue {
        let value = JinjaModules.dateTime(secondsSince1970: seconds(timestamp))
        if case .dict(let box) = value { box.printed = timestamp }
        return value
    }

    /// `adapter.dispatch(name, namespace)`: for each package of the namespace's search order
    /// (dbt_project.yml's `dispatch:`, else the root project and the namespace; without a
    /// namespace, the rendering node's package, the root project, then each package),
    /// `<adapter>__name`, then `default__name`; then dbt's own macro of that name.
    private func dispatch(_ arguments: [JinjaValue], _ keywords: [(String, JinjaValue)], dbtMacros: [String: JinjaValue],
                          at location: SourceLocation) throws(TemplateError) -> JinjaValue {
        func given(_ value: JinjaValue) -> String? {
            switch value {
            case .none, .undefined: nil
            default: value.rendered
            }
        }
        func argument(_ position: Int, _ keyword: String) -> String? {
            if arguments.count > position { return given(arguments[position]) }
            return keywords.first { $0.0 == keyword }.flatMap { given($0.1) }
        }
        let name = argument(0, "macro_name") ?? ""
        let namespace = argument(1, "macro_namespace")
        // Without a namespace, the rendering node's own package first, then the root project's,
        // as a bare macro name resolves.
        let local = [package, inputs.projectName].reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let everywhere = local + packageLayers.keys.sorted().filter { !local.contains($0) }
        // With a namespace and no `dispatch:` for it, dbt searches the root project, then the
        // namespace when it is installed (or dbt's own), else everywhere.
        let searchOrder = namespace.map { namespace in
            inputs.dispatch[namespace] ?? (packageLayers[namespace] != nil || namespace == "dbt" || namespace == inputs.projectName
                ? [inputs.projectName, namespace].reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } } : everywhere)
        } ?? everywhere
        for package in searchOrder where package != "dbt" {
            for prefix in [inputs.dialect.name, "default"] {
                if let found = macro("\(prefix)__\(name)", in: package) { return .callable(found) }
            }
        }
        if let builtin = dbtMacros[name] { return builtin }
        if case .callable? = environment.globals.values[name], namespace == nil || namespace == "dbt" { return environment.globals.values[name]! }
        let installed = namespace.map { inputs.projectName == $0 || packageLayers[$0] != nil } ?? true
        throw TemplateError("adapter.dispatch found no macro for '\(name)'\(namespace.map { " in namespace '\($0)'" } ?? "")", at: location,
                            hint: installed ? "define `default__\(name)` or `\(inputs.dialect.name)__\(name)` in \(searchOrder.joined(separator: " or "))"
                                : "package '\(namespace!)' is not installed: list it in packages.yml and run `floe deps`")
    }

    private var currentConfig: any DbtNodeConfig {
        var config = baseConfig
        for entry in outcome.config { config.take(entry) }
        return config
    }

    private func ref(_ arguments: [JinjaValue], _ keywords: [(String, JinjaValue)], _ context: JinjaCallContext) throws -> JinjaValue {
        let pinned = keywords.first(where: { $0.0 == "v" || $0.0 == "version" }).map { Self.versionText($0.1) }
        let names = arguments.map(\.rendered)
        guard (1...2).contains(names.count), arguments.allSatisfy({ if case .string = $0 { return true } else { return false } }) else {
            throw TemplateError("ref() takes a model name, or a package and a model name, as strings", at: context.location,
                                hint: "ref('stg_orders')")
        }
        if names.count == 2, names[0] != inputs.projectName, inputs.packageVars[names[0]] == nil {
            throw TemplateError("package '\(names[0])' is not part of this project", at: context.location,
                                hint: Suggestions.didYouMean(names[0], in: [inputs.projectName] + inputs.packageVars.keys)
                                    ?? "the project is '\(inputs.projectName)'; a package must be listed in packages.yml and installed by `floe deps`")
        }
        let name = names.last!
        if let pinned {
            guard let versions = inputs.relations.versions(of: name) else {
                throw TemplateError("ref('\(name)', v=\(pinned)): model '\(name)' has no versions", at: context.location,
                                    hint: inputs.relations.ref(name) == nil ? Suggestions.didYouMean(name, in: inputs.relations.refNames)
                                        : "declare them under the model's `versions:` in a properties file, or ref('\(name)') without a version")
            }
            guard let slot = versions[pinned] else {
                throw TemplateError("ref('\(name)', v=\(pinned)): model '\(name)' has no version \(pinned)", at: context.location,
                                    hint: "its versions: \(versions.keys.sorted().joined(separator: ", "))")
            }
            outcome.refs.append(SlotUse(slot: slot, location: context.location))
            return relation(slot)
        }
        guard let slot = inputs.relations.ref(name) else {
            if inputs.relations.resolved {
                // Rendering at apply time: only what the compile's rendering (dbt's parse) referred to is known.
                throw TemplateError("ref('\(name)') was not reached when the model was compiled, so it is not among its dependencies",
                                    at: context.location,
                                    hint: "a ref() inside `{% if execute %}` is not seen at compile, as in dbt: add `-- depends_on: {{ ref('\(name)') }}` at the top of the model")
            }
            throw TemplateError("ref('\(name)'): no model or seed is named '\(name)'", at: context.location,
                                hint: Suggestions.didYouMean(name, in: inputs.relations.refNames))
        }
        outcome.refs.append(SlotUse(slot: slot, location: context.location))
        return relation(slot)
    }

    /// A version identifier as `ref(…, v=…)` gives it: `2`, `2.1` or `'beta'`, as text.
    static func versionText(_ value: JinjaValue) -> String {
        switch value {
        case .integer(let number): String(number)
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        default: value.rendered
        }
    }

    private func source(_ arguments: [JinjaValue], _ context: JinjaCallContext) throws -> JinjaValue {
        guard arguments.count == 2 else {
            throw TemplateError("source() takes a source name and a table name", at: context.location, hint: "source('raw', 'orders')")
        }
        let sourceName = arguments[0].rendered, tableName = arguments[1].rendered
        guard let tables = inputs.relations.tables(of: sourceName) else {
            throw TemplateError("source('\(sourceName)', '\(tableName)'): no source is named '\(sourceName)'", at: context.location,
                                hint: Suggestions.didYouMean(sourceName, in: inputs.relations.sourceNames)
                                    ?? "declare it under `sources:` in a properties file")
        }
        guard let slot = tables[tableName] else {
            throw TemplateError("source('\(sourceName)', '\(tableName)'): source '\(sourceName)' has no table '\(tableName)'",
                                at: context.location, hint: Suggestions.didYouMean(tableName, in: tables.keys))
        }
        outcome.sources.append(SlotUse(slot: slot, location: context.location))
        return relation(slot)
    }
}
