import FloeContract
import FloeCore
import FloeEngine
import FloeJinja
import FloeTemplates
import Foundation

/// The tests of a dbt project: singular tests, the generic tests of properties YAML, unit tests.
extension DbtPlanAssembly {
    // MARK: Tests

    /// The singular tests and the generic tests of properties YAML, sorted by unique id, and the
    /// problems found in them. Reads only: it runs beside ``compileModels(order:)``.
    func compileTests(singular: [DbtRenderedProject.SingularTest], projectConfig: NodeConfig, folderConfigs: [String: NodeConfig],
                              context: DbtRenderContext) -> (tests: [CompiledTest], templates: [String: ModelTemplate], diagnostics: [Diagnostic]) {
        var tests: [CompiledTest] = []
        /// By position in `tests`: the template of each rendered at apply time.
        var templates: [Int: ModelTemplate] = [:]
        for test in singular where test.config.enabled {
            let (file, outcome, config) = (test.file, test.outcome, test.config)
            if outcome.needsDatabase {
                templates[tests.count] = template(text: test.source, path: file.planPath, package: file.package, render: outcome,
                                                  node: [("name", .string(file.stem)), ("resource_type", .string("test"))], config: config)
            }
            tests.append(CompiledTest(
                uniqueID: "test.\(file.package).\(file.stem)", name: file.stem, testName: "singular", attachedNode: nil, column: nil,
                severity: config.severity ?? .error, sql: finish(outcome.text, refs: outcome.refs), dependsOn: dependencies(outcome),
                tags: config.tags, warnIf: config.warnIf, errorIf: config.errorIf, limit: config.limit, storeFailures: config.storeFailures,
                renderAtApply: outcome.needsDatabase ? true : nil, failCalc: config.failCalc))
        }
        var builder = GenericTestBuilder(compiler: self, context: context, projectConfig: projectConfig, folderConfigs: folderConfigs)
        for id in table.models where table[id].enabled {
            if let described = table[model: id].properties { builder.add(described, slot: id, prefix: "") }
        }
        for id in table.seeds where table[id].enabled {
            if let described = properties.seeds[table[id].name] { builder.add(described, slot: id, prefix: "") }
        }
        for (index, position, id) in table.sourceTables(of: properties.sources) {
            let source = properties.sources[index], described = source.tables[position]
            builder.add(described.properties, slot: id, prefix: "source_", nameOverride: "\(source.name)_\(described.properties.name)")
        }
        for (position, template) in builder.templates { templates[tests.count + position] = template }
        tests += builder.tests
        var diagnostics = builder.diagnostics
        for definition in properties.unitTests {
            guard let (test, template) = unitTest(definition, context: context, diagnostics: &diagnostics) else { continue }
            templates[tests.count] = template
            tests.append(test)
        }
        var used = Set<String>()
        for index in tests.indices {
            var uniqueID = tests[index].uniqueID
            var counter = 2
            while used.contains(uniqueID) {
                uniqueID = "\(tests[index].uniqueID).\(counter)"
                counter += 1
            }
            used.insert(uniqueID)
            tests[index].uniqueID = uniqueID
        }
        let byID = Dictionary(uniqueKeysWithValues: templates.map { (tests[$0.key].uniqueID, $0.value) })
        return (tests.sorted { $0.uniqueID < $1.uniqueID }, byID, diagnostics)
    }

    /// A unit test as a data test rendered at apply time (``UnitTestSQL``): the model's rendered
    /// SQL, each input it reads named for its fixture rows, which are typed as that input's
    /// columns once it exists; so the test depends on its inputs, as dbt's needs them built.
    private func unitTest(_ definition: UnitTestDefinition, context: DbtRenderContext, diagnostics: inout [Diagnostic])
        -> (test: CompiledTest, template: ModelTemplate)? {
        var config = NodeConfig()
        for entry in definition.config { if let problem = config.apply(entry, path: "config.\(entry.key)") { diagnostics.append(problem) } }
        guard config.enabled else { return nil }
        let location = definition.location
        guard let id = table.models.first(where: { table[$0].name == definition.model }) else {
            diagnostics.append(.error(at: location, "unit test '\(definition.name)' tests model '\(definition.model)', which does not exist",
                                      hint: Suggestions.didYouMean(definition.model, in: files.models.map(\.stem))))
            return nil
        }
        guard table[id].enabled else { return nil }
        let tested = table[model: id]
        var render = definition.incremental ? tested.incrementalRender ?? tested.render : tested.render
        // A model rendered at apply time gets its overrides there (``ModelTemplate/varOverrides``).
        if !tested.renderAtApply, !definition.vars.isEmpty || !definition.macros.isEmpty {
            // `overrides.vars` and `overrides.macros`: the model rendered again with those vars
            // over the project's, and those macros answering what the test says.
            var overridden = self.inputs.isolated()
            overridden.macroOverrides = definition.macros
            overridden.vars.merge(definition.vars) { _, new in new }
            for package in overridden.packageVars.keys { overridden.packageVars[package]!.merge(definition.vars) { _, new in new } }
            render = DbtRenderContext(overridden).render(source: tested.source, file: tested.file.display, slot: id,
                                                         model: modelContext(id), base: tested.config,
                                                         incremental: definition.incremental)
            if let error = render.error {
                diagnostics.append(error.diagnostic)
                return nil
            }
        }
        var given: [SlotID: Int] = [:]
        var inputs: [SlotUse] = []
        var fixtures: [ConfigInput] = []
        do throws(TemplateError) {
            for input in definition.given {
                let (_, outcome) = context.expression(GenericTestBuilder.relationExpression(input.input) ?? input.input, at: input.location,
                                                      base: NodeConfig())
                if let error = outcome.error { throw error }
                guard let use = (outcome.refs + outcome.sources).first else {
                    throw TemplateError("a given input must be ref(...) or source(...), got \(input.input)", at: input.location)
                }
                given[use.slot] = inputs.count
                inputs.append(use)
                fixtures.append(try fixture(input.rows, at: input.location))
            }
            let read = Set((render.refs + render.sources).map(\.slot)).filter { !table[$0].ephemeral }
            let missing = read.subtracting(given.keys).sorted()
            guard missing.isEmpty else {
                throw TemplateError("unit test '\(definition.name)' gives no rows for \(missing.map { table[$0].name }.joined(separator: ", ")), which \(definition.model) reads",
                                    at: location, hint: "add each under `given:` (`- input: ref('\(table[missing[0]].name)')` with `rows: []` for none)")
            }
            let named = RelationPlaceholder.substitute(render.text) { slot, part in
                part == .relation ? given[slot].map(UnitTestSQL.inputName) : nil
            }
            let model = finisher.finish(named, refs: render.refs.map(\.slot))
            let spec = ConfigInput.map(["model_sql": .string(model), "given": .list(fixtures),
                                        "expect": try fixture(definition.expect, at: location)])
            let relations = inputs.map { table[$0.slot].callExpression }
            let path = planPath(ofProperties: location.file)
            // A model rendered at apply time is rendered there too, inside the test's template, with
            // its refs as they are; `floe_unit_test` then names its inputs' relations for their
            // fixture rows, as dbt's unit tests point the model's refs at them.
            var text = "{{ floe_unit_test([\(relations.joined(separator: ", "))]) }}"
            var reads = RenderOutcome(refs: inputs.filter { table[$0.slot].kind != .source }, sources: inputs.filter { table[$0.slot].kind == .source })
            if tested.renderAtApply {
                text = "{% set floe_model_sql %}" + tested.source + "{% endset %}"
                    + "{{ floe_unit_test([\(relations.joined(separator: ", "))], model_sql=floe_model_sql) }}"
                reads.refs += render.refs
                reads.sources += render.sources
            }
            var template = template(
                text: text, path: path, package: definition.package, render: reads,
                node: [("name", .string(definition.name)), ("resource_type", .string("unit_test")), ("floe_unit_test", spec.jinja)], config: config)
            if tested.renderAtApply {
                if !definition.vars.isEmpty { template.varOverrides = definition.vars.mapValues(ConfigValue.init) }
                if !definition.macros.isEmpty { template.macroOverrides = definition.macros.mapValues(ConfigValue.init) }
            }
            let test = CompiledTest(
                uniqueID: "unit_test.\(definition.package).\(definition.model).\(definition.name)", name: definition.name, testName: "unit",
                attachedNode: table[id].uniqueID, column: nil, severity: config.severity ?? .error,
                sql: "-- a unit test of \(definition.model), written at apply time over its fixture rows\n" + model,
                dependsOn: finisher.dependencies(inputs.map(\.slot)), tags: config.tags, storeFailures: config.storeFailures, renderAtApply: true)
            return (test, template)
        } catch {
            diagnostics.append(error.diagnostic)
            return nil
        }
    }

    /// Fixture rows as the plan carries them: `{format, rows}`, a fixture file read in.
    private func fixture(_ rows: UnitTestDefinition.Rows, at location: SourceLocation) throws(TemplateError) -> ConfigInput {
        switch rows {
        case .dict(let list):
            return .map(["format": .string("dict"), "rows": .list(list.map { row in
                .map(Dictionary(row, uniquingKeysWith: { first, _ in first }))
            })])
        case .csv(let text): return .map(["format": .string("csv"), "rows": .string(text)])
        case .sql(let text): return .map(["format": .string("sql"), "rows": .string(text)])
        case .fixture(let name, let format):
            let wanted = format == "sql" ? "sql" : "csv"
            guard let file = files.fixtures.first(where: { $0.stem == name && $0.relative.hasSuffix("." + wanted) }),
                  let data = FileManager.default.contents(atPath: file.path) else {
                throw TemplateError("no fixture file '\(name).\(wanted)' under a test path's fixtures/", at: location,
                                    hint: Suggestions.didYouMean(name, in: files.fixtures.map(\.stem)))
            }
            return .map(["format": .string(wanted), "rows": .string(String(decoding: data, as: UTF8.self))])
        }
    }

    /// Writes the generic tests of properties YAML: the four built-ins in Swift, the project's own
    /// `{% test %}` blocks through Jinja.
    struct GenericTestBuilder {
        let compiler: DbtPlanAssembly
        /// Renders relationships' `to` and the project's own tests; not the compiler's own context,
        /// which the models use meanwhile.
        let context: DbtRenderContext
        /// The `data_tests:` tree's config at the project level, under every test's own.
        let projectConfig: NodeConfig
        /// By properties file (as messages name it): the tree's config down to that file's folder.
        let folderConfigs: [String: NodeConfig]
        var tests: [CompiledTest] = []
        /// By position in `tests`: the templates of the tests rendered at apply time.
        var templates: [Int: ModelTemplate] = [:]
        var diagnostics: [Diagnostic] = []

        mutating func add(_ described: NodeProperties, slot: SlotID, prefix: String, nameOverride: String? = nil) {
            let definitions = described.tests + described.columns.flatMap(\.tests)
            for definition in definitions {
                add(definition, slot: slot, nodeName: nameOverride ?? described.name, prefix: prefix)
            }
        }

        private mutating func add(_ definition: TestDefinition, slot: SlotID, nodeName: String, prefix: String) {
            let package = compiler.table[slot].package
            var config = folderConfigs[definition.location.file] ?? projectConfig
            for written in definition.config {
                // A value holding Jinja (`enabled: "{{ target.name != 'demo' }}"`) is rendered natively first, as dbt does.
                var entry = written
                if entry.value.holdsJinja {
                    let (value, outcome) = context.evaluate(entry.value, at: entry.location, base: NodeConfig())
                    if let error = outcome.error {
                        diagnostics.append(.error(at: entry.location, path: "config.\(entry.key)", "'\(entry.key)' does not render: \(error.message)", hint: error.hint))
                        continue
                    }
                    entry.value = value
                }
                if let d = config.apply(entry, path: "config.\(entry.key)") { diagnostics.append(d) }
            }
            guard config.enabled else { return }
            var arguments = definition.arguments
            let column = definition.column ?? arguments.removeValue(forKey: "column_name")?.string
            let model = RelationPlaceholder.text(slot, .relation)
            let target = config.whereClause.map { "(select * from \(model) where \($0)) dbt_subquery" } ?? model
            var refs = [SlotUse(slot: slot, location: definition.location)]
            let isBuiltin = GenericTestSQL.builtins.contains(definition.name)
            // A custom test's argument written as a relation (`compare_model: ref('orders')`, as
            // dbt_utils' tests take them) is the relation object, as in dbt.
            var relationArguments: [String: (value: JinjaValue, expression: String)] = [:]
            for key in arguments.keys.sorted() where !isBuiltin {
                guard case .string(let text)? = arguments[key], let expression = Self.relationExpression(text) else { continue }
                let (value, outcome) = context.expression(expression, at: definition.location, base: config, package: package)
                if let error = outcome.error {
                    diagnostics.append(.error(at: definition.location, "test '\(definition.name)', argument '\(key)': \(error.message)", hint: error.hint))
                    return
                }
                refs += outcome.refs + outcome.sources
                relationArguments[key] = (value, expression)
                arguments.removeValue(forKey: key)
            }
            // Arguments holding Jinja are rendered natively, as dbt renders them (`values: "{{ var('statuses') }}"`
            // is the var's list); `to` is a relation expression and is rendered below.
            for key in arguments.keys.sorted() where key != "to" {
                guard let value = arguments[key], value.holdsJinja else { continue }
                let (rendered, outcome) = context.evaluate(value, at: definition.location, base: config, package: package)
                if outcome.needsDatabase {
                    diagnostics.append(DbtProjectCompiler.queriesTheDatabase(definition.location.file, what: "test '\(definition.name)', argument '\(key)'"))
                    return
                }
                if let error = outcome.error {
                    diagnostics.append(.error(at: definition.location, "test '\(definition.name)', argument '\(key)': \(error.message)", hint: error.hint))
                    return
                }
                refs += outcome.refs + outcome.sources
                arguments[key] = rendered
            }
            var sql: String
            var late: ModelTemplate?
            if isBuiltin {
                var parent: String?
                if let to = arguments["to"]?.string {
                    let expression = to.contains("{{") ? to : "{{ \(to) }}"
                    let outcome = context.render(source: expression, file: definition.location.file, slot: nil, model: [],
                                                 base: config, incremental: false)
                    if outcome.needsDatabase {
                        diagnostics.append(DbtProjectCompiler.queriesTheDatabase(definition.location.file, what: "relationships' `to`"))
                        return
                    }
                    if let error = outcome.error {
                        diagnostics.append(.error(at: definition.location, "relationships test: \(error.message)", hint: error.hint))
                        return
                    }
                    refs += outcome.refs + outcome.sources
                    parent = outcome.text
                }
                guard let column, !column.isEmpty || definition.name == "relationships" else {
                    diagnostics.append(.error(at: definition.location, "test '\(definition.name)' needs a column",
                                              hint: "list it under a column's `data_tests:`, or give `column_name:`"))
                    return
                }
                do {
                    sql = try GenericTestSQL.sql(definition.name, model: target, column: column, arguments: arguments, parent: parent,
                                                 dialect: compiler.request.dialect)
                } catch {
                    switch error {
                    case .missingArgument(let name, let example):
                        diagnostics.append(.error(at: definition.location, "test '\(definition.name)' is missing its argument '\(name)'", hint: example))
                    case .wrongArgument(let name, let expected):
                        diagnostics.append(.error(at: definition.location, "test '\(definition.name)': '\(name)' must be \(expected)"))
                    }
                    return
                }
            } else if let macro = context.testMacro(definition.name, from: package) {
                // dbt gives a test's macro `get_where_subquery(model)`: with a `where` config, the
                // filtered subquery in place of the relation.
                var keywords: [(String, JinjaValue)] = [("model", config.whereClause == nil ? context.relation(slot) : .string(target))]
                if let column { keywords.append(("column_name", .string(column))) }
                keywords += arguments.keys.sorted().map { ($0, arguments[$0]!.jinja) }
                keywords += relationArguments.keys.sorted().map { ($0, relationArguments[$0]!.value) }
                var outcome = context.call(macro, keywords: keywords, at: definition.location, base: config, package: package)
                if outcome.needsDatabase {
                    // Rendered at apply time; the compile keeps what it refers to.
                    outcome = context.parsing(after: outcome) {
                        context.call(macro, keywords: keywords, at: definition.location, base: config, package: package)
                    }
                    // dbt parses a generic test with a context in which whatever the database
                    // would have answered may be used in any way (`run_query(…).columns[0]`): a
                    // failure of this parse rendering is no error; the test renders for real
                    // when it runs, where a real mistake is reported.
                    outcome.error = nil
                }
                if let error = outcome.error {
                    diagnostics.append(error.diagnostic)
                    return
                }
                refs += outcome.refs + outcome.sources
                sql = outcome.text
                // The macro's own `config()` (dbt_utils' `fail_calc`, a default severity): under
                // what the properties file sets for the test, as in dbt.
                let setByProperties = Set(definition.config.map(\.key))
                for entry in outcome.config where !setByProperties.contains(entry.key) {
                    if let problem = config.apply(entry, path: "config.\(entry.key)") { diagnostics.append(problem) }
                }
                if outcome.needsDatabase {
                    var passed = arguments
                    if let column { passed["column_name"] = .string(column) }
                    late = lateTemplate(definition, slot: slot, package: package, arguments: passed,
                                        relations: relationArguments.mapValues(\.expression), refs: refs, read: outcome.environmentRead,
                                        config: config)
                }
            } else {
                let custom = context.testMacroNames
                diagnostics.append(.error(at: definition.location, "unknown test '\(definition.name)'",
                                          hint: Suggestions.didYouMean(definition.name, in: GenericTestSQL.builtins + custom)
                                            ?? "built-in tests: \(GenericTestSQL.builtins.joined(separator: ", ")); define others with {% test name(model, column_name) %}"))
                return
            }
            // Named from the arguments as written, before rendering, as dbt names them.
            var written = definition.arguments
            written.removeValue(forKey: "column_name")
            let name = definition.customName
                ?? GenericTestName.make(test: prefix + definition.name.replacingOccurrences(of: ".", with: "_"), node: nodeName, column: column,
                                        arguments: written).full
            let dependsOn = compiler.finisher.dependencies(refs.map(\.slot))
            if let late { templates[tests.count] = late }
            tests.append(CompiledTest(
                uniqueID: "test.\(package).\(name)", name: name, testName: definition.name,
                attachedNode: compiler.table[slot].uniqueID, column: column, severity: config.severity ?? .error,
                sql: compiler.finish(sql, refs: refs), dependsOn: dependsOn, tags: config.tags, warnIf: config.warnIf,
                errorIf: config.errorIf, limit: config.limit, storeFailures: config.storeFailures, renderAtApply: late != nil ? true : nil,
                failCalc: config.failCalc))
        }

        /// `ref('orders')`, `source('shop', 'orders')` or `{{ ref('orders') }}` as an expression; nil for other text.
        static func relationExpression(_ text: String) -> String? {
            var trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}") {
                trimmed = String(trimmed.dropFirst(2).dropLast(2)).trimmingCharacters(in: .whitespaces)
            }
            guard trimmed.range(of: #"^(ref|source)\s*\([^()]*\)$"#, options: .regularExpression) != nil else { return nil }
            return trimmed
        }

        /// A generic test whose macro queries the database, as a template to render at apply time:
        /// a call of its macro on the node it tests, with the arguments (relations resolved) under
        /// the node's `floe_test_arguments`.
        private func lateTemplate(_ definition: TestDefinition, slot: SlotID, package: String, arguments: [String: ConfigInput],
                                  relations: [String: String], refs: [SlotUse], read: [String: String], config: NodeConfig) -> ModelTemplate {
            let parts = definition.name.split(separator: ".", maxSplits: 1).map(String.init)
            let macro = parts.count == 2 ? "\(parts[0]).test_\(parts[1])"
                : context.macro("test_" + definition.name, in: compiler.project.name) != nil ? "test_\(definition.name)" : "\(package).test_\(definition.name)"
            let model = compiler.table[slot].callExpression
            func resolved(_ value: ConfigInput) -> ConfigInput {
                switch value {
                case .string(let text): .string(compiler.finisher.substitute(text))
                case .list(let items): .list(items.map(resolved))
                case .map(let map): .map(map.mapValues(resolved))
                default: value
                }
            }
            let render = RenderOutcome(refs: refs.filter { compiler.table[$0.slot].kind != .source },
                                       sources: refs.filter { compiler.table[$0.slot].kind == .source })
            var outcome = render
            outcome.environmentRead = read
            let path = compiler.planPath(ofProperties: definition.location.file)
            let relationText = relations.keys.sorted().map { ", \($0)=\(relations[$0]!)" }.joined()
            return compiler.template(text: "{{ \(macro)(model=\(model)\(relationText), **model.floe_test_arguments) }}", path: path, package: package,
                                     render: outcome, node: [("name", .string(definition.name)), ("resource_type", .string("test")),
                                                             ("floe_test_arguments", resolved(.map(arguments)).jinja)],
                                     config: config)
        }
    }
}
