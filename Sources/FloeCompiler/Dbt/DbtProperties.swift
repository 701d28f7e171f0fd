import FloeCore
import FloeJinja
import FloeTemplates
import FloeYAML
import Foundation

/// A generic data test as written in properties YAML: `- unique`, or
/// `- accepted_values: {values: [...], config: {severity: warn}}`, or with `arguments:`.
struct TestDefinition: Sendable {
    var name: String
    /// A custom name for the test node (`name:` in the definition).
    var customName: String?
    var arguments: [String: ConfigInput]
    var config: [ConfigEntry]
    var column: String?
    var location: SourceLocation
}

struct ColumnProperties: Sendable {
    var name: String
    var description: String?
    var dataType: String?
    var tests: [TestDefinition]
    /// dbt's column `constraints:`, applied when the model's contract is enforced.
    var constraints: [ConstraintProperties] = []
}


/// What properties YAML says about one model, seed or source table.
struct NodeProperties: Sendable {
    var name: String
    var location: SourceLocation
    var description: String?
    var config: [ConfigEntry] = []
    var columns: [ColumnProperties] = []
    var tests: [TestDefinition] = []
    /// dbt's model-level `constraints:`.
    var constraints: [ConstraintProperties] = []
    /// A model's `versions:` and `latest_version` (``DbtModelVersions``).
    var versions: [VersionProperties] = []
    var latestVersion: String?
}

struct SourceProperties: Sendable {
    var name: String
    var schema: String?
    var location: SourceLocation
    var tables: [(properties: NodeProperties, identifier: String?)]
    /// The project (root or package) whose properties file declares it.
    var package: String
}

/// A dbt unit test (`unit_tests:`): the model it tests, fixture rows for the inputs it reads,
/// and the rows it must give.
struct UnitTestDefinition: Sendable {
    /// Fixture rows as written: a list of mappings (`dict`), CSV text, or a SELECT (`sql`).
    enum Rows: Sendable {
        case dict([[(String, ConfigInput)]])
        case csv(String)
        case sql(String)
        /// `fixture: name`: a file under a test path's `fixtures/`, in `format`.
        case fixture(String, format: String)
    }

    struct Input: Sendable {
        /// As written: `ref('stg_orders')`, `source('shop', 'orders')`.
        var input: String
        var rows: Rows
        var location: SourceLocation
    }

    var name: String
    var model: String
    var given: [Input]
    var expect: Rows
    /// `overrides.macros.is_incremental`: render the model's incremental SQL.
    var incremental: Bool
    /// `overrides.vars`: vars the model is rendered with, over the project's.
    var vars: [String: ConfigInput] = [:]
    /// `overrides.macros` other than `is_incremental`: what each returns instead.
    var macros: [String: ConfigInput] = [:]
    var config: [ConfigEntry]
    var package: String
    var location: SourceLocation
}

/// A dbt exposure as written: its `depends_on` are `ref(...)`/`source(...)` expressions.
struct ExposureDefinition: Sendable {
    var name: String
    var type: String
    var owner: String?
    var url: String?
    var description: String?
    var dependsOn: [(expression: String, location: SourceLocation)]
    var package: String
    var location: SourceLocation
}

/// Every `models:`, `seeds:` and `sources:` entry of the project's properties files.
struct DbtProperties {
    var unitTests: [UnitTestDefinition] = []
    var exposures: [ExposureDefinition] = []
    var models: [String: NodeProperties] = [:]
    var seeds: [String: NodeProperties] = [:]
    var sources: [SourceProperties] = []
    /// `groups:`, by name: where each is declared.
    var groups: [String: SourceLocation] = [:]
    /// `semantic_models:`, `metrics:` and `saved_queries:` of every file.
    var semantic = DbtSemanticDefinitions()
    /// Snapshots defined in YAML (`relation: ref('orders')`), by name, in the order read; the
    /// compiler takes them from here after each file.
    var definedSnapshots: [(name: String, relation: String)] = []
    var diagnostics: [Diagnostic] = []

    /// Properties YAML sections floe reads past, with what to call them in the warning.
    static let notSupported: [String: (noun: String, feature: String)] = [:]

    static let topLevelKeys = ["version", "models", "sources", "seeds", "macros", "exposures", "metrics", "semantic_models",
                               "saved_queries", "unit_tests", "snapshots", "analyses", "groups"]
    /// Keys of a test definition that are config rather than arguments, when written inline.
    static let testConfigKeys: Set<String> = ["severity", "where", "tags", "enabled", "limit", "warn_if", "error_if",
                                              "store_failures", "store_failures_as", "fail_calc", "meta", "alias", "schema"]

    /// Parses a properties file's YAML: the part of reading it that files can do in parallel.
    static func load(_ file: ProjectFile, data: Data) -> (YAMLValue?, [Diagnostic]) {
        YAMLLoader(duplicateKeysWarn: true).load(data: data, displayPath: file.display)
    }

    /// Takes in a properties file parsed by ``load(_:data:)``; files are read in project order,
    /// so the first description of a model is the one kept.
    mutating func read(_ loaded: (YAMLValue?, [Diagnostic]), package: String, planPath: String) {
        let (root, loadDiagnostics) = loaded
        diagnostics += loadDiagnostics
        guard let root else { return }
        guard let entries = root.entries else {
            diagnostics.append(.error(at: root.location, "expected a properties file: a mapping with `models:`, `sources:` or `seeds:`"))
            return
        }
        for entry in entries where !Self.topLevelKeys.contains(entry.key) {
            diagnostics.append(.warning(at: entry.keyLocation, path: entry.key, "unknown key in a properties file; floe ignores it",
                                        hint: Suggestions.didYouMean(entry.key, in: Self.topLevelKeys)))
        }
        // What dbt reads here and floe does not run yet: said, never dropped silently.
        for entry in entries {
            guard let what = Self.notSupported[entry.key], let count = entry.value.items?.count, count > 0 else { continue }
            diagnostics.append(.warning(at: entry.keyLocation, path: entry.key,
                                        "\(count) \(what.noun)\(count == 1 ? "" : "s") here \(count == 1 ? "is" : "are") skipped: floe does not support \(what.feature) yet",
                                        hint: "see docs/dbt-compatibility.md for what floe runs of a dbt project"))
        }
        readSemantic(root, file: root.location.file, planPath: planPath)
        for (index, item) in list(root["exposures"], path: "exposures").enumerated() {
            let path = "exposures[\(index)]"
            guard let name = requiredName(item, path: path) else { continue }
            let owner = item["owner"].map { owner in string(owner["name"], path: path + ".owner.name") ?? string(owner["email"], path: path + ".owner.email") } ?? nil
            let dependsOn = list(item["depends_on"], path: path + ".depends_on").compactMap { value in
                value.string.map { ($0, value.location) }
            }
            exposures.append(ExposureDefinition(
                name: name, type: string(item["type"], path: path + ".type") ?? "dashboard", owner: owner,
                url: string(item["url"], path: path + ".url"), description: string(item["description"], path: path + ".description"),
                dependsOn: dependsOn, package: package, location: item["name"]!.location))
        }
        for (index, item) in list(root["groups"], path: "groups").enumerated() {
            guard let name = requiredName(item, path: "groups[\(index)]") else { continue }
            if let earlier = groups[name] {
                diagnostics.append(.error(at: item["name"]!.location, path: "groups[\(index)].name", "group '\(name)' is declared twice",
                                          hint: "the other is at \(earlier)"))
            }
            groups[name] = groups[name] ?? item["name"]!.location
        }
        for (index, item) in list(root["unit_tests"], path: "unit_tests").enumerated() {
            if let test = unitTest(item, path: "unit_tests[\(index)]", package: package) { unitTests.append(test) }
        }
        for (index, item) in list(root["models"], path: "models").enumerated() {
            guard let node = node(item, path: "models[\(index)]") else { continue }
            if let earlier = models[node.name] {
                diagnostics.append(.error(at: node.location, path: "models[\(index)].name", "model '\(node.name)' is described twice",
                                          hint: "the other description is at \(earlier.location)"))
            } else {
                models[node.name] = node
            }
        }
        // A snapshot's properties (description, columns, tests, config) are read as a model's; one
        // with `relation:` (dbt 1.9) is defined here, its SELECT every column of that relation.
        for (index, item) in list(root["snapshots"], path: "snapshots").enumerated() {
            guard let node = node(item, path: "snapshots[\(index)]"), models[node.name] == nil else { continue }
            models[node.name] = node
            if let relation = string(item["relation"], path: "snapshots[\(index)].relation") {
                definedSnapshots.append((node.name, relation))
            }
        }
        for (index, item) in list(root["seeds"], path: "seeds").enumerated() {
            guard let node = node(item, path: "seeds[\(index)]") else { continue }
            seeds[node.name] = node
        }
        for (index, item) in list(root["sources"], path: "sources").enumerated() {
            let path = "sources[\(index)]"
            guard let name = requiredName(item, path: path) else { continue }
            var tables: [(NodeProperties, String?)] = []
            for (tableIndex, table) in list(item["tables"], path: path + ".tables").enumerated() {
                let tablePath = "\(path).tables[\(tableIndex)]"
                guard let properties = node(table, path: tablePath) else { continue }
                tables.append((properties, string(table["identifier"], path: tablePath + ".identifier")))
            }
            sources.append(SourceProperties(name: name, schema: string(item["schema"], path: path + ".schema"),
                                            location: item["name"]!.location, tables: tables, package: package))
        }
    }

    mutating func list(_ value: YAMLValue?, path: String) -> [YAMLValue] {
        guard let value, !value.isNull else { return [] }
        guard let items = value.items else {
            diagnostics.append(.error(at: value.location, path: path, "expected a list, got \(value.kindDescription)",
                                      hint: "write each entry as `- name: ...`"))
            return []
        }
        return items
    }

    mutating func string(_ value: YAMLValue?, path: String) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.scalarText, value.entries == nil else {
            diagnostics.append(.error(at: value.location, path: path, "expected a string, got \(value.kindDescription)"))
            return nil
        }
        return text
    }

    mutating func requiredName(_ item: YAMLValue, path: String) -> String? {
        guard item.entries != nil else {
            diagnostics.append(.error(at: item.location, path: path, "expected a mapping with `name:`, got \(item.kindDescription)"))
            return nil
        }
        guard let name = string(item["name"], path: path + ".name") else {
            diagnostics.append(.error(at: item.location, path: path + ".name", "missing required key 'name'"))
            return nil
        }
        return name
    }

    private mutating func node(_ item: YAMLValue, path: String) -> NodeProperties? {
        guard let name = requiredName(item, path: path) else { return nil }
        var node = NodeProperties(name: name, location: item["name"]!.location, description: string(item["description"], path: path + ".description"))
        node.config = config(item["config"], path: path + ".config")
        // `access:` and `group:` may be written beside `config:` (dbt reads them as config).
        for key in ["access", "group"] {
            if let value = item[key], let text = value.scalarText, !value.isNull {
                node.config.insert(ConfigEntry(key: key, value: .string(text), location: value.location), at: 0)
            }
        }
        node.tests = tests(item, column: nil, path: path)
        for (index, columnItem) in list(item["columns"], path: path + ".columns").enumerated() {
            let columnPath = "\(path).columns[\(index)]"
            guard let columnName = requiredName(columnItem, path: columnPath) else { continue }
            node.columns.append(ColumnProperties(
                name: columnName, description: string(columnItem["description"], path: columnPath + ".description"),
                dataType: string(columnItem["data_type"], path: columnPath + ".data_type"),
                tests: tests(columnItem, column: columnName, path: columnPath),
                constraints: constraints(columnItem["constraints"], path: columnPath + ".constraints")))
        }
        node.constraints = constraints(item["constraints"], path: path + ".constraints")
        node.versions = versions(item["versions"], path: path + ".versions")
        node.latestVersion = item["latest_version"].flatMap { $0.isNull ? nil : $0.scalarText }
        return node
    }


    private mutating func unitTest(_ item: YAMLValue, path: String, package: String) -> UnitTestDefinition? {
        guard let name = requiredName(item, path: path) else { return nil }
        guard let model = string(item["model"], path: path + ".model") else {
            diagnostics.append(.error(at: item.location, path: path + ".model", "unit test '\(name)' names no model", hint: "add `model: <the model it tests>`"))
            return nil
        }
        var given: [UnitTestDefinition.Input] = []
        for (index, input) in list(item["given"], path: path + ".given").enumerated() {
            let inputPath = "\(path).given[\(index)]"
            guard let written = string(input["input"], path: inputPath + ".input") else {
                diagnostics.append(.error(at: input.location, path: inputPath + ".input", "a given input names no relation",
                                          hint: "such as `input: ref('stg_orders')`"))
                continue
            }
            guard let rows = rows(input, path: inputPath) else { continue }
            given.append(UnitTestDefinition.Input(input: written, rows: rows, location: input.location))
        }
        guard let expectValue = item["expect"], let expect = rows(expectValue, path: path + ".expect") else {
            diagnostics.append(.error(at: item.location, path: path + ".expect", "unit test '\(name)' has no `expect:` rows"))
            return nil
        }
        var incremental = false
        var vars: [String: ConfigInput] = [:]
        var overriddenMacros: [String: ConfigInput] = [:]
        if let overrides = item["overrides"] {
            for entry in overrides.entries ?? [] {
                if entry.key == "vars" {
                    for variable in entry.value.entries ?? [] { vars[variable.key] = ConfigInput(variable.value) }
                    continue
                }
                if entry.key == "macros", let macros = entry.value.entries {
                    for macro in macros {
                        if macro.key == "is_incremental", let flag = macro.value.bool {
                            incremental = flag
                        } else {
                            overriddenMacros[macro.key] = ConfigInput(macro.value)
                        }
                    }
                } else {
                    diagnostics.append(.warning(at: entry.keyLocation, path: "\(path).overrides.\(entry.key)",
                                                "floe does not override \(entry.key) in unit tests yet; the test runs without it"))
                }
            }
        }
        return UnitTestDefinition(name: name, model: model, given: given, expect: expect, incremental: incremental, vars: vars, macros: overriddenMacros,
                                  config: config(item["config"], path: path + ".config"), package: package, location: item["name"]!.location)
    }

    /// `rows:` of a given input or of `expect:`, in its `format:` (dict, csv or sql).
    private mutating func rows(_ item: YAMLValue, path: String) -> UnitTestDefinition.Rows? {
        let format = string(item["format"], path: path + ".format") ?? "dict"
        if let fixture = string(item["fixture"], path: path + ".fixture") {
            return .fixture(fixture, format: format)
        }
        switch format {
        case "dict":
            var rows: [[(String, ConfigInput)]] = []
            for (index, row) in list(item["rows"], path: path + ".rows").enumerated() {
                guard let entries = row.entries else {
                    diagnostics.append(.error(at: row.location, path: "\(path).rows[\(index)]", "expected a row as `{column: value}`, got \(row.kindDescription)"))
                    return nil
                }
                rows.append(entries.map { ($0.key, ConfigInput($0.value)) })
            }
            return .dict(rows)
        case "csv", "sql":
            guard let text = string(item["rows"], path: path + ".rows") else {
                diagnostics.append(.error(at: item.location, path: path + ".rows", "format \(format) needs its rows as text",
                                          hint: format == "csv" ? "rows: |\n  id,name\n  1,a" : "rows: select 1 as id"))
                return nil
            }
            return format == "csv" ? .csv(text) : .sql(text)
        default:
            diagnostics.append(.error(at: item["format"]!.location, path: path + ".format", "unknown fixture format '\(format)'",
                                      hint: "dict, csv or sql"))
            return nil
        }
    }

    mutating func config(_ value: YAMLValue?, path: String) -> [ConfigEntry] {
        guard let value, !value.isNull else { return [] }
        guard let entries = value.entries else {
            diagnostics.append(.error(at: value.location, path: path, "expected a mapping of config keys, got \(value.kindDescription)"))
            return []
        }
        return entries.map { ConfigEntry(key: $0.key, value: ConfigInput($0.value), location: $0.value.location) }
    }

    /// The `data_tests:` (or older `tests:`) list of a node or column.
    mutating func tests(_ item: YAMLValue, column: String?, path: String) -> [TestDefinition] {
        var definitions: [TestDefinition] = []
        for key in ["data_tests", "tests"] {
            for (index, test) in list(item[key], path: "\(path).\(key)").enumerated() {
                let testPath = "\(path).\(key)[\(index)]"
                if let name = test.string {
                    definitions.append(TestDefinition(name: name, arguments: [:], config: [], column: column, location: test.location))
                    continue
                }
                guard let entries = test.entries, entries.count == 1, let only = entries.first else {
                    diagnostics.append(.error(at: test.location, path: testPath, "expected a test name or `test_name: {arguments}`, got \(test.kindDescription)",
                                              hint: "such as `- unique` or `- accepted_values: {values: [a, b]}`"))
                    continue
                }
                var definition = TestDefinition(name: only.key, arguments: [:], config: [], column: column, location: only.keyLocation)
                if let body = only.value.entries {
                    for entry in body {
                        switch entry.key {
                        case "arguments":
                            for argument in entry.value.entries ?? [] {
                                // A config key (or a whole `config:`) written among the arguments is
                                // config, as dbt 1.11 takes it: it merges `arguments` into the test's body.
                                if argument.key == "config" {
                                    definition.config += config(argument.value, path: "\(testPath).\(only.key).arguments.config")
                                    diagnostics.append(.warning(at: argument.keyLocation, path: "\(testPath).\(only.key).arguments.config",
                                                                "'config' belongs beside 'arguments', not in it: it is taken as the test's config, as dbt 1.11 does",
                                                                hint: "move it one level out, beside `arguments:`"))
                                    continue
                                }
                                guard Self.testConfigKeys.contains(argument.key) else {
                                    definition.arguments[argument.key] = ConfigInput(argument.value)
                                    continue
                                }
                                definition.config.append(ConfigEntry(key: argument.key, value: ConfigInput(argument.value), location: argument.value.location))
                                diagnostics.append(.warning(at: argument.keyLocation, path: "\(testPath).\(only.key).arguments.\(argument.key)",
                                                            "'\(argument.key)' is config, not an argument: it is taken as config, as dbt 1.11 does",
                                                            hint: "write it under `config:`"))
                            }
                        case "config":
                            definition.config += config(entry.value, path: "\(testPath).\(only.key).config")
                        case "name":
                            definition.customName = entry.value.string
                        case "column_name":
                            definition.column = entry.value.string
                        case let key where Self.testConfigKeys.contains(key):
                            definition.config.append(ConfigEntry(key: key, value: ConfigInput(entry.value), location: entry.value.location))
                        default:
                            definition.arguments[entry.key] = ConfigInput(entry.value)
                        }
                    }
                } else if !only.value.isNull {
                    diagnostics.append(.error(at: only.value.location, path: "\(testPath).\(only.key)",
                                              "expected the test's arguments as a mapping, got \(only.value.kindDescription)"))
                    continue
                }
                definitions.append(definition)
            }
        }
        return definitions
    }
}
